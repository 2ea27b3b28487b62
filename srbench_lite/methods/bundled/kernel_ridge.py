"""Kernel ridge regression: one of SRBench's black-box baselines (see :mod:`srbench_lite.methods.ml_models`)."""

from srbench_lite.methods.ml_models import baseline_spec

METHOD = baseline_spec(
    "kernel-ridge",
    description="black-box baseline (no expression): scikit-learn KernelRidge, RBF kernel on standardised X (SRBench's KernelRidge)",
)
