"""Render the leaderboard as GitHub Markdown (``README.md``) and self-contained HTML.

Everything that comes from a record or a ``run.json`` (model strings, error texts, names,
commands) is untrusted: in HTML every such string goes through :func:`html.escape` and the page
carries a Content-Security-Policy that forbids scripts altogether; in Markdown it is escaped so
that it can neither open HTML nor break a table.
"""

from __future__ import annotations

import base64
import html
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from srbench_lite.provenance import command_as_typed, scrub_paths
from srbench_lite.report.aggregate import (
    ACCURACY_THRESHOLD,
    FAILURE_RULES,
    PAIRWISE_METRICS,
    RANK_METRICS,
    noise_label,
)
from srbench_lite.report.load import LoadedRuns

#: rows of the per-run table in index.html (the rest is in the run directories)
MAX_HTML_RUNS = 5000
#: characters of a model string shown in a table cell (the full string is in its tooltip)
MAX_MODEL_CHARS = 300


@dataclass
class Plot:
    filename: str
    title: str
    caption: str


@dataclass
class ReportData:
    """Everything one report shows; built by :func:`srbench_lite.report.build_report`."""

    name: str
    command: str
    generated: str
    loaded: LoadedRuns
    prepared: pd.DataFrame
    summary: pd.DataFrame
    ranking: pd.DataFrame
    rank_info: dict[str, dict[str, float]]
    pairwise: pd.DataFrame
    methods: list[str]
    n_boot: int
    plots: list[Plot] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- formatting
def _missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA


def fmt_pct(x: Any) -> str:
    return "–" if _missing(x) else f"{100 * float(x):.1f}"


def fmt_r2(x: Any) -> str:
    """R² with enough digits to tell 0.999 from 0.9999 (``1`` when exact)."""
    if _missing(x):
        return "–"
    x = float(x)
    if not math.isfinite(x):
        return "−∞" if x < 0 else "∞"
    if x >= 1.0:
        return "1"
    if x >= 0.99:
        digits = min(12, math.ceil(-math.log10(1.0 - x) + 1e-9) + 1)
        return f"{x:.{digits}f}"
    return f"{x:.3f}"


def fmt_num(x: Any, spec: str = ".3g") -> str:
    if _missing(x):
        return "–"
    x = float(x)
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    return format(x, spec)


def fmt_p(p: Any) -> str:
    if _missing(p):
        return "–"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def fmt_seconds(x: Any) -> str:
    if _missing(x):
        return "–"
    return f"{x:.0f}" if x >= 100 else f"{x:.3g}"


_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#~])")


def md(text: Any) -> str:
    """Escape untrusted text for a Markdown table cell or paragraph (no HTML, no markup)."""
    s = "" if _missing(text) else str(text)
    s = " ".join(s.split())  # newlines would end a table row
    s = _MD_SPECIAL.sub(r"\\\1", s)
    return html.escape(s, quote=False)


def esc(text: Any) -> str:
    """Escape untrusted text for HTML (element content and attribute values)."""
    return html.escape("" if _missing(text) else str(text), quote=True)


def _code_block(text: str, lang: str = "sh") -> str:
    fence = "```"
    while fence in text:
        fence += "`"
    return f"{fence}{lang}\n{text}\n{fence}"


def _md_table(headers: Sequence[str], rows: Iterable[Sequence[str]], align: str = "") -> str:
    """A GitHub table; cells must already be escaped. ``align``: one of l/r per column."""
    align = align or "l" + "r" * (len(headers) - 1)
    sep = [{"r": "---:", "c": ":---:"}.get(a, ":---") for a in align]
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(sep) + " |"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


