"""A suite read from one formula table: how a user turns a ground-truth CSV into a suite.

The table is a CSV file with one row per problem and the columns

- ``name``: the problem's name (letters, digits, ``_ . + -``; unique across every suite),
- ``formula``: the ground truth in sympy syntax over the variable names (``2*pi*sqrt(L/g)``),
- ``variables``: ``name:law:low:high`` per input, ``;``-separated, in column order; the laws
  are those of :data:`srbench_lite.data.sampling.LAWS`,
- optional ``description``, and ``numeric_formula`` (an identical form that float64 evaluates
  more accurately, used for the targets); any other column is kept, as text, in the problem's
  ``meta``.

Problems are drawn like SRBench's Feynman problems: i.i.d. rows from the variables' laws (rows
whose target is not finite are redrawn), shuffled and split. The suite's settings are keyword
arguments, or for a table found on ``SRBENCH_LITE_SUITES_PATH`` an optional JSON file beside it
(``<suite>.json``) with the keys of :data:`SETTINGS`. See ``docs/adding_a_suite.md``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import numpy as np

from srbench_lite.data.problem import ProblemSpec
from srbench_lite.data.sampling import LAWS, draw_valid, normalize_split
from srbench_lite.data.suite import Suite
from srbench_lite.data.tables import TableError, parse_variables, read_rows

#: settings a suite's JSON file may give, with their defaults
SETTINGS: dict[str, Any] = {
    "description": "",
    "n_samples": 10_000,
    "split": [0.75, 0.25],
    "max_train": None,
}
REQUIRED_COLUMNS = ("name", "formula", "variables")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+-]*\Z")


def check_name(kind: str, name: object) -> str:
    """A suite or problem name that is safe in file names, records and command lines."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise TableError(
            f"{kind} name {name!r} must start with a letter or digit and use only letters, "
            "digits and _ . + -"
        )
    return name


class TableSuite(Suite):
    """The problems of one formula table (see the module docstring for the format)."""

    def __init__(
        self,
        name: str,
        table: Traversable | Path,
        *,
        description: str = SETTINGS["description"],
        n_samples: int = SETTINGS["n_samples"],
        split: float | Sequence[float] = tuple(SETTINGS["split"]),
        max_train: int | None = SETTINGS["max_train"],
        source: str = "",
    ):
        self.name = check_name("suite", name)
        self.table = table
        self.source = source  # set by the registry when empty (entry point or file)
        self.description = str(description) or f"formula table {Path(str(table)).name}"
        if isinstance(n_samples, bool) or not isinstance(n_samples, int) or n_samples < 4:
            raise TableError(
                f"suite {name!r}: n_samples must be an integer >= 4, got {n_samples!r}"
            )
        self.default_n_samples = n_samples
        self.default_split = normalize_split(split)
        if max_train is not None and (not isinstance(max_train, int) or max_train < 1):
            raise TableError(f"suite {name!r}: max_train must be a positive integer or null")
        self.max_train = max_train
        self._specs: list[ProblemSpec] | None = None

    @classmethod
    def from_file(cls, path: Path) -> TableSuite:
        """The suite of ``<folder>/<suite>.csv``, with the settings of ``<suite>.json`` if present."""
        settings: dict[str, Any] = {}
        sidecar = path.with_suffix(".json")
        if sidecar.is_file():
            try:
                settings = json.loads(sidecar.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError) as exc:
                raise TableError(f"cannot read suite settings {sidecar}: {exc}") from exc
            if not isinstance(settings, dict):
                raise TableError(f"{sidecar} must hold a JSON object")
            unknown = sorted(set(settings) - set(SETTINGS))
            if unknown:
                raise TableError(
                    f"{sidecar}: unknown setting(s) {', '.join(unknown)} "
                    f"(valid: {', '.join(SETTINGS)})"
                )
        return cls(path.stem, path, source=str(path), **settings)

    def specs(self) -> list[ProblemSpec]:
        if self._specs is None:
            try:
                rows = read_rows(self.table)
            except (OSError, UnicodeDecodeError) as exc:
                raise TableError(f"cannot read table {self.table}: {exc}") from exc
            self._specs = self._parse(rows)
        return list(self._specs)

    def _parse(self, rows: Sequence[dict[str, str]]) -> list[ProblemSpec]:
        if not rows:
            raise TableError(f"table {self.table} has no rows")
        missing = [c for c in REQUIRED_COLUMNS if c not in rows[0]]
        if missing:
            raise TableError(
                f"table {self.table} lacks the column(s) {', '.join(missing)} "
                f"(needs {', '.join(REQUIRED_COLUMNS)})"
            )
        specs, seen = [], set()
        for line, row in enumerate(rows, start=2):  # line 1 is the header
            try:
                spec = self._row_spec(row)
            except (TableError, ValueError) as exc:
                raise TableError(f"table {self.table} line {line}: {exc}") from None
            if spec.name in seen:
                raise TableError(f"table {self.table} line {line}: duplicate name {spec.name!r}")
            seen.add(spec.name)
            specs.append(spec)
        return specs

    def _row_spec(self, row: dict[str, str]) -> ProblemSpec:
        from srbench_lite.data.formula import parse_formula  # sympy: imported on use

        name = check_name("problem", (row["name"] or "").strip())
        variables = parse_variables(row["variables"] or "")
        for v in variables:
            if v.law not in LAWS:
                raise TableError(
                    f"variable {v.name!r}: unknown law {v.law!r} (valid: {', '.join(LAWS)})"
                )
        names = tuple(v.name for v in variables)
        if len(set(names)) != len(names):
            raise TableError(f"repeated variable name in {row['variables']!r}")
        formula = (row["formula"] or "").strip()
        parse_formula(formula, names)
        meta: dict[str, Any] = {k: v for k, v in row.items() if k not in REQUIRED_COLUMNS and k}
        meta["variables"] = variables
        if meta.get("numeric_formula"):
            parse_formula(meta["numeric_formula"], names)
        return ProblemSpec(name, self.name, names, formula, meta)

    def sample(self, spec: ProblemSpec, n: int, rng: np.random.Generator):
        return draw_valid(spec, spec.meta["variables"], n, rng)
