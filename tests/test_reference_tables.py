"""Cross-check the project's tables against ../shared/reference (skipped when it is absent)."""

from __future__ import annotations

import csv

import sympy as sp

from srbench_lite.data import get_spec, list_problems
from srbench_lite.data.formula import parse_formula
from srbench_lite.data.tables import parse_variables

FIXED_SRSD_ROWS = {"feynman-i.34.14", "feynman-bonus.13", "feynman-iii.9.52"}


def _rows(path):
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def _same(a: sp.Expr, b: sp.Expr) -> bool:
    return sp.simplify(a - b) == 0 or sp.simplify(a / b - 1) == 0


def test_feynman_matches_ai_feynman(reference_dir):
    rows = _rows(reference_dir / "feynman_equations.csv") + _rows(
        reference_dir / "bonus_equations.csv"
    )
    assert len(rows) == 120
    for row in rows:
        name = row["pmlb_dataset"] or "feynman_" + row["Filename"].replace(".", "_")
        spec = get_spec(name)
        n = int(row["n_vars_listed"])
        ref_vars = [(row[f"v{i}_name"], float(row[f"v{i}_low"]), float(row[f"v{i}_high"]))
                    for i in range(1, n + 1)]  # fmt: skip
        ours = [(v.name, v.low, v.high) for v in spec.meta["variables"]]
        assert ours == ref_vars, name
        assert all(v.law == "uniform" for v in spec.meta["variables"])
        assert spec.formula == row["Formula"], name
        assert spec.meta["srbench"] == (row["in_srbench_groundtruth_130"] == "True"), name


def test_srsd_matches_reference(reference_dir):
    rows = {r["name"]: r for r in _rows(reference_dir / "srsd_feynman.csv")}
    for group in ("easy", "medium", "hard"):
        assert {n for n, r in rows.items() if r["group"] == group} == set(
            list_problems(f"srsd-{group}")
        )
    for name, row in rows.items():
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
