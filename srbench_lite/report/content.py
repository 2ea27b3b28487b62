"""The report's content as a :class:`~.document.Document`: the runs, the settings, the overall
ranking, the plots, a leaderboard per suite and noise level, the pairwise tests, the
definitions and (HTML only) every run. Markdown and HTML render the same document.
"""

from __future__ import annotations

import pandas as pd

from srbench_lite.metrics.accuracy import ACCURACY_THRESHOLD
from srbench_lite.provenance import scrub_paths
from srbench_lite.report.aggregate import (
    FAILURE_RULES,
    PAIRWISE_METRICS,
    RANK_METRICS,
    noise_label,
)
from srbench_lite.report.conditions import conditions_section
from srbench_lite.report.definitions import DEFINITIONS, PUBLISHED_DEFINITION
from srbench_lite.report.document import (
    Callout,
    Cell,
    Code,
    Details,
    Document,
    Figure,
    Items,
    Links,
    Paragraph,
    Row,
    RowGroup,
    Section,
    Table,
)
from srbench_lite.report.format import (
    fmt_count,
    fmt_num,
    fmt_p,
    fmt_pct,
    fmt_r2,
    fmt_seconds,
    fmt_size,
    missing,
    truncate,
)
from srbench_lite.report.runs import ReportData, dirty_warnings, intro, run_rows, settings

#: rows of the per-run table in index.html (the rest is in the run directories)
MAX_HTML_RUNS = 5000
#: characters of a model string shown in a table cell (the full string is in its tooltip)
MAX_MODEL_CHARS = 300
_ACC = f"R² > {ACCURACY_THRESHOLD:g}"

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
        na = _not_applicable(r)
        ci, form = na(ci), na(form)
        first, second = (form, ci) if form_first else (ci, form)
        ok = "–" if missing(r["n_runs"]) else f"{int(r['n_ok'])}/{int(r['n_runs'])}"
        rows.append(Row([
            str(i), r["method"], first, second, acc, fmt_r2(r["r2_test_median"]),
            na(fmt_num(r["ned_mean"], ".3f")), fmt_size(r["complexity_median"]),
            fmt_seconds(r["fit_time_median_s"]), ok, fmt_count(r["n_timeout"]),
            fmt_count(r["n_error"]), fmt_count(r.get("n_mismatch", 0)),
        ], group=_group(r)))  # fmt: skip
    exact_h, form_h = "exact recovery % [95 % CI]", "form recovery % [95 % CI]"
    headers = ["#", "method", *((form_h, exact_h) if form_first else (exact_h, form_h)),
               f"{_ACC} % [95 % CI]",
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
        ], group=_group(r)))  # fmt: skip
    headers = ["#", "method", "median R² test [95 % CI]", "median model size [95 % CI]",
               "median fit time (s)", "ok runs", "timeouts", "errors", "expr ≠ predict"]
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


def ranking_table(data: ReportData) -> Table:
    rows = []
    for i, (_, r) in enumerate(data.ranking.iterrows(), start=1):
        na = _not_applicable(r)
        rows.append(Row([
            str(i), r["method"], na(fmt_pct(r["recovery_rate"])), na(fmt_pct(r.get("form_rate"))),
            fmt_pct(r["accuracy_rate"]),
            *(na(fmt_num(r[f"rank_{k}"], ".2f")) if k in SYMBOLIC else fmt_num(r[f"rank_{k}"], ".2f")
              for k in RANK_METRICS),
            fmt_count(r["n_runs"]), fmt_count(r["n_failed"]), fmt_count(r.get("n_mismatch", 0)),
        ], group=_group(r)))  # fmt: skip
    headers = ["#", "method", "exact recovery %", "form recovery %", f"{_ACC} %", "rank: recovery",
               "rank: R² test", "rank: NED", "rank: model size", "rank: fit time", "runs",
               "failed", "expr ≠ predict"]  # fmt: skip
    return Table(headers, rows, align=RANK_ALIGN, groups=published_groups(data))


#: the ranks that need an expression and a ground truth
SYMBOLIC = ("recovery", "ned")


def _not_applicable(row: pd.Series):
    """For a run's own row, a missing symbolic value reads "n/a" (no ground truth, or no
    expression); a published row keeps "–" (not published)."""
    own = not _group(row)
    return lambda text: "n/a" if own and text == "–" else text


