"""PS-Tree: its declaration, the adapter's budget clock and model reading (here, without the
package), and, where ``srbench-lite env create ps-tree`` has run, fits in that environment."""

from __future__ import annotations

import json
import subprocess
import sys
import types

import numpy as np
import pytest
import sympy as sp

from srbench_lite.environments import places
from srbench_lite.methods import get_method
from srbench_lite.methods.adapters import pstree as adapter


def _interpreter():
    """The environment's Python, or a skip that names the command creating it."""
    spec = get_method("ps-tree")
    if places.state(spec) != "created":
        pytest.skip(f"PS-Tree's environment is not created: {places.missing_reason(spec)}")
    return str(places.interpreter(spec))


def test_declaration():
    spec = get_method("ps-tree")
    env = spec.environment
    assert env.python == "3.11" and env.system == ("gfortran",)
    assert {"numpy<2", "setuptools<66"} <= set(env.constraints())
    (step,) = env.steps
    assert step[:2] == ("--no-build-isolation", "--no-deps")
    assert {"glmnet==2.2.1", "pstree==0.1.2"} <= set(step)
    assert dict(env.install_env) == {"SETUPTOOLS_USE_DISTUTILS": "stdlib"}
    assert spec.install.startswith("srbench-lite env create ps-tree")
    assert spec.budget_param == "time_budget_s" and spec.dialect == "x0"


class _Stats:
    fields = ["min", "max"]

    def compile(self, population):
        return {"min": min(population)}


class _Deadline:
    def __init__(self, left: float):
        self.left = left

    def remaining(self) -> float:
        return self.left


def test_clock_stops_when_two_generations_no_longer_fit(monkeypatch):
    ticks = iter([0.0, 1.0, 2.0, 3.5, 4.0])  # generations of 1.0, 1.0, 1.5, 0.5 s
    monkeypatch.setattr(adapter.time, "perf_counter", lambda: next(ticks))
    deadline = _Deadline(10.0)
    clock = adapter.GenerationClock(deadline).start(_Stats())
    assert clock.fields == ["min", "max"]
    assert clock.compile([3, 1]) == {"min": 1} and clock.generations == 0  # initial population
    assert clock.compile([2, 5]) == {"min": 2} and clock.generations == 1
    deadline.left = 3.5  # the slowest so far (1.5 s), twice, still fits
    clock.compile([4])
    deadline.left = 2.9  # a 1.5 s generation plus the final refit does not
    with pytest.raises(adapter.OutOfTime):
        clock.compile([7, 6])
    assert clock.stopped and clock.population == [7, 6] and clock.generations == 3


def test_unlimited_clock_never_stops():
    clock = adapter.GenerationClock(adapter.Deadline(None)).start(_Stats())
    for population in ([1], [2], [3]):
        clock.compile(population)
    assert not clock.stopped and clock.generations == 2


def test_bad_sizes_are_refused_before_the_tool_is_imported():
    X, y = np.ones((5, 1)), np.arange(5.0)
    with pytest.raises(ValueError, match="n_gen and n_pop"):
        adapter.PSTreeRegressor(n_gen=0).fit(X, y)
    with pytest.raises(ValueError, match="time budget"):
        adapter.PSTreeRegressor(time_budget_s=-1).fit(X, y)


def test_model_keeps_every_leaf_path_and_restores_the_tool(monkeypatch):
    """pstree builds ``Piecewise(*leaves)``: sympy's evaluation would drop from a later leaf
    the conditions earlier leaves imply; the adapter builds it unevaluated, so the leaves stay
    disjoint and the indicator sum equals the tree."""
    x0, x1 = sp.symbols("X0 X1")
    srepr, piecewise = object(), object()

    def model():
        leaves = (
            (x0 + 1, x0 <= 1),
            (2 * x1, (x0 > 1) & (x1 <= 0)),
            (x0 * x1, (x0 > 1) & (x1 > 0)),
        )
        return module.srepr(module.Piecewise(*leaves))

    module = types.SimpleNamespace(srepr=srepr, Piecewise=piecewise, gene_to_string=str)
    visual = types.SimpleNamespace(gene_to_string=str)
    package = types.ModuleType("pstree")
    package.cluster_gp_sklearn, package.gp_visualization_utils = module, visual
    monkeypatch.setitem(sys.modules, "pstree", package)
    monkeypatch.setitem(sys.modules, "pstree.cluster_gp_sklearn", module)
    monkeypatch.setitem(sys.modules, "pstree.gp_visualization_utils", visual)

    regr = types.SimpleNamespace(pipelines=["p0", "p1", "p2"])
    est = types.SimpleNamespace(model=model, regr=regr, tree=types.SimpleNamespace())
    got = adapter._tool_model(est)
    assert isinstance(got, sp.Piecewise) and got.args[1].cond == ((x0 > 1) & (x1 <= 0))
    flat = adapter.piecewise_to_indicators(got)
    for a, b, want in [(0.5, -1, 1.5), (2, -1, -2), (2, 3, 6)]:
        assert float(flat.subs({x0: a, x1: b})) == want
    assert module.srepr is srepr and module.Piecewise is piecewise
    assert module.gene_to_string is str and visual.gene_to_string is str
    assert regr.pipelines == ["p0", "p1", "p2"]


