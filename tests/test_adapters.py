"""Third-party method adapters: conversion code (runs without the tools) and, where a tool is
installed, a short fit whose parsed expression must reproduce the tool's predictions."""

from __future__ import annotations

import math
import os
import sys
from types import SimpleNamespace

import numpy as np
import pytest
import sympy as sp
from sklearn.base import clone

import srbench_lite
from srbench_lite.expr import parse_model
from srbench_lite.methods import MethodUnavailableError, get_method, resolve_methods
from srbench_lite.methods.adapters import ffx as ffx_adapter
from srbench_lite.methods.adapters import gplearn as gp_adapter
from srbench_lite.methods.adapters.operon import operon_kwargs
from srbench_lite.methods.adapters.pysr import NO_JULIA, julia_problem
from srbench_lite.metrics._numeric import evaluate

ADAPTERS = ["gplearn", "operon", "rils-rols", "ffx", "pysr"]
x0, x1 = sp.symbols("x0 x1")


def _values(expr, names, X):
    return evaluate(parse_model(expr, feature_names=names), names, X)


def _fit_and_compare(name, problem, rtol, **overrides):
    """Fit the registered method, parse its sympy() in its dialect, compare to predict()."""
    method = get_method(name)
    p = srbench_lite.load_problem(problem)
    est = method.build(time_budget_s=2, seed=1, smoke=True, overrides=overrides)
    assert est.fit(p.X_train, p.y_train) is est
    expr = parse_model(est.sympy(), dialect=method.dialect, feature_names=p.feature_names)
    got = evaluate(expr, p.feature_names, p.X_test)
    want = est.predict(p.X_test)
    assert want.shape == (len(p.X_test),) and want.dtype == np.float64
    scale = max(1.0, float(np.max(np.abs(want))))
    np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * scale)
    return est, expr


# --------------------------------------------------------------------------------------------
# registry: every adapter module loads, declares its knobs, and builds without the tool


@pytest.mark.parametrize("name", ADAPTERS)
def test_adapter_files_load(name):
    method = get_method(name)
    assert method.source.startswith(f"entry point {name} = srbench_lite.methods.bundled.")
    assert "failed to load" not in (method.missing() or "")
    assert method.requires and method.install


@pytest.mark.parametrize(
    "name, budget, seed",
    [
        ("gplearn", "time_budget_s", "random_state"),
        ("operon", "time_budget_s", "random_state"),
        ("rils-rols", "time_budget_s", "random_state"),
        ("ffx", None, None),
        ("pysr", "time_budget_s", "random_state"),
    ],
)
def test_budget_and_seed_reach_the_estimator(name, budget, seed):
    method = get_method(name)
    assert (method.budget_param, method.seed_param) == (budget, seed)
    est = method.build(time_budget_s=7.5, seed=3, smoke=True)
    params = est.get_params()
    if budget:
        assert params[budget] == 7.5
    if seed:
        assert params[seed] == 3
    assert clone(est).get_params() == params  # __init__ only stores parameters


def test_listing_imports_no_tool():
    from srbench_lite.methods import method_availability, registry

    registry._registry.cache_clear()  # load the method files inside the measured window
    before = set(sys.modules)
    rows = {r["name"]: r for r in method_availability()}
    assert set(ADAPTERS) <= set(rows)
    loaded = set(sys.modules) - before
    tools = {"pysr", "juliacall", "gplearn", "pyoperon", "ffx", "rils_rols", "rils_rols_cpp"}
    assert not {m.split(".")[0] for m in loaded} & tools


# --------------------------------------------------------------------------------------------
# gplearn: program -> sympy


def _fn(name, arity):
    return SimpleNamespace(name=name, arity=arity)


ADD, SUB, MUL, DIV = _fn("add", 2), _fn("sub", 2), _fn("mul", 2), _fn("div", 2)
SQRT, LOG, INV, NEG = _fn("sqrt", 1), _fn("log", 1), _fn("inv", 1), _fn("neg", 1)


