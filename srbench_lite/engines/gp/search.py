"""The GP search: seeds and screening, then islands of evolution until the budget.

:func:`run_search` scores on a row subsample: a power-law pass (:mod:`.monomial`) and a
screening of transformed targets (:mod:`.screening`) seed the islands; :class:`~.evolution.
Evolution` then breeds batch after batch until the deadline or the generation limit. A
perfect fit (training NMSE below ``early_stop_loss``) does not end the search at once: it
goes on while shorter perfect fits keep appearing (at least as many generations as it took
to find the first), so the finishing stage starts from the simplest exact form found.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace

import numpy as np

from srbench_lite.engines.common.batch import Data
from srbench_lite.engines.common.budget import Budget
from srbench_lite.engines.common.front import ParetoFront
from srbench_lite.engines.gp.evolution import Evolution, SearchConfig
from srbench_lite.engines.gp.monomial import monomial_candidates
from srbench_lite.engines.gp.screening import make_targets
from srbench_lite.engines.gp.targets import Target
from srbench_lite.engines.gp.transforms import IDENTITY
from srbench_lite.engines.gp.variation import OperatorSet, as_random

__all__ = ["SearchConfig", "SearchResult", "run_search"]

_EARLY_STOP_MIN_ROWS = 50


@dataclass
class SearchResult:
    front: ParetoFront
    generations: int
    evaluations: int
    stopped: str
    info: dict = field(default_factory=dict)


def _island_targets(targets: list[Target], n_islands: int) -> list[Target]:
    """Half the islands fit ``y``; the others the extra targets, round robin."""
    n_isl = max(n_islands, len(targets))
    if len(targets) == 1:
        return [targets[0]] * n_isl
    n_main = max(1, n_isl // 2)
    out = [targets[0]] * n_main
    extra = targets[1:]
    while len(out) < n_isl:
        out.append(extra[(len(out) - n_main) % len(extra)])
    return out


def run_search(
    X: np.ndarray,
    y: np.ndarray,
    config: SearchConfig,
    rng: np.random.Generator,
    *,
    deadline: float | None,
    generations: int | None,
    budget: Budget | None = None,
) -> SearchResult:
    """Search until ``deadline`` (a ``time.perf_counter()`` value) or ``generations``;
    screening takes ``budget.screening_share`` of the time left (:class:`Budget`'s default
    without a ``budget``). ``stopped``: ``"iterations"``, ``"time"`` or ``"early_stop"``."""
    n, d = X.shape
    ops = OperatorSet.build(config.operators, d)
    idx = rng.choice(n, size=config.subsample, replace=False) if n > config.subsample else None
    data = Data.from_xy(X if idx is None else X[idx], y if idx is None else y[idx])
    mx = config.priors.max_abs_exponent
    cands = monomial_candidates(data.cols, data.y, max_abs_exp=mx) if config.monomial_pass else []
    if config.n_extra_targets > 0:
        screen_by = (budget or Budget()).screening_deadline(deadline)
        targets, lib = make_targets(
            data,
            cands,
            config.max_complexity,
            config.n_extra_targets,
            lm_rows=config.lm_rows,
            deadline=screen_by,
            priors=config.priors,
        )
    else:
        targets, lib = [Target(None, IDENTITY, data, config.max_complexity, config.lm_rows)], []
    main = targets[0]
    evo = Evolution(
        targets,
        _island_targets(targets, config.n_islands),
        ops,
        replace(config, batch=max(1, min(config.batch, config.population_size))),
        as_random(rng),
        rng,
    )
    # seeds: power laws and the variables for y; the library and screening sums for the others
    base = [(t, []) for _, t in cands] + [((f"x{i}",), []) for i in range(d)]
    n_main = sum(1 for isl in evo.islands if isl.target is main)
    k_main = 0
    for isl in evo.islands:
        if isl.target is main:
            mine = [s for j, s in enumerate(base + main.seeds) if j % n_main == k_main]
            k_main += 1
        else:
            mine = [(t, []) for t in lib] + isl.target.seeds
        evo.seed(isl, mine, n_random=0)

    def out_of_time() -> bool:
        return deadline is not None and time.perf_counter() > deadline

    rounds = max(1, config.population_size // evo.cfg.batch)
    stop_reason = "iterations"
    perfect_at: int | None = None
    shortest = math.inf
    last_shorter = 0
    while generations is None or evo.generation < generations:
        for _ in range(rounds):
            for target in targets:
                evo.breed(target)
                if out_of_time():
                    break
            if out_of_time():
                break
        if out_of_time():
            stop_reason = "time"
            break
        evo.end_generation()
        # (on a few dozen rows a perfect fit is no evidence: keep searching)
        if (
            config.early_stop_loss is not None
            and data.n >= _EARLY_STOP_MIN_ROWS
            and evo.best_loss < config.early_stop_loss
        ):
            if perfect_at is None:
                perfect_at = evo.generation
            perfect = [
                e.complexity for e in main.front.entries() if e.loss < config.early_stop_loss
            ]
            if perfect and min(perfect) < shortest:
                shortest, last_shorter = min(perfect), evo.generation
            if evo.generation - last_shorter >= max(5, perfect_at):
                stop_reason = "early_stop"
                break
        if out_of_time():
            stop_reason = "time"
            break
    return SearchResult(
        main.front,
        evo.generation,
        sum(t.scorer.evaluations for t in targets),
        stop_reason,
        {"children": evo.children, "subsample": data.n, "targets": len(targets)},
    )
