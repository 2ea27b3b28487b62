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

A parametric suite (:class:`~srbench_lite.data.suite_params.ParametricSuite`, e.g.
``random-law``) is a family: ``get_suite("random-law:seed=7,n=10")`` is one of its suites (the
family's name alone: its defaults), its problems are generated when asked for, never while the
catalog is built, and ``get_spec`` finds them by name (``randlaw_s7_003``). ``list_problems()``
lists each family's default suite.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from srbench_lite.data.problem import ProblemSpec
from srbench_lite.data.suite import Suite
from srbench_lite.data.suite_params import (
    ParametricSuite,
    parse_suite_spec,
    split_suite_list,
    with_suite_seed,
)
from srbench_lite.errors import InvalidValueError, SrbenchError, UnknownNameError
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
        if isinstance(suite, ParametricSuite):
            continue  # a family: its problems are generated when asked for
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


def _family(name: str) -> tuple[Suite, dict[str, str]]:
    """The registered suite (or family) of ``name`` and its parameters."""
    family, params = parse_suite_spec(name)
    suites = _current().suites
    if family not in suites:
        raise UnknownNameError("suite", family, suites)
    suite = suites[family]
    if isinstance(suite, BrokenSuite):
        suite.specs()  # raises SuiteUnavailableError with the reason
    if params and not isinstance(suite, ParametricSuite):
        raise InvalidValueError(f"suite {family!r} takes no parameters (got {name!r})")
    return suite, params


def get_suite(name: str) -> Suite:
    """One suite; an unknown name raises with the closest valid names. A parametric suite
    takes its parameters in the name (``random-law:seed=7,n=10``; bad ones raise
    :class:`~srbench_lite.errors.InvalidValueError` naming the valid keys) and is returned
    under its full name (``random-law:seed=0,n=100`` for ``random-law``)."""
    suite, params = _family(name)
    return suite.with_params(params) if isinstance(suite, ParametricSuite) else suite


def suite_names(suites: str | Sequence[str], suite_seed: int | None = None) -> tuple[str, ...]:
    """The suites of a ``--suite`` value (a comma-separated string whose parametric suites keep
    their own commas, or a list), ``suite_seed`` set on the seeded ones (``--suite-seed``), each
    parametric suite under its full name. Unknown names are kept (and fail when used)."""
    items = split_suite_list(suites) if isinstance(suites, str) else [str(s) for s in suites]
    items = with_suite_seed(items, suite_seed, _current().suites)
    out = []
    for item in items:
        family = _current().suites.get(parse_suite_spec(item)[0])
        out.append(get_suite(item).name if isinstance(family, ParametricSuite) else item)
    return tuple(dict.fromkeys(out))


def is_parametric(name: str) -> bool:
    """Whether ``name`` (without parameters) is a parametric family such as ``random-law``."""
    return isinstance(_current().suites.get(parse_suite_spec(name)[0]), ParametricSuite)


def list_problems(suite: str | None = None) -> list[str]:
    """Names of every problem, or of one suite's problems, in table order. Without a suite:
    the problems of every fixed suite and of each parametric family's default suite."""
    if suite is None:
        names = list(_current().problems)
        for family in _current().suites.values():
            if isinstance(family, ParametricSuite):
                names += [s.name for s in family.specs() if s.name not in _current().problems]
        return names
    found, _ = _family(suite)
    if isinstance(found, ParametricSuite):
        return [spec.name for spec in get_suite(suite).specs()]
    return list(_current().members[found.name])


def _generated(name: str) -> tuple[Suite, ProblemSpec] | None:
    """A problem of a parametric family, found by its name."""
    for family in _current().suites.values():
        if isinstance(family, ParametricSuite):
            found = family.find_problem(name)
            if found is not None:
                return found
    return None


def _lookup(name: str) -> tuple[Suite, ProblemSpec]:
    """``(suite, spec)`` of problem ``name``: a listed problem, or one a parametric suite
    generates from its name; :class:`UnknownNameError` otherwise."""
    problems = _current().problems
    if name in problems:
        return problems[name].suite, problems[name].spec
    found = _generated(name)
    if found is None:
        raise UnknownNameError("problem", name, problems)
    return found


def get_spec(name: str) -> ProblemSpec:
    """The static description (features, formula, meta) of one problem."""
    return _lookup(name)[1]


def problem_suite(name: str) -> Suite:
    """The suite object that generates problem ``name``."""
    return _lookup(name)[0]
