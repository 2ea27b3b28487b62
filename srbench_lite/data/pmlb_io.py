"""PMLB's file layout: ``<dir>/<name>/<name>.tsv.gz``, tab-separated, features then ``target``.

``write_pmlb`` writes a problem so that ``pmlb.fetch_data(name, local_cache_dir=dir)`` reads it
back, without the ``pmlb`` package. A user's real PMLB files (for example SRBench's Feynman and
Strogatz sets) are read in place of generated rows by :mod:`srbench_lite.data.data_files`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from srbench_lite.errors import SrbenchError


def pmlb_path(cache_dir: str | os.PathLike, name: str) -> Path:
    return Path(cache_dir) / name / f"{name}.tsv.gz"


def write_pmlb(
    path_dir: str | os.PathLike,
    name: str,
    X: np.ndarray,
    y: np.ndarray,
    feature_names: Sequence[str],
) -> Path:
    """Write one dataset in PMLB's layout under ``path_dir``; returns the file written."""
    import pandas as pd

    if "target" in feature_names:
        raise SrbenchError(f"{name}: a feature named 'target' clashes with PMLB's target column")
    path = pmlb_path(path_dir, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame = pd.DataFrame(np.asarray(X), columns=list(feature_names))
    frame["target"] = np.asarray(y)
    frame.to_csv(path, sep="\t", index=False, compression="gzip", float_format="%.17g")
    return path
