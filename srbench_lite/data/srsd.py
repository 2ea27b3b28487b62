"""SRSD-Feynman (Matsubara et al.): 120 problems in easy/medium/hard, plus dummy-column variants.

Each variable has SRSD's sampling law (``srbench_lite/datasets/srsd.csv``); 10,000 rows are
split 8000/1000/1000 train/val/test, and rows whose target is non-finite or outside the float32
range are redrawn (SRSD's validity filter). Three SRSD rows disagree between the reference
repository's data generator and its ground truth; we use the physically correct formula for
both data and truth (see the ``note`` column): feynman-i.34.14 and feynman-bonus.13 take the
stored ground truth, feynman-iii.9.52 takes the generator's (squared) formula.

Dummy variants (``srsd-*-dummy``) insert 1-3 irrelevant columns as SRSD's mixer does: the
count, positions and each dummy's law (log-uniform over two decades around 10**k,
k in [-32, 32], positive or ±) are fixed per problem (derived from its name), the values are
drawn with the user's seed. Features are renamed x0..x{n-1} as in SRSD, so a method cannot
tell a dummy by its name; the ground truth is re-indexed accordingly.
"""

from __future__ import annotations

import zlib

import numpy as np

from srbench_lite.data.formula import rename_features
from srbench_lite.data.problem import ProblemSpec
from srbench_lite.data.sampling import draw, draw_valid
from srbench_lite.data.suite import Suite
from srbench_lite.data.tables import parse_variables, read_table

GROUPS = ("easy", "medium", "hard")
DUMMY_SUFFIX = "-dummy"


def dummy_layout(name: str, n_inputs: int) -> list[tuple[int, str, float, float]]:
    """SRSD's dummy-column recipe, made deterministic from the problem name.

    Returns (position in the final column order, law, low, high) per dummy, positions sorted
    ascending. As SRSD: 1-3 dummies, each inserted at ``randint(0, n_inputs)`` (inclusive)
    of the original columns, original columns keep their relative order.
    """
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    n_dummy = int(rng.integers(1, 4))
    inserts = sorted((int(rng.integers(0, n_inputs + 1)) for _ in range(n_dummy)), reverse=True)
    laws = []
    for _ in range(n_dummy):
        k = int(rng.integers(-32, 33))
        law = "log_uniform_pm" if rng.random() < 0.5 else "log_uniform"
        laws.append((law, 10.0 ** (k - 1), 10.0 ** (k + 1)))
    # np.insert at descending positions of the original columns -> final positions
    order: list[object] = list(range(n_inputs))
    for i, pos in enumerate(inserts):
        order.insert(pos, ("dummy", i))
    layout = []
    for final_pos, item in enumerate(order):
        if isinstance(item, tuple):
            law, lo, hi = laws[item[1]]
            layout.append((final_pos, law, lo, hi))
    return layout


class SrsdSuite(Suite):
    default_n_samples = 10_000
    default_split = (0.8, 0.1, 0.1)

    def __init__(self, group: str, dummy: bool = False):
        if group not in GROUPS:
            raise ValueError(f"unknown SRSD group {group!r}")
        self.group, self.dummy = group, dummy
        self.name = f"srsd-{group}" + (DUMMY_SUFFIX if dummy else "")
        n = {"easy": 30, "medium": 40, "hard": 50}[group]
        self.description = f"SRSD-Feynman {group} set ({n} problems)" + (
            ", with 1-3 dummy columns" if dummy else ""
        )

    def specs(self) -> list[ProblemSpec]:
        out = []
        for row in read_table("srsd.csv"):
            if row["group"] != self.group:
                continue
            variables = parse_variables(row["variables"])
            names = tuple(v.name for v in variables)
            meta = {"group": row["group"], "feynman_id": row["feynman_id"], "note": row["note"],
                    "numeric_formula": row["numeric_formula"], "variables": variables}  # fmt: skip
            spec = ProblemSpec(row["name"], self.name, names, row["formula"], meta)
            out.append(self._with_dummies(spec) if self.dummy else spec)
        return out

    def _with_dummies(self, spec: ProblemSpec) -> ProblemSpec:
        layout = dummy_layout(spec.name, spec.n_features)
        n_total = spec.n_features + len(layout)
        dummy_pos = [pos for pos, *_ in layout]
        original_pos = [i for i in range(n_total) if i not in dummy_pos]
        new_names = tuple(f"x{i}" for i in range(n_total))
        renamed = [new_names[pos] for pos in original_pos]
        formula = rename_features(spec.formula, spec.feature_names, renamed)
        meta = dict(spec.meta)
        if spec.meta.get("numeric_formula"):
            numeric = spec.meta["numeric_formula"]
            meta["numeric_formula"] = rename_features(numeric, spec.feature_names, renamed)
        meta.update(
            original_name=spec.name,
            original_feature_names=spec.feature_names,
            original_formula=spec.formula,
            original_numeric_formula=spec.meta.get("numeric_formula", ""),
            original_columns=original_pos,
            dummy_columns=dummy_pos,
            dummy_layout=layout,
        )
        return ProblemSpec(spec.name + DUMMY_SUFFIX, self.name, new_names, formula, meta)

    def sample(self, spec: ProblemSpec, n: int, rng: np.random.Generator):
        if not self.dummy:
            return draw_valid(spec, spec.meta["variables"], n, rng, float32_range=True)
        # the target is computed on the original columns with the original formula
        base = ProblemSpec(spec.meta["original_name"], spec.suite,
                           spec.meta["original_feature_names"], spec.meta["original_formula"],
                           {"numeric_formula": spec.meta["original_numeric_formula"]})  # fmt: skip
        X0, y = draw_valid(base, spec.meta["variables"], n, rng, float32_range=True)
        X = np.empty((n, spec.n_features))
        X[:, spec.meta["original_columns"]] = X0
        for pos, law, lo, hi in spec.meta["dummy_layout"]:
            X[:, pos] = draw(law, lo, hi, n, rng)
        return X, y


SRSD_EASY, SRSD_MEDIUM, SRSD_HARD = (SrsdSuite(g) for g in GROUPS)
SRSD_EASY_DUMMY, SRSD_MEDIUM_DUMMY, SRSD_HARD_DUMMY = (SrsdSuite(g, dummy=True) for g in GROUPS)
