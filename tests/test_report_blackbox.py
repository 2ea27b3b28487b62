"""Reports of the black-box track: SRBench's leaderboard (median R² and model size over
datasets, with intervals), n/a rather than 0 where recovery does not apply, and
``--published srbench-2021`` beside a run on SYNTHETIC PMLB-layout files named like real
datasets (tests/blackbox_support.py)."""

from __future__ import annotations

import csv
import json

import numpy as np
import pandas as pd
import pytest
from blackbox_support import write_synthetic

from srbench_lite.cli import main
from srbench_lite.data import pmlb_cache
from srbench_lite.published import blackbox_datasets, load_published
from srbench_lite.report import aggregate, build_report, overlay
from srbench_lite.report.format import md
from srbench_lite.report.load import normalize

N_BOOT = 200
DATASETS = ("1027_ESL", "192_vineyard")


def _record(dataset, method, *, suite="srbench-blackbox", truth=None, has_expression=True,
            r2=0.8, size=10.0, status="ok", seed=0) -> dict:  # fmt: skip
    return {
        "dataset": dataset, "suite": suite, "method": method, "seed": seed, "noise": 0.0,
        "status": status, "error": None, "fit_time_s": 1.0, "r2_train": r2, "r2_test": r2,
        "expression": "x0" if has_expression else None, "true_expression": truth,
        "exact_recovery": (False if truth and has_expression else None),
        "ned": (0.5 if truth and has_expression else None),
        "complexity": size if has_expression else None, "model_size": size,
        "has_expression": has_expression, "n_train": 100, "n_test": 30, "time_budget_s": 5.0,
        "versions": {},
    }  # fmt: skip


def _problems(records):
    return aggregate.per_problem(aggregate.prepare(normalize(records, [])))