def ranking_note(data: ReportData) -> str:
    parts = []
    for key, (_col, _higher, label) in RANK_METRICS.items():
        info = data.rank_info.get(key, {})
        n = int(info.get("n_instances", 0))
        parts.append(f"{label}: {n} instances, Friedman p = {fmt_p(info.get('friedman_p'))}")
    text = (
        "Mean rank (1 = best) over the problem instances that every method ran; "
        + "; ".join(parts)
        + ". Sorted by recovery rank, then R² rank."
    )
    if data.published and "published" in data.ranking:
        ranked = [
            label
            for key, (_c, _h, label) in RANK_METRICS.items()
            if data.ranking.loc[data.ranking["published"], f"rank_{key}"].notna().any()
        ]
        text += (
            " Published rows join the ranks they have values for "
            f"({', '.join(ranked) or 'none'}; – elsewhere): such a rank is taken over the "
            "instances that every compared row has, published ones included, so the counts "
            "above are those common instances. Each row's rates are over the instances it has "
            "(a published row's: those it shares with the run)."
        )
    return text


def pairwise_table(data: ReportData, metric: str) -> Table | None:
    """Row method vs column method: ▲ row significantly better, ▼ worse, · no difference;
    with the Holm-adjusted p-value. None when no pair was compared."""
    part = data.pairwise[data.pairwise["metric"] == metric]
    compared = set(part["method_a"]) | set(part["method_b"])
    methods = [m for m in data.methods if m in compared]
    if not methods:
        return None
    published = data.published.methods if data.published else []
    columns = methods + [m for m in published if m in compared]
    cell: dict[tuple[str, str], Cell] = {}
    for _, r in part.iterrows():
        a, b = r["method_a"], r["method_b"]
        p = fmt_p(r["p_holm"])
        if r["n"] == 0:
            cell[a, b] = cell[b, a] = Cell("n/a")
        elif r["better"] in (a, b):
            win, lose = (a, b) if r["better"] == a else (b, a)
            cell[win, lose], cell[lose, win] = (
                Cell(f"▲ {p}", style="better"),
                Cell(f"▼ {p}", style="worse"),
            )
        else:
            cell[a, b] = cell[b, a] = Cell(f"· {p}")
    rows = [
        Row([m, *(Cell("—") if m == o else cell.get((m, o), Cell("n/a")) for o in columns)])
        for m in methods
    ]
    return Table(["row vs column", *columns], rows, align="l" + "c" * len(columns), label_column=0)


def pairwise_note(data: ReportData) -> str:
    """The legend of the pairwise tables; with published rows, what they were tested on."""
    part = data.pairwise[data.pairwise["metric"] == "recovery"]
    if not data.published or part.empty:
        return PAIRWISE_NOTE
    n = int(part["n"].max())
    return PAIRWISE_NOTE + (
        " Exact recovery is compared beside the published rows: rows are this run's methods, "
        "columns every row, published ones included (not compared with each other); every "
        f"pair is tested on the {n} problem instances common to all compared rows, with Holm's "
        "correction over these pairs."
    )


PUBLISHED = "published"


def _group(row: pd.Series) -> str:
    """The row group of a summary or ranking row: published rows carry ``published=True``."""
    flag = row.get("published")
    return PUBLISHED if not missing(flag) and bool(flag) else ""


def published_groups(data: ReportData) -> dict[str, RowGroup]:
    """The row group of published rows (their marker and the note under a table), if any."""
    if not data.published:
        return {}
    return {PUBLISHED: RowGroup("†", f"{data.published.describe()}; – : not published.")}


PAIRWISE_TITLES = {
    "recovery": "Exact recovery (per-problem rate), beside the published rows",
    "r2": "R² test (per-problem median; a failed run counts as R² = 0)",
    "ned": "NED (problems with a ground truth; a failed run counts as NED = 1)",
}
PAIRWISE_NOTE = (
    "▲ row method significantly better than the column method, ▼ significantly worse, "
    "· no significant difference (Wilcoxon signed-rank, Holm-corrected p shown, α = 0.05)."
)