_CONSTANTS = """
import random
from deap import gp
from srbench_lite.methods.adapters.pstree import constants_by_value, import_pstree
from pstree.common_utils import gene_to_string
import_pstree()
pset = gp.PrimitiveSet("MAIN", 1, prefix="X")
pset.addPrimitive(lambda a, b: a * b, 2, name="multiply")
pset.addEphemeralConstant("rand101", lambda: random.uniform(-2, 2))
const = next(t for t in pset.terminals[object] if isinstance(t, gp.MetaEphemeral))()
gene = gp.PrimitiveTree([pset.primitives[object][0], pset.mapping["X0"], const])
print(gene_to_string(gene), constants_by_value(gene_to_string)(gene), repr(const.value))
"""


def test_constants_are_written_by_value_in_its_environment():
    out = subprocess.run([_interpreter(), "-I", "-c", _CONSTANTS], capture_output=True,
                         text=True, check=True, cwd="/").stdout.split()  # fmt: skip
    tool, ours, value = out
    assert tool == "(X0*rand101)"  # pstree's own: the generator's name
    assert ours == f"(X0*{value})"


_AGREE = """
import json, warnings
import numpy as np
warnings.simplefilter("ignore")
from srbench_lite.expr import parse_model
from srbench_lite.metrics._numeric import evaluate
from srbench_lite.methods.adapters.pstree import PSTreeRegressor
rng = np.random.default_rng(0)
X = rng.uniform(-2, 2, size=(200, 2))
y = np.where(X[:, 0] < 0, 1 + X[:, 1] ** 2, 3 * X[:, 0] - X[:, 1])  # two pieces
out = []
for seed in (0, 1):
    est = PSTreeRegressor(n_pop=10, n_gen=5, time_budget_s=30, random_state=seed).fit(X, y)
    expr = parse_model(est.sympy(), dialect="x0", feature_names=["a", "b"])
    got, want = evaluate(expr, ["a", "b"], X), est.predict(X)
    out.append([float(np.max(np.abs(got - want))), est.n_generations_, est.stopped_by_,
                str(est.sympy()).count("sign")])
print(json.dumps(out))
"""


def test_expression_agrees_with_predict_in_its_environment():
    """Fits in the environment on a two-piece target: the expression, read in the ``x0``
    dialect, gives predict()'s values on every training row."""
    run = subprocess.run([_interpreter(), "-I", "-c", _AGREE], capture_output=True,
                         text=True, check=True, cwd="/")  # fmt: skip
    fits = json.loads(run.stdout.strip().splitlines()[-1])
    for max_diff, generations, stopped_by, _ in fits:
        assert max_diff < 1e-8 and (generations, stopped_by) == (5, "generations")
    assert any(n_conditions > 0 for *_, n_conditions in fits)  # a tree, not one model


_CHECKS = """
import json, warnings
warnings.simplefilter("ignore")
from sklearn.utils.estimator_checks import check_estimator
from srbench_lite.methods.adapters.pstree import PSTreeRegressor, import_pstree
import_pstree()
results = check_estimator(PSTreeRegressor(n_pop=10, n_gen=3, random_state=0), on_fail=None)
print(json.dumps([[r["check_name"], r["status"], str(r["exception"])[:200]] for r in results]))
"""


@pytest.mark.slow
def test_sklearn_checks_in_its_environment():
    """scikit-learn's common checks, run in the environment (~25 s here). The one expected
    failure: pickling, as pstree's fitted model holds lambdas (its DEAP toolbox) and the
    adapter's local subclass (the runner never pickles a fitted estimator)."""
    run = subprocess.run([_interpreter(), "-I", "-c", _CHECKS], capture_output=True,
                         text=True, check=True, cwd="/")  # fmt: skip
    results = json.loads(run.stdout.strip().splitlines()[-1])
    failed = {name: why for name, status, why in results if status == "failed"}
    assert len(results) > 40 and set(failed) == {"check_estimators_pickle"}, failed
    assert "Can't pickle" in failed["check_estimators_pickle"]


@pytest.mark.slow
def test_smoke_run_in_its_environment(tmp_path):
    """A job fits in the environment (numpy 1) within its budget; the record carries the
    environment, its versions, and an expression that agrees with predict()."""
    from srbench_lite.records import read_records
    from srbench_lite.runner import run_benchmark

    _interpreter()
    spec = get_method("ps-tree")
    run_benchmark("smoke", "ps-tree", datasets="smoke_linear", out=tmp_path / "run",
                  time_budget=8)  # fmt: skip
    (row,) = read_records(tmp_path / "run")
    assert row["status"] == "ok", row["error"]
    assert row["environment"] == places.environment_name(spec)
    assert row["versions"]["numpy"].startswith("1.") and "pstree" in row["versions"]
    assert row["expression_mismatch"] is False and row["r2_test"] > 0.99
    assert row["fit_time_s"] < 8 * 1.5, json.dumps(row)[:500]
