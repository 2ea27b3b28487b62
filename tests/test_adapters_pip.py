"""Adapters for the pip-installable SRBench tools (ITEA, QLattice, Bingo, KAN, PS-Tree).

Conversion code runs without the tools; where a tool is installed, short fits whose expression
(parsed in the method's dialect) must reproduce the tool's predictions. Without the tool those
tests skip, naming the install hint that ``srbench-lite methods`` prints. PS-Tree runs in its
own environment: its fits are in tests/test_pstree.py.
"""

from __future__ import annotations

import math
import subprocess
import sys
import time

import numpy as np
import pytest
import sympy as sp
from sklearn.base import clone

import srbench_lite
from srbench_lite.expr import parse_model
from srbench_lite.methods import get_method
from srbench_lite.methods.adapters.bingo import REFIT_SHARE, search_seconds
from srbench_lite.methods.adapters.itea import decimals_for
from srbench_lite.methods.adapters.pstree import indicator, piecewise_to_indicators
from srbench_lite.metrics._numeric import evaluate

#: method -> the modules its adapter imports (only inside fit)
TOOLS = {
    "itea": ("itea",),
    "qlattice": ("feyn",),
    "bingo": ("bingo", "bingocpp", "mpi4py"),
    "kan": ("kan", "torch"),
    "ps-tree": ("pstree", "glmnet", "deap"),
}
TIMED = ["itea", "qlattice", "bingo", "kan"]


def _require(name: str):
    """The method's spec, or a skip that names its install hint."""
    method = get_method(name)
    if method.missing():
        pytest.skip(f"{name} cannot run here ({method.missing()})")
    return method


def _fit_and_compare(name: str, X, y, names, rtol=1e-9, budget=3.0, **overrides):
    """Fit the registered method, parse ``sympy()`` in its dialect, compare to ``predict()``."""
    method = _require(name)
    est = method.build(time_budget_s=budget, seed=1, smoke=True, overrides=overrides)
    assert est.fit(X, y) is est
    expr = parse_model(est.sympy(), dialect=method.dialect, feature_names=names)
    got, want = evaluate(expr, names, X), est.predict(X)
    assert want.shape == (len(X),) and want.dtype == np.float64
    scale = max(1.0, float(np.max(np.abs(want))))
    np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * scale)
    return est, expr


def _problem(name="smoke_poly", rows=300):
    p = srbench_lite.load_problem(name)
    return p.X_train[:rows], p.y_train[:rows], p.feature_names


# --------------------------------------------------------------------------------------------
# registry: every method loads and lists without its tool


@pytest.mark.parametrize("name", sorted(TOOLS))
def test_adapter_files_load(name):
    method = get_method(name)
    assert method.source.startswith(f"entry point {name} = srbench_lite.methods.bundled.")
    assert "failed to load" not in (method.missing() or "")
    assert method.requires and method.install and method.description


@pytest.mark.parametrize("name", TIMED)
def test_budget_and_seed_reach_the_estimator(name):
    method = get_method(name)
    assert (method.budget_param, method.seed_param) == ("time_budget_s", "random_state")
    params = method.build(time_budget_s=7.5, seed=3, smoke=True).get_params()
    assert params["time_budget_s"] == 7.5 and params["random_state"] == 3
    assert clone(method.build(time_budget_s=7.5, seed=3)).get_params()["time_budget_s"] == 7.5


def test_ps_tree_runs_in_its_own_environment_under_a_budget():
    method = get_method("ps-tree")  # more in tests/test_pstree.py
    assert (method.budget_param, method.seed_param) == ("time_budget_s", "random_state")
    assert method.environment is not None and method.install.startswith(
        "srbench-lite env create ps-tree"
    )


def test_qlattice_says_its_licence():
    from srbench_lite.methods.adapters import qlattice

    method = get_method("qlattice")
    for text in (method.description, method.install, qlattice.__doc__):
        assert "non-commercial" in text


