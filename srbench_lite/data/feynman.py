"""The Feynman suite: AI Feynman's 100 equations + 20 bonus, named as in SRBench/PMLB.

Inputs are drawn uniformly from AI Feynman's ranges (``srbench_lite/datasets/feynman.csv``).
Defaults follow SRBench: 100,000 rows (the size of the PMLB files), a shuffled 75/25 train/test split,
training rows capped at 10,000. ``feynman-srbench`` is the 116 problems SRBench evaluated
(PMLB has 119 of the 120; SRBench dropped feynman_I_26_2, feynman_I_30_5 and feynman_test_10).
"""

from __future__ import annotations

import numpy as np

from srbench_lite.data.problem import ProblemSpec
from srbench_lite.data.sampling import draw_valid
from srbench_lite.data.suite import Suite
from srbench_lite.data.tables import parse_variables, read_table


class FeynmanSuite(Suite):
    default_n_samples = 100_000
    default_split = (0.75, 0.0, 0.25)
    max_train = 10_000

    def __init__(self, srbench_only: bool = False):
        self.srbench_only = srbench_only
        self.name = "feynman-srbench" if srbench_only else "feynman"
        self.description = (
            "the 116 Feynman problems SRBench evaluated"
            if srbench_only
            else "AI Feynman: 100 equations + 20 bonus (SRBench/PMLB names), uniform ranges"
        )

    def specs(self) -> list[ProblemSpec]:
        out = []
        for row in read_table("feynman.csv"):
            if self.srbench_only and row["srbench"] != "True":
                continue
            variables = parse_variables(row["variables"])
            meta = {
                "equation": row["equation"],
                "source": row["source"],
                "description": row["description"],
                "output": row["output"],
                "in_pmlb": row["in_pmlb"] == "True",
                "srbench": row["srbench"] == "True",
                "srsd_name": row["srsd_name"],
                "variables": variables,
            }
            names = tuple(v.name for v in variables)
            out.append(ProblemSpec(row["name"], "feynman", names, row["formula"], meta))
        return out

    def sample(self, spec: ProblemSpec, n: int, rng: np.random.Generator):
        return draw_valid(spec, spec.meta["variables"], n, rng)


FEYNMAN = FeynmanSuite()
FEYNMAN_SRBENCH = FeynmanSuite(srbench_only=True)