def test_gplearn_program_keeps_full_precision():
    c = 0.123456789012345
    expr = gp_adapter.program_to_sympy([ADD, MUL, 0, 1, DIV, c, 1])
    assert sp.simplify(expr - (x0 * x1 + sp.Float(c, 17) / x1)) == 0
    const = [a for a in expr.atoms(sp.Float)]
    assert len(const) == 1 and float(const[0]) == c  # not the 3-decimal 0.123 of str()


def test_gplearn_protected_readings():
    program = [ADD, SQRT, 0, LOG, SUB, 1, 0]
    plain = gp_adapter.program_to_sympy(program)
    assert plain == sp.sqrt(x0) + sp.log(x1 - x0)
    absolute = gp_adapter.program_to_sympy(program, protected_ops="abs")
    assert absolute == sp.sqrt(sp.Abs(x0)) + sp.log(sp.Abs(x1 - x0))
    assert gp_adapter.program_to_sympy([NEG, INV, 0], ["a"]) == -1 / sp.Symbol("a")


def test_gplearn_constant_subtrees_fold_with_gplearn_semantics():
    def equal(program, target):
        return sp.expand(gp_adapter.program_to_sympy(program) - target) == 0

    assert equal([SQRT, -0.25], 0.5)  # sqrt(|a|), not 0.5*I
    assert equal([MUL, 0, LOG, 0.0], 0)  # log(|a| <= 0.001) = 0, not zoo
    assert equal([ADD, 0, DIV, 2.0, 0.0005], x0 + 1)  # |b| <= 0.001 -> 1
    assert equal([ADD, 0, INV, 0.0], x0)
    assert equal([ADD, 0, INV, 4.0], x0 + 0.25)


@pytest.mark.parametrize(
    "program, message",
    [
        ([], "empty"),
        ([ADD, 0], "incomplete"),
        ([0, 1], "extra nodes"),
        ([_fn("cube", 1), 0], "no sympy equivalent"),
        ([_fn("add", 3), 0, 1, 1], "arity"),
        ([ADD, 0, 5], "feature X5"),
        ([ADD, 0, "x"], "unexpected node"),
        ([ADD, 0, math.inf], "non-finite"),
    ],
)
def test_gplearn_bad_programs(program, message):
    with pytest.raises(ValueError, match=message):
        gp_adapter.program_to_sympy(program, ["x0", "x1"])
    with pytest.raises(ValueError, match="protected_ops"):
        gp_adapter.program_to_sympy([0], protected_ops="exact")


def test_gplearn_conversion_matches_gplearn_execute():
    pytest.importorskip("gplearn")
    from gplearn._program import _Program
    from gplearn.functions import _function_map

    f = _function_map
    # cos(x0) * sqrt(x1) + log(x0 * 0.7531) - x1 / (x0 + 0.31) + inv(x1) + max(x0, x1)
    program = [
        f["add"], f["add"], f["mul"], f["cos"], 0, f["sqrt"], 1,
        f["sub"], f["log"], f["mul"], 0, 0.7531, f["div"], 1, f["add"], 0, 0.31,
        f["add"], f["inv"], 1, f["max"], 0, 1,
    ]  # fmt: skip
    prog = _Program(
        function_set=list(f.values()), arities={}, init_depth=(2, 6), init_method="full",
        n_features=2, const_range=(-1, 1), metric=None, p_point_replace=0.05,
        parsimony_coefficient=0.0, random_state=np.random.RandomState(0), program=program,
    )  # fmt: skip
    assert prog.validate_program()
    X = np.random.default_rng(0).uniform(0.5, 3.0, size=(64, 2))  # no protection triggers
    for mode in gp_adapter.PROTECTED_OPS:
        expr = gp_adapter.program_to_sympy(program, ["x0", "x1"], protected_ops=mode)
        np.testing.assert_allclose(_values(expr, ["x0", "x1"], X), prog.execute(X), rtol=1e-12)


