"""The random-law suite: seeded, freshly drawn ground-truth laws no method can have been tuned on.

``random-law:seed=S,n=N`` is the suite of the first ``N`` laws of suite seed ``S`` (defaults:
seed 0, 100 laws; ``--suite random-law --suite-seed S`` on the command line). Law ``k`` of
seed ``S`` is the problem ``randlaw_s<S>_<k>`` (``k`` from 0, at least three digits:
``randlaw_s7_042``), drawn from its own generator seeded with ``(S, k)``
(:func:`srbench_lite.data.random_law_draw.law_rng`): it is the same law whatever ``N``, on any
machine, and ``load_problem("randlaw_s7_042")`` rebuilds it from the name alone.

Each law is an expression of the grammar of :mod:`srbench_lite.data.random_law_grammar`
(calibrated on the bundled tables' shape statistics) over ``x1 .. xk`` with a sampling law per
variable, kept only if it passes the validity filter of :mod:`srbench_lite.data.law_filter`;
rejected draws are redrawn from the same generator. Rows are drawn as for the Feynman suite
(SRBench): 100,000 i.i.d. rows (a row with a non-finite target is redrawn), a shuffled 75/25
train/test split, at most 10,000 training rows; ``load_problem(noise=...)`` adds SRBench's
noise. See ``docs/random_laws.md``.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

from srbench_lite.data.problem import ProblemSpec
from srbench_lite.data.random_law_draw import draw_law
from srbench_lite.data.sampling import draw_valid
from srbench_lite.data.suite import Suite
from srbench_lite.data.suite_params import Parameter, ParametricSuite

FAMILY = "random-law"
PARAMETERS = {
    "seed": Parameter(0, 0, 2**32 - 1, "the suite seed: a new seed is a new benchmark"),
    "n": Parameter(100, 1, 10_000, "the number of laws"),
}
_PROBLEM = re.compile(r"randlaw_s(0|[1-9][0-9]*)_([0-9]{3,})\Z")


def problem_name(seed: int, index: int) -> str:
    """The name of law ``index`` of suite seed ``seed``: ``randlaw_s7_042``."""
    return f"randlaw_s{seed}_{index:03d}"


def parse_problem_name(name: str) -> tuple[int, int] | None:
    """``(seed, index)`` of a random-law problem name, or None if ``name`` is not one."""
    match = _PROBLEM.match(name)
    if not match:
        return None
    seed, index = int(match[1]), int(match[2])
    if problem_name(seed, index) != name or seed > PARAMETERS["seed"].maximum:
        return None
    if index >= PARAMETERS["n"].maximum:
        return None
    return seed, index


@lru_cache(maxsize=4096)
def law_spec(seed: int, index: int) -> ProblemSpec:
    """The problem of law ``index`` of suite seed ``seed`` (cached)."""
    law = draw_law(seed, index)
    meta = {
        "variables": law.variables,
        "suite_seed": seed,
        "index": index,
        "draws": law.draws,
        "description": f"random law {index} of suite seed {seed}",
    }
    return ProblemSpec(
        problem_name(seed, index), f"{FAMILY}:seed={seed}", law.feature_names, law.formula, meta
    )


class _RandomLawRows(Suite):
    """How a random law's rows are drawn and split: as the Feynman suite (SRBench)."""

    default_n_samples = 100_000
    default_split = (0.75, 0.0, 0.25)
    max_train = 10_000

    def sample(self, spec: ProblemSpec, n: int, rng: np.random.Generator):
        return draw_valid(spec, spec.meta["variables"], n, rng)


class RandomLawSuite(_RandomLawRows):
    """The first ``n`` laws of suite seed ``seed`` (named ``random-law:seed=S,n=N``)."""

    def __init__(self, seed: int, n: int):
        self.seed, self.n = seed, n
        self.name = f"{FAMILY}:seed={seed},n={n}"
        self.description = f"{n} random laws of suite seed {seed}"
        self._specs: list[ProblemSpec] | None = None

    def specs(self) -> list[ProblemSpec]:
        if self._specs is None:
            self._specs = [law_spec(self.seed, k) for k in range(self.n)]
        return list(self._specs)


class RandomLaws(ParametricSuite, _RandomLawRows):
    """The ``random-law`` family: a suite per (seed, n)."""

    name = FAMILY
    parameters = PARAMETERS
    description = (
        "seeded random laws, fresh problems no method was tuned on (default seed 0, 100 laws; "
        "random-law:seed=S,n=N or --suite-seed S)"
    )

    def make(self, **values: int) -> Suite:
        return RandomLawSuite(values["seed"], values["n"])

    def find_problem(self, name: str) -> tuple[Suite, ProblemSpec] | None:
        parsed = parse_problem_name(name)
        if parsed is None:
            return None
        seed, index = parsed
        return self.with_params({"seed": str(seed)}), law_spec(seed, index)


RANDOM_LAW = RandomLaws()
