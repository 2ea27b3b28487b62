"""Levenberg-Marquardt fitting of the ``"c"`` placeholders, with optional linear scaling.

With ``scale=True`` the outer ``a * f(x; c) + b`` is solved in closed form at every LM step
(variable projection), so LM only moves the placeholders inside the expression.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import least_squares

from srbench_lite.engines.common.evaluate import columns, evaluate
from srbench_lite.engines.common.scaling import linear_scale
from srbench_lite.engines.common.tokens import n_constants

__all__ = ["ConstantFit", "fit_constants", "polish_constants", "score_tokens"]


@dataclass(frozen=True)
class ConstantFit:
    """Result of :func:`fit_constants`: the constants, the outer scaling and the MSE.

    The model is ``a * f(x; consts) + b`` (``a = 1, b = 0`` when fitted without scaling).
    ``loss`` is ``inf`` when the expression cannot be evaluated on the data.
    """

    consts: np.ndarray
    a: float
    b: float
    loss: float


def score_tokens(
    tokens: Sequence[str], consts, X, y: np.ndarray, *, scale: bool = True
) -> ConstantFit:
    """MSE of the expression (linearly scaled if ``scale``) without touching the constants."""
    c = np.asarray(consts if consts is not None else (), dtype=np.float64)
    pred = evaluate(tokens, X, c)
    if pred is None:
        return ConstantFit(c, 1.0, 0.0, float("inf"))
    if scale:
        a, b, mse = linear_scale(pred, y)
        return ConstantFit(c, a, b, mse)
    r = pred - y
    return ConstantFit(c, 1.0, 0.0, float(r @ r) / len(y))


def fit_constants(
    tokens: Sequence[str],
    consts,
    X,
    y: np.ndarray,
    *,
    scale: bool = True,
    max_nfev: int = 100,
) -> ConstantFit:
    """Fit the placeholders of ``tokens`` by LM (``scipy.optimize.least_squares``).

    ``consts`` is the starting point (length :func:`n_constants`; ``None`` starts from ones).
    Returns the better of the start and the LM result, so the loss never gets worse. ``X`` is an
    array or a :func:`~.evaluate.columns` list. Expressions without placeholders are only scored.
    """
    y = np.asarray(y, dtype=np.float64)
    cols = X if isinstance(X, list) else columns(X)
    k = n_constants(tokens)
    c0 = np.ones(k) if consts is None else np.asarray(consts, dtype=np.float64).copy()
    if len(c0) != k:
        raise ValueError(f"expression has {k} constants but {len(c0)} were given")
    start = score_tokens(tokens, c0, cols, y, scale=scale)
    if k == 0:
        return start
    n = len(y)
    bad = np.full(n, 1e150)

    def residual(c):
        pred = evaluate(tokens, cols, c)
        if pred is None:
            return bad
        if scale:
            a, b, _ = linear_scale(pred, y)
            r = a * pred + b - y
        else:
            r = pred - y
        return r if np.isfinite(r).all() else bad

    if not np.isfinite(c0).all():
        c0 = np.ones(k)
    method = "lm" if n >= k + (2 if scale else 0) else "trf"
    try:
        res = least_squares(residual, c0, method=method, max_nfev=max_nfev * (k + 1))
    except (ValueError, np.linalg.LinAlgError, FloatingPointError):
        return start
    if not np.isfinite(res.x).all():
        return start
    fitted = score_tokens(tokens, res.x, cols, y, scale=scale)
    return fitted if fitted.loss < start.loss else start


def polish_constants(
    tokens: Sequence[str],
    consts,
    X,
    y: np.ndarray,
    *,
    iters: int = 8,
    scale: bool = True,
) -> ConstantFit:
    """A few cheap Levenberg-Marquardt steps (finite-difference Jacobian, numpy only).

    Same contract as :func:`fit_constants` (never worse than the start) but with far less
    overhead than scipy per call: meant for the many small fits inside a search loop.
    """
    y = np.asarray(y, dtype=np.float64)
    cols = X if isinstance(X, list) else columns(X)
    c = np.asarray(consts, dtype=np.float64).copy()
    k = len(c)
    n = len(y)
    yc = y - float(np.add.reduce(y)) / n

    def resid(cv):
        pred = evaluate(tokens, cols, cv)
        if pred is None:
            return None
        if scale:  # residual of the best a*pred + b, i.e. of the centred projection
            with np.errstate(all="ignore"):
                dp = pred - float(np.add.reduce(pred)) / n
                var = float(dp @ dp)
                if not var > 0 or not np.isfinite(var):
                    return None
                r = dp * (float(dp @ yc) / var) - yc
        else:
            r = pred - y
        return r if np.isfinite(r).all() else None

    r = resid(c)
    if r is None or k == 0:
        return score_tokens(tokens, c, cols, y, scale=scale)
    f = float(r @ r)
    lam = 1e-2
    J = np.empty((len(y), k))
    stall = 0
    for _ in range(iters):
        for j in range(k):
            h = 1e-7 * max(1.0, abs(c[j]))
            cj = c.copy()
            cj[j] += h
            rj = resid(cj)
            J[:, j] = 0.0 if rj is None else (rj - r) / h
        A = J.T @ J
        g = J.T @ r
        f_prev = f
        fn = f
        improved = False
        while lam < 1e10:
            try:
                step = np.linalg.solve(A + lam * (np.diag(np.diag(A)) + 1e-12 * np.eye(k)), -g)
            except np.linalg.LinAlgError:
                lam *= 10
                continue
            cn = c + step
            rn = resid(cn) if np.isfinite(cn).all() else None
            fn = float(rn @ rn) if rn is not None else np.inf
            if fn < f:
                improved = fn < f * (1 - 1e-10)
                c, r, f = cn, rn, fn
                lam = max(lam / 5, 1e-12)
                break
            lam *= 5
        stall = 0 if improved and fn < 0.9 * f_prev else stall + 1
        if not improved or f <= 1e-300 or stall >= 2:
            break
    return score_tokens(tokens, c, cols, y, scale=scale)
