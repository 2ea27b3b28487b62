"""The operators every engine can search with: derivatives of the LM kernel, domains, the sympy
round trip (and the model-string parser) and the simplification rules of the newer ones."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from srbench_lite.engines.common import evaluate, from_sympy, n_constants, to_sympy
from srbench_lite.engines.common.batch import Data, backend, fit_many, use_backend
from srbench_lite.engines.common.evaluate import evaluate_unchecked
from srbench_lite.engines.common.operators import OPS
from srbench_lite.engines.common.rules import simplify_tokens
from srbench_lite.expr import parse_model

BACKENDS = ["numpy"] + (["numba"] if backend() == "numba" else [])
NEW = ("atan", "sinh", "cosh", "cbrt")


def _program(op: str) -> tuple[str, ...]:
    """``op`` applied to affine functions of the features, with constants on every side."""
    if OPS[op].arity == 1:
        return (op, "add", "mul", "c", "x0", "c")
    return (op, "add", "mul", "c", "x0", "c", "mul", "c", "x1")


@pytest.mark.parametrize("op", sorted(OPS))
def test_forward_mode_derivatives_match_finite_differences(op):
    pytest.importorskip("numba")
    from srbench_lite.engines.common.fit_kernel import _run_grad
    from srbench_lite.engines.common.program import pack
    from srbench_lite.engines.common.stack import SCRATCH

    X = np.random.default_rng(0).uniform(0.2, 0.95, size=(40, 2))
    toks = _program(op)
    c = np.array([0.7, 0.1, 0.9][: n_constants(toks)])  # arguments in (0.24, 0.77): every domain
    P = pack([toks], [c])
    XT = np.ascontiguousarray(X.T)
    k, n = len(c), X.shape[0]
    st = np.empty((P.depth + SCRATCH + 2, n))
    dst = np.empty((P.depth, k, n))
    dep = np.zeros(P.depth, dtype=np.bool_)
    ok = _run_grad(P.nodes[0], P.nodes[1], 0, P.progs[1, 0], P.vals, 0, k, XT, st, dst, dep)
    assert ok and dep[0]
    np.testing.assert_allclose(st[0], evaluate(toks, X, c), rtol=1e-13)
    h = 1e-6
    for q in range(k):
        e = np.eye(k)[q] * h
        fd = (evaluate(toks, X, c + e) - evaluate(toks, X, c - e)) / (2 * h)
        np.testing.assert_allclose(dst[0, q], fd, rtol=1e-6, atol=1e-8, err_msg=f"{op} c{q}")


@pytest.mark.parametrize("name", BACKENDS)
def test_lm_fits_the_constants_inside_the_new_operators(name):
    X = np.random.default_rng(1).uniform(0.5, 2.0, size=(60, 1))
    x = X[:, 0]
    truth = {"atan": np.arctan, "sinh": np.sinh, "cosh": np.cosh, "cbrt": np.cbrt}
    progs = [(op, "add", "mul", "c", "x0", "c") for op in NEW]
    for op, toks in zip(NEW, progs, strict=True):
        inner = 1.3 * x + (0.4 if op == "cbrt" else -0.4)
        y = 2.0 * truth[op](inner) + 0.5
        with use_backend(name):
            fit = fit_many([toks], [np.array([1.0, 0.1])], Data.from_xy(X, y), iters=60)
        assert fit.loss[0] < 1e-12, op
        c = fit.consts[0]
        if op == "cbrt":  # cbrt(k u) = cbrt(k) cbrt(u): the scaling absorbs k
            c = c / c[0] * 1.3
        np.testing.assert_allclose(c, [1.3, inner[0] - 1.3 * x[0]], rtol=1e-5, err_msg=op)


def test_cbrt_is_the_real_cube_root_of_a_non_negative_number():
    X = np.array([[8.0], [0.0], [1e300], [5e-324], [-8.0]])
    got = evaluate_unchecked(("cbrt", "x0"), X)
    np.testing.assert_allclose(got[:4], np.cbrt(X[:4, 0]), rtol=1e-15)
    assert np.isnan(got[4])  # as lambdify of sympy's x**(1/3) and sqrt of a negative
    assert evaluate(("cbrt", "x0"), X) is None
    assert evaluate(("sqrt", "x0"), X) is None
    for name in BACKENDS:
        with use_backend(name):
            fit = fit_many([("cbrt", "x0")], [None], Data.from_xy(X, np.arange(5.0)))
        assert fit.loss[0] == np.inf, name
    with pytest.raises(ValueError):
        OPS["cbrt"].value(-8.0)


def test_sympy_forms_convert_both_ways():
    x, y = sp.symbols("x0 x1")
    cases = {
        ("mul", "x1", "atan", "x0"): sp.atan(x) * y,
        ("sinh", "x0"): sp.sinh(x),
        ("cosh", "x0"): sp.cosh(x),
        ("cbrt", "mul", "x0", "x1"): (x * y) ** sp.Rational(1, 3),
    }
    for toks, expr in cases.items():
        assert sp.simplify(to_sympy(toks) - expr) == 0
        assert from_sympy(expr) == (toks, [])
        # printed, parsed back by the model-string parser, and back to the same tokens
        assert from_sympy(parse_model(str(to_sympy(toks)), feature_names=["x0", "x1"]))[0] == toks
    assert from_sympy(sp.cbrt(x))[0] == ("cbrt", "x0")
    assert from_sympy(x ** sp.Rational(-1, 3))[0] == ("inv", "cbrt", "x0")
    toks, _ = from_sympy(parse_model("cbrt(x0) + arctan(x1)"))
    assert sorted(toks) == ["add", "atan", "cbrt", "x0", "x1"]


def test_rules_for_the_new_operators():
    assert simplify_tokens(("cube", "cbrt", "x0"))[0] == ("x0",)
    assert simplify_tokens(("pow", "x0", "0.3333333333333333"))[0] == ("cbrt", "x0")
    assert simplify_tokens(("abs", "cbrt", "x0"))[0] == ("cbrt", "x0")
    assert simplify_tokens(("abs", "cosh", "x0"))[0] == ("cosh", "x0")
    assert simplify_tokens(("abs", "sinh", "x0"))[0] == ("abs", "sinh", "x0")
    # constant folding: exact literals where nice, a fitted constant otherwise
    assert simplify_tokens(("cbrt", "8"))[0] == ("2",)
    t, c = simplify_tokens(("mul", "x0", "atan", "c"), [1.0])
    assert t == ("mul", "c", "x0") and c[0] == pytest.approx(np.pi / 4)
    # undefined or overflowing constants are not folded (the program is then rejected)
    assert simplify_tokens(("cbrt", "-8"))[0] == ("cbrt", "-8")
    assert simplify_tokens(("sinh", "1000"))[0] == ("sinh", "1000")
    assert evaluate(("add", "x0", "cbrt", "-8"), np.ones((3, 1))) is None
