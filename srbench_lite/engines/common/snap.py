"""Snap fitted constants to simple numbers when the data do not mind.

For each ``"c"`` placeholder in turn, try 0 and nearby simple numbers (integers, halves, small
fractions); keep the first whose linearly scaled loss on the given
data stays within ``rel_tol`` (relative) or ``abs_tol`` (absolute, in NMSE) of the current one,
and turn that placeholder into a literal. Then :func:`~.rules.simplify_tokens` folds what the
snap made trivial (``x + 0``, ``x ** 1``). Cleans round-off residue such as ``2.4e-15 + x**2``
or ``x ** 1.9999999`` out of a final model without hiding real constants.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

import numpy as np

from srbench_lite.engines.common.constants import score_tokens
from srbench_lite.engines.common.evaluate import columns
from srbench_lite.engines.common.rules import simplify_tokens
from srbench_lite.engines.common.tokens import CONST

__all__ = ["prune_terms", "snap_constants"]


def _candidates(v: float) -> list[float]:
    out = [0.0]
    for den in (1, 2, 3, 4, 6, 8, 12):
        f = Fraction(v).limit_denominator(den)
        out.append(float(f))
    seen: list[float] = []
    for c in sorted(out, key=lambda c: abs(c - v)):
        if c not in seen:
            seen.append(c)
    return seen


def _literal(v: float) -> str:
    return str(int(v)) if v == int(v) else repr(v)


def snap_constants(
    tokens: Sequence[str],
    consts,
    X,
    y: np.ndarray,
    *,
    rel_tol: float = 1e-4,
    abs_tol: float = 1e-14,
) -> tuple[tuple[str, ...], np.ndarray]:
    """``(tokens, consts)`` with constants snapped to literals where the loss allows it."""
    y = np.asarray(y, dtype=np.float64)
    cols = X if isinstance(X, list) else columns(X)
    var = float(np.var(y)) or 1.0
    toks = list(tokens)
    c = [float(v) for v in consts]
    base = score_tokens(tuple(toks), c, cols, y).loss / var
    if not math.isfinite(base):
        return tuple(tokens), np.asarray(consts, dtype=np.float64)
    k = 0
    i = 0
    while i < len(toks):
        if toks[i] != CONST:
            i += 1
            continue
        v = c[k]
        snapped = False
        for cand in _candidates(v):
            if cand == v and cand != 0.0:
                continue
            if cand != 0.0 and (abs(cand) > 100 or abs(cand - v) > 1e-6 * abs(v)):
                continue  # only small numbers very near the value (0 is always worth a try)
            trial_c = c[:k] + c[k + 1 :]
            trial_t = toks[:i] + [_literal(cand)] + toks[i + 1 :]
            loss = score_tokens(tuple(trial_t), trial_c, cols, y).loss / var
            if math.isfinite(loss) and loss <= max(base * (1 + rel_tol), base + abs_tol):
                toks, c, base = trial_t, trial_c, loss
                snapped = True
                break
        if not snapped:
            k += 1
        i += 1
    out_t, out_c = simplify_tokens(tuple(toks), c)
    return out_t, out_c


def prune_terms(
    tokens: Sequence[str],
    consts,
    X,
    y: np.ndarray,
    *,
    rel_tol: float = 1e-4,
    abs_tol: float = 1e-14,
    max_rounds: int = 20,
) -> tuple[tuple[str, ...], np.ndarray]:
    """Drop what the data cannot see: replace an ``add``/``sub``/``abs`` node by one of its
    children (then refit the constants a little) while the scaled NMSE stays within the
    tolerances. Removes negligible terms such as ``1e-9*x`` next to ``2e9*x*y``, and
    ``abs(x)`` where ``x`` never changes sign."""
    from srbench_lite.engines.common.constants import polish_constants
    from srbench_lite.engines.common.tokens import subtree_end

    y = np.asarray(y, dtype=np.float64)
    cols = X if isinstance(X, list) else columns(X)
    var = float(np.var(y)) or 1.0
    toks = tuple(tokens)
    c = np.asarray(consts, dtype=np.float64)
    base = score_tokens(toks, c, cols, y).loss / var
    if not math.isfinite(base):
        return toks, c
    for _ in range(max_rounds):
        changed = False
        for i, tok in enumerate(toks):
            if tok not in ("add", "sub", "abs"):
                continue
            end = subtree_end(toks, i)
            kids = []
            j = i + 1
            while j < end:
                k = subtree_end(toks, j)
                kids.append((j, k))
                j = k
            options = kids if tok != "sub" else kids[:1] + [("neg", kids[1])]
            for opt in options:
                if opt[0] == "neg":
                    s_, e_ = opt[1]
                    new_sub: tuple[str, ...] = ("neg", *toks[s_:e_])
                else:
                    s_, e_ = opt
                    new_sub = tuple(toks[s_:e_])
                before_c = sum(1 for t in toks[:i] if t == CONST)
                sub_c0 = sum(1 for t in toks[i:s_] if t == CONST)
                n_keep = sum(1 for t in toks[s_:e_] if t == CONST)
                after_c = sum(1 for t in toks[:end] if t == CONST)
                trial_t = toks[:i] + new_sub + toks[end:]
                trial_c = np.concatenate(
                    [c[:before_c], c[before_c + sub_c0 : before_c + sub_c0 + n_keep], c[after_c:]]
                )
                fit = polish_constants(trial_t, trial_c, cols, y, iters=5)
                loss = fit.loss / var
                if math.isfinite(loss) and loss <= max(base * (1 + rel_tol), base + abs_tol):
                    toks, c, base = trial_t, fit.consts, loss
                    changed = True
                    break
            if changed:
                break
        if not changed:
            break
    out_t, out_c = simplify_tokens(toks, c)
    return out_t, out_c
