"""Accuracy metrics: R² (as scikit-learn's ``r2_score``) and RMSE.

Non-finite predictions (a model that overflows or divides by zero on the test data) score
``r2 = -inf`` and ``rmse = inf`` instead of raising, so that a bad model is a bad record, not a
crash. A constant target follows scikit-learn (``force_finite``): 1.0 for a perfect
prediction, else 0.0. SRBench's *accuracy solution* is ``r2_test > 0.999``
(:data:`ACCURACY_THRESHOLD`).
"""

from __future__ import annotations

import numpy as np

from srbench_lite.errors import InvalidValueError

__all__ = ["ACCURACY_THRESHOLD", "accuracy_solution", "r2", "rmse"]

ACCURACY_THRESHOLD = 0.999


def _arrays(y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    yt = np.asarray(y_true, dtype=float).ravel()
    yp = np.asarray(y_pred, dtype=float)
    if yp.ndim == 0:
        yp = np.full_like(yt, float(yp))
    yp = yp.ravel()
    if yt.shape != yp.shape:
        raise InvalidValueError(f"y_true has {yt.size} values but y_pred has {yp.size}")
    if yt.size == 0:
        raise InvalidValueError("empty target")
    if not np.all(np.isfinite(yt)):
        raise InvalidValueError("y_true contains NaN or infinite values")
    return yt, yp


def r2(y_true, y_pred) -> float:
    """Coefficient of determination, 1 - SS_res / SS_tot."""
    yt, yp = _arrays(y_true, y_pred)
    if not np.all(np.isfinite(yp)):
        return float("-inf")
    with np.errstate(over="ignore", invalid="ignore"):
        ss_res = float(np.sum((yt - yp) ** 2))
        ss_tot = float(np.sum((yt - yt.mean()) ** 2))
    if not np.isfinite(ss_res):
        return float("-inf")
    if ss_tot == 0.0:
        return 1.0 if ss_res == 0.0 else 0.0
    return 1.0 - ss_res / ss_tot


def rmse(y_true, y_pred) -> float:
    """Root mean squared error."""
    yt, yp = _arrays(y_true, y_pred)
    if not np.all(np.isfinite(yp)):
        return float("inf")
    with np.errstate(over="ignore"):
        return float(np.sqrt(np.mean((yt - yp) ** 2)))


def accuracy_solution(r2_test: float, threshold: float = ACCURACY_THRESHOLD) -> bool:
    """SRBench's accuracy solution: R² on the test split above ``threshold`` (0.999)."""
    return bool(np.isfinite(r2_test) and r2_test > threshold)
