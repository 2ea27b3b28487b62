"""Forward-mode derivative rules of the compiled LM (:mod:`.fit_kernel`), one per operator.

Each rule runs as its own loop over the rows and reports a non-finite derivative by returning
False (the program's fit then stops). numba's disk cache of :func:`.fit_kernel.fit_batch`, which
inlines these functions, is keyed on that file: after editing this one, delete the
``*.nbi``/``*.nbc`` files in ``__pycache__``.
"""

from __future__ import annotations

import math

from srbench_lite.engines.common.kernels import (
    _ABS,
    _ACOS,
    _ADD,
    _ASIN,
    _ATAN,
    _BIG,
    _CBRT,
    _COS,
    _COSH,
    _CUBE,
    _DIV,
    _EXP,
    _INV,
    _LOG,
    _MUL,
    _NEG,
    _SIN,
    _SINH,
    _SQRT,
    _SQUARE,
    _SUB,
    _TAN,
    _TANH,
    _cbrt,
    _finite,
    _jit,
)
from srbench_lite.engines.common.vmath import vcos, vexp, vlog, vsin

__all__ = ["chain", "dbinary", "dfactor", "pow_factors"]


@_jit
def dbinary(op, xs, ys, gxs, gys, dx, dy, n):
    """Derivative of ``x op y`` (``x`` the first operand) into ``gys[:n]`` from ``gxs`` (when
    ``dx``) and ``gys`` (when ``dy``); False if one is non-finite. Pow is the default."""
    if op == _ADD or op == _SUB:
        sign = 1.0 if op == _ADD else -1.0
        if dx and dy:
            for i in range(n):
                gys[i] = gxs[i] + sign * gys[i]
        elif dx:
            for i in range(n):
                gys[i] = gxs[i]
        else:
            for i in range(n):
                gys[i] = sign * gys[i]
        return _finite(gys, n)
    if op == _MUL:
        if dx and dy:
            for i in range(n):
                gys[i] = gxs[i] * ys[i] + xs[i] * gys[i]
        elif dx:
            for i in range(n):
                gys[i] = gxs[i] * ys[i]
        else:
            for i in range(n):
                gys[i] = xs[i] * gys[i]
        return _finite(gys, n)
    if op == _DIV:
        for i in range(n):
            x = xs[i]
            y = ys[i]
            gx = gxs[i] if dx else 0.0
            gy = gys[i] if dy else 0.0
            gys[i] = (gx - x / y * gy) / y if y != 0.0 else math.inf
        return _finite(gys, n)
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
        if not abs(g) <= _BIG:
            return False
        gys[i] = g
    return True


@_jit
def dfactor(op, xs, f, n, w):
    """``f[:n]``: the derivative of unary ``op`` at ``xs`` (``w``: a scratch row); False where
    it is non-finite (or for an unknown opcode). Computed once per node, not per constant."""
    if op == _SIN or op == _COS or op == _TAN or op == _EXP:
        for i in range(n):
            f[i] = xs[i]
        if op == _SIN:
            vcos(f, n)
        elif op == _COS:
            vsin(f, n)
            for i in range(n):
                f[i] = -f[i]
        elif op == _TAN:
            vcos(f, n)
            for i in range(n):
                f[i] = 1.0 / (f[i] * f[i]) if f[i] != 0.0 else math.inf
        else:
            vexp(f, n, w)
        return _finite(f, n)
    for i in range(n):
        x = xs[i]
        if op == _NEG:
            d = -1.0
        elif op == _INV:
            d = -1.0 / (x * x) if x != 0.0 else math.inf
        elif op == _LOG:
            d = 1.0 / x if x != 0.0 else math.inf
        elif op == _SQRT:
            d = 0.5 / math.sqrt(x) if x > 0.0 else math.inf
        elif op == _SQUARE:
            d = 2.0 * x
        elif op == _CUBE:
            d = 3.0 * x * x
        elif op == _ABS:
            d = 1.0 if x > 0.0 else (-1.0 if x < 0.0 else 0.0)
        elif op == _TANH:
            t = math.tanh(x)
            d = 1.0 - t * t
        elif op == _ASIN or op == _ACOS:
            q2 = 1.0 - x * x
            d = 1.0 / math.sqrt(q2) if q2 > 0.0 else math.inf
            d = d if op == _ASIN else -d
        elif op == _ATAN:
            d = 1.0 / (1.0 + x * x)
        elif op == _SINH:
            d = math.cosh(x)
        elif op == _COSH:
            d = math.sinh(x)
        elif op == _CBRT:
            r = _cbrt(x)
            d = 1.0 / (3.0 * r * r) if x > 0.0 else math.inf
        else:
            d = math.nan
        if not abs(d) <= _BIG:
            return False
        f[i] = d
    return True


@_jit
def chain(f, gs, n):
    """``gs[:n] *= f[:n]``; False if a product is non-finite."""
    for i in range(n):
        gs[i] *= f[i]
    return _finite(gs, n)


@_jit
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
    return (not dx or _finite(fa, n)) and (not dy or _finite(fb, n))
