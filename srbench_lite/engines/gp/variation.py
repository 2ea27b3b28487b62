"""Random trees, mutations and crossover on ``(tokens, consts)`` pairs.

Every operator returns a new ``(tokens, consts)`` pair (tuple, list) whose constants match the
``"c"`` placeholders left to right; callers simplify and size-check the result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from srbench_lite.engines.common.tokens import ARITY, CONST, subtree_end

__all__ = ["OperatorSet", "crossover", "mutate", "random_tree"]

Pair = tuple[tuple[str, ...], list[float]]


@dataclass(frozen=True)
class OperatorSet:
    """Which operators and leaves the search may use, with sampling weights."""

    binary: tuple[str, ...]
    binary_w: np.ndarray
    unary: tuple[str, ...]
    unary_w: np.ndarray
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
        bw = np.array([weights.get(o, 1.0) for o in binary], dtype=float)
        uw = np.array([0.7 if o in ("square", "sqrt", "inv") else 0.5 for o in unary], float)
        return cls(
            binary,
            bw / bw.sum(),
            unary,
            uw / uw.sum() if len(unary) else uw,
            n_features,
        )


def _leaf(rng: np.random.Generator, ops: OperatorSet) -> Pair:
    r = rng.random()
    if r < ops.p_var:
        return (f"x{rng.integers(ops.n_features)}",), []
    if r < ops.p_var + ops.p_const or not ops.literals:
        return (CONST,), [float(rng.normal(0.0, 2.0))]
    return (ops.literals[rng.integers(len(ops.literals))],), []


def random_tree(rng: np.random.Generator, ops: OperatorSet, depth: int, full: bool = False) -> Pair:
    """A random tree of depth at most ``depth`` (grow method, or full when ``full``)."""
    if depth <= 0 or (not full and rng.random() < 0.3):
        return _leaf(rng, ops)
    if ops.unary and rng.random() < 0.3:
        op = ops.unary[rng.choice(len(ops.unary), p=ops.unary_w)]
        t, c = random_tree(rng, ops, depth - 1, full)
        return (op, *t), c
    op = ops.binary[rng.choice(len(ops.binary), p=ops.binary_w)]
    t1, c1 = random_tree(rng, ops, depth - 1, full)
    t2, c2 = random_tree(rng, ops, depth - 1, full)
    return (op, *t1, *t2), c1 + c2


def _cidx(tokens: Sequence[str], i: int) -> int:
    return sum(1 for t in tokens[:i] if t == CONST)


def _replace(tokens, consts, s: int, e: int, new: Pair) -> Pair:
    a, b = _cidx(tokens, s), _cidx(tokens, e)
    return tuple(tokens[:s]) + new[0] + tuple(tokens[e:]), list(consts[:a]) + new[1] + list(
        consts[b:]
    )


def _sub(tokens, consts, s: int, e: int) -> Pair:
    return tuple(tokens[s:e]), list(consts[_cidx(tokens, s) : _cidx(tokens, e)])


def _pick_node(rng, tokens, internal: bool | None = None) -> int | None:
    idx = [i for i, t in enumerate(tokens) if internal is None or (ARITY.get(t, 0) > 0) == internal]
    if not idx:
        return None
    return idx[rng.integers(len(idx))]


def point(rng, ops: OperatorSet, tokens, consts) -> Pair:
    i = rng.integers(len(tokens))
    tok = tokens[i]
    a = ARITY.get(tok, 0)
    if a == 2:
        new = ops.binary[rng.choice(len(ops.binary), p=ops.binary_w)]
        return tuple(tokens[:i]) + (new,) + tuple(tokens[i + 1 :]), list(consts)
    if a == 1:
        if not ops.unary:
            return tuple(tokens), list(consts)
        new = ops.unary[rng.choice(len(ops.unary), p=ops.unary_w)]
        return tuple(tokens[:i]) + (new,) + tuple(tokens[i + 1 :]), list(consts)
    return _replace(tokens, consts, i, i + 1, _leaf(rng, ops))


def perturb_constants(rng, ops, tokens, consts) -> Pair:
    if not consts:
        return point(rng, ops, tokens, consts)
    c = list(consts)
    j = rng.integers(len(c))
    if rng.random() < 0.5:
        c[j] = c[j] * (1.0 + rng.normal(0.0, 0.3))
    else:
        c[j] = c[j] + rng.normal(0.0, 0.5)
    if rng.random() < 0.1:
        c[j] = -c[j]
    return tuple(tokens), c


def subtree(rng, ops, tokens, consts) -> Pair:
    i = rng.integers(len(tokens))
    return _replace(
        tokens, consts, i, subtree_end(tokens, i), random_tree(rng, ops, rng.integers(1, 4))
    )


def hoist(rng, ops, tokens, consts) -> Pair:
    i = _pick_node(rng, tokens, internal=True)
    if i is None:
        return point(rng, ops, tokens, consts)
    e = subtree_end(tokens, i)
    j = i + 1 + rng.integers(e - i - 1)
    return _sub(tokens, consts, j, subtree_end(tokens, j))


def insert(rng, ops, tokens, consts) -> Pair:
    """Wrap a subtree in a unary op, or in a binary op with a new leaf/small tree."""
    i = rng.integers(len(tokens))
    e = subtree_end(tokens, i)
    old = _sub(tokens, consts, i, e)
    if ops.unary and rng.random() < 0.4:
        op = ops.unary[rng.choice(len(ops.unary), p=ops.unary_w)]
        new = ((op, *old[0]), old[1])
    else:
        op = ops.binary[rng.choice(len(ops.binary), p=ops.binary_w)]
        other = random_tree(rng, ops, 0 if rng.random() < 0.7 else 1)
        if rng.random() < 0.5:
            new = ((op, *old[0], *other[0]), old[1] + other[1])
        else:
            new = ((op, *other[0], *old[0]), other[1] + old[1])
    return _replace(tokens, consts, i, e, new)


def delete(rng, ops, tokens, consts) -> Pair:
    """Replace an operator node by one of its children."""
    i = _pick_node(rng, tokens, internal=True)
    if i is None:
        return point(rng, ops, tokens, consts)
    e = subtree_end(tokens, i)
    kids = []
    j = i + 1
    while j < e:
        k = subtree_end(tokens, j)
        kids.append((j, k))
        j = k
    s, t = kids[rng.integers(len(kids))]
    return _replace(tokens, consts, i, e, _sub(tokens, consts, s, t))


def extend(rng, ops, tokens, consts) -> Pair:
    """Combine the whole expression with a new term: ``f op g``."""
    op = ("add", "mul", "div", "sub")[rng.integers(4)]
    if op not in ops.binary:
        op = ops.binary[0]
    other = random_tree(rng, ops, rng.integers(0, 3))
    if rng.random() < 0.8:
        return (op, *tokens, *other[0]), list(consts) + other[1]
    return (op, *other[0], *tokens), other[1] + list(consts)


_AFFINE_WRAP = ("inv", "sqrt", "log", "exp", "square")


def insert_affine(rng, ops, tokens, consts) -> Pair:
    """Shift a subtree by a constant (``c + s``, ``1 + s``, ``1 - s``), often inside a unary
    operator (``1/(c + s)``, ``sqrt(1 - s)``, ...): one step to the forms physics laws use."""
    i = rng.integers(len(tokens))
    e = subtree_end(tokens, i)
    old = _sub(tokens, consts, i, e)
    r = rng.random()
    if r < 0.5 or "sub" not in ops.binary:
        new = (("add", CONST, *old[0]), [float(rng.normal(0.0, 1.0))] + old[1])
    elif r < 0.75:
        new = (("sub", "1", *old[0]), old[1])
    else:
        new = (("add", "1", *old[0]), old[1])
    wraps = [w for w in _AFFINE_WRAP if w in ops.unary]
    if wraps and rng.random() < 0.6:
        new = ((wraps[rng.integers(len(wraps))], *new[0]), new[1])
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
_MUT_P = np.array([w for _, w in _MUTATIONS]) / sum(w for _, w in _MUTATIONS)


def mutate(rng: np.random.Generator, ops: OperatorSet, tokens, consts) -> Pair:
    """One randomly chosen mutation (point, constant, subtree, insert, delete, hoist, extend)."""
    f = _MUT_F[rng.choice(len(_MUT_F), p=_MUT_P)]
    return f(rng, ops, tokens, consts)


def crossover(rng: np.random.Generator, a: Pair, b: Pair) -> Pair:
    """Replace a random subtree of ``a`` by a random subtree of ``b``."""
    ta, ca = a
    tb, cb = b
    i = rng.integers(len(ta))
    j = rng.integers(len(tb))
    return _replace(ta, ca, i, subtree_end(ta, i), _sub(tb, cb, j, subtree_end(tb, j)))
