"""Pure pandas aggregation of run records into leaderboard tables.

Failure rules (stated in every report, see :data:`FAILURE_RULES`): a ``timeout`` or ``error``
run is *counted* (in the run and failure counts, and in the rates' denominators), is not an
exact recovery and not an accuracy solution, has NED 1, and is *left out* of the R² and
model-size medians. For ranks and paired tests, where every method needs a value on every
problem, a failed run scores R² 0 (no better than predicting the mean) and model size +∞.

Not applicable is not failed: on a problem without a ground truth (the black-box track), and
for a method without an expression (``has_expression`` false: SRBench's ML baselines), exact
and form recovery and NED are NaN ("n/a"), left out of every rate, rank and test of theirs.
The size a report ranks by is the record's ``model_size`` (an expression's complexity, or a
model's own measure), read from ``complexity`` for records older than that field; it keeps the
column names ``complexity_*``.

Seeds are averaged within a problem first (rates and NED by their mean, R²/complexity scores
by their median); rates are then means over problems, so each problem weighs the same and
the bootstrap resamples problems.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd

from srbench_lite.metrics.accuracy import ACCURACY_THRESHOLD  # SRBench's: R² test > 0.999
from srbench_lite.report import stats

FAILURE_RULES = (
    "A run that timed out or raised an error is counted (runs, timeouts, errors, and the "
    "denominator of every rate) as not recovered and not an accuracy solution, with NED = 1; "
    "it is left out of the R² and model-size medians. For ranks and paired tests a failed run "
    "scores R² = 0 (no better than predicting the mean) and model size = +∞ (worst). Where "
    "recovery and NED do not apply (no ground truth, or a model without an expression) they "
    "are n/a, not failures."
)

PROBLEM_KEY = ["suite", "dataset", "noise", "method"]
BLOCK_KEY = ["suite", "noise", "method"]

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


def _has_truth(records: pd.DataFrame) -> pd.Series:
    text = records["true_expression"]
    own = text.map(lambda t: isinstance(t, str) and bool(t.strip())).astype(bool)
    if not own.any() and records["exact_recovery"].notna().any():
        # an older schema without true_expression: recovery was judged, so a truth existed
        own = records["exact_recovery"].notna()
    # a problem has a ground truth when any of its records names one
    key = ["suite", "dataset"]
    return own.groupby([records[k] for k in key]).transform("any").astype(bool)


def prepare(records: pd.DataFrame) -> pd.DataFrame:
    """Add the effective per-run values the failure rules define (one row per run)."""
    out = records.copy()
    ok = out["status"].eq("ok")
    truth = _has_truth(out)
    out["ok"] = ok
    mismatch = out.get("expression_mismatch", pd.Series(False, index=out.index, dtype=object))
    out["is_mismatch"] = ok & mismatch.fillna(False).astype(bool)
    out["is_timeout"] = out["status"].eq("timeout")
    out["is_error"] = out["status"].eq("error")
    out["has_truth"] = truth
    # symbolic metrics apply to an expression judged against a truth
    has_expression = out.get("has_expression", pd.Series(pd.NA, index=out.index, dtype="boolean"))
    judged = truth & has_expression.ne(False).fillna(True).astype(bool)
    solved = (ok & out["exact_recovery"].fillna(False).astype(bool)).astype(float)
    out["solved"] = solved.where(judged)
    form = out.get("form_recovery", pd.Series(pd.NA, index=out.index, dtype="boolean"))
    # an exact solution has the truth's form by definition; undecided counts as not recovered
    form_ok = ok & (
        form.fillna(False).astype(bool) | out["exact_recovery"].fillna(False).astype(bool)
    )
    out["form_solved"] = form_ok.astype(float).where(judged)
    r2 = out["r2_test"]
    out["acc_solved"] = (ok & (r2 > ACCURACY_THRESHOLD)).astype(float)
    # NED: a failed run, or a successful one whose distance is missing, is 1 (SRSD's rule)
    out["ned_eff"] = out["ned"].where(ok & out["ned"].notna(), 1.0).where(judged)
    out["r2_ok"] = r2.where(ok)
    out["r2_score"] = r2.clip(lower=0.0, upper=1.0).where(ok & np.isfinite(r2), 0.0)
    out.loc[ok & r2.isna(), "r2_score"] = 0.0
    size = out.get("model_size", pd.Series(np.nan, index=out.index))
    size = size.where(size.notna(), out["complexity"])
    out["complexity_ok"] = size.where(ok)
    out["complexity_score"] = size.where(ok & size.notna(), np.inf)
    return out


def per_problem(prepared: pd.DataFrame) -> pd.DataFrame:
    """One row per problem instance and method (suite, dataset, noise, method), seeds pooled."""
    g = prepared.groupby(PROBLEM_KEY, sort=True, dropna=False)
    out = g.agg(
        n_runs=("status", "size"),
        n_ok=("ok", "sum"),
        n_timeout=("is_timeout", "sum"),
        n_error=("is_error", "sum"),
        n_mismatch=("is_mismatch", "sum"),
        has_truth=("has_truth", "any"),
        solved=("solved", "mean"),
        form_solved=("form_solved", "mean"),
        acc_solved=("acc_solved", "mean"),
        ned=("ned_eff", "mean"),
        r2_median=("r2_ok", "median"),
        r2_score=("r2_score", "median"),
        complexity_median=("complexity_ok", "median"),
        complexity_score=("complexity_score", "median"),
        fit_time=("fit_time_s", "median"),
    ).reset_index()
    for col in ("n_ok", "n_timeout", "n_error", "n_mismatch"):
        out[col] = out[col].astype(int)
    return out


#: rate name in summary.csv → the tag its bootstrap is seeded with
RATE_TAGS = {"recovery": "rec", "form": "form", "accuracy": "acc"}
#: per-problem median columns → their prefix in summary.csv (``<prefix>_median``,
#: ``<prefix>_ci_low``, ``<prefix>_ci_high``): the black-box track's leaderboard values
PROBLEM_MEDIANS = {"r2_median": "r2_problem", "complexity_median": "size_problem"}


def rate_fields(
    name: str, values: pd.Series, key: tuple, *, n_boot: int, seed: int
) -> dict[str, float]:
    """``<name>_rate``: the mean of per-problem values (NaN left out), with ``<name>_ci_low``
    and ``<name>_ci_high``, its 95 % bootstrap interval over the problems, seeded by the rate
    and the block's ``key`` (stable across reports)."""
    x = values.to_numpy(float)
    x = x[~np.isnan(x)]
    tag_seed = stats.seed_for(RATE_TAGS[name], *key, base=seed)
    low, high = stats.bootstrap_ci(x, n_boot=n_boot, seed=tag_seed)
    mean = float(np.mean(x)) if x.size else np.nan
    return {f"{name}_rate": mean, f"{name}_ci_low": low, f"{name}_ci_high": high}


