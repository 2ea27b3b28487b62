"""Plain baselines that every leaderboard needs: a constant and ordinary least squares.

Both follow the method contract (:mod:`srbench_lite.methods.spec`): scikit-learn regressors
whose ``sympy()`` returns the fitted expression over ``x0, x1, ...`` (or over the column names
when fitted on a pandas DataFrame).
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.linear_model import LinearRegression
from sklearn.utils.validation import check_is_fitted, validate_data

__all__ = ["ConstantRegressor", "LinearExpressionRegressor", "feature_symbols"]


def feature_symbols(estimator: BaseEstimator, n_features: int) -> list[sp.Symbol]:
    """Symbols for the columns an estimator was fitted on: its ``feature_names_in_`` or x0..."""
    names = getattr(estimator, "feature_names_in_", None)
    if names is None:
        names = [f"x{i}" for i in range(n_features)]
    return [sp.Symbol(str(n)) for n in names]


def _number(value: float) -> sp.Float:
    return sp.Float(float(value), 17)


class ConstantRegressor(RegressorMixin, BaseEstimator):
    """Predicts the training mean: the floor every method should beat."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.regressor_tags.poor_score = True  # a constant scores R² = 0 by design
        return tags

    def fit(self, X, y):
        X, y = validate_data(self, X, y, y_numeric=True)
        self.constant_ = float(np.mean(y))
        return self

    def predict(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return np.full(X.shape[0], self.constant_)

    def sympy(self) -> sp.Expr:
        check_is_fitted(self)
        return _number(self.constant_)


class LinearExpressionRegressor(RegressorMixin, BaseEstimator):
    """Ordinary least squares (scikit-learn ``LinearRegression``) written out as an expression."""

    def fit(self, X, y):
        X, y = validate_data(self, X, y, y_numeric=True)
        self.model_ = LinearRegression().fit(X, y)
        self.coef_ = self.model_.coef_
        self.intercept_ = float(self.model_.intercept_)
        return self

    def predict(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return self.model_.predict(X)

    def sympy(self) -> sp.Expr:
        check_is_fitted(self)
        symbols = feature_symbols(self, self.n_features_in_)
        terms = [_number(c) * s for c, s in zip(self.coef_, symbols, strict=True) if c != 0]
        return sp.Add(_number(self.intercept_), *terms)
