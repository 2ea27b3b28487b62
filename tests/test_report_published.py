"""``srbench-lite report --published srbench-2021``: SRBench's published rows beside a run, on
the problem instances they share; the default report untouched; the track hook."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from srbench_lite.cli import main
from srbench_lite.errors import UnknownNameError
from srbench_lite.published import load_published
from srbench_lite.report import aggregate, build_report, overlay, stats
from srbench_lite.report.load import normalize

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
#: (suite, dataset, truth) of the `feynman` suite (same names as SRBench's): two problems
#: SRBench ran, one AI Feynman has no result for at noise 0 (feynman_III_8_54), one SRBench
#: did not run (feynman_I_26_2)
PROBLEMS = [
    ("feynman", "feynman_I_6_2a", "exp(-theta**2/2)/sqrt(2*pi)"),
    ("feynman", "feynman_I_12_1", "mu*Nn"),
    ("feynman", "feynman_III_8_54", "sin(E_n*t/(h/(2*pi)))**2"),
    ("feynman", "feynman_I_26_2", "asin(n*sin(theta2))"),
]
NOISE = (0.0, 0.1)  # SRBench used 0 but not 0.1
N_BOOT = 200


def _records(methods=("gp", "linear"), problems=PROBLEMS, noise=NOISE) -> list[dict]:
    rng = np.random.default_rng(0)
    out = []
    for suite, dataset, truth in problems:
        for level in noise:
            for method in methods:
                solved = method == "gp" and dataset != "feynman_III_8_54"
                out.append({
                    "dataset": dataset, "suite": suite, "method": method, "seed": 0,
                    "noise": level, "status": "ok", "error": None,
                    "fit_time_s": float(rng.uniform(0.1, 2)), "r2_train": 0.9,
                    "r2_test": 1.0 if solved else float(rng.uniform(0.5, 0.99)),
                    "expression": truth if solved else "x", "true_expression": truth,
                    "exact_recovery": solved, "recovery_kind": "equal" if solved else "none",
                    "ned": 0.0 if solved else 0.8, "complexity": 7 if solved else 3,
                    "n_train": 1000, "n_test": 1000, "time_budget_s": 5.0, "versions": {},
                })  # fmt: skip
    return out


def write_run(root: Path, records: list[dict], name: str = "run") -> Path:
    run = root / name
    run.mkdir(parents=True)
    with open(run / "records.jsonl", "w") as fh:
        fh.writelines(json.dumps(r) + "\n" for r in records)
    config = {"smoke": False, "params": {}, "kill_factor": 1.5, "kill_grace_s": 30.0,
              "metric_timeout_s": 60.0, "time_budget_s": 5.0}  # fmt: skip
    (run / "run.json").write_text(json.dumps({"run_id": name, "config": config}))
    return run


def per_problem(records: list[dict]) -> pd.DataFrame:
    return aggregate.per_problem(aggregate.prepare(normalize(records, [])))


@pytest.fixture(scope="module")
def problems() -> pd.DataFrame:
    return per_problem(_records())


@pytest.fixture(scope="module")
def gt_overlay(problems) -> overlay.PublishedOverlay:
    return overlay.build_overlay("srbench-2021", problems, n_boot=N_BOOT)


# --- matching ---------------------------------------------------------------------------------


def test_rows_only_on_shared_instances(gt_overlay):
    pub = gt_overlay.problems
    # 3 problems SRBench ran × noise 0; 14 methods, AI Feynman lacks feynman_III_8_54 at 0
    assert set(pub["noise"]) == {0.0}
    assert set(pub["dataset"]) == {"feynman_I_6_2a", "feynman_I_12_1", "feynman_III_8_54"}
    assert len(pub) == 3 * 14 - 1 and pub["method"].str.endswith(" (published)").all()
    assert len(gt_overlay.methods) == 14
    table = load_published()
    cell = table[(table.dataset == "feynman_I_12_1") & (table.noise == 0) &
                 (table.method == "Operon")].iloc[0]  # fmt: skip
    mine = pub[(pub.dataset == "feynman_I_12_1") & (pub.method == "Operon (published)")].iloc[0]
    assert mine.solved == cell.exact_recovery_rate and mine.acc_solved == cell.accuracy_solution
    assert mine.suite == "feynman" and np.isnan(
        mine.r2_score
    )  # the run's suite  # R² not published


def test_notes_say_what_did_not_match(gt_overlay):
    text = " ".join(gt_overlay.all_notes)
    assert "3 problem instances (problem × noise level) this run shares" in text
    # feynman_I_26_2 at 0 and 0.1; the 3 shared problems at 0.1
    assert "5 problem instances of the run have no published counterpart" in text
    assert "2 on problems SRBench 2021 did not run" in text
    assert "3 at noise levels it did not use (it used 0, 0.001, 0.01)" in text
    assert "the 387 this run does not have are left out" in text
    assert "AIFeynman (published) has no published result on 1 shared instance" in text


def test_summary_is_mean_over_shared_problems_with_bootstrap(gt_overlay):
    summary = gt_overlay.summary.set_index("method")
    row = summary.loc["Operon (published)"]
    pub = gt_overlay.problems
    rates = pub.loc[pub.method == "Operon (published)", "solved"].to_numpy(float)
    assert row.recovery_rate == pytest.approx(rates.mean()) and row.n_problems == 3
    key = ("feynman", 0.0, "Operon (published)")
    expected = stats.bootstrap_ci(rates, n_boot=N_BOOT, seed=stats.seed_for("rec", *key))
    assert (row.recovery_ci_low, row.recovery_ci_high) == pytest.approx(expected)
    assert summary.loc["AIFeynman (published)", "n_problems"] == 2  # its missing cell left out
    assert np.isnan(row.r2_test_median) and np.isnan(row.n_runs)


# --- ranks and tests on the common instances ---------------------------------------------------


def test_ranks_use_instances_common_to_all_rows(problems, gt_overlay):
    ranking, info = aggregate.ranking(problems, gt_overlay.problems)
    # AI Feynman has no result on feynman_III_8_54 at 0: 2 instances common to all 16 rows
    assert info["recovery"]["n_instances"] == 2
    assert info["r2"]["n_instances"] == 8  # R²: the run's methods only, on all their instances
    table = ranking.set_index("method")
    assert table.loc["Operon (published)", "published"] and not table.loc["gp", "published"]
    assert np.isnan(table.loc["Operon (published)", "rank_r2"])
    assert pd.isna(table.loc["Operon (published)", "n_runs"]) and table.loc["gp", "n_runs"] == 8
    alone, _ = aggregate.ranking(problems)
    assert "published" not in alone and set(alone["method"]) == {"gp", "linear"}


def test_pairwise_recovery_beside_published(problems, gt_overlay):
    pub = gt_overlay.problems
    result = aggregate.pairwise(problems, ["gp", "linear"], pub)
    rec = result[result.metric == "recovery"]
    assert set(rec["n"]) == {2}  # the common instances
    assert len(rec) == 1 + 2 * 14  # gp-linear, and each of them against each published row
    assert not (rec.method_a.str.endswith("(published)") & rec.method_b.str.endswith(
        "(published)")).any()  # fmt: skip
    alone = aggregate.pairwise(problems, ["gp", "linear"])
    pd.testing.assert_frame_equal(
        result[result.metric != "recovery"].reset_index(drop=True), alone
    )  # the run's own tests are unchanged


# --- the track hook --------------------------------------------------------------------------


def test_track_of():
    assert overlay.track_of("srbench-blackbox", False) == "blackbox"
    assert overlay.track_of("feynman", True) == "groundtruth"
    assert overlay.track_of("empirical-no-truth", False) is None


def test_blackbox_track_goes_to_its_builder(monkeypatch):
    records = _records(problems=[("srbench-blackbox", "1027_ESL", "")], noise=(0.0,))
    records += _records(problems=PROBLEMS[:1], noise=(0.0,))
    for r in records[:2]:
        r.update(true_expression=None, exact_recovery=None, ned=None)
    problems = per_problem(records)
    monkeypatch.delitem(overlay.TRACK_BUILDERS, "blackbox")  # a track without a builder
    without = overlay.build_overlay("srbench-2021", problems, n_boot=N_BOOT)
    assert [p.track for p in without.parts] == ["groundtruth"]
    assert any("published blackbox results are not overlaid" in n for n in without.notes)

    seen = {}

    def builder(source, instances, *, n_boot, seed):
        seen["instances"] = instances
        return overlay.TrackRows("blackbox", pd.DataFrame(), pd.DataFrame(), ["bb note"])

    monkeypatch.setitem(overlay.TRACK_BUILDERS, "blackbox", builder)
    with_bb = overlay.build_overlay("srbench-2021", problems, n_boot=N_BOOT)
    assert list(seen["instances"]["dataset"]) == ["1027_ESL"]
    assert "bb note" in with_bb.all_notes


def test_rows_with_r2_and_size_join_those_ranks(monkeypatch):
    """What a black-box builder gives (R² and model size per dataset) joins the R² and
    complexity ranks, the Pareto view and the R² paired tests, on the common datasets."""
    names = ["1027_ESL", "1028_SWD", "1029_LEV"]
    records = _records(problems=[("srbench-blackbox", d, "") for d in names], noise=(0.0,))
    for r in records:
        r.update(true_expression=None, exact_recovery=None, ned=None)
    problems = per_problem(records)

    def builder(source, instances, *, n_boot, seed):
        rows = instances[["suite", "dataset", "noise"]].iloc[:2].assign(
            method=overlay.published_name("Operon"), has_truth=False, r2_median=0.95,
            r2_score=0.95, complexity_median=40.0, complexity_score=40.0,
        )  # fmt: skip
        for col in overlay.PROBLEM_VALUES:
            rows[col] = rows.get(col, np.nan)
        return overlay.TrackRows("blackbox", rows, pd.DataFrame(), [])

    monkeypatch.setitem(overlay.TRACK_BUILDERS, "blackbox", builder)
    pub = overlay.build_overlay("srbench-2021", problems, n_boot=N_BOOT).problems
    ranking, info = aggregate.ranking(problems, pub)
    row = ranking.set_index("method").loc["Operon (published)"]
    assert not np.isnan(row.rank_r2) and not np.isnan(row.rank_complexity)
    assert np.isnan(row.rank_recovery) and info["r2"]["n_instances"] == 2
    pareto = aggregate.pareto_ranks(problems, n_boot=N_BOOT, published=pub)
    assert "Operon (published)" in set(pareto["method"])
    pairs = aggregate.pairwise(problems, ["gp", "linear"], pub)
    assert set(pairs.loc[pairs.metric == "r2", "n"]) == {2}
    cats = aggregate.published_heat_categories(pub)
    assert set(cats["category"]) == {3}  # 0.9 < R² ≤ 0.99


# --- the report ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    root = tmp_path_factory.mktemp("published")
    run = write_run(root, _records())
    plain, pub = root / "plain", root / "pub"
    build_report([run], plain, n_boot=N_BOOT, name="r", command="cmd")
    build_report([run], pub, n_boot=N_BOOT, published="srbench-2021")
    return plain, pub


def test_report_marks_published_rows_everywhere(reports):
    _, out = reports
    text = (out / "README.md").read_text()
    assert "| Operon (published) † |" in text
    assert "† published by SRBench 2021, not run here: up to 8 h per run" in text
    assert "10 seeds per problem; judged by SRBench's own pipeline" in text
    assert "## Conditions vs. the published results" in text
    assert "| time budget | 5 s per fit; hard kill at the budget × 1.5 + 30 s |" in text
    assert "| seeds | 1 seed per problem (seed 0) | 10 seeds per problem |" in text
    assert "Published rows are on 3 of these 4 problems" in text  # feynman · noise 0
    assert "No published results for these 4 problems at this noise level." in text
    assert "### Exact recovery (per-problem rate), beside the published rows" in text
    assert "tested on the 2 problem instances common to all compared rows" in text
    assert "Published rows are not shown: none of them has a published per-run R²" in text
    page = (out / "index.html").read_text()
    assert '<tr class="group-published">' in page and "Operon (published) †" in page
    with open(out / "published.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["source"] for r in rows} == {"srbench-2021"} and "r2_test_median" not in rows[0]
    for png in out.glob("*.png"):
        assert png.read_bytes()[:8] == PNG_MAGIC


def test_published_rows_leave_the_runs_own_rows_alone(reports):
    plain, pub = reports
    assert (plain / "summary.csv").read_bytes() == (pub / "summary.csv").read_bytes()
    own = pd.read_csv(pub / "ranking.csv")
    assert set(own.loc[own.published, "method"]) == {
        f"{m} (published)" for m in load_published()["method"].unique()
    }


def test_without_published_nothing_changes(reports, monkeypatch):
    """The default report never touches the published tables and says nothing of them: the
    same files, byte for byte (but the time it was made), whether or not they could be read."""
    plain, _ = reports

    def refuse(*args, **kwargs):
        raise AssertionError("the default report read published results")

    monkeypatch.setattr(overlay, "load_published", refuse)
    again = plain.parent / "again"
    build_report([plain.parent / "run"], again, n_boot=N_BOOT, name="r", command="cmd",
                 published=None)  # fmt: skip
    names = {p.name for p in plain.iterdir()}
    assert names == {p.name for p in again.iterdir()} and "published.csv" not in names
    for name in sorted(names):
        before, after = (plain / name).read_bytes(), (again / name).read_bytes()
        if name in ("README.md", "index.html"):
            before, after = (_undated(x.decode()) for x in (before, after))
            assert "(published)" not in after and "†" not in after and "SRBench 20" not in after
        assert before == after, name
    assert "published" not in pd.read_csv(plain / "ranking.csv").columns


def _undated(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if "Generated " not in line)


def test_no_shared_problem_is_a_warning(tmp_path):
    records = _records(problems=PROBLEMS[3:])  # feynman_I_26_2: not one of SRBench's
    run = write_run(tmp_path, records)
    result = build_report([run], tmp_path / "out", n_boot=N_BOOT, published="srbench-2021")
    assert any("No problem instance of this run is in SRBench 2021" in w for w in result.warnings)
    text = (tmp_path / "out" / "README.md").read_text()
    assert "No problem instance of this run is in SRBench 2021" in text
    assert "(published) †" not in text and "† published by" not in text


@pytest.mark.parametrize(
    "value, message",
    [("srbench-2020", "did you mean: srbench-2021"), ("nope", "valid: srbench-2021")],
)
def test_bad_published_exits_2(value, message, tmp_path, capsys):
    run = write_run(tmp_path, _records())
    out = tmp_path / "out"
    assert main(["report", str(run), "--out", str(out), "--published", value]) == 2
    err = capsys.readouterr().err
    assert "unknown published result set" in err and message in err
    assert not out.exists()  # nothing read or written
    with pytest.raises(UnknownNameError):
        build_report([run], out, published=value)


def test_cli_on_a_real_run(tmp_path, capsys):
    """A real (tiny) run of two Feynman problems, then the report beside SRBench's rows."""
    run = tmp_path / "run"
    args = [
        "run",
        "--suite",
        "feynman-srbench",
        "--datasets",
        "feynman_I_12_1,feynman_I_6_2a",
        "--methods",
        "linear",
        "--time-budget",
        "2",
        "--out",
        str(run),
        "--no-progress",
    ]
    assert main(args) == 0
    out = tmp_path / "report"
    assert main(["report", str(run), "--out", str(out), "--published", "srbench-2021"]) == 0
    text = (out / "README.md").read_text()
    assert "--published srbench-2021" in text  # the command as typed
    assert "| AIFeynman (published) † |" in text and "| linear |" in text
    assert "Published rows are on the 2 problem instances" in text
