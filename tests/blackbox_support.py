"""SYNTHETIC stand-ins for SRBench's black-box datasets, in PMLB's layout.

Nothing is downloaded in tests: these files carry a real dataset's *name* and *shape* (rows
and features from SRBench's table) but made-up values, so that the real loader
(``pmlb.fetch_data(name, local_cache_dir=DIR)``) reads them exactly as it would read PMLB's.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from srbench_lite.data.pmlb_io import write_pmlb
from srbench_lite.published import blackbox_datasets


def shape_of(name: str) -> tuple[int, int]:
    """(rows, features) of SRBench's dataset ``name``."""
    (found,) = [d for d in blackbox_datasets() if d.name == name]
    return found.n_rows, found.n_features


def write_synthetic(
    folder: Path, name: str, *, seed: int = 0, columns: list[str] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Write a SYNTHETIC dataset named ``name`` with its real shape under ``folder``:
    y = x0 + 2*x1*x(last) + 0.1 noise, features uniform in [-1, 1]. Returns (X, y)."""
    n_rows, n_features = shape_of(name)
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.0, 1.0, size=(n_rows, n_features))
    y = X[:, 0] + 2.0 * X[:, min(1, n_features - 1)] * X[:, -1] + rng.normal(0, 0.1, n_rows)
    names = columns or [f"feat_{i}" for i in range(n_features)]
    write_pmlb(folder, name, X, y, names)
    return X, y
