"""Token-level tidying for the finishing stage: undo numerical tricks and drop what the data
cannot see.

* :func:`linearise`: with linear scaling a search can mimic ``u`` by ``sin(1e-8 * u)`` (or
  ``u**2`` by ``cos(1e-8 * u)``, or ``log u`` by ``u**0.01``); each function whose argument
  stays tiny on the data is rewritten by its first-order form (``sin u -> u``, ``tan u -> u``,
  ``exp u -> 1 + u``, ``log u -> u - 1`` for ``u`` near 1, ``cos u -> 1 - u**2/2``, and
  ``u**e -> 1 + e*log u`` for a constant ``|e|`` below ``TINY``); and the other way, ``sinh``
  and ``cosh`` of an argument that stays huge (``|u| > HUGE``) by ``±e^|u| / 2``, their
  value to rounding.
* :func:`prune_negligible`: a term of a sum that is negligible next to the other is dropped, and
  a factor that is constant to rounding becomes one fitted constant.
* :func:`prune_terms`: an ``add``/``sub``/``abs`` node is replaced by one of its children, the
  constants refitted, while the loss stays within tolerance (``x + 1e-9*y`` -> ``x``).

Each returns a variant to be rescored beside the original (``None`` when nothing changes).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from srbench_lite.engines.common.batch import Data, fit_many, score_many
from srbench_lite.engines.common.evaluate import evaluate
from srbench_lite.engines.common.tokens import CONST, subtree_end

__all__ = ["linearise", "prune_negligible", "prune_terms"]

NEGLIGIBLE = 1e-7  # relative size below which a term or a factor's variation is rounding

#: |argument| below this on every row counts as tiny. The linearised form is offered *beside*
#: the original and both are rescored, so a loose bound costs nothing in accuracy.
TINY = 0.05

_FIRST_ORDER = {
    "sin": lambda u: u,
    "tan": lambda u: u,
    "exp": lambda u: ("add", "1", *u),
    "cos": lambda u: ("sub", "1", "mul", "0.5", "square", *u),
}

Variant = tuple[tuple[str, ...], np.ndarray]


#: |argument| above this on every row counts as huge: ``e^-2u`` is below float rounding, so
#: ``sinh u`` and ``cosh u`` are ``±e^|u| / 2`` there (a search that lacks an exp of a sum
#: makes one this way)
HUGE = 18.0


def _rewrite(tok: str, arg: tuple[str, ...], values: np.ndarray) -> tuple[str, ...] | None:
    if tok in _FIRST_ORDER and np.max(np.abs(values)) < TINY:
        return _FIRST_ORDER[tok](arg)
    if tok == "log" and np.max(np.abs(values - 1.0)) < TINY:
        return ("sub", *arg, "1")
    if tok in ("sinh", "cosh") and np.min(np.abs(values)) > HUGE:
        if np.all(values > 0):
            return ("mul", "0.5", "exp", *arg)
        if np.all(values < 0):
            half = ("mul", "0.5", "exp", "neg", *arg)
            return ("neg", *half) if tok == "sinh" else half
    return None


def _tiny_power(toks, c, i: int) -> tuple[tuple[str, ...], np.ndarray] | None:
    """``u ** e`` with a constant exponent ``|e| < TINY`` -> ``1 + e * log(u)`` (its first
    order: a search that lacks a log makes one this way, and scaling absorbs the rest)."""
    base_end = subtree_end(toks, i + 1)
    if toks[base_end] != CONST or subtree_end(toks, base_end) != base_end + 1:
        return None
    k = toks[:base_end].count(CONST)
    if not abs(c[k]) < TINY:
        return None
    new = ("add", "1", "mul", CONST, "log", *toks[i + 1 : base_end])
    e = c[k]
    k0 = toks[:i].count(CONST)
    rest = np.concatenate([c[:k0], [e], c[k0:k], c[k + 1 :]])
    return toks[:i] + new + toks[base_end + 1 :], rest


def _span_consts(toks, s: int, e: int) -> tuple[int, int]:
    k0 = toks[:s].count(CONST)
    return k0, k0 + toks[s:e].count(CONST)


def linearise(
    tokens: Sequence[str], consts: Sequence[float], cols: list[np.ndarray], max_rewrites: int = 8
) -> Variant | None:
    """The rewritten ``(tokens, consts)``, or ``None`` when no function has a tiny argument."""
    toks = tuple(tokens)
    c = np.asarray(consts, dtype=np.float64)
    changed = False
    for _ in range(max_rewrites):
        for i, tok in enumerate(toks):
            if tok == "pow":
                out = _tiny_power(toks, c, i)
                if out is not None:
                    toks, c = out
                    changed = True
                    break
                continue
            if tok not in _FIRST_ORDER and tok not in ("log", "sinh", "cosh"):
                continue
            end = subtree_end(toks, i)
            arg = toks[i + 1 : end]
            k0, k1 = _span_consts(toks, i + 1, end)
            values = evaluate(arg, cols, c[k0:k1])
            if values is None:
                continue
            new = _rewrite(tok, arg, values)
            if new is not None:
                toks = toks[:i] + new + toks[end:]
                changed = True
                break
        else:
            break
    return (toks, c) if changed else None


def _values(toks, c, cols, s: int, e: int):
    k0, k1 = _span_consts(toks, s, e)
    return evaluate(toks[s:e], cols, c[k0:k1]), k0, k1


def prune_negligible(
    tokens: Sequence[str], consts: Sequence[float], cols: list[np.ndarray], max_rewrites: int = 8
) -> Variant | None:
    """Drop negligible terms and freeze near-constant factors; ``None`` when nothing changes.

    ``a + b`` (or ``a - b``) with ``|b| <= NEGLIGIBLE * |a|`` on every row becomes ``a`` (and
    symmetrically); a factor of ``mul``/``div`` whose spread is below ``NEGLIGIBLE`` times its
    size becomes one placeholder holding its mean.
    """
    toks = tuple(tokens)
    c = np.asarray(consts, dtype=np.float64)
    changed = False
    for _ in range(max_rewrites):
        new = None
        for i, tok in enumerate(toks):
            if tok not in ("add", "sub", "mul", "div"):
                continue
            mid = subtree_end(toks, i + 1)
            end = subtree_end(toks, mid)
            a, ka0, ka1 = _values(toks, c, cols, i + 1, mid)
            b, kb0, kb1 = _values(toks, c, cols, mid, end)
            if a is None or b is None:
                continue
            if tok in ("add", "sub"):
                if np.all(np.abs(b) <= NEGLIGIBLE * np.abs(a)):
                    new = (toks[:i] + toks[i + 1 : mid] + toks[end:], np.delete(c, range(kb0, kb1)))
                elif np.all(np.abs(a) <= NEGLIGIBLE * np.abs(b)):
                    head = ("neg",) if tok == "sub" else ()
                    new = (
                        toks[:i] + head + toks[mid:end] + toks[end:],
                        np.delete(c, range(ka0, ka1)),
                    )
            else:
                for s, e, v, k0, k1 in ((i + 1, mid, a, ka0, ka1), (mid, end, b, kb0, kb1)):
                    if e - s > 1 and np.ptp(v) <= NEGLIGIBLE * np.max(np.abs(v)):
                        rest = np.concatenate([c[:k0], [float(np.mean(v))], c[k1:]])
                        new = (toks[:s] + (CONST,) + toks[e:], rest)
                        break
            if new is not None:
                break
        if new is None:
            break
        toks, c = new
        changed = True
    return (toks, c) if changed else None


def _children(toks, i: int) -> list[tuple[int, int]]:
    end = subtree_end(toks, i)
    kids = []
    j = i + 1
    while j < end:
        k = subtree_end(toks, j)
        kids.append((j, k))
        j = k
    return kids


def prune_terms(
    tokens: Sequence[str],
    consts,
    data: Data,
    *,
    scale: bool = False,
    rel_tol: float = 1e-4,
    abs_tol: float = 1e-14,
    max_rounds: int = 20,
) -> Variant | None:
    """Drop what the data cannot see: replace an ``add``/``sub``/``abs`` node by one of its
    children (refitting the constants) while the NMSE stays within ``rel_tol`` (relative) or
    ``abs_tol`` (absolute) of the current one. ``None`` when nothing can go."""
    toks = tuple(tokens)
    c = np.asarray(consts, dtype=np.float64)
    base = float(score_many([toks], [c], data, scale=scale).loss[0])
    if not math.isfinite(base):
        return None
    changed = False
    for _ in range(max_rounds):
        trials = []
        for i, tok in enumerate(toks):
            if tok not in ("add", "sub", "abs"):
                continue
            kids = _children(toks, i)
            end = kids[-1][1]
            for n_opt, (s, e) in enumerate(kids):
                head = ("neg",) if tok == "sub" and n_opt == 1 else ()
                k0 = toks[:i].count(CONST)
                ks, ke = _span_consts(toks, s, e)
                k_end = toks[:end].count(CONST)
                trial_c = np.concatenate([c[:k0], c[ks:ke], c[k_end:]])
                trials.append((toks[:i] + head + toks[s:e] + toks[end:], trial_c))
        if not trials:
            break
        fit = fit_many([t for t, _ in trials], [q for _, q in trials], data, iters=10, scale=scale)
        ok = [
            j
            for j in range(len(trials))
            if math.isfinite(fit.loss[j])
            and fit.loss[j] <= max(base * (1 + rel_tol), base + abs_tol)
        ]
        if not ok:
            break
        j = min(ok, key=lambda j: (len(trials[j][0]), fit.loss[j]))
        toks, c, base = trials[j][0], fit.consts[j], float(fit.loss[j])
        changed = True
    return (toks, c) if changed else None
