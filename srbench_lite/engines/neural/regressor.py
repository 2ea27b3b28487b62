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

from srbench_lite.engines.common import (
    Entry,
    ParetoFront,
    columns,
    fit_constants,
    n_constants,
    nmse,
    score_tokens,
    select_model,
    simplify_expr,
    to_dataframe,
)
from srbench_lite.engines.common.rules import simplify_tokens
from srbench_lite.engines.neural.cleanup import linearise, prune_negligible
from srbench_lite.engines.neural.library import DEFAULT_OPERATORS

__all__ = ["LOSS_FLOOR", "NeuralSRRegressor"]

#: NMSE below this is float rounding: such models tie, and the simplest of them is kept
LOSS_FLOOR = 1e-20


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
    time_budget_s : wall-clock budget of the whole fit, ``None`` = no limit (needs
        ``n_iterations``). The search stops early enough to leave 15 % + 1.5 s (at most
        10 s) for the final refit and simplification.
    max_search_rows : the search scores expressions on at most this many rows (a fixed
        random subset); the final front is refitted and scored on all rows.
    hall_of_fame : how many of the best distinct expressions are rescored on all rows at the end
        (with the best of each complexity); the ``n_polish`` best with constants are refitted.
    gp_generations, gp_population : GP seeded by each batch (uDSR's GP-meld): this many
        generations of a (mu + lambda) GP of this size from the batch's best, whose final
        population joins the batch for the update; ``0`` switches it off (plain DSR).
    model_selection : ``"score"``, ``"parsimony"`` or ``"best"`` (``common.select_model``).
    simplify_timeout : seconds for the final sympy simplification (``None`` = no limit).
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
        max_search_rows: int = 2000,
        hall_of_fame: int = 30,
        n_polish: int = 5,
        gp_generations: int = 10,
        gp_population: int = 50,
        model_selection: str = "score",
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
        self.n_polish = n_polish
        self.gp_generations = gp_generations
        self.gp_population = gp_population
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
        if self.model_selection not in ("score", "parsimony", "best"):
            raise ValueError(
                f"model_selection must be score, parsimony or best, got {self.model_selection!r}"
            )

    def fit(self, X, y):
        """Search for an expression of ``y`` in the columns of ``X``; returns ``self``."""
        start = time.perf_counter()
        import torch

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
        search_budget = None
        if self.time_budget_s is not None:  # keep time for the final refit and simplification
            reserve = min(0.15 * self.time_budget_s + 1.5, 10.0)
            spent = time.perf_counter() - start
            search_budget = max(self.time_budget_s - reserve - spent, 0.3 * self.time_budget_s)
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
                result = run_search(library, reward, config, rng)
        finally:
            torch.set_num_threads(threads)

        deadline = None if self.time_budget_s is None else start + self.time_budget_s
        with np.errstate(all="ignore"):  # overflow in scaling a wild candidate: rejected anyway
            front = self._final_front(result.candidates, X, y, deadline)
        self.n_iterations_ = result.n_iterations
        self.stopped_ = result.stopped
        self.history_ = result.history
        self.n_evaluated_ = reward.n_evaluated
        timeout = self.simplify_timeout
        if deadline is not None and timeout is not None:
            timeout = min(timeout, max(deadline - time.perf_counter(), 0.5))
        self._set_front(front, timeout)
        return self

    def _final_front(self, candidates, X, y, deadline: float | None) -> ParetoFront:
        """Score the hall of fame and each complexity's best on all rows; their front.

        The ``n_polish`` best with placeholders get their constants refitted on all rows. Each
        candidate also enters simplified (``common.rules.simplify_tokens``, scaling stripped),
        linearised where a function has a tiny argument, and without negligible terms.
        """
        finite = [c for c in candidates if math.isfinite(c.nmse)]
        best_by_size: dict[int, object] = {}
        for c in finite:
            cur = best_by_size.get(len(c.tokens))
            if cur is None or c.nmse < cur.nmse:
                best_by_size[len(c.tokens)] = c
        chosen = {c.tokens: c for c in sorted(finite, key=lambda c: c.nmse)[: self.hall_of_fame]}
        for c in best_by_size.values():
            chosen.setdefault(c.tokens, c)
        cols = columns(X)
        spread = float(np.std(y))
        front = ParetoFront()
        polished = 0
        for cand in sorted(chosen.values(), key=lambda c: c.nmse):
            variants = {cand.tokens: cand.consts}
            for rewrite in (linearise, prune_negligible):
                out = rewrite(cand.tokens, cand.consts, cols)
                if out is not None:
                    variants.setdefault(*out)
            for tokens, consts in list(variants.items()):
                # drop what the scaling absorbs (c + f, c * f), fold constant subtrees
                variants.setdefault(*simplify_tokens(tokens, consts, strip_scaling=True))
            for tokens, consts in variants.items():
                late = deadline is not None and time.perf_counter() > deadline
                if n_constants(tokens) and polished < self.n_polish and not late:
                    fit = fit_constants(tokens, consts, cols, y, max_nfev=50)
                    polished += 1
                else:
                    fit = score_tokens(tokens, consts, cols, y)
                loss = max(nmse(fit.loss, y), LOSS_FLOOR)
                if math.isfinite(loss):
                    # an intercept at rounding level of y's spread is 0 (cost <= 1e-16 NMSE)
                    b = 0.0 if abs(fit.b) <= 1e-8 * spread else fit.b
                    front.update(Entry(tokens, fit.consts, loss, a=fit.a, b=b))
        if not front.entries():  # nothing evaluable: fall back to the mean
            front.update(Entry(("c",), np.array([0.0]), 1.0, a=0.0, b=float(np.mean(y))))
        return front

    def _set_front(self, front: ParetoFront, timeout: float | None) -> None:
        names = self._feature_names()
        entries = front.entries()
        self.best_ = select_model(entries, method=self.model_selection)
        self.equations_ = to_dataframe(entries, names)
        self.expression_ = simplify_expr(self.best_.sympy(names), timeout=timeout)

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
        """The selected model as a simplified sympy expression over the feature names."""
        check_is_fitted(self)
        return self.expression_
