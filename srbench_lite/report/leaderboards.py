"""The leaderboards of a report: one table per suite × noise level, methods best first.

A block with a ground truth ranks by exact recovery (form recovery first for
:data:`FORM_FIRST_SUITES`), then accuracy and median R²; a block without one (the black-box
track) by SRBench's figures, the median over datasets of test R² and model size. Published
rows (:mod:`.overlay`) join a block as the row group :data:`PUBLISHED`. Used by
:mod:`.content`, which lays out the whole report.
"""

from __future__ import annotations

import pandas as pd

from srbench_lite.metrics.accuracy import ACCURACY_THRESHOLD
from srbench_lite.report.aggregate import noise_label
from srbench_lite.report.document import Paragraph, Row, RowGroup, Table
from srbench_lite.report.format import (
    fmt_count,
    fmt_num,
    fmt_pct,
    fmt_r2,
    fmt_seconds,
    fmt_size,
    missing,
)
from srbench_lite.report.runs import ReportData

__all__ = [
    "ACCURACY_HEADER",
    "BLACKBOX_NOTE",
    "FORM_FIRST_SUITES",
    "PUBLISHED",
    "RANK_ALIGN",
    "blackbox_table",
    "blocks",
    "board_note",
    "leaderboard_table",
    "no_truth",
    "not_applicable",
    "published_groups",
    "row_group",
]

#: the accuracy criterion, as a column header
ACCURACY_HEADER = f"R² > {ACCURACY_THRESHOLD:g}"


def leaderboard_table(
    block: pd.DataFrame, form_first: bool = False, groups: dict[str, RowGroup] | None = None
) -> Table:
    """One suite × noise level: methods best first, rates with 95 % bootstrap intervals
    (form recovery first for suites judged by form, :data:`FORM_FIRST_SUITES`). Rows whose
    ``published`` column is true join the row group ``published`` of ``groups``."""
    rows = []
    for i, (_, r) in enumerate(block.iterrows(), start=1):
        ci = (
            "–"
            if missing(r["recovery_rate"])
            else f"{fmt_pct(r['recovery_rate'])} [{fmt_pct(r['recovery_ci_low'])}, "
            f"{fmt_pct(r['recovery_ci_high'])}]"
        )
        acc = (
            f"{fmt_pct(r['accuracy_rate'])} [{fmt_pct(r['accuracy_ci_low'])}, "
            f"{fmt_pct(r['accuracy_ci_high'])}]"
        )
        form = (
            "–"
            if missing(r.get("form_rate"))
            else f"{fmt_pct(r['form_rate'])} [{fmt_pct(r['form_ci_low'])}, "
            f"{fmt_pct(r['form_ci_high'])}]"
        )
        na = not_applicable(r)
        ci, form = na(ci), na(form)
        first, second = (form, ci) if form_first else (ci, form)
        ok = "–" if missing(r["n_runs"]) else f"{int(r['n_ok'])}/{int(r['n_runs'])}"
        rows.append(Row([
            str(i), r["method"], first, second, acc, fmt_r2(r["r2_test_median"]),
            na(fmt_num(r["ned_mean"], ".3f")), fmt_size(r["complexity_median"]),
            fmt_seconds(r["fit_time_median_s"]), ok, fmt_count(r["n_timeout"]),
            fmt_count(r["n_error"]), fmt_count(r.get("n_mismatch", 0)),
        ], group=row_group(r)))  # fmt: skip
    exact_h, form_h = "exact recovery % [95 % CI]", "form recovery % [95 % CI]"
    headers = ["#", "method", *((form_h, exact_h) if form_first else (exact_h, form_h)),
               f"{ACCURACY_HEADER} % [95 % CI]",
               "median R² test", "mean NED", "median model size", "median fit time (s)",
               "ok runs", "timeouts", "errors", "expr ≠ predict"]  # fmt: skip
    return Table(headers, rows, align=RANK_ALIGN, groups=groups or {})


def _median_ci(r: pd.Series, prefix: str, fmt) -> str:
    """``median [low, high]`` of summary columns ``<prefix>_median`` and its interval."""
    if missing(r.get(f"{prefix}_median")):
        return "–"
    return f"{fmt(r[f'{prefix}_median'])} [{fmt(r[f'{prefix}_ci_low'])}, {fmt(r[f'{prefix}_ci_high'])}]"


