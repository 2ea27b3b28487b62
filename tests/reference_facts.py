"""The reference facts that the cross-check tests read.

Small tables derived from the public benchmarks' own files (selected columns, a few sample
rows, summary statistics), committed under ``tests/fixtures/reference/`` so that the checks run
in every clone. ``tests/fixtures/README.md`` says what each was derived from and how;
``tests/fixtures/derive_from_shared.py`` regenerates them.
"""

from __future__ import annotations

import csv
import json
from functools import cache
from pathlib import Path

FACTS = Path(__file__).resolve().parent / "fixtures" / "reference"
EMPIRICAL = FACTS / "empirical"


def rows(name: str) -> list[dict[str, str]]:
    """The rows of ``tests/fixtures/reference/<name>`` as dicts of strings."""
    with (FACTS / name).open(newline="") as fh:
        return list(csv.DictReader(fh))


@cache
def empirical_summary() -> dict:
    """Row counts (and, for the measurements kept as samples only, statistics) per file."""
    return json.loads((EMPIRICAL / "summary.json").read_text())
