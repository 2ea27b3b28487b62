"""``NeuralSRRegressor``: Deep Symbolic Regression as a scikit-learn regressor.

The search hook trains a fresh recurrent policy on the data (:func:`~.train.run_search`) and
hands its hall of fame to the fit skeleton shared with the GP engine
(:class:`~srbench_lite.engines.base.EngineRegressor`: finishing, selection, ``predict``).
torch is imported inside ``fit`` only.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from srbench_lite.engines.base import EngineRegressor, SearchOutcome
from srbench_lite.engines.common import columns
from srbench_lite.engines.common.budget import Budget
from srbench_lite.engines.common.front import Entry, ParetoFront
from srbench_lite.engines.gp.screening import seed_expressions
from srbench_lite.engines.neural.library import DEFAULT_OPERATORS

__all__ = ["NeuralSRRegressor"]


class NeuralSRRegressor(EngineRegressor):
    """Deep Symbolic Regression (Petersen et al. 2021): an RNN policy trained per problem.

    The fit, the finishing stage, selection and ``predict`` are the shared skeleton of
    :class:`~srbench_lite.engines.base.EngineRegressor`, whose docstring lists the fitted
    attributes (``search_info_["history"]``: one dict per policy batch).

    Parameters
    ----------
    operators : tuple of str, default=DEFAULT_OPERATORS
        Operator tokens of the library (see ``engines/common/README.md``).
    max_length : int, default=30
        Most tokens a sampled prefix sequence may have.
    max_constants : int, default=3
        Most constant placeholders a sampled sequence may have.
    batch_size : int, default=500
        Sequences sampled per iteration.
    epsilon : float, default=0.05
        The risk-seeking policy gradient trains on the top ``epsilon`` of each batch.
    learning_rate : float, default=0.01
        Adam's step size.
    entropy_weight : float, default=0.03
        Weight of the entropy bonus.
    entropy_gamma : float, default=0.7
        Decay of the entropy bonus along a sequence.
    hidden : int, default=32
        Units of the recurrent cell.
    cell : {"lstm", "gru"}, default="lstm"
        The recurrent cell.
    n_const_fit : int, default=10
        Per batch, how many of the best sequences with placeholders get LM constants.
    n_iterations : int or None, default=None
        Policy batches at most (reproducible with ``random_state``); ``None``: no limit (then
        ``time_budget_s`` must be set); ``0``: only the screening seeds.
    time_budget_s : float or None, default=60.0
        Wall-clock seconds of the whole fit, torch's import and the finishing stage included
        (shared out by :class:`~srbench_lite.engines.common.budget.Budget`); ``None``: no limit.
    max_search_rows : int, default=500
        The search scores expressions on at most this many rows (a fixed random subset); the
        final front is refitted and scored on all rows.
    hall_of_fame : int, default=30
        How many of the best distinct expressions (with the best of each size) go to the
        finishing stage, the most promising first while the budget lasts.
    gp_generations : int, default=10
        GP seeded by each batch (uDSR's GP-meld): generations of a (mu + lambda) GP from the
        batch's best, whose final population joins the batch for the update; ``0`` switches
        it off (plain DSR).
    gp_population : int, default=50
        Size of that GP's population.
    screening_seeds : bool, default=True
        Start from the GP engine's general screening (uDSR-style decomposition): power laws
        and sums of library terms of ``y``, and the best models of the transformed targets it
        ranks first, mapped back to ``y``; they enter the hall of fame, and those the policy
        could sample become the first GP-meld elites. ``False``: plain DSR + GP-meld.
    model_selection : {"mdl", "score", "parsimony", "best"}, default="mdl"
        How one finished model is selected (``common.finish.select``).
    simplify_timeout_s : float or None, default=2.0
        Seconds per sympy rewrite in the finishing stage; ``None``: no limit.
    random_state : int, RandomState instance or None, default=None
        Seed for numpy and torch.
    """

    _parameter_constraints: dict = {
        **EngineRegressor._parameter_constraints,
        "max_length": [Interval(Integral, 1, None, closed="left")],
        "max_constants": [Interval(Integral, 0, None, closed="left")],
        "batch_size": [Interval(Integral, 2, None, closed="left")],
        "epsilon": [Interval(Real, 0, 1, closed="right")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "entropy_weight": [Interval(Real, 0, None, closed="left")],
        "entropy_gamma": [Interval(Real, 0, 1, closed="both")],
        "hidden": [Interval(Integral, 1, None, closed="left")],
        "cell": [StrOptions({"lstm", "gru"})],
        "n_const_fit": [Interval(Integral, 0, None, closed="left")],
        "max_search_rows": [Interval(Integral, 1, None, closed="left")],
        "hall_of_fame": [Interval(Integral, 1, None, closed="left")],
        "gp_generations": [Interval(Integral, 0, None, closed="left")],
        "gp_population": [Interval(Integral, 1, None, closed="left")],
        "screening_seeds": ["boolean"],
    }

    def __init__(
        self,
        *,
        operators: Sequence[str] = DEFAULT_OPERATORS,
        max_length: int = 30,
        max_constants: int = 3,
        batch_size: int = 500,
        epsilon: float = 0.05,
        learning_rate: float = 0.01,
        entropy_weight: float = 0.03,
        entropy_gamma: float = 0.7,
        hidden: int = 32,
        cell: str = "lstm",
        n_const_fit: int = 10,
        n_iterations: int | None = None,
        time_budget_s: float | None = 60.0,
        max_search_rows: int = 500,
        hall_of_fame: int = 30,
        gp_generations: int = 10,
        gp_population: int = 50,
        screening_seeds: bool = True,
        model_selection: str = "mdl",
        simplify_timeout_s: float | None = 2.0,
        random_state: int | None = None,
    ) -> None:
        self.operators = operators
        self.max_length = max_length
        self.max_constants = max_constants
        self.batch_size = batch_size
        self.epsilon = epsilon
        self.learning_rate = learning_rate
        self.entropy_weight = entropy_weight
        self.entropy_gamma = entropy_gamma
        self.hidden = hidden
        self.cell = cell
        self.n_const_fit = n_const_fit
        self.n_iterations = n_iterations
        self.time_budget_s = time_budget_s
        self.max_search_rows = max_search_rows
        self.hall_of_fame = hall_of_fame
        self.gp_generations = gp_generations
        self.gp_population = gp_population
        self.screening_seeds = screening_seeds
        self.model_selection = model_selection
        self.simplify_timeout_s = simplify_timeout_s
        self.random_state = random_state

    def _search(self, X: np.ndarray, y: np.ndarray, budget: Budget) -> SearchOutcome:
        """Screening seeds, then the risk-seeking policy gradient with GP-meld."""
        import torch

        from srbench_lite.engines.neural.constraints import ConstraintConfig
        from srbench_lite.engines.neural.library import TokenLibrary
        from srbench_lite.engines.neural.reward import RewardCache
        from srbench_lite.engines.neural.train import SearchConfig, run_search

        rng = np.random.default_rng(self.random_state)
        torch_seed = int(rng.integers(2**31 - 1))
        library = TokenLibrary.build(X.shape[1], self.operators)
        rows = np.arange(len(y))
        if len(y) > self.max_search_rows:
            rows = np.sort(rng.choice(len(y), self.max_search_rows, replace=False))
        reward = RewardCache(columns(X[rows]), y[rows], n_fit=self.n_const_fit)
        seeds = []
        if self.screening_seeds:
            seeds = seed_expressions(reward.data, deadline=budget.screening_deadline(budget.end))
        config = SearchConfig(
            batch_size=self.batch_size,
            epsilon=self.epsilon,
            learning_rate=self.learning_rate,
            entropy_weight=self.entropy_weight,
            entropy_gamma=self.entropy_gamma,
            hidden=self.hidden,
            cell=self.cell,
            n_iterations=self.n_iterations,
            time_budget_s=budget.search_seconds(),  # keeps the finishing reserve
            gp_generations=self.gp_generations,
            gp_population=self.gp_population,
            constraints=ConstraintConfig(
                max_length=self.max_length, max_constants=self.max_constants
            ),
        )
        threads = torch.get_num_threads()
        torch.set_num_threads(1)  # a small LSTM on a shared CPU: more threads only cost
        try:
            with torch.random.fork_rng(devices=[]):  # leave the caller's torch RNG alone
                torch.manual_seed(torch_seed)
                result = run_search(library, reward, config, rng, seeds)
        finally:
            torch.set_num_threads(threads)
        return SearchOutcome(
            self._hall_of_fame(result.candidates),
            n_iterations=result.n_iterations,
            n_evaluations=reward.n_evaluated,
            stop_reason=result.stopped,
            finish_seed=int(rng.integers(2**31 - 1)),
            info={"history": result.history},
        )

    def _hall_of_fame(self, candidates) -> list[Entry]:
        """The ``hall_of_fame`` best distinct expressions and the best of each size, as the
        non-dominated front (loss: NMSE on the search rows)."""
        finite = [c for c in candidates if math.isfinite(c.nmse)]
        best_by_size: dict[int, object] = {}
        for c in finite:
            cur = best_by_size.get(len(c.tokens))
            if cur is None or c.nmse < cur.nmse:
                best_by_size[len(c.tokens)] = c
        chosen = {c.tokens: c for c in sorted(finite, key=lambda c: c.nmse)[: self.hall_of_fame]}
        for c in best_by_size.values():
            chosen.setdefault(c.tokens, c)
        front = ParetoFront()
        for c in chosen.values():
            front.update(Entry(c.tokens, c.consts, float(c.nmse), a=float(c.a), b=float(c.b)))
        return front.entries()