# --------------------------------------------------------------------------- content
def _meta_get(meta: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        if meta.get(key) not in (None, "", [], {}):
            return meta[key]
        config = meta.get("config")
        if isinstance(config, dict) and config.get(key) not in (None, "", [], {}):
            return config[key]
    return None


def _command_text(cmd: Any) -> str | None:
    """A run's command as typed, with no path of the machine that made it (older run.json
    files held the interpreter's absolute ``argv``)."""
    if cmd is None:
        return None
    if isinstance(cmd, (list, tuple)):
        import shlex

        return shlex.join(command_as_typed([str(c) for c in cmd]))
    return scrub_paths(str(cmd))


def code_text(meta: dict[str, Any]) -> str:
    """The code a run came from: ``abc123def456`` (commit), ``abc123def456 + uncommitted
    changes``, ``installed package``, or ``–`` (not recorded)."""
    code = meta.get("code")
    if isinstance(code, dict):
        sha = str(code.get("git_commit") or "")[:12]
        if code.get("source") != "git checkout":
            return "installed package"
        if code.get("git_dirty"):
            return f"{sha or '?'} + uncommitted changes"
        return sha or "–"
    git = meta.get("git_sha")  # schema 1: the commit only, cleanliness unknown
    return f"{str(git)[:12]} (uncommitted changes not recorded)" if git else "–"


def dirty_warnings(data: ReportData) -> list[str]:
    """One plain sentence per run that came from uncommitted code (or did not say)."""
    out = []
    for run in data.loaded.runs:
        metas = [run.meta, *[m for m in run.meta.get("resumed", []) if isinstance(m, dict)]]
        for i, meta in enumerate(metas):
            code = meta.get("code")
            part = "" if i == 0 else f" (resumed session {i})"
            if isinstance(code, dict) and code.get("git_dirty"):
                changed = ", ".join(str(c).strip() for c in code.get("git_changed") or [])
                n = int(code.get("git_n_changed") or 0)
                out.append(
                    f"Run {run.name}{part} came from uncommitted code: commit "
                    f"{str(code.get('git_commit') or '?')[:12]} plus {n} changed or untracked "
                    f"file(s) ({changed}{', ...' if n > len(code.get('git_changed') or []) else ''}); "
                    "its figures are not reproducible from a commit."
                )
            elif not isinstance(code, dict) and meta:
                out.append(
                    f"Run {run.name}{part} does not record whether its code had uncommitted "
                    "changes (made before srbench-lite recorded it)."
                )
    return out


def run_rows(data: ReportData) -> list[dict[str, str]]:
    """One row per combined run: name, path, records, skipped lines, id, date, code, command."""
    rows = []
    for run in data.loaded.runs:
        meta = run.meta
        rows.append(
            {
                "run": run.name,
                "path": scrub_paths(str(run.path)),
                "records": str(run.n_records),
                "skipped": str(run.n_skipped),
                "run_id": str(_meta_get(meta, "run_id", "id") or "–"),
                "date": str(
                    _meta_get(meta, "created", "created_at", "started", "started_at", "timestamp")
                    or "–"
                ),
                "git": code_text(meta),
                "command": _command_text(meta.get("command")) or "",
            }
        )
    return rows


def settings(data: ReportData) -> list[tuple[str, str]]:
    """Label → value lines: suites, methods, seeds, noise levels, budgets, sizes, versions."""
    rec = data.prepared

    def listing(values: Iterable[Any]) -> str:
        return ", ".join(str(v) for v in values)

    out = [
        ("Suites", listing(sorted(rec["suite"].unique()))),
        ("Methods", listing(data.methods)),
        ("Problems", str(rec[["suite", "dataset"]].drop_duplicates().shape[0])),
        ("Seeds", listing(sorted(int(s) for s in rec["seed"].dropna().unique())) or "–"),
        (
            "Noise levels",
            listing(f"{n:g}" for n in sorted(rec["noise"].unique()))
            + " (Gaussian, sd = level × RMS(y), training target only)",
        ),
    ]
    budgets = rec.groupby("method")["time_budget_s"].agg(lambda s: sorted(s.dropna().unique()))
    all_budgets = sorted({b for bs in budgets for b in bs})
    if len(all_budgets) <= 1:
        out.append(("Time budget", f"{all_budgets[0]:g} s per fit" if all_budgets else "–"))
    else:
        per = "; ".join(f"{m}: {listing(f'{b:g} s' for b in bs)}" for m, bs in budgets.items())
        out.append(("Time budgets", per))
    sizes = rec[["n_train", "n_test"]].dropna()
    if len(sizes):
        out.append(
            (
                "Training / test rows",
                f"{int(sizes['n_train'].min())}–{int(sizes['n_train'].max())} / "
                f"{int(sizes['n_test'].min())}–{int(sizes['n_test'].max())}",
            )
        )
    out.append(("Versions", versions_text(data) or "–"))
    return out


def versions_text(data: ReportData) -> str:
    """Package versions from run.json and the records; several values of one package are all
    listed (runs made with different versions were combined)."""
    seen: dict[str, set[str]] = {}

    def add(mapping: Any) -> None:
        if isinstance(mapping, dict):
            for k, v in mapping.items():
                if not isinstance(v, (dict, list)):
                    seen.setdefault(str(k), set()).add(str(v))

    for run in data.loaded.runs:
        add(run.meta.get("versions") or run.meta.get("package_versions"))
    for value in data.prepared["versions"].dropna():
        add(value)
    return "; ".join(f"{k} {' / '.join(sorted(v))}" for k, v in sorted(seen.items()))


def intro(data: ReportData) -> str:
    rec = data.prepared
    n_problems = rec[["suite", "dataset"]].drop_duplicates().shape[0]
    return (
        f"{len(rec)} runs of {len(data.methods)} methods on {n_problems} problems "
        f"from {len(data.loaded.runs)} run director{'y' if len(data.loaded.runs) == 1 else 'ies'}"
        f"; {int((~rec['ok']).sum())} runs failed "
        f"({int(rec['is_timeout'].sum())} timeouts, {int(rec['is_error'].sum())} errors)"
        f"; in {int(rec['is_mismatch'].sum())} successful runs the printed expression "
        "disagreed with the method's predict()."
    )


DEFINITIONS = (
    (
        "Exact recovery",
        "SRBench's symbolic solution: after rounding constants and simplifying, truth − model "
        "is a constant or model / truth is a non-zero constant (judged per run by the runner).",
    ),
    (
        "Accuracy solution",
        f"R² on the (noise-free) test set > {ACCURACY_THRESHOLD:g}.",
    ),
    (
        "R²",
        "Every R² is that of the judged expression itself, evaluated on the test rows: the "
        "model a scientist reads, and the one exact recovery, NED and complexity judge "
        "(records before schema 2: the method's predict()).",
    ),
    (
        "expr ≠ predict",
        "Successful runs whose expression disagrees with the method's predict() on the test "
        "rows: RMS(expression − predict) / RMS(y) > 1e-3, or the expression is not finite "
        "where predict() is. Such a method's printed model is not the model that predicted.",
    ),
    (
        "NED",
        "SRSD's normalised tree edit distance between the canonical model and truth trees, "
        "in [0, 1]; 0 = identical.",
    ),
    (
        "Intervals",
        "95 % percentile bootstrap over problems (seeds averaged within a problem first).",
    ),
    (
        "Rates, means and medians",
        "Recovery and accuracy rates and mean NED are averages over problems of the per-problem "
        "means over seeds (recovery and NED only over problems with a ground truth). Median R² "
        "and median complexity are over successful runs, median fit time over all runs.",
    ),
    (
        "Ranks",
        "Within each problem instance (a problem at one noise level) the methods are ranked, "
        "1 = best, ties sharing the average rank; the table gives the mean over the instances "
        "every method ran. R² and complexity ranks use per-problem medians over seeds.",
    ),
    (
        "Pairwise tests",
        "Two-sided Wilcoxon signed-rank test per pair of methods on the problem instances both "
        "ran (zero differences dropped), Holm-corrected over all pairs of one metric; "
        "significant when the corrected p < 0.05.",
    ),
)


def leaderboard_rows(block: pd.DataFrame) -> list[list[str]]:
    rows = []
    for i, (_, r) in enumerate(block.iterrows(), start=1):
        ci = (
            "–"
            if _missing(r["recovery_rate"])
            else f"{fmt_pct(r['recovery_rate'])} [{fmt_pct(r['recovery_ci_low'])}, "
            f"{fmt_pct(r['recovery_ci_high'])}]"
        )
        acc = (
            f"{fmt_pct(r['accuracy_rate'])} [{fmt_pct(r['accuracy_ci_low'])}, "
            f"{fmt_pct(r['accuracy_ci_high'])}]"
        )
        rows.append(
            [
                str(i),
                r["method"],
                ci,
                acc,
                fmt_r2(r["r2_test_median"]),
                fmt_num(r["ned_mean"], ".3f"),
                fmt_num(r["complexity_median"], "g"),
                fmt_seconds(r["fit_time_median_s"]),
                f"{r['n_ok']}/{r['n_runs']}",
                str(r["n_timeout"]),
                str(r["n_error"]),
                str(int(r.get("n_mismatch", 0) or 0)),
            ]
        )
    return rows


LEADERBOARD_HEADERS = (
    "#",
    "method",
    "exact recovery % [95 % CI]",
    "R² > 0.999 % [95 % CI]",
    "median R² test",
    "mean NED",
    "median complexity",
    "median fit time (s)",
    "ok runs",
    "timeouts",
    "errors",
    "expr ≠ predict",
)


def blocks(data: ReportData) -> list[tuple[str, pd.DataFrame]]:
    """(title, rows) per suite × noise level, methods best first (recovery, then accuracy,
    then median R²)."""
    out = []
    for (suite, noise), block in data.summary.groupby(["suite", "noise"], sort=True):
        block = block.sort_values(
            ["recovery_rate", "accuracy_rate", "r2_test_median", "method"],
            ascending=[False, False, False, True],
            na_position="last",
        )
        n = int(block["n_problems"].max())
        out.append((f"{suite} · {noise_label(noise)} · {n} problems", block))
    return out


#: ``#`` and method left-aligned, numbers right-aligned (both tables have 12 columns)
RANK_ALIGN = "ll" + "r" * 10
RANK_HEADERS = (
    "#",
    "method",
    "exact recovery %",
    "R² > 0.999 %",
    "rank: recovery",
    "rank: R² test",
    "rank: NED",
    "rank: complexity",
    "rank: fit time",
    "runs",
    "failed",
    "expr ≠ predict",
)


def ranking_rows(data: ReportData) -> list[list[str]]:
    rows = []
    for i, (_, r) in enumerate(data.ranking.iterrows(), start=1):
        rows.append(
            [
                str(i),
                r["method"],
                fmt_pct(r["recovery_rate"]),
                fmt_pct(r["accuracy_rate"]),
                *(fmt_num(r[f"rank_{k}"], ".2f") for k in RANK_METRICS),
                str(int(r["n_runs"])),
                str(int(r["n_failed"])),
                str(int(r.get("n_mismatch", 0) or 0)),
            ]
        )
    return rows


def ranking_note(data: ReportData) -> str:
    parts = []
    for key, (_col, _higher, label) in RANK_METRICS.items():
        info = data.rank_info.get(key, {})
        n = int(info.get("n_instances", 0))
        parts.append(f"{label}: {n} instances, Friedman p = {fmt_p(info.get('friedman_p'))}")
    return (
        "Mean rank (1 = best) over the problem instances that every method ran; "
        + "; ".join(parts)
        + ". Sorted by recovery rank, then R² rank."
    )


def pairwise_matrix(data: ReportData, metric: str) -> tuple[list[str], list[list[str]]]:
    """Row method vs column method: ▲ row significantly better, ▼ worse, · no difference;
    with the Holm-adjusted p-value."""
    part = data.pairwise[data.pairwise["metric"] == metric]
    methods = [m for m in data.methods if m in set(part["method_a"]) | set(part["method_b"])]
    cell: dict[tuple[str, str], str] = {}
    for _, r in part.iterrows():
        a, b = r["method_a"], r["method_b"]
        p = fmt_p(r["p_holm"])
        if r["n"] == 0:
            cell[a, b] = cell[b, a] = "n/a"
        elif r["better"] == a:
            cell[a, b], cell[b, a] = f"▲ {p}", f"▼ {p}"
        elif r["better"] == b:
            cell[a, b], cell[b, a] = f"▼ {p}", f"▲ {p}"
        else:
            cell[a, b] = cell[b, a] = f"· {p}"
    rows = [[m] + [("—" if m == o else cell.get((m, o), "n/a")) for o in methods] for m in methods]
    return methods, rows


PAIRWISE_TITLES = {
    "r2": "R² test (per-problem median; a failed run counts as R² = 0)",
    "ned": "NED (problems with a ground truth; a failed run counts as NED = 1)",
}
PAIRWISE_NOTE = (
    "▲ row method significantly better than the column method, ▼ significantly worse, "
    "· no significant difference (Wilcoxon signed-rank, Holm-corrected p shown, α = 0.05)."
)


# --------------------------------------------------------------------------- Markdown
def markdown(data: ReportData) -> str:
    out: list[str] = [f"# Leaderboard: {md(data.name)}", "", md(intro(data)), ""]
    links = " · ".join(f"[{md(f)}]({f})" for f in data.files if f != "README.md")
    out += [f"Generated {md(data.generated)} by", "", _code_block(data.command), ""]
    if links:
        out += [f"Files: {links}", ""]

    out += ["## Runs", ""]
    runs = run_rows(data)
    out.append(
        _md_table(
            ["run", "path", "records", "skipped lines", "run id", "date", "code (git)"],
            [
                [md(r[k]) for k in ("run", "path", "records", "skipped", "run_id", "date", "git")]
                for r in runs
            ],
            align="llrrlll",
        )
    )
    out.append("")
    for r in runs:
        if r["command"]:
            out += [f"Command of run {md(r['run'])}:", "", _code_block(r["command"]), ""]
    out += [f"- **{label}**: {md(value)}" for label, value in settings(data)]
    out.append("")
    for text in dirty_warnings(data):
        out += ["> [!WARNING]", f"> {md(text)}", ""]
    if data.loaded.warnings:
        out += ["> [!WARNING]", "> Input problems (the report shows what could be read):"]
        out += [f"> - {md(scrub_paths(w))}" for w in data.loaded.warnings]
        out.append("")
    out += ["**Failures.** " + FAILURE_RULES, ""]

    # only names are untrusted in the tables; numbers are formatted here
    def named(rows: list[list[str]]) -> list[list[str]]:
        return [[r[0], md(r[1]), *r[2:]] for r in rows]

    out += ["## Overall ranking", "", ranking_note(data), ""]  # our own text: not escaped
    out += [_md_table(RANK_HEADERS, named(ranking_rows(data)), RANK_ALIGN), ""]

    out += ["## Plots", ""]
    for plot in data.plots:
        out += [f"### {md(plot.title)}", "", plot.caption, ""]
        out += [f"![{md(plot.title)}]({plot.filename})", ""]

    out += ["## Leaderboard by suite and noise level", ""]
    for title, block in blocks(data):
        rows = named(leaderboard_rows(block))
        out += [f"### {md(title)}", "", _md_table(LEADERBOARD_HEADERS, rows, RANK_ALIGN), ""]

    out += ["## Pairwise comparisons", "", PAIRWISE_NOTE, ""]
    for metric in PAIRWISE_METRICS:
        methods, rows = pairwise_matrix(data, metric)
        if not methods:
            continue
        out += [f"### {PAIRWISE_TITLES[metric]}", ""]
        headers = ["row vs column"] + [md(m) for m in methods]
        cells = [[md(r[0]), *r[1:]] for r in rows]  # the p-value cells are formatted here
        out += [_md_table(headers, cells, "l" + "c" * len(methods))]
        out.append("")

    out += ["## Definitions", ""]
    out += [f"- **{k}**: {v}" for k, v in DEFINITIONS]
    out += [f"- **Bootstrap resamples**: {data.n_boot}", ""]
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- HTML
CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2em auto;
max-width:1200px;padding:0 1em;color:#222;line-height:1.45}
h1{border-bottom:2px solid #ddd;padding-bottom:.2em}h2{margin-top:2em;border-bottom:1px solid #eee}
table{border-collapse:collapse;margin:.8em 0;font-size:.88em}
th,td{border:1px solid #ddd;padding:.25em .55em;vertical-align:top}
th{background:#f4f6f8;position:sticky;top:0}td.r,th.r{text-align:right}td.c{text-align:center}
tr:nth-child(even) td{background:#fafbfc}code,pre,td.model{font-family:ui-monospace,Menlo,monospace}
pre{background:#f6f8fa;padding:.6em;overflow-x:auto;white-space:pre-wrap}
.warn{background:#fff8e1;border-left:4px solid #f0ad4e;padding:.5em 1em}
.note{color:#555;font-size:.92em}figure{margin:1em 0;overflow-x:auto}
figure img{max-width:100%}figure.wide img{max-width:none}
.better{color:#1a7f37;font-weight:600}.worse{color:#b42318;font-weight:600}
td.model{max-width:32em;overflow-wrap:anywhere;font-size:.95em}
.st-timeout{color:#b45309}.st-error{color:#b42318}details{margin:1em 0}
"""
#: the page runs no script and loads nothing from outside: images are inlined
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


def _html_table(
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    align: str = "",
    raw: bool = False,
) -> str:
    """Cells are escaped here unless ``raw`` (then the caller escaped them)."""
    align = align or "l" + "r" * (len(headers) - 1)
    cls = {"r": ' class="r"', "c": ' class="c"', "l": ""}
    head = "".join(f"<th{cls[a]}>{esc(h)}</th>" for h, a in zip(headers, align, strict=True))
    body = []
    for row in rows:
        cells = "".join(
            f"<td{cls[a]}>{c if raw else esc(c)}</td>" for c, a in zip(row, align, strict=True)
        )
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _truncate(text: Any, limit: int = MAX_MODEL_CHARS) -> tuple[str, str]:
    s = "" if _missing(text) else str(text)
    return (s if len(s) <= limit else s[: limit - 1] + "…", s)


def runs_table(data: ReportData) -> tuple[str, int]:
    cols = [
        "run",
        "suite",
        "dataset",
        "noise",
        "seed",
        "method",
        "status",
        "r2_test",
        "exact_recovery",
        "ned",
        "complexity",
        "fit_time_s",
        "expression",
        "true_expression",
        "error",
    ]
    rec = data.prepared.sort_values(["suite", "dataset", "noise", "method", "seed"])
    total = len(rec)
    rec = rec.head(MAX_HTML_RUNS)
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
        "complexity",
        "fit time (s)",
        "model",
        "truth",
        "error",
    ]
    body = []
    for r in rec[cols].itertuples(index=False):
        model, model_full = _truncate(r.expression)
        truth, truth_full = _truncate(r.true_expression)
        error, error_full = _truncate(
            scrub_paths(r.error) if isinstance(r.error, str) else r.error, 160
        )
        recovered = "–" if _missing(r.exact_recovery) else ("yes" if r.exact_recovery else "no")
        cells = [
            f"<td>{esc(r.run)}</td>",
            f"<td>{esc(r.suite)}</td>",
            f"<td>{esc(r.dataset)}</td>",
            f'<td class="r">{esc(f"{r.noise:g}")}</td>',
            f'<td class="r">{esc("–" if _missing(r.seed) else r.seed)}</td>',
            f"<td>{esc(r.method)}</td>",
            f'<td class="st-{esc(r.status)}">{esc(r.status)}</td>',
            f'<td class="r">{esc(fmt_r2(r.r2_test))}</td>',
            f"<td>{esc(recovered)}</td>",
            f'<td class="r">{esc(fmt_num(r.ned, ".3f"))}</td>',
            f'<td class="r">{esc(fmt_num(r.complexity, "g"))}</td>',
            f'<td class="r">{esc(fmt_seconds(r.fit_time_s))}</td>',
            f'<td class="model" title="{esc(model_full)}">{esc(model)}</td>',
            f'<td class="model" title="{esc(truth_full)}">{esc(truth)}</td>',
            f'<td title="{esc(error_full)}">{esc(error)}</td>',
        ]
        body.append("<tr>" + "".join(cells) + "</tr>")
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    return table, total


def html_page(data: ReportData, images: dict[str, bytes]) -> str:
    """The whole report as one HTML file: styles inline, plots as data: URIs, no script."""
    h: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{esc(CSP)}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Leaderboard: {esc(data.name)}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>Leaderboard: {esc(data.name)}</h1>",
        f"<p>{esc(intro(data))}</p>",
        f"<p class=note>Generated {esc(data.generated)} by</p><pre>{esc(data.command)}</pre>",
        "<h2>Runs</h2>",
    ]
    runs = run_rows(data)
    h.append(
        _html_table(
            ["run", "path", "records", "skipped lines", "run id", "date", "code (git)"],
            [
                [r[k] for k in ("run", "path", "records", "skipped", "run_id", "date", "git")]
                for r in runs
            ],
            align="llrrlll",
        )
    )
    for r in runs:
        if r["command"]:
            h.append(f"<p>Command of run {esc(r['run'])}:</p><pre>{esc(r['command'])}</pre>")
    h.append("<ul>")
    h += [f"<li><b>{esc(k)}</b>: {esc(v)}</li>" for k, v in settings(data)]
    h.append("</ul>")
    h += [f'<div class="warn"><b>Warning.</b> {esc(t)}</div>' for t in dirty_warnings(data)]
    if data.loaded.warnings:
        h.append(
            '<div class="warn"><b>Input problems</b> (the report shows what could be read):<ul>'
        )
        h += [f"<li>{esc(scrub_paths(w))}</li>" for w in data.loaded.warnings]
        h.append("</ul></div>")
    h.append(f"<p><b>Failures.</b> {esc(FAILURE_RULES)}</p>")

    h += ["<h2>Overall ranking</h2>", f"<p class=note>{esc(ranking_note(data))}</p>"]
    h.append(_html_table(RANK_HEADERS, ranking_rows(data), RANK_ALIGN))

    h.append("<h2>Plots</h2>")
    for plot in data.plots:
        payload = images.get(plot.filename)
        if payload is None:
            continue
        uri = "data:image/png;base64," + base64.b64encode(payload).decode("ascii")
        wide = ' class="wide"' if plot.filename.startswith("heatmap") else ""
        h.append(
            f"<h3>{esc(plot.title)}</h3><p class=note>{esc(plot.caption)}</p>"
            f'<figure{wide}><img src="{uri}" alt="{esc(plot.title)}"></figure>'
        )

    h.append("<h2>Leaderboard by suite and noise level</h2>")
    for title, block in blocks(data):
        table = _html_table(LEADERBOARD_HEADERS, leaderboard_rows(block), RANK_ALIGN)
        h += [f"<h3>{esc(title)}</h3>", table]

    h += ["<h2>Pairwise comparisons</h2>", f"<p class=note>{esc(PAIRWISE_NOTE)}</p>"]
    for metric in PAIRWISE_METRICS:
        methods, rows = pairwise_matrix(data, metric)
        if not methods:
            continue
        styled = []
        for row in rows:
            cells = [esc(row[0])]
            for c in row[1:]:
                kind = "better" if c.startswith("▲") else "worse" if c.startswith("▼") else ""
                cells.append(f'<span class="{kind}">{esc(c)}</span>' if kind else esc(c))
            styled.append(cells)
        h.append(f"<h3>{esc(PAIRWISE_TITLES[metric])}</h3>")
        h.append(
            _html_table(["row vs column", *methods], styled, "l" + "c" * len(methods), raw=True)
        )

    h.append("<h2>Definitions</h2><ul>")
    h += [f"<li><b>{esc(k)}</b>: {esc(v)}</li>" for k, v in DEFINITIONS]
    h.append(f"<li><b>Bootstrap resamples</b>: {data.n_boot}</li></ul>")

    table, total = runs_table(data)
    shown = min(total, MAX_HTML_RUNS)
    more = (
        f" (the first {shown} of {total}; every record is in the run directories)"
        if total > shown
        else ""
    )
    h.append(f"<h2>All runs</h2><details><summary>{total} runs{esc(more)}</summary>")
    h.append(table)
    h.append("</details></body></html>")
    return "\n".join(h) + "\n"
