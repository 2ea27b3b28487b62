"""``NeuralSRRegressor``: Deep Symbolic Regression as a scikit-learn regressor.

``fit`` trains a fresh recurrent policy on the data (:func:`~.train.run_search`), then refits
the constants of the hall of fame on all training rows, keeps the accuracy-vs-complexity front
(``equations_``) and selects one model (``sympy()``), exactly as the GP engine does with the
shared :mod:`srbench_lite.engines.common` code. torch is imported inside ``fit`` only.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from srbench_lite.engines.common import columns
from srbench_lite.engines.common.finish import (
    SELECTION,
    Finished,
    Finisher,
    finishing_reserve,
    select,
    to_frame,
)
from srbench_lite.engines.common.front import Entry, ParetoFront
from srbench_lite.engines.gp.screening import seed_expressions
from srbench_lite.engines.neural.library import DEFAULT_OPERATORS

__all__ = ["NeuralSRRegressor"]


class NeuralSRRegressor(RegressorMixin, BaseEstimator):
    """Deep Symbolic Regression (Petersen et al. 2021): an RNN policy trained per problem.

    Parameters
    ----------
    operators : operator tokens of the library (see ``engines/common/README.md``).
    max_length, max_constants : constraints on the sampled prefix sequences.
    batch_size, epsilon, learning_rate, entropy_weight, entropy_gamma, hidden, cell :
        the risk-seeking policy gradient (top ``epsilon`` of each batch, Adam).
    n_const_fit : per batch, how many of the best sequences with placeholders get LM constants.
    n_iterations : number of batches (reproducible with ``random_state``); ``None`` = no limit.
    time_budget_s : wall-clock budget of the whole fit (torch's import and the finishing
        stage included), ``None`` = no limit (needs ``n_iterations``). The search leaves
        ``common.finish.finishing_reserve(budget)`` seconds (a fifth, 1 to 10 s) to finishing.
    max_search_rows : the search scores expressions on at most this many rows (a fixed
        random subset); the final front is refitted and scored on all rows.
    hall_of_fame : how many of the best distinct expressions (with the best of each complexity)
        go to the finishing stage (``common.finish``: simplify, snap constants, drop terms,
        refit on all rows), the most promising first while the budget lasts.
    gp_generations, gp_population : GP seeded by each batch (uDSR's GP-meld): this many
        generations of a (mu + lambda) GP of this size from the batch's best, whose final
        population joins the batch for the update; ``0`` switches it off (plain DSR).
    screening_seeds : start from the GP engine's general screening (uDSR-style decomposition):
        power laws and sums of library terms of ``y``, and the best models of the transformed
        targets it ranks first, mapped back to ``y``; they enter the hall of fame, and those the
        policy could sample become the first GP-meld elites. ``False``: plain DSR + GP-meld.
    model_selection : ``"mdl"`` (description length, default), ``"score"``, ``"parsimony"`` or
        ``"best"`` (``common.finish.select``).
    simplify_timeout : seconds per sympy rewrite in the finishing stage (``None`` = no limit).
    random_state : seed for numpy and torch.
    """

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
        simplify_timeout: float | None = 2.0,
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
        self.simplify_timeout = simplify_timeout
        self.random_state = random_state

    def _check_params(self) -> None:
        if self.n_iterations is None and self.time_budget_s is None:
            raise ValueError("set n_iterations or time_budget_s: the search needs a bound")
        if self.n_iterations is not None and self.n_iterations < 1:
            raise ValueError(f"n_iterations must be >= 1, got {self.n_iterations}")
        if self.time_budget_s is not None and not self.time_budget_s > 0:
            raise ValueError(f"time_budget_s must be > 0, got {self.time_budget_s}")
        if not 0 < self.epsilon <= 1:
            raise ValueError(f"epsilon must be in (0, 1], got {self.epsilon}")
        if self.batch_size < 2:
            raise ValueError(f"batch_size must be >= 2, got {self.batch_size}")
        if self.model_selection not in SELECTION:
            raise ValueError(
                f"model_selection must be one of {', '.join(SELECTION)}, "
                f"got {self.model_selection!r}"
            )

    def fit(self, X, y):
        """Search for an expression of ``y`` in the columns of ``X``; returns ``self``."""
        start = time.perf_counter()  # the budget counts everything from here
        from srbench_lite.engines.common.batch import backend, fit_backend, use_backend

        with use_backend(fit_backend() if self.time_budget_s is not None else backend()):
            return self._fit(X, y, start)

    def _fit(self, X, y, start: float):
        import torch

        from srbench_lite import sandbox

        sandbox.start()  # the sympy worker of the finishing stage starts while we search
        from srbench_lite.engines.neural.constraints import ConstraintConfig
        from srbench_lite.engines.neural.library import Library
        from srbench_lite.engines.neural.reward import RewardCache
        from srbench_lite.engines.neural.train import SearchConfig, run_search

        self._check_params()
        X, y = validate_data(self, X, y, y_numeric=True)
        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        rng = np.random.default_rng(self.random_state)
        torch_seed = int(rng.integers(2**31 - 1))

        library = Library.build(X.shape[1], self.operators)
        search_rows = np.arange(len(y))
        if len(y) > self.max_search_rows:
            search_rows = np.sort(rng.choice(len(y), self.max_search_rows, replace=False))
        reward = RewardCache(columns(X[search_rows]), y[search_rows], n_fit=self.n_const_fit)
        seeds = []
        if self.screening_seeds:  # screening may use a quarter of the time left
            by = None
            if self.time_budget_s is not None:
                now = time.perf_counter()
                by = now + 0.25 * max(start + self.time_budget_s - now, 0.0)
            seeds = seed_expressions(reward.data, deadline=by)
        search_budget = None
        if self.time_budget_s is not None:  # keep time for the final refit and simplification
            reserve = finishing_reserve(self.time_budget_s)
            spent = time.perf_counter() - start
            search_budget = max(self.time_budget_s - reserve - spent, 0.05 * self.time_budget_s)
        config = SearchConfig(
            batch_size=self.batch_size,
            epsilon=self.epsilon,
            learning_rate=self.learning_rate,
            entropy_weight=self.entropy_weight,
            entropy_gamma=self.entropy_gamma,
            hidden=self.hidden,
            cell=self.cell,
            n_iterations=self.n_iterations,
            time_budget_s=search_budget,
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

        deadline = None if self.time_budget_s is None else start + 0.97 * self.time_budget_s
        self._y = y
        entries = self._hall_of_fame(result.candidates)
        names = self._feature_names()
        finisher = Finisher(
            X,
            y,
            names,
            deadline=deadline,
            simplify_timeout=self.simplify_timeout,
            seed=int(rng.integers(2**31 - 1)),
        )
        finished = finisher.run(entries) or [Finished.from_entry(e, names) for e in entries]
        self.best_ = select(finished, self.model_selection)
        self.equations_ = to_frame(finished)
        self.expression_ = str(self.best_.expr)
        self.n_iterations_ = result.n_iterations
        self.stopped_ = result.stopped
        self.history_ = result.history
        self.n_evaluated_ = reward.n_evaluated
        del self._y
        return self

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
        entries = front.entries()
        if not entries:  # nothing evaluable: fall back to the mean
            entries = [Entry(("x0",), np.zeros(0), 1.0, a=0.0, b=float(np.mean(self._y)))]
        return entries

    def _feature_names(self) -> list[str]:
        names = getattr(self, "feature_names_in_", None)
        if names is None:
            return [f"x{i}" for i in range(self.n_features_in_)]
        return [str(n) for n in names]

    def predict(self, X) -> np.ndarray:
        """Predictions of the selected model (numpy semantics where it is undefined)."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return self.best_.predict(np.asarray(X, dtype=np.float64))

    def sympy(self):
        """The selected (finished) model as a sympy expression over the feature names."""
        check_is_fitted(self)
        return self.best_.expr
