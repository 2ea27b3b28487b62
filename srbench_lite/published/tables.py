"""Read the shipped published tables, in the project's record vocabulary.

Ground-truth track (one row per method × problem × noise level)::

    suite                "feynman-srbench" or "strogatz" (the suites holding exactly SRBench's sets)
    dataset              the problem's name, as our suites name it (SRBench's PMLB names)
    noise                SRBench's target noise level (0, 0.001, 0.01)
    method               SRBench's name of the method ("AIFeynman", "GP-GOMEA", "Operon", ...)
    exact_recovery_rate  fraction of SRBench's seeds with a symbolic solution (0..1)
    accuracy_solution    SRBench's per-problem median over seeds of "R² test > 0.999": 0, 0.5 or 1
    rmse_test            sqrt of the median over seeds of the test MSE

Black-box track (one row per method × dataset; values are medians over SRBench's trials)::

    suite, dataset       "srbench-blackbox", the PMLB dataset name
    method, sr_method    SRBench's name of the method (its "*" prefix removed) and whether
                         SRBench counts it as a symbolic regression method (the "*")
    r2_test, model_size  test R² and SRBench's model size
    fit_time_s           SRBench's "training time (s)"
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, NamedTuple

from srbench_lite.published.sources import check_track, published_source

if TYPE_CHECKING:
    import pandas as pd

#: the suite each ground-truth dataset belongs to, by its name's prefix
GROUNDTRUTH_SUITES = {"feynman_": "feynman-srbench", "strogatz_": "strogatz"}
BLACKBOX_SUITE = "srbench-blackbox"
GROUNDTRUTH_COLUMNS = ("suite", "dataset", "noise", "method", "exact_recovery_rate",
                       "accuracy_solution", "rmse_test")  # fmt: skip
BLACKBOX_COLUMNS = ("suite", "dataset", "method", "sr_method", "r2_test", "model_size",
                    "fit_time_s")  # fmt: skip


class BlackboxDataset(NamedTuple):
    """One PMLB dataset of SRBench's black-box track: rows, and features (target excluded)."""

    name: str
    n_rows: int
    n_features: int


def _suite_of(dataset: str) -> str:
    for prefix, suite in GROUNDTRUTH_SUITES.items():
        if dataset.startswith(prefix):
            return suite
    raise ValueError(f"published ground-truth dataset {dataset!r} has no known suite")


@cache
def _read(file: str) -> pd.DataFrame:
    import pandas as pd

    with resources.files(__package__).joinpath(file).open("rb") as fh:
        return pd.read_csv(fh, compression="gzip")


def load_published(name: str = "srbench-2021", track: str = "groundtruth") -> pd.DataFrame:
    """The published per-problem outcomes of result set ``name`` on ``track``.

    Columns as in this module's docstring; rows sorted by suite, dataset, noise, method.
    A method without a published result on a problem (AI Feynman on a few) has no row there.
    Unknown names or tracks raise :class:`~srbench_lite.errors.UnknownNameError`.
    """
    source = published_source(name)
    check_track(source, track)
    raw = _read(source.files[track])
    out = raw.rename(columns={"algorithm": "method"}).copy()
    if track == "groundtruth":
        out["suite"] = out["dataset"].map(_suite_of)
        out["noise"] = out.pop("target_noise").astype(float)
        out["exact_recovery_rate"] = out.pop("symbolic_solution_rate_pct").astype(float) / 100
        columns, key = list(GROUNDTRUTH_COLUMNS), ["suite", "dataset", "noise", "method"]
    else:
        out["suite"] = BLACKBOX_SUITE
        out["sr_method"] = out.pop("sr").astype(bool)
        out["fit_time_s"] = out.pop("training_time_s").astype(float)
        columns, key = list(BLACKBOX_COLUMNS), ["suite", "dataset", "method"]
    return out[columns].sort_values(key, ignore_index=True)


def blackbox_datasets(name: str = "srbench-2021") -> tuple[BlackboxDataset, ...]:
    """The datasets of the black-box track of ``name`` (122 for SRBench 2021), by name.

    Light: reads a small CSV with the standard library (no pandas). ``n_features`` counts
    the inputs only (SRBench's ``datasets_info.csv`` counts the target column too).
    """
    import csv
    import io

    source = published_source(name)
    check_track(source, "blackbox")
    file = resources.files(__package__).joinpath(source.datasets_file)
    text = file.read_text(encoding="utf-8")
    rows = csv.DictReader(io.StringIO(text))
    return tuple(
        BlackboxDataset(r["dataset"], int(r["n_rows"]), int(r["n_features"])) for r in rows
    )