def median_fields(problems: pd.DataFrame, key: tuple, *, n_boot: int, seed: int) -> dict:
    """For each of :data:`PROBLEM_MEDIANS`: the median over problems of the per-problem value
    (a problem's median over its successful runs; NaN left out) with its 95 % bootstrap
    interval over the problems -- SRBench's black-box figures (median over datasets)."""
    out: dict[str, float] = {}
    for column, name in PROBLEM_MEDIANS.items():
        x = problems[column].to_numpy(float)
        x = x[~np.isnan(x)]
        low, high = stats.bootstrap_ci(
            x, statistic=np.median, n_boot=n_boot, seed=stats.seed_for(name, *key, base=seed)
        )
        out[f"{name}_median"] = float(np.median(x)) if x.size else np.nan
        out[f"{name}_ci_low"], out[f"{name}_ci_high"] = low, high
    return out


def summarize(
    prepared: pd.DataFrame,
    problems: pd.DataFrame | None = None,
    *,
    n_boot: int = stats.DEFAULT_N_BOOT,
    seed: int = 0,
) -> pd.DataFrame:
    """The leaderboard: one row per suite × noise × method (the columns of summary.csv).

    Rates (recovery, accuracy) and mean NED are means over problems of the per-problem means
    over seeds, with a 95 % percentile bootstrap interval over problems; recovery and NED only
    over problems with a ground truth. Medians (R² test, model size: successful runs only;
    fit time: every run that reports one) are over all runs of the block; ``r2_problem_median``
    and ``size_problem_median`` are medians over problems, with intervals
    (:func:`median_fields`).
    """
    if problems is None:
        problems = per_problem(prepared)
    rows = []
    pgroups = dict(list(problems.groupby(BLOCK_KEY, sort=True)))
    for key, runs in prepared.groupby(BLOCK_KEY, sort=True):
        probs = pgroups[key]
        suite, noise, method = key
        truth = probs.loc[probs["has_truth"]]
        boot = {"n_boot": n_boot, "seed": seed}
        rows.append(
            {
                "suite": suite,
                "noise": noise,
                "method": method,
                "n_problems": len(probs),
                "n_problems_with_truth": int(probs["has_truth"].sum()),
                "n_runs": len(runs),
                "n_ok": int(runs["ok"].sum()),
                "n_timeout": int(runs["is_timeout"].sum()),
                "n_error": int(runs["is_error"].sum()),
                "n_mismatch": int(runs["is_mismatch"].sum()),
                **rate_fields("recovery", truth["solved"], key, **boot),
                **rate_fields("form", truth["form_solved"], key, **boot),
                **rate_fields("accuracy", probs["acc_solved"], key, **boot),
                "r2_test_median": runs["r2_ok"].median(),
                "ned_mean": probs.loc[probs["has_truth"], "ned"].mean(),
                "complexity_median": runs["complexity_ok"].median(),
                "fit_time_median_s": runs["fit_time_s"].median(),
                **median_fields(probs, key, **boot),
            }
        )
    return pd.DataFrame(rows)


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


