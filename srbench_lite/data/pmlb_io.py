"""PMLB's file layout: ``<dir>/<name>/<name>.tsv.gz``, tab-separated, features then ``target``.

``write_pmlb`` writes a problem so that ``pmlb.fetch_data(name, local_cache_dir=dir)`` reads it
back; ``arrays_from_pmlb_cache`` reads a user's real PMLB files (for example SRBench's Feynman
and Strogatz sets) instead of generating them. Neither needs the ``pmlb`` package.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from srbench_lite.data.problem import Arrays, ProblemSpec
from srbench_lite.data.suite import Suite
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


def read_pmlb(cache_dir: str | os.PathLike, spec: ProblemSpec) -> tuple[np.ndarray, np.ndarray]:
    """Read ``<cache_dir>/<name>/<name>.tsv.gz`` with the problem's features, in spec order."""
    import pandas as pd

    path = pmlb_path(cache_dir, spec.name)
    if not path.is_file():
        raise SrbenchError(f"no PMLB file for {spec.name!r}: expected {path}")
    try:
        frame = pd.read_csv(path, sep="\t", compression="gzip")
    except Exception as exc:  # a corrupt or non-gzip file
        raise SrbenchError(f"cannot read {path}: {exc}") from exc
    missing = [c for c in (*spec.feature_names, "target") if c not in frame.columns]
    if missing:
        raise SrbenchError(
            f"{path} lacks columns {missing}; it has {list(frame.columns)} "
            f"(expected the features {list(spec.feature_names)} and 'target')"
        )
    frame = frame.dropna()
    X = frame[list(spec.feature_names)].to_numpy(dtype=float)
    return X, frame["target"].to_numpy(dtype=float)


def arrays_from_pmlb_cache(
    spec: ProblemSpec,
    suite: Suite,
    cache_dir: str | os.PathLike,
    rng: np.random.Generator,
    split: float | Sequence[float] | None,
) -> Arrays:
    """A real PMLB file, split with the suite's defaults (SRBench: 75/25, ≤ 10,000 train rows)."""
    X, y = read_pmlb(cache_dir, spec)
    arrays = suite.split_arrays(X, y, rng, split)
    arrays.meta["data_source"] = str(pmlb_path(cache_dir, spec.name))
    return arrays
