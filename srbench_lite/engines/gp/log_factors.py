"""Factors beyond power laws: products of powers of variables and of functions of them.

When ``y`` is a product ``k * prod x_i**e_i * prod f_k(x)**b_k`` (``f_k`` a unary function of
one variable, ``cos x``, ``sinh x``, ``atan x`` ..., or ``exp`` of a small library term), then
``log|y|`` is a linear combination of ``log|x_i|``, ``log|f_k|`` and the library terms. A
forward selection in log space (every ``log|x_i|`` first, then at most three function terms,
each kept only if it explains most of what is left) finds such factors; their clean parts
(exponents near multiples of 1/2, function powers near integers) become factors ``M`` for the
screening, which then fits what ``y / M`` leaves (``y = x2*x4*sin(x1)*(x3² + c)``: ``M =
x2*x4*sin(x1)``, and ``y / M`` is a library sum).
"""

from __future__ import annotations

import numpy as np

from srbench_lite.engines.common.evaluate import evaluate
from srbench_lite.engines.gp.monomial import _usable, monomial_tokens

__all__ = ["log_factors"]

Tokens = tuple[str, ...]

#: unary functions whose powers may be factors of ``y`` (tokens applied to one variable)
_FUNCTIONS = ("cos", "sin", "sinh", "cosh", "tanh", "atan", "log")
_MAX_TERMS = 3  # function terms selected beyond the power law
_GAIN = 0.5  # a term must explain at least this share of the variance left
_ROWS = 400


def _features(cols: list[np.ndarray], d: int) -> list[tuple[Tokens, np.ndarray, bool]]:
    """``(tokens, log-space values, is_exp)``: ``log|f(x_i)|`` for the unary functions (where
    defined and nonzero), and ``t`` itself for the factors ``exp(t)`` (``t`` = x, x², x·y, x/y,
    x²/y)."""
    out: list[tuple[Tokens, np.ndarray, bool]] = []
    terms: list[Tokens] = []
    for i in range(d):
        xi = f"x{i}"
        terms += [(xi,), ("square", xi)]
        for f in _FUNCTIONS:
            v = evaluate((f, xi), cols)
            if v is None or not np.all(v != 0):
                continue
            with np.errstate(all="ignore"):
                lv = np.log(np.abs(v))
            if np.isfinite(lv).all() and np.var(lv) > 0:
                out.append(((f, xi), lv, False))
        for j in range(d):
            if j != i:
                terms += [("div", xi, f"x{j}"), ("div", "square", xi, f"x{j}")]
                if i < j:
                    terms.append(("mul", xi, f"x{j}"))
    for t in terms:
        v = evaluate(t, cols)
        if v is not None and np.isfinite(v).all() and np.var(v) > 0:
            out.append((t, v, True))
    return out


def _lstsq(A: np.ndarray, L: np.ndarray) -> tuple[np.ndarray, float]:
    coef, *_ = np.linalg.lstsq(A, L, rcond=None)
    r = L - A @ coef
    return coef, float(r @ r)


def _power(t: Tokens, b: int, is_exp: bool) -> Tokens:
    if is_exp:
        if b == 1:
            return ("exp", *t)
        return ("exp", "neg", *t) if b == -1 else ("exp", "mul", str(b), *t)
    if b == 1:
        return t
    if b == -1:
        return ("inv", *t)
    return ("square", *t) if b == 2 else ("pow", *t, str(b))


def log_factors(cols: list[np.ndarray], y: np.ndarray, max_abs_exp: float = 4.0) -> list[Tokens]:
    """Factors ``M`` of ``y`` with at least one function term (see the module docstring):
    the clean product of power law and function terms, and the function terms alone; empty
    when ``y`` touches 0, nothing qualifies, or a power law alone explains ``log|y|``."""
    y = np.asarray(y, dtype=np.float64)[:_ROWS]
    cols = [np.asarray(c)[:_ROWS] for c in cols]
    if len(y) < 12 or not np.all(y != 0) or not np.isfinite(y).all():
        return []
    d = len(cols)
    L = np.log(np.abs(y))
    usable = _usable(cols)
    base = [np.ones(len(y))] + [np.log(np.abs(cols[i])) for i in usable]
    A = np.column_stack(base)
    _, left = _lstsq(A, L)
    total = float(((L - L.mean()) ** 2).sum())
    if not total > 0 or left <= 1e-12 * total:
        return []
    feats = _features(cols, d)
    chosen: list[int] = []
    for _ in range(_MAX_TERMS):
        best, best_k = left, -1
        for k, (_, v, _) in enumerate(feats):
            if k in chosen:
                continue
            _, rss = _lstsq(np.column_stack([A, v]), L)
            if rss < best:
                best, best_k = rss, k
        if best_k < 0 or best > (1 - _GAIN) * left:
            break
        chosen.append(best_k)
        A = np.column_stack([A, feats[best_k][1]])
        left = best
        if left <= 1e-12 * total:
            break
    if not chosen:
        return []
    coef, _ = _lstsq(A, L)
    exps = np.zeros(d)
    for k, i in enumerate(usable):
        e = coef[1 + k]
        half = round(e * 2) / 2
        if abs(e - half) <= 0.1 and abs(half) <= max_abs_exp:
            exps[i] = half
    parts: list[Tokens] = []
    for k, f in enumerate(chosen):
        b = coef[1 + len(usable) + k]
        n = int(round(b))
        if n != 0 and abs(b - n) <= 0.1 and abs(n) <= 4:
            t, _, is_exp = feats[f]
            parts.append(_power(t, n, is_exp))
    if not parts:
        return []
    funcs = parts[0]
    for p in parts[1:]:
        funcs = ("mul", *funcs, *p)
    out = [funcs]
    if np.any(exps != 0):
        out.insert(0, ("mul", *monomial_tokens(exps), *funcs))
    return out
