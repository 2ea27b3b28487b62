"""Build a whole report directory from run directories: README.md, index.html, CSVs, PNGs."""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from srbench_lite.errors import SrbenchError
from srbench_lite.provenance import scrub_paths
from srbench_lite.published import published_source
from srbench_lite.report import aggregate, heatmap, html, markdown, plots, stats
from srbench_lite.report.content import document
from srbench_lite.report.load import load_runs
from srbench_lite.report.overlay import PublishedOverlay, build_overlay
from srbench_lite.report.pareto import pareto_plot
from srbench_lite.report.runs import Plot, ReportData

SUMMARY_CSV = "summary.csv"
RANKING_CSV = "ranking.csv"
PAIRWISE_CSV = "pairwise.csv"
PUBLISHED_CSV = "published.csv"
HEATMAP_PUBLISHED_R2 = (
    " Columns right of the purple line are published rows: SRBench's per-dataset test R² "
    "(the median over its trials)."
)
HEATMAP_PUBLISHED = (
    " Columns right of the purple line are published rows; a pale purple cell: neither "
    "recovered nor R² > 0.999 by the published per-problem verdicts, which give no finer band."
)


@dataclass
class ReportResult:
    out_dir: Path
    files: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _prepare_out_dir(out_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise SrbenchError(f"--out {str(out_dir)!r} is a file, not a directory")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SrbenchError(f"cannot create --out directory {str(out_dir)!r}: {exc}") from exc
    # heat maps are one file per suite: drop those of an earlier report of other suites
    for old in out_dir.glob("heatmap_*.png"):
        old.unlink()


def build_report(
    run_dirs: Sequence[str | Path],
    out_dir: str | Path,
    *,
    name: str | None = None,
    command: str | None = None,
    n_boot: int = stats.DEFAULT_N_BOOT,
    seed: int = 0,
    published: str | None = None,
) -> ReportResult:
    """Read the runs, aggregate, and write the report into ``out_dir``.

    ``published`` names a published result set (``"srbench-2021"``, see
    :data:`srbench_lite.published.PUBLISHED_NAMES`) to put beside the run on the problem
    instances they share (:mod:`.overlay`); an unknown name raises
    :class:`~srbench_lite.errors.UnknownNameError` before anything is read or written.

    Raises :class:`~srbench_lite.errors.SrbenchError` when there is nothing to report or
    ``out_dir`` cannot be written; input problems that still leave records to show are
    returned as ``warnings`` and printed at the top of the report.
    """
    if published is not None:
        published_source(published)
    out = Path(out_dir)
    loaded = load_runs(run_dirs)
    prepared = aggregate.prepare(loaded.records)
    problems = aggregate.per_problem(prepared)
    summary = aggregate.summarize(prepared, problems, n_boot=n_boot, seed=seed)
    overlay = None
    warnings = list(loaded.warnings)
    if published is not None:
        overlay = build_overlay(published, problems, n_boot=n_boot, seed=seed)
        if not overlay.methods:
            warnings.append(f"--published {published}: " + " ".join(overlay.all_notes))
    pub = overlay.problems if overlay else None
    ranking, rank_info = aggregate.ranking(problems, pub)
    shown = frozenset(overlay.methods) if overlay else frozenset()
    ordered = list(ranking["method"])  # every row, best first
    methods = [m for m in ordered if m not in shown]
    pairwise = aggregate.pairwise(problems, methods, pub)
    pareto = aggregate.pareto_ranks(problems, n_boot=n_boot, seed=seed, published=pub)

    _prepare_out_dir(out)
    figures, written = _plots(out, prepared, problems, summary, pareto, ordered, methods, overlay)
    tables = [(SUMMARY_CSV, summary), (RANKING_CSV, ranking), (PAIRWISE_CSV, pairwise)]
    if overlay:
        tables.append((PUBLISHED_CSV, overlay.table()))
    for fname, frame in tables:
        frame.to_csv(out / fname, index=False)
        written.append(out / fname)

    data = ReportData(
        name=name or out.resolve().name,
        command=scrub_paths(
            command or shlex.join(["srbench-lite", "report", *map(str, run_dirs), "--out", str(out)])
        ),
        generated=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        loaded=loaded,
        prepared=prepared,
        summary=summary,
        ranking=ranking,
        rank_info=rank_info,
        pairwise=pairwise,
        methods=methods,
        n_boot=n_boot,
        plots=figures,
        files=["index.html", *(fname for fname, _ in tables)],
        published=overlay,
    )
    doc = document(data)
    readme = out / "README.md"
    readme.write_text(markdown.render(doc), encoding="utf-8")
    images = {p.filename: (out / p.filename).read_bytes() for p in figures}
    index = out / "index.html"
    index.write_text(html.render(doc, images), encoding="utf-8")
    return ReportResult(out_dir=out, files=[readme, index, *written], warnings=warnings)


def _not_shown(overlay: PublishedOverlay | None, columns: Sequence[str], what: str) -> str:
    """A caption's sentence on the published rows: how they are drawn, or that they have none
    of ``columns`` to plot."""
    if overlay is None or not overlay.methods:
        return ""
    if any(overlay.has_values(c) for c in columns):
        return f" Published rows: open markers, purple names ({overlay.describe()})."
    return f" Published rows are not shown: none of them has a published {what}."


def _plots(
    out: Path,
    prepared: pd.DataFrame,
    problems: pd.DataFrame,
    summary: pd.DataFrame,
    pareto: pd.DataFrame,
    ordered: list[str],
    methods: list[str],
    overlay: PublishedOverlay | None,
) -> tuple[list[Plot], list[Path]]:
    """Draw every figure (``ordered``: every row best first, ``methods``: the run's); return
    the report's :class:`Plot` list and the files written."""
    written: list[Path] = []
    figures: list[Plot] = []
    mark, pub = plots.NOT_MARKED, None
    if overlay is not None and overlay.methods:
        mark = plots.Marked(frozenset(overlay.methods), overlay.describe())
        pub = overlay.problems

    def add(path: Path | None, title: str, caption: str) -> None:
        if path is not None:
            written.append(path)
            figures.append(Plot(path.name, title, caption))

    both = summary if pub is None else pd.concat([summary, overlay.summary], ignore_index=True)
    add(
        plots.recovery_plot(both, ordered, out / "recovery.png", mark),
        "Exact recovery rate",
        "Share of problems whose ground truth each method recovered exactly, per suite and "
        "noise level, with 95 % bootstrap intervals over problems; failed runs count as not "
        "recovered." + _not_shown(overlay, ["solved"], "recovery rate"),
    )
    add(
        plots.r2_plot(prepared, methods, out / "r2.png"),
        "R² on the test set",
        "Distribution over successful runs, per noise level; the axis stretches the region "
        "near R² = 1. Failed runs are left out and counted at the right."
        + _not_shown(overlay, [], "per-run R²"),
    )
    pareto_rows = [m for m in ordered if m in set(pareto.get("method", []))]
    add(
        pareto_plot(pareto, pareto_rows, out / "pareto.png", mark),
        "Accuracy vs simplicity (Pareto)",
        "Each method's median rank over problems by R² test and by model size (an "
        "expression's complexity, a model's own measure otherwise; 1 = best; a failed run "
        "ranks last on both); lines join successive Pareto fronts, as in SRBench's figures."
        + _not_shown(overlay, ["r2_score", "complexity_score"], "R² and model size"),
    )
    add(
        plots.fit_time_plot(prepared, methods, out / "fit_time.png"),
        "Fit time",
        "Wall-clock fit time of every run on a log scale, with the time budget; timeouts and "
        "errors are marked." + _not_shown(overlay, [], "per-run fit time"),
    )
    categories = aggregate.heat_categories(problems)
    r2_values = heatmap.r2_values(problems, pub)
    if pub is not None:
        categories = pd.concat([categories, aggregate.published_heat_categories(pub)])
    with_truth = problems.groupby("suite")["has_truth"].any()
    for suite in sorted(problems["suite"].unique()):
        fname = f"heatmap_{heatmap.safe_filename(suite)}.png"
        if with_truth[suite]:
            add(
                heatmap.heatmap_plot(categories, suite, ordered, out / fname, mark),
                f"Problems × methods: {suite}",
                "Outcome of each method on each problem and noise level; problems sorted from "
                "most to least solved." + (HEATMAP_PUBLISHED if pub is not None else ""),
            )
            continue
        add(
            heatmap.r2_heatmap_plot(r2_values, suite, ordered, out / fname, mark),
            f"Datasets × methods: {suite}",
            "Median test R² of each method on each dataset (no ground truth: SRBench's "
            "black-box view); datasets sorted by their mean R² over the run's methods; red: "
            "failed in at least half the runs."
            + (HEATMAP_PUBLISHED_R2 if pub is not None else ""),
        )
    return figures, written
