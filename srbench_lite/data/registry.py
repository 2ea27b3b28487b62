"""The suites and problems srbench-lite knows.

Suites plug in exactly like methods (see :mod:`srbench_lite.plugins`), from, in order:

1. the bundled suites: entry points of srbench-lite itself in the group ``srbench_lite.suites``
   (``pyproject.toml``);
2. ``*.csv`` formula tables in the folders listed in ``SRBENCH_LITE_SUITES_PATH``
   (``os.pathsep``-separated): one table is one suite named after the file, with optional
   settings in ``<suite>.json`` (see :mod:`srbench_lite.data.table_suite`);
3. entry points in the group ``srbench_lite.suites`` of other installed packages, each pointing
   at a :class:`Suite` (or a no-argument callable returning one).

A problem belongs to the first suite that lists it (``feynman-srbench`` reuses ``feynman``'s
problems). A suite that fails to load, or that reuses a problem name for a different problem,
is listed as unavailable with the reason; using it raises :class:`SuiteUnavailableError`.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from srbench_lite.data.problem import ProblemSpec
from srbench_lite.data.suite import Suite
from srbench_lite.errors import SrbenchError, UnknownNameError
from srbench_lite.plugins import discover

ENTRY_POINT_GROUP = "srbench_lite.suites"
ENV_PATH = "SRBENCH_LITE_SUITES_PATH"


class SuiteUnavailableError(SrbenchError):
    """A known suite that cannot be used (its table or entry point is broken)."""


class BrokenSuite(Suite):
    """Stands in for a suite that failed to load; using it raises with the reason."""

    def __init__(self, name: str, source: str, reason: str):
        self.name, self.source, self.reason = name, source, reason
        self.description = f"unavailable: {reason}"

    def specs(self) -> list[ProblemSpec]:
        raise SuiteUnavailableError(
            f"suite {self.name!r} ({self.source}) cannot be used: {self.reason}"
        )


def _broken(name: str, source: str, exc: BaseException) -> BrokenSuite:
    return BrokenSuite(name, source, f"{type(exc).__name__}: {exc}")


def _accept(obj: object, source: str) -> Suite:
    suite = obj if isinstance(obj, Suite) else obj() if callable(obj) else obj
    if not isinstance(suite, Suite):
        raise TypeError(f"{source} gave a {type(suite).__name__}, not a Suite")
    if not suite.name:
        raise ValueError(f"{source} gave a suite without a name")
    if not suite.source:
        suite.source = source
    return suite


def _load_file(path: Path) -> Suite:
    from srbench_lite.data.table_suite import TableSuite

    try:
        return TableSuite.from_file(path)
    except Exception as exc:
        return _broken(path.stem, str(path), exc)


@dataclass(frozen=True)
class _Entry:
    spec: ProblemSpec
    suite: Suite  # the suite that generates it (the first one listing it)


@dataclass(frozen=True)
class _Catalog:
    suites: dict[str, Suite]
    problems: dict[str, _Entry]
    members: dict[str, tuple[str, ...]]


@lru_cache(maxsize=8)
def _catalog(user_path: str) -> _Catalog:
    del user_path  # part of the cache key only
    suites = discover(
        ENTRY_POINT_GROUP, ENV_PATH, ".csv",
        from_file=_load_file, accept=_accept, broken=_broken, kind="suite",
    )  # fmt: skip
    problems: dict[str, _Entry] = {}
    members: dict[str, tuple[str, ...]] = {}
    for name, suite in list(suites.items()):
        try:
            specs = suite.specs()
            clashes = [s.name for s in specs if s.name in problems and problems[s.name].spec != s]
            if clashes:
                owner = problems[clashes[0]].suite.name
                raise SuiteUnavailableError(
                    f"problem name(s) {', '.join(clashes[:5])} already used by suite {owner!r} "
                    "for another problem: rename them"
                )
        except Exception as exc:
            if not isinstance(suite, BrokenSuite):
                warnings.warn(
                    f"suite {name!r} from {suite.source} is unavailable: {exc}", stacklevel=3
                )
            suites[name] = BrokenSuite(name, suite.source, str(exc))
            continue
        for spec in specs:
            problems.setdefault(spec.name, _Entry(spec, suite))
        members[name] = tuple(spec.name for spec in specs)
    return _Catalog(suites, problems, members)


def _current() -> _Catalog:
    return _catalog(os.environ.get(ENV_PATH, ""))


def list_suites() -> dict[str, str]:
    """Suite name → one-line description, in discovery order (bundled suites first)."""
    return {name: s.description for name, s in _current().suites.items()}


def get_suite(name: str) -> Suite:
    """One suite; an unknown name raises with the closest valid names."""
    suites = _current().suites
    if name not in suites:
        raise UnknownNameError("suite", name, suites)
    suite = suites[name]
    if isinstance(suite, BrokenSuite):
        suite.specs()  # raises SuiteUnavailableError with the reason
    return suite


def list_problems(suite: str | None = None) -> list[str]:
    """Names of every problem, or of one suite's problems, in table order."""
    if suite is None:
        return list(_current().problems)
    get_suite(suite)
    return list(_current().members[suite])


def get_spec(name: str) -> ProblemSpec:
    """The static description (features, formula, meta) of one problem."""
    problems = _current().problems
    if name not in problems:
        raise UnknownNameError("problem", name, problems)
    return problems[name].spec


def problem_suite(name: str) -> Suite:
    """The suite object that generates problem ``name``."""
    get_spec(name)
    return _current().problems[name].suite
