"""What a group of islands fits, and how it is scored.

:class:`Scorer` scores batches of programs on the search rows (NMSE under linear scaling,
through :mod:`srbench_lite.engines.common.batch`), caching constant-free programs, and fits
constants on a smaller set of rows. :class:`Target` is ``T(y / M(x))`` for a power law ``M``
(or none) and a transform ``T`` (:mod:`.transforms`); a model of a target maps back to a
model of ``y``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from srbench_lite.engines.common.batch import Batch, Data, fit_many
from srbench_lite.engines.common.front import ParetoFront
from srbench_lite.engines.gp.transforms import Transform

__all__ = ["LM_ROWS", "Scorer", "Target"]

#: rows of the search subsample that LM constant fitting uses (the one default: the search's
#: config, the screening and the scorer all take it from here)
LM_ROWS = 64


class Scorer:
    """Scaled NMSE of programs on fixed rows; LM constants on the first ``lm_rows`` of them."""

    def __init__(self, data: Data, lm_rows: int = LM_ROWS) -> None:
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


class Target:
    """What a group of islands fits: ``T(y / M(x))`` for a power law ``M`` (or none) and a
    transform ``T``, a row of :mod:`.transforms` (or of a prior set's extra rows).

    A model ``a*f + b`` of the target is offered to the main front as ``M * T^-1(c0 + c1*f)``
    with ``c0 = b, c1 = a`` as fitted placeholders.
    """

    def __init__(
        self,
        factor: tuple[str, ...] | None,
        transform: Transform,
        data: Data,
        max_complexity: int,
        lm_rows: int = LM_ROWS,
    ) -> None:
        self.factor = factor
        self.transform = transform
        self.scorer = Scorer(data, lm_rows)
        self.front = ParetoFront(max_complexity)
        self.quick = math.inf  # best loss of the screening library
        self.seeds: list[tuple[tuple[str, ...], list[float]]] = []

    @property
    def is_main(self) -> bool:
        return self.factor is None and self.transform.name == "id"

    def to_full(self, tokens, consts, a: float, b: float) -> tuple[tuple[str, ...], np.ndarray]:
        """Tokens and constants of the model of ``y`` that this target's model implies."""
        if self.is_main:
            return tuple(tokens), np.asarray(consts, dtype=np.float64)
        toks, cs = self.transform.to_full(tuple(tokens), list(consts), a, b)
        if self.factor is not None:
            toks = ("mul", *self.factor, *toks)
        return toks, np.asarray(cs, dtype=np.float64)
