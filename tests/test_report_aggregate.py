"""Aggregation for the leaderboard, checked against values computed by hand from the fixture.

The fixture (tests/fixtures/records_small.jsonl): methods linear, gplearn, operon on the four
smoke problems at noise 0 and 0.01, one seed; gplearn times out on smoke_trig at noise 0 and
errors on smoke_rational at 0.01; operon errors on smoke_rational at 0 and times out on
smoke_trig at 0.01.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from srbench_lite.report import aggregate
from srbench_lite.report.load import load_runs

FIXTURE = Path(__file__).parent / "fixtures" / "records_small.jsonl"


@pytest.fixture(scope="module")
def prepared() -> pd.DataFrame:
    return aggregate.prepare(load_runs([FIXTURE]).records)


@pytest.fixture(scope="module")
def problems(prepared) -> pd.DataFrame:
    return aggregate.per_problem(prepared)


@pytest.fixture(scope="module")
def summary(prepared, problems) -> pd.DataFrame:
    return aggregate.summarize(prepared, problems, n_boot=500).set_index(["noise", "method"])


# (noise, method): recovery, accuracy, median R², mean NED, median complexity, median fit time,
# runs, ok, timeouts, errors
EXPECTED = {
    (0.0, "linear"): (
        1 / 4,
        1 / 4,
        (0.5 + 0.9) / 2,
        (0 + 0.8 + 0.7 + 0.9) / 4,
        7,
        0.01,
        4,
        4,
        0,
        0,
    ),
    (0.0, "gplearn"): (2 / 4, 2 / 4, 1.0, (0 + 0 + 1 + 0.6) / 4, 7, (3.0 + 4.0) / 2, 4, 3, 1, 0),
    (0.0, "operon"): (2 / 4, 3 / 4, 1.0, (0 + 0 + 0.4 + 1) / 4, 7, (1.0 + 1.5) / 2, 4, 3, 0, 1),
    (0.01, "linear"): (
        1 / 4,
        1 / 4,
        (0.49 + 0.89) / 2,
        (0 + 0.8 + 0.7 + 0.9) / 4,
        7,
        0.01,
        4,
        4,
        0,
        0,
    ),
    (0.01, "gplearn"): (
        1 / 4,
        2 / 4,
        0.9998,
        (0.3 + 0 + 0.5 + 1) / 4,
        11,
        (2.5 + 3.2) / 2,
        4,
        3,
        0,
        1,
    ),
    # 0.999 is not > 0.999: not an accuracy solution
    (0.01, "operon"): (
        1 / 4,
        1 / 4,
        0.999,
        (0 + 0.5 + 1 + 0.6) / 4,
        13,
        (1.6 + 2.2) / 2,
        4,
        3,
        1,
        0,
    ),
}
COLUMNS = (
    "recovery_rate",
    "accuracy_rate",
    "r2_test_median",
    "ned_mean",
    "complexity_median",
    "fit_time_median_s",
    "n_runs",
    "n_ok",
    "n_timeout",
    "n_error",
)


@pytest.mark.parametrize("key", list(EXPECTED))
def test_summary_matches_hand_computed_values(summary, key):
    row = summary.loc[key]
    for column, expected in zip(COLUMNS, EXPECTED[key], strict=True):
        assert row[column] == pytest.approx(expected), column
    assert row["suite"] == "smoke" and row["n_problems"] == 4


def test_summary_intervals_bracket_the_rate(summary):
    for _, row in summary.iterrows():
        for name in ("recovery", "accuracy"):
            low, rate, high = row[f"{name}_ci_low"], row[f"{name}_rate"], row[f"{name}_ci_high"]
            assert 0.0 <= low <= rate <= high <= 1.0
    # recovery of linear at noise 0: one of four problems; a resample holds 0 to 3 of them
    row = summary.loc[(0.0, "linear")]
    assert row["recovery_ci_low"] == 0.0 and row["recovery_ci_high"] == 0.75


def test_failure_rules_per_run(prepared):
    failed = prepared[~prepared["ok"]]
    assert len(failed) == 4
    assert (failed["ned_eff"] == 1.0).all()  # also where the record has ned = null
    assert (failed["solved"] == 0.0).all() and (failed["acc_solved"] == 0.0).all()
    assert failed["r2_ok"].isna().all() and failed["complexity_ok"].isna().all()
    assert (failed["r2_score"] == 0.0).all() and np.isinf(failed["complexity_score"]).all()


def test_seeds_are_averaged_within_a_problem_before_problems():
    rows = []
    # method m: problem a solved in 1 of 2 seeds, problem b in 0 of 1 seed
    for dataset, seed, solved in (("a", 0, True), ("a", 1, False), ("b", 0, False)):
        rows.append(
            {
                "dataset": dataset,
                "suite": "s",
                "method": "m",
                "seed": seed,
                "noise": 0.0,
                "status": "ok",
                "r2_test": 0.5 + seed * 0.1,
                "exact_recovery": solved,
                "true_expression": "x0",
                "ned": 0.0 if solved else 0.5,
                "complexity": 3,
                "fit_time_s": 1.0,
            }
        )
    records = load_runs_from_rows(rows)
    prepared = aggregate.prepare(records)
    row = aggregate.summarize(prepared, n_boot=200).iloc[0]
    assert row["recovery_rate"] == pytest.approx((0.5 + 0.0) / 2)  # not 1/3
    assert row["ned_mean"] == pytest.approx((0.25 + 0.5) / 2)
    assert row["r2_test_median"] == pytest.approx(0.5)  # over runs: 0.5, 0.6, 0.5
    assert row["n_problems"] == 2 and row["n_runs"] == 3


def test_problems_without_ground_truth_have_no_recovery_rate():
    rows = [
        {"dataset": "bb", "suite": "pmlb", "method": "m", "status": "ok", "r2_test": 0.9},
        {"dataset": "bb", "suite": "pmlb", "method": "n", "status": "timeout"},
    ]
    prepared = aggregate.prepare(load_runs_from_rows(rows))
    summary = aggregate.summarize(prepared, n_boot=100).set_index("method")
    assert np.isnan(summary.loc["m", "recovery_rate"]) and np.isnan(summary.loc["m", "ned_mean"])
    assert summary.loc["m", "n_problems_with_truth"] == 0
    assert summary.loc["m", "r2_test_median"] == pytest.approx(0.9)


def test_mean_ranks_by_hand(problems):
    table, info = aggregate.ranking(problems)
    ranks = table.set_index("method")
    # R² scores (failed = 0) ranked within each of the 8 problem instances; see module docstring
    # noise 0: linear 2+3+2+2, gplearn 2+1.5+3+1, operon 2+1.5+1+3
    # noise 0.01: linear 1.5+3+2+2, gplearn 3+1+1+3, operon 1.5+2+3+1
    assert ranks.loc["linear", "rank_r2"] == pytest.approx(17.5 / 8)
    assert ranks.loc["gplearn", "rank_r2"] == pytest.approx(15.5 / 8)
    assert ranks.loc["operon", "rank_r2"] == pytest.approx(15 / 8)
    # fit time: linear is always fastest
    assert ranks.loc["linear", "rank_fit_time"] == 1.0
    assert ranks.loc["linear", "recovery_rate"] == pytest.approx(2 / 8)
    assert info["r2"]["n_instances"] == 8
    assert list(table["method"]) == ["operon", "gplearn", "linear"]


def test_pairwise_has_every_pair_per_metric(problems):
    result = aggregate.pairwise(problems, ["operon", "gplearn", "linear"])
    assert sorted(result["metric"].unique()) == ["ned", "r2"]
    assert len(result) == 6 and (result["n"] == 8).all()
    assert ((result["p_holm"] >= result["p_value"]) & (result["p_holm"] <= 1)).all()
    assert not result["significant"].any()  # eight problems cannot separate these methods


def test_heat_categories(problems):
    cats = aggregate.heat_categories(problems).set_index(["dataset", "noise", "method"])["category"]
    label = dict(enumerate(aggregate.HEAT_LABELS))
    assert label[cats["smoke_linear", 0.0, "linear"]] == "exact recovery"
    assert label[cats["smoke_trig", 0.0, "gplearn"]] == "timeout"
    assert label[cats["smoke_rational", 0.0, "operon"]] == "error"
    assert label[cats["smoke_trig", 0.0, "operon"]].startswith("R² > 0.999")
    assert label[cats["smoke_poly", 0.01, "operon"]] == "0.99 < R² ≤ 0.999"
    assert label[cats["smoke_rational", 0.0, "gplearn"]] == "0.9 < R² ≤ 0.99"
    assert label[cats["smoke_poly", 0.0, "linear"]] == "R² ≤ 0.9"


def test_pareto_ranks(problems):
    pareto = aggregate.pareto_ranks(problems, n_boot=200).set_index(["noise", "method"])
    # noise 0, complexity (failed = ∞): linear 7,7,7,7; gplearn 7,7,∞,20; operon 7,7,15,∞
    # ranks: linear 2,2,1,1 -> median 1.5; gplearn 2,2,3,2 -> 2; operon 2,2,2,3 -> 2
    assert pareto.loc[(0.0, "linear"), "complexity_rank_median"] == 1.5
    assert pareto.loc[(0.0, "gplearn"), "complexity_rank_median"] == 2.0
    # R² ranks at noise 0: linear 2,3,2,2 -> 2; operon 2,1.5,1,3 -> 1.75
    assert pareto.loc[(0.0, "linear"), "r2_rank_median"] == 2.0
    assert pareto.loc[(0.0, "operon"), "r2_rank_median"] == 1.75


def load_runs_from_rows(rows: list[dict]) -> pd.DataFrame:
    from srbench_lite.report.load import normalize

    warnings: list[str] = []
    frame = normalize(rows, warnings)
    frame["run"] = "r"
    return frame
