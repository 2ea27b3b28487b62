"""Cross-check the project's formula tables against the reference facts (AI Feynman, SRSD).

The facts are small derived tables in tests/fixtures/reference (see tests/fixtures/README.md).
"""

from __future__ import annotations

import sympy as sp
from reference_facts import rows

from srbench_lite.data import get_spec, list_problems
from srbench_lite.data.formula import parse_formula
from srbench_lite.data.tables import parse_variables

FIXED_SRSD_ROWS = {"feynman-i.34.14", "feynman-bonus.13", "feynman-iii.9.52"}


def _same(a: sp.Expr, b: sp.Expr) -> bool:
    return sp.simplify(a - b) == 0 or sp.simplify(a / b - 1) == 0


def test_feynman_matches_ai_feynman():
    table = rows("ai_feynman.csv")
    assert len(table) == 120 and {r["name"] for r in table} == set(list_problems("feynman"))
    for row in table:
        name = row["name"]
        spec = get_spec(name)
        ref_vars = [(n, float(lo), float(hi))
                    for n, lo, hi in (v.split(":") for v in row["variables"].split(";"))]  # fmt: skip
        ours = [(v.name, v.low, v.high) for v in spec.meta["variables"]]
        assert ours == ref_vars, name
        assert all(v.law == "uniform" for v in spec.meta["variables"])
        assert spec.formula == row["formula"], name
        assert spec.meta["srbench"] == (row["in_srbench"] == "True"), name
    srbench = {r["name"] for r in table if r["in_srbench"] == "True"}
    assert srbench == set(list_problems("feynman-srbench"))


def test_srsd_matches_reference():
    table = {r["name"]: r for r in rows("srsd_feynman.csv")}
    assert len(table) == 120
    for group in ("easy", "medium", "hard"):
        assert {n for n, r in table.items() if r["group"] == group} == set(
            list_problems(f"srsd-{group}")
        )
    for name, row in table.items():
        spec = get_spec(name)
        ref_vars = parse_variables(row["variables"].replace(":int", ""))
        assert spec.meta["variables"] == ref_vars, name
        ours = parse_formula(spec.formula, spec.feature_names)
        if name == "feynman-iii.9.52":  # the generator's (squared, physically correct) form
            ref = parse_formula(row["formula_datagen"], spec.feature_names)
        else:
            ref = parse_formula(row["formula"], spec.feature_names)
        assert _same(ours, ref), name
        if name not in FIXED_SRSD_ROWS:
            datagen = parse_formula(row["formula_datagen"], spec.feature_names)
            assert _same(ours, datagen), name
