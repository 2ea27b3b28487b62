"""The shared engine toolkit: tokens, evaluation, scaling, LM constants, front, simplify."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from srbench_lite.engines.common import (
    ARITY,
    Entry,
    ParetoFront,
    columns,
    evaluate,
    fit_constants,
    from_sympy,
    linear_scale,
    n_constants,
    select_model,
    subtree_end,
    subtrees,
    to_infix,
    to_sympy,
    validate,
)

OPS = sorted(ARITY)


def random_tokens(rng: np.random.Generator, depth: int, n_features: int) -> list[str]:
    if depth == 0 or rng.random() < 0.25:
        r = rng.random()
        if r < 0.6:
            return [f"x{rng.integers(n_features)}"]
        if r < 0.85:
            return ["c"]
        return [str(rng.choice(["1", "2", "0.5", "-1", "pi"]))]
    op = str(rng.choice(OPS))
    out = [op]
    for _ in range(ARITY[op]):
        out += random_tokens(rng, depth - 1, n_features)
    return out


def test_evaluator_matches_sympy_lambdify_on_random_trees():
    rng = np.random.default_rng(0)
    X = rng.uniform(0.5, 2.0, size=(64, 3))
    cols = columns(X)
    checked = 0
    for _ in range(300):
        toks = tuple(random_tokens(rng, 4, 3))
        validate(toks, 3)
        consts = rng.uniform(0.5, 1.5, size=n_constants(toks))
        got = evaluate(toks, cols, consts)
        if got is None:  # rejected: some intermediate was non-finite
            continue
        expr = to_sympy(toks, consts, ["x0", "x1", "x2"])
        if expr.has(sp.zoo, sp.nan):  # exact singularity rounding hides: 1/cos(asin(1))
            continue
        f = sp.lambdify(sp.symbols("x0 x1 x2"), expr, "numpy")
        with np.errstate(all="ignore"):
            want = np.broadcast_to(np.asarray(f(X[:, 0], X[:, 1], X[:, 2]), float), (64,))
        checked += 1
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)
    assert checked > 150


def test_non_finite_intermediates_are_rejected():
    X = np.array([[1.0, 2.0], [3.0, 4.0]])
    # numpy would give x0 / (x0 / 0) == 0; we reject it
    assert evaluate(("div", "x0", "div", "x0", "sub", "x1", "x1"), X) is None
    assert evaluate(("log", "neg", "x0"), X) is None
    assert evaluate(("exp", "exp", "exp", "x1"), X) is None
    assert evaluate(("inv", "exp", "exp", "exp", "x1"), X) is None
    np.testing.assert_allclose(evaluate(("c",), X, [2.5]), [2.5, 2.5])


def test_token_structure_helpers():
    toks = ("add", "mul", "c", "sin", "x0", "div", "x1", "2")
    validate(toks)
    assert subtree_end(toks, 1) == 5
    assert subtrees(toks)[5] == (5, 8)
    assert to_infix(toks) == "((c0 * sin(x0)) + (x1 / 2))"
    with pytest.raises(ValueError, match="unknown token"):
        validate(("add", "x0", "foo"))
    with pytest.raises(ValueError, match="incomplete"):
        validate(("add", "x0"))
    with pytest.raises(ValueError, match="extra tokens"):
        validate(("x0", "x1"))


def test_sympy_round_trip():
    toks = ("add", "mul", "c", "sin", "x0", "div", "x1", "0.5")
    expr = to_sympy(toks, [1.5], ["a", "b"])
    assert sp.simplify(expr - (1.5 * sp.sin(sp.Symbol("a")) + 2 * sp.Symbol("b"))) == 0
    back, consts = from_sympy(expr, ["a", "b"])
    X = np.random.default_rng(1).uniform(1, 2, size=(20, 2))
    np.testing.assert_allclose(evaluate(back, X, consts), evaluate(toks, X, [1.5]))


def test_indexed_parameters_can_repeat():
    # p0 * x0 + p0 / 2 * x1: one parameter used twice (how the finishing stage ties constants)
    p0 = sp.Symbol("p0")
    a, b = sp.symbols("a b")
    toks, consts = from_sympy(p0 * a + p0 / 2 * b, ["a", "b"], [p0])
    assert consts == [] and toks.count("p0") == 2
    validate(toks, 2)
    assert n_constants(toks) == 1
    X = np.random.default_rng(2).uniform(1, 2, size=(10, 2))
    np.testing.assert_allclose(evaluate(toks, X, [3.0]), 3 * X[:, 0] + 1.5 * X[:, 1])
    assert sp.simplify(to_sympy(toks, [3.0], ["a", "b"]) - (3 * a + 1.5 * b)) == 0
    with pytest.raises(ValueError, match="not both"):
        validate(("add", "c", "p0"))


def test_linear_scaling_matches_polyfit():
    rng = np.random.default_rng(2)
    p = rng.normal(size=200)
    y = 3.0 * p - 2.0 + rng.normal(scale=0.1, size=200)
    a, b, mse = linear_scale(p, y)
    pa, pb = np.polyfit(p, y, 1)
    assert a == pytest.approx(pa, rel=1e-10)
    assert b == pytest.approx(pb, rel=1e-10)
    assert mse == pytest.approx(np.mean((pa * p + pb - y) ** 2), rel=1e-10)
    a0, b0, _ = linear_scale(np.full(10, 4.0), np.arange(10.0))
    assert (a0, b0) == (0.0, 4.5)


def test_lm_recovers_constants():
    rng = np.random.default_rng(3)
    X = rng.uniform(-2, 2, size=(300, 2))
    y = 2.0 * np.sin(1.7 * X[:, 0]) + 0.25 * X[:, 1] + 1.0
    toks = ("add", "sin", "mul", "c", "x0", "mul", "c", "x1")
    fit = fit_constants(toks, [1.5, 1.0], X, y)
    assert fit.loss < 1e-20
    model = fit.a * evaluate(toks, X, fit.consts) + fit.b
    np.testing.assert_allclose(model, y, atol=1e-9)
    assert fit.consts[0] == pytest.approx(1.7, rel=1e-8)
    unscaled = fit_constants(
        ("mul", "c", "exp", "mul", "c", "x0"), [1.0, 1.0], X, 3 * np.exp(-X[:, 0]), scale=False
    )
    np.testing.assert_allclose(unscaled.consts, [3.0, -1.0], rtol=1e-8)


def test_front_keeps_best_per_complexity_and_selects():
    front = ParetoFront(max_complexity=10)
    assert front.update(("x0",), [], 1.0)
    assert not front.update(("x1",), [], 2.0)  # worse at the same complexity
    assert front.update(("x1",), [], 0.5)
    assert front.update(("mul", "c", "x0"), [2.0], 0.6)  # dominated by size 1
    assert front.update(("add", "x0", "x1"), [], 1e-8)
    assert front.update(("add", "x0", "add", "x1", "c"), [1e-6], 9e-9)
    assert not front.update(tuple(["neg"] * 10 + ["x0"]), [], 1e-12)  # too complex
    ents = front.entries()
    assert [e.complexity for e in ents] == [1, 3, 5]
    assert ents[0].tokens == ("x1",)
    chosen = select_model(ents, method="score")
    assert chosen.tokens == ("add", "x0", "x1")
    assert select_model(ents, method="best").complexity == 5
    assert select_model(ents, method="parsimony").complexity == 3
    with pytest.raises(ValueError):
        select_model([])


def test_entry_predict_and_sympy_include_scaling():
    e = Entry(("sin", "x0"), [], 0.0, a=2.0, b=1.0)
    X = np.array([[0.5], [1.0]])
    np.testing.assert_allclose(e.predict(X), 2 * np.sin(X[:, 0]) + 1)
    assert sp.simplify(e.sympy(["t"]) - (2 * sp.sin(sp.Symbol("t")) + 1)) == 0
