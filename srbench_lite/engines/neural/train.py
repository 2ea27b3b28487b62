"""Risk-seeking policy gradient (Petersen et al. 2021, algorithm 1) and the search loop.

Each iteration samples a batch, scores it (:class:`~.reward.RewardCache`), offers the new
candidates to the hall of fame, and takes one Adam step on the top ``epsilon`` of the batch
with the ``1 - epsilon`` reward quantile as baseline, plus an entropy bonus. Imports torch.
"""

from __future__ import annotations

import heapq
import math
import time
from dataclasses import dataclass, field

import numpy as np
import torch

from srbench_lite.engines.neural.constraints import ConstraintConfig
from srbench_lite.engines.neural.gp_meld import GPMeld
from srbench_lite.engines.neural.library import TokenLibrary
from srbench_lite.engines.neural.policy import Policy, SampleBatch
from srbench_lite.engines.neural.reward import Candidate, RewardCache

__all__ = ["Adam", "SearchConfig", "SearchResult", "risk_seeking_step", "run_search"]


@dataclass(frozen=True)
class SearchConfig:
    """Hyper-parameters of the search (DSR's defaults where they exist)."""

    batch_size: int = 500
    epsilon: float = 0.05
    learning_rate: float = 0.01
    entropy_weight: float = 0.03
    entropy_gamma: float = 0.7
    hidden: int = 32
    cell: str = "lstm"
    n_iterations: int | None = None
    time_budget_s: float | None = None
    early_stop_nmse: float | None = 1e-14
    gp_generations: int = 0
    gp_population: int = 50
    gp_elites: int = 10
    constraints: ConstraintConfig = field(default_factory=ConstraintConfig)


@dataclass
class SearchResult:
    """Every distinct expression scored (``candidates``) and the per-iteration history."""

    candidates: list[Candidate]
    history: list[dict]
    n_iterations: int
    stopped: str


class Adam:
    """Adam (Kingma & Ba 2015) with the defaults of ``torch.optim.Adam``, in a few tensor ops.

    ``torch.optim`` imports ``torch._dynamo`` on first use, which costs seconds of a short
    budget in every fresh process; the policy needs nothing but plain Adam.
    """

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8):
        self.params = [p for p in params if p.requires_grad]
        self.lr, self.betas, self.eps = lr, betas, eps
        self.m = [torch.zeros_like(p) for p in self.params]
        self.v = [torch.zeros_like(p) for p in self.params]
        self.t = 0

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self) -> None:
        self.t += 1
        b1, b2 = self.betas
        c1, c2 = 1 - b1**self.t, 1 - b2**self.t
        for p, m, v in zip(self.params, self.m, self.v, strict=True):
            if p.grad is None:
                continue
            m.mul_(b1).add_(p.grad, alpha=1 - b1)
            v.mul_(b2).addcmul_(p.grad, p.grad, value=1 - b2)
            denom = (v / c2).sqrt_().add_(self.eps)
            p.addcdiv_(m, denom, value=-self.lr / c1)


def risk_seeking_step(
    policy: Policy,
    optimizer: Adam,
    batch: SampleBatch,
    rewards: np.ndarray,
    *,
    epsilon: float,
    entropy_weight: float,
    entropy_gamma: float,
) -> dict:
    """One update on the batch's top ``epsilon`` (each distinct sequence once).

    Loss: ``-mean((R - q) * log p) - entropy_weight * mean(H)`` over the kept samples, with
    ``q`` the ``1 - epsilon`` quantile of the batch's rewards.
    """
    q = float(np.quantile(rewards, 1.0 - epsilon))
    keep = np.flatnonzero(rewards >= q)
    seen: set[tuple[int, ...]] = set()
    idx = []
    for i in keep:
        key = tuple(batch.actions[i, : batch.lengths[i]].tolist())
        if key not in seen:
            seen.add(key)
            idx.append(i)
    sub = batch.subset(np.asarray(idx, dtype=np.int64))
    logp, entropy = policy.log_prob(sub, entropy_gamma)
    adv = torch.as_tensor(rewards[idx] - q, dtype=torch.float32)
    pg = -(adv * logp).mean()
    loss = pg - entropy_weight * entropy.mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return {
        "quantile": q,
        "n_train": len(idx),
        "loss": float(loss.detach()),
        "entropy": float(entropy.detach().mean()),
    }


