"""Reward of sampled expressions: ``1 / (1 + NRMSE)`` after linear scaling, with a cache.

Evaluation, linear scaling and Levenberg-Marquardt constants come from
:mod:`srbench_lite.engines.common`; this module only adds DSR's reward, the per-expression
cache (a sequence is evaluated once per fit, however often it is sampled) and the policy of
fitting constants only for the most promising candidates of each batch.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from srbench_lite.engines.common.constants import polish_constants, score_tokens
from srbench_lite.engines.common.scaling import nmse as normalise
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
    """Scores token sequences on fixed data, each distinct sequence once.

    ``score(batch)`` gives one reward a sequence. Sequences with placeholders are first scored
    with every constant at 1; then, of the batch's not yet fitted ones, the ``n_fit`` best and
    the ``n_fit`` shortest get constants by a few cheap Levenberg-Marquardt steps
    (``common.constants.polish_constants``, ``lm_iters`` of them), so optimisation goes where
    it can pay off.
    """

    def __init__(self, cols: list[np.ndarray], y: np.ndarray, *, n_fit: int, lm_iters: int = 10):
        self.cols = cols
        self.y = np.asarray(y, dtype=np.float64)
        self.n_fit = n_fit
        self.lm_iters = lm_iters
        self.entries: dict[tuple[str, ...], Candidate] = {}
        self.n_evaluated = 0
        self.n_fitted = 0

    def _score(self, tokens: tuple[str, ...], consts: np.ndarray | None) -> Candidate:
        k = sum(1 for t in tokens if t == CONST)
        fit = score_tokens(tokens, np.ones(k) if consts is None else consts, self.cols, self.y)
        return Candidate(tokens, fit.consts, fit.a, fit.b, normalise(fit.loss, self.y), k == 0)

    def _fit(self, cand: Candidate) -> Candidate:
        fit = polish_constants(cand.tokens, cand.consts, self.cols, self.y, iters=self.lm_iters)
        self.n_fitted += 1
        return Candidate(cand.tokens, fit.consts, fit.a, fit.b, normalise(fit.loss, self.y), True)

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
        with np.errstate(all="ignore"):  # evaluate() still rejects non-finite intermediates
            return self._score_all(sequences, consts, self.n_fit if n_fit is None else n_fit)

    def _score_all(self, sequences, consts, n_fit: int):
        new: dict[tuple[str, ...], Candidate] = {}
        for i, seq in enumerate(sequences):
            if seq not in self.entries and seq not in new:
                new[seq] = self._score(seq, None if consts is None else consts[i])
                self.n_evaluated += 1
        self.entries.update(new)
        # fit the best unfitted sequences of this batch (new ones, or old ones sampled again)
        pool = {s: self.entries[s] for s in sequences}
        unfitted = [c for c in pool.values() if not c.fitted and math.isfinite(c.nmse)]
        by_error = sorted(unfitted, key=lambda c: c.nmse)[:n_fit]
        # also the shortest: a law like exp(c * x**2) scores badly with c = 1 until fitted
        by_size = sorted(unfitted, key=lambda c: (len(c.tokens), c.nmse))[:n_fit]
        for cand in {c.tokens: c for c in by_error + by_size}.values():
            fitted = self._fit(cand)
            self.entries[cand.tokens] = fitted
            new[cand.tokens] = fitted
        rewards = np.array([self.entries[s].reward for s in sequences], dtype=np.float64)
        return rewards, list(new.values())