def test_gplearn_fit_reproduces_predictions():
    pytest.importorskip("gplearn")
    est, expr = _fit_and_compare("gplearn", "smoke_trig", 1e-9, protected_ops="abs")
    assert est.n_generations_ >= 1 and est.stopped_by_ in {
        "generations",
        "time_budget",
        "stopping_criteria",
    }
    assert expr.free_symbols <= {x0, x1}


def test_gplearn_time_budget_stops_the_run():
    pytest.importorskip("gplearn")
    p = srbench_lite.load_problem("smoke_rational")
    est = gp_adapter.GplearnRegressor(time_budget_s=0.3, random_state=0, stopping_criteria=-1)
    est.fit(p.X_train, p.y_train)
    assert est.stopped_by_ == "time_budget"
    assert 1 <= est.n_generations_ < est.generations
    assert len(est.estimator_.run_details_["generation"]) == est.n_generations_


def test_gplearn_chunked_run_equals_one_run():
    """Warm-started chunks (as under a budget) reproduce a single uninterrupted run."""
    pytest.importorskip("gplearn")
    p = srbench_lite.load_problem("smoke_poly")
    kw = {"population_size": 100, "generations": 4, "random_state": 3, "stopping_criteria": -1}
    one = gp_adapter.GplearnRegressor(**kw).fit(p.X_train, p.y_train)
    chunked = gp_adapter.GplearnRegressor(time_budget_s=1e6, **kw).fit(p.X_train, p.y_train)
    assert one.n_generations_ == chunked.n_generations_ == 4
    assert str(one.estimator_._program) == str(chunked.estimator_._program)
    assert sp.srepr(one.sympy()) == sp.srepr(chunked.sympy())


def test_gplearn_rejects_bad_settings():
    p = srbench_lite.load_problem("smoke_linear")
    with pytest.raises(ValueError, match="protected_ops"):
        gp_adapter.GplearnRegressor(protected_ops="none").fit(p.X_train, p.y_train)
    with pytest.raises(ValueError, match="time budget"):
        gp_adapter.GplearnRegressor(time_budget_s=0).fit(p.X_train, p.y_train)


# --------------------------------------------------------------------------------------------
# shared helpers


def test_whole_seconds_and_deadline():
    from srbench_lite.methods.adapters._common import Deadline, whole_seconds

    assert whole_seconds(None) is None
    assert (whole_seconds(9.99), whole_seconds(0.2), whole_seconds(3.0)) == (9, 1, 3)
    for bad in (0, -1, math.nan, math.inf):
        with pytest.raises(ValueError, match="time budget"):
            whole_seconds(bad)
        with pytest.raises(ValueError, match="time budget"):
            Deadline(bad)
    assert Deadline(None).remaining() == math.inf
    assert 0 < Deadline(100.0).remaining() <= 100.0


# --------------------------------------------------------------------------------------------
# operon


def test_operon_kwargs_follow_the_installed_names():
    new = ["max_time", "optimizer_iterations", "random_state"]
    old = ["time_limit", "local_iterations", "random_state"]
    wanted = {"max_time": 5, "optimizer_iterations": 3, "random_state": 1}
    assert operon_kwargs(new, wanted) == wanted
    assert operon_kwargs(old, wanted) == {"time_limit": 5, "local_iterations": 3, "random_state": 1}
    with pytest.raises(TypeError, match="max_time / time_limit"):
        operon_kwargs(["random_state"], {"max_time": 5})


def test_operon_fit_reproduces_predictions():
    pytest.importorskip("pyoperon")
    est, _ = _fit_and_compare("operon", "smoke_poly", 1e-5)  # Operon computes in float32
    assert "X1" in est.sympy() and "x0" not in est.sympy()  # 1-based, operon dialect


# --------------------------------------------------------------------------------------------
# rils-rols


def test_rils_rols_fit_reproduces_predictions():
    hint = get_method("rils-rols").install
    pytest.importorskip("rils_rols", reason=f"rils-rols is not installed; install with: {hint}")
    # the model string has six decimals: agreement to ~1e-6 per constant
    est, _ = _fit_and_compare("rils-rols", "smoke_trig", 1e-5)
    assert isinstance(est.sympy(), str)


