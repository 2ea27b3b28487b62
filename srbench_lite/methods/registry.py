"""Find methods: the bundled ``methods/*.py`` files, the user's own folders, and entry points.

Sources, in order (a later source cannot shadow an earlier name; the clash is reported):

1. the files in the bundled ``methods/`` folder;
2. files in the folders listed in the environment variable ``SRBENCH_LITE_METHODS_PATH``
   (``os.pathsep``-separated) -- a user adds a method with one file, no packaging;
3. entry points in the group ``srbench_lite.methods`` of installed packages, each pointing at a
   :class:`MethodSpec` (or a no-argument callable returning one).

Each file must define ``METHOD = MethodSpec(...)``. A file that fails to import is listed as an
unavailable method named after the file, with the error as the reason, so one broken adapter
never hides the others.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import warnings
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from srbench_lite._paths import methods_dir
from srbench_lite.errors import SrbenchError, UnknownNameError
from srbench_lite.methods.spec import MethodSpec

__all__ = [
    "ENTRY_POINT_GROUP",
    "ENV_PATH",
    "MethodUnavailableError",
    "get_method",
    "list_methods",
    "method_availability",
    "resolve_methods",
]

ENTRY_POINT_GROUP = "srbench_lite.methods"
ENV_PATH = "SRBENCH_LITE_METHODS_PATH"


class MethodUnavailableError(SrbenchError):
    """A known method that cannot run here (its package is missing, or a check failed)."""


def _broken(name: str, source: str, exc: BaseException) -> MethodSpec:
    reason = f"failed to load {source}: {type(exc).__name__}: {exc}"

    def factory(**_):
        raise MethodUnavailableError(reason)

    return MethodSpec(name=name, factory=factory, check=lambda: reason, source=source)


def _load_file(path: Path) -> MethodSpec:
    module_name = f"srbench_lite._methods.{path.stem}"
    try:
        spec = importlib.util.spec_from_file_location(module_name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
        method = module.METHOD
        if not isinstance(method, MethodSpec):
            raise TypeError(f"METHOD is a {type(method).__name__}, not a MethodSpec")
    except Exception as exc:
        sys.modules.pop(module_name, None)
        return _broken(path.stem.replace("_", "-"), str(path), exc)
    return _with_source(method, str(path))


def _with_source(method: MethodSpec, source: str) -> MethodSpec:
    from dataclasses import replace

    return method if method.source else replace(method, source=source)


def _method_files(folders: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for folder in folders:
        if folder.is_dir():
            files += sorted(p for p in folder.glob("*.py") if not p.name.startswith("_"))
    return files


def _entry_point_methods() -> list[MethodSpec]:
    from importlib.metadata import entry_points

    found = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        source = f"entry point {ep.name} = {ep.value}"
        try:
            obj = ep.load()
            method = obj if isinstance(obj, MethodSpec) else obj()
            if not isinstance(method, MethodSpec):
                raise TypeError(f"{ep.value} gave a {type(method).__name__}, not a MethodSpec")
            found.append(_with_source(method, source))
        except Exception as exc:
            found.append(_broken(ep.name, source, exc))
    return found


def _user_folders() -> list[Path]:
    raw = os.environ.get(ENV_PATH, "")
    return [Path(p).expanduser() for p in raw.split(os.pathsep) if p.strip()]


@lru_cache(maxsize=8)
def _registry(user_path: str) -> dict[str, MethodSpec]:
    del user_path  # part of the cache key only
    methods: dict[str, MethodSpec] = {}
    candidates = [_load_file(p) for p in _method_files([methods_dir(), *_user_folders()])]
    for method in candidates + _entry_point_methods():
        if method.name in methods:
            warnings.warn(
                f"method {method.name!r} from {method.source} ignored: the name is already "
                f"taken by {methods[method.name].source}",
                stacklevel=3,
            )
            continue
        methods[method.name] = method
    return methods


def _all() -> dict[str, MethodSpec]:
    return _registry(os.environ.get(ENV_PATH, ""))


def list_methods() -> list[str]:
    """Names of every registered method, available here or not."""
    return sorted(_all())


def get_method(name: str) -> MethodSpec:
    """The spec of one method; an unknown name raises with the closest valid names."""
    methods = _all()
    if name not in methods:
        raise UnknownNameError("method", name, methods)
    return methods[name]


def method_availability() -> list[dict]:
    """One row per method: name, available, reason, install hint, description, source."""
    rows = []
    for name in list_methods():
        method = get_method(name)
        reason = method.missing()
        rows.append(
            {
                "name": name,
                "available": reason is None,
                "reason": reason or "",
                "install": method.install,
                "budget_param": method.budget_param,
                "description": method.description,
                "source": method.source,
            }
        )
    return rows


def resolve_methods(names: Iterable[str]) -> list[MethodSpec]:
    """Specs for the requested names; fails at selection (not mid-run) on an unknown or
    unavailable method, naming each and saying how to install what is missing."""
    specs, problems = [], []
    for name in names:
        method = get_method(name)
        reason = method.missing()
        if reason:
            problems.append(f"{name}: {reason}")
        specs.append(method)
    if problems:
        raise MethodUnavailableError("method not available here -- " + "; ".join(problems))
    return specs
