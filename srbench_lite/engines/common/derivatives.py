"""Forward-mode derivative rules of the compiled LM (:mod:`.fit_kernel`), one per operator.

Each rule runs as its own loop over the rows and reports a non-finite derivative by returning
False (the program's fit then stops). numba's disk cache of :func:`.fit_kernel.fit_batch`, which
inlines these functions, is keyed on that file: after editing this one, delete the
``*.nbi``/``*.nbc`` files in ``__pycache__``.
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
    SIN,
    SINH,
    SQRT,
    SQUARE,
    SUB,
    TAN,
    TANH,
)
from srbench_lite.engines.common.stack import BIG, all_finite, cbrt
from srbench_lite.engines.common.vmath import jit, vcos, vexp, vlog, vsin

__all__ = ["chain", "dbinary", "dfactor", "pow_factors"]


@jit
def dbinary(op, xs, ys, gxs, gys, dx, dy, n):
    """Derivative of ``x op y`` (``x`` the first operand) into ``gys[:n]`` from ``gxs`` (when
    ``dx``) and ``gys`` (when ``dy``); False if one is non-finite. Pow is the default."""
    if op == ADD or op == SUB:
        sign = 1.0 if op == ADD else -1.0
        if dx and dy:
            for i in range(n):
                gys[i] = gxs[i] + sign * gys[i]
        elif dx:
            for i in range(n):
                gys[i] = gxs[i]
        else:
            for i in range(n):
                gys[i] = sign * gys[i]
        return all_finite(gys, n)
    if op == MUL:
        if dx and dy:
            for i in range(n):
                gys[i] = gxs[i] * ys[i] + xs[i] * gys[i]
        elif dx:
            for i in range(n):
                gys[i] = gxs[i] * ys[i]
        else:
            for i in range(n):
                gys[i] = xs[i] * gys[i]
        return all_finite(gys, n)
    if op == DIV:
        for i in range(n):
            x = xs[i]
            y = ys[i]
            gx = gxs[i] if dx else 0.0
            gy = gys[i] if dy else 0.0
            gys[i] = (gx - x / y * gy) / y if y != 0.0 else math.inf
        return all_finite(gys, n)
    # pow: d(x**y) = y*x**(y-1)*dx + x**y*log(x)*dy, case by case for any base
    for i in range(n):
        x = xs[i]
        y = ys[i]
        gx = gxs[i] if dx else 0.0
        gy = gys[i] if dy else 0.0
        if gy != 0.0:
            g = y * x ** (y - 1.0) * gx + x**y * math.log(x) * gy if x > 0.0 else math.nan
        elif gx == 0.0:
            g = 0.0
        elif x == 0.0:
            g = gx if y == 1.0 else (0.0 if y > 1.0 else math.inf)
        else:
            g = y * x ** (y - 1.0) * gx
        if not abs(g) <= BIG:
            return False
        gys[i] = g
    return True


@jit
def dfactor(op, xs, f, n, w):
    """``f[:n]``: the derivative of unary ``op`` at ``xs`` (``w``: a scratch row); False where
    it is non-finite (or for an unknown opcode). Computed once per node, not per constant."""
    if op == SIN or op == COS or op == TAN or op == EXP:
        for i in range(n):
            f[i] = xs[i]
        if op == SIN:
            vcos(f, n)
        elif op == COS:
            vsin(f, n)
            for i in range(n):
                f[i] = -f[i]
        elif op == TAN:
            vcos(f, n)
            for i in range(n):
                f[i] = 1.0 / (f[i] * f[i]) if f[i] != 0.0 else math.inf
        else:
            vexp(f, n, w)
        return all_finite(f, n)
    for i in range(n):
        x = xs[i]
        if op == NEG:
            d = -1.0
        elif op == INV:
            d = -1.0 / (x * x) if x != 0.0 else math.inf
        elif op == LOG:
            d = 1.0 / x if x != 0.0 else math.inf
        elif op == SQRT:
            d = 0.5 / math.sqrt(x) if x > 0.0 else math.inf
        elif op == SQUARE:
            d = 2.0 * x
        elif op == CUBE:
            d = 3.0 * x * x
        elif op == ABS:
            d = 1.0 if x > 0.0 else (-1.0 if x < 0.0 else 0.0)
        elif op == TANH:
            t = math.tanh(x)
            d = 1.0 - t * t
        elif op == ASIN or op == ACOS:
            q2 = 1.0 - x * x
            d = 1.0 / math.sqrt(q2) if q2 > 0.0 else math.inf
            d = d if op == ASIN else -d
        elif op == ATAN:
            d = 1.0 / (1.0 + x * x)
        elif op == SINH:
            d = math.cosh(x)
        elif op == COSH:
            d = math.sinh(x)
        elif op == CBRT:
            r = cbrt(x)
            d = 1.0 / (3.0 * r * r) if x > 0.0 else math.inf
        else:
            d = math.nan
        if not abs(d) <= BIG:
            return False
        f[i] = d
    return True


@jit
def chain(f, gs, n):
    """``gs[:n] *= f[:n]``; False if a product is non-finite."""
    for i in range(n):
        gs[i] *= f[i]
    return all_finite(gs, n)


@jit
def pow_factors(xs, ys, fa, fb, dx, dy, n, w):
    """For ``x ** y`` with every ``x > 0``: ``fa = y x**(y-1)`` (when ``dx``) and
    ``fb = x**y log x`` (when ``dy``); False if some ``x <= 0`` (the caller then applies
    :func:`dbinary`'s case-by-case rule) or a factor is non-finite."""
    for i in range(n):
        if not xs[i] > 0.0:
            return False
        fb[i] = xs[i]
    vlog(fb, n, w)  # log x
    for i in range(n):
        fa[i] = (ys[i] - 1.0) * fb[i]
    vexp(fa, n, w)  # x ** (y - 1)
    for i in range(n):
        p = fa[i]
        fa[i] = ys[i] * p
        fb[i] = p * xs[i] * fb[i]
    return (not dx or all_finite(fa, n)) and (not dy or all_finite(fb, n))
