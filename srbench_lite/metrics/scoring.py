"""All symbolic metrics of one model against one truth, as one flat dict (:func:`score`)."""

from __future__ import annotations

from collections.abc import Sequence

from srbench_lite.metrics.complexity import complexity
from srbench_lite.metrics.form import form_recovery
from srbench_lite.metrics.recovery import symbolic_recovery
from srbench_lite.metrics.tree_edit import ned_details

__all__ = ["SCORE_KEYS", "score"]

#: the keys of :func:`score`'s result, in order
SCORE_KEYS = (
    "solved",
    "recovery_kind",
    "recovery_detail",
    "numeric_check",
    "form_recovery",
    "form_detail",
    "ned",
    "edit_distance",
    "true_nodes",
    "complexity",
    "truth_complexity",
    "model",
    "truth",
    "error",
)


def score(
    model,
    truth,
    *,
    feature_names: Sequence[str] | None = None,
    dialect: str = "sympy",
    timeout: float | None = 30.0,
    mode: str = "srbench",
    X=None,
) -> dict:
    """All symbolic metrics of one model against one truth, as a flat dict (:data:`SCORE_KEYS`).

    ``solved``/``recovery_kind``/``recovery_detail``/``numeric_check``: exact recovery
    (:func:`~srbench_lite.metrics.symbolic_recovery`); ``form_recovery`` (True/False, None when
    undecided) and ``form_detail``: :func:`~srbench_lite.metrics.form_recovery`; ``ned``,
    ``edit_distance``, ``true_nodes``: SRSD's NED; ``complexity`` (None if the model cannot be
    parsed) and ``truth_complexity``; ``model``/``truth``: the parsed expressions; ``error``.
    """
    from srbench_lite.expr import ModelParseError

    common = {"feature_names": feature_names, "dialect": dialect, "timeout": timeout}
    rec = symbolic_recovery(model, truth, mode=mode, X=X, **common)
    form = form_recovery(model, truth, X=X, **common)
    ned = ned_details(model, truth, **common)
    try:
        size = complexity(model, feature_names=feature_names, dialect=dialect)
    except ModelParseError:
        size = None
    return {
        "solved": rec.solved,
        "recovery_kind": rec.kind,
        "recovery_detail": rec.detail,
        "numeric_check": rec.numeric_check,
        "form_recovery": form.recovered,
        "form_detail": form.detail,
        "ned": ned.ned,
        "edit_distance": ned.distance,
        "true_nodes": ned.true_nodes,
        "complexity": size,
        "truth_complexity": complexity(truth, feature_names=feature_names),
        "model": rec.model,
        "truth": rec.truth,
        "error": rec.error or ned.error or form.error,
    }
