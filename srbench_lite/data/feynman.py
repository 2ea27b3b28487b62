"""The Feynman suite: AI Feynman's 100 equations + 20 bonus, named as in SRBench/PMLB.

Inputs are drawn uniformly from AI Feynman's ranges (``datasets/feynman.csv``). Defaults
follow SRBench: 100,000 rows (the size of the PMLB files), a shuffled 75/25 train/test split,
training rows capped at 10,000. ``feynman-srbench`` is the 116 problems SRBench evaluated
(PMLB has 119 of the 120; SRBench dropped feynman_I_26_2, feynman_I_30_5 and feynman_test_10).
"""

from __future__ import annotations

import numpy as np

from srbench_lite.data.formula import evaluate_formula
from srbench_lite.data.problem import ProblemSpec
from srbench_lite.data.sampling import draw
from srbench_lite.data.suite import Suite
from srbench_lite.data.tables import VariableSpec, parse_variables, read_table


def numeric_formula(spec: ProblemSpec) -> str:
    """The formula used to compute targets: the table's ``numeric_formula`` when it gives one.

    That column holds a mathematically identical form that float64 evaluates without
    catastrophic cancellation (e.g. ``1 - cos(x)`` as ``2*sin(x/2)**2`` for x ~ 1e-9),
    so targets are accurate where the literal formula would round to 0.
    """
    return spec.meta.get("numeric_formula") or spec.formula


def draw_valid(
    spec: ProblemSpec,
    variables: tuple[VariableSpec, ...],
    n: int,
    rng: np.random.Generator,
    *,
    float32_range: bool = False,
    patience: int = 10,
) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``n`` rows whose target is finite, redrawing rejected rows (SRSD's filter).

    With ``float32_range`` a row is also rejected when |y| is outside
    [float32 tiny, float32 max], as SRSD's generator does. SRSD redraws twice the missing
    count per round; we size each redraw by the acceptance rate seen so far (so a problem
    like feynman-ii.24.17, where ~87 % of raw draws are invalid, converges in a few rounds).
    After ``patience`` rounds a ``RuntimeError`` names the problem.
    """
    info = np.finfo(np.float32)
    kept_X, kept_y, missing = [], [], n
    drawn = accepted = 0
    m = n
    for _ in range(patience + 1):
        X = np.column_stack([draw(v.law, v.low, v.high, m, rng) for v in variables])
        y = evaluate_formula(numeric_formula(spec), spec.feature_names, X)
        ok = np.isfinite(y)
        if float32_range:
            ok &= (np.abs(y) <= info.max) & (np.abs(y) >= info.tiny)
        kept_X.append(X[ok])
        kept_y.append(y[ok])
        drawn, accepted = drawn + m, accepted + int(ok.sum())
        missing -= int(ok.sum())
        if missing <= 0:
            break
        rate = max(accepted / drawn, 1e-3)
        m = min(int(np.ceil(1.2 * missing / rate)) + 16, 50 * n + 1000)
    else:
        raise RuntimeError(f"{spec.name}: could not draw {n} valid rows in {patience} rounds")
    return np.concatenate(kept_X)[:n], np.concatenate(kept_y)[:n]


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
