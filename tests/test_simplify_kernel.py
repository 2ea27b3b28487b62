"""The compiled token simplifier (``simplify_kernel``) against the Python rules it compiles."""

from __future__ import annotations

import numpy as np
import pytest

from srbench_lite.engines.common.batch import use_backend
from srbench_lite.engines.common.rules import Simplifier, simplify_tokens
from srbench_lite.engines.common.simplify_many import (
    BatchSimplifier,
    _compiled,
    _origin,
    simplify_all,
)
from srbench_lite.engines.gp.regressor import DEFAULT_OPERATORS
from srbench_lite.engines.gp.variation import (
    OperatorSet,
    as_random,
    crossover,
    mutate,
    random_tree,
)

pytest.importorskip("numba")

#: every operator, and literals that fold (0, 1, -1, 1/3, pi) and that do not
_LITERALS = ("1", "2", "0.5", "-1", "pi", "0", "3", "0.3333333333333333", "8", "-8", "1.7")


def _stream(seed: int, n: int, n_features: int = 3):
    """Programs as a search makes them: random trees, mutated and crossed over."""
    rng = as_random(np.random.default_rng(seed))
    ops = OperatorSet.build(DEFAULT_OPERATORS + ("tan", "abs"), n_features)
    ops = OperatorSet(
        ops.binary, ops.binary_cw, ops.unary, ops.unary_cw, n_features, _LITERALS, 0.4, 0.3
    )
    pop = [random_tree(rng, ops, 3) for _ in range(40)]
    out = []
    for _ in range(n):
        a = pop[rng.randrange(len(pop))]
        if rng.random() < 0.1:
            t, c = crossover(rng, a, pop[rng.randrange(len(pop))])
        else:
            t, c = mutate(rng, ops, *a)
        if len(t) <= 45:
            pop[rng.randrange(len(pop))] = (t, c)
        out.append((t, np.asarray(c, dtype=np.float64)))
    return out


@pytest.mark.parametrize("strip", [False, True])
def test_compiled_rules_give_the_python_rules_tokens_and_constant_bits(strip):
    progs = _stream(3, 6000)
    # constants that meet the value-dependent rules: zero, negative, non-finite
    special = [0.0, -1.5, np.nan, np.inf] * 150
    progs += [
        (t, np.where(np.arange(len(c)) % 3 == 0, v, c))
        for (t, c), v in zip(progs[:600], special, strict=True)
    ]
    with use_backend("numba"):
        got = simplify_all([t for t, _ in progs], [c for _, c in progs], strip_scaling=strip)
    for (t, c), (gt, gc) in zip(progs, got, strict=True):
        wt, wc = simplify_tokens(t, c, strip_scaling=strip)
        assert gt == wt, t
        assert gc.tobytes() == wc.tobytes(), t


def test_compiled_rules_on_named_rewrites():
    cases = {
        ("cube", "cbrt", "x0"): ("x0",),
        ("pow", "x0", "0.3333333333333333"): ("cbrt", "x0"),
        ("abs", "cosh", "x0"): ("cosh", "x0"),
        ("abs", "sinh", "x0"): ("abs", "sinh", "x0"),
        ("sqrt", "square", "x1"): ("abs", "x1"),
        ("mul", "x1", "x0"): ("mul", "x0", "x1"),
        ("sub", "x0", "x0"): ("0",),
        ("div", "add", "x0", "1", "add", "1", "x0"): ("1",),
        ("add", "mul", "2", "3", "x0"): ("add", "6", "x0"),
        ("mul", "sqrt", "2", "x0"): ("mul", "c", "x0"),  # sqrt(2) is not a nice literal
        ("cbrt", "8"): ("2",),  # a cube root folded: left to Python
        ("cbrt", "-8"): ("cbrt", "-8"),
        ("sinh", "1000"): ("sinh", "1000"),
        ("x10",): ("x10",),
    }
    progs = list(cases)
    with use_backend("numba"):
        got = simplify_all(progs, [[]] * len(progs))
    assert {p: g[0] for p, g in zip(progs, got, strict=True)} == cases
    assert got[9][1].tolist() == [np.sqrt(2.0)]


@pytest.mark.parametrize("strip", [False, True])
def test_batch_simplifier_matches_the_python_simplifier_call_for_call(strip):
    # the same stream through many() and through the Python Simplifier one at a time: the same
    # outputs (replays of remembered rewrites included) and the same rewrites remembered
    stream = _stream(11, 9000)
    batched, single = BatchSimplifier(strip), Simplifier(strip)
    with use_backend("numba"):
        for i in range(0, len(stream), 45):
            part = [(t, c * 1.1) for t, c in stream[i : i + 45]] + stream[i : i + 45]
            got = batched.many([t for t, _ in part], [c for _, c in part])
            for (t, c), (gt, gc) in zip(part, got, strict=True):
                wt, wc = single(t, c)
                assert gt == wt
                assert gc.tobytes() == wc.tobytes()
    assert batched.python._plans == single._plans
    assert len(single._plans) > 1000


def test_numpy_backend_takes_the_python_rules():
    stream = _stream(2, 300)
    with use_backend("numpy"):
        got = BatchSimplifier(True).many([t for t, _ in stream], [c for _, c in stream])
        fresh = simplify_all([t for t, _ in stream], [c for _, c in stream], strip_scaling=True)
    want = [simplify_tokens(t, c, strip_scaling=True) for t, c in stream]
    assert [g[0] for g in fresh] == [w[0] for w in want]
    assert len(got) == len(stream)


def test_origin_codes_read_as_the_python_rules_origins():
    assert _origin(3 * 64 + 1) == 3
    assert _origin(0 * 64 + 0b10) == ("neg", 0)
    assert _origin(2 * 64 + 0b11) == ("inv", 2)
    assert _origin(1 * 64 + 0b110) == ("neg", ("inv", 1))  # 1/v first, then negated
    memory = Simplifier()
    with use_backend("numba"):
        _compiled([("sub", "x0", "c"), ("div", "x0", "c")], [[2.0], [4.0]], False, memory)
    assert memory._plans[("sub", "x0", "c")] == (("add", "c", "x0"), (("neg", 0),))
    assert memory._plans[("div", "x0", "c")] == (("mul", "c", "x0"), (("inv", 0),))
