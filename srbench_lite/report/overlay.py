"""Published results beside a run (``srbench-lite report --published NAME``).

The run's problem instances (a problem at one noise level) are split by **track**
(:func:`track_of`): a problem of the ``srbench-blackbox`` suite belongs to the black-box
track, any other problem with a ground truth to the ground-truth track, the rest (no truth,
not SRBench's) to none. Each track with instances goes to its **builder** in
:data:`TRACK_BUILDERS`, which matches them with the published table and returns a
:class:`TrackRows`: the published methods' per-problem values in the report's per-problem
schema (:func:`srbench_lite.report.aggregate.per_problem`), their per suite × noise summary
in ``summary.csv``'s schema, and notes on what did not match. Every published method is named
``"<method> (published)"`` (:func:`published_name`); a value the source did not publish is NaN,
shown as "–". Ranks, pairwise tests, plots and leaderboards take these rows through
:class:`PublishedOverlay` and join a published method to a metric only where it has values.

A track's builder is ``builder(source, instances, *, n_boot, seed) -> TrackRows``,
registered in :data:`TRACK_BUILDERS`; the instances are the run's ``suite, dataset, noise``
rows of that track. Both of SRBench's tracks have one: :func:`groundtruth_rows` (recovery and
accuracy rates) and :func:`blackbox_rows` (test R² and model size).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from srbench_lite.published import PublishedSource, load_published, published_source
from srbench_lite.published.tables import BLACKBOX_SUITE
from srbench_lite.report import stats
from srbench_lite.report.aggregate import median_fields, rate_fields

PUBLISHED_SUFFIX = " (published)"
#: the per-problem columns a published row fills when its source published them
PROBLEM_VALUES = ("solved", "form_solved", "acc_solved", "ned", "r2_median", "r2_score",
                  "complexity_median", "complexity_score", "fit_time")  # fmt: skip
#: summary.csv's columns a published row cannot have (no per-run records)
RUN_ONLY_SUMMARY = ("n_runs", "n_ok", "n_timeout", "n_error", "n_mismatch", "form_rate",
                    "form_ci_low", "form_ci_high", "r2_test_median", "ned_mean",
                    "complexity_median", "fit_time_median_s")  # fmt: skip
INSTANCE = list(stats.INSTANCE)


def published_name(method: str) -> str:
    """The name a published method's rows carry: ``"Operon (published)"``."""
    return f"{method}{PUBLISHED_SUFFIX}"


def track_of(suite: str, has_truth: bool) -> str | None:
    """The published track a problem belongs to: ``"blackbox"`` for the ``srbench-blackbox``
    suite, ``"groundtruth"`` for any other problem with a ground truth, else None."""
    if suite == BLACKBOX_SUITE:
        return "blackbox"
    return "groundtruth" if has_truth else None


@dataclass
class TrackRows:
    """What a track builder returns: per-problem rows (``suite, dataset, noise, method,
    has_truth`` and :data:`PROBLEM_VALUES`, plus the source's own columns), per suite × noise
    summary rows (``summary.csv``'s columns plus the source's), and notes for the report."""

    track: str
    problems: pd.DataFrame
    summary: pd.DataFrame
    notes: list[str] = field(default_factory=list)


@dataclass
class PublishedOverlay:
    """The published rows of one result set on the problem instances a run shares with it."""

    source: PublishedSource
    parts: list[TrackRows]
    #: notes on the run's instances that no track covers, or whose track has no builder
    notes: list[str] = field(default_factory=list)

    @property
    def problems(self) -> pd.DataFrame:
        return _concat([p.problems for p in self.parts])

    @property
    def summary(self) -> pd.DataFrame:
        return _concat([p.summary for p in self.parts])

    @property
    def methods(self) -> list[str]:
        """The published methods' names (``"X (published)"``) that have a row, sorted."""
        problems = self.problems
        return sorted(problems["method"].unique()) if len(problems) else []

    def table(self) -> pd.DataFrame:
        """published.csv: the summary rows with the source's name, without the columns no
        published row has a value in."""
        summary = self.summary
        if summary.empty:
            return pd.DataFrame(columns=["source", "suite", "noise", "method"])
        return summary.dropna(axis=1, how="all").assign(source=self.source.name)

    def describe(self) -> str:
        """What the published rows are, in one sentence: source, budget, seeds, judge."""
        s = self.source
        conditions = "; ".join(
            f"{s.condition(p.track, 'budget')}; {s.condition(p.track, 'seeds')}" for p in self.parts
        )
        return (
            f"published by {s.label}, not run here: {conditions}; judged by {s.judged_by}; "
            "on the problem instances this run shares with it"
        )

    @property
    def all_notes(self) -> list[str]:
        return [n for p in self.parts for n in p.notes] + self.notes

    def has_values(self, column: str) -> list[str]:
        """The published methods with at least one value in a per-problem ``column``."""
        problems = self.problems
        if problems.empty or column not in problems:
            return []
        found = problems.loc[problems[column].notna(), "method"].unique()
        return sorted(found)


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _noise_key(noise: pd.Series) -> pd.Series:
    return noise.astype(float).round(9)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def groundtruth_rows(
    source: PublishedSource, instances: pd.DataFrame, *, n_boot: int, seed: int
) -> TrackRows:
    """SRBench's ground-truth track on the run's instances with the same problem name and noise.

    Per problem: ``solved`` = the published symbolic-solution rate (mean over SRBench's
    seeds), ``acc_solved`` = SRBench's ``accuracy_solution`` (median over its seeds of R² >
    0.999), ``rmse_test``; nothing else was published. Per suite × noise: the mean over the
    shared problems with a 95 % bootstrap interval over them, as for the run's methods; a
    problem without a published result for a method is left out of its mean (SRBench's rule).
    """
    table = load_published(source.name, "groundtruth")
    table = table.assign(noise_key=_noise_key(table["noise"])).drop(columns=["suite", "noise"])
    inst = instances[INSTANCE].drop_duplicates().assign(noise_key=lambda f: _noise_key(f["noise"]))
    rows = inst.merge(table, on=["dataset", "noise_key"], how="inner")
    rows["method"] = rows["method"].map(published_name)
    rows["has_truth"] = True
    rows["solved"] = rows.pop("exact_recovery_rate")
    rows["acc_solved"] = rows.pop("accuracy_solution")
    for col in PROBLEM_VALUES:
        if col not in rows:
            rows[col] = np.nan
    problems = rows.drop(columns="noise_key").sort_values([*INSTANCE, "method"], ignore_index=True)
    return TrackRows(
        "groundtruth",
        problems,
        _groundtruth_summary(problems, n_boot=n_boot, seed=seed),
        _groundtruth_notes(source, inst, table, problems),
    )


