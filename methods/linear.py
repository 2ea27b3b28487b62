"""Baseline: ordinary least squares, written out as an expression."""

from srbench_lite.methods import MethodSpec
from srbench_lite.methods.baselines import LinearExpressionRegressor

METHOD = MethodSpec(
    name="linear",
    factory=LinearExpressionRegressor,
    budget_param=None,  # closed form
    seed_param=None,  # deterministic
    description="baseline: scikit-learn LinearRegression as c0 + c1*x0 + ...",
)
