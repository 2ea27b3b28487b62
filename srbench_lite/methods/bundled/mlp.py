"""Multi-layer perceptron: one of SRBench's black-box baselines (see :mod:`srbench_lite.methods.ml_models`)."""

from srbench_lite.methods.ml_models import baseline_spec

METHOD = baseline_spec(
    "mlp",
    description="black-box baseline (no expression): scikit-learn MLPRegressor on standardised X and y (SRBench's MLP)",
)
