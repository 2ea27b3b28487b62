"""Metrics that match the references: SRBench's symbolic recovery, SRSD's normalized tree edit
distance, SRBench's model size, R² and RMSE; and form recovery (the PySR paper's "correct form").

Every sympy step runs in a time-limited worker process (:mod:`srbench_lite.sandbox`); model
strings are parsed safely (:mod:`srbench_lite.expr`). See each module's docstring for where and why the
implementation departs from the reference.
"""

from __future__ import annotations

from srbench_lite.metrics._numeric import evaluate as evaluate_expression
from srbench_lite.metrics.accuracy import ACCURACY_THRESHOLD, accuracy_solution, r2, rmse
from srbench_lite.metrics.complexity import complexity
from srbench_lite.metrics.form import FormResult, form_recovery
from srbench_lite.metrics.recovery import KINDS, MODES, RecoveryResult, symbolic_recovery
from srbench_lite.metrics.scoring import SCORE_KEYS, score
from srbench_lite.metrics.tree_edit import NEDResult, ned_details, tree_edit_distance

__all__ = [
    "ACCURACY_THRESHOLD",
    "FormResult",
    "KINDS",
    "MODES",
    "NEDResult",
    "RecoveryResult",
    "SCORE_KEYS",
    "accuracy_solution",
    "complexity",
    "evaluate_expression",
    "form_recovery",
    "ned_details",
    "r2",
    "rmse",
    "score",
    "symbolic_recovery",
    "tree_edit_distance",
]
