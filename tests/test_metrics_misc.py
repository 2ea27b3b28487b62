"""Complexity, R²/RMSE, the shared rounding step, and the time-limited worker."""

from __future__ import annotations

import os
import threading
import time

import numpy as np
import pytest
import sympy as sp

from srbench_lite.errors import InvalidValueError
from srbench_lite.expr import ModelParseError
from srbench_lite.metrics import accuracy_solution, complexity, r2, rmse, score
from srbench_lite.metrics.canonical import canonicalize, round_float, round_floats
from srbench_lite.sandbox import SandboxError, SandboxTimeout, call_with_timeout

# --- complexity ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "model, size",
    [
        ("x0", 1),
        ("x0*x1", 3),
        ("x0 - x1", 5),  # Add(x0, Mul(-1, x1))
        ("x0/x1", 5),  # Mul(x0, Pow(x1, -1))
        ("sin(x0) + 2.5", 4),
        ("x0*x1/2", 4),  # Mul(1/2, x0, x1)
    ],
)
def test_complexity_counts_sympy_nodes(model, size):
    assert complexity(model) == size
    x = sp.Symbol("x0")
    assert complexity(x) == 1


def test_complexity_simplified_and_dialect():
    assert complexity("x0 + x0 + x0*1.0") == 3  # sympy's automatic evaluation: 3.0*x0
    assert complexity("(x0 + 1)**2 - x0**2 - 2*x0") == 14
    assert complexity("(x0 + 1)**2 - x0**2 - 2*x0", simplify=True) == 1
    assert complexity("add(X0, X1)", dialect="gplearn", feature_names=["a", "b"]) == 3
    with pytest.raises(ModelParseError):
        complexity("x0.real")


# --- accuracy -----------------------------------------------------------------------------


def test_r2_and_rmse_match_definitions():
    rng = np.random.default_rng(0)
    y = rng.normal(size=50)
    yp = y + rng.normal(scale=0.1, size=50)
    expected = 1 - np.sum((y - yp) ** 2) / np.sum((y - y.mean()) ** 2)
    assert r2(y, yp) == pytest.approx(expected)
    assert rmse(y, yp) == pytest.approx(np.sqrt(np.mean((y - yp) ** 2)))
    assert r2(y, y) == 1.0 and rmse(y, y) == 0.0


def test_accuracy_edge_cases():
    y = np.array([1.0, 2.0, 3.0])
    assert r2(y, [1.0, np.inf, 3.0]) == -np.inf
    assert rmse(y, [np.nan, 2, 3]) == np.inf
    assert r2([2.0, 2.0], [2.0, 2.0]) == 1.0
    assert r2([2.0, 2.0], [2.0, 3.0]) == 0.0
    assert r2(y, 2.0) == pytest.approx(0.0)
    with pytest.raises(InvalidValueError):
        r2(y, [1.0, 2.0])
    with pytest.raises(InvalidValueError):
        r2([], [])
    assert accuracy_solution(0.9995) and not accuracy_solution(0.999)
    assert not accuracy_solution(float("nan"))


# --- shared rounding ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        (0.5004, "0.500"),  # = SRBench round(c, 3) on [0.1, 10)
        (1.2345678, "1.235"),
        (9.80665, "9.807"),
        (0.123456, "0.123"),
        (6.6743e-11, "6.67e-11"),  # SRBench: 0
        (1.11265005605362e-17, "1.11e-17"),
        (8987742437.98822, "8.988e9"),
        (-0.0026543, "-0.00265"),
    ],
)
def test_round_float_is_relative(value, expected):
    assert round_float(value) == sp.Rational(expected)


def test_round_float_never_zeroes():
    for v in (1e-80, 3e-30, 2.2e-308):
        assert round_float(v) != 0
    assert round_float(0.0) == 0


def test_canonicalize_stages():
    x = sp.Symbol("x")
    expr = sp.pi * x / 2 + x ** sp.Rational(3, 2)
    evalfed = canonicalize(expr, simplify=False)
    assert evalfed.atoms(sp.Float) and sp.pi not in evalfed.atoms(sp.NumberSymbol)
    rounded = canonicalize(expr, round_constants=True, simplify=False)
    assert not rounded.atoms(sp.Float)  # exact rationals
    assert rounded == sp.Rational(1571, 1000) * x + x ** sp.Rational(3, 2)
    assert canonicalize(1.0 * x) == x  # subs(1.0, 1)
    assert round_floats(x) == x


# --- worker -------------------------------------------------------------------------------


def test_worker_timeout_and_restart():
    start = time.perf_counter()
    with pytest.raises(SandboxTimeout):
        call_with_timeout(time.sleep, 30, timeout=0.5)
    assert time.perf_counter() - start < 10
    assert call_with_timeout(abs, -3, timeout=30) == 3


def test_worker_reports_exceptions_and_death():
    with pytest.raises(SandboxError) as info:
        call_with_timeout(int, "not a number", timeout=30)
    assert info.value.exc_type == "ValueError"
    with pytest.raises(SandboxError, match="died"):
        call_with_timeout(os._exit, 3, timeout=30)
    assert call_with_timeout(abs, -4, timeout=30) == 4


def test_worker_per_thread():
    results = []

    def job(i):
        results.append(call_with_timeout(abs, -i, timeout=60))

    threads = [threading.Thread(target=job, args=(i,)) for i in range(3)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(120)
    assert sorted(results) == [0, 1, 2]


def test_bad_timeout():
    with pytest.raises(InvalidValueError):
        complexity("x", simplify=True, timeout=-1)


# --- score --------------------------------------------------------------------------------


def test_score_dict():
    res = score("X0*X1 + 0.5", "a*b", feature_names=["a", "b"], dialect="gplearn")
    assert res["solved"] and res["recovery_kind"] == "constant_difference"
    assert res["ned"] == pytest.approx(2 / 3) and res["complexity"] == 5
    assert res["truth_complexity"] == 3 and res["error"] is None
    bad = score("a.b", "a*b")
    assert not bad["solved"] and bad["ned"] == 1.0 and bad["complexity"] is None
    assert "attribute" in bad["error"]


def test_benchmark_script_smoke(capsys):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "metrics_speed.py"
    spec = importlib.util.spec_from_file_location("metrics_speed", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    try:
        assert module.main(["--limit", "2", "--kinds", "scaled,wrong"]) == 0
    except SystemExit as exc:  # neither the dataset layer nor ../shared: nothing to time
        pytest.skip(str(exc))
    out = capsys.readouterr().out
    assert "median s" in out and "4/4" in out
