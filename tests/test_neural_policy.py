"""The torch policy: recorded log-probabilities replay exactly; the risk-seeking update learns."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from srbench_lite.engines.neural.constraints import ConstraintConfig  # noqa: E402
from srbench_lite.engines.neural.library import TokenLibrary  # noqa: E402
from srbench_lite.engines.neural.policy import Policy, SampleBatch  # noqa: E402
from srbench_lite.engines.neural.train import Adam, risk_seeking_step  # noqa: E402


@pytest.fixture(autouse=True)
def _one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _trained_policy(lib, cell: str = "lstm"):
    """A policy whose output layer is no longer zero (so logits differ across tokens)."""
    torch.manual_seed(0)
    policy = Policy(lib.n_tokens, hidden=16, cell=cell)
    with torch.no_grad():
        for p in policy.parameters():
            p.add_(0.3 * torch.randn_like(p))
    return policy


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_update_time_log_probs_equal_sampling_time(cell):
    lib = TokenLibrary.build(3)
    cfg = ConstraintConfig(max_length=20)
    policy = _trained_policy(lib, cell)
    batch = policy.sample(300, lib, cfg, np.random.default_rng(0))
    logp, entropy = policy.log_prob(batch)
    assert np.isfinite(batch.log_probs).all()
    np.testing.assert_allclose(logp.detach().numpy(), batch.log_probs, rtol=1e-4, atol=1e-4)
    # a subset (trimmed to its own longest length) replays the same values
    idx = np.arange(0, 300, 7)
    sub_logp, _ = policy.log_prob(batch.subset(idx))
    np.testing.assert_allclose(sub_logp.detach().numpy(), batch.log_probs[idx], atol=1e-4)
    assert (entropy.detach().numpy() >= 0).all()


def test_masks_are_reapplied_at_update_time():
    """Without the recorded masks the replayed log-probabilities would differ."""
    lib = TokenLibrary.build(2)
    cfg = ConstraintConfig(max_length=6, max_constants=0)
    policy = _trained_policy(lib)
    batch = policy.sample(200, lib, cfg, np.random.default_rng(1))
    batch.adjust[:] = 0.0  # forget constraints and prior
    logp, _ = policy.log_prob(batch)
    assert np.abs(logp.detach().numpy() - batch.log_probs).max() > 0.1


def test_zero_output_layer_starts_uniform():
    lib = TokenLibrary.build(2)
    policy = Policy(lib.n_tokens)
    cfg = ConstraintConfig(length_loc=None)
    batch = policy.sample(1, lib, cfg, np.random.default_rng(0))
    allowed = np.isfinite(batch.adjust[0, 0]).sum()
    assert batch.log_probs.shape == (1,)
    first = policy.log_prob(batch.subset(np.array([0])))[0]
    assert first.item() <= -np.log(allowed) + 1e-5


def test_risk_seeking_update_improves_a_toy_reward():
    """Reward = share of ``x0`` among the leaves: the policy should learn to emit x0."""
    lib = TokenLibrary.build(3)
    cfg = ConstraintConfig(max_length=10)
    torch.manual_seed(0)
    policy = Policy(lib.n_tokens)
    opt = Adam(policy.parameters(), lr=0.01)
    rng = np.random.default_rng(0)
    x0 = lib.index("x0")
    leaf = lib.arities == 0
    means = []
    for _ in range(40):
        batch = policy.sample(200, lib, cfg, rng)
        rewards = np.array(
            [np.mean(np.array(s) == x0) / np.mean(leaf[list(s)]) for s in batch.sequences()]
        )
        means.append(rewards.mean())
        risk_seeking_step(
            policy, opt, batch, rewards, epsilon=0.1, entropy_weight=0.0, entropy_gamma=1.0
        )
    assert np.mean(means[-5:]) > np.mean(means[:5]) + 0.2, means


def test_adam_matches_torch_optim():
    torch.manual_seed(1)
    a = torch.nn.Linear(4, 3)
    b = torch.nn.Linear(4, 3)
    b.load_state_dict(a.state_dict())
    ours, ref = Adam(a.parameters(), lr=0.05), torch.optim.Adam(b.parameters(), lr=0.05)
    x = torch.randn(16, 4)
    for _ in range(5):
        for net, opt in ((a, ours), (b, ref)):
            opt.zero_grad()
            (net(x) ** 2).sum().backward()
            opt.step()
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        torch.testing.assert_close(p, q)


def test_replayed_sequences_get_the_recorded_inputs_and_masks():
    """``SampleBatch.from_sequences`` rebuilds exactly what sampling recorded (used for GP samples)."""
    lib = TokenLibrary.build(3)
    cfg = ConstraintConfig(max_length=15)
    policy = _trained_policy(lib)
    batch = policy.sample(200, lib, cfg, np.random.default_rng(2))
    again, valid = SampleBatch.from_sequences(lib, cfg, batch.sequences())
    assert valid.all()
    T = batch.actions.shape[1]
    assert again.actions.shape[1] == T
    np.testing.assert_array_equal(again.lengths, batch.lengths)
    live = np.arange(T)[None, :] < batch.lengths[:, None]
    for name in ("actions", "parents", "siblings", "adjust"):
        np.testing.assert_array_equal(getattr(again, name)[live], getattr(batch, name)[live])
    logp, _ = policy.log_prob(again)
    np.testing.assert_allclose(logp.detach().numpy(), batch.log_probs, atol=1e-4)


def test_replay_flags_sequences_the_sampler_could_not_produce():
    lib = TokenLibrary.build(2)
    cfg = ConstraintConfig(max_length=6)
    seqs = [
        ("mul", "x0", "x1"),  # fine
        ("log", "exp", "x0"),  # inverse pair
        ("add", "c", "c"),  # constant-only subtree
        ("sin", "cos", "x0"),  # nested trig
        ("add", "x0", "add", "x0", "add", "x0", "x1"),  # longer than max_length
    ]
    _, valid = SampleBatch.from_sequences(lib, cfg, [tuple(lib.encode(s).tolist()) for s in seqs])
    assert valid.tolist() == [True, False, False, False, False]
