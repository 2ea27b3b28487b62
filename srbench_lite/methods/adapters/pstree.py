"""PS-Tree (``pstree``): piecewise symbolic regression, a decision tree over GP-built models.

Install
-------
``pstree`` 0.1.2 cannot be installed beside srbench-lite's own dependencies (tried with
Python 3.11, numpy 2.4, setuptools 84, also as ``pip install --no-build-isolation pstree``):
its dependency ``glmnet`` 2.2.1 is a source package whose ``setup.py`` declares
``python_requires=">=3.6.*"``, which setuptools 66 and later reject, and which compiles Fortran
with ``numpy.distutils`` (gfortran needed; ``numpy.distutils`` is gone on Python 3.12). It
needs its own environment: Python 3.10 or 3.11, numpy < 2, setuptools < 66, Cython (pstree
imports ``pyximport``) and gfortran, then ``pip install --no-build-isolation pstree`` (SRBench
used a conda environment). ``pstree`` also imports ``collections.Callable``, removed in Python
3.10; the adapter restores that alias (to ``collections.abc.Callable``) before importing it.
The adapter has not been run in srbench-lite's own environment.

Settings
--------
SRBench's (``experiment/methods/PSTreeRegressor.py``): ``PSTreeRegressor(regr_class=
GPRegressor, tree_class=DecisionTreeRegressor, height_limit=6, n_pop=25, n_gen=500,
normalize=False, basic_primitive='optimal', size_objective=True)`` and its default
``max_leaf_nodes=4``.

Time budget
-----------
PS-Tree has no time limit and no way to stop its generation loop early, so the method declares
no budget parameter: ``n_gen`` (SRBench's 500 generations of 25) sizes the run and the runner's
hard limit (budget x 1.5 + 30 s) stands.

Model
-----
PS-Tree's ``model()`` builds a sympy ``Piecewise`` (one weighted sum of GP models per leaf of
its tree, conditions ``feature <= threshold`` on the inputs or on GP-built features) and
returns its ``srepr``. The adapter takes the sympy object itself and rewrites it with the
functions the model parser accepts: each condition ``a <= t`` becomes the indicator
``(1 + sign(t - a)) / 2`` (see :func:`piecewise_to_indicators`), which equals the tree's
choice everywhere except exactly on a threshold. Variables are ``X0, X1, ...`` (dialect
``"x0"``).
"""

from __future__ import annotations

import sympy as sp
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data

__all__ = ["PSTreeRegressor", "indicator", "piecewise_to_indicators"]


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
    """PS-Tree with SRBench's settings; ``sympy()`` is its piecewise model as one expression."""

    def __init__(
        self,
        n_pop: int = 25,
        n_gen: int = 500,
        height_limit: int = 6,
        max_leaf_nodes: int = 4,
        basic_primitive: str = "optimal",
        size_objective: bool = True,
        random_state: int | None = None,
    ):
        self.n_pop = n_pop
        self.n_gen = n_gen
        self.height_limit = height_limit
        self.max_leaf_nodes = max_leaf_nodes
        self.basic_primitive = basic_primitive
        self.size_objective = size_objective
        self.random_state = random_state

    def fit(self, X, y):
        import numpy as np

        _restore_collections_callable()
        from pstree.cluster_gp_sklearn import GPRegressor
        from pstree.cluster_gp_sklearn import PSTreeRegressor as Tool
        from sklearn.tree import DecisionTreeRegressor

        X, y = validate_data(self, X, y, y_numeric=True, dtype=np.float64)
        seed = 0 if self.random_state is None else int(self.random_state)
        est = Tool(
            regr_class=GPRegressor, tree_class=DecisionTreeRegressor,
            height_limit=int(self.height_limit), n_pop=int(self.n_pop), n_gen=int(self.n_gen),
            normalize=False, basic_primitive=self.basic_primitive,
            size_objective=bool(self.size_objective), max_leaf_nodes=int(self.max_leaf_nodes),
            random_state=seed, random_seed=seed,
        )  # fmt: skip
        est.fit(X, y)
        self.estimator_ = est
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


def _restore_collections_callable() -> None:
    """pstree 0.1.2 does ``from collections import Callable`` (an alias removed in Python
    3.10); put the alias back so it imports."""
    import collections
    import collections.abc

    if not hasattr(collections, "Callable"):
        collections.Callable = collections.abc.Callable


def _tool_model(est) -> sp.Expr:
    """PS-Tree's ``model()`` as the sympy object it builds (the tool returns its ``srepr``,
    which only ``eval`` could read back): its module's ``srepr`` is the identity meanwhile."""
    from pstree import cluster_gp_sklearn as module

    original = module.srepr
    module.srepr = lambda obj: obj
    try:
        model = est.model()
    finally:
        module.srepr = original
    if not isinstance(model, sp.Expr):  # never parse the tool's text: that needs eval
        raise TypeError(f"PS-Tree's model() gave a {type(model).__name__}, not a sympy object")
    return model
