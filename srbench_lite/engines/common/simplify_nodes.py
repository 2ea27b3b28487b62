"""The node table of the compiled simplifier (:mod:`.simplify_kernel`): building nodes, folding
constants as the Python rules do, and ordering subtrees by their token texts.

A node is a row of the int64 table ``ni`` (its token id, children rows or -1, flags, size in
tokens, number of ``"c"`` leaves, origin of its value) and of the float array ``nv`` (its
value, when it has no variable). ``top[0]`` is the next free row; ``top[1]`` is set when a
program has to be simplified in Python instead (the table is full, or a cube root is folded).
"""

from __future__ import annotations

import math

from srbench_lite.engines.common.opcodes import (
    ABS,
    ACOS,
    ADD,
    ASIN,
    ATAN,
    CBRT,
    COS,
    COSH,
    CUBE,
    DIV,
    EXP,
    INV,
    LOG,
    MUL,
    NEG,
    POW,
    SIN,
    SINH,
    SQRT,
    SQUARE,
    SUB,
    TAN,
    TANH,
)  # fmt: skip
from srbench_lite.engines.common.rules import NICE_MAX
from srbench_lite.engines.common.vmath import jit

__all__ = [
    "DEF", "FLAGS", "K0", "K1", "LIT", "NC", "ORG", "SIZE", "TOK", "VAR", "before", "chain", "emit",
    "is_leaf_const", "is_num", "leaf", "make_node", "new", "num", "same_const_free", "value",
]  # fmt: skip

# columns of the node table ``ni``; the node's value is ``nv[row]``. ``ORG``: where the value
# comes from, as :func:`chain` codes it (-1: folded from several values)
TOK, K0, K1, FLAGS, SIZE, NC, ORG = 0, 1, 2, 3, 4, 5, 6
# flags: has a variable; all leaves literals; value defined (finite, or a given constant)
VAR, LIT, DEF = 1, 2, 4


@jit
def new(ni, nv, top, tok, k0, k1, flags, size, nc, val, org):
    r = top[0]
    if r >= ni.shape[0]:
        top[1] = 1  # out of room: the caller redoes this program in Python
        r = ni.shape[0] - 1
    else:
        top[0] = r + 1
    ni[r, TOK] = tok
    ni[r, K0] = k0
    ni[r, K1] = k1
    ni[r, FLAGS] = flags
    ni[r, SIZE] = size
    ni[r, NC] = nc
    ni[r, ORG] = org
    nv[r] = val
    return r


