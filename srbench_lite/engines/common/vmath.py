"""Vectorisable exp, log, sin, cos and pow for the compiled kernels (numba).

A loop of ``math.sin`` calls the C library once per row and cannot use the CPU's vector
units: on 200 rows it costs 5-9x more than the loops here, which LLVM compiles to SIMD code.
Each function works in place on ``u[:n]`` and first checks that every input lies where its
fast formula is accurate (within 1-2 ulp of the C library, checked by the tests); otherwise it
falls back to the C library for the whole call, with the kernels' conventions for
out-of-domain input (``exp`` overflows to ``inf``, ``log`` of a non-positive number and
``x ** y`` of a negative ``x`` with non-integer ``y`` are ``nan``).

The formulas are the classic ones (as in fdlibm / Cephes): ``exp`` by ``2**k * e**r`` with
``|r| <= ln 2 / 2`` and a degree-13 Taylor polynomial; ``log`` by the exponent and the
mantissa's ``2 atanh(s)`` series; ``sin``/``cos`` by Cody-Waite reduction by pi/2 in three
parts and fdlibm's kernel polynomials; ``pow`` as ``exp(y log x)`` for positive normal ``x``.
The exponent field is read and written through an int64 view of the array (no scalar
bit-casts in numba), so ``exp`` and ``log`` need a scratch row ``w`` of at least ``n``.

numba's disk cache of the kernels that inline these functions is keyed on the kernels' own
files: after editing this one, delete the ``*.nbi``/``*.nbc`` files in ``__pycache__``.
"""

from __future__ import annotations

import math

import numba
import numpy as np

__all__ = ["jit", "vcos", "vexp", "vlog", "vpow", "vsin"]

#: how every kernel is compiled: cached on disk, no fast-math (nan and inf must behave)
jit = numba.njit(cache=True, nogil=True, fastmath=False, error_model="numpy")

_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_INV_LN2 = 1.44269504088896338700e00
_EXP_LO = -708.0  # below it e**x is subnormal: the exponent trick does not apply
_EXP_HI = 709.78  # above it e**x overflows (the kernels' threshold)
_TINY = 2.2250738585072014e-308  # smallest normal double
_SQRT2_MANT = 0x3FF6A09E667F3BCD  # bits of sqrt(2): mantissas above it move to [sqrt2/2, 1)
_MANT = 0x000FFFFFFFFFFFFF
_ONE = 0x3FF0000000000000
_TRIG_MAX = 1e5  # |x| up to which the three-part reduction by pi/2 is accurate
_INV_PIO2 = 6.36619772367581382433e-01
_PIO2_1 = 1.57079632673412561417e00  # pi/2 in three parts (fdlibm): k*_PIO2_1 is exact
_PIO2_2 = 6.07710050630396597660e-11
_PIO2_3 = 2.02226624871116645580e-21
# fdlibm __kernel_sin / __kernel_cos / __ieee754_log coefficients
_S1, _S2, _S3 = -1.66666666666666324348e-01, 8.33333333332248946124e-03, -1.98412698298579493134e-04
_S4, _S5, _S6 = 2.75573137070700676789e-06, -2.50507602534068634195e-08, 1.58969099521155010221e-10
_C1, _C2, _C3 = 4.16666666666666019037e-02, -1.38888888888741095749e-03, 2.48015872894767294178e-05
_C4, _C5, _C6 = -2.75573143513906633035e-07, 2.08757232129817482790e-09, -1.13596475577881948265e-11
_LG1, _LG2, _LG3 = 6.666666666666735130e-01, 3.999999999940941908e-01, 2.857142874366239149e-01
_LG4, _LG5, _LG6 = 2.222219843214978396e-01, 1.818357216161805012e-01, 1.531383769920937332e-01
_LG7 = 1.479819860511658591e-01


@jit
def _exp_fast(u, n, w):
    """``e**u`` for ``_EXP_LO <= u < _EXP_HI`` (unchecked)."""
    for i in range(n):
        x = u[i]
        k = math.floor(x * _INV_LN2 + 0.5)
        r = (x - k * _LN2_HI) - k * _LN2_LO
        p = 1.0 / 6227020800.0
        p = p * r + 1.0 / 479001600.0
        p = p * r + 1.0 / 39916800.0
        p = p * r + 1.0 / 3628800.0
        p = p * r + 1.0 / 362880.0
        p = p * r + 1.0 / 40320.0
        p = p * r + 1.0 / 5040.0
        p = p * r + 1.0 / 720.0
        p = p * r + 1.0 / 120.0
        p = p * r + 1.0 / 24.0
        p = p * r + 1.0 / 6.0
        p = p * r + 0.5
        u[i] = 1.0 + (p * r * r + r)
        w[i] = k
    ui = u.view(np.int64)
    for i in range(n):  # times 2**k: add k to the exponent field
        ui[i] += np.int64(w[i]) << 52


