"""``GPRegressor``: the scikit-learn face of the built-in GP engine."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_random_state

from srbench_lite.engines.base import EngineRegressor, SearchOutcome
from srbench_lite.engines.common.budget import Budget
from srbench_lite.engines.gp.prior_sets import PRIOR_SETS, resolve_priors
from srbench_lite.engines.gp.priors import Priors
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


class GPRegressor(EngineRegressor):
    """Genetic-programming symbolic regression (numpy/numba; no outside tool).

    Islands of age-regularised evolution with a per-size hall of fame, linear scaling and LM
    constant fitting, candidates scored a batch at a time by a compiled evaluator. Before
    evolving, a power-law pass (``y = k * prod x_i**e_i`` fitted in log space) and a screening
    of transformed targets ``T(y / M)`` (``M`` a power law, ``T`` one of identity, 1/w, w²,
    1/w², log|w|, e^w, sin w, atanh w, ...) against sums of up to three library terms pick the
    ``n_extra_targets`` most promising targets; some islands evolve models of those, mapped
    back to models of ``y``. ``M`` also comes from the variables with clean integer exponents,
    or, when one variable alone sets the sign of ``y``, from the others; sums of a variable and
    a power law are tried directly. Stalled islands restart.

    What the screening assumes is a prior set (``priors``): ``"general"`` (the default) holds
    only general shapes (:mod:`srbench_lite.engines.gp.priors`); ``"physics"`` adds templates
    of particular physics laws (:mod:`srbench_lite.engines.gp.physics_priors`) and is
    registered as its own method, ``gp-physics``.

    The fit, the finishing stage, selection and ``predict`` are the shared skeleton of
    :class:`~srbench_lite.engines.base.EngineRegressor`, whose docstring lists the fitted
    attributes (``best_``, ``expression_``, ``equations_``, ``front_``, ``n_iterations_``,
    ``n_evaluations_``, ``stop_reason_``, ``search_info_``, ``y_mean_``, ``fit_time_s_``).

    Parameters
    ----------
    time_budget_s : float or None, default=60.0
        Wall-clock seconds for the whole fit, finishing included (shared out by
        :class:`~srbench_lite.engines.common.budget.Budget`). ``None``: no time limit (then
        ``n_iterations`` must be set).
    n_iterations : int or None, default=None
        Generations to evolve at most. With ``time_budget_s=None`` a run is reproducible for a
        fixed ``random_state``; ``0`` keeps only the seeds of the screening.
    operators : tuple of str or None, default=None
        Operator tokens (``engines/common/README.md``); ``None``: :data:`DEFAULT_OPERATORS`.
    population_size : int, default=100
        Members per island (at least 4 are used).
    n_islands : int, default=8
        Islands; half of them evolve ``y``, the others the extra targets.
    max_complexity : int, default=35
        Most tokens a program may have.
    subsample : int, default=256
        Rows the search scores on (a random subset; at least 10); finishing uses all rows.
    model_selection : {"mdl", "score", "parsimony", "best"}, default="mdl"
        How one finished model is selected (``common.finish.select``): description length,
        PySR's score, parsimony, or the lowest loss.
    early_stop_loss : float or None, default=1e-16
        A training NMSE below this ends the search once shorter perfect fits stop appearing;
        ``None``: never stop early.
    n_extra_targets : int, default=3
        Transformed targets from the screening that get islands; ``0`` switches it off.
    simplify_timeout_s : float or None, default=2.0
        Seconds per sympy rewrite in the finishing stage; ``None``: no limit.
    priors : {"general", "physics"} or Priors, default="general"
        The screening's prior set (``gp.prior_sets``).
    random_state : int, RandomState instance or None, default=None
        Seed of the search and of the finishing stage's row subset.
    """

    _parameter_constraints: dict = {
        **EngineRegressor._parameter_constraints,
        "population_size": [Interval(Integral, 1, None, closed="left")],
        "n_islands": [Interval(Integral, 1, None, closed="left")],
        "max_complexity": [Interval(Integral, 1, None, closed="left")],
        "subsample": [Interval(Integral, 1, None, closed="left")],
        "early_stop_loss": [Interval(Real, 0, None, closed="left"), None],
        "n_extra_targets": [Interval(Integral, 0, None, closed="left")],
        "priors": [StrOptions(set(PRIOR_SETS)), Priors],
    }

    def __init__(
        self,
        *,
        time_budget_s: float | None = 60.0,
        n_iterations: int | None = None,
        operators: tuple[str, ...] | None = None,
        population_size: int = 100,
        n_islands: int = 8,
        max_complexity: int = 35,
        subsample: int = 256,
        model_selection: str = "mdl",
        early_stop_loss: float | None = 1e-16,
        n_extra_targets: int = 3,
        simplify_timeout_s: float | None = 2.0,
        priors: str | Priors = "general",
        random_state=None,
    ):
        self.time_budget_s = time_budget_s
        self.n_iterations = n_iterations
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

    def _search(self, X: np.ndarray, y: np.ndarray, budget: Budget) -> SearchOutcome:
        """Power laws and screening, then islands of evolution (:func:`.search.run_search`)."""
        rng = np.random.default_rng(check_random_state(self.random_state).randint(2**31 - 1))
        config = SearchConfig(
            operators=tuple(DEFAULT_OPERATORS if self.operators is None else self.operators),
            population_size=max(4, int(self.population_size)),
            n_islands=int(self.n_islands),
            max_complexity=int(self.max_complexity),
            subsample=max(10, int(self.subsample)),
            early_stop_loss=self.early_stop_loss,
            n_extra_targets=int(self.n_extra_targets),
            priors=resolve_priors(self.priors),
        )
        deadline, limit = budget.search_deadline, self.n_iterations
        result = run_search(X, y, config, rng, deadline=deadline, generations=limit, budget=budget)
        return SearchOutcome(
            result.front.entries(),
            n_iterations=result.generations,
            n_evaluations=result.evaluations,
            stop_reason=result.stopped,
            finish_seed=int(rng.integers(2**31 - 1)),
            info=result.info,
        )
