"""Find methods: srbench-lite's own entry points, the user's folders, other packages' entry points.

Sources, in order (a later source cannot shadow an earlier name; the clash is reported), as
for suites (see :mod:`srbench_lite.plugins`):

1. the bundled methods: entry points of srbench-lite itself in the group ``srbench_lite.methods``
   (``pyproject.toml``), one module each under ``srbench_lite/methods/bundled/``;
2. ``*.py`` files in the folders listed in the environment variable ``SRBENCH_LITE_METHODS_PATH``
   (``os.pathsep``-separated) -- a user adds a method with one file, no packaging;
3. entry points in the group ``srbench_lite.methods`` of other installed packages.

An entry point points at a :class:`MethodSpec` (or a no-argument callable returning one); a
file defines ``METHOD = MethodSpec(...)``. A method that fails to load is listed as unavailable
(named after its entry point or file), with the error as the reason, so one broken adapter
never hides the others.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterable
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from srbench_lite.errors import SrbenchError, UnknownNameError
from srbench_lite.methods.spec import MethodSpec
from srbench_lite.plugins import discover

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


def _accept(obj: object, source: str) -> MethodSpec:
    method = obj if isinstance(obj, MethodSpec) else obj() if callable(obj) else obj
    if not isinstance(method, MethodSpec):
        raise TypeError(f"{source} gave a {type(method).__name__}, not a MethodSpec")
    return method if method.source else replace(method, source=source)


def _load_file(path: Path) -> MethodSpec:
    module_name = f"srbench_lite_user_methods.{path.stem}"
    try:
        spec = importlib.util.spec_from_file_location(module_name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
        if not isinstance(module.METHOD, MethodSpec):
            raise TypeError(f"METHOD is a {type(module.METHOD).__name__}, not a MethodSpec")
        return _accept(module.METHOD, str(path))
    except Exception as exc:
        sys.modules.pop(module_name, None)
        return _broken(path.stem.replace("_", "-"), str(path), exc)


@lru_cache(maxsize=8)
def _registry(user_path: str) -> dict[str, MethodSpec]:
    del user_path  # part of the cache key only
    return discover(
        ENTRY_POINT_GROUP, ENV_PATH, ".py",
        from_file=_load_file, accept=_accept, broken=_broken, kind="method",
    )  # fmt: skip


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
                "has_expression": method.has_expression,
                "model_size_measure": method.model_size_measure,
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
