"""Locate the data folders that ship with the package (``datasets/`` and ``methods/``).

A regular install maps them to ``srbench_lite._tables`` and ``srbench_lite._methods``
(see setup.py); an editable install or a source checkout reads them from the repository root.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

_REPO_ROOT = Path(__file__).resolve().parent.parent


def _locate(package: str, folder: str) -> Path:
    try:
        spec = importlib.util.find_spec(package)
    except ModuleNotFoundError:
        spec = None
    if spec is not None and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    return _REPO_ROOT / folder


def tables_dir() -> Path:
    """Folder holding the bundled dataset tables (``datasets/`` in the repository)."""
    return _locate("srbench_lite._tables", "datasets")


def methods_dir() -> Path:
    """Folder holding the bundled method adapter files (``methods/`` in the repository)."""
    return _locate("srbench_lite._methods", "methods")
