"""Baseline: predict the training mean."""

from srbench_lite.methods import MethodSpec


def _factory(**params):
    # scikit-learn is imported on use, so listing methods stays fast
    from srbench_lite.methods.baselines import ConstantRegressor

    return ConstantRegressor(**params)


METHOD = MethodSpec(
    name="constant",
    factory=_factory,
    budget_param=None,  # fits instantly
    seed_param=None,  # deterministic
    description="baseline: the training mean",
)