def runs_table(data: ReportData) -> tuple[Table, int]:
    """Every run (the first :data:`MAX_HTML_RUNS`), and how many there are."""
    rec = data.prepared.sort_values(["suite", "dataset", "noise", "method", "seed"])
    total = len(rec)
    rows = []
    for r in rec.head(MAX_HTML_RUNS).itertuples(index=False):
        model, model_full = truncate(r.expression, MAX_MODEL_CHARS)
        truth, truth_full = truncate(r.true_expression, MAX_MODEL_CHARS)
        error = scrub_paths(r.error) if isinstance(r.error, str) else r.error
        error, error_full = truncate(error, 160)
        if missing(r.solved):  # no ground truth, or no expression
            recovered, ned = "n/a", "n/a"
        else:
            recovered = "–" if missing(r.exact_recovery) else ("yes" if r.exact_recovery else "no")
            ned = fmt_num(r.ned, ".3f")
        rows.append(Row([
            r.run, r.suite, r.dataset, f"{r.noise:g}", "–" if missing(r.seed) else str(r.seed),
            r.method, Cell(r.status, style=f"st-{r.status}"), fmt_r2(r.r2_test), recovered,
            ned, fmt_size(r.complexity_ok), fmt_seconds(r.fit_time_s),
            Cell(model, model_full, "model"), Cell(truth, truth_full, "model"),
            Cell(error, error_full),
        ]))  # fmt: skip
    headers = [
        "run",
        "suite",
        "problem",
        "noise",
        "seed",
        "method",
        "status",
        "R² test",
        "recovered",
        "NED",
        "model size",
        "fit time (s)",
        "model",
        "truth",
        "error",
    ]
    return Table(headers, rows, align="lllrrlllrlrrlll"), total


def document(data: ReportData) -> Document:
    """The whole report, in order."""
    runs = run_rows(data)
    preamble = [
        Paragraph(intro(data)),
        Paragraph(f"Generated {data.generated} by", note=True),
        Code(data.command),
        Links("Files:", [(f, f) for f in data.files if f != "README.md"], only="markdown"),
    ]
    runs_blocks = [
        Table(["run", "path", "records", "skipped lines", "run id", "date", "code (git)"],
              [Row([r[k] for k in ("run", "path", "records", "skipped", "run_id", "date", "git")])
               for r in runs], align="llrrlll"),
    ]  # fmt: skip
    for r in runs:
        if r["command"]:
            runs_blocks += [Paragraph(f"Command of run {r['run']}:"), Code(r["command"])]
    runs_blocks.append(Items(settings(data)))
    runs_blocks += [Callout(text) for text in dirty_warnings(data)]
    if data.loaded.warnings:
        runs_blocks.append(Callout(
            "Input problems (the report shows what could be read):",
            [scrub_paths(w) for w in data.loaded.warnings],
        ))  # fmt: skip
    runs_blocks.append(Paragraph(FAILURE_RULES, lead="Failures."))

    plots = [
        Section(p.title, [Paragraph(p.caption, note=True),
                          Figure(p.filename, p.title, wide=p.filename.startswith("heatmap"))])
        for p in data.plots
    ]  # fmt: skip
    groups = published_groups(data)
    boards = [
        Section(title, [*board_note(data, block), Paragraph(BLACKBOX_NOTE, note=True),
                        blackbox_table(block, groups)])
        if no_truth(block)
        else Section(title, [*board_note(data, block),
                             leaderboard_table(block, block["suite"].iloc[0] in FORM_FIRST_SUITES,
                                               groups)])
        for title, block in blocks(data)
    ]  # fmt: skip
    pairwise = [
        Section(PAIRWISE_TITLES[metric], [table])
        for metric in ("recovery", *PAIRWISE_METRICS)
        if (table := pairwise_table(data, metric)) is not None
    ]
    definitions = [*DEFINITIONS, ("Bootstrap resamples", str(data.n_boot))]
    conditions = []
    if data.published:
        if data.published.methods:
            definitions.append(("Published rows", PUBLISHED_DEFINITION))
        conditions.append(conditions_section(data, data.published))
    table, total = runs_table(data)
    shown = min(total, MAX_HTML_RUNS)
    more = f" (the first {shown} of {total}; every record is in the run directories)"
    summary = f"{total} runs" + (more if total > shown else "")
    return Document(
        title=f"Leaderboard: {data.name}",
        blocks=preamble,
        sections=[
            Section("Runs", runs_blocks),
            *conditions,
            Section("Overall ranking",
                    [Paragraph(ranking_note(data), note=True), ranking_table(data)]),
            Section("Plots", sections=plots),
            Section("Leaderboard by suite and noise level", sections=boards),
            Section("Pairwise comparisons", [Paragraph(pairwise_note(data), note=True)],
                    sections=pairwise),
            Section("Definitions", [Items(definitions)]),
            Section("All runs", [Details(summary, [table])], only="html"),
        ],
    )  # fmt: skip
