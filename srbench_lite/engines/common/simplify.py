"""Final-model tidying with sympy under a wall-clock limit.

``simplify_expr`` snaps floats that are within a relative ``snap_tol`` of a small rational (or
of a small multiple of pi), then runs ``sympy.simplify`` in the time-limited worker of
:mod:`srbench_lite.sandbox`. On timeout or error the snapped but unsimplified
expression is returned, so the caller always gets a valid model.
"""

from __future__ import annotations

import math
from fractions import Fraction

import sympy as sp

__all__ = ["simplify_expr", "snap_numbers"]


def _snap(value: float, tol: float, max_den: int) -> sp.Expr | None:
    if value == 0:
        return sp.Integer(0)
    frac = Fraction(value).limit_denominator(max_den)
    if abs(float(frac) - value) <= tol * abs(value):
        return sp.Rational(frac.numerator, frac.denominator)
    frac = Fraction(value / math.pi).limit_denominator(max_den)
    if frac != 0 and abs(float(frac) * math.pi - value) <= tol * abs(value):
        return sp.Rational(frac.numerator, frac.denominator) * sp.pi
    return None


def snap_numbers(expr: sp.Expr, tol: float = 1e-6, max_den: int = 12) -> sp.Expr:
    """Replace each Float within relative ``tol`` of a rational with denominator <= ``max_den``
    by that rational (or rational multiple of pi)."""
    expr = sp.sympify(expr)
    floats = list(expr.atoms(sp.Float))
    if not floats:
        return expr
    rep = {}
    for f in floats:
        r = _snap(float(f), tol, max_den)
        if r is not None:
            rep[f] = r
    return expr.xreplace(rep) if rep else expr


def _simplify_worker(expr: sp.Expr) -> sp.Expr:
    out = snap_numbers(sp.simplify(expr))
    # prefer the shorter of simplify's result and the input
    return out if sp.count_ops(out) <= sp.count_ops(expr) else expr


def simplify_expr(expr, timeout: float | None = 2.0, snap_tol: float = 1e-6) -> sp.Expr:
    """Snap near-rational floats, then ``sympy.simplify`` in at most ``timeout`` seconds.

    ``timeout=None`` simplifies in-process without a limit (tests only).
    """
    from srbench_lite.sandbox import SandboxError, SandboxTimeout, call_with_timeout

    expr = snap_numbers(sp.sympify(expr), snap_tol)
    try:
        out = call_with_timeout(_simplify_worker, expr, timeout=timeout)
    except (SandboxTimeout, SandboxError):
        return expr
    return out if isinstance(out, sp.Expr) else expr
