"""Draw one random law: an expression from the grammar, sampling ranges, the validity filter,
and deterministic redraws until a law passes.

Problem ``k`` of suite seed ``s`` draws everything from
``numpy.random.default_rng(SeedSequence([TAG, s, k]))``: it is the same law whatever the
suite's size, on any machine and under any hash seed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from srbench_lite.data.law_filter import (
    DEFAULT_FILTER,
    FilterSettings,
    Rejection,
    check_law,
    check_values,
    probe_blocks,
)
from srbench_lite.data.random_law_grammar import (
    DEFAULT_GRAMMAR,
    Grammar,
    draw_ranges,
    variable_names,
)
from srbench_lite.data.random_law_tree import draw_tree, evaluate_tree, print_formula, to_sympy
from srbench_lite.data.sampling import draw
from srbench_lite.data.tables import VariableSpec

#: first entropy word of every random law's seed sequence (a fixed tag: "RLAW")
TAG = 0x524C4157
#: expressions tried per law before giving up (the default grammar needs ~5 on average)
MAX_DRAWS = 2000
#: sampling ranges tried per expression when the first ones leave its domain
RANGE_TRIES = 3
#: rejections that another sampling range may cure
_DOMAIN_KINDS = frozenset({"undefined", "too_large", "spiky", "oscillating", "ill_conditioned"})


@dataclass(frozen=True)
class Law:
    """One accepted law: its truth, variables and sampling laws, and what it took to draw."""

    formula: str
    feature_names: tuple[str, ...]
    variables: tuple[VariableSpec, ...]
    draws: int  #: expressions drawn (1 = the first one passed)
    rejections: dict[str, int] = field(default_factory=dict, compare=False)


def law_rng(suite_seed: int, index: int) -> np.random.Generator:
    """The generator of law ``index`` of suite seed ``suite_seed``."""
    return np.random.default_rng(np.random.SeedSequence([TAG, int(suite_seed), int(index)]))


def _probe(variables: tuple[VariableSpec, ...], n: int, rng: np.random.Generator) -> np.ndarray:
    return np.column_stack([draw(v.law, v.low, v.high, n, rng) for v in variables])


def _roundtrip(expr: sp.Expr, names: tuple[str, ...]) -> str | None:
    """The printed truth, if the harness parses it back to the very same tree."""
    from srbench_lite.data.formula import parse_formula
    from srbench_lite.expr import ModelParseError

    text = print_formula(expr)
    try:
        return text if parse_formula(text, names) == expr else None
    except ModelParseError:
        return None


def draw_law(
    suite_seed: int,
    index: int,
    grammar: Grammar = DEFAULT_GRAMMAR,
    settings: FilterSettings = DEFAULT_FILTER,
) -> Law:
    """Law ``index`` of suite seed ``suite_seed``: draw expressions and ranges until one
    passes :func:`~srbench_lite.data.law_filter.check_law` (all from one seeded generator)."""
    rng = law_rng(suite_seed, index)
    rejections: Counter[str] = Counter()
    for attempt in range(1, MAX_DRAWS + 1):
        n_vars = grammar.draw_n_vars(rng)
        names = variable_names(n_vars)
        tree = draw_tree(grammar, n_vars, rng)
        if tree is None:
            rejections["too_deep"] += 1
            continue
        expr: sp.Expr | None = None
        verdict: Rejection | None = None
        for tries in range(RANGE_TRIES):
            variables = draw_ranges(grammar, names, rng, positive=tries > 0)
            X = _probe(variables, settings.probe_rows, rng)
            rows, n_edge = probe_blocks(X, variables, rng, settings.share_rows)  # tree first
            verdict = check_values(evaluate_tree(tree, rows), len(X), n_edge, names, settings)
            if verdict is None:
                if expr is None:
                    expr = to_sympy(tree, names, grammar.constants.digits)
                verdict = check_law(expr, variables, X, rng, settings)
            if verdict is None or verdict.kind not in _DOMAIN_KINDS:
                break
        if verdict is None:
            text = _roundtrip(expr, names)
            if text is not None:
                return Law(text, names, variables, attempt, dict(rejections))
            verdict = Rejection("unparsable", print_formula(expr))
        rejections[verdict.kind] += 1
    raise RuntimeError(
        f"random law {index} of seed {suite_seed}: no valid law in {MAX_DRAWS} draws "
        f"({dict(rejections)}); the grammar or the filter is too strict"
    )
