"""Rewrites that bring a truth and a model written in different forms to a common form.

Symbolic recovery (:mod:`srbench_lite.metrics.recovery`) tries these, in order, when the
numbers say that a relation holds but the cheap exact steps could not prove it. Each rewrite is
an identity on the domain (symbols are real, or positive when every sample value is), applied to
both sides. A proof after a rewrite is either exact -- on the forms rounded as SRBench rounds the
printed constants, then rewritten -- or a comparison of coefficients of the rewritten unrounded
forms (:mod:`srbench_lite.metrics.recovery`, step 6), to :data:`AS_PRINTED_TOL` or, where the
rewrite adds constants together, :data:`MIXED_TOL`:

``constants``
    positive constants factored out of radicals and logarithms *before* rounding:
    ``sqrt(1.0123 - 1.126e-17*v**2)`` is ``sqrt(1.0123)*sqrt(1 - 1.11265e-17*v**2)``, whose
    constants round like the truth's, and ``log(2*x + 2*y)`` is ``log(2) + log(x + y)``.
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

__all__ = ["AS_PRINTED_TOL", "MIXED_TOL", "REWRITES", "Rewrite", "constants_out"]

_TRIG = (sp.sin, sp.cos, sp.tan, sp.cot, sp.sec, sp.csc, sp.sinh, sp.cosh, sp.tanh)


#: relative agreement of coefficients for the forms as printed (and constants factored out of
#: radicals): products of constants do not dilute a wrong one, so this only bridges print
#: precision -- ``2.4986*x0`` is not ``2.5*x0`` (SRBench rejects it too), ``1.0859999*x``
#: printed for ``1.086*x`` still is
AS_PRINTED_TOL = 1e-4
#: relative agreement of coefficients after a rewrite that *adds* constants together
#: (``cos(y)**2 + 0.1*sin(y)**2`` as exponentials has coefficients ``(1 - 0.1)/4`` and
#: ``(2 + 0.2)/4``): a constant off by 1 % moves them by only 0.1 %, which SRBench's 3-digit
#: rounding would absorb, so these forms are compared to 1e-6 -- a model's combined constants
#: must be printed to 7 significant digits or more
MIXED_TOL = 1e-6


@dataclass(frozen=True)
class Rewrite:
    """One named rewrite: ``apply`` maps an expression to an equal one.

    ``round_after``: the exact proof rewrites the unrounded forms and rounds afterwards (only
    for rewrites that never add constants together); otherwise it rewrites the forms already
    rounded as printed. ``coef_tol``: the tolerance of the coefficient comparison.
    ``srsd=True``: it takes the expressions exactly as the NED sees them (plain symbols, renamed
    ``x0, x1, ...`` in feature order), so that its result is the NED's own canonical form.
    """

    name: str
    description: str
    apply: Callable[[sp.Expr], sp.Expr]
    round_after: bool = False
    coef_tol: float = MIXED_TOL
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


def _exponential(expr: sp.Expr) -> sp.Expr:
    out = expr.rewrite(list(_TRIG), sp.exp) if expr.has(*_TRIG) else expr
    out = sp.expand(out, power_exp=True)
    # numeric factors such as exp(-1.5707963*I) (a printed phase shift) become numbers
    out = out.replace(lambda e: isinstance(e, sp.exp) and e.is_number, lambda e: sp.N(e, 17))
    return constants_out(out)


def _trigonometric(expr: sp.Expr) -> sp.Expr:
    return sp.expand(sp.fu(expr)) if expr.has(*_TRIG) else sp.expand(expr)


def _logs_powers(expr: sp.Expr) -> sp.Expr:
    return constants_out(sp.powdenest(sp.expand_log(sp.expand(expr))))


def _srsd(expr: sp.Expr) -> sp.Expr:
    from srbench_lite.metrics.tree_edit import prepared

    return prepared(expr)


#: the rewrites, in the order recovery tries them (cheap and general first)
REWRITES: tuple[Rewrite, ...] = (
    Rewrite(
        "constants",
        "positive constants factored out of radicals and logarithms",
        constants_out,
        round_after=True,
        coef_tol=AS_PRINTED_TOL,
    ),
    Rewrite("exponential", "trigonometric/hyperbolic functions as exponentials", _exponential),
    Rewrite("trigonometric", "sympy's fu trigonometric rules", _trigonometric),
    Rewrite("logs_powers", "logarithms and powers expanded on the positive domain", _logs_powers),
    Rewrite("srsd", "SRSD's canonical forms, as NED compares them", _srsd, srsd=True),
)
