"""Random trees, mutations and crossover on ``(tokens, consts)`` pairs.

Every operator returns a new ``(tokens, consts)`` pair (tuple, list) whose constants match the
``"c"`` placeholders left to right; callers simplify and size-check the result. Randomness
comes from a :class:`random.Random` (scalar draws are much cheaper there than from numpy,
and these functions run once per child); :func:`as_random` makes one from a numpy generator.
"""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate

import numpy as np

from srbench_lite.engines.common.tokens import ARITY, CONST, subtree_end

__all__ = ["OperatorSet", "as_random", "crossover", "mutate", "random_tree"]

Pair = tuple[tuple[str, ...], list[float]]


def as_random(rng: np.random.Generator | random.Random) -> random.Random:
    """A :class:`random.Random` seeded from ``rng`` (or ``rng`` itself)."""
    if isinstance(rng, random.Random):
        return rng
    return random.Random(int(rng.integers(2**63 - 1)))


#: unary sampling weights (others 0.5): the rarer functions of physics laws are offered, priced
#: so that the common ones still make most of the trees
_UNARY_WEIGHTS = {"square": 0.7, "sqrt": 0.7, "inv": 0.7}
_UNARY_WEIGHTS.update(dict.fromkeys(("asin", "acos", "tanh", "atan", "sinh", "cosh", "cbrt"), 0.15))


@dataclass(frozen=True)
class OperatorSet:
    """Which operators and leaves the search may use, with sampling weights (cumulative)."""

    binary: tuple[str, ...]
    binary_cw: tuple[float, ...]
    unary: tuple[str, ...]
    unary_cw: tuple[float, ...]
    n_features: int
    literals: tuple[str, ...] = ("1", "2", "0.5")
    p_var: float = 0.6
    p_const: float = 0.3

    @classmethod
    def build(cls, ops: Sequence[str], n_features: int) -> OperatorSet:
        weights = {"mul": 1.5, "div": 1.5, "add": 1.0, "sub": 1.0, "pow": 0.3}
        binary = tuple(o for o in ops if ARITY.get(o) == 2)
        unary = tuple(o for o in ops if ARITY.get(o) == 1)
        if not binary:
            raise ValueError("the operator set needs at least one binary operator")
        bw = [weights.get(o, 1.0) for o in binary]
        uw = [_UNARY_WEIGHTS.get(o, 0.5) for o in unary]
        return cls(binary, tuple(accumulate(bw)), unary, tuple(accumulate(uw)), n_features)

    def pick_binary(self, rng: random.Random) -> str:
        return _choose(rng, self.binary, self.binary_cw)

    def pick_unary(self, rng: random.Random) -> str:
        return _choose(rng, self.unary, self.unary_cw)


def _choose(rng: random.Random, items: Sequence, cum_weights: Sequence[float]):
    """``rng.choices(items, cum_weights=cum_weights)[0]``, the same draw, without the checks
    and the list (this runs several times per child)."""
    return items[bisect(cum_weights, rng.random() * (cum_weights[-1] + 0.0), 0, len(items) - 1)]


def _leaf(rng: random.Random, ops: OperatorSet) -> Pair:
    r = rng.random()
    if r < ops.p_var:
        return (f"x{rng.randrange(ops.n_features)}",), []
    if r < ops.p_var + ops.p_const or not ops.literals:
        return (CONST,), [rng.gauss(0.0, 2.0)]
    return (ops.literals[rng.randrange(len(ops.literals))],), []


def random_tree(rng: random.Random, ops: OperatorSet, depth: int, full: bool = False) -> Pair:
    """A random tree of depth at most ``depth`` (grow method, or full when ``full``)."""
    if depth <= 0 or (not full and rng.random() < 0.3):
        return _leaf(rng, ops)
    if ops.unary and rng.random() < 0.3:
        t, c = random_tree(rng, ops, depth - 1, full)
        return (ops.pick_unary(rng), *t), c
    op = ops.pick_binary(rng)
    t1, c1 = random_tree(rng, ops, depth - 1, full)
    t2, c2 = random_tree(rng, ops, depth - 1, full)
    return (op, *t1, *t2), c1 + c2


def _cidx(tokens: Sequence[str], i: int) -> int:
    return tokens[:i].count(CONST)


def _replace(tokens, consts, s: int, e: int, new: Pair) -> Pair:
    head, tail = tuple(tokens[:s]), tuple(tokens[e:])
    if len(consts) == 0:
        return head + new[0] + tail, list(new[1])
    a = head.count(CONST)
    b = a + tokens[s:e].count(CONST)
    return head + new[0] + tail, list(consts[:a]) + new[1] + list(consts[b:])


def _sub(tokens, consts, s: int, e: int) -> Pair:
    if len(consts) == 0:
        return tuple(tokens[s:e]), []
    a = _cidx(tokens, s)
    return tuple(tokens[s:e]), list(consts[a : a + tokens[s:e].count(CONST)])


def _pick_internal(rng: random.Random, tokens) -> int | None:
    idx = [i for i, t in enumerate(tokens) if t in ARITY]
    return idx[rng.randrange(len(idx))] if idx else None


