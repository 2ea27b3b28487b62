"""The recurrent policy: an LSTM that emits prefix tokens given each slot's parent and sibling.

:meth:`Policy.sample` draws a batch under the constraints of
:class:`~srbench_lite.engines.neural.constraints.TreeState` and records, per step, the inputs
and the logit adjustment (``-inf`` for masked tokens, plus the soft length prior), so that
:meth:`Policy.log_prob` recomputes exactly the distribution the tokens were drawn from.

This module imports torch; the rest of the package imports it only inside ``fit``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from srbench_lite.engines.neural.constraints import ConstraintConfig, TreeState, replay
from srbench_lite.engines.neural.library import TokenLibrary

__all__ = ["SampleBatch", "Policy"]


@dataclass
class SampleBatch:
    """Sampled sequences and everything needed to recompute their log-probabilities.

    ``actions``, ``parents``, ``siblings``: ``(n, T)`` ids (``T`` the longest sequence);
    ``adjust``: ``(n, T, n_tokens)`` float32 logit offsets (``-inf`` = forbidden);
    ``lengths``: ``(n,)``; ``log_probs``: ``(n,)`` log-probability at sampling time.
    """

    actions: np.ndarray
    parents: np.ndarray
    siblings: np.ndarray
    adjust: np.ndarray
    lengths: np.ndarray
    log_probs: np.ndarray

    def __len__(self) -> int:
        return len(self.lengths)

    def sequences(self) -> list[tuple[int, ...]]:
        """The token ids of each sample, cut at its length."""
        return [tuple(row[:n].tolist()) for row, n in zip(self.actions, self.lengths, strict=True)]

    @classmethod
    def concat(cls, batches: list[SampleBatch]) -> SampleBatch:
        """One batch holding the samples of ``batches`` (padded to the longest)."""
        T = max(b.actions.shape[1] for b in batches)

        def pad(a: np.ndarray, value) -> np.ndarray:
            width = [(0, 0), (0, T - a.shape[1])] + [(0, 0)] * (a.ndim - 2)
            return np.pad(a, width, constant_values=value)

        return cls(
            np.concatenate([pad(b.actions, 0) for b in batches]),
            np.concatenate([pad(b.parents, 0) for b in batches]),
            np.concatenate([pad(b.siblings, 0) for b in batches]),
            np.concatenate([pad(b.adjust, 0.0) for b in batches]),
            np.concatenate([b.lengths for b in batches]),
            np.concatenate([b.log_probs for b in batches]),
        )

    @classmethod
    def from_sequences(
        cls, library: TokenLibrary, config: ConstraintConfig, sequences: list[tuple[int, ...]]
    ) -> tuple[SampleBatch, np.ndarray]:
        """A batch of given sequences (``log_probs`` NaN) and which of them are valid.

        The inputs and masks are those :meth:`Policy.sample` would have recorded, so the
        policy can be trained on sequences found by other means; invalid rows must be dropped.
        """
        parents, siblings, adjust, lengths, valid = replay(library, config, sequences)
        actions = np.zeros(parents.shape, dtype=np.int64)
        for i, seq in enumerate(sequences):
            if valid[i]:
                actions[i, : len(seq)] = seq
        nan = np.full(len(sequences), np.nan)
        return cls(actions, parents, siblings, adjust, lengths, nan), valid

    def subset(self, idx: np.ndarray) -> SampleBatch:
        """The samples ``idx`` (trimmed to their longest length)."""
        T = int(self.lengths[idx].max()) if len(idx) else 0
        return SampleBatch(
            self.actions[idx, :T],
            self.parents[idx, :T],
            self.siblings[idx, :T],
            self.adjust[idx, :T],
            self.lengths[idx],
            self.log_probs[idx],
        )


class Policy(nn.Module):
    """LSTM (or GRU) over one-hot parent + sibling inputs; zero-initialised output layer.

    With the output layer at zero every allowed token starts equally likely (before the
    length prior), as in DSR.
    """

    def __init__(self, n_tokens: int, hidden: int = 32, cell: str = "lstm") -> None:
        super().__init__()
        if cell not in ("lstm", "gru"):
            raise ValueError(f"cell must be 'lstm' or 'gru', got {cell!r}")
        self.n_tokens = n_tokens
        self.hidden = hidden
        self.cell_type = cell
        n_in = 2 * (n_tokens + 1)  # parent and sibling, each one-hot with an "empty" id
        self.cell = nn.LSTMCell(n_in, hidden) if cell == "lstm" else nn.GRUCell(n_in, hidden)
        self.out = nn.Linear(hidden, n_tokens)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)
        eye = torch.eye(n_tokens + 1)
        self.register_buffer("_eye", eye, persistent=False)

    def _init_state(self, n: int):
        h = torch.zeros(n, self.hidden)
        return (h, torch.zeros(n, self.hidden)) if self.cell_type == "lstm" else h

    def _step(self, parent: torch.Tensor, sibling: torch.Tensor, state):
        x = torch.cat([self._eye[parent], self._eye[sibling]], dim=1)
        state = self.cell(x, state)
        h = state[0] if self.cell_type == "lstm" else state
        return self.out(h), state

    @torch.no_grad()
    def sample(
        self, n: int, library: TokenLibrary, config: ConstraintConfig, rng: np.random.Generator
    ) -> SampleBatch:
        """Draw ``n`` complete expressions; randomness comes from ``rng`` only."""
        tree = TreeState(library, config, n)
        L = library.n_tokens
        state = self._init_state(n)
        actions, parents, siblings, adjusts = [], [], [], []
        log_probs = np.zeros(n, dtype=np.float64)
        for _ in range(config.max_length):
            if tree.done.all():
                break
            par, sib = tree.inputs()
            logits, state = self._step(torch.from_numpy(par), torch.from_numpy(sib), state)
            adjust = np.where(tree.allowed(), np.float32(0.0), np.float32(-np.inf))
            prior = tree.prior()
            if prior is not None:
                adjust = adjust + prior
            logp = torch.log_softmax(logits + torch.from_numpy(adjust), dim=1).numpy()
            p = np.exp(logp.astype(np.float64))
            cdf = np.cumsum(p, axis=1)
            u = rng.random(n) * cdf[:, -1]
            tok = np.minimum((cdf < u[:, None]).sum(axis=1), L - 1)
            # a zero-probability token can only be hit through rounding at a cdf plateau
            tok = np.where(np.isfinite(adjust[np.arange(n), tok]), tok, np.argmax(p, axis=1))
            active = ~tree.done
            log_probs[active] += logp[np.arange(n), tok][active]
            actions.append(tok)
            parents.append(par)
            siblings.append(sib)
            adjusts.append(adjust)
            tree.advance(tok)
        return SampleBatch(
            actions=np.stack(actions, axis=1),
            parents=np.stack(parents, axis=1),
            siblings=np.stack(siblings, axis=1),
            adjust=np.stack(adjusts, axis=1),
            lengths=tree.lengths.copy(),
            log_probs=log_probs,
        )

    def log_prob(
        self, batch: SampleBatch, entropy_gamma: float = 1.0
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Log-probability of each sequence and its (``entropy_gamma``-discounted) entropy.

        Replays the recorded inputs through the network and applies the recorded adjustment,
        so the result equals the sampling-time log-probability (up to float rounding).
        """
        n, T = batch.actions.shape
        state = self._init_state(n)
        parents = torch.from_numpy(batch.parents)
        siblings = torch.from_numpy(batch.siblings)
        actions = torch.from_numpy(batch.actions)
        adjust = torch.from_numpy(batch.adjust)
        lengths = torch.from_numpy(batch.lengths)
        logp_total = torch.zeros(n)
        entropy = torch.zeros(n)
        for t in range(T):
            logits, state = self._step(parents[:, t], siblings[:, t], state)
            logp = torch.log_softmax(logits + adjust[:, t], dim=1)
            live = (lengths > t).float()
            chosen = logp.gather(1, actions[:, t : t + 1]).squeeze(1)
            logp_total = logp_total + live * chosen
            allowed = torch.isfinite(adjust[:, t])
            p = logp.exp()
            h = -(p * torch.where(allowed, logp, torch.zeros_like(logp))).sum(dim=1)
            entropy = entropy + live * (entropy_gamma**t) * h
        return logp_total, entropy
