"""Radicals split into powers of their factors where the sampling domain fixes every sign.

``sqrt(a*b) = sqrt(a)*sqrt(b)`` and ``sqrt(a/b) = sqrt(a)/sqrt(b)`` hold when ``a, b > 0``, and
``sqrt(u**2) = |u| = u`` when ``u > 0``. sympy applies these only to symbols it knows positive,
so the relativistic Doppler law ``(1 + v/c)*omega_0/sqrt(1 - v**2/c**2)`` and its printed form
``omega_0*sqrt((c + v)/(c - v))`` stay unproved although the problem samples ``0 < v < c``.
The ``radicals`` rewrite of symbolic recovery (:mod:`srbench_lite.metrics.recovery`) writes each
radicand ``content * prod(f_i**e_i)`` (``factor_list`` of its numerator and denominator) and
distributes the power over the factors when interval arithmetic over the box of the sample
points proves the sign of every factor (``c - v`` over ``c in [3, 10], v in [1, 2]`` is in
``[1, 9]``); a factor proved negative is negated, its sign moved into the content, which must
end positive. A radicand with ``cos(u)`` is also tried in half angles (``1 + cos(u) =
2*cos(u/2)**2``, ``1 - cos(u) = 2*sin(u/2)**2``) and kept in them when that leaves a factor
whose power is an integer: ``sqrt(2*cos(y) + 2)`` is ``2*cos(y/2)`` for ``y`` in ``[0, 1]``.

The box is that of the points the caller passed (the problem's data); without them only sympy's
own assumptions (positive symbols) prove signs. As every rewrite, a proof after it is checked
numerically on the points afterwards.
"""

from __future__ import annotations

from functools import partial

import sympy as sp
from sympy.polys.polyerrors import BasePolynomialError

from srbench_lite.metrics.rewrites import Rewrite

__all__ = ["radicals_rewrite", "split_radicals"]

#: largest factor (in sympy operations) whose sign is bounded by interval arithmetic
MAX_FACTOR_OPS = 60
#: denominators of float exponents read as rationals (``0.5`` is ``1/2``)
_DENOMINATORS = (2, 3, 4)


def _rational_exponent(exp: sp.Expr) -> sp.Rational | None:
    if exp.is_Rational:
        return None if exp.is_Integer else exp
    if exp.is_Float:
        for q in _DENOMINATORS:
            p = float(exp) * q
            if abs(p - round(p)) < 1e-12 * max(1.0, abs(p)) and round(p) % q:
                return sp.Rational(round(p), q)
    return None


def _sign(f: sp.Expr, box: dict) -> int:
    """+1 / -1 when ``f`` is proved positive / negative on the box, else 0."""
    if f.is_positive:
        return 1
    if f.is_negative:
        return -1
    if not box or sp.count_ops(f) > MAX_FACTOR_OPS:
        return 0
    symbols = f.free_symbols
    if not symbols or any(s.name not in box for s in symbols):
        return 0
    try:
        bounds = f.xreplace({s: sp.AccumBounds(*box[s.name]) for s in symbols})
        if isinstance(bounds, sp.AccumBounds):
            lo, hi = bounds.min, bounds.max
        elif bounds.is_number:
            lo = hi = bounds
        else:
            return 0
        if bool(lo > 0):
            return 1
        if bool(hi < 0):
            return -1
    except (TypeError, ValueError, ArithmeticError, NotImplementedError, AttributeError):
        return 0
    return 0


def _factors(part: sp.Expr):
    """``factor_list`` of ``part`` (None: not a polynomial in any generators sympy accepts)."""
    try:
        return sp.factor_list(part)
    except BasePolynomialError:
        return None


def _split(base: sp.Expr, q: sp.Rational, box: dict) -> sp.Expr | None:
    """``base**q`` as a product of powers of its factors (None: some sign is not proved)."""
    num, den = sp.fraction(sp.together(base))
    out, content = sp.Integer(1), sp.Integer(1)
    for part, direction in ((num, 1), (den, -1)):
        found = _factors(part)
        if found is None:
            return None
        coeff, factors = found
        content *= coeff**direction
        for f, e in factors:
            sign = _sign(f, box)
            if sign == 0:
                return None
            if sign < 0:
                f, content = -f, content * (-1) ** e
            out *= sp.Pow(f, e * direction * q)
    if not (content.is_number and content.is_positive):
        return None
    return sp.Pow(content, q) * out


def _half_angles(base: sp.Expr) -> list[sp.Expr]:
    """``base`` with every ``cos(u)`` in half angles, in both forms."""
    if not base.has(sp.cos):
        return []
    return [
        base.replace(sp.cos, lambda u: 2 * sp.cos(u / 2) ** 2 - 1),
        base.replace(sp.cos, lambda u: 1 - 2 * sp.sin(u / 2) ** 2),
    ]


def _removes_a_radical(base: sp.Expr, q: sp.Rational) -> bool:
    """Does ``base`` have a factor whose multiplicity times ``q`` is an integer?"""
    num, den = sp.fraction(sp.together(base))
    found = [_factors(part) for part in (num, den)]
    return any((e * q).is_Integer for f in found if f is not None for _, e in f[1])


def _radical(base: sp.Expr, q: sp.Rational, box: dict) -> sp.Expr | None:
    for candidate in _half_angles(base):
        if _removes_a_radical(candidate, q):
            found = _split(candidate, q, box)
            if found is not None:
                return found
    return _split(base, q, box)


def split_radicals(expr: sp.Expr, box: tuple = ()) -> sp.Expr:
    """Split every radical of ``expr`` whose factors' signs the box proves (bottom-up).

    ``box``: ``((name, low, high), ...)`` of the sample points (hashable, for the rewrite cache).
    """
    bounds = {name: (lo, hi) for name, lo, hi in box}

    def walk(e: sp.Expr) -> sp.Expr:
        if not e.args:
            return e
        args = [walk(a) for a in e.args]
        e = e.func(*args) if args != list(e.args) else e
        if e.is_Pow and e.base.free_symbols and not e.exp.free_symbols:
            q = _rational_exponent(e.exp)
            if q is not None:
                found = _radical(e.base, q, bounds)
                if found is not None:
                    return found
        return e

    return walk(expr)


def radicals_rewrite(box: tuple = ()) -> Rewrite:
    """The ``radicals`` rewrite over the box ``((name, low, high), ...)`` of the sample points."""
    return Rewrite(
        "radicals",
        "radicals split into their factors where the sampled ranges fix every sign",
        partial(split_radicals, box=box),
    )
