"""SRBench's published results (srbench_lite.published): tables, names, and the aggregation
rules that reproduce SRBench's own figures."""

from __future__ import annotations

import subprocess
import sys

import pytest

from srbench_lite.data import list_problems
from srbench_lite.errors import SrbenchError, UnknownNameError
from srbench_lite.published import (
    PUBLISHED_NAMES,
    SRBENCH_2021,
    TRACKS,
    blackbox_datasets,
    load_published,
    published_source,
    summarize_published,
)

GT_METHODS = {"AFP", "AFP_FE", "AIFeynman", "BSR", "DSR", "EPLEX", "FEAT", "FFX", "GP-GOMEA",
              "ITEA", "MRGP", "Operon", "SBP-GP", "gplearn"}  # fmt: skip
ML_METHODS = {"AdaBoost", "KernelRidge", "LGBM", "Linear", "MLP", "RandomForest", "XGB"}


@pytest.fixture(scope="module")
def groundtruth():
    return load_published("srbench-2021", track="groundtruth")


@pytest.fixture(scope="module")
def blackbox():
    return load_published("srbench-2021", track="blackbox")


def _rate(summary, suite, noise, method):
    row = summary[(summary.suite == suite) & (summary.noise == noise) & (summary.method == method)]
    assert len(row) == 1
    return row.iloc[0]


# --- SRBench's published figures --------------------------------------------------------------


@pytest.mark.parametrize(
    "suite, method, percent, n_problems",
    [
        ("feynman-srbench", "AIFeynman", 55.8, 114),  # 2 problems without a result: left out
        ("feynman-srbench", "GP-GOMEA", 26.8, 116),
        ("feynman-srbench", "Operon", 16.6, 116),
        ("strogatz", "GP-GOMEA", 29.5, 14),
    ],
)
def test_groundtruth_rates_reproduce_srbench(groundtruth, suite, method, percent, n_problems):
    """Mean over problems of the per-problem symbolic solution rate, noise 0."""
    row = _rate(summarize_published(groundtruth), suite, 0.0, method)
    assert round(100 * row.recovery_rate, 1) == percent
    assert row.n_problems == n_problems


def test_missing_cells_are_left_out_not_zero(groundtruth):
    """The rule matters: counting AI Feynman's 2 missing problems as 0 misses the figure."""
    cells = groundtruth[(groundtruth.method == "AIFeynman") & (groundtruth.noise == 0.0)]
    cells = cells[cells.suite == "feynman-srbench"]
    as_zero = cells.exact_recovery_rate.sum() / len(list_problems("feynman-srbench"))
    assert round(100 * as_zero, 1) != 55.8


@pytest.mark.parametrize("method, r2", [("Operon", 0.934), ("gplearn", 0.582)])
def test_blackbox_median_r2_reproduces_srbench(blackbox, method, r2):
    """Median over datasets of the per-dataset (median over trials) test R²."""
    summary = summarize_published(blackbox, track="blackbox").set_index("method")
    assert round(summary.loc[method, "r2_test_median"], 3) == r2
    assert summary.loc[method, "n_datasets"] == 122
    assert summary.loc[method, "sr_method"]


def test_summary_of_a_subset(groundtruth):
    """A subset (e.g. the problems a run shares) is aggregated by the same rule."""
    two = groundtruth[groundtruth.dataset.isin(["strogatz_lv1", "strogatz_vdp1"])]
    summary = summarize_published(two)
    assert set(summary.n_problems) == {2} and len(summary) == 14 * 3
    row = _rate(summary, "strogatz", 0.0, "Operon")
    cells = two[(two.method == "Operon") & (two.noise == 0.0)]
    assert row.recovery_rate == pytest.approx(cells.exact_recovery_rate.mean())


# --- the tables -------------------------------------------------------------------------------


def test_groundtruth_table(groundtruth):
    assert len(groundtruth) == 14 * 130 * 3 - 9  # AI Feynman: 9 cells without a result
    assert set(groundtruth.method) == GT_METHODS
    assert sorted(groundtruth.noise.unique()) == [0.0, 0.001, 0.01]
    assert groundtruth.exact_recovery_rate.between(0, 1).all()
    assert set(groundtruth.accuracy_solution.unique()) <= {0.0, 0.5, 1.0}
    assert not groundtruth.duplicated(["dataset", "noise", "method"]).any()
    assert (groundtruth.rmse_test >= 0).all()


@pytest.mark.parametrize("suite", ["feynman-srbench", "strogatz"])
def test_published_names_are_our_problem_names(groundtruth, suite):
    published = set(groundtruth.loc[groundtruth.suite == suite, "dataset"])
    assert published == set(list_problems(suite))


def test_blackbox_table(blackbox):
    assert len(blackbox) == 21 * 122 - 15  # AI Feynman: 15 datasets without a result
    assert set(blackbox.method) == GT_METHODS | ML_METHODS
    assert set(blackbox.loc[blackbox.sr_method, "method"]) == GT_METHODS
    assert blackbox.dataset.nunique() == 122 and (blackbox.suite == "srbench-blackbox").all()
    assert (blackbox.model_size > 0).all() and (blackbox.fit_time_s > 0).all()
    assert (blackbox.r2_test <= 1).all()


def test_blackbox_datasets(blackbox):
    datasets = blackbox_datasets()
    assert len(datasets) == 122 and {d.name for d in datasets} == set(blackbox.dataset)
    by_name = {d.name: d for d in datasets}
    # PMLB's own counts (features exclude the target; SRBench's table counted it)
    assert by_name["1027_ESL"] == ("1027_ESL", 488, 4)
    assert by_name["1089_USCrime"] == ("1089_USCrime", 47, 13)
    assert by_name["529_pollen"].n_features == 4
    assert all(d.n_rows > 0 and d.n_features > 0 for d in datasets)


def test_loaded_frames_are_independent_copies():
    first = load_published()
    first.loc[0, "exact_recovery_rate"] = -1.0
    assert load_published().loc[0, "exact_recovery_rate"] >= 0


# --- names, attribution, errors ---------------------------------------------------------------


def test_names_and_attribution():
    assert PUBLISHED_NAMES == ("srbench-2021",) and TRACKS == ("groundtruth", "blackbox")
    source = published_source("srbench-2021")
    assert source is SRBENCH_2021 and source.tracks == TRACKS
    assert "La Cava" in source.citation and "cavalab/srbench" in source.url
    assert source.origin["groundtruth"].endswith("docs/csv/groundtruth.csv")
    assert source.origin["blackbox"].endswith("docs/csv/blackbox_results.csv")
    assert "8 h" in source.protocol["groundtruth"] and "10 seeds" in source.protocol["groundtruth"]
    assert "1M evaluations" in source.protocol["groundtruth"]
    assert "SRBench's own" in source.judge


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: load_published("srbench-2020"), "did you mean: srbench-2021"),
        (lambda: load_published("nope"), "valid: srbench-2021"),
        (lambda: load_published(track="black-box"), "did you mean: blackbox"),
        (lambda: summarize_published(track="x"), "valid: blackbox, groundtruth"),
        (lambda: blackbox_datasets("nope"), "published result set"),
        (lambda: published_source(None), "valid: srbench-2021"),
    ],
)
def test_bad_names(call, match):
    with pytest.raises(UnknownNameError, match=match) as info:
        call()
    assert isinstance(info.value, SrbenchError)


def test_import_is_light():
    code = "import sys, srbench_lite.published; print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
