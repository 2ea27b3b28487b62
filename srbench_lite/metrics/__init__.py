"""Metrics that match the references: SRBench's symbolic recovery, SRSD's normalized tree edit
distance, SRBench's model size, R² and RMSE.

Every sympy step runs in a time-limited worker process (:mod:`srbench_lite.sandbox`); model
strings are parsed safely (:mod:`srbench_lite.expr`). See each module's docstring for where and why the
implementation departs from the reference.
"""

from __future__ import annotations

from srbench_lite.metrics._numeric import evaluate as evaluate_expression
from srbench_lite.metrics.accuracy import ACCURACY_THRESHOLD, accuracy_solution, r2, rmse
from srbench_lite.metrics.complexity import complexity
from srbench_lite.metrics.recovery import KINDS, MODES, RecoveryResult, symbolic_recovery
from srbench_lite.metrics.tree_edit import NEDResult, ned_details, tree_edit_distance

__all__ = [
    "ACCURACY_THRESHOLD",
    "KINDS",
    "MODES",
    "NEDResult",
    "RecoveryResult",
    "accuracy_solution",
    "complexity",
    "evaluate_expression",
    "ned_details",
    "r2",
    "rmse",
    "score",
    "symbolic_recovery",
    "tree_edit_distance",
]


def score(
    model,
    truth,
    *,
    feature_names=None,
    dialect: str = "sympy",
    timeout: float | None = 30.0,
    mode: str = "srbench",
    X=None,
) -> dict:
    """All symbolic metrics of one model against one truth, as a flat dict.

    Keys: ``solved``, ``recovery_kind``, ``recovery_detail``, ``ned``, ``edit_distance``,
    ``true_nodes``, ``complexity`` (None if the model cannot be parsed), ``truth_complexity``,
    ``model``, ``truth``, ``error``.
    """
    from srbench_lite.expr import ModelParseError

    rec = symbolic_recovery(
        model, truth, feature_names=feature_names, dialect=dialect, timeout=timeout, mode=mode, X=X
    )
    ned = ned_details(model, truth, feature_names=feature_names, dialect=dialect, timeout=timeout)
    try:
        size = complexity(model, feature_names=feature_names, dialect=dialect)
    except ModelParseError:
        size = None
    return {
        "solved": rec.solved,
        "recovery_kind": rec.kind,
        "recovery_detail": rec.detail,
        "numeric_check": rec.numeric_check,
        "ned": ned.ned,
        "edit_distance": ned.distance,
        "true_nodes": ned.true_nodes,
        "complexity": size,
        "truth_complexity": complexity(truth, feature_names=feature_names),
        "model": rec.model,
        "truth": rec.truth,
        "error": rec.error or ned.error,
    }
