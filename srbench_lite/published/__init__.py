"""Published benchmark results shipped with the package, to put a run beside them.

``srbench-2021``: SRBench's published outcomes (La Cava et al. 2021, "Contemporary Symbolic
Regression Methods and their Relative Performance", NeurIPS Track on Datasets and Benchmarks;
https://github.com/cavalab/srbench). Derived tables of its ``docs/csv/groundtruth.csv``
(14 methods × 130 problems × 3 noise levels) and ``docs/csv/blackbox_results.csv``
(21 methods × 122 PMLB datasets), and the black-box datasets' sizes from
``docs/csv/datasets_info.csv``. See ``README.md`` in this folder for how they were derived.

SRBench's conditions differ from a typical srbench-lite run: ground-truth track, 10 seeds per
problem, up to 8 h per run, 1M evaluations for the GP methods; black-box track, 10 trials per
dataset with per-dataset hyperparameter tuning, up to 48 h per job; every run judged by
SRBench's own pipeline (:data:`SRBENCH_2021` ``.protocol`` and ``.judge`` say so in words).

::

    from srbench_lite.published import load_published, summarize_published
    gt = load_published("srbench-2021", track="groundtruth")   # one row per method × problem × noise
    summarize_published(gt, track="groundtruth")               # per-method rates, SRBench's rules
    bb = load_published("srbench-2021", track="blackbox")      # one row per method × dataset
    blackbox_datasets()                                        # the 122 datasets with their sizes

pandas is imported only when a table is loaded.
"""

from __future__ import annotations

from srbench_lite.published.sources import (
    PUBLISHED_NAMES,
    SOURCES,
    SRBENCH_2021,
    TRACKS,
    PublishedSource,
    published_source,
)
from srbench_lite.published.summary import summarize_published
from srbench_lite.published.tables import BlackboxDataset, blackbox_datasets, load_published

__all__ = [
    "PUBLISHED_NAMES",
    "SOURCES",
    "SRBENCH_2021",
    "TRACKS",
    "BlackboxDataset",
    "PublishedSource",
    "blackbox_datasets",
    "load_published",
    "published_source",
    "summarize_published",
]
