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

Ranks and paired tests of these tables are :mod:`.ranks`' (re-exported here).

Seeds are averaged within a problem first (rates and NED by their mean, R²/complexity scores
by their median); rates are then means over problems, so each problem weighs the same and
the bootstrap resamples problems.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from srbench_lite.metrics.accuracy import ACCURACY_THRESHOLD  # SRBench's: R² test > 0.999
from srbench_lite.report import stats
from srbench_lite.report.ranks import (  # re-exported: the comparisons of the same tables
    PAIRWISE_METRICS,
    RANK_METRICS,
    pairwise,
    pareto_ranks,
    ranking,
    with_published,
)

__all__ = [
    "BLOCK_KEY",
    "FAILURE_RULES",
    "HEAT_LABELS",
    "HEAT_PUBLISHED_OTHER",
    "HEAT_PUBLISHED_OTHER_LABEL",
    "PAIRWISE_METRICS",
    "PROBLEM_KEY",
    "RANK_METRICS",
    "heat_categories",
    "median_fields",
    "noise_label",
    "pairwise",
    "pareto_ranks",
    "per_problem",
    "prepare",
    "published_heat_categories",
    "ranking",
    "rate_fields",
    "summarize",
    "with_published",
]

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
