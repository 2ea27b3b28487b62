"""Form recovery travels from the job into the record and leads the empirical leaderboard."""

from __future__ import annotations

import pandas as pd
from runner_support import write_method

from srbench_lite.methods.registry import ENV_PATH
from srbench_lite.records import read_records
from srbench_lite.report import build_report
from srbench_lite.report.aggregate import per_problem, prepare, summarize
from srbench_lite.runner import run_benchmark

FAST = dict(time_budget=1.0, kill_factor=1.0, kill_grace_s=5.0, metric_timeout=60.0)


def test_form_recovery_recorded_and_reported(tmp_path, monkeypatch):
    folder = tmp_path / "methods"
    # smoke_linear is 2.5*x0 - 1.5*x1 + 0.5: constants off by a few % keep the form, not the law
    write_method(folder, "t-form", sympy='return "2.6*x0 - 1.45*x1 + 0.55"')
    write_method(folder, "t-other", sympy='return "2.5*x0 - 1.5*x1**2 + 0.5"')
    monkeypatch.setenv(ENV_PATH, str(folder))
    out = tmp_path / "run"
    run_benchmark("smoke", ["t-form", "t-other"], datasets="smoke_linear", out=out, **FAST)
    rec = {r["method"]: r for r in read_records(out)}
    assert rec["t-form"]["exact_recovery"] is False and rec["t-form"]["form_recovery"] is True
    assert rec["t-other"]["form_recovery"] is False
    readme = (build_report([out], tmp_path / "rep").out_dir / "README.md").read_text()
    assert "form recovery % [95 % CI]" in readme


def _records(suite: str) -> pd.DataFrame:
    rows = []
    for method, exact, form in (("a", True, True), ("b", False, True), ("c", False, False)):
        for dataset in ("p1", "p2"):
            rows.append(dict(suite=suite, dataset=dataset, noise=0.0, method=method, seed=0,
                             status="ok", exact_recovery=exact and dataset == "p1",
                             form_recovery=form, r2_test=0.9, ned=0.5, complexity=5.0,
                             fit_time_s=1.0, true_expression="x0", expression_mismatch=False))  # fmt: skip
    frame = pd.DataFrame(rows)
    frame["exact_recovery"] = frame["exact_recovery"].astype("boolean")
    frame["form_recovery"] = frame["form_recovery"].astype("boolean")
    return frame


def test_form_rate_and_empirical_order():
    from srbench_lite.report.content import FORM_FIRST_SUITES

    prepared = prepare(_records("empirical"))
    summary = summarize(prepared, per_problem(prepared), n_boot=50).set_index("method")
    assert summary.loc["a", "recovery_rate"] == 0.5 and summary.loc["a", "form_rate"] == 1.0
    assert summary.loc["b", "form_rate"] == 1.0 and summary.loc["c", "form_rate"] == 0.0
    assert "empirical" in FORM_FIRST_SUITES
