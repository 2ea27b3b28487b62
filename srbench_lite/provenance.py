"""What produced a run, said without the machine's absolute paths.

* :func:`code_state` -- the git commit of the srbench-lite checkout that ran, and whether its
  working tree had uncommitted changes (with the changed paths, repository-relative); for an
  installed (non-checkout) package, just the version.
* :func:`command_as_typed` -- the command line as the user typed it: the program's name
  (``srbench-lite run ...``, not the venv's ``/.../bin/run-benchmark``) and path arguments made
  relative where possible.
* :func:`scrub_paths` -- text (a traceback, an error message) with every absolute path of this
  machine replaced by a portable one: ``site-packages/ffx/core.py`` becomes ``ffx/core.py``,
  this package's files ``srbench_lite/...``, the standard library ``<python>/...``, paths under
  the current directory become relative, the home directory ``~/...``, and any other absolute path keeps only its
  last two components (``.../data/file.csv``).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import sysconfig
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["code_state", "command_as_typed", "scrub_paths", "scrub_value"]

#: changed paths listed in ``code_state()`` at most (the count is always exact)
MAX_CHANGED_PATHS = 20
_PACKAGE_DIR = Path(__file__).resolve().parent


def _git(args: Sequence[str], cwd: Path) -> str | None:
    try:
        out = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout if out.returncode == 0 else None


def code_state(package_dir: str | os.PathLike | None = None) -> dict[str, Any]:
    """The code that runs: ``{"source", "git_commit", "git_dirty", "git_changed",
    "git_n_changed"}``, for this package (or the package folder ``package_dir``).

    ``source`` is ``"git checkout"`` when this package is imported from a git working tree
    (an editable install or a clone on ``sys.path``), else ``"installed package"`` (then the
    commit is unknown: ``None``). ``git_dirty`` is true when tracked files differ from the
    commit or untracked, non-ignored files exist; ``git_changed`` lists up to
    :data:`MAX_CHANGED_PATHS` of them (repository-relative, ``git status --porcelain`` codes)
    and ``git_n_changed`` counts all.
    """
    package = Path(package_dir).resolve() if package_dir is not None else _PACKAGE_DIR
    top = _git(["rev-parse", "--show-toplevel"], package)
    if top is None or package.parent != Path(top.strip()).resolve():
        return {"source": "installed package", "git_commit": None, "git_dirty": None,
                "git_changed": [], "git_n_changed": 0}  # fmt: skip
    root = Path(top.strip())
    sha = (_git(["rev-parse", "HEAD"], root) or "").strip() or None
    status = _git(["status", "--porcelain", "--untracked-files=normal"], root)
    changed = [line.rstrip() for line in (status or "").splitlines() if line.strip()]
    return {
        "source": "git checkout",
        "git_commit": sha,
        "git_dirty": None if status is None else bool(changed),
        "git_changed": changed[:MAX_CHANGED_PATHS],
        "git_n_changed": len(changed),
    }


def command_as_typed(argv: Sequence[str] | None = None) -> list[str]:
    """``argv`` (default ``sys.argv``) with the program as its name and paths made portable.

    ``/venv/bin/run-benchmark --out /home/u/proj/results/x`` run from ``/home/u/proj`` gives
    ``["run-benchmark", "--out", "results/x"]``.
    """
    args = list(sys.argv if argv is None else argv)
    if not args:
        return []
    program = os.path.basename(args[0]) or args[0]
    if program in ("__main__.py", "cli.py"):
        program = "srbench-lite"
    return [program] + [scrub_paths(str(a)) for a in args[1:]]


def _add(pairs: list[tuple[str, str]], path: str | os.PathLike | None, replacement: str) -> None:
    if not path:
        return
    text = str(path).rstrip("/")
    if len(text) > 1 and os.path.isabs(text):
        pairs.append((text + "/", replacement))
        resolved = str(Path(text).resolve()).rstrip("/")
        if resolved != text:
            pairs.append((resolved + "/", replacement))


@lru_cache(maxsize=1)
def _fixed_prefixes() -> tuple[tuple[str, str], ...]:
    """(absolute prefix, replacement) pairs of the installation (cached: they never move)."""
    pairs: list[tuple[str, str]] = []

    def add(path: str | os.PathLike | None, replacement: str) -> None:
        _add(pairs, path, replacement)

    import site

    try:
        site_dirs = [*site.getsitepackages(), site.getusersitepackages()]
    except AttributeError:  # some embedded interpreters
        site_dirs = []
    for key in ("purelib", "platlib"):
        site_dirs.append(sysconfig.get_paths().get(key, ""))
    for path in site_dirs:
        add(path, "")
    add(_PACKAGE_DIR.parent, "")  # .../repo/srbench_lite/x.py -> srbench_lite/x.py
    for key in ("stdlib", "platstdlib"):
        add(sysconfig.get_paths().get(key), "<python>/")
    add(sys.prefix, "<venv>/")
    add(sys.base_prefix, "<python-home>/")
    add(os.path.expanduser("~"), "~/")
    return tuple(pairs)


def _prefixes() -> list[tuple[str, str]]:
    """Every (prefix, replacement) pair, the current directory's included, longest first (so
    site-packages wins over the venv that holds it)."""
    pairs = list(_fixed_prefixes())
    try:
        _add(pairs, os.getcwd(), "")
    except OSError:
        pass
    return sorted(set(pairs), key=lambda p: len(p[0]), reverse=True)


#: an absolute POSIX path with at least one directory, not glued to a preceding word or number
_ABS_PATH = re.compile(r"(?<![\w.)\]}>~])(/(?:[^\s/\"':,()\[\]]+/)+)([^\s/\"':,()\[\]]*)")


#: any interpreter's package folder (a method's own environment, another venv), up to and
#: including ``site-packages/``: ``~/.cache/.../envs/x/lib/python3.11/site-packages/a/b.py``
#: becomes ``a/b.py`` as this interpreter's own does
_SITE_PACKAGES = re.compile(r"[^\s\"':,()\[\]]*/(?:site|dist)-packages/")


def scrub_paths(text: str) -> str:
    """``text`` with this machine's absolute paths made portable (see the module docstring)."""
    if not text or "/" not in text:
        return text
    for prefix, replacement in _prefixes():
        if prefix in text:
            text = text.replace(prefix, replacement)
    text = _SITE_PACKAGES.sub("", text)

    def shorten(match: re.Match) -> str:
        parts = [p for p in match.group(1).split("/") if p]
        return ".../" + "/".join(parts[-1:] + [match.group(2)]).lstrip("/")

    return _ABS_PATH.sub(shorten, text)


def scrub_value(value: Any) -> Any:
    """:func:`scrub_paths` applied to every string inside ``value`` (dicts, lists, tuples)."""
    if isinstance(value, str):
        return scrub_paths(value)
    if isinstance(value, dict):
        return {k: scrub_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(scrub_value(v) for v in value)
    return value
