"""The built-in genetic-programming engine (method ``gp``); see :class:`GPRegressor`."""

from srbench_lite.engines.gp.regressor import DEFAULT_OPERATORS, GPRegressor

__all__ = ["DEFAULT_OPERATORS", "GPRegressor"]
