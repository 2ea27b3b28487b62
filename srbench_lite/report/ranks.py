"""Ranks and paired tests of the methods over problem instances (the report's comparisons).

Input: the per-problem table of :func:`.aggregate.per_problem` (one row per problem instance
and method, seeds pooled), whose ``r2_score`` and ``complexity_score`` columns already apply
the failure rules of :mod:`.aggregate` (a failed run scores R² 0 and model size +∞).
Published methods (:mod:`.overlay`) join the ranks and tests they have values for.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd

from srbench_lite.report import stats

__all__ = [
    "PAIRWISE_METRICS",
    "RANK_METRICS",
    "pairwise",
    "pareto_ranks",
    "ranking",
    "with_published",
]

#: metric name → (per-problem column, higher is better, label)
RANK_METRICS = {
    "recovery": ("solved", True, "exact recovery"),
    "r2": ("r2_score", True, "R² test"),
    "ned": ("ned", False, "NED"),
    "complexity": ("complexity_score", False, "model size"),
    "fit_time": ("fit_time", False, "fit time"),
}
#: metrics compared pairwise (Wilcoxon + Holm)
PAIRWISE_METRICS = ("r2", "ned")


def with_published(wide: pd.DataFrame, published: pd.DataFrame | None, column: str) -> pd.DataFrame:
    """``wide`` (instances × the run's methods) joined with the published methods that have
    values of ``column``, on the run's instances (NaN where a published method has none)."""
    if published is None or published.empty:
        return wide
    extra = stats.wide(published, column).dropna(axis=1, how="all")
    return wide.join(extra, how="left") if extra.shape[1] else wide


def _truth_only(problems: pd.DataFrame | None, metric: str) -> pd.DataFrame | None:
    """The rows a metric is judged on: recovery and NED need a ground truth."""
    if problems is None or metric not in ("recovery", "ned"):
        return problems
    return problems[problems["has_truth"]] if len(problems) else problems


def ranking(
    problems: pd.DataFrame, published: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, dict[str, dict[str, float]]]:
    """Mean rank of each method over the problem instances all methods ran (1 = best).

    Returns the table (one row per method: ``rank_<metric>`` for each of
    :data:`RANK_METRICS`, the overall recovery and accuracy rates, problem and failure counts)
    sorted best first, and per metric the number of instances used and the Friedman p-value.

    ``published``: per-problem rows of published methods (:mod:`.overlay`). Each joins the
    ranks of the metrics it has values for, which are then taken over the instances common to
    every compared row; it gets a table row of its own (no run counts) and the table a
    ``published`` column.
    """
    methods = sorted(problems["method"].unique())
    table = pd.DataFrame(index=pd.Index(methods, name="method"))
    info: dict[str, dict[str, float]] = {}
    ranks_of: dict[str, pd.Series] = {}
    for name, (col, higher, _label) in RANK_METRICS.items():
        wide = stats.wide(_truth_only(problems, name), col).reindex(columns=methods)
        wide = wide.dropna(axis=1, how="all")  # a method the metric does not apply to
        wide = with_published(wide, _truth_only(published, name), col)
        ranks = stats.instance_ranks(wide, higher_is_better=higher)
        ranks_of[name] = ranks.mean(axis=0) if len(ranks) else pd.Series(np.nan, wide.columns)
        table[f"rank_{name}"] = ranks_of[name]
        info[name] = {"n_instances": float(len(ranks)), "friedman_p": stats.friedman_p(wide)}
    _rates(table, problems)
    table["n_runs"] = problems.groupby("method")["n_runs"].sum()
    g = problems.groupby("method")
    table["n_failed"] = g["n_timeout"].sum() + g["n_error"].sum()
    table["n_mismatch"] = g["n_mismatch"].sum()
    if published is not None and len(published):
        extra = pd.DataFrame(index=pd.Index(sorted(published["method"].unique()), name="method"))
        for name in RANK_METRICS:
            extra[f"rank_{name}"] = ranks_of[name]
        _rates(extra, published)
        counts = ["n_runs", "n_failed", "n_mismatch"]
        table = pd.concat([table.assign(published=False), extra.assign(published=True)])
        table[counts] = table[counts].astype("Int64")
    table = table.reset_index()
    order = ["rank_recovery", "rank_r2", "method"]
    table = table.sort_values(order, na_position="last", kind="stable").reset_index(drop=True)
    return table, info


def _rates(table: pd.DataFrame, problems: pd.DataFrame) -> None:
    g = problems.groupby("method")
    truth = problems[problems["has_truth"]].groupby("method")
    table["recovery_rate"] = truth["solved"].mean()
    table["form_rate"] = truth["form_solved"].mean()
    table["accuracy_rate"] = g["acc_solved"].mean()
    table["n_instances"] = g.size()


def pairwise(
    problems: pd.DataFrame,
    methods: list[str] | None = None,
    published: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Wilcoxon signed-rank tests with Holm correction for every pair, per metric in
    :data:`PAIRWISE_METRICS`, pairing two methods on the problem instances both ran.

    ``published``: per-problem rows of published methods (:mod:`.overlay`); exact recovery is
    then compared too. In a metric that some published method has values for, each of the
    run's methods is compared with every other row (published ones are not compared with each
    other), on the instances common to all compared rows, Holm-corrected over those pairs.
    """
    frames = []
    extra = published is not None and len(published) > 0
    for name in ("recovery", *PAIRWISE_METRICS) if extra else PAIRWISE_METRICS:
        col, higher, _label = RANK_METRICS[name]
        subset = _truth_only(problems, name)
        if subset.empty:
            continue
        wide = stats.wide(subset, col).dropna(axis=1, how="all")  # n/a methods left out
        if methods is not None:
            wide = wide.reindex(columns=[m for m in methods if m in wide.columns])
        joined = with_published(wide, _truth_only(published, name), col)
        if joined.shape[1] > wide.shape[1]:
            own = set(wide.columns)
            pairs = [(a, b) for a, b in combinations(joined.columns, 2) if a in own or b in own]
            common = joined.dropna(how="any")
            result = stats.pairwise_wilcoxon(common, higher_is_better=higher, pairs=pairs)
        elif name == "recovery":
            continue  # compared only beside published rows
        else:
            result = stats.pairwise_wilcoxon(wide, higher_is_better=higher)
        result.insert(0, "metric", name)
        frames.append(result)
    if not frames:
        return pd.DataFrame(columns=["metric", "method_a", "method_b"])
    return pd.concat(frames, ignore_index=True)


def pareto_ranks(
    problems: pd.DataFrame,
    *,
    n_boot: int = stats.DEFAULT_N_BOOT,
    seed: int = 0,
    published: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """SRBench's Pareto view, per noise level: each method's median rank over problems by R²
    test and by complexity (1 = best), with 95 % bootstrap intervals of the medians.
    Published methods (``published``) with R² and complexity values are ranked beside."""
    rows = []
    for noise, part in problems.groupby("noise", sort=True):
        pub = None if published is None or published.empty else published[
            published["noise"] == noise
        ]  # fmt: skip
        r2 = stats.instance_ranks(
            with_published(stats.wide(part, "r2_score"), pub, "r2_score"), higher_is_better=True
        )
        cx = stats.instance_ranks(
            with_published(stats.wide(part, "complexity_score"), pub, "complexity_score"),
            higher_is_better=False,
        )
        for method in r2.columns:
            entry: dict[str, object] = {"noise": noise, "method": method, "n_instances": len(r2)}
            for tag, ranks in (("r2", r2), ("complexity", cx)):
                values = ranks[method].to_numpy(float) if method in ranks else np.array([])
                entry[f"{tag}_rank_median"] = float(np.median(values)) if values.size else np.nan
                low, high = stats.bootstrap_ci(
                    values,
                    statistic=np.median,
                    n_boot=n_boot,
                    seed=stats.seed_for("pareto", tag, noise, method, base=seed),
                )
                entry[f"{tag}_rank_ci_low"], entry[f"{tag}_rank_ci_high"] = low, high
            rows.append(entry)
    return pd.DataFrame(rows)
