"""Where method environments live and what state each is in.

Layout: ``<root>/<method>-<digest>/`` is a virtual environment (``bin/python``) plus
:data:`MARKER`, written last by :func:`~srbench_lite.environments.build.create` (the
declaration, versions, when it was built): a folder without it is a half-built environment,
never used. ``<root>`` is ``$SRBENCH_LITE_ENV_DIR``, else ``$XDG_CACHE_HOME/srbench-lite/envs``
(``~/.cache/srbench-lite/envs``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from srbench_lite.errors import SrbenchError

if TYPE_CHECKING:
    from srbench_lite.methods.spec import MethodSpec

__all__ = [
    "ENV_DIR",
    "MARKER",
    "EnvironmentMissingError",
    "env_path",
    "environment_name",
    "environments_root",
    "interpreter",
    "list_environments",
    "missing_reason",
    "read_marker",
    "remove",
    "state",
    "venv_python",
]

ENV_DIR = "SRBENCH_LITE_ENV_DIR"
#: written into an environment's folder when it is complete
MARKER = "srbench-lite-env.json"
#: the creation log, beside the marker
LOG = "create.log"


class EnvironmentMissingError(SrbenchError):
    """A method's environment is not built on this machine (or the method declares none)."""


def environments_root() -> Path:
    """``$SRBENCH_LITE_ENV_DIR``, else ``$XDG_CACHE_HOME/srbench-lite/envs``."""
    explicit = os.environ.get(ENV_DIR, "").strip()
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "srbench-lite" / "envs"


def _declared(spec: MethodSpec):
    if spec.environment is None:
        raise EnvironmentMissingError(
            f"method {spec.name!r} declares no environment: it runs in srbench-lite's own "
            "(see `srbench-lite env list` for the methods that have one)"
        )
    return spec.environment


def environment_name(spec: MethodSpec) -> str:
    """``<method>-<digest of its declaration>``: the environment's folder name."""
    return f"{spec.name}-{_declared(spec).digest()}"


def env_path(spec: MethodSpec) -> Path:
    """The folder of ``spec``'s environment (it may not exist)."""
    return environments_root() / environment_name(spec)


def venv_python(folder: Path) -> Path:
    """The interpreter of the virtual environment in ``folder``."""
    if sys.platform == "win32":
        return folder / "Scripts" / "python.exe"
    return folder / "bin" / "python"


def read_marker(folder: Path) -> dict[str, Any] | None:
    """The marker of a complete environment, or None (absent or unreadable)."""
    try:
        data = json.loads((folder / MARKER).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def state(spec: MethodSpec) -> str:
    """``created`` (complete), ``incomplete`` (a half-built folder) or ``missing``."""
    folder = env_path(spec)
    if read_marker(folder) is not None and venv_python(folder).exists():
        return "created"
    return "incomplete" if folder.exists() else "missing"


def interpreter(spec: MethodSpec) -> Path | None:
    """The Python of ``spec``'s environment when it is created, else None."""
    return venv_python(env_path(spec)) if state(spec) == "created" else None


def missing_reason(spec: MethodSpec) -> str | None:
    """Why ``spec``'s environment cannot be used here (None: it is created)."""
    now = state(spec)
    if now == "created":
        return None
    how = "half built (a creation failed or is running)" if now == "incomplete" else "not created"
    return (
        f"its environment {environment_name(spec)} is {how} on this machine "
        f"({env_path(spec)}); create it with: srbench-lite env create {spec.name}"
    )


def list_environments(specs) -> list[dict[str, Any]]:
    """One row per method in ``specs`` that declares an environment: method, name, state,
    path, python (the built one's version, else the declared one) and the old folders of the
    method (earlier declarations) that are still on disk."""
    rows = []
    for spec in specs:
        if spec.environment is None:
            continue
        folder = env_path(spec)
        marker = read_marker(folder) or {}
        rows.append(
            {
                "method": spec.name,
                "name": environment_name(spec),
                "state": state(spec),
                "path": str(folder),
                "python": marker.get("python") or spec.environment.python or "as srbench-lite's",
                "stale": [str(p) for p in _method_folders(spec.name) if p != folder],
            }
        )
    return rows


def _method_folders(method: str) -> list[Path]:
    """Folders of the root named ``<method>-<10 hex>``: this method's environments, current
    or made from an earlier declaration."""
    root = environments_root()
    if not root.is_dir():
        return []
    pattern = re.compile(re.escape(method) + r"-[0-9a-f]{10}")
    return sorted(p for p in root.iterdir() if p.is_dir() and pattern.fullmatch(p.name))


def remove(spec: MethodSpec) -> list[Path]:
    """Delete every environment folder of ``spec``'s method (the current one and those of
    earlier declarations); return the folders removed."""
    _declared(spec)
    removed = []
    for folder in _method_folders(spec.name):
        shutil.rmtree(folder)
        removed.append(folder)
    return removed