@jit
def vexp(u, n, w):
    """``u[:n] = exp(u[:n])`` (``inf`` above 709.78)."""
    bad = 0
    for i in range(n):
        bad += not (_EXP_LO <= u[i] < _EXP_HI)
    if bad == 0:
        _exp_fast(u, n, w)
        return
    for i in range(n):
        u[i] = math.exp(u[i]) if u[i] < _EXP_HI else math.inf


@jit
def _log_fast(u, n, w):
    """``log(u)`` for finite normal ``u > 0`` (unchecked)."""
    ui = u.view(np.int64)
    for i in range(n):  # split into exponent (w) and mantissa in [sqrt2/2, sqrt2) (u)
        b = ui[i]
        m = (b & _MANT) | _ONE
        big = m > _SQRT2_MANT
        w[i] = ((b >> 52) - 1023) + (1 if big else 0)
        ui[i] = m - (0x0010000000000000 if big else 0)
    for i in range(n):
        f = u[i] - 1.0
        s = f / (2.0 + f)
        z = s * s
        q = z * z
        r = q * (_LG2 + q * (_LG4 + q * _LG6)) + z * (_LG1 + q * (_LG3 + q * (_LG5 + q * _LG7)))
        hfsq = 0.5 * f * f
        k = w[i]
        u[i] = k * _LN2_HI - ((hfsq - (s * (hfsq + r) + k * _LN2_LO)) - f)


@jit
def vlog(u, n, w):
    """``u[:n] = log(u[:n])`` (``nan`` for ``u <= 0``)."""
    bad = 0
    for i in range(n):
        bad += not (_TINY <= u[i] < math.inf)
    if bad == 0:
        _log_fast(u, n, w)
        return
    for i in range(n):
        u[i] = math.log(u[i]) if u[i] > 0.0 else math.nan


@jit
def _sincos(u, n, shift):
    """``sin(u)`` (``shift`` 0) or ``cos(u)`` (``shift`` 1) in place."""
    bad = 0
    for i in range(n):
        bad += not (abs(u[i]) <= _TRIG_MAX)
    if bad:
        if shift == 0:
            for i in range(n):
                u[i] = math.sin(u[i])
        else:
            for i in range(n):
                u[i] = math.cos(u[i])
        return
    for i in range(n):
        x = u[i]
        k = math.floor(x * _INV_PIO2 + 0.5)
        r = ((x - k * _PIO2_1) - k * _PIO2_2) - k * _PIO2_3
        q = np.int64(k) + shift
        z = r * r
        s = r + r * z * (_S1 + z * (_S2 + z * (_S3 + z * (_S4 + z * (_S5 + z * _S6)))))
        hz = 0.5 * z
        c = 1.0 - hz
        c = c + (((1.0 - c) - hz) + z * z * (_C1 + z * (_C2 + z * (_C3 + z * (_C4 + z * (_C5 + z * _C6))))))
        v = c if q & 1 else s
        u[i] = -v if q & 2 else v


@jit
def vsin(u, n):
    """``u[:n] = sin(u[:n])``."""
    _sincos(u, n, 0)


@jit
def vcos(u, n):
    """``u[:n] = cos(u[:n])``."""
    _sincos(u, n, 1)


@jit
def _pow_libm(x, v, n):
    for i in range(n):
        a = x[i]
        b = v[i]
        if a < 0.0 and b != math.floor(b):
            v[i] = math.nan
        elif a == 0.0 and b < 0.0:
            v[i] = math.inf
        else:
            v[i] = a**b


@jit
def vpow(x, v, n, w1, w2):
    """``v[:n] = x[:n] ** v[:n]`` (``nan`` for a negative base and a non-integer exponent,
    ``inf`` for zero to a negative power); ``w1``, ``w2``: scratch rows."""
    same = True
    b0 = v[0] if n > 0 else 0.0
    for i in range(n):
        same &= v[i] == b0
    if same and b0 == 2.0:  # exact where it is cheap
        for i in range(n):
            v[i] = x[i] * x[i]
        return
    bad = 0
    for i in range(n):
        w1[i] = x[i]
        bad += not (_TINY <= x[i] < math.inf)
    if bad:
        _pow_libm(x, v, n)
        return
    _log_fast(w1, n, w2)
    for i in range(n):
        bad += not (abs(v[i] * w1[i]) < -_EXP_LO)
    if bad:
        _pow_libm(x, v, n)
        return
    for i in range(n):
        v[i] = v[i] * w1[i]
    _exp_fast(v, n, w2)
