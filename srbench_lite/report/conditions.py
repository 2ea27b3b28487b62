"""The report section "Conditions vs. the published results": where the published rows come
from, which problems they cover, and this report's conditions (from the records and each
run's ``run.json``) beside the published ones (from
:class:`~srbench_lite.published.PublishedSource`): problems, data rows, noise, seeds, budget,
hyperparameters and judge.
"""

from __future__ import annotations

from typing import Any

from srbench_lite.metrics.accuracy import ACCURACY_THRESHOLD
from srbench_lite.report.document import Paragraph, Row, Section, Table
from srbench_lite.report.overlay import PublishedOverlay
from srbench_lite.report.runs import ReportData, settings

TITLE = "Conditions vs. the published results"


def _configs(data: ReportData) -> list[dict[str, Any]]:
    """The ``config`` of every run and resumed session (older run.json files: none)."""
    out = []
    for run in data.loaded.runs:
        for meta in (run.meta, *run.meta.get("resumed", [])):
            if isinstance(meta, dict) and isinstance(meta.get("config"), dict):
                out.append(meta["config"])
    return out


def _distinct(configs: list[dict[str, Any]], key: str) -> list[Any]:
    seen: list[Any] = []
    for config in configs:
        value = config.get(key)
        if value is not None and value not in seen:
            seen.append(value)
    return seen


def _problems(data: ReportData, overlay: PublishedOverlay) -> str:
    rec = data.prepared
    shared = overlay.problems
    parts = []
    for suite, part in rec.groupby("suite", sort=True):
        n = part["dataset"].nunique()
        pub = shared[shared["suite"] == suite]["dataset"].nunique() if len(shared) else 0
        parts.append(f"{suite}: {n} problem{'s' if n != 1 else ''}, {pub} with published rows")
    return "; ".join(parts)


def _seeds(data: ReportData) -> str:
    seeds = sorted(int(s) for s in data.prepared["seed"].dropna().unique())
    if not seeds:
        return "–"
    per = data.prepared.groupby(["suite", "dataset", "noise", "method"])["seed"].nunique()
    most = int(per.max()) if len(per) else len(seeds)
    listing = f"seed{'s' if len(seeds) != 1 else ''} {', '.join(map(str, seeds))}"
    return f"{most} seed{'s' if most != 1 else ''} per problem ({listing})"


def _budget(data: ReportData, configs: list[dict[str, Any]]) -> str:
    lines = dict(settings(data))
    text = lines.get("Time budget") or lines.get("Time budgets") or "–"
    kills = [
        f"× {f:g} + {g:g} s"
        for f, g in {(c.get("kill_factor"), c.get("kill_grace_s")) for c in configs}
        if f is not None and g is not None
    ]
    if kills:
        text += "; hard kill at the budget " + " or ".join(sorted(kills))
    return text


def _hyperparameters(configs: list[dict[str, Any]]) -> str:
    if not configs:
        return "not recorded (run.json without a config)"
    smoke = _distinct(configs, "smoke")
    text = {
        (True,): "each method's small smoke parameters (--smoke)",
        (False,): "each method's registered defaults, no tuning",
    }.get(tuple(smoke), "registered defaults in some sessions, smoke parameters in others")
    overridden = sorted({m for c in configs for m in (c.get("params") or {})})
    if overridden:
        text += f"; parameters set by hand for {', '.join(overridden)}"
    return text


def _judge(configs: list[dict[str, Any]]) -> str:
    limits = ", ".join(f"{t:g} s" for t in _distinct(configs, "metric_timeout_s")) or "?"
    return (
        "srbench-lite's judge, run with each job: SRBench's symbolic-solution rule with the "
        f"departures of docs/metrics.md, symbolic work time-limited to {limits} per job; "
        f"accuracy solution R² test > {ACCURACY_THRESHOLD:g} of the judged expression, a "
        "problem's accuracy rate the mean over its seeds"
    )


BLACKBOX_JUDGE_OURS = (
    "test R² on the held-out 25 % (an expression's own R², a model without one: its "
    "predict()); model size: an expression's complexity, an ML model's own measure "
    "(docs/blackbox.md); no recovery (no ground truth)"
)
BLACKBOX_JUDGE_THEIRS = (
    "SRBench's own pipeline: test R² of each tuned model, median over its trials; model size "
    "as SRBench measured it (expression nodes for SR methods, each ML model's own measure)"
)


def _judges(tracks: list[str], configs: list[dict[str, Any]], judge: str) -> tuple[str, str]:
    """The judge row (this report, the published set), for the tracks the overlay covers."""
    ours, theirs = [], []
    if "groundtruth" in tracks:
        ours.append(_judge(configs))
        theirs.append(
            f"{judge}; a problem's accuracy is SRBench's median over its seeds (0, ½ or 1)"
        )
    if "blackbox" in tracks:
        ours.append(BLACKBOX_JUDGE_OURS)
        theirs.append(BLACKBOX_JUDGE_THEIRS)
    if len(tracks) > 1:  # one sentence per track
        ours = [f"{t}: {text}" for t, text in zip(tracks, ours, strict=True)]
        theirs = [f"{t}: {text}" for t, text in zip(tracks, theirs, strict=True)]
    return " | ".join(ours) or _judge(configs), " | ".join(theirs) or judge


def conditions_section(data: ReportData, overlay: PublishedOverlay) -> Section:
    """Source and attribution, what matched, and the conditions side by side."""
    src = overlay.source
    configs = _configs(data)
    tracks = [p.track for p in overlay.parts]
    theirs = {
        aspect: "; ".join(src.condition(t, aspect) for t in tracks if src.condition(t, aspect))
        or "–"
        for aspect in ("problems", "data", "noise", "split", "seeds", "budget", "hyperparameters")
    }
    ours = dict(settings(data))
    rows = [
        ("problems", _problems(data, overlay), theirs["problems"]),
        ("data rows", ours.get("Data rows", "–"), theirs["data"]),
        ("noise levels", ours.get("Noise levels", "–"), theirs["noise"]),
        ("seeds", _seeds(data), theirs["seeds"]),
        ("time budget", _budget(data, configs), theirs["budget"]),
        ("hyperparameters", _hyperparameters(configs), theirs["hyperparameters"]),
        ("judge", *_judges(tracks, configs, src.judge)),
    ]
    if theirs["split"] != "–":
        rows.insert(2, ("split", ours.get("Training / test rows", "–"), theirs["split"]))
    table = Table(
        ["", "this report", f"{src.label} (published)"],
        [Row(list(r)) for r in rows],
        align="lll",
        label_column=0,
    )
    origin = ", ".join(src.origin[t] for t in tracks if t in src.origin)
    blocks = [
        Paragraph(
            f"Rows marked as published are {src.label}'s results, not runs of this report: "
            f"{src.citation} {src.url}, {src.published}; from {origin or src.url}, derived "
            f"for srbench-lite on {src.derived} (srbench_lite.published)."
        ),
        Paragraph(" ".join(overlay.all_notes), lead="Coverage."),
        table,
        Paragraph(
            "Differences in budget, seeds and judge make the published figures a reference, "
            "not a head-to-head result: a method given hours finds what one given seconds "
            "cannot, and the two judges can disagree on a borderline model.",
            note=True,
        ),
    ]
    return Section(TITLE, blocks)
