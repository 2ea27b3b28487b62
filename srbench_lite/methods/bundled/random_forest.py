"""Random forest: one of SRBench's black-box baselines (see :mod:`srbench_lite.methods.ml_models`)."""

from srbench_lite.methods.ml_models import baseline_spec

METHOD = baseline_spec(
    "random-forest",
    description="black-box baseline (no expression): scikit-learn RandomForestRegressor, 100 trees (SRBench's RandomForest)",
)
