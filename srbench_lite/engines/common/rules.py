"""Cheap algebraic simplification of token sequences, for use inside a search loop.

:func:`simplify_tokens` rewrites bottom-up on a small tree: folds every variable-free subtree
into one ``"c"`` (or a literal when all its leaves are literals and the value is a small
integer or half-integer), removes identities (``x+0``, ``x*1``, ``x/1``, ``x**1``, ``--x``,
``1/(1/x)``), turns ``x-x`` into 0 and ``x/x`` into 1, merges constants into neighbouring
constants (``c*(c*x) -> c*x``, ``c+(c+x) -> c+x``), rewrites ``pow`` by literal 2, 3, 0.5,
-1 as ``square``, ``cube``, ``sqrt``, ``inv``, and sorts the operands of ``add``/``mul`` so
that equal expressions share one canonical token sequence. With ``strip_scaling=True`` it also
drops what a linear scaling ``a*f+b`` absorbs at the root (``c*f``, ``f+c``, ``-f``, ``f/c``).
Values of ``"c"`` leaves travel with them, so the returned constants match the new order.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from srbench_lite.engines.common.operators import OPS
from srbench_lite.engines.common.tokens import ARITY, CONST, is_literal, literal_value

__all__ = ["Simplifier", "simplify_tokens"]


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


# node: (token, value_or_None, children tuple, has_variable, all_literal, sort_key)


def _mk(tok, val, kids=(), has_var=None, all_lit=None):
    if not kids:
        if has_var is None:
            has_var = val is None
        if all_lit is None:
            all_lit = val is not None and tok != CONST
        key = ("1" if has_var else "0") + tok
        return (tok, val, (), has_var, all_lit, key)
    if len(kids) == 1:
        k0 = kids[0]
        return (tok, None, kids, k0[3], k0[4], f"2{tok}({k0[5]})")
    k0, k1 = kids
    return (tok, None, kids, k0[3] or k1[3], k0[4] and k1[4], f"2{tok}({k0[5]},{k1[5]})")


def _parse(tokens: Sequence[str], consts: Sequence[float]):
    stack = []
    k = sum(1 for t in tokens if t == CONST)
    for tok in reversed(tokens):
        a = ARITY.get(tok, 0)
        if a == 0:
            if tok == CONST:
                k -= 1
                stack.append(_mk(CONST, _C(float(consts[k]), k)))
            elif is_literal(tok):
                stack.append(_mk(tok, literal_value(tok)))
            else:
                stack.append(_mk(tok, None))
        else:
            kids = tuple(stack.pop() for _ in range(a))
            stack.append(_mk(tok, None, kids))
    return stack[0]


def _value(node) -> float:
    tok, val, kids = node[0], node[1], node[2]
    if not kids:
        return float(val)
    out = OPS[tok].value(*(_value(k) for k in kids))
    if not isinstance(out, float):
        raise ValueError("not a real number")
    return out


def _lit(v: float):
    if v == int(v) and abs(v) < 1e6:
        text = str(int(v))
    else:
        text = repr(v)
    return _mk(text, v)


def _const(v: float):
    return _mk(CONST, float(v))


def _is_num(node, v: float) -> bool:
    return not node[2] and node[1] is not None and node[1] == v and node[0] != CONST


def _is_c(node) -> bool:
    return node[0] == CONST


def _key(node) -> str:
    return node[5]


def _nice(v: float) -> bool:
    return math.isfinite(v) and abs(v) <= 64 and (2 * v) == int(2 * v)


def _simp(node):
    tok, kids = node[0], node[2]
    if not kids:
        return node
    kids = tuple(_simp(k) for k in kids)
    node = _mk(tok, None, kids)
    has_var, all_lit = node[3], node[4]
    if not has_var:  # fold constant subtrees
        try:
            v = _value(node)
        except (FloatingPointError, ZeroDivisionError, OverflowError, ValueError, TypeError):
            return node
        if not math.isfinite(v):
            return node
        v = float(v)
        if all_lit and _nice(v):
            return _lit(v)
        return _const(v)
    if len(kids) == 1:
        (a,) = kids
        if tok == "neg" and a[0] == "neg":
            return a[2][0]
        if tok == "inv" and a[0] == "inv":
            return a[2][0]
        if tok == "abs" and a[0] in ("square", "abs", "exp", "sqrt"):
            return a
        if tok == "sqrt" and a[0] == "square":
            return _mk("abs", None, a[2])
        return node
    a, b = kids
    if tok == "add":
        if _is_num(a, 0.0):
            return b
        if _is_num(b, 0.0):
            return a
        if b[0] == "neg":
            return _simp(_mk("sub", None, (a, b[2][0])))
        if _key(b) < _key(a):
            a, b = b, a
        # c + (c + x) -> c + x
        if not a[3] and not a[2] and b[0] == "add" and not b[2][0][3] and not b[2][0][2]:
            return _mk("add", None, (_const(_value(a) + _value(b[2][0])), b[2][1]))
        return _mk("add", None, (a, b))
    if tok == "sub":
        if _is_num(b, 0.0):
            return a
        if _is_num(a, 0.0):
            return _mk("neg", None, (b,))
        if _key(a) == _key(b) and not _has_c(a):
            return _lit(0.0)
        if b[0] == "neg":
            return _simp(_mk("add", None, (a, b[2][0])))
        if _is_c(b):  # x - c -> (-c) + x
            return _simp(_mk("add", None, (_mk(CONST, -b[1]), a)))
        return node
    if tok == "mul":
        if _is_num(a, 0.0) or _is_num(b, 0.0):
            return _lit(0.0)
        if _is_num(a, 1.0):
            return b
        if _is_num(b, 1.0):
            return a
        if _key(a) == _key(b) and not _has_c(a):
            return _mk("square", None, (a,))
        if _key(b) < _key(a):
            a, b = b, a
        if not a[3] and not a[2] and b[0] == "mul" and not b[2][0][3] and not b[2][0][2]:
            return _mk("mul", None, (_const(_value(a) * _value(b[2][0])), b[2][1]))
        return _mk("mul", None, (a, b))
    if tok == "div":
        if _is_num(b, 1.0):
            return a
        if _is_num(a, 0.0):
            return _lit(0.0)
        if _key(a) == _key(b) and not _has_c(a):
            return _lit(1.0)
        if _is_num(a, 1.0):
            return _mk("inv", None, (b,))
        if _is_c(b) and b[1] != 0.0:  # x / c -> (1/c) * x
            return _simp(_mk("mul", None, (_mk(CONST, 1.0 / b[1]), a)))
        return node
    if tok == "pow" and not b[2] and b[0] != CONST and b[1] is not None:
        if b[1] == 0.0:
            return _lit(1.0)
        rewrite = {1.0: None, 2.0: "square", 3.0: "cube", 0.5: "sqrt", -1.0: "inv"}
        if b[1] in rewrite:
            op = rewrite[b[1]]
            return a if op is None else _mk(op, None, (a,))
    return node


def _has_c(node) -> bool:
    return node[0] == CONST or any(_has_c(k) for k in node[2])


def _strip(node):
    while node[2] and node[3]:
        tok, kids = node[0], node[2]
        if tok == "neg":
            node = kids[0]
        elif tok in ("add", "sub") and not kids[0][3]:
            node = kids[1]
        elif tok in ("add", "sub", "div") and not kids[1][3]:
            node = kids[0]
        elif tok == "mul" and not kids[0][3]:
            node = kids[1]
        elif tok == "mul" and not kids[1][3]:
            node = kids[0]
        elif tok == "div" and not kids[0][3]:
            node = _mk("inv", None, (kids[1],))
        else:
            break
    return node


def _emit(node, toks: list[str], consts: list[float]) -> None:
    toks.append(node[0])
    if node[0] == CONST:
        consts.append(node[1])
    for k in node[2]:
        _emit(k, toks, consts)


def _simplify(tokens, consts, strip_scaling: bool):
    node = _simp(_parse(tokens, consts))
    if strip_scaling:
        stripped = _strip(node)
        if stripped is not node:
            node = _simp(stripped)
    toks: list[str] = []
    out: list[float] = []
    _emit(node, toks, out)
    return tuple(toks), out


def simplify_tokens(
    tokens: Sequence[str], consts: Sequence[float] = (), *, strip_scaling: bool = False
) -> tuple[tuple[str, ...], np.ndarray]:
    """Simplified ``(tokens, consts)``; equal inputs up to operand order give equal outputs."""
    toks, out = _simplify(tokens, consts, strip_scaling)
    return toks, np.asarray(out, dtype=np.float64)


class Simplifier:
    """:func:`simplify_tokens` with a memory: the rewriting of each token sequence is done once
    and replayed on new constant values when no constant was folded into another (the output
    constants are then input constants, negated or inverted). One per search, so that a run's
    result does not depend on what ran before it in the process."""

    def __init__(self, strip_scaling: bool = False, max_size: int = 200_000) -> None:
        self.strip_scaling = strip_scaling
        self.max_size = max_size
        self._plans: dict[tuple[str, ...], tuple[tuple[str, ...], tuple]] = {}

    def __call__(self, tokens: tuple[str, ...], consts) -> tuple[tuple[str, ...], np.ndarray]:
        plan = self._plans.get(tokens)
        if plan is not None:
            toks, origins = plan
            return toks, np.array([_derive(o, consts) for o in origins], dtype=np.float64)
        toks, out = _simplify(tokens, consts, self.strip_scaling)
        origins = tuple(getattr(v, "origin", None) for v in out)
        if None not in origins:
            if len(self._plans) >= self.max_size:
                self._plans.clear()
            self._plans[tokens] = (toks, origins)
        return toks, np.asarray(out, dtype=np.float64)
