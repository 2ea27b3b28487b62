"""PS-Tree (``pstree``): piecewise symbolic regression, a decision tree over GP-built models.

Install
-------
``pstree`` 0.1.2 cannot be installed beside srbench-lite's own dependencies: its dependency
``glmnet`` 2.2.1 is a source package whose ``setup.py`` declares ``python_requires=">=3.6.*"``,
which setuptools 66 and later reject, and which compiles Fortran with ``numpy.distutils``
(gfortran needed; ``numpy.distutils`` is gone with numpy 2 and Python 3.12). The method
declares its own environment (``srbench_lite/methods/bundled/pstree.py``), built by
``srbench-lite env create ps-tree``: Python 3.11, numpy < 2, setuptools < 66, Cython (pstree
imports ``pyximport``), then ``glmnet``, ``bluepyopt`` (for one DEAP selection operator; its own
neuron-simulation requirements are left out) and ``pstree`` installed without build isolation
(SRBench used a conda environment). ``pstree`` imports ``collections.Callable``, removed in
Python 3.10: :func:`import_pstree` restores that alias first.

Settings
--------
SRBench's (``experiment/methods/PSTreeRegressor.py``): ``PSTreeRegressor(regr_class=
GPRegressor, tree_class=DecisionTreeRegressor, height_limit=6, n_pop=25, n_gen=500,
normalize=False, basic_primitive='optimal', size_objective=True)`` and its default
``max_leaf_nodes=4``.

Time budget
-----------
PS-Tree has no time limit and no way to stop its generation loop early, so the adapter hands
pstree a subclass of its ``GPRegressor`` whose search keeps a :class:`GenerationClock`: at the
end of each generation (where pstree compiles its statistics) the clock stops the search when
less time is left than two generations (the next and the final refit), each estimated by the
slowest of the last five; the adapter then finishes as pstree does after its last generation
(:func:`_finish_search`: the final Lasso refit and tree). ``n_gen`` (500) stays an upper bound.
On the smoke problems (150 rows) a generation takes 0.05-0.1 s here, so 500 take 50-60 s:
at a 20 s budget the search stops after 150-250 generations, the fit within about a second of
the budget.

Model
-----
PS-Tree's ``model()`` builds a sympy ``Piecewise`` (one weighted sum of GP models per leaf of
its tree, conditions ``feature <= threshold`` on the inputs or on GP-built features) and
returns its ``srepr``. The adapter takes the sympy object itself (:func:`_tool_model`: the
``Piecewise`` unevaluated, so that every leaf keeps its whole path of conditions, and random
constants written by value, see :func:`constants_by_value`) and rewrites it with the
functions the model parser accepts: each condition ``a <= t`` becomes the indicator
``(1 + sign(t - a)) / 2`` (see :func:`piecewise_to_indicators`), which equals the tree's
choice everywhere except exactly on a threshold. Variables are ``X0, X1, ...`` (dialect
``"x0"``).
"""

from __future__ import annotations

import time

import sympy as sp
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from srbench_lite.methods.adapters._common import Deadline

__all__ = [
    "PSTreeRegressor",
    "constants_by_value",
    "import_pstree",
    "indicator",
    "piecewise_to_indicators",
]


def indicator(condition) -> sp.Expr:
    """``1`` where ``condition`` holds and ``0`` where it does not (``1/2`` on the boundary of a
    comparison), from ``sign``: a relational ``a < b``, ``a <= b``, ``a > b``, ``a >= b``, an
    ``And`` of them, or ``True``."""
    if condition is sp.true or condition is True:
        return sp.Integer(1)
    if isinstance(condition, sp.And):
        return sp.Mul(*[indicator(c) for c in condition.args])
    if isinstance(condition, sp.LessThan | sp.StrictLessThan):
        return (1 + sp.sign(condition.rhs - condition.lhs)) / 2
    if isinstance(condition, sp.GreaterThan | sp.StrictGreaterThan):
        return (1 + sp.sign(condition.lhs - condition.rhs)) / 2
    raise ValueError(f"cannot express the condition {condition} as an indicator")


def piecewise_to_indicators(expr: sp.Expr) -> sp.Expr:
    """A ``Piecewise`` whose conditions are comparisons (or ``And``s of them) rewritten as
    ``sum_k value_k * indicator(condition_k)``; any other expression is returned unchanged.
    Conditions must not overlap (a decision tree's leaves do not)."""
    if not isinstance(expr, sp.Piecewise):
        return expr
    return sp.Add(*[value * indicator(cond) for value, cond in expr.args])


