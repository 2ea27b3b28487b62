"""Vectorised prefix-tree state for a batch being sampled: parent/sibling inputs and constraints.

Each sample keeps a stack of open child slots. A slot knows its parent token, its left
sibling (for a right child), whether it is a left child, the set of its ancestors (a bit
mask over token ids) and so the constraints of Deep Symbolic Regression can be written as
a boolean mask over the library at every step (Petersen et al. 2021, section 3):

* length: the expression can still be completed within ``max_length`` tokens, and it does
  not finish before ``min_length``;
* no inverse pairs (``log(exp(u))``, ``sqrt(square(u))``...): the child of a unary operator is
  not its inverse;
* no trigonometric operator below another one, and no operator nested in itself for the
  operators in ``no_self_nesting`` (``exp(exp(u))``, ``log(log(u))``);
* no constant-only subtree: a unary operator's child is not ``c``, and a binary operator's
  right child is not ``c`` when its left child is ``c`` (by induction no subtree is constant);
* at most ``max_constants`` placeholders.

On top of the hard mask, a soft length prior (DSR's ``soft_length``: a normal density around
``length_loc``) adds finite logits that discourage finishing too early or growing too long.
The sampler records mask and prior per step so the update recomputes the same distribution.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from srbench_lite.engines.neural.library import INVERSE_PAIRS, TRIG, TokenLibrary

__all__ = ["ConstraintConfig", "TreeState", "replay"]


@dataclass(frozen=True)
class ConstraintConfig:
    """Switches and bounds for :class:`TreeState` (defaults follow DSR's)."""

    max_length: int = 30
    min_length: int = 1
    max_constants: int = 3
    no_inverse: bool = True
    no_nested_trig: bool = True
    no_self_nesting: Sequence[str] = ("exp", "log")
    no_constant_subtrees: bool = True
    length_loc: float | None = 10.0
    length_scale: float = 5.0

    def __post_init__(self) -> None:
        if self.max_length < 1:
            raise ValueError(f"max_length must be >= 1, got {self.max_length}")
        if not 1 <= self.min_length <= self.max_length:
            raise ValueError(
                f"min_length must be in [1, max_length={self.max_length}], got {self.min_length}"
            )
        if self.max_constants < 0:
            raise ValueError(f"max_constants must be >= 0, got {self.max_constants}")


class TreeState:
    """The open slots of ``n`` partially sampled prefix expressions, advanced one token a step."""

    def __init__(self, library: TokenLibrary, config: ConstraintConfig, n: int) -> None:
        if library.n_tokens > 62:
            raise ValueError(f"at most 62 tokens are supported, the library has {library.n_tokens}")
        self.lib = library
        self.cfg = config
        self.n = n
        L = library.n_tokens
        depth = config.max_length + 1
        self.t = 0
        self.sp = np.ones(n, dtype=np.int64)  # open slots; the root slot is open
        self.n_const = np.zeros(n, dtype=np.int64)
        self.parent = np.full((n, depth), library.empty, dtype=np.int64)
        self.sibling = np.full((n, depth), library.empty, dtype=np.int64)
        self.is_left = np.zeros((n, depth), dtype=bool)
        self.ancestors = np.zeros((n, depth), dtype=np.int64)
        self.lengths = np.zeros(n, dtype=np.int64)
        self._rows = np.arange(n)
        ar = library.arities
        self._terminal = ar == 0
        self._bits = np.left_shift(np.int64(1), np.arange(L, dtype=np.int64))
        names = library.names
        self._trig = np.array([t in TRIG for t in names])
        self._trig_bits = int(self._bits[self._trig].sum())
        self._self_nest = [(i, int(self._bits[i])) for i in library.ids(config.no_self_nesting)]
        # forbidden[p, c]: token c may not be the child of unary token p
        forbid = np.zeros((L + 1, L), dtype=bool)
        if config.no_inverse:
            for p, c in INVERSE_PAIRS:
                if p in names and c in names:
                    forbid[names.index(p), names.index(c)] = True
        self._inverse = forbid
        self._unary_parent = np.append(ar == 1, False)  # indexed by parent id (empty: False)
        self._binary_parent = np.append(ar == 2, False)
        self._const = library.const_id

    @property
    def done(self) -> np.ndarray:
        """Samples whose expression is complete."""
        return self.sp == 0

    def inputs(self) -> tuple[np.ndarray, np.ndarray]:
        """Parent and sibling ids of the slot each sample fills next (``empty`` when done)."""
        top = np.maximum(self.sp - 1, 0)
        par = self.parent[self._rows, top]
        sib = self.sibling[self._rows, top]
        done = self.done
        par[done] = self.lib.empty
        sib[done] = self.lib.empty
        return par, sib

    def allowed(self) -> np.ndarray:
        """Boolean ``(n, n_tokens)`` mask of the tokens each sample may emit now."""
        cfg, lib = self.cfg, self.lib
        ar = lib.arities
        top = np.maximum(self.sp - 1, 0)
        par = self.parent[self._rows, top]
        sib = self.sibling[self._rows, top]
        left = self.is_left[self._rows, top]
        anc = self.ancestors[self._rows, top]
        # length: after emitting a token of arity a, t+1 tokens plus sp-1+a open slots must fit
        room = cfg.max_length - self.t - self.sp
        ok = ar[None, :] <= room[:, None]
        if self.t + 1 < cfg.min_length:
            ok &= ~((self.sp == 1)[:, None] & self._terminal[None, :])
        if cfg.no_inverse:
            ok &= ~self._inverse[par]
        if cfg.no_nested_trig and self._trig_bits:
            ok &= ~(((anc & self._trig_bits) != 0)[:, None] & self._trig[None, :])
        for i, bit in self._self_nest:
            ok[:, i] &= (anc & bit) == 0
        if self._const is not None:
            c = self._const
            bad = self.n_const >= cfg.max_constants
            if cfg.no_constant_subtrees:
                bad |= self._unary_parent[par]
                bad |= self._binary_parent[par] & ~left & (sib == c)
            ok[:, c] &= ~bad
        # never leave a row empty (cannot happen with a binary operator in the library)
        empty = ~ok.any(axis=1)
        if empty.any():
            ok[empty] = self._terminal
        ok[self.done] = True  # finished rows: anything (ignored, kept finite)
        return ok

    def prior(self) -> np.ndarray | None:
        """Soft length prior logits ``(n, n_tokens)``, or ``None`` when switched off."""
        loc = self.cfg.length_loc
        if loc is None:
            return None
        out = np.zeros((self.n, self.lib.n_tokens), dtype=np.float32)
        t = self.t + 1  # the length once this token is emitted
        penalty = -((t - loc) ** 2) / (2.0 * self.cfg.length_scale**2)
        if t < loc:  # finishing now would be too short
            finishing = self.sp == 1
            out[np.ix_(finishing, self._terminal)] = penalty
        elif t > loc:  # growing further would be too long
            out[:, ~self._terminal] = penalty
        return out

    def advance(self, tokens: np.ndarray) -> None:
        """Emit ``tokens`` (one id a sample; ignored for finished samples)."""
        active = ~self.done
        rows = self._rows[active]
        tok = tokens[active].astype(np.int64)
        sp = self.sp[active]
        top = sp - 1
        anc = self.ancestors[rows, top] | self._bits[tok]
        was_left = self.is_left[rows, top]
        sp = top  # pop the filled slot
        # a filled left child is the sibling of the right slot now on top
        fill = was_left & (sp > 0)
        self.sibling[rows[fill], sp[fill] - 1] = tok[fill]
        a = self.lib.arities[tok]
        for k, is_left in ((2, False), (1, True)):  # binary: right slot first, left on top
            push = a >= k if is_left else a == 2
            r = rows[push]
            pos = sp[push]
            self.parent[r, pos] = tok[push]
            self.sibling[r, pos] = self.lib.empty
            self.is_left[r, pos] = is_left & (a[push] == 2)
            self.ancestors[r, pos] = anc[push]
            sp[push] += 1
        self.sp[active] = sp
        if self._const is not None:
            self.n_const[active] += tok == self._const
        self.t += 1
        self.lengths[active] = self.t


def replay(
    library: TokenLibrary, config: ConstraintConfig, sequences: Sequence[Sequence[int]]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Walk given id sequences through :class:`TreeState` as if they had been sampled.

    Returns ``(parents, siblings, adjust, lengths, valid)``: the policy inputs and logit
    adjustment of every step (as :meth:`Policy.sample` records them), and whether each
    sequence is one the sampler could have produced (complete, within ``max_length``, every
    token allowed). Used to train the policy on sequences found by other means (GP).
    """
    n = len(sequences)
    lengths = np.array([len(s) for s in sequences], dtype=np.int64)
    valid = (lengths >= 1) & (lengths <= config.max_length)
    T = int(lengths[valid].max()) if valid.any() else 1
    actions = np.zeros((n, T), dtype=np.int64)
    for i, seq in enumerate(sequences):
        if valid[i]:
            actions[i, : lengths[i]] = seq
        else:  # keep the state machine consistent with a one-token stand-in
            actions[i, 0] = int(np.flatnonzero(library.arities == 0)[0])
    state = TreeState(library, config, n)
    parents, siblings, adjusts = [], [], []
    rows = np.arange(n)
    for t in range(T):
        par, sib = state.inputs()
        ok = state.allowed()
        adjust = np.where(ok, np.float32(0.0), np.float32(-np.inf))
        prior = state.prior()
        if prior is not None:
            adjust = adjust + prior
        active = ~state.done
        tok = actions[:, t]
        valid &= ~active | ok[rows, tok]
        valid &= active | (lengths <= t)  # finished early: not one tree of that length
        parents.append(par)
        siblings.append(sib)
        adjusts.append(adjust)
        state.advance(tok)
    valid &= state.done & (state.lengths == lengths)
    return (
        np.stack(parents, axis=1),
        np.stack(siblings, axis=1),
        np.stack(adjusts, axis=1),
        lengths,
        valid,
    )
