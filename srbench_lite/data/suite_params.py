"""Parametric suites: one registered family, many suites chosen by ``family:key=value,...``.

``random-law:seed=7,n=100`` names the suite of family ``random-law`` with those parameters;
the family's name alone takes every default. A :class:`ParametricSuite` is what the registry
holds for a family: it declares its :attr:`~ParametricSuite.parameters`, makes the suite of a
set of values (:meth:`~ParametricSuite.with_params`), and finds a problem from its name alone
(:meth:`~ParametricSuite.find_problem`), so that ``load_problem(name)`` needs no other context.
The parsing and checking of the parameters is here, in one place; the registry
(:mod:`srbench_lite.data.registry`) calls it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from srbench_lite.data.problem import ProblemSpec
from srbench_lite.data.suite import Suite
from srbench_lite.errors import InvalidValueError

_INT = re.compile(r"(0|[1-9][0-9]*)\Z")


@dataclass(frozen=True)
class Parameter:
    """An integer parameter of a parametric suite: its default, bounds and meaning. A default
    of None makes it optional: absent unless given, and then left out of the suite's full name
    (so adding an optional parameter to a family changes none of its existing names)."""

    default: int | None
    minimum: int
    maximum: int
    help: str


def parse_suite_spec(text: str) -> tuple[str, dict[str, str]]:
    """``"family:key=value,key=value"`` -> ``("family", {"key": "value", ...})``; a plain name
    has no parameters. Values are checked by the family (:meth:`ParametricSuite.values`)."""
    family, sep, rest = str(text).partition(":")
    family = family.strip()
    params: dict[str, str] = {}
    if not sep:
        return family, params
    if not rest.strip():
        raise InvalidValueError(
            f"suite {text!r}: nothing after ':' (write {family!r} alone, or {family}:key=value,...)"
        )
    for item in rest.split(","):
        key, eq, value = (part.strip() for part in item.partition("="))
        if not eq or not key or not value:
            raise InvalidValueError(f"suite {text!r}: {item.strip()!r} is not key=value")
        if key in params:
            raise InvalidValueError(f"suite {text!r}: parameter {key!r} given twice")
        params[key] = value
    return family, params


def format_suite_spec(family: str, params: Mapping[str, object]) -> str:
    """The inverse of :func:`parse_suite_spec` (parameters in the given order)."""
    if not params:
        return family
    return family + ":" + ",".join(f"{k}={v}" for k, v in params.items())


def split_suite_list(text: str) -> list[str]:
    """Split a comma-separated list of suites, keeping a parametric suite's own commas:
    ``"random-law:seed=7,n=10,feynman"`` -> ``["random-law:seed=7,n=10", "feynman"]`` (an
    item ``key=value`` continues the parameters of the suite before it)."""
    out: list[str] = []
    for item in (part.strip() for part in str(text).split(",")):
        if not item:
            continue
        if "=" in item and ":" not in item:
            if not out or ":" not in out[-1]:
                raise InvalidValueError(
                    f"suite list {text!r}: {item!r} is a parameter without a suite before it "
                    "(write suite:key=value,...)"
                )
            out[-1] += "," + item
        else:
            out.append(item)
    return out


class ParametricSuite(Suite):
    """A family of suites chosen by parameters (see the module docstring).

    Subclasses set :attr:`name` (the family), :attr:`description` and :attr:`parameters`, and
    implement :meth:`make` and :meth:`find_problem`. The family itself stands for its default
    suite (``specs()`` are the default suite's problems).
    """

    parameters: Mapping[str, Parameter] = {}

    def values(self, params: Mapping[str, str]) -> dict[str, int | None]:
        """Every parameter's value (defaults filled in; None for an optional parameter not
        given), or an error naming the bad one."""
        valid = ", ".join(self.parameters)
        unknown = [k for k in params if k not in self.parameters]
        if unknown:
            raise InvalidValueError(
                f"suite {self.name!r}: unknown parameter {unknown[0]!r} (valid keys: {valid})"
            )
        out = {}
        for key, param in self.parameters.items():
            raw = params.get(key)
            if raw is None:
                out[key] = param.default
                continue
            value = int(raw) if _INT.match(raw) else None
            if value is None or not param.minimum <= value <= param.maximum:
                raise InvalidValueError(
                    f"suite {self.name!r}: {key}={raw!r} is not valid: {key} must be an integer "
                    f"in [{param.minimum}, {param.maximum}] ({param.help}; valid keys: {valid})"
                )
            out[key] = value
        return out

    def canonical(self, values: Mapping[str, int | None]) -> str:
        """The full name of the suite of ``values``: every parameter, in declared order (an
        optional parameter only when given)."""
        return format_suite_spec(
            self.name, {k: values[k] for k in self.parameters if values[k] is not None}
        )

    def with_params(self, params: Mapping[str, str]) -> Suite:
        """The suite of these (unchecked, string) parameters; one object per full name."""
        values = self.values(params)
        cache = self.__dict__.setdefault("_instances", {})
        name = self.canonical(values)
        if name not in cache:
            suite = self.make(**values)
            suite.name, suite.source = name, self.source
            cache[name] = suite
        return cache[name]

    def make(self, **values: int | None) -> Suite:
        """A new suite for these checked values (its name and source are set by the caller)."""
        raise NotImplementedError

    def find_problem(self, name: str) -> tuple[Suite, ProblemSpec] | None:
        """The suite generating problem ``name`` and its spec, if the name is one of the
        family's; None otherwise."""
        raise NotImplementedError

    def specs(self) -> list[ProblemSpec]:
        return self.with_params({}).specs()

    def default_name(self) -> str:
        return self.canonical(self.values({}))


def with_suite_seed(suites: Sequence[str], seed: int | None, families: Mapping[str, Suite]):
    """``suites`` with ``seed=<seed>`` set on each seeded family (``--suite-seed``); an error when
    none of them takes a seed or one already gives another seed."""
    if seed is None:
        return list(suites)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InvalidValueError(f"--suite-seed must be an integer >= 0, got {seed!r}")
    out, applied = [], False
    for text in suites:
        family, params = parse_suite_spec(text)
        suite = families.get(family)
        if isinstance(suite, ParametricSuite) and "seed" in suite.parameters:
            if params.get("seed", str(seed)) != str(seed):
                raise InvalidValueError(
                    f"--suite-seed {seed} contradicts the seed of --suite {text!r}"
                )
            text, applied = format_suite_spec(family, {**params, "seed": seed}), True
        out.append(text)
    if not applied:
        seeded = [n for n, s in families.items()
                  if isinstance(s, ParametricSuite) and "seed" in s.parameters]  # fmt: skip
        raise InvalidValueError(
            f"--suite-seed {seed}: none of the suites ({', '.join(suites) or 'none given'}) "
            f"takes a seed (seeded suites: {', '.join(seeded) or 'none'})"
        )
    return out