class PSTreeRegressor(RegressorMixin, BaseEstimator):
    """PS-Tree with SRBench's settings and a wall-clock budget; ``sympy()`` is its piecewise
    model as one expression.

    ``n_generations_`` says how many generations ran and ``stopped_by_`` why the search ended
    (``"generations"`` or ``"time_budget"``).
    """

    def __init__(
        self,
        n_pop: int = 25,
        n_gen: int = 500,
        height_limit: int = 6,
        max_leaf_nodes: int = 4,
        basic_primitive: str = "optimal",
        size_objective: bool = True,
        time_budget_s: float | None = None,
        random_state: int | None = None,
    ):
        self.n_pop = n_pop
        self.n_gen = n_gen
        self.height_limit = height_limit
        self.max_leaf_nodes = max_leaf_nodes
        self.basic_primitive = basic_primitive
        self.size_objective = size_objective
        self.time_budget_s = time_budget_s
        self.random_state = random_state

    def fit(self, X, y):
        import numpy as np
        from sklearn.tree import DecisionTreeRegressor

        deadline = Deadline(self.time_budget_s)
        X, y = validate_data(self, X, y, y_numeric=True, dtype=np.float64)
        if len(X) < 2:  # pstree's correlations need two
            raise ValueError(f"PS-Tree needs at least 2 samples, got n_samples = {len(X)}")
        if int(self.n_gen) < 1 or int(self.n_pop) < 1:
            raise ValueError(f"n_gen and n_pop must be >= 1, got {self.n_gen!r} and {self.n_pop!r}")
        module = import_pstree()
        clock = GenerationClock(deadline)
        seed = 0 if self.random_state is None else int(self.random_state)
        est = module.PSTreeRegressor(
            regr_class=_timed_gp_class(module.GPRegressor, clock),
            tree_class=DecisionTreeRegressor,
            height_limit=int(self.height_limit), n_pop=int(self.n_pop), n_gen=int(self.n_gen),
            normalize=False, basic_primitive=self.basic_primitive,
            size_objective=bool(self.size_objective), max_leaf_nodes=int(self.max_leaf_nodes),
            random_state=seed, random_seed=seed,
        )  # fmt: skip
        est.fit(X, y)
        self.estimator_ = est
        self.n_generations_ = clock.generations
        self.stopped_by_ = "time_budget" if clock.stopped else "generations"
        self.expression_ = piecewise_to_indicators(_tool_model(est))
        return self

    def predict(self, X):
        import numpy as np

        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return np.asarray(self.estimator_.predict(X), dtype=np.float64).ravel()

    def sympy(self) -> sp.Expr:
        """PS-Tree's model over ``X0, X1, ...`` with its tree's conditions as indicators."""
        check_is_fitted(self)
        return self.expression_


class OutOfTime(Exception):
    """Raised at the end of a generation when the next one would overrun the budget."""


class GenerationClock:
    """Times PS-Tree's generations and ends its search before the budget runs out.

    It wraps the DEAP ``Statistics`` that PS-Tree's ``moea`` loop compiles once after its
    initial evaluation and once at the end of every generation (after survival selection):
    there it raises :class:`OutOfTime` when the time left is less than two generations (the
    next one and the final refit), each estimated by the slowest of the last five.
    """

    def __init__(self, deadline: Deadline):
        self.deadline = deadline
        self.stats = None
        self.times: list[float] = []
        self.population = None  # the population as of the last completed generation
        self.stopped = False
        self._last = 0.0

    @property
    def generations(self) -> int:
        """Generations completed (the initial evaluation not counted)."""
        return max(0, len(self.times) - 1)

    def start(self, stats) -> GenerationClock:
        """Begin timing a search whose own statistics are ``stats``; returns the clock."""
        self.stats, self.times, self._last = stats, [], time.perf_counter()
        return self

    @property
    def fields(self):
        return self.stats.fields

    def compile(self, population):
        record = self.stats.compile(population)
        now = time.perf_counter()
        self.times.append(now - self._last)
        self._last = now
        self.population = population
        if self.deadline.remaining() < 2 * max(self.times[-5:]):
            self.stopped = True
            raise OutOfTime
        return record