@pytest.mark.parametrize("name, module", [("rils-rols", "rils_rols"), ("operon", "pyoperon")])
def test_tiny_and_huge_constants_survive_fixed_decimals(name, module):
    """Fixed printed decimals (rils-rols 6, operon 20) must not turn 9.274e-24*x0**2*x1 into 0:
    the adapters rescale by powers of ten, and sympy() is the model predict() uses."""
    hint = get_method(name).install
    pytest.importorskip(module, reason=f"{name} is not installed; install with: {hint}")
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.uniform(1, 5, 300), rng.uniform(1e6, 5e6, 300)])
    y = 9.274e-24 * X[:, 0] ** 2 * X[:, 1]
    est = get_method(name).build(time_budget_s=2, seed=0, smoke=True).fit(X, y)
    assert est.scaling_.x_exponents == (1, 7) and est.scaling_.y_exponent == -15  # RMS in [0.3, 3)
    expr = parse_model(est.sympy(), dialect=get_method(name).dialect, feature_names=["x0", "x1"])
    got, want = evaluate(expr, ["x0", "x1"], X), est.predict(X)
    np.testing.assert_allclose(got, want, rtol=1e-5)  # operon predicts in float32
    assert np.corrcoef(got, y)[0, 1] > 0.99  # not the constant 0


# --------------------------------------------------------------------------------------------
# ffx


def _simple(var, exponent=1.0):
    return SimpleNamespace(var=var, exponent=exponent)


def _op(base, op, thr=math.inf):
    return SimpleNamespace(simple_base=base, nonlin_op=op, thr=thr)


def test_ffx_model_to_sympy_all_bases():
    a = ffx_adapter
    model = SimpleNamespace(
        coefs_n=[0.5, 2.0, -1.0, 0.25, 3.0, 1.5, -0.75, 0.1],
        bases_n=[
            _simple(0),
            _op(_simple(1), a.OP_ABS),
            _op(_simple(0), a.OP_MAX0),
            _op(_simple(1), a.OP_MIN0),
            _op(_simple(0, 2), a.OP_LOG10),
            _op(_simple(1), a.OP_GTH, 0.123456789012),
            SimpleNamespace(base1=_simple(0, -0.5), base2=_op(_simple(1), a.OP_LTH, -1.5)),
        ],
        coefs_d=[0.2],
        bases_d=[_simple(1, 2)],
    )
    expr = ffx_adapter.ffx_model_to_sympy(model, ["x0", "x1"])
    X = np.random.default_rng(1).uniform(-2, 2, size=(50, 2))
    X[:, 0] = np.abs(X[:, 0]) + 0.1  # x0**-0.5 and log10(x0**2) need x0 > 0
    u, v = X[:, 0], X[:, 1]
    num = (
        0.5 + 2 * u - np.abs(v) + 0.25 * np.maximum(0, u) + 3 * np.minimum(0, v)
        + 1.5 * np.log10(u**2) - 0.75 * np.maximum(0, 0.123456789012 - v)
        + 0.1 * u**-0.5 * np.maximum(0, v + 1.5)
    )  # fmt: skip
    want = num / (1 + 0.2 * v**2)
    np.testing.assert_allclose(_values(expr, ["x0", "x1"], X), want, rtol=1e-12)
    assert sp.Rational(-1, 2) in {e.exp for e in expr.atoms(sp.Pow)}  # exact exponents


def test_ffx_constant_and_bad_models():
    assert float(ffx_adapter.ffx_model_to_sympy(SimpleNamespace(constant=2.5), ["x0"])) == 2.5
    with pytest.raises(ValueError, match="unknown FFX operator"):
        bad = SimpleNamespace(coefs_n=[0, 1], bases_n=[_op(_simple(0), 9)], bases_d=[])
        ffx_adapter.ffx_model_to_sympy(bad, ["x0"])
    with pytest.raises(ValueError, match="feature 3"):
        bad = SimpleNamespace(coefs_n=[0, 1], bases_n=[_simple(3)], bases_d=[])
        ffx_adapter.ffx_model_to_sympy(bad, ["x0"])
    with pytest.raises(ValueError, match="unknown FFX model"):
        ffx_adapter.ffx_model_to_sympy(object(), ["x0"])