def _groundtruth_summary(problems: pd.DataFrame, *, n_boot: int, seed: int) -> pd.DataFrame:
    out = []
    for key, part in problems.groupby(["suite", "noise", "method"], sort=True):
        boot = {"n_boot": n_boot, "seed": seed}
        out.append({
            "suite": key[0], "noise": key[1], "method": key[2],
            "n_problems": len(part), "n_problems_with_truth": len(part),
            **rate_fields("recovery", part["solved"], key, **boot),
            **rate_fields("accuracy", part["acc_solved"], key, **boot),
            "rmse_test_median": part["rmse_test"].median(),
        })  # fmt: skip
    summary = pd.DataFrame(out)
    for col in RUN_ONLY_SUMMARY:
        summary[col] = np.nan
    return summary


def _groundtruth_notes(
    source: PublishedSource, inst: pd.DataFrame, table: pd.DataFrame, problems: pd.DataFrame
) -> list[str]:
    label = source.label
    published = set(zip(table["dataset"], table["noise_key"], strict=True))
    names = set(table["dataset"])
    levels = sorted(set(table["noise_key"]))
    shared = inst[[k in published for k in zip(inst["dataset"], inst["noise_key"], strict=True)]]
    notes = [
        f"Published rows are on the {_plural(len(shared), 'problem instance')} (problem × "
        f"noise level) this run shares with {label}'s ground-truth results, matched by problem "
        "name and noise level."
        if len(shared)
        else f"No problem instance of this run is in {label}'s ground-truth results (matched "
        "by problem name and noise level): no published rows."
    ]
    lacking = inst[~inst.index.isin(shared.index)]
    if len(lacking):
        unknown = int((~lacking["dataset"].isin(names)).sum())
        other_noise = len(lacking) - unknown
        parts = []
        if unknown:
            parts.append(f"{unknown} on problems {label} did not run")
        if other_noise:
            parts.append(
                f"{other_noise} at noise levels it did not use (it used "
                + ", ".join(f"{x:g}" for x in levels) + ")"
            )  # fmt: skip
        notes.append(
            f"{_plural(len(lacking), 'problem instance')} of the run "
            f"{'has' if len(lacking) == 1 else 'have'} no published counterpart and no "
            f"published rows: {'; '.join(parts)}."
        )
    run_keys = set(zip(inst["dataset"], inst["noise_key"], strict=True))
    not_run = len(published - run_keys)
    if not_run:
        notes.append(
            f"{label} published {len(published)} problem instances; the "
            f"{not_run} this run does not have are left out of the published rows."
        )
    n_shared = len(shared)
    for method, part in problems.groupby("method", sort=True):
        missing = n_shared - len(part)
        if missing:
            notes.append(
                f"{method} has no published result on {_plural(missing, 'shared instance')}: "
                f"left out of its rates, as in {label}'s own figures."
            )
    return notes


