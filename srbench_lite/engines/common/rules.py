"""Cheap algebraic simplification of token sequences, for use inside a search loop.

:func:`simplify_tokens` rewrites bottom-up in one pass over the prefix sequence: folds every
variable-free subtree into one ``"c"`` (or a literal when all its leaves are literals and the
value is a small integer or half-integer), removes identities (``x+0``, ``x*1``, ``x/1``,
``x**1``, ``--x``, ``1/(1/x)``), turns ``x-x`` into 0 and ``x/x`` into 1, merges constants
into neighbouring constants (``c*(c*x) -> c*x``, ``c+(c+x) -> c+x``), rewrites ``pow`` by
literal 2, 3, 0.5, 1/3, -1 as ``square``, ``cube``, ``sqrt``, ``cbrt``, ``inv``, turns
``cube(cbrt(x))`` into ``x`` and ``abs`` of a non-negative function into the function, and
sorts the operands of ``add``/``mul`` so that equal expressions share one canonical token
sequence. With ``strip_scaling=True`` it also drops what a linear scaling ``a*f+b`` absorbs at
the root (``c*f``, ``f+c``, ``-f``, ``f/c``). Values of ``"c"`` leaves travel with them, so the
returned constants match the new order. Folding uses the operator table's float functions.

:class:`Simplifier` remembers each sequence's rewrite and replays it on new constant values.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from srbench_lite.engines.common.operators import OPS
from srbench_lite.engines.common.tokens import ARITY, CONST, is_literal, literal_value

__all__ = ["NICE_MAX", "Simplifier", "literal_text", "simplify_tokens"]


class _C(float):
    """A constant's value that remembers how it derives from the input constants (``origin``:
    an index ``k``, ``("neg", origin)`` or ``("inv", origin)``). Other arithmetic gives plain
    floats, so a constant folded from several has no origin."""

    __slots__ = ("origin",)

    def __new__(cls, value: float, origin):
        out = super().__new__(cls, value)
        out.origin = origin
        return out

    def __neg__(self):
        return _C(-float(self), ("neg", self.origin))

    def __rtruediv__(self, other):
        if other == 1.0:
            return _C(1.0 / float(self), ("inv", self.origin))
        return float(other) / float(self)


def _derive(origin, consts: Sequence[float]) -> float:
    if isinstance(origin, int):
        return float(consts[origin])
    v = _derive(origin[1], consts)
    if origin[0] == "neg":
        return -v
    return 1.0 / v if v != 0.0 else math.inf


class _N:
    """A simplified subtree: root token, children, its token sequence and constants, whether it
    has a variable (``var``), its value when it has none (``val``, None if undefined), whether
    all its leaves are literals (``lit``)."""

    __slots__ = ("tok", "kids", "toks", "consts", "var", "val", "lit")

    def __init__(self, tok, kids, toks, consts, var, val, lit):
        self.tok, self.kids, self.toks, self.consts = tok, kids, toks, consts
        self.var, self.val, self.lit = var, val, lit

    def is_num(self, v: float) -> bool:
        """A literal leaf equal to ``v``."""
        return not self.kids and self.lit and self.val == v


def _leaf(tok: str, val=None) -> _N:
    if tok == CONST:
        return _N(tok, (), (tok,), (val,), False, val, False)
    if val is None:  # a variable (or an indexed parameter: never folded)
        return _N(tok, (), (tok,), (), True, None, False)
    return _N(tok, (), (tok,), (), False, val, True)


def literal_text(v: float) -> str:
    """The text of the literal token a folded value ``v`` becomes."""
    return str(int(v)) if v == int(v) and abs(v) < 1e6 else repr(v)


def _num(v: float) -> _N:
    return _leaf(literal_text(v), float(v))


def _const(v: float) -> _N:
    return _leaf(CONST, v)


def _node(tok: str, kids: tuple) -> _N:
    """Build ``tok(kids)`` as is (no rewriting)."""
    a = kids[0]
    if len(kids) == 1:
        toks, consts, var, lit = (tok, *a.toks), a.consts, a.var, a.lit
    else:
        b = kids[1]
        toks = (tok, *a.toks, *b.toks)
        consts = a.consts + b.consts if b.consts else a.consts
        var, lit = a.var or b.var, a.lit and b.lit
    if var:
        return _N(tok, kids, toks, consts, var, None, lit)
    try:
        val = OPS[tok].value(*(k.val for k in kids))
    except (ZeroDivisionError, OverflowError, ValueError, TypeError):
        val = None
    if val is not None and (not isinstance(val, float) or not math.isfinite(val)):
        val = None
    return _N(tok, kids, toks, consts, var, val, lit)


#: folded values that become literal tokens: multiples of 1/2 with ``|v| <= NICE_MAX``
NICE_MAX = 64


def _nice(v: float) -> bool:
    return math.isfinite(v) and abs(v) <= NICE_MAX and (2 * v) == int(2 * v)


def _is_leaf_const(n: _N) -> bool:
    """A ``"c"`` or a literal leaf."""
    return not n.kids and not n.var


_POW_REWRITE = {1.0: None, 2.0: "square", 3.0: "cube", 0.5: "sqrt", 1.0 / 3.0: "cbrt", -1.0: "inv"}
#: unary operators whose values are never negative (``abs`` of them is the identity)
_NON_NEGATIVE = ("square", "abs", "exp", "sqrt", "cbrt", "cosh")


def _combine(tok: str, kids: tuple) -> _N:
    """The simplified ``tok(kids)`` for already simplified ``kids``."""
    if not (kids[0].var or (len(kids) == 2 and kids[1].var)):  # fold constant subtrees
        node = _node(tok, kids)
        v = node.val
        if v is None:
            return node
        return _num(v) if node.lit and _nice(v) else _const(v)
    if len(kids) == 1:
        (a,) = kids
        if tok in ("neg", "inv") and a.tok == tok:
            return a.kids[0]
        if tok == "abs" and a.tok in _NON_NEGATIVE:
            return a
        if tok == "sqrt" and a.tok == "square":
            return _node("abs", a.kids)
        if tok == "cube" and a.tok == "cbrt":  # x for x >= 0 (sympy's (x**(1/3))**3 = x)
            return a.kids[0]
        return _node(tok, kids)
    a, b = kids
    if tok == "add":
        if a.is_num(0.0):
            return b
        if b.is_num(0.0):
            return a
        if b.tok == "neg":
            return _combine("sub", (a, b.kids[0]))
        if (b.var, b.toks) < (a.var, a.toks):
            a, b = b, a
        # c + (c + x) -> c + x
        if _is_leaf_const(a) and b.tok == "add" and _is_leaf_const(b.kids[0]):
            return _node("add", (_const(a.val + b.kids[0].val), b.kids[1]))
        return _node("add", (a, b))
    if tok == "sub":
        if b.is_num(0.0):
            return a
        if a.is_num(0.0):
            return _node("neg", (b,))
        if a.toks == b.toks and not a.consts:
            return _num(0.0)
        if b.tok == "neg":
            return _combine("add", (a, b.kids[0]))
        if b.tok == CONST:  # x - c -> (-c) + x
            return _combine("add", (_leaf(CONST, -b.val), a))
        return _node(tok, kids)
    if tok == "mul":
        if a.is_num(0.0) or b.is_num(0.0):
            return _num(0.0)
        if a.is_num(1.0):
            return b
        if b.is_num(1.0):
            return a
        if a.toks == b.toks and not a.consts:
            return _node("square", (a,))
        if (b.var, b.toks) < (a.var, a.toks):
            a, b = b, a
        if _is_leaf_const(a) and b.tok == "mul" and _is_leaf_const(b.kids[0]):
            return _node("mul", (_const(a.val * b.kids[0].val), b.kids[1]))
        return _node("mul", (a, b))
    if tok == "div":
        if b.is_num(1.0):
            return a
        if a.is_num(0.0):
            return _num(0.0)
        if a.toks == b.toks and not a.consts:
            return _num(1.0)
        if a.is_num(1.0):
            return _node("inv", (b,))
        if b.tok == CONST and b.val != 0.0:  # x / c -> (1/c) * x
            return _combine("mul", (_leaf(CONST, 1.0 / b.val), a))
        return _node(tok, kids)
    if tok == "pow" and not b.kids and b.lit:
        if b.val == 0.0:
            return _num(1.0)
        if b.val in _POW_REWRITE:
            op = _POW_REWRITE[b.val]
            return a if op is None else _node(op, (a,))
    return _node(tok, kids)


def _strip(node: _N) -> _N:
    """Drop what an outer ``a*f + b`` absorbs at the root."""
    while node.kids and node.var:
        tok, kids = node.tok, node.kids
        if tok == "neg":
            node = kids[0]
        elif tok in ("add", "sub") and not kids[0].var:
            node = kids[1]
        elif tok in ("add", "sub", "div") and not kids[1].var:
            node = kids[0]
        elif tok == "mul" and not kids[0].var:
            node = kids[1]
        elif tok == "mul" and not kids[1].var:
            node = kids[0]
        elif tok == "div" and not kids[0].var:
            node = _combine("inv", (kids[1],))
        else:
            break
    return node


_LEAVES: dict[str, _N] = {}
_CONST_TOKS = (CONST,)
_MEMO_SIZE = 50_000  # subtree rewrites a Simplifier keeps (then it starts afresh)


def _leaf_of(tok: str) -> _N:
    """The leaf of a variable, parameter or literal token (cached: nodes are never changed)."""
    node = _LEAVES.get(tok)
    if node is None:
        node = _leaf(tok, literal_value(tok) if tok[0] != "x" and is_literal(tok) else None)
        if len(_LEAVES) < 10_000:
            _LEAVES[tok] = node
    return node


def _simplify(
    tokens: Sequence[str], consts: Sequence[float], strip_scaling: bool, memo: dict | None = None
) -> _N:
    """The simplified tree. ``memo`` (optional) maps ``(tok, *operands)`` to the combined node
    for operands without constants (nodes hash by identity and are never changed; leaves and
    memo results are shared, so a subtree seen before is found in one look-up per node)."""
    stack: list[_N] = []
    push, pop = stack.append, stack.pop
    k = tokens.count(CONST) if isinstance(tokens, tuple) else list(tokens).count(CONST)
    for tok in reversed(tokens):
        a = ARITY.get(tok, 0)
        if a == 0:
            if tok == CONST:
                k -= 1
                v = _C(float(consts[k]), k)
                push(_N(CONST, (), _CONST_TOKS, (v,), False, v, False))  # _leaf(CONST, v)
            else:
                push(_LEAVES.get(tok) or _leaf_of(tok))
        elif a == 1:
            x = pop()
            if memo is None or x.consts:
                push(_combine(tok, (x,)))
                continue
            key = (tok, x)
            node = memo.get(key)
            if node is None:
                node = memo[key] = _combine(tok, (x,))
            push(node)
        else:
            first, second = pop(), pop()
            if memo is None or first.consts or second.consts:
                push(_combine(tok, (first, second)))
                continue
            key = (tok, first, second)
            node = memo.get(key)
            if node is None:
                node = memo[key] = _combine(tok, (first, second))
            push(node)
    node = stack[0]
    if strip_scaling:
        node = _strip(node)
    return node


def simplify_tokens(
    tokens: Sequence[str], consts: Sequence[float] = (), *, strip_scaling: bool = False
) -> tuple[tuple[str, ...], np.ndarray]:
    """Simplified ``(tokens, consts)``; equal inputs up to operand order give equal outputs."""
    node = _simplify(tokens, consts, strip_scaling)
    return node.toks, np.asarray(node.consts, dtype=np.float64)


class Simplifier:
    """:func:`simplify_tokens` with a memory: the rewriting of each token sequence is done once
    and replayed on new constant values when no constant was folded into another (the output
    constants are then input constants, negated or inverted). One per search, so that a run's
    result does not depend on what ran before it in the process."""

    def __init__(
        self, strip_scaling: bool = False, max_size: int = 200_000, subtree_memo: bool = True
    ) -> None:
        self.strip_scaling = strip_scaling
        self.max_size = max_size
        self._plans: dict[tuple[str, ...], tuple[tuple[str, ...], tuple]] = {}
        # rewrites of constant-free subtrees (see _simplify): the same results, found faster
        self._memo: dict[tuple, _N] | None = {} if subtree_memo else None

    def __call__(self, tokens: tuple[str, ...], consts) -> tuple[tuple[str, ...], np.ndarray]:
        done = self.replay(tokens, consts)
        if done is not None:
            return done
        if self._memo is not None and len(self._memo) >= _MEMO_SIZE:
            self._memo.clear()
        node = _simplify(tokens, consts, self.strip_scaling, self._memo)
        self.remember(tokens, node.toks, tuple(getattr(v, "origin", None) for v in node.consts))
        return node.toks, np.asarray(node.consts, dtype=np.float64)

    def replay(self, tokens: tuple[str, ...], consts) -> tuple[tuple[str, ...], np.ndarray] | None:
        """The rewrite of ``tokens`` remembered, on the values ``consts`` (None: none is)."""
        plan = self._plans.get(tokens)
        if plan is None:
            return None
        toks, origins = plan
        return toks, np.array([_derive(o, consts) for o in origins], dtype=np.float64)

    def remember(self, tokens: tuple[str, ...], toks: tuple[str, ...], origins: tuple) -> None:
        """Keep the rewrite ``tokens -> toks`` when every output constant has an origin (an
        input index ``k``, ``("neg", origin)`` or ``("inv", origin)``; ``None``: folded)."""
        if None in origins:
            return
        if len(self._plans) >= self.max_size:
            self._plans.clear()
        self._plans[tokens] = (toks, origins)
