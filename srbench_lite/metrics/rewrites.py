"""Rewrites that bring a truth and a model written in different forms to a common form.

Symbolic recovery (:mod:`srbench_lite.metrics.recovery`) tries these, in order, when the numbers
say that a relation holds but ``simplify`` could not prove it. Each rewrite is an identity on
the domain (symbols are real, or positive when every sample value is), applied to both sides
*before* their constants are rounded, so that constants combined differently meet again:

``constants``
    products of constants multiplied out (``expand``), and positive constants factored out of
    radicals and logarithms: ``sqrt(1.01 - 1.01*c*x**2)`` is ``sqrt(1.01)*sqrt(1 - c*x**2)``,
    ``log(2*x + 2*y)`` is ``log(2) + log(x + y)``, ``exp(0.69 + x)`` is ``exp(0.69)*exp(x)``.
``exponential``
    trigonometric and hyperbolic functions rewritten as exponentials and multiplied out --
    a normal form for polynomials in sin/cos/tan of sums, multiples and halves of angles, so
    Pythagorean, double- and half-angle identities (``1 - cos(a) = 2*sin(a/2)**2``) become
    plain polynomial identities in ``exp(I*a/2)``.
``trigonometric``
    sympy's ``fu`` rules (TR transformations) on both sides, for trigonometric forms whose
    exponential expansion is too large.
``logs_powers``
    logarithms of products and powers expanded, nested powers denested (``(x**2)**1.5`` ->
    ``x**3``) -- only where the domain makes that an identity (positive symbols).
``srsd``
    the canonical forms of SRSD's tree edit distance (``factor`` then ``simplify``): when the
    NED is 0, the two canonical trees differ only in constant values, and comparing those
    values here makes "NED = 0 with equal constants" a solved verdict.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp

__all__ = ["REWRITES", "Rewrite", "constants_out"]

_TRIG = (sp.sin, sp.cos, sp.tan, sp.cot, sp.sec, sp.csc, sp.sinh, sp.cosh, sp.tanh)


@dataclass(frozen=True)
class Rewrite:
    """One named rewrite: ``apply`` maps an (unrounded) expression to an equal one.

    ``srsd=True``: it takes the expressions exactly as the NED sees them (plain symbols, renamed
    ``x0, x1, ...`` in feature order), so that its result is the NED's own canonical form.
    """

    name: str
    description: str
    apply: Callable[[sp.Expr], sp.Expr]
    srsd: bool = False


def _content(base: sp.Expr) -> sp.Expr | None:
    """A positive constant ``c`` with ``base = c * primitive`` (None when there is none).

    The reference term is the constant term when there is one, else the term whose
    non-constant part sorts first -- the same term on both sides of an identity, so that both
    primitive parts are the same up to rounding.
    """
    terms = sp.Add.make_args(base)
    if len(terms) < 2:
        return None
    numeric = [t for t in terms if not t.free_symbols]
    if numeric:
        c = sp.Add(*numeric)
    else:
        ref = min(terms, key=lambda t: sp.default_sort_key(t.as_coeff_Mul()[1]))
        c = ref.as_coeff_Mul()[0]
    if not c.is_number or c.is_zero or not c.is_real:
        return None
    c = abs(c)
    return None if c == 1 else c


def _primitive(base: sp.Expr, c: sp.Expr) -> sp.Expr:
    return sp.Add(*[t / c for t in sp.Add.make_args(base)])


def constants_out(expr: sp.Expr) -> sp.Expr:
    """Factor positive constants out of radicands and logarithm arguments, bottom-up."""
    if not expr.args:
        return expr
    args = [constants_out(a) for a in expr.args]
    if expr.is_Pow and not args[1].is_Integer and args[0].is_Add:
        c = _content(args[0])
        if c is not None:
            return sp.Pow(c, args[1]) * sp.Pow(_primitive(args[0], c), args[1])
    if isinstance(expr, sp.log) and args[0].is_Add:
        c = _content(args[0])
        if c is not None:
            return sp.log(c) + sp.log(_primitive(args[0], c))
    return expr.func(*args) if args != list(expr.args) else expr


def _constants(expr: sp.Expr) -> sp.Expr:
    return constants_out(sp.expand(expr))


def _exponential(expr: sp.Expr) -> sp.Expr:
    out = expr.rewrite(list(_TRIG), sp.exp) if expr.has(*_TRIG) else expr
    return constants_out(sp.expand(out, power_exp=True))


def _trigonometric(expr: sp.Expr) -> sp.Expr:
    return sp.expand(sp.fu(_constants(expr))) if expr.has(*_TRIG) else _constants(expr)


def _logs_powers(expr: sp.Expr) -> sp.Expr:
    return _constants(sp.powdenest(sp.expand_log(sp.expand(expr))))


def _srsd(expr: sp.Expr) -> sp.Expr:
    from srbench_lite.metrics.tree_edit import prepared

    return prepared(expr)


#: the rewrites, in the order recovery tries them (cheap and general first)
REWRITES: tuple[Rewrite, ...] = (
    Rewrite(
        "constants", "constants multiplied out and factored out of radicals and logs", _constants
    ),
    Rewrite(
        "exponential", "trigonometric/hyperbolic functions written as exponentials", _exponential
    ),
    Rewrite("trigonometric", "sympy's fu trigonometric rules", _trigonometric),
    Rewrite("logs_powers", "logarithms and powers expanded on the positive domain", _logs_powers),
    Rewrite(
        "srsd",
        "SRSD's canonical forms (factor, simplify), as the NED compares them",
        _srsd,
        srsd=True,
    ),
)