def run_search(
    library: TokenLibrary,
    reward: RewardCache,
    config: SearchConfig,
    rng: np.random.Generator,
    seeds: list[tuple[tuple[str, ...], list[float]]] = (),
) -> SearchResult:
    """Train a fresh policy until ``n_iterations`` or ``time_budget_s`` (whichever first).

    ``torch`` must already be seeded by the caller (the policy's initial weights come from it).
    With ``gp_generations > 0`` each batch (plus the ``gp_elites`` best expressions so far)
    seeds a short GP run (:class:`GPMeld`) whose final population joins the batch for the update.
    ``seeds`` (tokens, constants) are scored first: all join the candidates, and those the
    policy could sample become the first elites.
    """
    if config.n_iterations is None and config.time_budget_s is None:
        raise ValueError("give n_iterations or time_budget_s (or both) to bound the search")
    start = time.perf_counter()
    deadline = math.inf if config.time_budget_s is None else start + config.time_budget_s
    policy = Policy(library.n_tokens, hidden=config.hidden, cell=config.cell)
    meld = None
    elites: list[Candidate] = []  # best so far: they join each GP run's seeds
    if config.gp_generations > 0:
        meld = GPMeld(
            library,
            config.constraints,
            reward,
            population=config.gp_population,
            generations=config.gp_generations,
        )
    optimizer = Adam(policy.parameters(), lr=config.learning_rate)
    history: list[dict] = []
    best = math.inf
    if seeds:
        consts = [np.asarray(c, dtype=np.float64) for _, c in seeds]
        reward.score([t for t, _ in seeds], consts, n_fit=len(seeds))
        scored = [reward.entries[t] for t, _ in seeds]
        best = min(c.nmse for c in scored)
        if meld is not None:
            pairs = [(c.tokens, list(c.consts)) for c in scored]
            valid = [c for c, ok in zip(scored, meld.valid(pairs), strict=True) if ok]
            elites = heapq.nsmallest(config.gp_elites, valid, key=lambda c: c.nmse)
    it = 0
    stopped = "iterations"
    last = 0.0  # duration of the previous iteration: do not start one that cannot finish
    while config.n_iterations is None or it < config.n_iterations:
        now = time.perf_counter()
        if now + last >= deadline:
            stopped = "time"
            break
        batch = policy.sample(config.batch_size, library, config.constraints, rng)
        names = [library.decode(s) for s in batch.sequences()]
        rewards, scored = reward.score(names)
        if meld is not None:
            batch, rewards, found = _meld(meld, library, config, batch, names, reward, rng, elites)
            scored += found
            elites = heapq.nsmallest(config.gp_elites, elites + scored, key=lambda c: c.nmse)
        best = min([best, *(c.nmse for c in scored)])
        stats = risk_seeking_step(
            policy,
            optimizer,
            batch,
            rewards,
            epsilon=config.epsilon,
            entropy_weight=config.entropy_weight,
            entropy_gamma=config.entropy_gamma,
        )
        stats.update(iteration=it, best_nmse=best, mean_reward=float(rewards.mean()))
        history.append(stats)
        it += 1
        # the first iteration carries one-time costs (compiled evaluator, torch kernels)
        last = time.perf_counter() - now if it > 1 else 0.0
        if config.early_stop_nmse is not None and best <= config.early_stop_nmse:
            stopped = "early_stop"
            break
    return SearchResult(list(reward.entries.values()), history, it, stopped)


def _meld(
    meld: GPMeld,
    library: TokenLibrary,
    config: SearchConfig,
    batch: SampleBatch,
    names: list[tuple[str, ...]],
    reward: RewardCache,
    rng: np.random.Generator,
    elites: list[Candidate],
) -> tuple[SampleBatch, np.ndarray, list[Candidate]]:
    """Run GP from the batch (and the elites); the batch extended with GP's final population."""
    seeds = [reward.entries[s] for s in dict.fromkeys(names)]
    seeds += [reward.entries[c.tokens] for c in elites]
    pop = meld.run(seeds, rng)
    seen = set(names)
    extra = [c for c in pop if c.tokens not in seen]
    if not extra:
        rewards = np.array([reward.entries[s].reward for s in names])
        return batch, rewards, []
    seqs = [tuple(library.encode(c.tokens).tolist()) for c in extra]
    gp_batch, valid = SampleBatch.from_sequences(library, config.constraints, seqs)
    idx = np.flatnonzero(valid)
    extra = [extra[i] for i in idx]
    combined = SampleBatch.concat([batch, gp_batch.subset(idx)])
    rewards = np.array([reward.entries[s].reward for s in names] + [c.reward for c in extra])
    return combined, rewards, extra
