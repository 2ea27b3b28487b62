"""Sampling points and evaluating (already whitelisted) sympy expressions on them."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import sympy as sp

#: default sampling domain: SRBench's Feynman generator draws most variables from U(1, 5)
DEFAULT_LOW, DEFAULT_HIGH = 1.0, 5.0
DEFAULT_POINTS = 256
MAX_POINTS = 512


def default_points(n_vars: int, n: int = DEFAULT_POINTS, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.uniform(DEFAULT_LOW, DEFAULT_HIGH, size=(n, n_vars))


def as_points(X, n_vars: int) -> np.ndarray:
    """Validate user points (n, n_vars) and thin them to at most MAX_POINTS rows."""
    arr = np.asarray(X, dtype=float)
    if arr.ndim == 1 and n_vars == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[1] != n_vars:
        raise ValueError(f"X must have shape (n_samples, {n_vars}), got {arr.shape}")
    if arr.shape[0] > MAX_POINTS:
        idx = np.linspace(0, arr.shape[0] - 1, MAX_POINTS).round().astype(int)
        arr = arr[idx]
    return arr


def evaluate(expr: sp.Expr, names: Sequence[str], X: np.ndarray) -> np.ndarray:
    """Values of ``expr`` at the rows of ``X`` (columns = ``names``); NaN where not real/finite.

    Symbols are renamed to safe positional names before ``lambdify``; the expression itself
    contains only whitelisted sympy nodes (see :mod:`srbench_lite.expr`).
    """
    n = X.shape[0]
    safe = [sp.Symbol(f"_v{i}") for i in range(len(names))]
    column = {name: safe[i] for i, name in enumerate(names)}
    mapping = {}
    for s in expr.free_symbols:  # by name: symbols may carry assumptions (real, positive)
        if s.name not in column:
            return np.full(n, np.nan)
        mapping[s] = column[s.name]
    body = expr.xreplace(mapping)
    try:
        fn = sp.lambdify(safe, body, modules="numpy")
        with np.errstate(all="ignore"):
            raw = fn(*(X[:, j] for j in range(X.shape[1])))
            values = np.broadcast_to(np.asarray(raw, dtype=complex), (n,))
    except (TypeError, ValueError, OverflowError, ZeroDivisionError, NameError, AttributeError):
        return np.full(n, np.nan)
    real = values.real.astype(float)
    bad = ~np.isfinite(values) | (np.abs(values.imag) > 1e-9 * np.maximum(1.0, np.abs(real)))
    real[bad] = np.nan
    return real


#: decimal digits of the high-precision re-evaluation
PRECISE_DPS = 50


def evaluate_pair_precise(
    t: sp.Expr, m: sp.Expr, names: Sequence[str], X: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``t``, ``m`` and ``t - m`` at the rows of ``X``, computed with mpmath at
    :data:`PRECISE_DPS` digits and only then rounded to float (NaN where not real/finite).

    Float64 cannot see ``truth + 0.5`` when the truth is 1e-34, nor ``1 - cos(1e-9)``; this
    is the re-check before any numeric "these differ" is believed.
    """
    import mpmath

    n = X.shape[0]
    safe = [sp.Symbol(f"_v{i}") for i in range(len(names))]
    column = {name: safe[i] for i, name in enumerate(names)}
    fns = []
    for expr in (t, m):
        if any(s.name not in column for s in expr.free_symbols):
            nan = np.full(n, np.nan)
            return nan, nan.copy(), nan.copy()
        body = expr.xreplace({s: column[s.name] for s in expr.free_symbols})
        fns.append(sp.lambdify(safe, body, modules="mpmath"))
    out = np.full((3, n), np.nan)

    def real(z) -> float:
        z = mpmath.mpmathify(z)
        if isinstance(z, mpmath.mpc):
            if abs(z.imag) > mpmath.mpf(10) ** (-30) * max(1, abs(z.real)):
                return np.nan
            z = z.real
        value = float(z)
        if value == 0.0 and z != 0:  # underflow: not representable, not zero
            return np.nan
        return value if np.isfinite(value) else np.nan

    with mpmath.workdps(PRECISE_DPS):
        for i in range(n):
            args = [mpmath.mpf(float(v)) for v in X[i]]
            try:
                tv, mv = fns[0](*args), fns[1](*args)
                out[0, i], out[1, i], out[2, i] = real(tv), real(mv), real(tv - mv)
            except (ZeroDivisionError, ValueError, TypeError, OverflowError, ArithmeticError):
                continue
    return out[0], out[1], out[2]
