"""Misbehaving methods become records and the run goes on; baselines give sensible records."""

from __future__ import annotations

import json

import pytest
from runner_support import write_bad_methods

from srbench_lite.methods.registry import ENV_PATH
from srbench_lite.records import read_records
from srbench_lite.runner import run_benchmark

FAST = dict(time_budget=1.0, kill_factor=1.0, kill_grace_s=2.0, metric_timeout=20.0)


@pytest.fixture
def bad_methods(tmp_path, monkeypatch):
    names = write_bad_methods(tmp_path / "methods")
    monkeypatch.setenv(ENV_PATH, str(tmp_path / "methods"))
    return names


def test_misbehaving_methods_become_records(bad_methods, tmp_path):
    out = tmp_path / "run"
    frame = run_benchmark("smoke", bad_methods, datasets="smoke_linear", out=out, n_jobs=2, **FAST)
    assert len(frame) == len(bad_methods)
    rec = {r["method"]: r for r in read_records(out)}
    assert set(rec) == set(bad_methods)

    assert rec["t-hang"]["status"] == "timeout"
    assert "hard limit of 3 s" in rec["t-hang"]["error"]
    assert rec["t-exit"]["status"] == "error"
    assert "exit code 1" in rec["t-exit"]["error"]
    assert rec["t-segv"]["status"] == "error"
    assert "SIGSEGV" in rec["t-segv"]["error"]
    assert "Fatal Python error" in rec["t-segv"]["error"]  # faulthandler output in the tail
    assert rec["t-raise"]["status"] == "error"
    assert "deliberate failure in fit" in rec["t-raise"]["error"]
    assert rec["t-raise"]["error_kind"] == "fit"

    nan = rec["t-nan"]
    assert nan["status"] == "error" and "non-finite" in nan["error"]
    assert nan["fit_time_s"] is not None and nan["expression"] is not None  # what is known
    assert nan["r2_test_predict"] is None  # predict() gave NaN
    assert nan["r2_test"] is not None  # the expression (the mean) was evaluated
    assert "shape (51, 2)" in rec["t-shape"]["error"]
    inject = rec["t-inject"]
    assert inject["status"] == "error" and "unparseable expression" in inject["error"]
    assert inject["r2_test_predict"] is not None  # the predictions were fine
    assert inject["r2_test"] is None  # no expression to evaluate
    assert rec["t-noisy"]["status"] == "ok"  # printing is harmless (it goes to the job log)
    for r in rec.values():
        assert r["true_expression"] == "2.5*x0 - 1.5*x1 + 0.5"
        assert r["dataset"] == "smoke_linear" and r["suite"] == "smoke"


def test_baselines_on_smoke(tmp_path):
    out = tmp_path / "run"
    frame = run_benchmark("smoke", ["linear", "constant"], out=out, n_jobs=2, time_budget=5)
    assert len(frame) == 8 and set(frame["status"]) == {"ok"}
    lin = frame[(frame.method == "linear") & (frame.dataset == "smoke_linear")].iloc[0]
    assert lin["exact_recovery"] and lin["ned"] == 0.0 and lin["r2_test"] > 0.999999
    const = frame[frame.method == "constant"]
    assert (const["r2_train"].abs() < 1e-9).all() and (const["complexity"] == 1).all()
    assert not const["exact_recovery"].any()
    assert (frame["n_train"] > 0).all() and (frame["time_budget_s"] == 5).all()
    assert frame.attrs["run_dir"] == str(out)
    meta = json.loads((out / "run.json").read_text())
    assert meta["config"]["methods"] == ["linear", "constant"]
    assert meta["versions"]["numpy"] and meta["run_id"] == frame["run_id"].iloc[0]


def test_memory_cap_kills_a_greedy_method(tmp_path, monkeypatch):
    from runner_support import write_method

    write_method(tmp_path / "m", "t-greedy", fit="self.big_ = np.ones(2 * 10**8)")
    monkeypatch.setenv(ENV_PATH, str(tmp_path / "m"))
    frame = run_benchmark(
        "smoke", "t-greedy", datasets="smoke_linear", out=tmp_path / "r", memory_mb=1500, **FAST
    )
    (row,) = frame.to_dict("records")
    assert row["status"] == "error" and row["error_kind"] == "memory"
    assert "MemoryError" in row["error"]


def test_subprocess_launcher(tmp_path, monkeypatch):
    """The portable launcher (used in dask's daemonic workers) behaves the same."""
    names = write_bad_methods(tmp_path / "m", ["t-hang", "t-segv", "t-nan"])
    monkeypatch.setenv(ENV_PATH, str(tmp_path / "m"))
    monkeypatch.setenv("SRBENCH_LITE_LAUNCHER", "subprocess")
    frame = run_benchmark(
        "smoke", [*names, "linear"], datasets="smoke_linear", out=tmp_path / "r", n_jobs=2, **FAST
    )
    rec = {r["method"]: r for r in frame.to_dict("records")}
    assert rec["t-hang"]["status"] == "timeout"
    assert "SIGSEGV" in rec["t-segv"]["error"]
    assert "non-finite" in rec["t-nan"]["error"]
    assert rec["linear"]["status"] == "ok" and rec["linear"]["exact_recovery"]


def test_thread_variables_are_pinned(tmp_path, monkeypatch):
    from runner_support import write_method

    check = (
        "import os, threadpoolctl; "
        "bad = {k: os.environ.get(k) for k in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', "
        "'MKL_NUM_THREADS', 'NUMEXPR_NUM_THREADS') if os.environ.get(k) != '1'}; "
        "pools = [p['num_threads'] for p in threadpoolctl.threadpool_info()]; "
        "assert not bad and all(n == 1 for n in pools), (bad, pools)"
    )
    write_method(tmp_path / "m", "t-threads", fit=check)
    monkeypatch.setenv(ENV_PATH, str(tmp_path / "m"))
    monkeypatch.setenv("OMP_NUM_THREADS", "4")
    frame = run_benchmark("smoke", "t-threads", datasets="smoke_linear", out=tmp_path / "r", **FAST)
    assert frame["status"].tolist() == ["ok"], frame["error"].tolist()
