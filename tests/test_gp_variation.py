"""GP variation operators, the power-law pass and the cheap simplification rules."""

from __future__ import annotations

import numpy as np

from srbench_lite.engines.common import columns, evaluate, n_constants, validate
from srbench_lite.engines.common.rules import Simplifier, simplify_tokens
from srbench_lite.engines.gp.monomial import monomial_candidates, monomial_tokens
from srbench_lite.engines.gp.regressor import DEFAULT_OPERATORS
from srbench_lite.engines.gp.variation import (
    OperatorSet,
    as_random,
    crossover,
    mutate,
    random_tree,
)


def test_mutations_and_crossover_keep_trees_and_constants_consistent():
    rng = as_random(np.random.default_rng(0))
    ops = OperatorSet.build(DEFAULT_OPERATORS, 3)
    pop = [random_tree(rng, ops, 3) for _ in range(30)]
    for _ in range(2000):
        a = pop[rng.randrange(len(pop))]
        if rng.random() < 0.2:
            t, c = crossover(rng, a, pop[rng.randrange(len(pop))])
        else:
            t, c = mutate(rng, ops, *a)
        validate(t, 3)
        assert n_constants(t) == len(c)
        if len(t) < 40:
            pop[rng.randrange(len(pop))] = (t, c)


def test_simplifier_replays_rewrites_on_new_constants():
    rng = as_random(np.random.default_rng(5))
    ops = OperatorSet.build(DEFAULT_OPERATORS, 3)
    X = np.random.default_rng(6).uniform(0.5, 2.0, size=(30, 3))
    cols = columns(X)
    memo = Simplifier(strip_scaling=False)
    checked = 0
    for _ in range(500):
        t, c = random_tree(rng, ops, 4)
        for scale in (1.0, 1.37):  # the second call replays the first one's rewrite
            cs = np.asarray(c) * scale
            want, got = simplify_tokens(t, cs), memo(t, cs)
            before = evaluate(t, cols, cs)
            after = evaluate(got[0], cols, got[1])
            if before is not None and after is not None:
                np.testing.assert_allclose(after, before, rtol=1e-9, atol=1e-9)
                checked += 1
            if got[0] == want[0]:
                np.testing.assert_allclose(got[1], want[1])
    assert checked > 300


def test_simplifier_memo_gives_exactly_what_simplify_tokens_gives():
    # the Simplifier reuses rewrites of constant-free subtrees across calls: outputs must be
    # the same tokens and constant bits as without that memo (and, where no rewrite was
    # replayed on new constant values, as a fresh simplification)
    rng = as_random(np.random.default_rng(21))
    ops = OperatorSet.build(DEFAULT_OPERATORS, 3)
    for strip in (False, True):
        simplify = Simplifier(strip_scaling=strip)
        plain = Simplifier(strip_scaling=strip, subtree_memo=False)
        pop = [random_tree(rng, ops, 3) for _ in range(40)]
        for _ in range(3000):
            t, c = mutate(rng, ops, *pop[rng.randrange(len(pop))])
            if len(t) <= 40:
                pop[rng.randrange(len(pop))] = (t, c)
            same = t in plain._plans  # a rewrite replayed (folding may depend on the values)
            cs = np.asarray(c, dtype=np.float64)
            want_t, want_c = plain(t, cs)
            got_t, got_c = simplify(t, cs)
            assert got_t == want_t
            assert got_c.tobytes() == want_c.tobytes()
            if not same:
                fresh_t, fresh_c = simplify_tokens(t, c, strip_scaling=strip)
                assert (got_t, got_c.tobytes()) == (fresh_t, fresh_c.tobytes())
        assert len(simplify._memo) > 100  # the memo was used


def test_simplify_tokens_preserves_values_and_canonicalises():
    rng = as_random(np.random.default_rng(1))
    ops = OperatorSet.build(DEFAULT_OPERATORS, 2)
    X = np.random.default_rng(7).uniform(0.5, 2.0, size=(50, 2))
    cols = columns(X)
    for _ in range(300):
        t, c = random_tree(rng, ops, 4)
        before = evaluate(t, cols, c)
        st, sc = simplify_tokens(t, c)
        validate(st)
        assert len(st) <= len(t)
        if before is None:
            continue
        after = evaluate(st, cols, sc)
        if after is not None:
            np.testing.assert_allclose(after, before, rtol=1e-9, atol=1e-9)
    assert simplify_tokens(("mul", "x1", "x0"))[0] == simplify_tokens(("mul", "x0", "x1"))[0]
    assert simplify_tokens(("mul", "c", "mul", "c", "x0"), [2.0, 3.0])[1].tolist() == [6.0]
    # what a linear scaling absorbs is stripped at the root
    assert simplify_tokens(("add", "c", "mul", "c", "x0"), [1.0, 2.0], strip_scaling=True)[0] == (
        "x0",
    )


def test_power_law_pass_finds_monomials():
    rng = np.random.default_rng(2)
    X = rng.uniform(1, 5, size=(400, 4))
    y = 0.7 * X[:, 0] * X[:, 1] ** 2 / (X[:, 3] * np.sqrt(X[:, 2]))
    best = monomial_candidates(columns(X), y)[0]
    assert best[0] < 1e-20
    assert best[1] == monomial_tokens(np.array([1, 2, -0.5, -1]))
    assert monomial_candidates(columns(X), y * (X[:, 0] > 2)) == []  # zeros: no log


def test_simplified_children_keep_their_scaled_loss():
    """The search rescores only the simplified children its hall of fame may take: stripping the
    scaling and the other rewrites must leave the scaled loss unchanged (to rounding)."""
    from srbench_lite.engines.common.batch import Data, score_many, values_many

    rng = as_random(np.random.default_rng(11))
    ops = OperatorSet.build(DEFAULT_OPERATORS, 3)
    X = np.random.default_rng(12).uniform(0.5, 3.0, size=(100, 3))
    data = Data.from_xy(X, X[:, 0] * np.exp(-X[:, 1]) / X[:, 2])
    simplify = Simplifier(strip_scaling=True)
    pop = [random_tree(rng, ops, 3) for _ in range(40)]
    children = []
    for _ in range(1500):
        t, c = mutate(rng, ops, *pop[rng.randrange(len(pop))])
        if len(t) <= 35:
            pop[rng.randrange(len(pop))] = (t, c)
            children.append((t, np.asarray(c, dtype=np.float64)))
    simple = [simplify(t, c) for t, c in children]
    before = score_many([t for t, _ in children], [c for _, c in children], data).loss
    after = score_many([t for t, _ in simple], [c for _, c in simple], data).loss
    fin = np.isfinite(before)
    # a term lost to float64 rounding (``cosh(62) + c/x2`` is constant in float64) comes back
    # when folding strips the huge constant: such children are numerically constant before
    values, _ = values_many([t for t, _ in children], [c for _, c in children], data)
    with np.errstate(all="ignore"):
        fin &= ~(np.ptp(values, axis=1) <= 1e-9 * np.max(np.abs(values), axis=1))
    changed = sum(s[0] != t for s, (t, _) in zip(simple, children, strict=True))
    assert fin.sum() > 800 and changed > 300  # asin, acos, cbrt ... out of their domains: inf
    assert np.isfinite(after[fin]).all()
    # (1e-5: the sine of ~1e9, ``sin(cosh(x1*x2**2/c)*log(x0))``, moves by 1e-6 when a product
    # is reordered; a wrong rewrite moves a loss by far more)
    np.testing.assert_allclose(after[fin], before[fin], rtol=1e-5, atol=1e-24)
