"""Compiled packing: the token ids of many programs into the layout of :mod:`.stack`.

:func:`srbench_lite.engines.common.program.pack` maps every token to a row of a token table
(``kind``, ``code``, ``arg``, ``lit``: what the token is, its opcode, its column or parameter
index or arity, its value if a literal) and calls :func:`pack_batch` once per batch, so that a
search's new programs cost no Python loop over their tokens.
"""

from __future__ import annotations

import numpy as np

from srbench_lite.engines.common.vmath import jit

#: token kinds of the table
OP, CONST, VARIABLE, PARAMETER, LITERAL = 0, 1, 2, 3, 4
#: why a batch was refused: a program is not one expression; its constants do not match
MALFORMED, WRONG_CONSTANTS = 1, 2


@jit
def pack_batch(ids, lengths, kind, code, arg, lit, cvals, clens):
    """``(nodes, progs, vals, depth, bad, why)`` for programs given as ``ids`` (prefix order,
    concatenated; ``lengths`` tokens each) with their constants ``cvals`` (concatenated;
    ``clens[p]`` of them, or ``-1``: all ones). ``why`` is 0, or :data:`MALFORMED` /
    :data:`WRONG_CONSTANTS` for program ``bad``."""
    n_prog = lengths.shape[0]
    n_nodes = ids.shape[0]
    progs = np.zeros((4, n_prog), dtype=np.int64)
    n_lits = np.zeros(n_prog, dtype=np.int64)
    nodes = np.empty((2, n_nodes), dtype=np.int64)
    start = 0
    n_vals = 0
    depth = 1
    for p in range(n_prog):  # sizes, constants count, stack depth, well-formedness
        end = start + lengths[p]
        n_c = 0
        top = -1
        height = 0
        for j in range(end - 1, start - 1, -1):
            t = ids[j]
            kd = kind[t]
            if kd == OP:
                if height < arg[t]:
                    return nodes, progs, np.empty(0), depth, p, MALFORMED
                height -= arg[t] - 1
                continue
            if kd == CONST:
                n_c += 1
            elif kd == PARAMETER:
                top = max(top, arg[t])
            elif kd == LITERAL:
                n_lits[p] += 1
            height += 1
            depth = max(depth, height)
        if height != 1:
            return nodes, progs, np.empty(0), depth, p, MALFORMED
        k = n_c if n_c > 0 else top + 1
        if clens[p] >= 0 and clens[p] != k:
            return nodes, progs, np.empty(0), depth, p, WRONG_CONSTANTS
        progs[0, p] = start
        progs[1, p] = end - start
        progs[2, p] = n_vals
        progs[3, p] = k
        n_vals += k + n_lits[p]
        start = end
    vals = np.empty(n_vals)
    c0 = 0
    for p in range(n_prog):  # postfix nodes and values
        s, m, v0, k = progs[0, p], progs[1, p], progs[2, p], progs[3, p]
        if clens[p] >= 0:
            for q in range(k):
                vals[v0 + q] = cvals[c0 + q]
            c0 += k
        else:
            for q in range(k):
                vals[v0 + q] = 1.0
        ci = k
        li = k
        for j in range(m):
            t = ids[s + m - 1 - j]
            kd = kind[t]
            nodes[0, s + j] = code[t]
            if kd == OP:
                nodes[1, s + j] = 0
            elif kd == CONST:
                ci -= 1
                nodes[1, s + j] = ci
            elif kd == LITERAL:
                nodes[1, s + j] = li
                vals[v0 + li] = lit[t]
                li += 1
            else:
                nodes[1, s + j] = arg[t]
    return nodes, progs, vals, depth, -1, 0
