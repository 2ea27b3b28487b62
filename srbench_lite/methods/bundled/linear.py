"""Baseline: ordinary least squares, written out as an expression."""

from srbench_lite.methods import MethodSpec


def _factory(**params):
    # scikit-learn is imported on use, so listing methods stays fast
    from srbench_lite.methods.baselines import LinearExpressionRegressor

    return LinearExpressionRegressor(**params)


METHOD = MethodSpec(
    name="linear",
    factory=_factory,
    budget_param=None,  # closed form
    seed_param=None,  # deterministic
    description="baseline: scikit-learn LinearRegression as c0 + c1*x0 + ...",
)
