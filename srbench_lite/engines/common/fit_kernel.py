"""Compiled Levenberg-Marquardt: fit the constants of many programs per call.

The programs are packed as for :mod:`.kernels` (whose stack machine this module reuses).
Derivatives by the constants are forward-mode (exact, no finite differences): every stack
slot carries its values and, when it depends on a constant, its derivative by each constant;
each operator's derivative rule runs as its own loop over the rows. The model is
``a * f(x; c) + b`` with ``a, b`` solved in closed form after every step.
"""

from __future__ import annotations

import math

import numpy as np

from srbench_lite.engines.common.kernels import (
    _ABS,
    _ACOS,
    _ADD,
    _ASIN,
    _BIG,
    _COS,
    _CUBE,
    _DIV,
    _EXP,
    _INV,
    _LOG,
    _MUL,
    _NEG,
    _SIN,
    _SQRT,
    _SQUARE,
    _SUB,
    _TAN,
    _TANH,
    _binary,
    _finite,
    _jit,
    _leaf,
    _run,
    _scale,
    _unary,
    _y_stats,
)
from srbench_lite.engines.common.operators import VAL, VAR

__all__ = ["fit_batch"]


@_jit
def _dbinary(op, xs, ys, gxs, gys, dx, dy, n):
    """Derivative of ``x op y`` (``x`` the first operand) into ``gys[:n]`` from ``gxs`` (when
    ``dx``) and ``gys`` (when ``dy``); False at the first non-finite one. Pow is the default."""
    if op == _ADD:
        for i in range(n):
            g = (gxs[i] if dx else 0.0) + (gys[i] if dy else 0.0)
            if not abs(g) <= _BIG:
                return False
            gys[i] = g
    elif op == _SUB:
        for i in range(n):
            g = (gxs[i] if dx else 0.0) - (gys[i] if dy else 0.0)
            if not abs(g) <= _BIG:
                return False
            gys[i] = g
    elif op == _MUL:
        for i in range(n):
            g = (gxs[i] if dx else 0.0) * ys[i] + xs[i] * (gys[i] if dy else 0.0)
            if not abs(g) <= _BIG:
                return False
            gys[i] = g
    elif op == _DIV:
        for i in range(n):
            x = xs[i]
            y = ys[i]
            gx = gxs[i] if dx else 0.0
            gy = gys[i] if dy else 0.0
            g = (gx - x / y * gy) / y if y != 0.0 else math.inf
            if not abs(g) <= _BIG:
                return False
            gys[i] = g
    else:  # pow: d(x**y) = y*x**(y-1)*dx + x**y*log(x)*dy
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
def _dunary(op, xs, gs, n):
    """Derivative of ``op(x)`` into ``gs[:n]`` from that of ``x`` (``gs``); False at the first
    non-finite one (or for an unknown opcode)."""
    for i in range(n):
        x = xs[i]
        gx = gs[i]
        if op == _NEG:
            g = -gx
        elif op == _INV:
            g = -gx / (x * x) if x != 0.0 else math.inf
        elif op == _SIN:
            g = math.cos(x) * gx
        elif op == _COS:
            g = -math.sin(x) * gx
        elif op == _TAN:
            c = math.cos(x)
            g = gx / (c * c) if c != 0.0 else math.inf
        elif op == _EXP:
            g = math.exp(x) * gx if x < 709.78 else math.inf
        elif op == _LOG:
            g = gx / x if x != 0.0 else math.inf
        elif op == _SQRT:
            g = 0.5 * gx / math.sqrt(x) if x > 0.0 else math.inf
        elif op == _SQUARE:
            g = 2.0 * x * gx
        elif op == _CUBE:
            g = 3.0 * x * x * gx
        elif op == _ABS:
            g = gx if x > 0.0 else (-gx if x < 0.0 else 0.0)
        elif op == _TANH:
            t = math.tanh(x)
            g = (1.0 - t * t) * gx
        elif op == _ASIN or op == _ACOS:
            q2 = 1.0 - x * x
            g = gx / math.sqrt(q2) if q2 > 0.0 else math.inf
            g = g if op == _ASIN else -g
        else:
            g = math.nan
        if not abs(g) <= _BIG:
            return False
        gs[i] = g
    return True


@_jit
def _run_grad(code, arg, s, length, vals, v0, k, X, st, dst, dep):
    """Values (``st[0]``) and derivatives by each constant (``dst[0, j]``); False if any
    intermediate value or derivative is non-finite. ``dep[d]``: slot ``d`` depends on a constant.
    """
    n = X.shape[1]
    sp = 0
    for j in range(s, s + length):
        op = code[j]
        if op == VAR or op == VAL:
            _leaf(op, arg[j], vals, v0, X, st[sp], n)
            idx = arg[j]
            dep[sp] = op == VAL and idx < k
            if dep[sp]:
                for q in range(k):
                    w = 1.0 if q == idx else 0.0
                    for i in range(n):
                        dst[sp, q, i] = w
            sp += 1
        elif op < 10:  # binary: first operand on top (slot t), result into slot u below it
            sp -= 1
            t = sp
            u = sp - 1
            dx = dep[t]
            dy = dep[u]
            if dx or dy:
                for q in range(k):
                    if not _dbinary(op, st[t], st[u], dst[t, q], dst[u, q], dx, dy, n):
                        return False
            dep[u] = dx or dy
            if not (_binary(op, st[t], st[u], n) and _finite(st[u], n)):
                return False
        else:
            u = sp - 1
            if dep[u]:
                for q in range(k):
                    if not _dunary(op, st[u], dst[u, q], n):
                        return False
            if not (_unary(op, st[u], n) and _finite(st[u], n)):
                return False
    return True