def test_importing_the_adapters_imports_no_tool():
    """In a fresh interpreter: the method files and adapter modules load without the tools."""
    code = (
        "import sys\n"
        "from srbench_lite.methods import method_availability\n"
        "method_availability()\n"
        "import srbench_lite.methods.adapters.itea, srbench_lite.methods.adapters.qlattice\n"
        "import srbench_lite.methods.adapters.bingo, srbench_lite.methods.adapters.kan\n"
        "import srbench_lite.methods.adapters.pstree\n"
        "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd="/").stdout.split()  # fmt: skip
    tools = {m for modules in TOOLS.values() for m in modules}
    assert not set(out) & tools


# --------------------------------------------------------------------------------------------
# conversion code, without the tools


def test_itea_decimals_keep_17_significant_digits():
    assert decimals_for([]) == decimals_for([0.0, math.nan]) == 17
    assert decimals_for([3.0, -0.5]) == 18
    assert decimals_for([8.854187817e-12, 2.0]) == 29
    for value in (8.854187817123456e-12, 123456.789012345, -0.1234567890123456):
        rounded = float(np.round(np.float64(value), decimals_for([value])))
        assert rounded == pytest.approx(value, rel=1e-15)
    # numpy rounds value * 10**decimals: that product stays finite
    d = decimals_for([1e-200, 1e200])
    assert np.isfinite(np.float64(1e200) * 10.0**d)


def test_bingo_budget_keeps_a_share_for_its_refit():
    assert search_seconds(10.0) == pytest.approx(10.0 * (1 - REFIT_SHARE))
    assert search_seconds(None) == 1800.0
    for bad in (0, -1.0, math.inf):
        with pytest.raises(ValueError, match="time budget"):
            search_seconds(bad)


def test_pstree_piecewise_becomes_sign_indicators():
    x0, x1 = sp.symbols("X0 X1")
    tree = sp.Piecewise(
        (2 * x0 + 1, (x0 <= 1.5) & (x1 > 0.25)),
        (x0 * x1, (x0 <= 1.5) & (x1 <= 0.25)),
        (sp.sin(x1), x0 > 1.5),
    )
    flat = piecewise_to_indicators(tree)
    assert not flat.has(sp.Piecewise) and flat.has(sp.sign)
    expr = parse_model(flat, dialect="x0", feature_names=["a", "b"])  # the parser accepts it
    X = np.random.default_rng(0).uniform(0, 3, size=(200, 2))
    want = np.where(X[:, 0] <= 1.5, np.where(X[:, 1] > 0.25, 2 * X[:, 0] + 1, X[:, 0] * X[:, 1]),
                    np.sin(X[:, 1]))  # fmt: skip
    np.testing.assert_allclose(evaluate(expr, ["a", "b"], X), want, rtol=1e-12)
    assert piecewise_to_indicators(x0 + 1) == x0 + 1
    assert indicator(sp.true) == 1
    with pytest.raises(ValueError, match="indicator"):
        indicator(sp.Eq(x0, 1))


# --------------------------------------------------------------------------------------------
# fits, where the tool is installed: expression == predict()


@pytest.mark.parametrize("name", TIMED)
def test_fit_reproduces_predictions(name):
    X, y, names = _problem("smoke_poly", rows=200)
    _fit_and_compare(name, X, y, names)


def test_itea_prints_full_precision_and_restores_sklearn():
    _require("itea")
    from itea.regression import _ITExpr_regressor as module

    before = module.mean_squared_error
    rng = np.random.default_rng(0)
    X = rng.uniform(1, 3, size=(200, 2))
    y = 8.854187817e-12 * X[:, 0] * X[:, 1] + 0.123456789012345
    # id terms with exponents 0/1 only: id(x0 * x1) is all but certain to be found
    est, expr = _fit_and_compare("itea", X, y, ["x0", "x1"], population_size=50, generations=3,
                                 exponents=(0, 1), transformations=("id",))  # fmt: skip
    assert module.mean_squared_error is before  # the compatibility shim is undone
    values = evaluate(expr, ["x0", "x1"], X)
    assert np.corrcoef(values, y)[0, 1] > 0.999999  # the 1e-11 term was not printed as 0


@pytest.mark.parametrize("name, budget", [("itea", 1.5), ("qlattice", 3.0), ("bingo", 3.0)])
def test_time_budget_ends_the_search(name, budget):
    method = _require(name)
    rng = np.random.default_rng(0)
    X = rng.uniform(-2, 2, size=(300, 3))
    y = np.sin(3 * X[:, 0]) * X[:, 1] + rng.normal(0, 0.3, 300)  # no early convergence
    endless = {"itea": {"population_size": 50, "generations": 10**6},
               "qlattice": {"n_epochs": 10**6}, "bingo": {"population_size": 50}}  # fmt: skip
    est = method.build(time_budget_s=budget, seed=0, overrides=endless[name])
    start = time.perf_counter()
    est.fit(X, y)
    elapsed = time.perf_counter() - start
    if name != "bingo":
        assert est.stopped_by_ == "time_budget"
    assert elapsed < 2 * budget + 5  # generous: the test machine is shared


def test_bingo_evaluates_in_process_whatever_omp_says(monkeypatch):
    _require("bingo")
    import bingo.evaluation.evaluation as evaluation

    def no_pool(*args, **kwargs):
        raise AssertionError("bingo started a process pool")

    monkeypatch.setenv("OMP_NUM_THREADS", "1")  # as the runner sets it
    monkeypatch.setattr(evaluation, "Pool", no_pool)
    X, y, names = _problem("smoke_linear", rows=100)
    _fit_and_compare("bingo", X, y, names, budget=2.0)


def test_kan_writes_nothing_and_restores_torch_dtype(tmp_path, monkeypatch):
    _require("kan")
    import torch

    monkeypatch.chdir(tmp_path)
    before = torch.get_default_dtype()
    X, y, names = _problem("smoke_trig", rows=200)
    est, _ = _fit_and_compare("kan", X, y, names)
    assert list(tmp_path.iterdir()) == []  # pykan's ./model checkpoints went to a temp folder
    assert torch.get_default_dtype() == before
    assert est.n_library_edges_ + est.n_linear_edges_ >= 1
