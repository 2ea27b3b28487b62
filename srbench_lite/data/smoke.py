"""Tiny problems for tests and quick demos (``datasets/smoke.csv``): 200 rows, 75/25 split."""

from __future__ import annotations

import numpy as np

from srbench_lite.data.feynman import draw_valid
from srbench_lite.data.problem import ProblemSpec
from srbench_lite.data.suite import Suite
from srbench_lite.data.tables import parse_variables, read_table


class SmokeSuite(Suite):
    name = "smoke"
    description = "4 tiny problems for tests and quick demos"
    default_n_samples = 200
    default_split = (0.75, 0.0, 0.25)

    def specs(self) -> list[ProblemSpec]:
        out = []
        for row in read_table("smoke.csv"):
            variables = parse_variables(row["variables"])
            meta = {"description": row["description"], "variables": variables}
            names = tuple(v.name for v in variables)
            out.append(ProblemSpec(row["name"], self.name, names, row["formula"], meta))
        return out

    def sample(self, spec: ProblemSpec, n: int, rng: np.random.Generator):
        return draw_valid(spec, spec.meta["variables"], n, rng)
