"""Baseline: predict the training mean."""

from srbench_lite.methods import MethodSpec
from srbench_lite.methods.baselines import ConstantRegressor

METHOD = MethodSpec(
    name="constant",
    factory=ConstantRegressor,
    budget_param=None,  # fits instantly
    seed_param=None,  # deterministic
    description="baseline: the training mean",
)
