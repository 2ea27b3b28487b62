"""SRBench's machine-learning baselines of the black-box track, built from scikit-learn.

They have no symbolic expression (``MethodSpec(has_expression=False)``): the runner judges
their ``predict()`` and records their size by SRBench's own measure
(``experiment/methods/*.py`` of cavalab/srbench), so that they sit beside the SR methods on
SRBench's accuracy-simplicity plot:

==============  =======================================  ===========================================
method          estimator (settings)                     model size
==============  =======================================  ===========================================
random-forest   RandomForestRegressor(n_estimators=100)  nodes of all trees
hist-gb         HistGradientBoostingRegressor            nodes of all trees (XGB's measure;
                (max_iter=100, learning_rate=0.1,        stands in for SRBench's XGB and LGBM)
                max_depth=6)
kernel-ridge    StandardScaler on X and y, then          dual coefficients = training rows (a
                KernelRidge(kernel="rbf", alpha=0.1,     lower bound: the model also keeps every
                gamma=0.1)
                                                         training row)
mlp             StandardScaler on X and y, then          2 × (weights + biases), as SRBench
                MLPRegressor() (one hidden layer of 100  counts it (each parameter is a constant
                ReLU units, Adam, 200 epochs)            and an operation in expression terms)
==============  =======================================  ===========================================

SRBench's ``Linear`` is our ``linear`` method, which writes its fit out as an expression and
is measured like every expression (SRBench counted its coefficients).

SRBench tuned every model per dataset (5-fold halving grid search over the grids below, on
standardised X, and y standardised except for KernelRidge). The defaults here are fixed
settings from those grids, so a job costs one fit; ``tune=True``
(``run_benchmark(..., params={"random-forest": {"tune": True}})``) runs SRBench's search
instead: ``HalvingGridSearchCV`` over :data:`GRIDS` with a shuffled 5-fold split seeded by the
job's seed, scored by R², a failing candidate scoring 0. Standardising X only matters to the
kernel and the network (trees are invariant to it); y is standardised for KernelRidge too
because it fits no intercept (SRBench's raw y left it to the kernel).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data

__all__ = ["DEFAULTS", "GRIDS", "BlackboxBaseline", "build", "model_size"]

#: SRBench's hyperparameter grids (its ``hyper_params``); hist-gb's is its XGB/LGBM grid
GRIDS: dict[str, dict[str, tuple]] = {
    "random-forest": {
        "n_estimators": (10, 100, 1000),
        "min_weight_fraction_leaf": (0.0, 0.25, 0.5),
        "max_features": ("sqrt", "log2", None),
    },
    "hist-gb": {
        "max_iter": (10, 50, 100, 250, 500, 1000),
        "learning_rate": (0.0001, 0.01, 0.05, 0.1, 0.2),
    },
    "kernel-ridge": {
        "kernel": ("linear", "poly", "rbf", "sigmoid"),
        "alpha": (1e-4, 1e-2, 0.1, 1),
        "gamma": (0.01, 0.1, 1, 10),
    },
    "mlp": {
        "activation": ("logistic", "tanh", "relu"),
        "solver": ("lbfgs", "adam", "sgd"),
        "learning_rate": ("constant", "invscaling", "adaptive"),
    },
}

#: the fixed settings (from the grids) used when not tuning
DEFAULTS: dict[str, dict[str, Any]] = {
    "random-forest": {"n_estimators": 100, "n_jobs": 1},
    "hist-gb": {"max_iter": 100, "learning_rate": 0.1, "max_depth": 6},
    "kernel-ridge": {"kernel": "rbf", "alpha": 0.1, "gamma": 0.1},
    "mlp": {},  # scikit-learn's defaults, as SRBench's grid starts from
}
#: the models SRBench standardised y for (it standardised X for every model)
_SCALE_Y = {"kernel-ridge", "mlp"}
#: the models whose result depends on the scale of X (trees do not)
_SCALE_X = {"kernel-ridge", "mlp"}


def _estimator(name: str, params: Mapping[str, Any]):
    from sklearn.ensemble import HistGradientBoostingRegressor, RandomForestRegressor
    from sklearn.kernel_ridge import KernelRidge
    from sklearn.neural_network import MLPRegressor

    classes = {"random-forest": RandomForestRegressor, "hist-gb": HistGradientBoostingRegressor,
               "kernel-ridge": KernelRidge, "mlp": MLPRegressor}  # fmt: skip
    return classes[name](**{**DEFAULTS[name], **params})


def build(name: str, *, tune: bool = False, random_state: int | None = None, **params: Any):
    """An unfitted scikit-learn regressor for baseline ``name`` (a key of :data:`GRIDS`):
    the model with ``params`` over :data:`DEFAULTS`, standardised as SRBench did where the
    scale matters, wrapped in SRBench's grid search when ``tune``."""
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    if name not in GRIDS:
        raise KeyError(f"unknown baseline {name!r} (valid: {', '.join(GRIDS)})")
    if not isinstance(tune, bool):
        raise TypeError(f"tune must be True or False, got {tune!r}")
    if random_state is not None and name != "kernel-ridge":
        params = {**params, "random_state": random_state}
    est = _estimator(name, params)
    grid = {f"model__{k}": list(v) for k, v in GRIDS[name].items()}
    if name in _SCALE_X:
        est = Pipeline([("scale", StandardScaler()), ("model", est)])
    else:
        est = Pipeline([("model", est)])
    if name in _SCALE_Y:
        est = TransformedTargetRegressor(regressor=est, transformer=StandardScaler())
        grid = {f"regressor__{k}": v for k, v in grid.items()}
    if not tune:
        return est
    from sklearn.experimental import enable_halving_search_cv  # noqa: F401
    from sklearn.model_selection import HalvingGridSearchCV, KFold

    cv = KFold(n_splits=5, shuffle=True, random_state=random_state)
    return HalvingGridSearchCV(est, grid, cv=cv, scoring="r2", error_score=0.0, n_jobs=1,
                               random_state=random_state)  # fmt: skip


