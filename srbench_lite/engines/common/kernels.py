"""Compiled (numba) stack machine: evaluate and score many programs per call.

A batch of programs is packed by :mod:`.program` into flat arrays: ``nodes[0]``/``nodes[1]``
(code/arg) hold every program's nodes in postfix order (code the opcode from :mod:`.operators`;
arg the column of a :data:`VAR` leaf or the index of a :data:`VAL` leaf into the program's
values); ``progs[0..3]`` are each program's start, length, first value and number of fitted
constants; ``vals`` holds each program's values (its fitted constants first, then its
literals). ``X`` is ``(n_features, n_rows)``, C-contiguous. Few arguments per call: the numba
dispatcher's cost grows with them.

Every kernel rejects a program whose intermediate values are ever non-finite (overflow,
division by zero, log of a negative ...), as :func:`.evaluate.evaluate` does: its loss is
``inf``. Constant fitting (:mod:`.fit_kernel`) and packing (:mod:`.pack_kernel`) build on this
module. Imported only where numba is available (:mod:`.batch` decides); compiled once and
cached on disk (``cache=True``).
"""

from __future__ import annotations

import contextlib
import math

import numba
import numpy as np

from srbench_lite.engines.common.operators import OPS, VAL, VAR
from srbench_lite.engines.common.vmath import jit as _jit
from srbench_lite.engines.common.vmath import vcos, vexp, vlog, vpow, vsin

_ADD = OPS["add"].code
_SUB = OPS["sub"].code
_MUL = OPS["mul"].code
_DIV = OPS["div"].code
_POW = OPS["pow"].code
_NEG = OPS["neg"].code
_INV = OPS["inv"].code
_SIN = OPS["sin"].code
_COS = OPS["cos"].code
_TAN = OPS["tan"].code
_EXP = OPS["exp"].code
_LOG = OPS["log"].code
_SQRT = OPS["sqrt"].code
_SQUARE = OPS["square"].code
_CUBE = OPS["cube"].code
_ABS = OPS["abs"].code
_TANH = OPS["tanh"].code
_ASIN = OPS["asin"].code
_ACOS = OPS["acos"].code
_ATAN = OPS["atan"].code
_SINH = OPS["sinh"].code
_COSH = OPS["cosh"].code
_CBRT = OPS["cbrt"].code
_BIG = 1.7976931348623157e308
#: unary opcodes that can map a non-finite input to a finite value (their inputs are checked)
_SWALLOWS = np.zeros(64, dtype=np.bool_)
for _name in ("inv", "exp", "tanh", "atan"):
    _SWALLOWS[OPS[_name].code] = True  # |v| <= _BIG is False for nan and +-inf

#: rows a stack carries beyond its ``depth`` rows: workspace of the vector math
SCRATCH = 2


#: for sums over the rows: reassociation lets LLVM vectorise them (nan and inf still behave)
_jit_sums = numba.njit(cache=True, nogil=True, fastmath={"reassoc"}, error_model="numpy")


@_jit
def _finite(u, n):
    bad = 0  # counted, not returned at the first one: the loop vectorises
    for i in range(n):
        bad += not abs(u[i]) <= _BIG
    return bad == 0


@_jit
def _cbrt(x):
    """Cube root of ``x >= 0`` (within an ulp: ``x**(1/3)`` and one Newton step); nan for
    ``x < 0``, as sympy's real ``x**(1/3)``."""
    if not x > 0.0 or x == math.inf:  # 0, inf, nan, negative
        return x if x >= 0.0 else math.nan
    r = x ** (1.0 / 3.0)
    return r + (x / (r * r) - r) / 3.0


@_jit
def _unary(op, u, n, w):
    """Apply unary ``op`` in place to ``u[:n]`` (``w``: a scratch row); False for an unknown
    opcode.

    One loop per operator (the dispatch is outside the loop, so simple ones vectorise; exp,
    log, sin and cos are :mod:`.vmath`'s). Non-finite results are not checked here: see
    :func:`_run`."""
    if op == _NEG:
        for i in range(n):
            u[i] = -u[i]
    elif op == _INV:
        for i in range(n):
            u[i] = 1.0 / u[i] if u[i] != 0.0 else math.inf
    elif op == _SIN:
        vsin(u, n)
    elif op == _COS:
        vcos(u, n)
    elif op == _TAN:
        for i in range(n):
            u[i] = math.tan(u[i])
    elif op == _EXP:
        vexp(u, n, w)
    elif op == _LOG:
        vlog(u, n, w)
    elif op == _SQRT:
        for i in range(n):
            u[i] = math.sqrt(u[i]) if u[i] >= 0.0 else math.nan
    elif op == _SQUARE:
        for i in range(n):
            u[i] = u[i] * u[i]
    elif op == _CUBE:
        for i in range(n):
            u[i] = u[i] * u[i] * u[i]
    elif op == _ABS:
        for i in range(n):
            u[i] = abs(u[i])
    elif op == _TANH:
        for i in range(n):
            u[i] = math.tanh(u[i])
    elif op == _ASIN:
        for i in range(n):
            u[i] = math.asin(u[i]) if abs(u[i]) <= 1.0 else math.nan
    elif op == _ACOS:
        for i in range(n):
            u[i] = math.acos(u[i]) if abs(u[i]) <= 1.0 else math.nan
    elif op == _ATAN:
        for i in range(n):
            u[i] = math.atan(u[i])
    elif op == _SINH:
        for i in range(n):
            u[i] = math.sinh(u[i])
    elif op == _COSH:
        for i in range(n):
            u[i] = math.cosh(u[i])
    elif op == _CBRT:
        for i in range(n):
            u[i] = _cbrt(u[i])
    else:
        return False
    return True


