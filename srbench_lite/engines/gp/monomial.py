"""A fast first pass over power laws ``y = k * prod_i x_i ** e_i``.

Many laws are a constant times a product of powers of the variables. When the used columns keep one sign, ``log|y|`` is linear in ``log|x_i|``:
least squares gives real exponents, which are rounded to multiples of 1/2 and then improved by
a greedy neighbourhood search (each exponent +-1/2, or dropped), scoring every candidate by the
linearly scaled NMSE on the data. Returns token sequences for the search to start from.
"""

from __future__ import annotations

import itertools

import numpy as np

from srbench_lite.engines.common.batch import Data, score_many

__all__ = [
    "MAX_ABS_EXP",
    "clean_factor",
    "sign_factor",
    "monomial_candidates",
    "monomial_tokens",
    "power_law_exponents",
]

#: the largest |exponent| considered by default (a prior set may allow more: :mod:`.priors`)
MAX_ABS_EXP = 4.0


def _power(var: str, e: float) -> tuple[str, ...]:
    if e == 1:
        return (var,)
    if e == 2:
        return ("square", var)
    if e == 3:
        return ("cube", var)
    if e == 0.5:
        return ("sqrt", var)
    if e == 4:
        return ("square", "square", var)
    text = str(int(e)) if e == int(e) else repr(float(e))
    return ("pow", var, text)


def _product(factors: list[tuple[str, ...]]) -> tuple[str, ...]:
    out = factors[0]
    for f in factors[1:]:
        out = ("mul", *out, *f)
    return out


def monomial_tokens(exponents: np.ndarray) -> tuple[str, ...]:
    """Tokens for ``prod x_i ** e_i`` (numerator over denominator); ``("1",)`` if all zero."""
    num = [_power(f"x{i}", float(e)) for i, e in enumerate(exponents) if e > 0]
    den = [_power(f"x{i}", float(-e)) for i, e in enumerate(exponents) if e < 0]
    if not num and not den:
        return ("1",)
    if not den:
        return _product(num)
    if not num:
        return ("inv", *_product(den))
    return ("div", *_product(num), *_product(den))


def _usable(cols: list[np.ndarray]) -> list[int]:
    """Columns that keep one sign (log|x| is defined and monotone)."""
    return [i for i, c in enumerate(cols) if np.all(c > 0) or np.all(c < 0)]


def power_law_exponents(
    cols: list[np.ndarray], y: np.ndarray, max_abs_exp: float = MAX_ABS_EXP
) -> np.ndarray | None:
    """Least-squares exponents of ``log|y| ~ sum_i e_i log|x_i|`` (0 for columns that change
    sign or touch 0; clipped to ``±max_abs_exp``), or None when ``y`` touches 0 or nothing is
    usable."""
    y = np.asarray(y, dtype=np.float64)
    if len(y) < 3 or not np.all(y != 0):  # log|y|; a sign change is left to the search
        return None
    usable = _usable(cols)
    if not usable:
        return None
    with np.errstate(all="ignore"):
        Z = np.column_stack([np.log(np.abs(cols[i])) for i in usable] + [np.ones(len(y))])
        L = np.log(np.abs(y))
        coef, *_ = np.linalg.lstsq(Z, L, rcond=None)
    if not np.all(np.isfinite(coef)):
        return None
    real = np.zeros(len(cols))
    real[usable] = np.clip(coef[:-1], -max_abs_exp, max_abs_exp)
    return real


def clean_factor(
    cols: list[np.ndarray], y: np.ndarray, tol: float = 0.08, max_abs_exp: float = MAX_ABS_EXP
) -> tuple[str, ...] | None:
    """The power law of the variables whose fitted exponent is within ``tol`` of a nonzero
    integer (``y = a*b*g(c, d)``: ``a*b`` when ``c`` and ``d`` enter only through a sum or a
    function); None when there is none, or every variable qualifies."""
    real = power_law_exponents(cols, y, max_abs_exp)
    if real is None:
        return None
    r = np.round(real)
    clean = (r != 0) & (np.abs(real - r) <= tol)
    if not clean.any() or clean.sum() == np.count_nonzero(real):
        return None
    return monomial_tokens(np.where(clean, r, 0.0))


