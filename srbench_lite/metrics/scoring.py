"""All symbolic metrics of one model against one truth, as one flat dict (:func:`score`).

The two judges -- exact recovery and SRSD's NED -- answer different questions, and
:func:`explain_judges` says why they seem to disagree when they do:

* NED = 0 means the canonical trees (SRSD's ``factor``/``simplify`` forms) have the same shape;
  NED labels every number ``Const``, so it cannot see constant *values*. Recovery tries those
  same canonical forms as one of its rewrites, so NED = 0 with constants equal up to rounding is
  always solved; NED = 0 and not solved means the constants differ (the note lists them).
* Solved with NED > 0 means the model is the law in another shape: ``simplify`` leaves the two
  canonical trees in different forms (the note shows both).
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

from srbench_lite.metrics.complexity import complexity
from srbench_lite.metrics.form import form_recovery
from srbench_lite.metrics.recovery import RecoveryResult, symbolic_recovery
from srbench_lite.metrics.tree_edit import NEDResult, ned_details

__all__ = ["SCORE_KEYS", "explain_judges", "score"]

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
    "model_canonical",
    "truth_canonical",
    "judges",
    "complexity",
    "truth_complexity",
    "model",
    "truth",
    "error",
)


def _constants(text: str) -> list[float]:
    """The numbers of a canonical form in preorder (the order of its tree's Const nodes)."""
    from srbench_lite.expr import parse_model

    expr = parse_model(text)
    return [float(e) for e in sp.preorder_traversal(expr) if e.is_Number]


def explain_judges(rec: RecoveryResult, ned: NEDResult) -> str:
    """A sentence when recovery and NED seem to disagree ("" when they do not, or cannot)."""
    if rec.kind in ("error", "timeout") or ned.status != "ok":
        return ""
    forms = f"model {ned.model_prepared} vs truth {ned.truth_prepared}"
    if ned.ned == 0 and not rec.solved:
        try:
            pairs = zip(_constants(ned.model_prepared), _constants(ned.truth_prepared), strict=True)
            differ = [f"{a:.6g} vs {b:.6g}" for a, b in pairs if a != b]
        except (ValueError, TypeError):  # unparsable or another number of numbers
            differ = []
        which = f": {', '.join(differ[:4])}" if differ else ""
        return (
            "NED is 0 because it labels every number Const; the canonical trees have the same "
            f"shape but their constants differ beyond rounding{which}"
        )
    if rec.solved and ned.ned > 0:
        return (
            f"solved, although NED = {ned.ned:.3g}: the canonical forms that NED compares have "
            f"different shapes ({forms})"
        )
    return ""


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
    ``edit_distance``, ``true_nodes`` and the canonical forms NED compares
    (``model_canonical``, ``truth_canonical``, over SRSD's ``x0, x1, ...`` when
    ``feature_names`` are given): SRSD's NED; ``judges``: :func:`explain_judges`;
    ``complexity`` (None if the model cannot be parsed) and ``truth_complexity``;
    ``model``/``truth``: the parsed expressions; ``error``.
    """
    from srbench_lite.expr import ModelParseError

    common = {"feature_names": feature_names, "dialect": dialect, "timeout": timeout}
    ned = ned_details(model, truth, **common)  # first: recovery reuses its canonical forms
    rec = symbolic_recovery(model, truth, mode=mode, X=X, **common)
    if rec.solved and ned.status == "cutoff":  # a long model that equals the truth may
        ned = ned_details(model, truth, cutoff=False, **common)  # simplify to its size
    form = form_recovery(model, truth, X=X, **common)
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
        "model_canonical": ned.model_prepared,
        "truth_canonical": ned.truth_prepared,
        "judges": explain_judges(rec, ned),
        "complexity": size,
        "truth_complexity": complexity(truth, feature_names=feature_names),
        "model": rec.model,
        "truth": rec.truth,
        "error": rec.error or ned.error or form.error,
    }
