"""Read formula tables: the bundled ones (``srbench_lite/datasets/*.csv``) and users' own."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from srbench_lite.errors import SrbenchError

#: the package that holds the bundled tables (data only, read with importlib.resources)
TABLES_PACKAGE = "srbench_lite.datasets"


class TableError(SrbenchError, ValueError):
    """A formula table (or its settings) that cannot be used; the message names the line."""


@dataclass(frozen=True)
class VariableSpec:
    """One input variable: its name and sampling law (see ``sampling.draw``)."""

    name: str
    law: str
    low: float
    high: float


def parse_variables(text: str) -> tuple[VariableSpec, ...]:
    """Parse ``"name:law:low:high;name:law:low:high"`` (the tables' ``variables`` column)."""
    specs = []
    for item in text.split(";"):
        parts = item.strip().split(":")
        if len(parts) != 4:
            raise ValueError(f"bad variable spec {item!r}: expected name:law:low:high")
        name, law, low, high = parts
        specs.append(VariableSpec(name, law, float(low), float(high)))
    return tuple(specs)


def bundled_table(filename: str) -> Traversable:
    """The bundled table ``filename`` as an importlib.resources object (works from any install)."""
    return files(TABLES_PACKAGE).joinpath(filename)


def read_rows(table: Traversable | Path) -> tuple[dict[str, str], ...]:
    """The rows of a CSV table as dicts of strings (UTF-8, a leading BOM tolerated)."""
    text = table.read_text(encoding="utf-8-sig")
    return tuple(dict(row) for row in csv.DictReader(io.StringIO(text, newline="")))


@cache
def read_table(filename: str) -> tuple[dict[str, str], ...]:
    """Rows of the bundled table ``filename`` (cached)."""
    return read_rows(bundled_table(filename))