def point(rng, ops: OperatorSet, tokens, consts) -> Pair:
    i = rng.randrange(len(tokens))
    a = ARITY.get(tokens[i], 0)
    if a == 0:
        return _replace(tokens, consts, i, i + 1, _leaf(rng, ops))
    if a == 1 and not ops.unary:
        return tuple(tokens), list(consts)
    new = ops.pick_binary(rng) if a == 2 else ops.pick_unary(rng)
    return tuple(tokens[:i]) + (new,) + tuple(tokens[i + 1 :]), list(consts)


def perturb_constants(rng, ops, tokens, consts) -> Pair:
    if not consts:
        return point(rng, ops, tokens, consts)
    c = list(consts)
    j = rng.randrange(len(c))
    if rng.random() < 0.5:
        c[j] = c[j] * (1.0 + rng.gauss(0.0, 0.3))
    else:
        c[j] = c[j] + rng.gauss(0.0, 0.5)
    if rng.random() < 0.1:
        c[j] = -c[j]
    return tuple(tokens), c


def subtree(rng, ops, tokens, consts) -> Pair:
    i = rng.randrange(len(tokens))
    new = random_tree(rng, ops, rng.randrange(1, 4))
    return _replace(tokens, consts, i, subtree_end(tokens, i), new)


def hoist(rng, ops, tokens, consts) -> Pair:
    i = _pick_internal(rng, tokens)
    if i is None:
        return point(rng, ops, tokens, consts)
    e = subtree_end(tokens, i)
    j = i + 1 + rng.randrange(e - i - 1)
    return _sub(tokens, consts, j, subtree_end(tokens, j))


def insert(rng, ops, tokens, consts) -> Pair:
    """Wrap a subtree in a unary op, or in a binary op with a new leaf/small tree."""
    i = rng.randrange(len(tokens))
    e = subtree_end(tokens, i)
    old = _sub(tokens, consts, i, e)
    if ops.unary and rng.random() < 0.4:
        new = ((ops.pick_unary(rng), *old[0]), old[1])
    else:
        op = ops.pick_binary(rng)
        other = random_tree(rng, ops, 0 if rng.random() < 0.7 else 1)
        if rng.random() < 0.5:
            new = ((op, *old[0], *other[0]), old[1] + other[1])
        else:
            new = ((op, *other[0], *old[0]), other[1] + old[1])
    return _replace(tokens, consts, i, e, new)


def delete(rng, ops, tokens, consts) -> Pair:
    """Replace an operator node by one of its children."""
    i = _pick_internal(rng, tokens)
    if i is None:
        return point(rng, ops, tokens, consts)
    e = subtree_end(tokens, i)
    if ARITY[tokens[i]] == 1 or rng.random() < 0.5:
        s, t = i + 1, subtree_end(tokens, i + 1)
    else:
        s, t = subtree_end(tokens, i + 1), e
    return _replace(tokens, consts, i, e, _sub(tokens, consts, s, t))


def extend(rng, ops, tokens, consts) -> Pair:
    """Combine the whole expression with a new term: ``f op g``."""
    op = ("add", "mul", "div", "sub")[rng.randrange(4)]
    if op not in ops.binary:
        op = ops.binary[0]
    other = random_tree(rng, ops, rng.randrange(0, 3))
    if rng.random() < 0.8:
        return (op, *tokens, *other[0]), list(consts) + other[1]
    return (op, *other[0], *tokens), other[1] + list(consts)


_AFFINE_WRAP = ("inv", "sqrt", "log", "exp", "square")


def insert_affine(rng, ops, tokens, consts) -> Pair:
    """Shift a subtree by a constant (``c + s``, ``1 + s``, ``1 - s``), often inside a unary
    operator (``1/(c + s)``, ``sqrt(1 - s)``, ...): one step to the forms physics laws use."""
    i = rng.randrange(len(tokens))
    e = subtree_end(tokens, i)
    old = _sub(tokens, consts, i, e)
    r = rng.random()
    if r < 0.5 or "sub" not in ops.binary:
        new = (("add", CONST, *old[0]), [rng.gauss(0.0, 1.0)] + old[1])
    elif r < 0.75:
        new = (("sub", "1", *old[0]), old[1])
    else:
        new = (("add", "1", *old[0]), old[1])
    wraps = [w for w in _AFFINE_WRAP if w in ops.unary]
    if wraps and rng.random() < 0.6:
        new = ((wraps[rng.randrange(len(wraps))], *new[0]), new[1])
    return _replace(tokens, consts, i, e, new)


_MUTATIONS = (
    (insert_affine, 0.08),
    (point, 0.2),
    (perturb_constants, 0.1),
    (subtree, 0.06),
    (insert, 0.36),
    (delete, 0.13),
    (hoist, 0.03),
    (extend, 0.12),
)
_MUT_F = tuple(m for m, _ in _MUTATIONS)
_MUT_CW = tuple(accumulate(w for _, w in _MUTATIONS))


def mutate(rng: random.Random, ops: OperatorSet, tokens, consts) -> Pair:
    """One randomly chosen mutation (point, constant, subtree, insert, delete, hoist, extend,
    affine shift)."""
    return _choose(rng, _MUT_F, _MUT_CW)(rng, ops, tokens, consts)


def crossover(rng: random.Random, a: Pair, b: Pair) -> Pair:
    """Replace a random subtree of ``a`` by a random subtree of ``b``."""
    ta, ca = a
    tb, cb = b
    i = rng.randrange(len(ta))
    j = rng.randrange(len(tb))
    return _replace(ta, ca, i, subtree_end(ta, i), _sub(tb, cb, j, subtree_end(tb, j)))
