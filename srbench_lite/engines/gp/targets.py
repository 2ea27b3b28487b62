"""What a group of islands fits, and how it is scored.

:class:`Scorer` scores batches of programs on the search rows (NMSE under linear scaling,
through :mod:`srbench_lite.engines.common.batch`), caching constant-free programs, and fits
constants on a smaller set of rows. :class:`Target` is ``T(y / M(x))`` for a power law ``M``
(or none) and a transform ``T``; a model of a target maps back to a model of ``y``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from srbench_lite.engines.common.batch import Batch, Data, fit_many
from srbench_lite.engines.common.front import ParetoFront
from srbench_lite.engines.common.tokens import CONST

__all__ = ["INVERSE", "SCALED", "Scorer", "Target", "planck_inverse", "transformed"]

#: transform T of the target -> the tokens around the fitted affine ``A = a*f+b`` that map it
#: back to y / M: ``(*before, *A, *after)``
INVERSE: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "id": ((), ()),
    "inv": (("inv",), ()),
    "square": (("sqrt",), ()),
    "inv_square": (("inv", "sqrt"), ()),
    "log": (("exp",), ()),
    "exp": (("log",), ()),
    "exp_neg": (("neg", "log"), ()),
    "sin": (("asin",), ()),
    "cos": (("acos",), ()),
    "atanh": (("tanh",), ()),
    "log1p": (("sub", "exp"), ("1",)),  # w = e^A - 1 (diode-like laws)
    "bose": (("inv", "sub", "exp"), ("1",)),  # w = 1 / (e^A - 1) (Bose-Einstein, Planck)
    # w = A / (e^A - 1) (Planck's law over its low-A limit M), w = 2 / (e^A + e^-A) (1/cosh):
    # A occurs twice, see Target.to_full; w is known up to a scale (see SCALED)
    "planck": ((), ()),
    "sech": ((), ()),
}
#: transforms whose w is only known up to a scale k (``w / k`` is transformed; screening fits k)
SCALED = ("planck", "sech")


class Scorer:
    """Scaled NMSE of programs on fixed rows; LM constants on the first ``lm_rows`` of them."""

    def __init__(self, data: Data, lm_rows: int = 128) -> None:
        self.data = data
        self.y = data.y
        self.lm_data = data.take(slice(0, min(data.n, lm_rows)))
        self.cache: dict[tuple[str, ...], tuple[float, float, float]] = {}
        self.evaluations = 0

    def score(self, batch: Batch) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(loss, a, b)`` arrays; constant-free programs are looked up in the cache."""
        n = len(batch)
        loss, a, b = np.empty(n), np.empty(n), np.empty(n)
        todo = []
        cache = self.cache
        for i, (t, k) in enumerate(zip(batch.programs, batch.n_consts(), strict=True)):
            hit = None if k else cache.get(t)
            if hit is None:
                todo.append(i)
            else:
                loss[i], a[i], b[i] = hit
        if todo:
            sub = batch if len(todo) == n else batch.take(todo)
            sl, sa, sb = sub.score(self.data)
            self.evaluations += len(todo)
            loss[todo], a[todo], b[todo] = sl, sa, sb
            if len(cache) < 500_000:
                for j, (t, k) in enumerate(zip(sub.programs, sub.n_consts(), strict=True)):
                    if not k:
                        cache[t] = (sl[j], sa[j], sb[j])
        return loss, a, b

    def fit(
        self, batch: Batch, which: Sequence[int], iters: int = 8
    ) -> tuple[Batch, np.ndarray, np.ndarray, np.ndarray]:
        """LM on the LM rows for the programs ``which`` of ``batch`` (left unchanged): those
        programs as a batch with the fitted constants, and their ``(loss, a, b)`` on all
        search rows."""
        sub = batch.take(which)
        sub.fit(self.lm_data, iters=iters)
        self.evaluations += len(sub)
        loss, a, b = self.score(sub)
        return sub, loss, a, b

    def fit_full(
        self, programs: Sequence[tuple[str, ...]], consts: Sequence[np.ndarray], iters: int = 30
    ):
        """LM on all search rows: ``(consts, loss, a, b)``."""
        s = fit_many(programs, consts, self.data, iters=iters)
        self.evaluations += len(programs)
        return s.consts, s.loss, s.a, s.b


