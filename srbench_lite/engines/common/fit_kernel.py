"""Compiled Levenberg-Marquardt: fit the constants of many programs per call.

The programs are packed as for :mod:`.stack` (whose stack machine this module reuses).
Derivatives by the constants are forward-mode (exact, no finite differences): every stack
slot carries its values and, when it depends on a constant, its derivative by each constant;
each operator's derivative rule (:mod:`.derivatives`) runs as its own loop over the rows. The
model is ``a * f(x; c) + b`` with ``a, b`` solved in closed form after every step.
"""

from __future__ import annotations

import math

import numpy as np

from srbench_lite.engines.common.derivatives import chain, dbinary, dfactor, pow_factors
from srbench_lite.engines.common.opcodes import FIRST_UNARY, POW, VAL, VAR
from srbench_lite.engines.common.stack import (
    SCRATCH,
    all_finite,
    apply_binary,
    apply_unary,
    jit_sums,
    load_leaf,
    run_program,
    scaled_loss,
    target_stats,
)
from srbench_lite.engines.common.vmath import jit

__all__ = ["fit_batch"]


@jit
def _run_grad(code, arg, s, length, vals, v0, k, X, st, dst, dep):
    """Values (``st[0]``) and derivatives by each constant (``dst[0, j]``); False if any
    intermediate value or derivative is non-finite. ``dep[d]``: slot ``d`` depends on a constant.
    ``st`` has ``SCRATCH + 2`` rows beyond the program's depth: two for the derivative factors
    of a node, then the vector math's workspace.
    """
    n = X.shape[1]
    top = st.shape[0]
    fa = st[top - 4]
    fb = st[top - 3]
    w1 = st[top - 2]
    w2 = st[top - 1]
    sp = 0
    for j in range(s, s + length):
        op = code[j]
        if op == VAR or op == VAL:
            load_leaf(op, arg[j], vals, v0, X, st[sp], n)
            idx = arg[j]
            dep[sp] = op == VAL and idx < k
            if dep[sp]:
                for q in range(k):
                    w = 1.0 if q == idx else 0.0
                    for i in range(n):
                        dst[sp, q, i] = w
            sp += 1
        elif op < FIRST_UNARY:  # binary: first operand on top (slot t), result into slot u below it
            sp -= 1
            t = sp
            u = sp - 1
            dx = dep[t]
            dy = dep[u]
            if dx or dy:
                if op == POW and pow_factors(st[t], st[u], fa, fb, dx, dy, n, w1):
                    for q in range(k):
                        gx = dst[t, q]
                        gy = dst[u, q]
                        for i in range(n):
                            gy[i] = (fa[i] * gx[i] if dx else 0.0) + (fb[i] * gy[i] if dy else 0.0)
                        if not all_finite(gy, n):
                            return False
                else:
                    for q in range(k):
                        if not dbinary(op, st[t], st[u], dst[t, q], dst[u, q], dx, dy, n):
                            return False
            dep[u] = dx or dy
            if not (apply_binary(op, st[t], st[u], n, w1, w2) and all_finite(st[u], n)):
                return False
        else:
            u = sp - 1
            if dep[u]:
                if not dfactor(op, st[u], fa, n, w1):
                    return False
                for q in range(k):
                    if not chain(fa, dst[u, q], n):
                        return False
            if not (apply_unary(op, st[u], n, w1) and all_finite(st[u], n)):
                return False
    return True


@jit_sums
def _dot(u, v, n):
    t = 0.0
    for i in range(n):
        t += u[i] * v[i]
    return t


@jit_sums
def _sum(u, n):
    t = 0.0
    for i in range(n):
        t += u[i]
    return t


@jit
def _normal_equations(f, df, dep, k, ca, cb, y, scale, n, res, A, g):
    """``A = J^T J`` and ``g = J^T r`` for ``r = a*f + b - y`` (``res`` receives ``r``) by the
    constants (columns ``a * df[q]``, zero unless ``dep``) and, when ``scale``, by ``a`` and
    ``b`` (columns ``f`` and ones): one vectorised dot product per entry."""
    m = k + 2 if scale else k
    for i in range(n):
        res[i] = ca * f[i] + cb - y[i] if scale else f[i] - y[i]
    w = ca if scale else 1.0
    for u in range(k):
        g[u] = w * _dot(df[u], res, n) if dep else 0.0
        for v in range(u + 1):
            A[u, v] = w * w * _dot(df[u], df[v], n) if dep else 0.0
    if scale:
        g[k] = _dot(f, res, n)
        g[k + 1] = _sum(res, n)
        for u in range(k):
            A[k, u] = w * _dot(df[u], f, n) if dep else 0.0
            A[k + 1, u] = w * _sum(df[u], n) if dep else 0.0
        A[k, k] = _dot(f, f, n)
        A[k + 1, k] = _sum(f, n)
        A[k + 1, k + 1] = float(n)
    for u in range(m):
        for v in range(u):
            A[v, u] = A[u, v]


@jit
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


@jit
def _sse_at(code, arg, s, length, vals, v0, X, y, st, scale, ym, yy):
    n = X.shape[1]
    if not run_program(code, arg, s, length, vals, v0, X, st):
        return math.inf, 1.0, 0.0
    loss, a, b = scaled_loss(st[0], y, n, ym, yy, scale)
    return loss, a, b


@jit
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
    ym, yy = target_stats(y)
    kmax = 1
    for p in range(n_prog):
        kmax = max(kmax, nconst[p])
    st = np.empty((depth + SCRATCH + 2, n))  # + workspace of the vector math and the chain rule
    dst = np.empty((depth, kmax, n))
    dep = np.zeros(depth, dtype=np.bool_)
    mmax = kmax + 2
    A = np.empty((mmax, mmax))  # J^T J, its damped copy, Cholesky factor: reused workspace
    D = np.empty((mmax, mmax))
    chol = np.empty((mmax, mmax))
    g = np.empty(mmax)
    res = np.empty(n)
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
            _normal_equations(st[0], dst[0], dep[0], k, ca, cb, y, scale, n, res, A, g)
            improved = False
            nu = 5.0  # the damping grows 5x, 10x, 20x ... per failed trial (Nielsen-style)
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
                lam *= nu
                nu *= 2.0
            if not improved:
                break
        out[0, p], out[1, p], out[2, p] = f, ca, cb