def test_ffx_operator_codes_match_the_package():
    pytest.importorskip("ffx")
    from ffx.core import constants

    for name in ("OP_ABS", "OP_MAX0", "OP_MIN0", "OP_LOG10", "OP_GTH", "OP_LTH"):
        assert getattr(ffx_adapter, name) == getattr(constants, name)


def test_ffx_fit_reproduces_predictions():
    pytest.importorskip("ffx")
    _fit_and_compare("ffx", "smoke_rational", 1e-9)


def test_ffx_sys_exit_becomes_a_clear_error(monkeypatch):
    """ffx calls sys.exit(1) when an elastic-net step fails; the adapter turns that into an
    error naming the cause (a SystemExit would read like the job process quitting)."""
    ffx = pytest.importorskip("ffx")

    def give_up(self, X, y):
        raise SystemExit(1)

    monkeypatch.setattr(ffx.FFXRegressor, "fit", give_up)
    X = np.random.default_rng(0).random((20, 2))
    with pytest.raises(RuntimeError, match="FFX gave up.*sys.exit\\(1\\)"):
        ffx_adapter.FFXExpressionRegressor().fit(X, X[:, 0])


# --------------------------------------------------------------------------------------------
# pysr: availability from the file system only


def _fake_julia(folder):
    folder.mkdir(parents=True, exist_ok=True)
    exe = folder / "julia"
    exe.write_text("#!/bin/sh\nexit 1\n")
    exe.chmod(0o755)
    return exe


def test_pysr_check_without_julia(tmp_path):
    env = {"PATH": str(tmp_path / "empty"), "PYTHON_JULIAPKG_PROJECT": str(tmp_path / "proj")}
    assert julia_problem(env) == NO_JULIA
    assert "https://julialang.org" in NO_JULIA and "python -m pysr install" in NO_JULIA


def test_pysr_check_needs_the_julia_packages(tmp_path):
    project = tmp_path / "proj"
    env = {
        "PATH": str(tmp_path / "empty"),
        "PYTHON_JULIACALL_BINDIR": str(_fake_julia(tmp_path / "bin").parent),
        "PYTHON_JULIAPKG_PROJECT": str(project),
    }
    assert "packages are not installed" in julia_problem(env)
    project.mkdir()
    (project / "Manifest.toml").write_text('[[deps.SymbolicRegression]]\nuuid = "x"\n')
    assert julia_problem(env) is None
    # juliapkg's own Julia inside the project is found too
    del env["PYTHON_JULIACALL_BINDIR"]
    assert julia_problem(env) == NO_JULIA
    _fake_julia(project / "pyjuliapkg" / "install" / "bin")
    assert julia_problem(env) is None


def test_pysr_unavailable_here_fails_at_selection():
    method = get_method("pysr")
    reason = method.missing()
    if reason is None:
        pytest.skip("PySR and Julia are installed here")
    assert "pysr" in reason.lower() or "julia" in reason.lower()
    with pytest.raises(MethodUnavailableError, match="pysr"):
        resolve_methods(["linear", "pysr"])
    assert "pysr" not in sys.modules and "juliacall" not in sys.modules


@pytest.mark.skipif(os.name != "posix", reason="executable bits")
def test_pysr_fit_refuses_without_julia(monkeypatch, tmp_path):
    from srbench_lite.methods.adapters.pysr import PySRWrapper

    monkeypatch.setenv("PATH", str(tmp_path))
    for var in ("PYTHON_JULIAPKG_EXE", "PYTHON_JULIACALL_EXE", "PYTHON_JULIACALL_BINDIR"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("PYTHON_JULIAPKG_PROJECT", str(tmp_path / "proj"))
    with pytest.raises(RuntimeError, match="Julia not found"):
        PySRWrapper(time_budget_s=1).fit(np.zeros((5, 1)), np.zeros(5))
    assert "pysr" not in sys.modules
