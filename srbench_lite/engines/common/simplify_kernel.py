"""Compiled token simplification: the rules of :mod:`.rules`, on token ids, many programs a call.

:func:`simplify_batch` gives, for every program, the same tokens and the same constant bits as
:func:`.rules.simplify_tokens` (a test checks this on random programs of every operator). The
programs come as the token-table ids of :mod:`.program` (prefix order, concatenated); rewriting
builds each program's tree bottom-up in a node table (:mod:`.simplify_nodes`; one row per
node, children by row), so that a subtree is shared, not copied. Operand order compares token
*texts*: ``rank`` orders the table's ids as their texts sort, and every literal that folding
can make (the integers and half-integers up to 64, ``nice_ids``) is in the table already.

A program the kernel does not rewrite itself (a cube root to fold, whose float the kernel cannot
match bit for bit) is marked in ``redo``; the caller simplifies it in Python.
"""

from __future__ import annotations

import math

import numpy as np

from srbench_lite.engines.common.opcodes import (
    ABS,
    ADD,
    CBRT,
    COSH,
    CUBE,
    DIV,
    EXP,
    INV,
    MUL,
    NEG,
    POW,
    SQRT,
    SQUARE,
    SUB,
)  # fmt: skip
from srbench_lite.engines.common.pack_kernel import CONST, LITERAL, OP
from srbench_lite.engines.common.rules import NICE_MAX
from srbench_lite.engines.common.simplify_nodes import (
    DEF,
    FLAGS,
    K0,
    K1,
    LIT,
    ORG,
    SIZE,
    TOK,
    VAR,
    before,
    chain,
    emit,
    is_leaf_const,
    is_num,
    leaf,
    make_node,
    num,
    same_const_free,
)  # fmt: skip
from srbench_lite.engines.common.vmath import jit

__all__ = ["simplify_batch"]


