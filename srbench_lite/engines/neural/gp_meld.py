"""GP seeded by the policy's samples (uDSR's "GP-meld", after NGGP, Mundhenk et al. 2021).

Each iteration the best distinct samples of the policy's batch start a small
(mu + lambda) genetic programming run: a few generations of the GP engine's own
mutation and crossover (:mod:`srbench_lite.engines.gp.variation`), keeping only offspring the
policy could have sampled (same library, same constraints). Its best individuals join the
policy's batch for the risk-seeking update, so the policy learns from what GP found.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from srbench_lite.engines.neural.constraints import ConstraintConfig, replay
from srbench_lite.engines.neural.library import TokenLibrary
from srbench_lite.engines.neural.reward import Candidate, RewardCache

__all__ = ["GPMeld"]


class GPMeld:
    """A few generations of GP from given candidates; returns the best distinct ones.

    ``population``: individuals kept each generation (the best of parents and children);
    ``generations``: generations a run; ``p_crossover``: share of children made by crossover
    (the rest by one mutation); ``tournament``: tournament size for choosing parents;
    ``n_fit``: LM constant fits a generation.
    """

    def __init__(
        self,
        library: TokenLibrary,
        constraints: ConstraintConfig,
        reward: RewardCache,
        *,
        population: int = 50,
        generations: int = 10,
        p_crossover: float = 0.5,
        tournament: int = 4,
        n_fit: int = 2,
    ) -> None:
        from srbench_lite.engines.gp.variation import OperatorSet

        self.lib = library
        self.cfg = constraints
        self.reward = reward
        self.population = population
        self.generations = generations
        self.p_crossover = p_crossover
        self.tournament = tournament
        self.n_fit = n_fit
        ops = [t for t, a in zip(library.names, library.arities, strict=True) if a > 0]
        n_features = sum(1 for t in library.names if t.startswith("x"))
        # no literal leaves: the policy's library has only variables and the placeholder
        self.ops = replace(OperatorSet.build(ops, n_features), literals=())

    def valid(self, pairs: list[tuple[tuple[str, ...], list[float]]]) -> list[bool]:
        """Whether the policy could have sampled each ``(tokens, consts)``."""
        names = set(self.lib.names)
        ok = [len(t) <= self.cfg.max_length and set(t) <= names for t, _ in pairs]
        idx = [i for i, good in enumerate(ok) if good]
        if idx:
            seqs = [tuple(self.lib.encode(pairs[i][0]).tolist()) for i in idx]
            valid = replay(self.lib, self.cfg, seqs)[-1]
            for i, v in zip(idx, valid, strict=True):
                ok[i] = bool(v)
        return ok

    def run(self, seeds: list[Candidate], rng: np.random.Generator) -> list[Candidate]:
        """Evolve from ``seeds``; the final population (best first), every member valid."""
        from srbench_lite.engines.gp.variation import as_random, crossover, mutate

        r = as_random(rng)
        pop = sorted(
            {c.tokens: c for c in seeds if math.isfinite(c.nmse)}.values(), key=lambda c: c.nmse
        )[: self.population]
        if len(pop) < 2:
            return pop
        for _ in range(self.generations):
            fitness = np.array([c.nmse for c in pop])
            children = []
            for _ in range(self.population):
                a = pop[self._pick(fitness, rng)]
                if r.random() < self.p_crossover:
                    b = pop[self._pick(fitness, rng)]
                    child = crossover(r, (a.tokens, list(a.consts)), (b.tokens, list(b.consts)))
                else:
                    child = mutate(r, self.ops, a.tokens, list(a.consts))
                children.append((tuple(child[0]), child[1]))
            keep = [c for c, good in zip(children, self.valid(children), strict=True) if good]
            if keep:
                consts = [np.asarray(c, dtype=np.float64) for _, c in keep]
                self.reward.score([t for t, _ in keep], consts, n_fit=self.n_fit)
                found = [self.reward.entries[t] for t, _ in keep]
                merged = {c.tokens: c for c in pop + found if math.isfinite(c.nmse)}
                pop = sorted(merged.values(), key=lambda c: c.nmse)[: self.population]
        return pop

    def _pick(self, fitness: np.ndarray, rng: np.random.Generator) -> int:
        idx = rng.integers(len(fitness), size=min(self.tournament, len(fitness)))
        return int(idx[np.argmin(fitness[idx])])
