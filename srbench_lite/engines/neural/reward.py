"""Reward of sampled expressions: ``1 / (1 + NRMSE)`` after linear scaling, with a cache.

Evaluation, linear scaling and Levenberg-Marquardt constants come from
:mod:`srbench_lite.engines.common.batch` (the evaluator the GP engine uses); this module only
adds DSR's reward, the per-expression cache (a sequence is evaluated once per fit, however
often it is sampled) and the policy of fitting constants only for the most promising
candidates of each batch.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from srbench_lite.engines.common.batch import Data, fit_many, score_many
from srbench_lite.engines.common.tokens import CONST

__all__ = ["Candidate", "RewardCache", "reward_from_nmse"]


def reward_from_nmse(nmse: float) -> float:
    """DSR's squashed reward ``1 / (1 + NRMSE)`` with ``NRMSE = sqrt(NMSE)``; 0 if not finite."""
    if not math.isfinite(nmse):
        return 0.0
    return 1.0 / (1.0 + math.sqrt(max(nmse, 0.0)))


@dataclass
class Candidate:
    """One distinct expression: its tokens, constants, scaling and NMSE on the search rows."""

    tokens: tuple[str, ...]
    consts: np.ndarray
    a: float
    b: float
    nmse: float
    fitted: bool  # constants optimised (or none to optimise)

    @property
    def reward(self) -> float:
        return reward_from_nmse(self.nmse)


class RewardCache:
    """Scores token sequences on fixed data, each distinct sequence once, a batch per call.

    ``score(batch)`` gives one reward a sequence. Sequences with placeholders are first scored
    with every constant at 1; then, of the batch's not yet fitted ones, the ``n_fit`` best and
    the ``n_fit`` shortest get constants by Levenberg-Marquardt (``lm_iters`` steps, on the
    first ``lm_rows`` rows), so optimisation goes where it can pay off. Scoring and fitting go
    through :mod:`srbench_lite.engines.common.batch` (one compiled call per batch).
    """

    def __init__(
        self,
        cols: list[np.ndarray],
        y: np.ndarray,
        *,
        n_fit: int,
        lm_iters: int = 10,
        lm_rows: int = 256,
    ):
        self.data = Data(np.ascontiguousarray(np.vstack(cols)), np.asarray(y, dtype=np.float64))
        self.lm_data = self.data.take(slice(0, min(self.data.n, lm_rows)))
        self.y = self.data.y
        self.n_fit = n_fit
        self.lm_iters = lm_iters
        self.entries: dict[tuple[str, ...], Candidate] = {}
        self.n_evaluated = 0
        self.n_fitted = 0

    def _score(self, seqs: list[tuple[str, ...]], consts: list) -> list[Candidate]:
        s = score_many(seqs, consts, self.data)
        return [
            Candidate(t, s.consts[i], s.a[i], s.b[i], s.loss[i], CONST not in t)
            for i, t in enumerate(seqs)
        ]

    def _fit(self, cands: list[Candidate]) -> list[Candidate]:
        seqs = [c.tokens for c in cands]
        fitted = fit_many(seqs, [c.consts for c in cands], self.lm_data, iters=self.lm_iters)
        self.n_fitted += len(cands)
        out = self._score(seqs, fitted.consts)
        for c in out:
            c.fitted = True
        pairs = zip(out, cands, strict=True)
        return [new if new.nmse <= old.nmse else _fitted(old) for new, old in pairs]

    def score(
        self,
        sequences: Sequence[tuple[str, ...]],
        consts: Sequence[np.ndarray | None] | None = None,
        n_fit: int | None = None,
    ) -> tuple[np.ndarray, list[Candidate]]:
        """Rewards for ``sequences`` (aligned) and the candidates scored or fitted in this call.

        ``consts`` optionally gives starting constants for new sequences (GP offspring inherit
        their parents'); ``n_fit`` overrides how many get LM constants in this call.
        """
        n_fit = self.n_fit if n_fit is None else n_fit
        new_idx: dict[tuple[str, ...], int] = {}
        for i, seq in enumerate(sequences):
            if seq not in self.entries and seq not in new_idx:
                new_idx[seq] = i
        new: dict[tuple[str, ...], Candidate] = {}
        if new_idx:
            seqs = list(new_idx)
            starts = [None if consts is None else consts[i] for i in new_idx.values()]
            for c in self._score(seqs, starts):
                new[c.tokens] = c
            self.n_evaluated += len(seqs)
            self.entries.update(new)
        # fit the best unfitted sequences of this batch (new ones, or old ones sampled again)
        pool = {s: self.entries[s] for s in sequences}
        unfitted = [c for c in pool.values() if not c.fitted and math.isfinite(c.nmse)]
        by_error = sorted(unfitted, key=lambda c: c.nmse)[:n_fit]
        # also the shortest: a law like exp(c * x**2) scores badly with c = 1 until fitted
        by_size = sorted(unfitted, key=lambda c: (len(c.tokens), c.nmse))[:n_fit]
        chosen = list({c.tokens: c for c in by_error + by_size}.values())
        if chosen:
            for fitted in self._fit(chosen):
                self.entries[fitted.tokens] = fitted
                new[fitted.tokens] = fitted
        rewards = np.array([self.entries[s].reward for s in sequences], dtype=np.float64)
        return rewards, list(new.values())


def _fitted(c: Candidate) -> Candidate:
    return Candidate(c.tokens, c.consts, c.a, c.b, c.nmse, True)