def _timed_gp_class(gp_regressor: type, clock: GenerationClock) -> type:
    """A subclass of pstree's ``GPRegressor`` whose search stops on ``clock``'s word and
    then finishes as pstree's own ``moea`` does after its last generation."""

    class TimedGPRegressor(gp_regressor):
        def moea(self, population, toolbox, *args, stats=None, **kwargs):
            try:
                return super().moea(population, toolbox, *args, stats=clock.start(stats), **kwargs)
            except OutOfTime:
                return _finish_search(self, clock.population, toolbox), None

    return TimedGPRegressor


def _finish_search(gp, population, toolbox):
    """The end of pstree 0.1.2's ``GPRegressor.moea``, after its generation loop: restore the
    best leaf count, refit the best features' models (Lasso pruning), and build the final
    tree over them."""
    gp.super_object.max_leaf_nodes = gp.best_leaf_node_num
    gp.super_object.soft_tree = gp.super_object.final_soft_tree
    if gp.final_prune is not None:
        toolbox.evaluate(gp.best_pop, final_model=gp.final_prune)
    features = gp.feature_synthesis(gp.train_data, gp.best_pop, gp.original_features)
    gp.adaptive_tree_generation(features, gp.pipelines)
    return population


def import_pstree():
    """``pstree.cluster_gp_sklearn``, imported once the alias it needs is back: pstree 0.1.2
    does ``from collections import Callable``, removed in Python 3.10, so the alias is set
    to ``collections.abc.Callable`` first."""
    import collections
    import collections.abc
    import importlib

    if not hasattr(collections, "Callable"):
        collections.Callable = collections.abc.Callable
    return importlib.import_module("pstree.cluster_gp_sklearn")


def _tool_model(est) -> sp.Expr:
    """PS-Tree's model as the sympy object its ``model()`` builds, made to match ``predict()``.

    ``model()`` returns the ``srepr`` of that object, which only ``eval`` could read back, so
    meanwhile its module's ``srepr`` is the identity. Also meanwhile: its genes are written
    with their constants' values (:func:`constants_by_value`); its ``Piecewise`` is built
    unevaluated (sympy would drop from each leaf's path the conditions that earlier leaves'
    failing conditions imply, and the leaves would no longer be disjoint); and it sees only
    the pipelines ``predict()`` uses. ``predict()`` weighs pipeline ``i`` by column ``i`` of
    the final tree's ``predict_proba``, for as many pipelines as the tree has classes, where
    ``model()`` would weigh every pipeline (an ``IndexError`` when a pipeline never won a
    sample) and, for a tree of one leaf, keep pipeline 0 alone."""
    from pstree import cluster_gp_sklearn as module
    from pstree import gp_visualization_utils as visual

    n_weights = len(getattr(est.tree, "classes_", ())) or None  # None: not a classifier
    patches = [
        (module, "srepr", lambda obj: obj),
        (module, "Piecewise", lambda *pieces: sp.Piecewise(*pieces, evaluate=False)),
        (module, "gene_to_string", constants_by_value(module.gene_to_string)),
        (visual, "gene_to_string", constants_by_value(visual.gene_to_string)),
        (est.regr, "pipelines", est.regr.pipelines[:n_weights]),
    ]
    originals = [(owner, name, getattr(owner, name)) for owner, name, _ in patches]
    try:
        for owner, name, replacement in patches:
            setattr(owner, name, replacement)
        if n_weights is not None and est.tree.tree_.node_count == 1:
            value = est.tree.tree_.value[0][0]
            model = sp.Add(*[
                float(w) * visual.multigene_gp_to_string(i, est.regr)
                for i, w in enumerate(value / value.sum())
            ])  # fmt: skip
        else:
            model = est.model()
    finally:
        for owner, name, original in originals:
            setattr(owner, name, original)
    if not isinstance(model, sp.Expr):  # never parse the tool's text: that needs eval
        raise TypeError(f"PS-Tree's model() gave a {type(model).__name__}, not a sympy object")
    return model


def constants_by_value(gene_to_string):
    """pstree's ``gene_to_string`` writing each random constant as its value.

    pstree writes a terminal by its ``name``; with deap 1.4 (the first with the
    ``MetaEphemeral`` pstree imports) a random constant's name is its generator's,
    ``rand101``, for every value. Each one is handed over as a plain terminal named by
    ``str(value)`` (a float's shortest repr, so no digits are lost)."""

    def write(gene) -> str:
        from deap.gp import MetaEphemeral, Terminal

        nodes = [
            Terminal(node.value, False, node.ret) if isinstance(type(node), MetaEphemeral) else node
            for node in gene
        ]
        return gene_to_string(nodes)

    return write