def blackbox_rows(
    source: PublishedSource, instances: pd.DataFrame, *, n_boot: int, seed: int
) -> TrackRows:
    """SRBench's black-box track on the run's instances of the same dataset without added noise
    (SRBench added none on this track).

    Per dataset: ``r2_median`` = the published test R² (SRBench's median over its trials),
    ``r2_score`` the same clipped to [0, 1] as the run's, ``complexity_median`` and
    ``complexity_score`` = SRBench's model size, ``fit_time`` = its training time, plus
    ``sr_method``. Per suite × noise: the median over the shared datasets with a 95 %
    bootstrap interval over them, as for the run's methods
    (:func:`~srbench_lite.report.aggregate.median_fields`); a dataset without a published
    result for a method (AI Feynman has none on 15) is left out of its medians.
    """
    table = load_published(source.name, "blackbox").drop(columns="suite")
    inst = instances[INSTANCE].drop_duplicates()
    clean = inst[_noise_key(inst["noise"]) == 0]
    rows = clean.merge(table, on="dataset", how="inner")
    rows["method"] = rows["method"].map(published_name)
    rows["has_truth"] = False
    rows["r2_median"] = rows["r2_test"]
    rows["r2_score"] = rows["r2_test"].clip(lower=0.0, upper=1.0)
    rows["complexity_median"] = rows["complexity_score"] = rows["model_size"]
    rows["fit_time"] = rows["fit_time_s"]
    for col in PROBLEM_VALUES:
        if col not in rows:
            rows[col] = np.nan
    problems = rows.sort_values([*INSTANCE, "method"], ignore_index=True)
    summary = []
    for key, part in problems.groupby(["suite", "noise", "method"], sort=True):
        summary.append({
            "suite": key[0], "noise": key[1], "method": key[2], "n_problems": len(part),
            "n_problems_with_truth": 0, "sr_method": bool(part["sr_method"].iloc[0]),
            **median_fields(part, key, n_boot=n_boot, seed=seed),
            "r2_test_median": part["r2_test"].median(),
            "complexity_median": part["model_size"].median(),
            "fit_time_median_s": part["fit_time_s"].median(),
        })  # fmt: skip
    frame = pd.DataFrame(summary)
    for col in RUN_ONLY_SUMMARY:
        if col not in frame:
            frame[col] = np.nan
    return TrackRows("blackbox", problems, frame, _blackbox_notes(source, inst, table, problems))


def _blackbox_notes(
    source: PublishedSource, inst: pd.DataFrame, table: pd.DataFrame, problems: pd.DataFrame
) -> list[str]:
    label = source.label
    names = set(table["dataset"])
    shared = problems[INSTANCE].drop_duplicates()
    notes = [
        f"Published black-box rows are on the {_plural(len(shared), 'dataset')} this run "
        f"shares with {label} (matched by PMLB name, at noise 0): "
        f"{table['method'].nunique()} methods, SR methods and ML models, each value the "
        "median over SRBench's trials."
        if len(shared)
        else f"No black-box dataset of this run is in {label}'s results at noise 0: no "
        "published rows."
    ]
    noisy = int((_noise_key(inst["noise"]) != 0).sum())
    if noisy:
        notes.append(
            f"{_plural(noisy, 'black-box instance')} of the run at added noise "
            f"{'has' if noisy == 1 else 'have'} no published counterpart ({label} added none)."
        )
    unknown = sorted(set(inst["dataset"]) - names)
    if unknown:
        notes.append(f"Not in {label}'s black-box results: {', '.join(unknown)}.")
    n_shared = shared["dataset"].nunique()
    for method, part in problems.groupby("method", sort=True):
        missing = n_shared - part["dataset"].nunique()
        if missing:
            notes.append(
                f"{method} has no published result on {_plural(missing, 'shared dataset')}: "
                f"left out of its medians, as in {label}'s own figures."
            )
    return notes


#: track → builder of its published rows
TRACK_BUILDERS: dict[str, Callable[..., TrackRows]] = {
    "groundtruth": groundtruth_rows,
    "blackbox": blackbox_rows,
}


def build_overlay(
    name: str, problems: pd.DataFrame, *, n_boot: int = stats.DEFAULT_N_BOOT, seed: int = 0
) -> PublishedOverlay:
    """The published rows of result set ``name`` on the run's per-problem table ``problems``.

    Raises :class:`~srbench_lite.errors.UnknownNameError` for an unknown name.
    """
    source = published_source(name)
    inst = problems.groupby(INSTANCE, sort=True)["has_truth"].any().reset_index()
    inst["track"] = [track_of(s, t) for s, t in zip(inst["suite"], inst["has_truth"], strict=True)]
    parts, notes = [], []
    for track in source.tracks:
        mine = inst[inst["track"] == track]
        if mine.empty:
            continue
        builder = TRACK_BUILDERS.get(track)
        if builder is None:
            notes.append(
                f"{source.label}'s published {track} results are not overlaid by this version "
                f"of srbench-lite ({_plural(len(mine), 'problem instance')} of the run)."
            )
            continue
        parts.append(builder(source, mine, n_boot=n_boot, seed=seed))
    other = inst[inst["track"].isna()]
    if len(other):
        suites = ", ".join(sorted(other["suite"].unique()))
        notes.append(
            f"{_plural(len(other), 'problem instance')} of the run (suites {suites}) "
            f"{'is' if len(other) == 1 else 'are'} in no track of {source.label}: no "
            "published rows there."
        )
    return PublishedOverlay(source, parts, notes)
