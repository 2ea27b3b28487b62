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

``random-law:seed=S,n=N,rows=R`` is the small-data variant (Nguyen/Keijzer-style benchmarks
train on 20 rows): the same laws (law ``k`` has the same formula and variable ranges), drawn,
shuffled and split by the same seeded machinery, but with at most ``R`` training rows instead
of 10,000 (exactly ``R`` with the default ``n_samples``) and the same 25,000-row test split, a
separate, larger sample from the same ranges. Its problems are ``randlaw_s<S>_r<R>_<k>``
(``randlaw_s7_r20_042``), so the name alone fixes the rows too. Without ``rows`` every name and
array is as before.
"""

from __future__ import annotations

import dataclasses
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
    "rows": Parameter(None, 10, 10_000, "training rows per problem (small-data variant)"),
}
_PROBLEM = re.compile(r"randlaw_s(0|[1-9][0-9]*)(?:_r([1-9][0-9]*))?_([0-9]{3,})\Z")


def problem_name(seed: int, index: int, rows: int | None = None) -> str:
    """The name of law ``index`` of suite seed ``seed``: ``randlaw_s7_042``; with ``rows``
    training rows (the small-data variant): ``randlaw_s7_r20_042``."""
    if rows is None:
        return f"randlaw_s{seed}_{index:03d}"
    return f"randlaw_s{seed}_r{rows}_{index:03d}"


def parse_problem_name(name: str) -> tuple[int, int, int | None] | None:
    """``(seed, index, rows)`` of a random-law problem name (``rows`` None without ``_r<R>``),
    or None if ``name`` is not one."""
    match = _PROBLEM.match(name)
    if not match:
        return None
    seed, index = int(match[1]), int(match[3])
    rows = int(match[2]) if match[2] is not None else None
    if problem_name(seed, index, rows) != name or seed > PARAMETERS["seed"].maximum:
        return None
    if index >= PARAMETERS["n"].maximum:
        return None
    if rows is not None and not PARAMETERS["rows"].minimum <= rows <= PARAMETERS["rows"].maximum:
        return None
    return seed, index, rows


@lru_cache(maxsize=4096)
def law_spec(seed: int, index: int, rows: int | None = None) -> ProblemSpec:
    """The problem of law ``index`` of suite seed ``seed`` (cached); with ``rows``, its
    small-data variant: the same law under its own name and suite."""
    if rows is not None:
        base = law_spec(seed, index)
        meta = {**base.meta, "train_rows": rows,
                "description": f"{base.meta['description']}, {rows} training rows"}  # fmt: skip
        return dataclasses.replace(
            base, name=problem_name(seed, index, rows), suite=f"{FAMILY}:seed={seed},rows={rows}",
            meta=meta,
        )  # fmt: skip
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
    """The first ``n`` laws of suite seed ``seed`` (named ``random-law:seed=S,n=N``); with
    ``rows``, at most ``rows`` training rows per problem (``random-law:seed=S,n=N,rows=R``)."""

    def __init__(self, seed: int, n: int, rows: int | None = None):
        self.seed, self.n, self.rows = seed, n, rows
        self.name = f"{FAMILY}:seed={seed},n={n}"
        self.description = f"{n} random laws of suite seed {seed}"
        if rows is not None:
            self.name += f",rows={rows}"
            self.description += f", {rows} training rows each"
            self.max_train = rows  # the rest as the default: 100,000 rows, 25,000 test rows
        self._specs: list[ProblemSpec] | None = None

    def specs(self) -> list[ProblemSpec]:
        if self._specs is None:
            self._specs = [law_spec(self.seed, k, self.rows) for k in range(self.n)]
        return list(self._specs)


class RandomLaws(ParametricSuite, _RandomLawRows):
    """The ``random-law`` family: a suite per (seed, n[, rows])."""

    name = FAMILY
    parameters = PARAMETERS
    description = (
        "seeded random laws, fresh problems no method was tuned on (default seed 0, 100 laws; "
        "random-law:seed=S,n=N[,rows=R] or --suite-seed S; rows=R: R training rows each)"
    )

    def make(self, **values: int | None) -> Suite:
        return RandomLawSuite(values["seed"], values["n"], values["rows"])

    def find_problem(self, name: str) -> tuple[Suite, ProblemSpec] | None:
        parsed = parse_problem_name(name)
        if parsed is None:
            return None
        seed, index, rows = parsed
        params = {"seed": str(seed)} if rows is None else {"seed": str(seed), "rows": str(rows)}
        return self.with_params(params), law_spec(seed, index, rows)


RANDOM_LAW = RandomLaws()
