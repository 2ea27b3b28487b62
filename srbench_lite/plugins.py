"""Plug-in discovery shared by the method and the suite registries.

Both registries look in the same places, in this order; an earlier name wins and a later
duplicate is ignored with a warning that names both sources:

1. the entry points srbench-lite itself declares (the bundled methods and suites, listed in
   ``pyproject.toml``: the bundled plug-ins register exactly as third-party ones do);
2. files in the folders named by an environment variable (``os.pathsep``-separated): one file
   is one plug-in, no packaging needed;
3. the entry points of every other installed package.

A plug-in that fails to load is kept as a "broken" item carrying the error, so that one bad
file never hides the others; the registry decides how a broken item shows.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Callable, Iterable
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Protocol, TypeVar

#: the distribution name whose entry points are the bundled plug-ins
DIST_NAME = "srbench-lite"


class Named(Protocol):
    name: str
    source: str


T = TypeVar("T", bound=Named)


def _dist_name(ep: EntryPoint) -> str:
    dist = getattr(ep, "dist", None)
    name = dist.metadata["Name"] if dist is not None else ""
    return re.sub(r"[-_.]+", "-", name or "").lower()


def split_entry_points(group: str) -> tuple[list[EntryPoint], list[EntryPoint]]:
    """The group's entry points: (srbench-lite's own, other packages'), each in declared order."""
    own, others = [], []
    for ep in entry_points(group=group):
        (own if _dist_name(ep) == DIST_NAME else others).append(ep)
    if not own:
        warnings.warn(
            f"srbench-lite's own entry points in {group!r} are missing: the package metadata is "
            "absent or stale; reinstall with `pip install -e .` (or `pip install .`)",
            stacklevel=3,
        )
    return own, others


def load_entry_point(
    ep: EntryPoint,
    accept: Callable[[object, str], T],
    broken: Callable[[str, str, BaseException], T],
) -> T:
    """Load one entry point: ``accept(obj, source)`` checks the object (or the result of
    calling it, when it is a no-argument callable); any failure gives ``broken(...)``."""
    source = f"entry point {ep.name} = {ep.value}"
    try:
        return accept(ep.load(), source)
    except Exception as exc:  # a broken plug-in must not hide the others
        return broken(ep.name, source, exc)


def env_folder_files(env_var: str, suffix: str) -> list[Path]:
    """Files ending in ``suffix`` (not starting with ``_``) in the folders of ``env_var``."""
    raw = os.environ.get(env_var, "")
    files: list[Path] = []
    for folder in (Path(p).expanduser() for p in raw.split(os.pathsep) if p.strip()):
        if folder.is_dir():
            files += sorted(p for p in folder.glob(f"*{suffix}") if not p.name.startswith("_"))
    return files


def first_wins(items: Iterable[T], kind: str) -> dict[str, T]:
    """Name → item, keeping the first of each name and warning about the later ones."""
    out: dict[str, T] = {}
    for item in items:
        if item.name in out:
            warnings.warn(
                f"{kind} {item.name!r} from {item.source} ignored: the name is already taken "
                f"by {out[item.name].source}",
                stacklevel=3,
            )
            continue
        out[item.name] = item
    return out


def discover(
    group: str,
    env_var: str,
    suffix: str,
    *,
    from_file: Callable[[Path], T],
    accept: Callable[[object, str], T],
    broken: Callable[[str, str, BaseException], T],
    kind: str,
) -> dict[str, T]:
    """Every plug-in of one kind, from the three sources in order (see the module docstring)."""
    own, others = split_entry_points(group)
    items = [load_entry_point(ep, accept, broken) for ep in own]
    items += [from_file(path) for path in env_folder_files(env_var, suffix)]
    items += [load_entry_point(ep, accept, broken) for ep in others]
    return first_wins(items, kind)