@_jit
def _binary(op, u, v, n, w1, w2):
    """``v[:n] = u op v`` in place (``u`` is the first operand; ``w1``, ``w2``: scratch rows);
    False for an unknown opcode."""
    if op == _ADD:
        for i in range(n):
            v[i] = u[i] + v[i]
    elif op == _SUB:
        for i in range(n):
            v[i] = u[i] - v[i]
    elif op == _MUL:
        for i in range(n):
            v[i] = u[i] * v[i]
    elif op == _DIV:
        for i in range(n):
            v[i] = u[i] / v[i] if v[i] != 0.0 else math.inf
    elif op == _POW:
        vpow(u, v, n, w1, w2)
    else:
        return False
    return True


@_jit
def _leaf(op, a, vals, v0, X, out, n):
    """A leaf's values into ``out[:n]``: column ``a`` of ``X`` or value ``a`` of the program."""
    if op == VAR:
        row = X[a]
        for i in range(n):
            out[i] = row[i]
    else:
        v = vals[v0 + a]
        for i in range(n):
            out[i] = v


@_jit
def _run(code, arg, s, length, vals, v0, X, stack):
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
            _leaf(op, arg[j], vals, v0, X, stack[sp], n)
            sp += 1
        elif op < 10:  # binary: the first operand is on top, the result replaces the second
            sp -= 1
            swallows = op == _DIV or op == _POW
            if swallows and not (_finite(stack[sp], n) and _finite(stack[sp - 1], n)):
                return False
            if not _binary(op, stack[sp], stack[sp - 1], n, w1, w2):
                return False
        else:
            if _SWALLOWS[op] and not _finite(stack[sp - 1], n):
                return False
            if not _unary(op, stack[sp - 1], n, w1):
                return False
    return _finite(stack[0], n)


@_jit_sums
def _scale(p, y, n, ym, yy, scale):
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
    if not (var > 1e-300 and var > 1e-24 * pm * pm * n) or not abs(var) <= _BIG:
        return 1.0, 0.0, ym
    a = cov / var
    b = ym - a * pm
    sse = 0.0
    for i in range(n):
        d = a * p[i] + b - y[i]
        sse += d * d
    if not abs(sse) <= _BIG:
        return 1.0, 0.0, ym
    return sse / yy, a, b


@_jit
def _y_stats(y):
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


@_jit
def eval_batch(nodes, progs, vals, X, depth, out):
    """Values of every program on every row into ``out[p]``; returns an ok flag per program."""
    code, arg = nodes[0], nodes[1]
    n_prog = progs.shape[1]
    n = X.shape[1]
    stack = np.empty((depth + SCRATCH, n))
    ok = np.zeros(n_prog, dtype=np.bool_)
    for p in range(n_prog):
        if _run(code, arg, progs[0, p], progs[1, p], vals, progs[2, p], X, stack):
            ok[p] = True
            for i in range(n):
                out[p, i] = stack[0, i]
    return ok


@_jit
def score_batch(nodes, progs, vals, X, y, depth, scale, out):
    """NMSE (``out[0]``, ``inf`` if undefined) and the scaling ``a, b`` (``out[1], out[2]``) of
    every program."""
    code, arg = nodes[0], nodes[1]
    n_prog = progs.shape[1]
    n = X.shape[1]
    ym, yy = _y_stats(y)
    stack = np.empty((depth + SCRATCH, n))
    for p in range(n_prog):
        if _run(code, arg, progs[0, p], progs[1, p], vals, progs[2, p], X, stack):
            out[0, p], out[1, p], out[2, p] = _scale(stack[0], y, n, ym, yy, scale)
        else:
            out[0, p], out[1, p], out[2, p] = math.inf, 1.0, 0.0


KERNELS = (eval_batch, score_batch)


def compiled() -> bool:
    """Whether every kernel can run without compiling first: compiled in this process, or in
    numba's on-disk cache for the current source (a first compilation takes seconds)."""
    from srbench_lite.engines.common.fit_kernel import fit_batch
    from srbench_lite.engines.common.pack_kernel import pack_batch

    for f in (*KERNELS, fit_batch, pack_batch):
        if f.signatures:
            continue
        try:
            if not f._cache._cache_file._load_index():  # numba's own staleness check
                return False
        except Exception:  # numba internals moved: assume cached, compile if not
            continue
    return True


def warm_up() -> None:
    """Compile (and cache on disk) every kernel (packing included) on a tiny batch."""
    from srbench_lite.engines.common.fit_kernel import fit_batch
    from srbench_lite.engines.common.program import pack

    P = pack([("add", "x0", "c")], [[1.0]])
    X = np.ones((1, 4))
    y = np.arange(4.0)
    eval_batch(P.nodes, P.progs, P.vals, X, P.depth, np.empty((1, 4)))
    score_batch(P.nodes, P.progs, P.vals, X, y, P.depth, True, np.empty((3, 1)))
    fit_batch(P.nodes, P.progs, P.vals.copy(), X, y, P.depth, 2, True, np.empty((3, 1)))


if __name__ == "__main__":  # python -m srbench_lite.engines.common.kernels [LOCK]: build the cache
    import os
    import sys

    try:
        warm_up()
    finally:  # release the lock file that batch.fit_backend took for this compilation
        if len(sys.argv) > 1:
            with contextlib.suppress(OSError):
                os.unlink(sys.argv[1])