@jit
def _combine(ni, nv, top, tk, tok, a, b, ba, bb):
    """The simplified ``tok(a[, b])`` of simplified operands (the Python ``_combine``).
    ``tk``: the token table's ``code`` and ``rank`` columns, the ids of the operators by
    opcode, the ids of the nice literals, the id of ``"c"``."""
    tcode, rank, op_id, nice_ids, c_id = tk
    while True:
        fa = ni[a, FLAGS]
        bvar = b >= 0 and (ni[b, FLAGS] & VAR) != 0
        if (fa & VAR) == 0 and not bvar:  # fold a constant subtree
            n = make_node(ni, nv, top, tcode, tok, a, b)
            if (ni[n, FLAGS] & DEF) == 0:
                return n
            v = nv[n]
            if (ni[n, FLAGS] & LIT) != 0 and abs(v) <= NICE_MAX and 2.0 * v == math.floor(2.0 * v):
                return num(ni, nv, top, nice_ids, v)
            return leaf(ni, nv, top, c_id, DEF, 1, v, ni[n, ORG])
        code = tcode[tok]
        if b < 0:
            ac = tcode[ni[a, TOK]]
            if (code == NEG or code == INV) and ni[a, TOK] == tok:
                return ni[a, K0]
            if code == ABS and (
                ac == SQUARE or ac == ABS or ac == EXP or ac == SQRT or ac == CBRT or ac == COSH
            ):
                return a
            if code == SQRT and ac == SQUARE:
                return make_node(ni, nv, top, tcode, op_id[ABS], ni[a, K0], -1)
            if code == CUBE and ac == CBRT:
                return ni[a, K0]
            return make_node(ni, nv, top, tcode, tok, a, -1)
        bc = tcode[ni[b, TOK]]
        if code == ADD:
            if is_num(ni, nv, a, 0.0):
                return b
            if is_num(ni, nv, b, 0.0):
                return a
            if bc == NEG:
                tok, b = op_id[SUB], ni[b, K0]
                continue
            if before(ni, rank, b, a, ba, bb):
                a, b = b, a
            if is_leaf_const(ni, a) and tcode[ni[b, TOK]] == ADD and is_leaf_const(ni, ni[b, K0]):
                c = leaf(ni, nv, top, c_id, DEF, 1, nv[a] + nv[ni[b, K0]], -1)
                return make_node(ni, nv, top, tcode, tok, c, ni[b, K1])
            return make_node(ni, nv, top, tcode, tok, a, b)
        if code == SUB:
            if is_num(ni, nv, b, 0.0):
                return a
            if is_num(ni, nv, a, 0.0):
                return make_node(ni, nv, top, tcode, op_id[NEG], b, -1)
            if same_const_free(ni, rank, a, b, ba, bb):
                return num(ni, nv, top, nice_ids, 0.0)
            if bc == NEG:
                tok, b = op_id[ADD], ni[b, K0]
                continue
            if ni[b, TOK] == c_id:  # x - c -> (-c) + x
                c = leaf(ni, nv, top, c_id, DEF, 1, -nv[b], chain(ni[b, ORG], 0))
                tok, a, b = op_id[ADD], c, a
                continue
            return make_node(ni, nv, top, tcode, tok, a, b)
        if code == MUL:
            if is_num(ni, nv, a, 0.0) or is_num(ni, nv, b, 0.0):
                return num(ni, nv, top, nice_ids, 0.0)
            if is_num(ni, nv, a, 1.0):
                return b
            if is_num(ni, nv, b, 1.0):
                return a
            if same_const_free(ni, rank, a, b, ba, bb):
                return make_node(ni, nv, top, tcode, op_id[SQUARE], a, -1)
            if before(ni, rank, b, a, ba, bb):
                a, b = b, a
            if is_leaf_const(ni, a) and tcode[ni[b, TOK]] == MUL and is_leaf_const(ni, ni[b, K0]):
                c = leaf(ni, nv, top, c_id, DEF, 1, nv[a] * nv[ni[b, K0]], -1)
                return make_node(ni, nv, top, tcode, tok, c, ni[b, K1])
            return make_node(ni, nv, top, tcode, tok, a, b)
        if code == DIV:
            if is_num(ni, nv, b, 1.0):
                return a
            if is_num(ni, nv, a, 0.0):
                return num(ni, nv, top, nice_ids, 0.0)
            if same_const_free(ni, rank, a, b, ba, bb):
                return num(ni, nv, top, nice_ids, 1.0)
            if is_num(ni, nv, a, 1.0):
                return make_node(ni, nv, top, tcode, op_id[INV], b, -1)
            if ni[b, TOK] == c_id and nv[b] != 0.0:  # x / c -> (1/c) * x
                c = leaf(ni, nv, top, c_id, DEF, 1, 1.0 / nv[b], chain(ni[b, ORG], 1))
                tok, a, b = op_id[MUL], c, a
                continue
            return make_node(ni, nv, top, tcode, tok, a, b)
        if code == POW and ni[b, K0] < 0 and (ni[b, FLAGS] & LIT) != 0:
            e = nv[b]
            if e == 0.0:
                return num(ni, nv, top, nice_ids, 1.0)
            if e == 1.0:
                return a
            if e == 2.0:
                return make_node(ni, nv, top, tcode, op_id[SQUARE], a, -1)
            if e == 3.0:
                return make_node(ni, nv, top, tcode, op_id[CUBE], a, -1)
            if e == 0.5:
                return make_node(ni, nv, top, tcode, op_id[SQRT], a, -1)
            if e == 1.0 / 3.0:
                return make_node(ni, nv, top, tcode, op_id[CBRT], a, -1)
            if e == -1.0:
                return make_node(ni, nv, top, tcode, op_id[INV], a, -1)
        return make_node(ni, nv, top, tcode, tok, a, b)


@jit
def _strip(ni, nv, top, tk, node, ba, bb):
    """Drop what an outer ``a*f + b`` absorbs at the root (the Python ``_strip``)."""
    tcode, op_id = tk[0], tk[2]
    while ni[node, K0] >= 0 and (ni[node, FLAGS] & VAR) != 0:
        code = tcode[ni[node, TOK]]
        k0, k1 = ni[node, K0], ni[node, K1]
        v0 = ni[k0, FLAGS] & VAR
        v1 = ni[k1, FLAGS] & VAR if k1 >= 0 else 1
        if code == NEG:
            node = k0
        elif (code == ADD or code == SUB) and not v0:
            node = k1
        elif (code == ADD or code == SUB or code == DIV) and not v1:
            node = k0
        elif code == MUL and not v0:
            node = k1
        elif code == MUL and not v1:
            node = k0
        elif code == DIV and not v0:
            node = _combine(ni, nv, top, tk, op_id[INV], k1, -1, ba, bb)
        else:
            break
    return node


