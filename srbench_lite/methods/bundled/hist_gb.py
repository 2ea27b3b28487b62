"""Histogram gradient boosting: one of SRBench's black-box baselines (see :mod:`srbench_lite.methods.ml_models`)."""

from srbench_lite.methods.ml_models import baseline_spec

METHOD = baseline_spec(
    "hist-gb",
    description="black-box baseline (no expression): scikit-learn HistGradientBoostingRegressor, depth 6 (stands in for SRBench's XGB and LGBM)",
)
