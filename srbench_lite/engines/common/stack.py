"""The compiled (numba) stack machine: evaluate and score many programs per call.

A batch of programs is packed by :mod:`.program` into flat arrays: ``nodes[0]``/``nodes[1]``
(code/arg) hold every program's nodes in postfix order (code the opcode from :mod:`.opcodes`;
arg the column of a :data:`VAR` leaf or the index of a :data:`VAL` leaf into the program's
values); ``progs[0..3]`` are each program's start, length, first value and number of fitted
constants; ``vals`` holds each program's values (its fitted constants first, then its
literals). ``X`` is ``(n_features, n_rows)``, C-contiguous. Few arguments per call: the numba
dispatcher's cost grows with them.

Every kernel rejects a program whose intermediate values are ever non-finite (overflow,
division by zero, log of a negative ...), as :func:`.evaluate.evaluate` does: its loss is
``inf``. :func:`run_program` and its helpers are shared with the constant fitting of
:mod:`.fit_kernel`. Imported only where numba is available (:mod:`.batch` decides); compiled
once and cached on disk (``cache=True``). numba's disk cache of a kernel is keyed on the file
that defines it: after editing this module, delete the ``*.nbi``/``*.nbc`` files in
``__pycache__`` (the kernels of :mod:`.fit_kernel` inline its functions).
"""

from __future__ import annotations

import math

import numba
import numpy as np

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
    FIRST_UNARY,
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
    VAL,
    VAR,
)
from srbench_lite.engines.common.vmath import jit, vcos, vexp, vlog, vpow, vsin

__all__ = [
    "BIG",
    "SCRATCH",
    "all_finite",
    "apply_binary",
    "apply_unary",
    "cbrt",
    "eval_batch",
    "jit_sums",
    "load_leaf",
    "run_program",
    "scaled_loss",
    "score_batch",
    "target_stats",
]

#: the largest finite double: ``not abs(v) <= BIG`` is True for nan and +-inf
BIG = 1.7976931348623157e308
#: unary opcodes that can map a non-finite input to a finite value (their inputs are checked)
_SWALLOWS = np.zeros(64, dtype=np.bool_)
for _code in (INV, EXP, TANH, ATAN):
    _SWALLOWS[_code] = True

#: rows a stack carries beyond its ``depth`` rows: workspace of the vector math
SCRATCH = 2


#: for sums over the rows: reassociation lets LLVM vectorise them (nan and inf still behave)
jit_sums = numba.njit(cache=True, nogil=True, fastmath={"reassoc"}, error_model="numpy")


@jit
def all_finite(u, n):
    """Whether ``u[:n]`` is all finite."""
    bad = 0  # counted, not returned at the first one: the loop vectorises
    for i in range(n):
        bad += not abs(u[i]) <= BIG
    return bad == 0


@jit
def cbrt(x):
    """Cube root of ``x >= 0`` (within an ulp: ``x**(1/3)`` and one Newton step); nan for
    ``x < 0``, as sympy's real ``x**(1/3)``."""
    if not x > 0.0 or x == math.inf:  # 0, inf, nan, negative
        return x if x >= 0.0 else math.nan
    r = x ** (1.0 / 3.0)
    return r + (x / (r * r) - r) / 3.0


@jit
def apply_unary(op, u, n, w):
    """Apply unary ``op`` in place to ``u[:n]`` (``w``: a scratch row); False for an unknown
    opcode.

    One loop per operator (the dispatch is outside the loop, so simple ones vectorise; exp,
    log, sin and cos are :mod:`.vmath`'s). Non-finite results are not checked here: see
    :func:`run_program`."""
    if op == NEG:
        for i in range(n):
            u[i] = -u[i]
    elif op == INV:
        for i in range(n):
            u[i] = 1.0 / u[i] if u[i] != 0.0 else math.inf
    elif op == SIN:
        vsin(u, n)
    elif op == COS:
        vcos(u, n)
    elif op == TAN:
        for i in range(n):
            u[i] = math.tan(u[i])
    elif op == EXP:
        vexp(u, n, w)
    elif op == LOG:
        vlog(u, n, w)
    elif op == SQRT:
        for i in range(n):
            u[i] = math.sqrt(u[i]) if u[i] >= 0.0 else math.nan
    elif op == SQUARE:
        for i in range(n):
            u[i] = u[i] * u[i]
    elif op == CUBE:
        for i in range(n):
            u[i] = u[i] * u[i] * u[i]
    elif op == ABS:
        for i in range(n):
            u[i] = abs(u[i])
    elif op == TANH:
        for i in range(n):
            u[i] = math.tanh(u[i])
    elif op == ASIN:
        for i in range(n):
            u[i] = math.asin(u[i]) if abs(u[i]) <= 1.0 else math.nan
    elif op == ACOS:
        for i in range(n):
            u[i] = math.acos(u[i]) if abs(u[i]) <= 1.0 else math.nan
    elif op == ATAN:
        for i in range(n):
            u[i] = math.atan(u[i])
    elif op == SINH:
        for i in range(n):
            u[i] = math.sinh(u[i])
    elif op == COSH:
        for i in range(n):
            u[i] = math.cosh(u[i])
    elif op == CBRT:
        for i in range(n):
            u[i] = cbrt(u[i])
    else:
        return False
    return True


