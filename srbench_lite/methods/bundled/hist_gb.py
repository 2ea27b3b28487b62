"""Histogram gradient boosting: one of SRBench's black-box baselines (no expression; the model, its
settings and its size are in :mod:`srbench_lite.methods.blackbox_models`)."""

from srbench_lite.methods.blackbox_specs import baseline_spec

METHOD = baseline_spec(
    "hist-gb",
    description=(
        "black-box baseline (no expression): scikit-learn "
        "HistGradientBoostingRegressor, depth 6 (stands in for SRBench's XGB and LGBM)"
    ),
)