def _sign_variable(cols: list[np.ndarray], y: np.ndarray, max_changes: int = 3) -> int | None:
    """The one column whose order explains the sign of ``y`` (``sign(y)`` changes at most
    ``max_changes`` times along it, and along no other column), or None."""
    s = np.sign(y)
    found = []
    for i, c in enumerate(cols):
        seq = s[np.argsort(c, kind="stable")]
        seq = seq[seq != 0]
        if 0 < np.count_nonzero(seq[1:] != seq[:-1]) <= max_changes:
            found.append(i)
    return found[0] if len(found) == 1 else None


def sign_factor(
    cols: list[np.ndarray], y: np.ndarray, max_abs_exp: float = MAX_ABS_EXP
) -> tuple[str, ...] | None:
    """For ``y`` that changes sign through one variable ``x_j`` only (``y = g(x_j) * P`` with
    ``g`` changing sign and ``P`` a power law of the others):
    the power law of the other variables, exponents by a least-absolute-deviation fit of
    ``log|y|`` (robust to the ``log|g(x_j)|`` spikes near the zeros of ``g``) rounded to
    halves; None when ``y`` keeps one sign, no single variable explains its sign, or the fit
    leaves nothing."""
    y = np.asarray(y, dtype=np.float64)
    if np.all(y > 0) or np.all(y < 0) or len(y) < 8:
        return None
    j = _sign_variable(cols, y)
    if j is None:
        return None
    use = _usable(cols)  # x_j's own column too: log|x_j| soaks up part of log|g(x_j)|
    keep = y != 0
    if not [i for i in use if i != j] or keep.sum() < 8:
        return None
    with np.errstate(all="ignore"):
        Z = np.column_stack([np.log(np.abs(cols[i][keep])) for i in use] + [np.ones(keep.sum())])
        L = np.log(np.abs(y[keep]))
        coef, *_ = np.linalg.lstsq(Z, L, rcond=None)
        for _ in range(30):  # iteratively reweighted least squares for the L1 fit
            w = np.sqrt(1.0 / np.maximum(np.abs(L - Z @ coef), 1e-6))
            coef, *_ = np.linalg.lstsq(Z * w[:, None], L * w, rcond=None)
    if not np.all(np.isfinite(coef)):
        return None
    exps = np.zeros(len(cols))
    exps[use] = np.clip(np.round(coef[:-1] * 2) / 2, -max_abs_exp, max_abs_exp)
    exps[j] = 0.0
    return monomial_tokens(exps) if np.any(exps != 0) else None


def monomial_candidates(
    cols: list[np.ndarray],
    y: np.ndarray,
    *,
    max_candidates: int = 12,
    max_abs_exp: float = MAX_ABS_EXP,
) -> list[tuple[float, tuple[str, ...]]]:
    """``[(nmse, tokens)]`` of the best power laws found (``|exponent| <= max_abs_exp``), best
    first (may be empty)."""
    y = np.asarray(y, dtype=np.float64)
    real = power_law_exponents(cols, y, max_abs_exp)
    if real is None:
        return []
    usable = _usable(cols)

    data = Data(np.ascontiguousarray(np.vstack(cols)), y)
    seen: dict[tuple, float] = {}

    def score_all(cands: list[np.ndarray]) -> None:
        """NMSE of the power laws not seen yet, in one batch."""
        new = list({tuple(e): None for e in cands if tuple(e) not in seen})
        if new:
            losses = score_many([monomial_tokens(np.array(e)) for e in new], None, data).loss
            seen.update(zip(new, losses.tolist(), strict=True))

    starts = [np.round(real * 2) / 2, np.round(real)]
    # also the rounding that zeroes small exponents
    starts.append(np.where(np.abs(real) < 0.3, 0.0, np.round(real * 2) / 2))
    for start in starts:
        cur = start.copy()
        score_all([cur])
        best = seen[tuple(cur)]
        improved = True
        while improved:
            improved = False
            moves = []
            for i, delta in itertools.product(usable, (-0.5, 0.5, None)):
                cand = cur.copy()
                cand[i] = 0.0 if delta is None else cand[i] + delta
                if abs(cand[i]) <= max_abs_exp:
                    moves.append(cand)
            score_all(moves)
            for cand in moves:  # first improving move, in the order of a sequential scan
                s = seen[tuple(cand)]
                if s < best * (1 - 1e-9):
                    best, cur, improved = s, cand, True
                    break
    ranked = sorted(seen.items(), key=lambda kv: kv[1])[:max_candidates]
    return [(s, monomial_tokens(np.array(e))) for e, s in ranked if np.isfinite(s)]
