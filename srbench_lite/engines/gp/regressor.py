"""``GPRegressor``: the scikit-learn face of the built-in GP engine."""

from __future__ import annotations

import time

import numpy as np
import sympy as sp
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted, check_random_state, validate_data

from srbench_lite.engines.common.finish import (
    SELECTION,
    Finished,
    Finisher,
    finishing_reserve,
    select,
    to_frame,
)
from srbench_lite.engines.common.front import Entry
from srbench_lite.engines.common.tokens import ARITY
from srbench_lite.engines.gp.prior_sets import resolve_priors
from srbench_lite.engines.gp.search import SearchConfig, run_search

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
    "tanh",
    "asin",
    "acos",
    "atan",
    "sinh",
    "cosh",
    "cbrt",
)


class GPRegressor(RegressorMixin, BaseEstimator):
    """Genetic-programming symbolic regression (numpy/numba; no outside tool).

    Islands of age-regularised evolution with a per-size hall of fame, linear scaling and LM
    constant fitting, candidates scored a batch at a time by a compiled evaluator. Before
    evolving, a power-law pass (``y = k * prod x_i**e_i`` fitted in log space) and a screening
    of transformed targets ``T(y / M)`` (``M`` a power law, ``T`` one of identity, 1/w, w²,
    1/w², log|w|, e^w, sin w, atanh w, ...) against sums of up to three library terms pick the
    ``n_extra_targets`` most promising targets; some islands evolve models of those, mapped
    back to models of ``y``. ``M`` also comes from the variables with clean integer exponents,
    or, when one variable alone sets the sign of ``y``, from the others; sums of a variable and
    a power law are tried directly.

    What the screening assumes is a prior set (``priors``): ``"general"`` (the default) holds
    only general shapes (:mod:`srbench_lite.engines.gp.priors`); ``"physics"`` adds templates
    of particular physics laws (:mod:`srbench_lite.engines.gp.physics_priors`) and is
    registered as its own method, ``gp-physics``.

    Stalled islands restart. The hall of fame then goes through the finishing stage
    (:mod:`srbench_lite.engines.common.finish`: simplify, snap constants, drop terms, refit)
    and one finished model is selected (``model_selection``: ``"mdl"`` description length by
    default; ``"score"``, ``"parsimony"``, ``"best"``).

    Budget: ``time_budget_s`` seconds of wall time for the whole fit, finishing included,
    and/or ``generations`` (with ``time_budget_s=None`` and ``generations`` set, a run is
    reproducible for a fixed ``random_state``). A training NMSE below ``early_stop_loss``
    ends the search once shorter perfect fits stop appearing.

    Fitted attributes: ``equations_`` (finished models: complexity, loss = NMSE on all training
    rows, cost, expression), ``best_`` (the selected
    :class:`~srbench_lite.engines.common.finish.Finished`), ``expression_`` (its sympy string
    over ``x0, x1, ...`` or ``feature_names_in_``), ``front_`` (the search's hall of fame),
    ``n_generations_``, ``n_evaluations_``, ``stop_reason_``.
    """

    def __init__(
        self,
        *,
        time_budget_s: float | None = 60.0,
        generations: int | None = None,
        operators: tuple[str, ...] | None = None,
        population_size: int = 100,
        n_islands: int = 8,
        max_complexity: int = 35,
        subsample: int = 256,
        model_selection: str = "mdl",
        early_stop_loss: float | None = 1e-16,
        n_extra_targets: int = 3,
        simplify_timeout_s: float = 2.0,
        priors: str = "general",
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
        self.priors = priors
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
        if self.model_selection not in SELECTION:
            raise ValueError(
                f"model_selection={self.model_selection!r}; use one of {', '.join(SELECTION)}"
            )
        resolve_priors(self.priors)  # a ValueError naming the known sets
        for name in ("population_size", "n_islands", "max_complexity", "subsample"):
            value = getattr(self, name)
            if not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        return ops

    def fit(self, X, y):
        """Search for an expression of ``y`` in the columns of ``X``; returns ``self``."""
        start = time.perf_counter()  # the budget counts everything from here
        from srbench_lite.engines.common.batch import backend, fit_backend, use_backend

        with use_backend(fit_backend() if self.time_budget_s is not None else backend()):
            return self._fit(X, y, start)

    def _fit(self, X, y, start: float):
        ops = self._check_params()
        X, y = validate_data(self, X, y, y_numeric=True)
        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        from srbench_lite import sandbox

        sandbox.start()  # the sympy worker starts while the search runs
        rng = np.random.default_rng(check_random_state(self.random_state).randint(2**31 - 1))
        budget = self.time_budget_s
        search_deadline = final_deadline = None
        if budget is not None:
            final_deadline = start + 0.97 * budget
            search_deadline = start + budget - finishing_reserve(budget)
        config = SearchConfig(
            operators=ops,
            population_size=max(4, int(self.population_size)),
            n_islands=int(self.n_islands),
            max_complexity=int(self.max_complexity),
            subsample=max(10, int(self.subsample)),
            early_stop_loss=self.early_stop_loss,
            n_extra_targets=max(0, int(self.n_extra_targets)),
            priors=resolve_priors(self.priors),
        )
        result = run_search(
            X, y, config, rng, deadline=search_deadline, generations=self.generations
        )
        names = self._names()
        entries = result.front.entries()
        if not entries:  # every candidate failed: fall back to the mean
            entries = [Entry(("x0",), np.zeros(0), 1.0, a=0.0, b=float(np.mean(y)))]
        finisher = Finisher(
            X,
            y,
            names,
            deadline=final_deadline,
            simplify_timeout=self.simplify_timeout_s,
            seed=int(rng.integers(2**31 - 1)),
        )
        finished = finisher.run(entries)
        if not finished:
            finished = [Finished.from_entry(e, names) for e in entries]
        self.best_ = select(finished, self.model_selection)
        self.front_ = entries
        self.equations_ = to_frame(finished)
        self.n_generations_ = result.generations
        self.n_evaluations_ = result.evaluations
        self.stop_reason_ = result.stopped
        self.expression_ = str(self.best_.expr)
        self.y_mean_ = float(np.mean(y))
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
        if bad.any():  # undefined points: predict the training mean rather than nan
            out[bad] = self.y_mean_
        return out

    def sympy(self, index: int | None = None) -> sp.Expr:
        """The selected model, or row ``index`` of ``equations_``."""
        check_is_fitted(self, "best_")
        if index is None:
            return self.best_.expr
        return self.equations_["model"].iloc[index].expr
