"""The fit skeleton both built-in engines share (:class:`EngineRegressor`).

One fit, step by step (:meth:`EngineRegressor.fit`):

1. **validate** the parameters against the class's one declarative table
   (``_parameter_constraints``, scikit-learn's format and messages: *The 'p' parameter of
   GPRegressor must be ... Got ... instead.*), then the data (finite floats);
2. **budget**: one :class:`~srbench_lite.engines.common.budget.Budget` from ``time_budget_s``
   that owns every fraction of the time (screening, search, finishing reserve, slack);
3. **search hook** (:meth:`EngineRegressor._search`, the only step an engine writes): its
   screening (the gp screening of transformed targets, which the neural engine uses as seeds)
   and its search, returning the hall of fame as a :class:`SearchOutcome`. There is no data
   scaling step: both engines fit a linear scaling ``a * f + b`` per candidate while scoring,
   and the finishing stage writes it out;
4. **finishing** (:class:`~srbench_lite.engines.common.finish.Finisher`: simplify, snap
   constants, drop terms, refit) of the hall of fame while the budget lasts; the mean of ``y``
   when the search found nothing evaluable;
5. **selection** of one finished model (``model_selection``), and the fitted attributes.

:meth:`EngineRegressor.predict` is the selected model on new rows, the training mean where
the model is undefined (not finite), so a score never sees ``nan``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from numbers import Integral, Real

import numpy as np
import sympy as sp
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils._param_validation import (
    Interval,
    InvalidParameterError,
    Options,
    StrOptions,
)
from sklearn.utils.validation import check_is_fitted, validate_data

from srbench_lite.engines.common.batch import backend, use_backend
from srbench_lite.engines.common.budget import Budget
from srbench_lite.engines.common.finish import SELECTION, Finished, Finisher, select, to_frame
from srbench_lite.engines.common.front import Entry
from srbench_lite.engines.common.tokens import ARITY
from srbench_lite.engines.common.warm_up import fit_backend

__all__ = ["EngineRegressor", "OperatorNames", "SearchOutcome", "STOP_REASONS"]

#: the values of ``stop_reason_``: the iteration limit, the time budget, a perfect fit
STOP_REASONS = ("iterations", "time", "early_stop")


class OperatorNames(Options):
    """Parameter constraint: a non-empty list or tuple of operator tokens of
    :data:`srbench_lite.engines.common.tokens.ARITY`. (A subclass of scikit-learn's
    ``Options`` because its validator takes only its own constraint classes.)"""

    def __init__(self) -> None:
        super().__init__(str, set(ARITY))

    def is_satisfied_by(self, val) -> bool:
        return (
            isinstance(val, (list, tuple))
            and len(val) > 0
            and all(isinstance(op, str) and op in self.options for op in val)
        )

    def __str__(self) -> str:
        return f"a non-empty tuple of operator names among {{{', '.join(sorted(self.options))}}}"


@dataclass
class SearchOutcome:
    """What a search hook hands to the shared finishing stage.

    ``entries``: the hall of fame (models of ``y``; may be empty); ``n_iterations``: search
    iterations run (gp: generations, neural: policy batches); ``n_evaluations``: candidate
    programs scored; ``stop_reason``: one of :data:`STOP_REASONS`; ``finish_seed``: seed of the
    finishing stage's row subset, drawn from the engine's generator after the search; ``info``:
    the engine's own diagnostics (``search_info_``).
    """

    entries: list[Entry]
    n_iterations: int
    n_evaluations: int
    stop_reason: str
    finish_seed: int
    info: dict = field(default_factory=dict)


class EngineRegressor(RegressorMixin, BaseEstimator):
    """Base class of the built-in engines: shared parameters, fit, predict and ``sympy``.

    A subclass declares its own parameters in ``__init__`` and their rows in
    ``_parameter_constraints`` (``{**EngineRegressor._parameter_constraints, ...}``), and
    implements :meth:`_search`. Parameters every engine has: ``time_budget_s``,
    ``n_iterations``, ``operators``, ``model_selection``, ``simplify_timeout_s``,
    ``random_state`` (see the engines' docstrings).

    Attributes
    ----------
    best_ : Finished
        The selected finished model (:class:`~srbench_lite.engines.common.finish.Finished`).
    expression_ : str
        Its sympy string over ``x0, x1, ...`` or ``feature_names_in_``.
    equations_ : pandas.DataFrame
        The finished models: complexity, loss (NMSE on all training rows), cost (description
        length), expression, model.
    front_ : list of Entry
        The search's hall of fame as it went to the finishing stage.
    n_iterations_ : int
        Search iterations run (gp: generations; neural: policy batches).
    n_evaluations_ : int
        Candidate programs scored by the search.
    stop_reason_ : str
        Why the search ended: ``"iterations"``, ``"time"`` or ``"early_stop"``.
    search_info_ : dict
        The engine's own diagnostics (gp: children bred, subsample, targets; neural: the
        per-iteration ``history``).
    y_mean_ : float
        Mean of the training target (what ``predict`` returns where the model is undefined).
    fit_time_s_ : float
        Wall-clock seconds of the fit.
    n_features_in_, feature_names_in_
        As in scikit-learn.
    """

    _parameter_constraints: dict = {
        "time_budget_s": [Interval(Real, 0, None, closed="neither"), None],
        "n_iterations": [Interval(Integral, 0, None, closed="left"), None],
        "operators": [OperatorNames(), None],
        "model_selection": [StrOptions(set(SELECTION))],
        "simplify_timeout_s": [Interval(Real, 0, None, closed="left"), None],
        "random_state": ["random_state"],
    }

    def _validate_params(self) -> None:
        """Every parameter against its row of ``_parameter_constraints``, then the one rule
        between two of them (a bound on the search), in the same message format."""
        super()._validate_params()
        if self.time_budget_s is None and self.n_iterations is None:
            raise InvalidParameterError(
                f"The 'time_budget_s' and 'n_iterations' parameters of {type(self).__name__} "
                "must not both be None (the search needs a bound). Got None and None instead."
            )

    def _search(self, X: np.ndarray, y: np.ndarray, budget: Budget) -> SearchOutcome:
        """The engine's screening and search on validated float data within ``budget``."""
        raise NotImplementedError

    def fit(self, X, y) -> EngineRegressor:
        """Search for an expression of ``y`` in the columns of ``X``; returns ``self``."""
        budget = Budget(self.time_budget_s)  # the budget counts everything from here
        self._validate_params()
        X, y = validate_data(self, X, y, y_numeric=True)
        X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
        from srbench_lite import sandbox

        sandbox.start()  # the sympy worker of the finishing stage starts while the search runs
        with use_backend(fit_backend() if budget.seconds is not None else backend()):
            found = self._search(X, y, budget)
            entries = found.entries or [_mean_model(y)]  # nothing evaluable: the mean
            names = self._feature_names()
            finisher = Finisher(
                X,
                y,
                names,
                deadline=budget.finish_deadline,
                simplify_timeout_s=self.simplify_timeout_s,
                seed=found.finish_seed,
                ranking_share=budget.ranking_share,
            )
            finished = finisher.run(entries) or [Finished.from_entry(e, names) for e in entries]
            self.best_ = select(finished, self.model_selection)
        self.expression_ = str(self.best_.expr)
        self.equations_ = to_frame(finished)
        self.front_ = entries
        self.n_iterations_, self.n_evaluations_ = found.n_iterations, found.n_evaluations
        self.stop_reason_, self.search_info_ = found.stop_reason, found.info
        self.y_mean_ = float(np.mean(y))
        self.fit_time_s_ = time.perf_counter() - budget.start
        return self

    def _feature_names(self) -> list[str]:
        names = getattr(self, "feature_names_in_", None)
        if names is None:
            return [f"x{i}" for i in range(self.n_features_in_)]
        return [str(n) for n in names]

    def predict(self, X) -> np.ndarray:
        """The selected model on the rows of ``X``; the training mean (``y_mean_``) where the
        model is undefined (``nan`` or infinite), so scores never see ``nan``."""
        check_is_fitted(self, "best_")
        X = validate_data(self, X, reset=False)
        out = np.array(self.best_.predict(np.asarray(X, dtype=np.float64)), dtype=np.float64)
        out[~np.isfinite(out)] = self.y_mean_
        return out

    def sympy(self, index: int | None = None) -> sp.Expr:
        """The selected model, or row ``index`` of ``equations_``, over the feature names."""
        check_is_fitted(self, "best_")
        if index is None:
            return self.best_.expr
        return self.equations_["model"].iloc[index].expr


def _mean_model(y: np.ndarray) -> Entry:
    """The constant model ``mean(y)`` as a hall-of-fame entry (``0 * x0 + mean``)."""
    return Entry(("x0",), np.zeros(0), 1.0, a=0.0, b=float(np.mean(y)))
