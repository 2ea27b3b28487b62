"""The report's content as a :class:`~.document.Document`: the runs, the settings, the overall
ranking, the plots, a leaderboard per suite and noise level (:mod:`.leaderboards`), the
pairwise tests, the definitions and (HTML only) every run. Markdown and HTML render the same
document.
"""

from __future__ import annotations

from srbench_lite.provenance import scrub_paths
from srbench_lite.report.aggregate import FAILURE_RULES
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
from srbench_lite.report.leaderboards import (
    ACCURACY_HEADER,
    BLACKBOX_NOTE,
    FORM_FIRST_SUITES,
    RANK_ALIGN,
    blackbox_table,
    blocks,
    board_note,
    leaderboard_table,
    no_truth,
    not_applicable,
    published_groups,
    row_group,
)
from srbench_lite.report.ranks import PAIRWISE_METRICS, RANK_METRICS
from srbench_lite.report.runs import ReportData, dirty_warnings, intro, run_rows, settings

__all__ = [
    "FORM_FIRST_SUITES",
    "MAX_HTML_RUNS",
    "MAX_MODEL_CHARS",
    "document",
    "pairwise_table",
    "ranking_table",
    "runs_table",
]

#: rows of the per-run table in index.html (the rest is in the run directories)
MAX_HTML_RUNS = 5000
#: characters of a model string shown in a table cell (the full string is in its tooltip)
MAX_MODEL_CHARS = 300
#: the ranks that need an expression and a ground truth
SYMBOLIC = ("recovery", "ned")


def ranking_table(data: ReportData) -> Table:
    """The overall ranking: each method's mean ranks and rates (:func:`.ranks.ranking`)."""
    rows = []
    for i, (_, r) in enumerate(data.ranking.iterrows(), start=1):
        na = not_applicable(r)
        rows.append(Row([
            str(i), r["method"], na(fmt_pct(r["recovery_rate"])), na(fmt_pct(r.get("form_rate"))),
            fmt_pct(r["accuracy_rate"]),
            *(na(fmt_num(r[f"rank_{k}"], ".2f")) if k in SYMBOLIC else fmt_num(r[f"rank_{k}"], ".2f")
              for k in RANK_METRICS),
            fmt_count(r["n_runs"]), fmt_count(r["n_failed"]), fmt_count(r.get("n_mismatch", 0)),
        ], group=row_group(r)))  # fmt: skip
    headers = ["#", "method", "exact recovery %", "form recovery %", f"{ACCURACY_HEADER} %",
               "rank: recovery", "rank: R² test", "rank: NED", "rank: model size",
               "rank: fit time", "runs", "failed", "expr ≠ predict"]  # fmt: skip
    return Table(headers, rows, align=RANK_ALIGN, groups=published_groups(data))


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
