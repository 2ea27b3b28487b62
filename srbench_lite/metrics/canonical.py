"""The one canonicalisation step shared by symbolic recovery and the tree edit distance.

:func:`canonicalize` runs, in this order (each stage optional, the order never changes):

1. ``subs(pi, pi.evalf())`` then ``evalf()`` -- SRSD's first step: π, ``sqrt(2)``, rationals
   (``x/2``, ``x**(3/2)``) all become floats, so a model printing ``0.5*x`` or ``x**1.5`` or
   ``3.14159*x`` meets the truth on equal terms (integer exponents stay integers);
2. ``round_constants=True`` -- :func:`round_floats`, our replacement for SRBench's rounding
   (see below), which also turns every rounded float into an exact rational;
3. ``simplify=True`` -- ``factor()`` then ``simplify()`` (SRSD);
4. ``subs(1.0, 1)`` -- SRSD's last step (``1.0*x`` -> ``x``).

The tree edit distance uses stages 1, 3, 4 (exactly SRSD's ``eq_comparator.load_eq_as_tree``);
symbolic recovery uses 1, 2, 4 on each side and then simplifies the *difference* and the
*ratio*, as SRBench does. Both call this same function, so a formula is read the same way by
both metrics.

Rounding (departure from SRBench, on purpose)
---------------------------------------------
SRBench's ``round_floats`` zeroes every float with ``|c| < 1e-4`` and rounds the others to 3
decimals. That zeroes tiny physical constants (G = 6.67e-11, ħ, ε₀, 1/c² = 1.1e-17 ...) in the
truth and the model alike, so ``m0/sqrt(1 - 2e-17*v**2)`` "equals" ``m0`` and both "equal"
``m0/sqrt(1 - 1.11e-17*v**2)``. :func:`round_floats` rounds *relative to magnitude* instead:
3 significant digits when ``|c| < 1`` and 4 when ``|c| >= 1``. On ``0.1 <= |c| < 10`` -- where
fitted SR constants live -- that is *exactly* SRBench's ``round(c, 3)``; below 0.1 it keeps 3
significant digits where SRBench keeps 2, 1 or none; above 10 it keeps 4 where SRBench keeps
5 or more (so an inner ``exp(7.243e22*q*V/T)`` is not compared to 16 digits). A constant is
never rounded to zero. SRBench's other use of the zeroing -- dropping negligible fitted terms
like ``+ 1e-6*x`` -- is done magnitude-aware in :mod:`srbench_lite.metrics.recovery` (terms that
are negligible *on sampled points*).

Rounded values are exact rationals (``0.5`` -> ``1/2``, ``6.674e-11`` -> ``3337/50000000000000``),
not floats: ``0.1*x + 0.2*x - 0.3*x`` then cancels to exactly 0 instead of ``5.6e-17*x``, and
sympy's ``simplify`` is both faster and more reliable on exact arithmetic.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache

import sympy as sp

__all__ = ["canonicalize", "round_float", "round_floats", "srsd_factored", "srsd_prepare"]

#: significant digits kept for |c| < 1 and |c| >= 1 (= SRBench's 3 decimals on [0.1, 10))
SIG_DIGITS_SMALL = 3
SIG_DIGITS_LARGE = 4


def round_float(value) -> sp.Rational:
    """Round one number relative to its magnitude and return it as an exact rational."""
    d = Decimal(str(sp.Float(value)))
    if d.is_zero():
        return sp.Integer(0)
    sig = SIG_DIGITS_SMALL if abs(d) < 1 else SIG_DIGITS_LARGE
    quantum = Decimal(1).scaleb(d.adjusted() - sig + 1)
    r = d.quantize(quantum, rounding=ROUND_HALF_EVEN)
    num, den = r.as_integer_ratio()
    return sp.Rational(num, den)


def round_floats(expr: sp.Expr) -> sp.Expr:
    """Replace every ``Float`` in ``expr`` by :func:`round_float` of it (exact rationals)."""
    floats = expr.atoms(sp.Float)
    if not floats:
        return expr
    return expr.xreplace({f: round_float(f) for f in floats})


def _evalf(expr: sp.Expr) -> sp.Expr:
    return expr.subs(sp.pi, sp.pi.evalf()).evalf()


@lru_cache(maxsize=1024)
def _factored(expr: sp.Expr) -> sp.Expr:
    return sp.factor(expr)


@lru_cache(maxsize=1024)
def canonicalize(expr: sp.Expr, *, round_constants: bool = False, simplify: bool = True):
    """The shared canonical form (see the module docstring for the stages; cached, as the truth
    is canonicalised once per model it is compared with)."""
    out = _evalf(sp.sympify(expr))
    if round_constants:
        out = round_floats(out)
    if simplify:
        out = sp.simplify(_factored(out))
    return out.subs(1.0, 1)


def srsd_factored(expr: sp.Expr) -> sp.Expr:
    """Stage 1 and the ``factor()`` half of stage 3, as :func:`srsd_prepare` computes them (the
    same cached value: the ``simplify()`` that follows starts from it). NED's size cut-off looks
    at this form before paying for ``simplify``."""
    return _factored(_evalf(sp.sympify(expr)))


def srsd_prepare(expr: sp.Expr) -> sp.Expr:
    """SRSD's NED preprocessing: evalf (π folded), factor, simplify, ``1.0 -> 1``."""
    return canonicalize(expr, round_constants=False, simplify=True)