def planck_inverse(w: np.ndarray) -> np.ndarray:
    """The ``x > 0`` with ``x / (e^x - 1) = w``, for each ``0 < w < 1`` (Newton on the log)."""
    w = np.asarray(w, dtype=np.float64)
    lw = np.log(w)
    x = np.maximum(2.0 * (1.0 - w), -lw + np.log1p(-lw))  # small-x and large-x asymptotes
    for _ in range(60):
        h = np.log(x) - np.log(np.expm1(x)) - lw
        dh = 1.0 / x - 1.0 / -np.expm1(-x)
        step = h / dh
        x = np.maximum(x - step, 0.5 * x)
        if np.max(np.abs(step) / x) < 1e-14:
            break
    return x


def transformed(w: np.ndarray, transform: str) -> np.ndarray | None:
    """``T(w)`` for a transform name of :data:`INVERSE`, or None where it is undefined/flat."""
    same_sign = bool(np.all(w > 0) or np.all(w < 0))
    with np.errstate(all="ignore"):
        if transform == "id":
            z = w
        elif transform == "inv":
            z = 1.0 / w if np.all(w != 0) else None
        elif transform == "square":
            z = w * w if same_sign else None
        elif transform == "inv_square":
            z = 1.0 / (w * w) if same_sign else None
        elif transform == "log":
            z = np.log(np.abs(w)) if same_sign else None
        elif transform == "exp":  # y = log(...) laws: exp(y) is often a power law
            z = np.exp(w) if np.max(np.abs(w)) < 300 else None
        elif transform == "exp_neg":
            z = np.exp(-w) if np.max(np.abs(w)) < 300 else None
        elif transform == "sin":  # y = asin(...) laws
            z = np.sin(w) if np.max(np.abs(w)) <= np.pi / 2 else None
        elif transform == "cos":  # y = acos(...) laws
            z = np.cos(w) if np.min(w) >= 0 and np.max(w) <= np.pi else None
        elif transform == "atanh":  # y = tanh(...) laws
            z = np.arctanh(w) if np.max(np.abs(w)) < 1 else None
        elif transform == "log1p":
            z = np.log1p(w) if np.min(w) > -1 else None
        elif transform == "planck":
            z = planck_inverse(w) if np.all((w > 0) & (w < 1)) else None
        elif transform == "sech":
            z = np.arccosh(1.0 / w) if np.all((w > 0) & (w <= 1)) else None
        else:  # bose
            z = np.log1p(1.0 / w) if np.all(w > 0) else None
    if z is None or not np.isfinite(z).all() or not np.var(z) > 0:
        return None
    return z


class Target:
    """What a group of islands fits: ``T(y / M(x))`` for a power law ``M`` (or none) and a
    transform ``T`` (identity, 1/w, w², 1/w², log|w|, e^w, e^-w, sin w, cos w, atanh w,
    log(1+w), log(1+1/w), the inverses of A/(e^A - 1) and 1/cosh A).

    A model ``a*f + b`` of the target is offered to the main front as ``M * T^-1(c0 + c1*f)``
    with ``c0 = b, c1 = a`` as fitted placeholders.
    """

    def __init__(
        self,
        factor: tuple[str, ...] | None,
        transform: str,
        data: Data,
        max_complexity: int,
        lm_rows: int = 128,
    ) -> None:
        self.factor = factor
        self.transform = transform
        self.scorer = Scorer(data, lm_rows)
        self.front = ParetoFront(max_complexity)
        self.quick = math.inf  # best loss of the screening library
        self.seeds: list[tuple[tuple[str, ...], list[float]]] = []

    @property
    def is_main(self) -> bool:
        return self.factor is None and self.transform == "id"

    def to_full(self, tokens, consts, a: float, b: float) -> tuple[tuple[str, ...], np.ndarray]:
        """Tokens and constants of the model of ``y`` that this target's model implies."""
        if self.is_main:
            return tuple(tokens), np.asarray(consts, dtype=np.float64)
        affine = ("add", CONST, "mul", CONST, *tokens)
        cs = [b, a, *consts]
        if self.transform in SCALED:  # A = a*f written twice (no offset: the law's A is a
            scaled = ("mul", CONST, *tokens)  # power law, and two would overrun the size cap)
            if self.transform == "planck":  # A / (e^A - 1)
                toks = ("div", *scaled, "sub", "exp", *scaled, "1")
            else:  # 1 / (e^A + e^-A)
                toks = ("inv", "add", "exp", *scaled, "exp", "neg", *scaled)
            cs = [a, *consts, a, *consts]
        else:
            before, after = INVERSE[self.transform]
            toks = (*before, *affine, *after)
        if self.factor is not None:
            toks = ("mul", *self.factor, *toks)
        return toks, np.asarray(cs, dtype=np.float64)