@jit
def apply_binary(op, u, v, n, w1, w2):
    """``v[:n] = u op v`` in place (``u`` is the first operand; ``w1``, ``w2``: scratch rows);
    False for an unknown opcode."""
    if op == ADD:
        for i in range(n):
            v[i] = u[i] + v[i]
    elif op == SUB:
        for i in range(n):
            v[i] = u[i] - v[i]
    elif op == MUL:
        for i in range(n):
            v[i] = u[i] * v[i]
    elif op == DIV:
        for i in range(n):
            v[i] = u[i] / v[i] if v[i] != 0.0 else math.inf
    elif op == POW:
        vpow(u, v, n, w1, w2)
    else:
        return False
    return True


@jit
def load_leaf(op, a, vals, v0, X, out, n):
    """A leaf's values into ``out[:n]``: column ``a`` of ``X`` or value ``a`` of the program."""
    if op == VAR:
        row = X[a]
        for i in range(n):
            out[i] = row[i]
    else:
        v = vals[v0 + a]
        for i in range(n):
            out[i] = v


@jit
def run_program(code, arg, s, length, vals, v0, X, stack):
    """Evaluate one program into ``stack[0]``; False if any intermediate is non-finite.
    ``stack`` has :data:`SCRATCH` rows beyond the program's depth.

    Every operator turns a non-finite input into a non-finite output except div, pow, inv,
    exp, tanh and atan (``x/inf = 0``, ``exp(-inf) = 0`` ...): so those operators' inputs and
    the final values are checked, rather than every intermediate."""
    n = X.shape[1]
    w1 = stack[stack.shape[0] - 2]
    w2 = stack[stack.shape[0] - 1]
    sp = 0
    for j in range(s, s + length):
        op = code[j]
        if op == VAR or op == VAL:
            load_leaf(op, arg[j], vals, v0, X, stack[sp], n)
            sp += 1
        elif op < FIRST_UNARY:  # binary: first operand on top, the result replaces the second
            sp -= 1
            swallows = op == DIV or op == POW
            if swallows and not (all_finite(stack[sp], n) and all_finite(stack[sp - 1], n)):
                return False
            if not apply_binary(op, stack[sp], stack[sp - 1], n, w1, w2):
                return False
        else:
            if _SWALLOWS[op] and not all_finite(stack[sp - 1], n):
                return False
            if not apply_unary(op, stack[sp - 1], n, w1):
                return False
    return all_finite(stack[0], n)


@jit_sums
def scaled_loss(p, y, n, ym, yy, scale):
    """``(loss, a, b)``: NMSE of ``a*p + b`` (best a, b when ``scale``) against ``y``."""
    if not scale:
        sse = 0.0
        for i in range(n):
            d = p[i] - y[i]
            sse += d * d
        return sse / yy, 1.0, 0.0
    pm = 0.0
    for i in range(n):
        pm += p[i]
    pm /= n
    var = 0.0
    cov = 0.0
    for i in range(n):
        d = p[i] - pm
        var += d * d
        cov += d * (y[i] - ym)
    if not (var > 1e-300 and var > 1e-24 * pm * pm * n) or not abs(var) <= BIG:
        return 1.0, 0.0, ym
    a = cov / var
    b = ym - a * pm
    sse = 0.0
    for i in range(n):
        d = a * p[i] + b - y[i]
        sse += d * d
    if not abs(sse) <= BIG:
        return 1.0, 0.0, ym
    return sse / yy, a, b


@jit
def target_stats(y):
    """``(mean, normaliser)`` of ``y``: the NMSE divides by ``sum((y - mean)**2)``, or by
    ``sum(y**2)`` (1 if that is 0 too) for a constant ``y``."""
    n = y.shape[0]
    ym = 0.0
    for i in range(n):
        ym += y[i]
    ym /= n
    yy = 0.0
    for i in range(n):
        yy += (y[i] - ym) ** 2
    if not yy > 0.0:
        yy = 0.0
        for i in range(n):
            yy += y[i] * y[i]
        if not yy > 0.0:
            yy = 1.0
    return ym, yy


@jit
def eval_batch(nodes, progs, vals, X, depth, out):
    """Values of every program on every row into ``out[p]``; returns an ok flag per program."""
    code, arg = nodes[0], nodes[1]
    n_prog = progs.shape[1]
    n = X.shape[1]
    stack = np.empty((depth + SCRATCH, n))
    ok = np.zeros(n_prog, dtype=np.bool_)
    for p in range(n_prog):
        if run_program(code, arg, progs[0, p], progs[1, p], vals, progs[2, p], X, stack):
            ok[p] = True
            for i in range(n):
                out[p, i] = stack[0, i]
    return ok


@jit
def score_batch(nodes, progs, vals, X, y, depth, scale, out):
    """NMSE (``out[0]``, ``inf`` if undefined) and the scaling ``a, b`` (``out[1], out[2]``) of
    every program."""
    code, arg = nodes[0], nodes[1]
    n_prog = progs.shape[1]
    n = X.shape[1]
    ym, yy = target_stats(y)
    stack = np.empty((depth + SCRATCH, n))
    for p in range(n_prog):
        if run_program(code, arg, progs[0, p], progs[1, p], vals, progs[2, p], X, stack):
            out[0, p], out[1, p], out[2, p] = scaled_loss(stack[0], y, n, ym, yy, scale)
        else:
            out[0, p], out[1, p], out[2, p] = math.inf, 1.0, 0.0
