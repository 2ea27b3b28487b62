"""The GP engine searches with the rarer operators: atan, sinh, cosh and the cube root."""

from __future__ import annotations

import numpy as np
import pytest

from srbench_lite.engines.gp import GPRegressor
from srbench_lite.engines.gp.regressor import DEFAULT_OPERATORS
from srbench_lite.engines.gp.variation import OperatorSet
from srbench_lite.metrics import symbolic_recovery

RARE = ("tanh", "asin", "acos", "atan", "sinh", "cosh", "cbrt")


def _recovers(y_of, truth: str, generations: int, operators=None) -> tuple[bool, str]:
    X = np.random.default_rng(5).uniform(0.5, 3.0, size=(200, 2))
    m = GPRegressor(
        time_budget_s=None, n_iterations=generations, random_state=0, operators=operators
    ).fit(X, y_of(X))
    return symbolic_recovery(m.sympy(), truth, feature_names=["x0", "x1"], X=X).solved, str(
        m.expression_
    )


def test_rare_operators_are_default_but_sampled_less():
    assert set(RARE) <= set(DEFAULT_OPERATORS)
    ops = OperatorSet.build(DEFAULT_OPERATORS, 2)
    w = dict(zip(ops.unary, np.diff((0.0, *ops.unary_cw)), strict=True))
    assert all(w[o] < w["sin"] for o in RARE)
    assert sum(w[o] for o in RARE) < 0.25 * sum(w.values())


@pytest.mark.parametrize(
    "law, truth",
    [
        (lambda X: np.sinh(X[:, 0]), "sinh(x0)"),
        (lambda X: np.cbrt(X[:, 0] * X[:, 1]), "(x0*x1)**(1/3)"),
    ],
)
def test_default_operators_recover(law, truth):
    solved, model = _recovers(law, truth, generations=3)
    assert solved, model


@pytest.mark.parametrize(
    "law, truth",
    [
        (lambda X: np.arctan(X[:, 0]) * X[:, 1], "atan(x0)*x1"),
        (lambda X: np.cbrt(X[:, 0] + X[:, 1]), "(x0 + x1)**(1/3)"),
        (lambda X: X[:, 1] * np.cosh(X[:, 0]), "x1*cosh(x0)"),
    ],
)
def test_searches_with_the_new_operators(law, truth):
    ops = ("add", "sub", "mul", "div", "atan", "sinh", "cosh", "cbrt")
    solved, model = _recovers(law, truth, generations=5, operators=ops)
    assert solved, model
