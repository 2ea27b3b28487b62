"""Methods without an expression (SRBench's ML baselines): the contract, their model sizes by
SRBench's measures, and what a run records for them and for SR methods on data without a
ground truth (SYNTHETIC PMLB-layout files, tests/blackbox_support.py)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from blackbox_support import write_synthetic
from runner_support import write_method

from srbench_lite.data import pmlb_cache
from srbench_lite.methods import MethodSpec, get_method
from srbench_lite.methods.blackbox_models import GRIDS, BlackboxBaseline
from srbench_lite.methods.registry import ENV_PATH
from srbench_lite.methods.spec import EXPRESSION_SIZE
from srbench_lite.runner import run_benchmark

BASELINES = ("random-forest", "hist-gb", "kernel-ridge", "mlp")


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(120, 3))
    return X, X[:, 0] * X[:, 1] + X[:, 2]


@pytest.mark.parametrize("name", BASELINES)
def test_baselines_declare_no_expression(name):
    spec = get_method(name)
    assert not spec.has_expression and spec.model_size is not None
    assert "SRBench" in spec.model_size_measure and spec.budget_param is None
    assert spec.available


def test_sizes_are_srbench_measures(data):
    X, y = data
    fitted = {n: get_method(n).build(seed=0, smoke=True).fit(X, y) for n in BASELINES}
    rf = fitted["random-forest"].model_
    assert fitted["random-forest"].model_size() == sum(
        t.tree_.node_count for t in rf.steps[-1][1].estimators_
    )
    assert fitted["kernel-ridge"].model_size() == 120  # one dual coefficient per training row
    # smoke MLP: 3 inputs -> 20 hidden -> 1 output; SRBench counts 2 x (weights + biases)
    assert fitted["mlp"].model_size() == 2 * (3 * 20 + 20 + 20 * 1 + 1)
    hgb = fitted["hist-gb"]
    n_trees = hgb.model_.steps[-1][1].n_iter_
    assert hgb.model_size() >= 3 * n_trees  # at least a split and two leaves per tree
    for est in fitted.values():
        assert est.score(X, y) > 0.5


def test_tuning_runs_srbenchs_grid(data):
    X, y = data
    est = BlackboxBaseline("kernel-ridge", tune=True, random_state=0).fit(X, y)
    search = est.model_
    assert search.best_params_.keys() == {f"regressor__model__{k}" for k in GRIDS["kernel-ridge"]}
    assert est.model_size() == 120 and est.score(X, y) > 0.9
    with pytest.raises(TypeError, match="tune"):
        BlackboxBaseline("kernel-ridge", tune="yes").fit(X, y)


def test_the_contract_is_checked():
    with pytest.raises(ValueError, match="has_expression=False"):
        MethodSpec(name="x", factory=dict, model_size=len)
    assert MethodSpec(name="x", factory=dict).model_size_measure == EXPRESSION_SIZE
    no_size = MethodSpec(name="x", factory=dict, has_expression=False)
    assert no_size.model_size_measure == "not applicable"


# --- what a run records -----------------------------------------------------------------------

_NO_SIZE = """
import numpy as np
from srbench_lite.methods import MethodSpec


class Mean:
    def __init__(self, random_state=None):
        self.random_state = random_state

    def fit(self, X, y):
        self.mean_ = float(np.mean(y))
        return self

    def predict(self, X):
        return np.full(len(X), self.mean_)


def broken_size(model):
    raise RuntimeError("no size here")


METHOD = MethodSpec(name="t-mean-nosize", factory=Mean, budget_param=None,
                    has_expression=False, model_size=broken_size)
"""


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    """One small run: SR and ML methods on two SYNTHETIC black-box datasets and on a smoke
    problem with a ground truth."""
    root = tmp_path_factory.mktemp("bb-run")
    cache, methods = root / "pmlb", root / "methods"
    write_synthetic(cache, "1027_ESL")
    write_synthetic(cache, "192_vineyard", seed=1)
    methods.mkdir()
    (methods / "t_mean_nosize.py").write_text(_NO_SIZE)
    write_method(methods, "t-plain")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(ENV_PATH, str(methods))
        mp.setenv(pmlb_cache.ENV_OFFLINE, "1")
        frame = run_benchmark(
            ["srbench-blackbox", "smoke"],
            ["linear", "random-forest", "mlp", "t-mean-nosize"],
            datasets=["1027_ESL", "192_vineyard", "smoke_poly"],
            time_budget=5, n_jobs=2, smoke=True, pmlb_cache=cache, out=root / "run",
        )  # fmt: skip
    run_json = json.loads((root / "run" / "run.json").read_text())
    return {(r["dataset"], r["method"]): r for r in frame.to_dict("records")}, run_json


def _none(value) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def test_ml_methods_are_judged_on_predict(records):
    recs, _ = records
    for dataset in ("1027_ESL", "192_vineyard", "smoke_poly"):
        for method in ("random-forest", "mlp"):
            r = recs[dataset, method]
            assert r["status"] == "ok", r["error"]
            assert r["has_expression"] is False and _none(r["expression"])
            assert r["r2_test"] == r["r2_test_predict"] and r["r2_train"] == r["r2_train_predict"]
            assert r["model_size"] > 0 and _none(r["complexity"])
            # not applicable, not zero: no expression to judge
            assert _none(r["exact_recovery"]) and _none(r["ned"]) and _none(r["recovery_kind"])
    assert recs["1027_ESL", "mlp"]["model_size"] == 2 * (4 * 20 + 20 + 20 + 1)


def test_no_truth_means_no_recovery_for_sr_methods(records):
    recs, _ = records
    r = recs["1027_ESL", "linear"]
    assert r["status"] == "ok" and r["has_expression"] is True
    assert _none(r["true_expression"]) and _none(r["exact_recovery"]) and _none(r["ned"])
    assert r["complexity"] == r["model_size"] and r["complexity"] > 0
    assert r["n_train"] == 366 and r["n_test"] == 122
    truth = recs["smoke_poly", "linear"]  # a ground truth: judged as before
    assert truth["exact_recovery"] is False and truth["ned"] is not None
    assert truth["model_size"] == truth["complexity"]


def test_a_failing_size_leaves_the_run_ok(records):
    recs, run_json = records
    r = recs["1027_ESL", "t-mean-nosize"]
    assert r["status"] == "ok" and _none(r["model_size"])
    assert "no size here" in r["metric_error"]
    cache = run_json["config"]["pmlb_cache"]  # scrubbed: no absolute path of this machine
    assert cache.endswith("/pmlb") and not cache.startswith("/")