@_jit
def _solve(A, g, m, L, x):
    """Solve ``A x = g`` (``m x m``, symmetric positive definite) by Cholesky into ``x``,
    with ``L`` as workspace; False if ``A`` is not SPD."""
    for i in range(m):
        for j in range(i + 1):
            s = A[i, j]
            for t in range(j):
                s -= L[i, t] * L[j, t]
            if i == j:
                if not s > 0.0:
                    return False
                L[i, i] = math.sqrt(s)
            else:
                L[i, j] = s / L[j, j]
    for i in range(m):  # L z = g, z kept in x
        s = g[i]
        for t in range(i):
            s -= L[i, t] * x[t]
        x[i] = s / L[i, i]
    for i in range(m - 1, -1, -1):  # L^T x = z
        s = x[i]
        for t in range(i + 1, m):
            s -= L[t, i] * x[t]
        x[i] = s / L[i, i]
    return True


@_jit
def _sse_at(code, arg, s, length, vals, v0, X, y, st, scale, ym, yy):
    n = X.shape[1]
    if not _run(code, arg, s, length, vals, v0, X, st):
        return math.inf, 1.0, 0.0
    loss, a, b = _scale(st[0], y, n, ym, yy, scale)
    return loss, a, b


@_jit
def fit_batch(nodes, progs, vals, X, y, depth, iters, scale, out):
    """Levenberg-Marquardt on the first ``progs[3, p]`` values of every program (in place).

    The model is ``a * f(x; c) + b`` with ``a, b`` re-solved in closed form after every step
    (``scale``) or fixed to 1, 0. A program's values only change when the loss improves;
    ``out[0], out[1], out[2]`` receive the final NMSE and scaling (``inf`` when undefined).
    """
    code, arg = nodes[0], nodes[1]
    nconst = progs[3]
    n_prog = progs.shape[1]
    n = X.shape[1]
    ym, yy = _y_stats(y)
    kmax = 1
    for p in range(n_prog):
        kmax = max(kmax, nconst[p])
    st = np.empty((depth, n))
    dst = np.empty((depth, kmax, n))
    dep = np.zeros(depth, dtype=np.bool_)
    mmax = kmax + 2
    A = np.empty((mmax, mmax))  # J^T J, its damped copy, Cholesky factor: reused workspace
    D = np.empty((mmax, mmax))
    chol = np.empty((mmax, mmax))
    g = np.empty(mmax)
    col = np.empty(mmax)
    step = np.empty(mmax)
    trial = np.empty(kmax)
    for p in range(n_prog):
        s, L, v0, k = progs[0, p], progs[1, p], progs[2, p], progs[3, p]
        f, ca, cb = _sse_at(code, arg, s, L, vals, v0, X, y, st, scale, ym, yy)
        if k == 0 or not f < math.inf:
            out[0, p], out[1, p], out[2, p] = f, ca, cb
            continue
        m = k + 2 if scale else k
        lam = 1e-3
        for _ in range(iters):
            if f <= 1e-30:
                break
            if not _run_grad(code, arg, s, L, vals, v0, k, X, st, dst, dep):
                break
            # Jacobian of r = a*f + b - y by (c_1..c_k, a, b) and the residual, as J^T J, J^T r
            for u in range(m):
                g[u] = 0.0
                for w in range(m):
                    A[u, w] = 0.0
            for i in range(n):
                fi = st[0, i]
                if dep[0]:
                    for q in range(k):
                        col[q] = ca * dst[0, q, i] if scale else dst[0, q, i]
                else:
                    for q in range(k):
                        col[q] = 0.0
                if scale:
                    col[k] = fi
                    col[k + 1] = 1.0
                    r = ca * fi + cb - y[i]
                else:
                    r = fi - y[i]
                for u in range(m):
                    g[u] += col[u] * r
                    for w in range(u + 1):
                        A[u, w] += col[u] * col[w]
            for u in range(m):
                for w in range(u):
                    A[w, u] = A[u, w]
            improved = False
            while lam < 1e10:
                for u in range(m):
                    for w in range(m):
                        D[u, w] = A[u, w]
                    D[u, u] += lam * A[u, u] + 1e-12 * (1.0 + A[u, u])
                if not _solve(D, g, m, chol, step):
                    lam *= 10.0
                    continue
                for q in range(k):
                    trial[q] = vals[v0 + q]
                    vals[v0 + q] -= step[q]
                fn, na, nb = _sse_at(code, arg, s, L, vals, v0, X, y, st, scale, ym, yy)
                if fn < f:
                    improved = fn < f * (1.0 - 1e-10)
                    f, ca, cb = fn, na, nb
                    lam = max(lam * 0.2, 1e-12)
                    break
                for q in range(k):
                    vals[v0 + q] = trial[q]
                lam *= 5.0
            if not improved:
                break
        out[0, p], out[1, p], out[2, p] = f, ca, cb
