"""Per-method aggregates of the published tables, by the rules that give SRBench's own figures.

Ground-truth track, per suite × noise × method: the **mean over problems of the per-problem
rate** (each problem weighs the same; SRBench's per-problem rate is already the mean over its
seeds). A problem without a published result for a method is left out of that method's mean,
not counted as 0: AI Feynman has none on 2, 3 and 4 of the 116 Feynman problems at noise 0,
0.001 and 0.01. This reproduces the paper's figures, e.g. Feynman at noise 0: AI Feynman
55.8 %, GP-GOMEA 26.8 %, Operon 16.6 %; Strogatz at noise 0: GP-GOMEA 29.5 %
(tests/test_published.py). The accuracy rate is the mean over problems of SRBench's
per-problem ``accuracy_solution`` (its median over seeds).

Black-box track, per method: the **median over datasets of the per-dataset value** (SRBench's
per-dataset value is already the median over its trials), over the datasets the method has a
result on (AI Feynman: 107 of 122). This gives SRBench's table, e.g. test R² Operon 0.934,
gplearn 0.582.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from srbench_lite.published.sources import check_track, published_source
from srbench_lite.published.tables import load_published

if TYPE_CHECKING:
    import pandas as pd


def summarize_published(
    table: pd.DataFrame | None = None,
    *,
    name: str = "srbench-2021",
    track: str = "groundtruth",
) -> pd.DataFrame:
    """One row per method (per suite and noise level on the ground-truth track).

    ``table`` is :func:`load_published`'s frame for ``name`` and ``track``, or a subset of
    its rows (e.g. the problems a run shares with the published set); default: all of it.

    Ground truth: ``suite, noise, method, n_problems, recovery_rate, accuracy_rate,
    rmse_test_median`` (rates as fractions). Black box: ``method, sr_method, n_datasets,
    r2_test_median, model_size_median, fit_time_median_s``.
    """
    check_track(published_source(name), track)
    if table is None:
        table = load_published(name, track)
    if track == "groundtruth":
        out = table.groupby(["suite", "noise", "method"], sort=True).agg(
            n_problems=("dataset", "nunique"),
            recovery_rate=("exact_recovery_rate", "mean"),
            accuracy_rate=("accuracy_solution", "mean"),
            rmse_test_median=("rmse_test", "median"),
        )
    else:
        out = table.groupby(["method", "sr_method"], sort=True).agg(
            n_datasets=("dataset", "nunique"),
            r2_test_median=("r2_test", "median"),
            model_size_median=("model_size", "median"),
            fit_time_median_s=("fit_time_s", "median"),
        )
    return out.reset_index()
