"""An island of the GP search: a population held as parallel lists, with its target and the
age order in which children replace members (:mod:`.evolution`)."""

from __future__ import annotations

import math

import numpy as np

from srbench_lite.engines.gp.targets import Target

__all__ = ["Island"]


class Island:
    """A population (parallel lists) with its target and the age order for replacement."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.tokens: list[tuple[str, ...]] = []
        self.consts: list[np.ndarray] = []
        self.clean: list[bool] = []  # simplified already (children are, once chosen as parents)
        self.loss = np.zeros(0)
        self.oldest = 0
        self.best = math.inf
        self.best_gen = 0

    def fill(self, tokens, consts, loss) -> None:
        self.tokens, self.consts = list(tokens), list(consts)
        self.clean = [True] * len(self.tokens)
        self.loss = np.asarray(loss, dtype=np.float64)
        self.oldest = 0

    def replace_oldest(self, tokens, consts, loss, clean) -> np.ndarray:
        """Put members (at most one per slot) in the oldest slots; returns the slots."""
        n, k = len(self.tokens), len(tokens)
        if k > n:
            raise ValueError(f"{k} new members for an island of {n}")
        slots = (self.oldest + np.arange(k)) % n
        for i, t, c, kk in zip(slots.tolist(), tokens, consts, clean, strict=True):
            self.tokens[i], self.consts[i], self.clean[i] = t, c, kk
        self.loss[slots] = loss
        self.oldest = (self.oldest + k) % n
        return slots

    def put(self, i: int, tokens, consts, loss: float) -> None:
        self.tokens[i], self.consts[i], self.loss[i], self.clean[i] = tokens, consts, loss, True
