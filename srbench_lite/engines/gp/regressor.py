"""``GPRegressor``: the scikit-learn face of the built-in GP engine."""

from __future__ import annotations

import time

import numpy as np
import sympy as sp
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted, check_random_state, validate_data

from srbench_lite.engines.common.expression import to_sympy
from srbench_lite.engines.common.front import select_model, to_dataframe
from srbench_lite.engines.common.simplify import simplify_expr, snap_numbers
from srbench_lite.engines.common.tokens import ARITY
from srbench_lite.engines.gp.search import SearchConfig, refit_front, run_search

__all__ = ["DEFAULT_OPERATORS", "GPRegressor"]

DEFAULT_OPERATORS = (
    "add",
    "sub",
    "mul",
    "div",
    "sin",
    "cos",
    "exp",
    "log",
    "sqrt",
    "square",
    "cube",
    "inv",
    "neg",
    "pow",
)


class GPRegressor(RegressorMixin, BaseEstimator):
    """Genetic-programming symbolic regression (numpy; no outside tool).

    Islands of age-regularised evolution with a per-size hall of fame, linear scaling and LM
    constant fitting. Before evolving, a power-law pass (``y = k * prod x_i**e_i`` fitted in log
    space) and a screening of transformed targets ``T(y / M)`` (``M`` a power law, ``T`` one of
    identity, 1/w, w², 1/w², log|w|) against sums of up to three library terms pick the
    ``n_extra_targets`` most promising targets; some islands evolve models of those, which are
    mapped back to models of ``y``. Budget: ``time_budget_s`` seconds of
    wall time and/or ``generations`` (with ``time_budget_s=None`` and ``generations`` set, a
    run is reproducible for a fixed ``random_state``). ``early_stop_loss`` stops once the
    training NMSE falls below it (after a few more generations).

    Fitted attributes: ``equations_`` (the Pareto front: complexity, loss = NMSE on all training
    rows, expression), ``best_`` (the selected :class:`~srbench_lite.engines.common.Entry`),
    ``expression_`` (its sympy string over ``x0, x1, ...`` or ``feature_names_in_``),
    ``n_generations_``, ``n_evaluations_``, ``stop_reason_``.
    """

    def __init__(
        self,
        *,
        time_budget_s: float | None = 60.0,
        generations: int | None = None,
        operators: tuple[str, ...] | None = None,
        population_size: int = 48,
        n_islands: int = 6,
        max_complexity: int = 35,
        subsample: int = 500,
        model_selection: str = "score",
        early_stop_loss: float | None = 1e-16,
        n_extra_targets: int = 3,
        simplify_timeout_s: float = 2.0,
        random_state=None,
    ):
        self.time_budget_s = time_budget_s
        self.generations = generations
        self.operators = operators
        self.population_size = population_size
        self.n_islands = n_islands
        self.max_complexity = max_complexity
        self.subsample = subsample
        self.model_selection = model_selection
        self.early_stop_loss = early_stop_loss
        self.n_extra_targets = n_extra_targets
        self.simplify_timeout_s = simplify_timeout_s
        self.random_state = random_state

    def _check_params(self) -> tuple[str, ...]:
        if self.time_budget_s is None and self.generations is None:
            raise ValueError("set time_budget_s or generations (both are None)")
        if self.time_budget_s is not None and not self.time_budget_s > 0:
            raise ValueError(f"time_budget_s must be positive, got {self.time_budget_s!r}")
        if self.generations is not None and int(self.generations) < 0:
            raise ValueError(f"generations must be >= 0, got {self.generations!r}")
        ops = tuple(self.operators) if self.operators is not None else DEFAULT_OPERATORS
        unknown = [o for o in ops if o not in ARITY]
        if unknown:
            raise ValueError(f"unknown operators {unknown}; valid: {sorted(ARITY)}")
        if self.model_selection not in ("score", "parsimony", "best"):
            raise ValueError(
                f"model_selection={self.model_selection!r}; use 'score', 'parsimony' or 'best'"
            )
        return ops

    def fit(self, X, y):
        start = time.perf_counter()
        ops = self._check_params()
        X, y = validate_data(self, X, y, y_numeric=True)
        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        rng = np.random.default_rng(check_random_state(self.random_state).randint(2**31 - 1))
        budget = self.time_budget_s
        # leave time to refit and simplify the front
        search_deadline = None
        final_deadline = None
        if budget is not None:
            final_deadline = start + 0.97 * budget
            search_deadline = start + max(0.5 * budget, budget - min(8.0, 0.15 * budget))
        config = SearchConfig(
            operators=ops,
            population_size=max(4, int(self.population_size)),
            n_islands=max(1, int(self.n_islands)),
            max_complexity=int(self.max_complexity),
            subsample=max(10, int(self.subsample)),
            early_stop_loss=self.early_stop_loss,
            n_extra_targets=max(0, int(self.n_extra_targets)),
        )
        result = run_search(
            X, y, config, rng, deadline=search_deadline, generations=self.generations
        )
        front = refit_front(result.front, X, y, rng, config.refit_rows, deadline=final_deadline)
        entries = front.entries()
        if not entries:  # every candidate failed on the full data: fall back to the mean
            from srbench_lite.engines.common.front import Entry

            entries = [Entry(("x0",), np.zeros(0), 1.0, a=0.0, b=float(np.mean(y)))]
        self.best_ = select_model(
            entries, method=self.model_selection, tolerance=1.5, abs_tol=1e-10
        )
        self.n_generations_ = result.generations
        self.n_evaluations_ = result.evaluations
        self.stop_reason_ = result.stopped
        names = self._names()
        self.equations_ = to_dataframe(entries, names)
        raw = to_sympy(self.best_.tokens, self.best_.consts, names, a=self.best_.a, b=self.best_.b)
        left = None if final_deadline is None else final_deadline - time.perf_counter()
        timeout = self.simplify_timeout_s if left is None else min(self.simplify_timeout_s, left)
        self.model_ = simplify_expr(raw, timeout=timeout) if timeout > 0.05 else snap_numbers(raw)
        self.expression_ = str(self.model_)
        self.fit_time_s_ = time.perf_counter() - start
        return self

    def _names(self) -> list[str]:
        names = getattr(self, "feature_names_in_", None)
        if names is None:
            return [f"x{i}" for i in range(self.n_features_in_)]
        return [str(n) for n in names]

    def predict(self, X):
        check_is_fitted(self, "best_")
        X = validate_data(self, X, reset=False)
        out = self.best_.predict(np.asarray(X, dtype=np.float64))
        bad = ~np.isfinite(out)
        if bad.any():  # undefined points: predict the model's offset rather than nan
            out[bad] = self.best_.b
        return out

    def sympy(self, index: int | None = None) -> sp.Expr:
        """The selected model (simplified), or front member ``index`` of ``equations_``."""
        check_is_fitted(self, "best_")
        if index is None:
            return self.model_
        return self.equations_["entry"].iloc[index].sympy(self._names())
