"""Statistics helpers of the report: bootstrap, Holm, ranks, Wilcoxon."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import wilcoxon

from srbench_lite.report import stats


def test_holm_by_hand():
    # sorted: 0.01*3 = 0.03, 0.03*2 = 0.06, max(0.06, 0.04*1) = 0.06
    assert stats.holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert stats.holm([0.5, 0.9]) == pytest.approx([1.0, 1.0])
    out = stats.holm([np.nan, 0.02])
    assert np.isnan(out[0]) and out[1] == pytest.approx(0.02)


def test_bootstrap_ci():
    assert np.isnan(stats.bootstrap_ci([])).all()
    assert stats.bootstrap_ci([1.0, 1.0, 1.0]) == (1.0, 1.0)
    values = np.r_[np.ones(30), np.zeros(70)]
    low, high = stats.bootstrap_ci(values, n_boot=4000, seed=1)
    # normal approximation: 0.3 ± 1.96 * sqrt(0.3 * 0.7 / 100) = 0.3 ± 0.090
    assert low == pytest.approx(0.21, abs=0.02) and high == pytest.approx(0.39, abs=0.02)
    assert stats.bootstrap_ci(values, seed=5) == stats.bootstrap_ci(values, seed=5)
    low, high = stats.bootstrap_ci([1, 2, 3, 4, 100], statistic=np.median, seed=0)
    assert 1 <= low <= 3 <= high <= 100


def test_instance_ranks_keep_only_common_instances():
    table = pd.DataFrame({"a": [1.0, 0.5, 0.2], "b": [0.0, 0.5, np.nan]})
    ranks = stats.instance_ranks(table, higher_is_better=True)
    assert len(ranks) == 2
    assert ranks["a"].tolist() == [1.0, 1.5] and ranks["b"].tolist() == [2.0, 1.5]


def test_wilcoxon_pair_matches_scipy_and_handles_ties():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=20), rng.normal(size=20) - 0.8
    p, w_plus, w_minus = stats.wilcoxon_pair(a, b)
    assert p == pytest.approx(wilcoxon(a, b).pvalue)
    assert w_plus > w_minus
    assert stats.wilcoxon_pair(a, a) == (1.0, 0.0, 0.0)


def test_pairwise_direction_and_significance():
    n = 25
    rng = np.random.default_rng(3)
    good = rng.uniform(0.9, 1.0, n)
    table = pd.DataFrame({"good": good, "bad": good - 0.3, "same": good})
    res = stats.pairwise_wilcoxon(table, higher_is_better=True).set_index(["method_a", "method_b"])
    assert res.loc[("good", "bad"), "better"] == "good"
    assert res.loc[("good", "bad"), "significant"]
    assert res.loc[("good", "same"), "p_value"] == 1.0 and res.loc[("good", "same"), "better"] == ""
    assert res.loc[("good", "same"), "ties"] == n
    # lower is better (NED): "bad" has the larger values, so "good" still wins
    ned = stats.pairwise_wilcoxon(1 - table, higher_is_better=False)
    assert ned.set_index(["method_a", "method_b"]).loc[("good", "bad"), "better"] == "good"


def test_friedman_needs_three_methods():
    table = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [2.0, 3.0, 4.0]})
    assert np.isnan(stats.friedman_p(table))
    table["c"] = [3.0, 4.0, 5.0]
    assert 0.0 <= stats.friedman_p(table) < 0.1