class BlackboxBaseline(RegressorMixin, BaseEstimator):
    """One of SRBench's ML baselines as a plain scikit-learn regressor.

    ``kind`` names the model (a key of :data:`GRIDS`), ``params`` overrides its settings,
    ``tune`` runs SRBench's grid search, ``random_state`` seeds it. Inputs are checked like
    every bundled method's (finite numbers only); the fitted model is ``model_``.
    """

    def __init__(
        self,
        kind: str = "random-forest",
        params: Mapping[str, Any] | None = None,
        tune: bool = False,
        random_state: int | None = None,
    ):
        self.kind = kind
        self.params = params
        self.tune = tune
        self.random_state = random_state

    def fit(self, X, y):
        X, y = validate_data(self, X, y, y_numeric=True)
        model = build(self.kind, tune=self.tune, random_state=self.random_state,
                      **dict(self.params or {}))  # fmt: skip
        self.model_ = model.fit(X, y)
        return self

    def predict(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return self.model_.predict(X)

    def model_size(self) -> float:
        """SRBench's size of the fitted model (see the module docstring)."""
        check_is_fitted(self)
        return model_size(self.kind, self.model_)


def _final(est):
    """The fitted model inside the grid search, target transformer and pipeline."""
    est = getattr(est, "best_estimator_", est)
    est = getattr(est, "regressor_", est)
    steps = getattr(est, "steps", None)
    return steps[-1][1] if steps else est


def model_size(name: str, fitted) -> float:
    """SRBench's size of a fitted baseline (see the module docstring)."""
    model = _final(fitted)
    if name == "random-forest":
        return float(sum(tree.tree_.node_count for tree in model.estimators_))
    if name == "hist-gb":
        # scikit-learn keeps the trees in a private attribute (no public accessor)
        return float(sum(len(p.nodes) for it in model._predictors for p in it))
    if name == "kernel-ridge":
        return float(model.dual_coef_.size)
    if name == "mlp":
        params = [*model.coefs_, *model.intercepts_]
        return float(2 * sum(p.size for p in params))
    raise KeyError(name)
