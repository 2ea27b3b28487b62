"""Bingo (NASA's ``bingo-nasa``) with the job's time budget and seed.

Install
-------
``bingo-nasa`` imports ``mpi4py``, which needs an MPI library at import time; the ``mpich``
wheel from PyPI provides one, so the extra installs both (no system MPI needed).

Settings
--------
The defaults are SRBench's (``experiment/methods/bingo/regressor.py``, the same as bingo's
own ``bingo.symbolic_regression.srbench_interface``): population 500, stack size 24, operators
``+ - * / sin cos exp log sqrt``, simplification on, crossover 0.3, mutation 0.45, MSE,
Levenberg-Marquardt constant optimisation (``clo_alg="lm"``, threshold 1e-5), the
age-fitness Pareto EA, no evaluation limit. Bingo's fitness-predictor island (used above 1,200
rows) is bingo's own choice and is kept.

Bingo decides whether to evaluate in a process pool from ``OMP_NUM_THREADS``, which the runner
sets to 1 (a pool of one process, forked each generation); the adapter asks for serial
evaluation instead, which computes the same thing in the job's own process.

Time budget
-----------
``time_budget_s`` goes to Bingo's own wall-clock limit, ``max_time`` (Bingo stops at 97 % of
it, estimating whether the next block of generations fits), less :data:`REFIT_SHARE` of the
budget kept for the final refit. After the search Bingo refits the constants of up to 100
equations (its hall of fame, a Pareto front, filled up with random population members) on the
full data, each with 5 restarts of its optimiser, and keeps the best; that step is outside
``max_time`` and took 26 s after an 8 s search on 10,000 rows. The adapter refits the hall of
fame only, best training fitness first, and stops refitting once the budget is spent (the
first refit always runs); the best refitted equation is the model.

Model string
------------
``sympy()`` is Bingo's console string of the best equation (``str(equation)``, what SRBench's
``model()`` reads), over ``X_0, X_1, ...`` with products written ``(a)(b)`` and ``^`` for
power: dialect ``"bingo"``. Constants are printed with Python's shortest round-trip repr.
Bingo computes ``log`` and ``sqrt`` of the absolute value; the dialect reads them so. Bingo's
``predict`` turns NaN into 0 and infinities into +-1e100; the expression does not (the
record's expression-agreement check reports such rows).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from srbench_lite.methods.adapters._common import Deadline

__all__ = ["DEFAULT_OPERATORS", "REFIT_SHARE", "BingoRegressor", "search_seconds"]

#: SRBench's operator set for Bingo
DEFAULT_OPERATORS = ("+", "-", "*", "/", "sin", "cos", "exp", "log", "sqrt")
#: share of the budget left for Bingo's refit of its best equations after the search
REFIT_SHARE = 0.2
#: Bingo's default ``max_time`` (seconds) when no budget is given
DEFAULT_MAX_TIME = 1800


def search_seconds(budget_s: float | None) -> float:
    """Bingo's ``max_time`` for a job budget: the budget less :data:`REFIT_SHARE`."""
    if budget_s is None:
        return float(DEFAULT_MAX_TIME)
    if not np.isfinite(budget_s) or budget_s <= 0:
        raise ValueError(f"time budget must be a positive number of seconds, got {budget_s!r}")
    return float(budget_s) * (1.0 - REFIT_SHARE)


class BingoRegressor(RegressorMixin, BaseEstimator):
    """Bingo's ``SymbolicRegressor`` with SRBench's settings, a time budget and a seed.

    The best equation (a bingo ``EquationRegressor``) is ``equation_``; its console string is
    ``model_string_``.
    """

    def __init__(
        self,
        population_size: int = 500,
        stack_size: int = 24,
        operators: Sequence[str] = DEFAULT_OPERATORS,
        use_simplification: bool = True,
        crossover_prob: float = 0.3,
        mutation_prob: float = 0.45,
        metric: str = "mse",
        clo_alg: str = "lm",
        clo_threshold: float = 1e-5,
        evolutionary_algorithm: str = "AgeFitnessEA",
        generations: int = 10**19,
        max_evals: int = 10**19,
        time_budget_s: float | None = None,
        random_state: int | None = None,
    ):
        self.population_size = population_size
        self.stack_size = stack_size
        self.operators = operators
        self.use_simplification = use_simplification
        self.crossover_prob = crossover_prob
        self.mutation_prob = mutation_prob
        self.metric = metric
        self.clo_alg = clo_alg
        self.clo_threshold = clo_threshold
        self.evolutionary_algorithm = evolutionary_algorithm
        self.generations = generations
        self.max_evals = max_evals
        self.time_budget_s = time_budget_s
        self.random_state = random_state

    def fit(self, X, y):
        X, y = validate_data(self, X, y, y_numeric=True, dtype=np.float64)
        deadline = Deadline(self.time_budget_s)
        est = _serial_regressor(
            deadline,
            population_size=int(self.population_size),
            stack_size=int(self.stack_size),
            operators=list(self.operators),
            use_simplification=bool(self.use_simplification),
            crossover_prob=self.crossover_prob,
            mutation_prob=self.mutation_prob,
            metric=self.metric,
            clo_alg=self.clo_alg,
            generations=int(self.generations),
            max_time=search_seconds(self.time_budget_s),
            max_evals=int(self.max_evals),
            evolutionary_algorithm=self.evolutionary_algorithm,
            clo_threshold=self.clo_threshold,
            random_state=None if self.random_state is None else int(self.random_state),
        )
        with np.errstate(all="ignore"):
            est.fit(X, y)
        self.equation_ = est.get_best_individual()
        self.model_string_ = str(self.equation_)
        return self

    def predict(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        with np.errstate(all="ignore"):
            out = self.equation_.predict(X)
        return np.broadcast_to(np.asarray(out, dtype=np.float64).ravel(), (len(X),)).copy()

    def sympy(self) -> str:
        """Bingo's console string of the best equation (dialect ``"bingo"``: ``X_0`` is the
        first column, ``(a)(b)`` a product, ``log``/``sqrt`` of the absolute value)."""
        check_is_fitted(self)
        return self.model_string_


def _serial_regressor(deadline: Deadline, **params):
    """Bingo's ``SymbolicRegressor`` evaluating in this process whatever ``OMP_NUM_THREADS``
    says (Bingo reads it as a process-pool size), whose final refit covers the hall of fame
    only and ends at ``deadline`` (see the module docstring)."""
    from bingo.symbolic_regression.equation_regressor import EquationRegressor
    from bingo.symbolic_regression.symbolic_regressor import SymbolicRegressor

    class _Serial(SymbolicRegressor):
        def _get_archipelago(self, X, y, n_processes):
            return super()._get_archipelago(X, y, False)

        def _find_best_population(self, X, y, max_pop=None):
            if len(self.archipelago.hall_of_fame) == 0:
                self.archipelago.update_hall_of_fame()
            refitted = []
            for equation in sorted(self.archipelago.hall_of_fame, key=lambda e: e.fitness):
                if refitted and deadline.remaining() <= 0:
                    break
                regressor = EquationRegressor(equation, metric=self.metric, algo=self.clo_alg)
                regressor.fit(X, y)
                refitted.append(regressor)
            return refitted

    return _Serial(**params)
