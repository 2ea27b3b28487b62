"""Undo numerical tricks before the final model is chosen.

With linear scaling a search can mimic ``u`` by ``sin(1e-8 * u)`` (or ``u**2`` by
``cos(1e-8 * u)``), or carry a term that is negligible on the data (``x + 1e-12 * y``):
numerically exact, symbolically wrong. :func:`linearise` rewrites each function whose
argument stays tiny on the data by its first-order form (``sin u -> u``, ``tan u -> u``,
``exp u -> 1 + u``, ``log u -> u - 1`` for ``u`` near 1, ``cos u -> 1 - u**2/2``);
:func:`prune_negligible` drops a term of a sum that is negligible next to the other, and turns
a factor that is constant to rounding into a fitted constant. Both return a variant to be
rescored beside the original, never a replacement.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from srbench_lite.engines.common.evaluate import evaluate
from srbench_lite.engines.common.tokens import CONST, subtree_end

__all__ = ["linearise", "prune_negligible"]

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


def _rewrite(tok: str, arg: tuple[str, ...], values: np.ndarray) -> tuple[str, ...] | None:
    if tok in _FIRST_ORDER and np.max(np.abs(values)) < TINY:
        return _FIRST_ORDER[tok](arg)
    if tok == "log" and np.max(np.abs(values - 1.0)) < TINY:
        return ("sub", *arg, "1")
    return None


def linearise(
    tokens: Sequence[str], consts: Sequence[float], cols: list[np.ndarray], max_rewrites: int = 8
) -> tuple[tuple[str, ...], np.ndarray] | None:
    """The rewritten ``(tokens, consts)``, or ``None`` when no function has a tiny argument."""
    toks = tuple(tokens)
    c = np.asarray(consts, dtype=np.float64)
    changed = False
    for _ in range(max_rewrites):
        for i, tok in enumerate(toks):
            if tok not in _FIRST_ORDER and tok != "log":
                continue
            end = subtree_end(toks, i)
            arg = toks[i + 1 : end]
            k0 = sum(1 for t in toks[: i + 1] if t == CONST)
            k1 = k0 + sum(1 for t in arg if t == CONST)
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
    k0 = sum(1 for t in toks[:s] if t == CONST)
    k1 = k0 + sum(1 for t in toks[s:e] if t == CONST)
    return evaluate(toks[s:e], cols, c[k0:k1]), k0, k1


def prune_negligible(
    tokens: Sequence[str], consts: Sequence[float], cols: list[np.ndarray], max_rewrites: int = 8
) -> tuple[tuple[str, ...], np.ndarray] | None:
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
