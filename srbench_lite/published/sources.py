"""The published result sets that ship with the package: names, tracks and attribution."""

from __future__ import annotations

from dataclasses import dataclass, field

from srbench_lite.errors import UnknownNameError

#: the two tracks of SRBench: formulas with a known truth, and real-world data without one
TRACKS: tuple[str, ...] = ("groundtruth", "blackbox")
#: the aspects of a result set's conditions, in the order a report lists them
CONDITION_ASPECTS: tuple[str, ...] = (
    "problems", "noise", "split", "seeds", "budget", "hyperparameters",
)  # fmt: skip


@dataclass(frozen=True)
class PublishedSource:
    """Where a published result set comes from and under which conditions it was made.

    ``files`` maps a track to the package data file holding it, ``origin`` to the file of the
    source it was derived from, ``conditions`` to the conditions the results were made under
    for that track, one ``(aspect, text)`` pair per line of a report's "conditions" table
    (aspects from :data:`CONDITION_ASPECTS`); ``protocol`` joins them into one sentence.
    ``judged_by`` names who scored the runs, ``judge`` says how; ``datasets_file`` lists the
    black-box track's datasets with their sizes; ``label`` is the short name a report shows
    ("SRBench 2021").
    """

    name: str
    label: str
    citation: str
    url: str
    published: str
    derived: str
    files: dict[str, str] = field(default_factory=dict)
    origin: dict[str, str] = field(default_factory=dict)
    conditions: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    judged_by: str = ""
    judge: str = ""
    datasets_file: str = ""

    @property
    def tracks(self) -> tuple[str, ...]:
        """The tracks this result set covers, in :data:`TRACKS` order."""
        return tuple(t for t in TRACKS if t in self.files)

    @property
    def protocol(self) -> dict[str, str]:
        """Per track, the conditions as one sentence (what a report prints beside the rows)."""
        return {t: "; ".join(text for _, text in c) for t, c in self.conditions.items()}

    def condition(self, track: str, aspect: str) -> str:
        """The text of one aspect (``"budget"``, ``"seeds"`` ...) of a track's conditions."""
        return dict(self.conditions.get(track, ())).get(aspect, "")


SRBENCH_2021 = PublishedSource(
    name="srbench-2021",
    label="SRBench 2021",
    citation=(
        "La Cava, W., Orzechowski, P., Burlacu, B., de França, F. O., Virgolin, M., Jin, Y., "
        "Kommenda, M., & Moore, J. H. (2021). Contemporary Symbolic Regression Methods and "
        "their Relative Performance. NeurIPS Track on Datasets and Benchmarks."
    ),
    url="https://github.com/cavalab/srbench",
    published="2021 (SRBench v2.0 results, the paper's tables and figures)",
    derived="2026-11-30",
    files={
        "groundtruth": "srbench_2021_groundtruth.csv.gz",
        "blackbox": "srbench_2021_blackbox.csv.gz",
    },
    origin={
        "groundtruth": "cavalab/srbench docs/csv/groundtruth.csv",
        "blackbox": "cavalab/srbench docs/csv/blackbox_results.csv",
        "datasets": "cavalab/srbench docs/csv/datasets_info.csv",
    },
    conditions={
        "groundtruth": (
            ("problems", "Feynman (116) and Strogatz (14) problems"),
            ("noise", "target noise 0, 0.001 and 0.01"),
            ("seeds", "10 seeds per problem"),
            ("budget", "up to 8 h per run; 1M evaluations for the GP methods"),
            ("hyperparameters", "hyperparameters from SRBench's black-box tuning"),
        ),
        "blackbox": (
            ("problems", "122 PMLB regression datasets"),
            ("noise", "none added (real data)"),
            ("split", "75/25 train/test split, training rows capped at 10,000"),
            ("seeds", "10 trials per dataset"),
            ("budget", "up to 48 h per job"),
            ("hyperparameters", "hyperparameters tuned per dataset by SRBench"),
        ),
    },
    judged_by="SRBench's own pipeline",
    judge=(
        "SRBench's own pipeline: sympy simplification of each model, symbolic solution when "
        "truth - model is 0 or a constant or model / truth is a constant (model not 0); "
        "accuracy solution when R² test > 0.999; model size as SRBench measured it"
    ),
    datasets_file="srbench_blackbox_datasets.csv",
)

#: every published result set, by the name a ``--published`` flag takes
SOURCES: dict[str, PublishedSource] = {SRBENCH_2021.name: SRBENCH_2021}
#: the valid values of ``--published``
PUBLISHED_NAMES: tuple[str, ...] = tuple(SOURCES)


def published_source(name: str = "srbench-2021") -> PublishedSource:
    """The attribution and conditions of published result set ``name``.

    Raises :class:`~srbench_lite.errors.UnknownNameError` (listing the valid names) for an
    unknown name.
    """
    if not isinstance(name, str) or name not in SOURCES:
        raise UnknownNameError("published result set", str(name), PUBLISHED_NAMES)
    return SOURCES[name]


def check_track(source: PublishedSource, track: str) -> str:
    """``track`` if ``source`` covers it; else an error naming the valid tracks."""
    if not isinstance(track, str) or track not in source.tracks:
        raise UnknownNameError("published track", str(track), source.tracks)
    return track