def test_recovery_is_not_applicable_to_models_without_expression(tmp_path):
    """On a ground-truth problem a model without an expression is n/a, never 0 %, and does
    not empty the recovery ranks of the methods that have one."""
    records = []
    for d in ("p1", "p2", "p3"):
        records.append(_record(d, "gp", suite="s", truth="x0"))
        records[-1].update(exact_recovery=d != "p3", ned=0.0 if d != "p3" else 0.5)
        records.append(_record(d, "linear", suite="s", truth="x0"))
        records.append(_record(d, "random-forest", suite="s", truth="x0", has_expression=False,
                               size=500.0))  # fmt: skip
    prepared = aggregate.prepare(normalize(records, []))
    problems = aggregate.per_problem(prepared)
    summary = aggregate.summarize(prepared, problems, n_boot=N_BOOT).set_index("method")
    assert np.isnan(summary.loc["random-forest", "recovery_rate"])
    assert np.isnan(summary.loc["random-forest", "ned_mean"])
    assert summary.loc["gp", "recovery_rate"] == pytest.approx(2 / 3)
    assert summary.loc["random-forest", "complexity_median"] == 500.0  # its model size
    ranking, info = aggregate.ranking(problems)
    ranks = ranking.set_index("method")
    assert np.isnan(ranks.loc["random-forest", "rank_recovery"])
    assert ranks.loc["gp", "rank_recovery"] < ranks.loc["linear", "rank_recovery"]
    assert info["recovery"]["n_instances"] == 3 and info["complexity"]["n_instances"] == 3
    pairs = aggregate.pairwise(problems)
    ned = pairs[pairs.metric == "ned"]
    assert not ned["method_a"].eq("random-forest").any()
    assert not ned["method_b"].eq("random-forest").any()
    run = tmp_path / "run"
    run.mkdir()
    (run / "records.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    build_report([run], tmp_path / "report", n_boot=N_BOOT)
    text = (tmp_path / "report" / "README.md").read_text()
    board = text.split("### s · noise 0 · 3 problems")[1]
    assert "| random-forest | n/a | n/a | 0.0 [0.0, 0.0] | 0.800 | n/a | 500 |" in board


def test_blackbox_medians_over_datasets_with_intervals():
    names = [d.name for d in blackbox_datasets()][:5]
    r2 = [0.9, 0.5, 0.7, 0.3, 0.8]
    records = [_record(d, "gp", r2=v, size=10 + i) for i, (d, v) in enumerate(zip(names, r2, strict=True))]
    # two seeds on the first dataset: its value is their median
    records.append(_record(names[0], "gp", r2=0.7, size=10, seed=1))
    prepared = aggregate.prepare(normalize(records, []))
    row = aggregate.summarize(prepared, n_boot=N_BOOT).iloc[0]
    assert row["n_problems_with_truth"] == 0 and np.isnan(row["recovery_rate"])
    assert row["r2_problem_median"] == pytest.approx(np.median([0.8, 0.5, 0.7, 0.3, 0.8]))
    assert row["r2_problem_ci_low"] <= row["r2_problem_median"] <= row["r2_problem_ci_high"]
    assert row["size_problem_median"] == 12


def test_published_rows_reproduce_srbenchs_figures():
    """The builder's aggregation over all 122 datasets gives SRBench's own table."""
    instances = pd.DataFrame(
        {"suite": "srbench-blackbox", "dataset": [d.name for d in blackbox_datasets()],
         "noise": 0.0, "has_truth": False}
    )  # fmt: skip
    rows = overlay.blackbox_rows(overlay.published_source("srbench-2021"), instances,
                                 n_boot=N_BOOT, seed=0)  # fmt: skip
    summary = rows.summary.set_index("method")
    assert round(summary.loc["Operon (published)", "r2_problem_median"], 3) == 0.934
    assert round(summary.loc["gplearn (published)", "r2_problem_median"], 3) == 0.582
    assert summary.loc["AIFeynman (published)", "n_problems"] == 107
    assert len(summary) == 21 and summary.loc["Linear (published)", "sr_method"] == False  # noqa: E712
    assert any("AIFeynman (published) has no published result on 15" in n for n in rows.notes)


def test_noisy_instances_have_no_published_counterpart():
    instances = pd.DataFrame({"suite": "srbench-blackbox", "dataset": ["1027_ESL"] * 2,
                              "noise": [0.0, 0.1], "has_truth": False})  # fmt: skip
    rows = overlay.blackbox_rows(overlay.published_source("srbench-2021"), instances,
                                 n_boot=N_BOOT, seed=0)  # fmt: skip
    assert set(rows.problems["noise"]) == {0.0}
    assert any("at added noise" in n for n in rows.notes)


# --- end to end: run-benchmark on a local cache, then report --published ------------------------


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    root = tmp_path_factory.mktemp("bb-report")
    cache, run, out = root / "pmlb", root / "run", root / "report"
    for i, name in enumerate(DATASETS):
        write_synthetic(cache, name, seed=i)  # SYNTHETIC values, real names and shapes
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(pmlb_cache.ENV_OFFLINE, "1")
        code = main(["run", "--suite", "srbench-blackbox", "--datasets", ",".join(DATASETS),
                     "--pmlb-cache", str(cache), "--methods", "gp,linear,random-forest",
                     "--smoke", "--time-budget", "2", "--n-jobs", "2", "--out", str(run)])
        assert code == 0
        assert main(["report", str(run), "--out", str(out), "--published", "srbench-2021"]) == 0
    return out


def test_report_shows_our_methods_beside_srbenchs_rows(report):
    text = (report / "README.md").read_text()
    board = text.split("### srbench-blackbox · noise 0 · 2 datasets")[1].split("\n## ")[0]
    assert "No ground truth: exact and form recovery and NED are n/a." in board
    assert "| median R² test [95 % CI] | median model size [95 % CI] |" in board
    for method in ("gp", "linear", "random-forest"):
        assert f"| {method} |" in board
    published = load_published("srbench-2021", "blackbox")
    assert published["method"].nunique() == 21
    for method in published["method"].unique():
        assert f"| {md(method)} (published) † |" in board
    # the overall ranking says n/a (not 0, not –) where recovery does not apply
    ranking = text.split("## Overall ranking")[1].split("\n## ")[0]
    assert "| gp | n/a | n/a |" in ranking
    assert "| Operon (published) † | – | – |" in ranking
    assert "## Conditions vs. the published results" in text and "48 h per job" in text
    assert (report / "heatmap_srbench-blackbox.png").is_file()
    assert (report / "pareto.png").is_file()


def test_published_csv_holds_srbenchs_values_on_the_shared_datasets(report):
    with open(report / "published.csv") as fh:
        rows = {r["method"]: r for r in csv.DictReader(fh)}
    published = load_published("srbench-2021", "blackbox")
    shared = published[published["dataset"].isin(DATASETS)]
    operon = shared[shared["method"] == "Operon"]
    row = rows["Operon (published)"]
    assert row["suite"] == "srbench-blackbox" and row["n_problems"] == "2"
    assert float(row["r2_problem_median"]) == pytest.approx(operon["r2_test"].median())
    assert float(row["size_problem_median"]) == pytest.approx(operon["model_size"].median())


def test_records_of_the_run_have_no_recovery(report):
    run = report.parent / "run"
    records = [json.loads(line) for line in (run / "records.jsonl").read_text().splitlines()]
    assert len(records) == 6 and all(r["status"] == "ok" for r in records)
    assert all(r["exact_recovery"] is None and r["ned"] is None for r in records)
    assert all(r["model_size"] for r in records)