def heat_categories(problems: pd.DataFrame) -> pd.DataFrame:
    """Per problem instance and method, one outcome category (see :data:`HEAT_LABELS`).

    A method recovers a problem when it did in at least half its seeds; failed when at least
    half its runs timed out or errored (the more common of the two); otherwise the category
    is the band of its median R² test over its successful runs.
    """
    out = problems[PROBLEM_KEY].copy()
    failed = (problems["n_timeout"] + problems["n_error"]) * 2 >= problems["n_runs"]
    r2 = problems["r2_median"]
    cat = np.select(
        [
            problems["solved"].fillna(0) >= 0.5,
            failed & (problems["n_timeout"] >= problems["n_error"]),
            failed,
            r2 > ACCURACY_THRESHOLD,
            r2 > 0.99,
            r2 > 0.9,
        ],
        [6, 1, 0, 5, 4, 3],
        default=2,
    )
    out["category"] = cat
    return out


def published_heat_categories(published: pd.DataFrame) -> pd.DataFrame:
    """:func:`heat_categories` for published rows: recovered when the published rate is at
    least one half, an accuracy solution when the published (median) verdict is, else the
    band of a published median R² -- or, where none was published,
    :data:`HEAT_PUBLISHED_OTHER`."""
    out = published[PROBLEM_KEY].copy()
    r2 = published["r2_median"]
    out["category"] = np.select(
        [
            published["solved"].fillna(0) >= 0.5,
            (published["acc_solved"].fillna(0) >= 0.5) | (r2 > ACCURACY_THRESHOLD),
            r2 > 0.99,
            r2 > 0.9,
            r2.notna(),
        ],
        [6, 5, 4, 3, 2],
        default=HEAT_PUBLISHED_OTHER,
    )
    return out


#: heat-map categories, worst to best
HEAT_LABELS = (
    "error",
    "timeout",
    "R² ≤ 0.9",
    "0.9 < R² ≤ 0.99",
    "0.99 < R² ≤ 0.999",
    "R² > 0.999 (accuracy solution)",
    "exact recovery",
)
#: the category of a published cell that is neither recovered nor an accuracy solution when
#: no finer R² band was published (SRBench's ground-truth track)
HEAT_PUBLISHED_OTHER = len(HEAT_LABELS)
HEAT_PUBLISHED_OTHER_LABEL = "not solved, R² ≤ 0.999 (published; no finer band)"


def noise_label(level: float) -> str:
    """``0.01`` → ``"noise 0.01"`` (SRBench: sd = level × RMS(y) on the training target)."""
    return f"noise {level:g}"