def blackbox_table(block: pd.DataFrame, groups: dict[str, RowGroup] | None = None) -> Table:
    """A suite × noise level without ground truth (the black-box track): SRBench's figures,
    the median over datasets of test R² and of model size, with 95 % bootstrap intervals."""
    rows = []
    for i, (_, r) in enumerate(block.iterrows(), start=1):
        ok = "–" if missing(r["n_runs"]) else f"{int(r['n_ok'])}/{int(r['n_runs'])}"
        rows.append(Row([
            str(i), r["method"], _median_ci(r, "r2_problem", fmt_r2),
            _median_ci(r, "size_problem", fmt_size),
            fmt_seconds(r["fit_time_median_s"]), ok, fmt_count(r["n_timeout"]),
            fmt_count(r["n_error"]), fmt_count(r.get("n_mismatch", 0)),
        ], group=row_group(r)))  # fmt: skip
    headers = [
        "#",
        "method",
        "median R² test [95 % CI]",
        "median model size [95 % CI]",
        "median fit time (s)",
        "ok runs",
        "timeouts",
        "errors",
        "expr ≠ predict",
    ]
    return Table(headers, rows, align="ll" + "r" * 7, groups=groups or {})


BLACKBOX_NOTE = (
    "No ground truth: exact and form recovery and NED are n/a. Methods are ranked by the "
    "median over datasets of their test R² (each dataset's median over seeds, successful "
    "runs), as in SRBench's black-box figures; model size: an expression's complexity, a "
    "model's own measure otherwise (Definitions)."
)


def no_truth(block: pd.DataFrame) -> bool:
    """Whether a leaderboard block has no problem with a ground truth (black-box track)."""
    return int(block["n_problems_with_truth"].fillna(0).max()) == 0


#: suites whose leaderboard leads with form recovery: laws fitted to measured or noisy data,
#: whose constants never match to three digits (the PySR paper judged EmpiricalBench so)
FORM_FIRST_SUITES = ("empirical",)


def blocks(data: ReportData) -> list[tuple[str, pd.DataFrame]]:
    """(title, rows) per suite × noise level, methods best first (exact recovery -- form
    recovery for :data:`FORM_FIRST_SUITES` -- then accuracy, then median R²; without ground
    truth, median R² over datasets, then model size)."""
    out = []
    published = data.published.summary if data.published else pd.DataFrame()
    for (suite, noise), block in data.summary.groupby(["suite", "noise"], sort=True):
        n = int(block["n_problems"].max())
        if len(published):
            extra = published[(published["suite"] == suite) & (published["noise"] == noise)]
            block = pd.concat([block.assign(published=False), extra.assign(published=True)])
        if no_truth(block):  # SRBench's black-box order: median R², then model size
            block = block.sort_values(
                ["r2_problem_median", "size_problem_median", "method"],
                ascending=[False, True, True],
                na_position="last",
            )
            out.append((f"{suite} · {noise_label(noise)} · {n} datasets", block))
            continue
        lead = ["form_rate", "recovery_rate"] if suite in FORM_FIRST_SUITES else ["recovery_rate"]
        block = block.sort_values(
            [*lead, "accuracy_rate", "r2_test_median", "method"],
            ascending=[False] * (len(lead) + 2) + [True],
            na_position="last",
        )
        out.append((f"{suite} · {noise_label(noise)} · {n} problems", block))
    return out


def board_note(data: ReportData, block: pd.DataFrame) -> list[Paragraph]:
    """With published rows: a note when they cover fewer problems of a block than the run."""
    if not data.published:
        return []
    flags = block["published"] if "published" in block else pd.Series(False, index=block.index)
    own = block.loc[~flags.astype(bool), "n_problems"]
    pub = block.loc[flags.astype(bool), "n_problems"]
    n = int(own.max()) if len(own) else 0
    if pub.empty:
        these = "this problem" if n == 1 else f"these {n} problems"
        return [Paragraph(f"No published results for {these} at this noise level.", note=True)]
    if int(pub.max()) < n:
        return [Paragraph(f"Published rows are on {int(pub.max())} of these {n} problems: the "
                          "others are not in the published results.", note=True)]  # fmt: skip
    return []


#: ``#`` and method left-aligned, numbers right-aligned (both tables have 13 columns)
RANK_ALIGN = "ll" + "r" * 11


def not_applicable(row: pd.Series):
    """For a run's own row, a missing symbolic value reads "n/a" (no ground truth, or no
    expression); a published row keeps "–" (not published)."""
    own = not row_group(row)
    return lambda text: "n/a" if own and text == "–" else text


PUBLISHED = "published"


def row_group(row: pd.Series) -> str:
    """The row group of a summary or ranking row: published rows carry ``published=True``."""
    flag = row.get("published")
    return PUBLISHED if not missing(flag) and bool(flag) else ""


def published_groups(data: ReportData) -> dict[str, RowGroup]:
    """The row group of published rows (their marker and the note under a table), if any."""
    if not data.published:
        return {}
    return {PUBLISHED: RowGroup("†", f"{data.published.describe()}; – : not published.")}
