"""Read the bundled dataset tables (``datasets/*.csv``)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache

from srbench_lite._paths import tables_dir


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


@cache
def read_table(filename: str) -> tuple[dict[str, str], ...]:
    """Rows of ``datasets/<filename>`` as dicts of strings (cached)."""
    path = tables_dir() / filename
    with open(path, newline="", encoding="utf-8") as fh:
        return tuple(dict(row) for row in csv.DictReader(fh))
