"""Build a whole report directory from run directories: README.md, index.html, CSVs, PNGs."""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from srbench_lite.errors import SrbenchError
from srbench_lite.report import aggregate, html, markdown, plots, stats
from srbench_lite.report.content import document
from srbench_lite.report.load import load_runs
from srbench_lite.report.runs import Plot, ReportData

SUMMARY_CSV = "summary.csv"
RANKING_CSV = "ranking.csv"
PAIRWISE_CSV = "pairwise.csv"


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
) -> ReportResult:
    """Read the runs, aggregate, and write the report into ``out_dir``.

    Raises :class:`~srbench_lite.errors.SrbenchError` when there is nothing to report or
    ``out_dir`` cannot be written; input problems that still leave records to show are
    returned as ``warnings`` and printed at the top of the report.
    """
    out = Path(out_dir)
    loaded = load_runs(run_dirs)
    prepared = aggregate.prepare(loaded.records)
    problems = aggregate.per_problem(prepared)
    summary = aggregate.summarize(prepared, problems, n_boot=n_boot, seed=seed)
    ranking, rank_info = aggregate.ranking(problems)
    methods = list(ranking["method"])
    pairwise = aggregate.pairwise(problems, methods)
    pareto = aggregate.pareto_ranks(problems, n_boot=n_boot, seed=seed)
    categories = aggregate.heat_categories(problems)

    _prepare_out_dir(out)
    written: list[Path] = []
    figures: list[Plot] = []

    def add(path: Path | None, title: str, caption: str) -> None:
        if path is not None:
            written.append(path)
            figures.append(Plot(path.name, title, caption))

    add(
        plots.recovery_plot(summary, methods, out / "recovery.png"),
        "Exact recovery rate",
        "Share of problems whose ground truth each method recovered exactly, per suite and "
        "noise level, with 95 % bootstrap intervals over problems; failed runs count as not "
        "recovered.",
    )
    add(
        plots.r2_plot(prepared, methods, out / "r2.png"),
        "R² on the test set",
        "Distribution over successful runs, per noise level; the axis stretches the region "
        "near R² = 1. Failed runs are left out and counted at the right.",
    )
    add(
        plots.pareto_plot(pareto, methods, out / "pareto.png"),
        "Accuracy vs simplicity (Pareto)",
        "Each method's median rank over problems by R² test and by model complexity "
        "(1 = best; a failed run ranks last on both); lines join successive Pareto fronts.",
    )
    add(
        plots.fit_time_plot(prepared, methods, out / "fit_time.png"),
        "Fit time",
        "Wall-clock fit time of every run on a log scale, with the time budget; timeouts and "
        "errors are marked.",
    )
    for suite in sorted(categories["suite"].unique()):
        fname = f"heatmap_{plots.safe_filename(suite)}.png"
        add(
            plots.heatmap_plot(categories, suite, methods, out / fname),
            f"Problems × methods: {suite}",
            "Outcome of each method on each problem and noise level; problems sorted from most "
            "to least solved.",
        )

    for fname, frame in (
        (SUMMARY_CSV, summary),
        (RANKING_CSV, ranking),
        (PAIRWISE_CSV, pairwise),
    ):
        frame.to_csv(out / fname, index=False)
        written.append(out / fname)

    data = ReportData(
        name=name or out.resolve().name,
        command=command
        or shlex.join(["srbench-lite", "report", *map(str, run_dirs), "--out", str(out)]),
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
        files=["index.html", SUMMARY_CSV, RANKING_CSV, PAIRWISE_CSV],
    )
    doc = document(data)
    readme = out / "README.md"
    readme.write_text(markdown.render(doc), encoding="utf-8")
    images = {p.filename: (out / p.filename).read_bytes() for p in figures}
    index = out / "index.html"
    index.write_text(html.render(doc, images), encoding="utf-8")
    return ReportResult(out_dir=out, files=[readme, index, *written], warnings=loaded.warnings)
