"""Linear scaling (Keijzer 2003): fit ``y ~ a * pred + b`` in closed form inside the fitness."""

from __future__ import annotations

import numpy as np

__all__ = ["linear_scale", "nmse"]


def linear_scale(pred: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """Least-squares ``(a, b, mse)`` of ``a * pred + b`` against ``y``.

    A constant ``pred`` (zero variance) gets ``a = 0, b = mean(y)``. Matches ``np.polyfit(pred,
    y, 1)``; ``mse`` is the mean squared residual of the scaled prediction.
    """
    pred = np.asarray(pred, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    with np.errstate(all="ignore"):
        return _scale(pred, y)


def _scale(pred: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    n = len(y)
    pm = float(np.add.reduce(pred)) / n
    ym = float(np.add.reduce(y)) / n
    dp = pred - pm
    var = float(dp @ dp)
    if not np.isfinite(var) or var <= 1e-300 or var <= 1e-24 * pm * pm * n:  # constant
        r = y - ym
        return 0.0, float(ym), float(r @ r) / len(y)
    a = float(dp @ (y - ym)) / var
    b = float(ym - a * pm)
    r = y - (a * pred + b)
    mse = float(r @ r) / len(y)
    if not np.isfinite(mse):
        r = y - ym
        return 0.0, float(ym), float(r @ r) / len(y)
    return a, b, mse


def nmse(mse: float, y: np.ndarray) -> float:
    """Mean squared error normalised by ``var(y)`` (1.0 = as good as the mean)."""
    v = float(np.var(y))
    return mse / v if v > 0 else mse