@jit
def chain(org, inv):
    """The origin of ``-v`` (``inv`` 0) or ``1/v`` (``inv`` 1) for a value of origin ``org``:
    ``k * 64 + chain``, ``k`` the input constant and ``chain`` the operations applied to it
    (one bit each, the latest lowest, under a leading 1); -1 when ``org`` is -1 or the chain
    would be longer than 5. (:meth:`.rules.Simplifier` keeps such origins to replay a rewrite.)"""
    if org < 0:
        return -1
    chain = (org % 64) * 2 + inv
    if chain >= 64:
        return -1
    return (org // 64) * 64 + chain


@jit
def value(code, a, b):
    """``(defined, value)`` of operator ``code`` on floats, as :mod:`.operators`' ``value``
    functions give it (a Python error or a non-finite result is undefined)."""
    if code == ADD:
        v = a + b
    elif code == SUB:
        v = a - b
    elif code == MUL:
        v = a * b
    elif code == DIV:
        if b == 0.0:
            return False, 0.0
        v = a / b
    elif code == POW:
        if a == 0.0 and b < 0.0:
            return False, 0.0
        if a < 0.0 and b != math.floor(b):
            return False, 0.0
        v = a**b
    elif code == NEG:
        v = -a
    elif code == INV:
        if a == 0.0:
            return False, 0.0
        v = 1.0 / a
    elif code == SIN:
        if math.isinf(a):
            return False, 0.0
        v = math.sin(a)
    elif code == COS:
        if math.isinf(a):
            return False, 0.0
        v = math.cos(a)
    elif code == TAN:
        if math.isinf(a):
            return False, 0.0
        v = math.tan(a)
    elif code == EXP:
        v = math.exp(a)
    elif code == LOG:
        if not a > 0.0:
            return False, 0.0
        v = math.log(a)
    elif code == SQRT:
        if a < 0.0:
            return False, 0.0
        v = math.sqrt(a)
    elif code == SQUARE:
        v = a * a
    elif code == CUBE:
        v = a * a * a
    elif code == ABS:
        v = abs(a)
    elif code == TANH:
        v = math.tanh(a)
    elif code == ASIN:
        if not abs(a) <= 1.0:
            return False, 0.0
        v = math.asin(a)
    elif code == ACOS:
        if not abs(a) <= 1.0:
            return False, 0.0
        v = math.acos(a)
    elif code == ATAN:
        v = math.atan(a)
    elif code == SINH:
        v = math.sinh(a)
    elif code == COSH:
        v = math.cosh(a)
    else:
        return False, 0.0
    return math.isfinite(v), v


@jit
def make_node(ni, nv, top, tcode, tok, a, b):
    """``tok(a[, b])`` as is (the Python ``node``): flags, size and, without a variable, the
    value."""
    fa = ni[a, FLAGS]
    if b < 0:
        var = fa & VAR
        lit = fa & LIT
        size = 1 + ni[a, SIZE]
        nc = ni[a, NC]
        defd = (fa & DEF) != 0
        bv = 0.0
    else:
        fb = ni[b, FLAGS]
        var = (fa | fb) & VAR
        lit = fa & fb & LIT
        size = 1 + ni[a, SIZE] + ni[b, SIZE]
        nc = ni[a, NC] + ni[b, NC]
        defd = (fa & DEF) != 0 and (fb & DEF) != 0
        bv = nv[b]
    val = 0.0
    org = -1
    flags = var | lit
    if var == 0 and defd:
        code = tcode[tok]
        if code == CBRT:  # np.cbrt's float: left to Python
            top[1] = 1
        ok, val = value(code, nv[a], bv)
        if ok:
            flags |= DEF
            # the value keeps its origin through -v and 1/v (the Python rules' _C)
            if code == NEG:
                org = chain(ni[a, ORG], 0)
            elif code == INV:
                org = chain(ni[a, ORG], 1)
            elif code == DIV and ni[a, ORG] < 0 and nv[a] == 1.0:
                org = chain(ni[b, ORG], 1)
    return new(ni, nv, top, tok, a, b, flags, size, nc, val, org)


@jit
def leaf(ni, nv, top, tok, flags, nc, val, org):
    return new(ni, nv, top, tok, -1, -1, flags, 1, nc, val, org)


@jit
def num(ni, nv, top, nice_ids, v):
    """A literal leaf of the nice value ``v`` (its text from the table, its value ``v``)."""
    return leaf(ni, nv, top, nice_ids[int(2.0 * v) + 2 * NICE_MAX], LIT | DEF, 0, v, -1)


@jit
def emit(ni, nv, node, out, pos, consts, orgs, cpos, stack):
    """Write ``node``'s prefix token ids at ``out[pos:]``, its constants' values and origins at
    ``consts[cpos:]`` and ``orgs[cpos:]``; returns the new ``(pos, cpos)``."""
    stack[0] = node
    sp = 1
    while sp:
        sp -= 1
        n = stack[sp]
        out[pos] = ni[n, TOK]
        pos += 1
        if ni[n, K0] < 0:
            if ni[n, NC] != 0:
                consts[cpos] = nv[n]
                orgs[cpos] = ni[n, ORG]
                cpos += 1
            continue
        if ni[n, K1] >= 0:
            stack[sp] = ni[n, K1]
            sp += 1
        stack[sp] = ni[n, K0]
        sp += 1
    return pos, cpos


@jit
def cmp(ni, rank, a, b, ba, bb):
    """-1, 0 or 1 as ``a``'s token texts sort against ``b``'s: both trees walked in prefix
    order side by side (``ba``, ``bb``: their stacks) to the first token that differs. (Equal
    tokens have equal arities, so the walks stay in step.)"""
    ba[0] = a
    bb[0] = b
    sp = 1
    while sp:
        sp -= 1
        na, nb = ba[sp], bb[sp]
        if na == nb:  # a shared subtree
            continue
        ra, rb = rank[ni[na, TOK]], rank[ni[nb, TOK]]
        if ra != rb:
            return -1 if ra < rb else 1
        if ni[na, K0] < 0:
            continue
        if ni[na, K1] >= 0:
            ba[sp] = ni[na, K1]
            bb[sp] = ni[nb, K1]
            sp += 1
        ba[sp] = ni[na, K0]
        bb[sp] = ni[nb, K0]
        sp += 1
    return 0


@jit
def before(ni, rank, b, a, ba, bb):
    """``(b.var, b.toks) < (a.var, a.toks)``: the operand order of ``add`` and ``mul``."""
    vb, va = ni[b, FLAGS] & VAR, ni[a, FLAGS] & VAR
    if vb != va:
        return vb < va
    return cmp(ni, rank, b, a, ba, bb) < 0


@jit
def is_num(ni, nv, n, v):
    return ni[n, K0] < 0 and (ni[n, FLAGS] & LIT) != 0 and nv[n] == v


@jit
def is_leaf_const(ni, n):
    return ni[n, K0] < 0 and (ni[n, FLAGS] & VAR) == 0


@jit
def same_const_free(ni, rank, a, b, ba, bb):
    """``a.toks == b.toks and not a.consts``."""
    if ni[a, NC] != 0 or ni[a, SIZE] != ni[b, SIZE]:
        return False
    return cmp(ni, rank, a, b, ba, bb) == 0
