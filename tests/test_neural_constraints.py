"""DSR constraints of the neural engine, checked against an independent tree walk.

The :class:`TreeState` tests drive the state machine with uniformly random allowed tokens and
need no torch; the policy test samples from the (untrained) LSTM.
"""

from __future__ import annotations

import numpy as np
import pytest

from srbench_lite.engines.common.tokens import ARITY, CONST, subtrees, validate
from srbench_lite.engines.neural.constraints import ConstraintConfig, TreeState
from srbench_lite.engines.neural.library import INVERSE_PAIRS, TRIG, TokenLibrary


def violations(tokens: tuple[str, ...], cfg: ConstraintConfig) -> list[str]:
    """Every constraint ``tokens`` breaks, found by walking the tree (no TreeState code)."""
    out = []
    validate(tokens)
    if not cfg.min_length <= len(tokens) <= cfg.max_length:
        out.append(f"length {len(tokens)}")
    if tokens.count(CONST) > cfg.max_constants:
        out.append("too many constants")
    spans = subtrees(tokens)
    parent = [None] * len(tokens)
    for i, (s, e) in enumerate(spans):
        j = s + 1
        while j < e:  # children of node i
            parent[j] = i
            j = spans[j][1]
    for i, tok in enumerate(tokens):
        anc = []
        p = parent[i]
        while p is not None:
            anc.append(tokens[p])
            p = parent[p]
        if anc and ARITY.get(anc[0]) == 1 and (anc[0], tok) in INVERSE_PAIRS:
            out.append(f"inverse {anc[0]}({tok})")
        if tok in TRIG and any(a in TRIG for a in anc):
            out.append(f"nested trig {tok}")
        if tok in cfg.no_self_nesting and tok in anc:
            out.append(f"nested {tok}")
        s, e = spans[i]
        if ARITY.get(tok, 0) and not any(t.startswith("x") for t in tokens[s:e]):
            out.append(f"constant-only subtree at {i}")
    return out


def drive(lib: TokenLibrary, cfg: ConstraintConfig, n: int, seed: int) -> list[tuple[str, ...]]:
    """Sample ``n`` sequences uniformly among the allowed tokens at every step."""
    rng = np.random.default_rng(seed)
    state = TreeState(lib, cfg, n)
    seqs = [[] for _ in range(n)]
    while not state.done.all():
        ok = state.allowed()
        assert ok.any(axis=1).all()
        u = rng.random(ok.shape) * ok
        tok = u.argmax(axis=1)
        for i in np.flatnonzero(~state.done):
            seqs[i].append(lib.names[tok[i]])
        state.advance(tok)
    return [tuple(s) for s in seqs]


@pytest.mark.parametrize(
    "cfg",
    [
        ConstraintConfig(),
        ConstraintConfig(max_length=8, min_length=4, max_constants=1),
        ConstraintConfig(max_length=15, max_constants=0, no_self_nesting=("exp", "log", "sqrt")),
    ],
)
def test_uniform_samples_satisfy_every_constraint(cfg):
    ops = ("add", "sub", "mul", "div", "sin", "cos", "tan", "exp", "log", "sqrt", "square", "inv")
    lib = TokenLibrary.build(2, ops)
    seqs = drive(lib, cfg, 400, seed=1)
    bad = {s: v for s in seqs if (v := violations(s, cfg))}
    assert not bad, list(bad.items())[:3]
    assert max(len(s) for s in seqs) > cfg.max_length // 2  # the bound is reached, not avoided


def test_rarer_operators_join_the_constraints():
    ops = ("add", "mul", "div", "sin", "tanh", "atan", "sinh", "cosh", "cube", "cbrt", "asin")
    lib = TokenLibrary.build(2, ops)
    cfg = ConstraintConfig()
    seqs = drive(lib, cfg, 400, seed=2)
    assert not [s for s in seqs if violations(s, cfg)]
    assert {"atan", "sinh", "cosh", "cbrt"} <= {t for s in seqs for t in s}
    assert ("cube", "cbrt") in INVERSE_PAIRS and {"atan", "sinh", "cosh"} <= TRIG


def test_parent_and_sibling_inputs_follow_the_tree():
    lib = TokenLibrary.build(2, ("add", "sin"))
    state = TreeState(lib, ConstraintConfig(length_loc=None), 1)
    seq = ["add", "sin", "x0", "x1"]  # add(sin(x0), x1)
    seen = []
    for tok in seq:
        par, sib = state.inputs()
        seen.append(
            (
                lib.names[par[0]] if par[0] < lib.n_tokens else "-",
                lib.names[sib[0]] if sib[0] < lib.n_tokens else "-",
            )
        )
        state.advance(np.array([lib.index(tok)]))
    # the right child x1 of add has parent add and sibling sin (the left child's root)
    assert seen == [("-", "-"), ("add", "-"), ("sin", "-"), ("add", "sin")]
    assert state.done.all() and state.lengths[0] == 4


def test_soft_length_prior_discourages_early_end_and_long_growth():
    lib = TokenLibrary.build(1, ("add", "sin"))
    state = TreeState(lib, ConstraintConfig(length_loc=4, length_scale=2), 1)
    first = state.prior()[0]
    assert first[lib.index("x0")] < 0 and first[lib.index("add")] == 0
    for tok in ("sin", "sin", "sin", "sin"):
        state.advance(np.array([lib.index(tok)]))
    late = state.prior()[0]  # the 5th token would exceed the preferred length
    assert late[lib.index("add")] < 0 and late[lib.index("x0")] == 0


def test_library_rejects_unknown_operators():
    with pytest.raises(ValueError, match="unknown operator"):
        TokenLibrary.build(2, ("add", "frobnicate"))
    with pytest.raises(ValueError, match="min_length"):
        ConstraintConfig(max_length=5, min_length=6)


def test_policy_samples_satisfy_constraints():
    pytest.importorskip("torch")
    from srbench_lite.engines.neural.policy import Policy

    cfg = ConstraintConfig(max_length=12, max_constants=2)
    lib = TokenLibrary.build(3)
    batch = Policy(lib.n_tokens).sample(500, lib, cfg, np.random.default_rng(0))
    seqs = [lib.decode(s) for s in batch.sequences()]
    assert all(not violations(s, cfg) for s in seqs)
    assert len(set(seqs)) > 100
