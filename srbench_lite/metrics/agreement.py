"""Is the printed expression the model that predicted? The expression-agreement check of every
job with an expression (record fields ``expression_mismatch``, ``expression_rel_diff``,
``expression_f32_diff``; ``docs/records.md``).

A method's ``sympy()`` may print a model other than the one its ``predict()`` uses (constants
rounded too far, a stale hall-of-fame member, a bug). The runner judges the printed expression,
so a disagreement with ``predict()`` beyond what float32 rounding explains is flagged.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from srbench_lite.metrics._numeric import evaluate

__all__ = ["FLOAT32_FACTOR", "MISMATCH_TOLERANCE", "check_agreement", "expression_agreement"]

#: relative RMS difference between the expression's and predict()'s test values above which
#: the record is flagged ``expression_mismatch``, unless float32 rounding explains more
MISMATCH_TOLERANCE = 1e-3
#: how many times the expression's own float32 error a disagreement may be and still be rounding
FLOAT32_FACTOR = 10.0


def _rel_rms(a, b, scale: float) -> float:
    both = np.isfinite(a) & np.isfinite(b)
    if not both.any():
        return float("inf")
    return float(np.sqrt(np.mean(np.square(a[both] - b[both]))) / scale)


def expression_agreement(expr_values, pred_values, y, expr_values_f32=None) -> dict[str, Any]:
    """``expression_mismatch`` (bool, or None when predict() gave nothing),
    ``expression_rel_diff`` = RMS(expression - predict) / RMS(y) over the test rows, and
    ``expression_f32_diff``, the same between the expression evaluated in float32 and float64.

    Mismatch when the expression is non-finite on a row where predict() is finite, or when
    ``expression_rel_diff`` exceeds both :data:`MISMATCH_TOLERANCE` and
    :data:`FLOAT32_FACTOR` x ``expression_f32_diff``: more than float32 rounding explains
    (Operon predicts in float32; ``cos(12150.5*x)`` differs there in the third digit). Printed
    constants rounded to 6 decimals stay far below; a printed model that is not the fitted
    one does not.
    """
    expr_values = np.asarray(expr_values, dtype=float)
    if pred_values is None:
        return {"expression_mismatch": None, "expression_rel_diff": None,
                "expression_f32_diff": None}  # fmt: skip
    pred_values = np.asarray(pred_values, dtype=float)
    scale = float(np.sqrt(np.mean(np.square(np.asarray(y, dtype=float))))) or 1.0
    rel = _rel_rms(expr_values, pred_values, scale)
    f32 = 0.0
    if expr_values_f32 is not None:
        f32 = _rel_rms(expr_values, np.asarray(expr_values_f32, dtype=float), scale)
        f32 = f32 if np.isfinite(f32) else 0.0  # float32 overflow explains nothing
    lost = bool((np.isfinite(pred_values) & ~np.isfinite(expr_values)).any())
    allowed = max(MISMATCH_TOLERANCE, FLOAT32_FACTOR * f32)
    return {
        "expression_mismatch": bool(lost or not rel <= allowed),
        "expression_rel_diff": rel,
        "expression_f32_diff": f32,
    }


def check_agreement(
    expr, feature_names: Sequence[str], X, expr_values, pred_values, y
) -> dict[str, Any]:
    """:func:`expression_agreement` of ``expr`` (a sympy expression over ``feature_names``)
    with ``predict()``'s ``pred_values`` on the rows ``X`` (targets ``y``), where
    ``expr_values`` is ``expr`` already evaluated on ``X`` in float64. The float32 evaluation
    (the rounding allowance) is done here; if it fails, there is no allowance."""
    try:
        f32 = evaluate(expr, list(feature_names), np.asarray(X, dtype=np.float32))
    except Exception:  # float32 is only the allowance for rounding; float64 already worked
        f32 = None
    return expression_agreement(expr_values, pred_values, y, f32)
