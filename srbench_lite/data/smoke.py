"""Tiny problems for tests and quick demos (``smoke.csv``): 200 rows, 75/25 split.

The smoke suite is a plain formula table, the same kind of suite a user adds (see
``srbench_lite.data.table_suite``).
"""

from __future__ import annotations

from srbench_lite.data.table_suite import TableSuite
from srbench_lite.data.tables import bundled_table

SMOKE = TableSuite(
    "smoke",
    bundled_table("smoke.csv"),
    description="4 tiny problems for tests and quick demos",
    n_samples=200,
)
