"""GP seeded by policy samples, and the finishing stage's token-level tidying."""

from __future__ import annotations

import numpy as np

from srbench_lite.engines.common import columns, evaluate
from srbench_lite.engines.common.tidy import linearise, prune_negligible
from srbench_lite.engines.neural.constraints import ConstraintConfig, replay
from srbench_lite.engines.neural.gp_meld import GPMeld
from srbench_lite.engines.neural.library import TokenLibrary
from srbench_lite.engines.neural.reward import RewardCache


def test_gp_meld_improves_on_its_seeds_and_stays_in_the_policy_space():
    rng = np.random.default_rng(0)
    X = rng.uniform(0.5, 2.0, (200, 2))
    y = X[:, 0] ** 2 * X[:, 1] + np.sin(X[:, 1])
    lib = TokenLibrary.build(2)
    cfg = ConstraintConfig(max_length=15)
    reward = RewardCache(columns(X), y, n_fit=2)
    seeds = [("mul", "x0", "x1"), ("add", "x0", "x1"), ("sin", "x1"), ("square", "x0")]
    reward.score(seeds)
    start = min(reward.entries[s].nmse for s in seeds)
    meld = GPMeld(lib, cfg, reward, population=20, generations=8)
    pop = meld.run([reward.entries[s] for s in seeds], np.random.default_rng(1))
    assert pop[0].nmse < start
    assert [c.nmse for c in pop] == sorted(c.nmse for c in pop)
    valid = replay(lib, cfg, [tuple(lib.encode(c.tokens).tolist()) for c in pop])[-1]
    assert valid.all()


def test_linearise_rewrites_functions_of_tiny_arguments_only():
    rng = np.random.default_rng(0)
    X = rng.uniform(1.0, 2.0, (50, 1))
    cols = columns(X)
    toks = ("sin", "mul", "c", "exp", "x0")
    tokens, consts = linearise(toks, [1e-9], cols)
    assert tokens == ("mul", "c", "exp", "x0")
    np.testing.assert_allclose(
        evaluate(tokens, cols, consts), evaluate(toks, cols, [1e-9]), rtol=1e-12
    )
    assert linearise(toks, [1.0], cols) is None  # an ordinary argument stays
    cos_tokens, _ = linearise(("cos", "mul", "c", "x0"), [1e-6], cols)
    assert cos_tokens[:5] == ("sub", "1", "mul", "0.5", "square")


def test_prune_negligible_drops_tiny_terms_and_freezes_constant_factors():
    rng = np.random.default_rng(0)
    X = rng.uniform(1.0, 2.0, (50, 2))
    cols = columns(X)
    # x0 * x1 + 1e-12 * x0  ->  x0 * x1
    toks = ("add", "mul", "x0", "x1", "mul", "c", "x0")
    assert prune_negligible(toks, [1e-12], cols)[0] == ("mul", "x0", "x1")
    # x0 / (c + 1e-12 * x1): the denominator is a constant to rounding
    toks, consts = prune_negligible(("div", "x0", "add", "c", "mul", "c", "x1"), [3.0, 1e-12], cols)
    assert toks == ("div", "x0", "c") and np.allclose(consts, [3.0])
    assert prune_negligible(("add", "x0", "mul", "c", "x1"), [0.5], cols) is None
