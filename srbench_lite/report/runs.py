"""What a report says about the runs it combines: where each came from (run id, date, the
code's commit and whether it had uncommitted changes, the command as typed), the settings and
package versions, and a one-line summary. No absolute path of the machine is shown.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from srbench_lite.provenance import command_as_typed, scrub_paths
from srbench_lite.report.load import LoadedRuns

if TYPE_CHECKING:
    from srbench_lite.report.overlay import PublishedOverlay


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
    #: published results beside the run (``--published``), else None
    published: PublishedOverlay | None = None


@dataclass
class Plot:
    """A figure written beside the report."""

    filename: str
    title: str
    caption: str


def _command_text(cmd: Any) -> str | None:
    """A run's command as typed, with no path of the machine that made it (older run.json
    files held the interpreter's absolute ``argv``)."""
    if cmd is None:
        return None
    if isinstance(cmd, (list, tuple)):
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
                "run_id": str(meta.get("run_id") or "–"),
                "date": str(meta.get("created_at") or "–"),
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
    out.append(("Data rows", data_rows_text(rec)))
    out.append(("Versions", versions_text(data) or "–"))
    return out


def data_rows_text(rec: pd.DataFrame) -> str:
    """Which rows the jobs used: generated from each problem's formula, or real rows read
    from files (``run --data-dir`` / ``--pmlb-cache``; records' ``data_source``)."""
    source = rec["data_source"] if "data_source" in rec else pd.Series("generated", rec.index)
    problems = rec[["suite", "dataset"]].drop_duplicates()
    real = rec.loc[source.eq("file"), ["suite", "dataset"]].drop_duplicates()
    if real.empty:
        return "generated from each problem's formula (no data files)"
    names = ", ".join(sorted(set(real["dataset"])))
    rest = "; generated for the rest" if len(real) < len(problems) else ""
    text = (
        f"real rows read from files for {len(real)} of {len(problems)} problems ({names}), "
        f"each record with its file's sha256{rest}"
    )
    both = rec.loc[source.ne("file"), ["suite", "dataset"]].merge(real).drop_duplicates()
    if len(both):
        text += (
            f"; {', '.join(sorted(set(both['dataset'])))} also have records of generated rows "
            "(both are counted)"
        )
    return text


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
        add(run.meta.get("versions"))
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