@jit
def simplify_batch(ids, lengths, cvals, kind, code, arity, lit, rank, op_id, nice_ids, c_id, strip):
    """``(out_ids, out_lengths, out_consts, out_origins, out_clens, redo)``: every program of ``ids``
    (prefix order, concatenated; ``lengths`` tokens each; its ``"c"`` values in ``cvals``, in
    order) simplified as :func:`.rules.simplify_tokens` does (``strip``: ``strip_scaling``).
    ``redo[p]`` marks a program left for Python (its output is then its input)."""
    n_prog = lengths.shape[0]
    longest = 1
    for p in range(n_prog):
        longest = max(longest, lengths[p])
    cap = 6 * longest + 16
    ni = np.empty((cap, 7), dtype=np.int64)
    nv = np.empty(cap)
    top = np.zeros(2, dtype=np.int64)
    work = np.empty(longest + 1, dtype=np.int64)
    ba = np.empty(cap, dtype=np.int64)
    bb = np.empty(cap, dtype=np.int64)
    stack = np.empty(cap, dtype=np.int64)
    tk = (code, rank, op_id, nice_ids, c_id)
    out_ids = np.empty(2 * ids.shape[0] + 16, dtype=np.int64)
    out_lengths = np.empty(n_prog, dtype=np.int64)
    out_consts = np.empty(2 * ids.shape[0] + 16)
    out_orgs = np.empty(2 * ids.shape[0] + 16, dtype=np.int64)
    out_clens = np.empty(n_prog, dtype=np.int64)
    redo = np.zeros(n_prog, dtype=np.bool_)
    start = 0
    c_start = 0
    pos = 0
    cpos = 0
    for p in range(n_prog):
        m = lengths[p]
        k = 0
        for j in range(start, start + m):
            if kind[ids[j]] == CONST:
                k += 1
        top[0] = 0
        top[1] = 0
        sp = 0
        kk = k
        for j in range(start + m - 1, start - 1, -1):
            t = ids[j]
            kd = kind[t]
            if kd != OP:
                if kd == CONST:
                    kk -= 1
                    n = leaf(ni, nv, top, t, DEF, 1, cvals[c_start + kk], kk * 64 + 1)
                elif kd == LITERAL:
                    n = leaf(ni, nv, top, t, LIT | DEF, 0, lit[t], -1)
                else:  # a variable or an indexed parameter (never folded)
                    n = leaf(ni, nv, top, t, VAR, 0, 0.0, -1)
                work[sp] = n
                sp += 1
            elif arity[t] == 1:
                work[sp - 1] = _combine(ni, nv, top, tk, t, work[sp - 1], -1, ba, bb)
            else:
                first, second = work[sp - 1], work[sp - 2]
                sp -= 1
                work[sp - 1] = _combine(ni, nv, top, tk, t, first, second, ba, bb)
        root = work[0]
        if strip:
            root = _strip(ni, nv, top, tk, root, ba, bb)
        if top[1] or pos + max(m, ni[root, SIZE]) > out_ids.shape[0]:
            redo[p] = True
            for j in range(m):
                out_ids[pos + j] = ids[start + j]
            for j in range(k):
                out_consts[cpos + j] = cvals[c_start + j]
                out_orgs[cpos + j] = -1
            out_lengths[p] = m
            out_clens[p] = k
            pos += m
            cpos += k
        else:
            pos2, cpos2 = emit(ni, nv, root, out_ids, pos, out_consts, out_orgs, cpos, stack)
            out_lengths[p] = pos2 - pos
            out_clens[p] = cpos2 - cpos
            pos, cpos = pos2, cpos2
        start += m
        c_start += k
    return out_ids[:pos], out_lengths, out_consts[:cpos], out_orgs[:cpos], out_clens, redo
