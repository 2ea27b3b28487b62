"""Kernel ridge regression: one of SRBench's black-box baselines (no expression; the model, its
settings and its size are in :mod:`srbench_lite.methods.blackbox_models`)."""

from srbench_lite.methods.blackbox_specs import baseline_spec

METHOD = baseline_spec(
    "kernel-ridge",
    description=(
        "black-box baseline (no expression): scikit-learn KernelRidge, RBF "
        "kernel on standardised X (SRBench's KernelRidge)"
    ),
)
