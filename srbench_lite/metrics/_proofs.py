"""The proof steps of symbolic recovery (:mod:`srbench_lite.metrics.recovery`), run in the
sandbox worker: constants, negligible terms, exact relations and proofs after a rewrite."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp

from srbench_lite.metrics._coefficients import agree
from srbench_lite.metrics._evidence import Numbers
from srbench_lite.metrics.canonical import round_floats
from srbench_lite.metrics.rewrites import AS_PRINTED_TOL, Rewrite

__all__ = [
    "by_rewrite",
    "constant_value",
    "describe",
    "exact_relation",
    "is_real_constant",
    "prune",
    "reference_constant",
    "simplified",
]


def constant_value(expr: sp.Expr) -> complex | None:
    """The value of a symbol-free expression, or None if it has symbols / is not finite."""
    if expr.free_symbols:
        return None
    try:
        value = complex(sp.N(expr, 30))
    except (TypeError, ValueError, OverflowError):
        return None
    if not np.isfinite(value):
        return None
    return value


def is_real_constant(expr: sp.Expr, nonzero: bool = False) -> bool:
    value = constant_value(expr)
    if value is None or abs(value.imag) > 1e-12 * max(1.0, abs(value.real)):
        return False
    return not nonzero or value.real != 0


def reference_constant(truth: sp.Expr) -> float:
    """The smallest |non-integer constant| of the (rounded) truth, or 1 if it has none."""
    values = [
        abs(float(c)) for c in truth.atoms(sp.Rational, sp.Float) if not c.is_Integer and c != 0
    ]
    return min(values, default=1.0)


def _tiny_when_expanded(term: sp.Expr, bound: float) -> bool:
    """Every additive term of ``expand(term)`` has a coefficient below ``bound``: the
    smallness is a fitted coefficient's, not an artefact of one fraction's combined constants
    (``9e-25*(-3.3e15*x**2*y + 5661*x - 17000)/(333*x - 1000)`` is a whole difference put over
    one denominator, whose numerator's own constants are not small)."""
    for part in sp.Add.make_args(sp.expand(term)):
        coeff, _ = part.as_coeff_Mul()
        if part.free_symbols and abs(float(coeff)) >= bound:
            return False
    return True


def prune(expr: sp.Expr, nums: Numbers, scale: float, tol: float, c_ref: float):
    """Drop the additive terms of ``expr`` that only a tiny fitted coefficient makes small.

    A term ``c * rest`` is dropped when (a) ``|term| <= tol * scale`` on every valid point,
    (b) ``rest`` alone is *not* that small somewhere (the smallness comes from ``c``, not from
    an underflowing ``exp(-1e23*x)`` or an unlucky domain), and (c) ``|c| < tol * c_ref``,
    ``c_ref`` being the truth's smallest constant (1 if it has none): the magnitude-relative
    form of SRBench's ``|c| < 1e-4 -> 0``, which never drops a ``1.1e-17*v**2`` next to a
    truth that itself has ``1.1e-17``; and (d) the term expanded has only such coefficients.
    """
    for candidate in (expr, sp.expand(expr)):
        terms = sp.Add.make_args(candidate)
        if len(terms) < 2 and candidate is not expr:
            continue
        kept, dropped = [], []
        for term in terms:
            coeff, rest = term.as_coeff_Mul()
            if (term.free_symbols and coeff != 0 and abs(float(coeff)) < tol * c_ref
                    and _tiny_when_expanded(term, tol * c_ref)):  # fmt: skip
                v, w = nums.values(term), nums.values(rest)
                if (
                    np.all(np.isfinite(v))
                    and np.all(np.isfinite(w))
                    and float(np.max(np.abs(v))) <= tol * scale
                    and float(np.max(np.abs(w))) > tol * scale
                ):
                    dropped.append(term)
                    continue
            kept.append(term)
        if dropped:
            return sp.Add(*kept), dropped
    return expr, []


def simplified(expr: sp.Expr) -> sp.Expr:
    """Simplify a difference or ratio; exact zero / constants short-circuit."""
    if expr.is_zero or not expr.free_symbols:
        return expr
    out = sp.simplify(expr)
    if out.free_symbols:
        expanded = sp.expand(out)
        if not expanded.free_symbols or expanded == 0:
            return expanded
    return out


def exact_relation(t: sp.Expr, m: sp.Expr, kinds: list[str]) -> tuple[str, sp.Expr] | None:
    """``equal``/``constant_difference``/``constant_ratio`` between two rounded forms by
    expansion and cancellation only (no ``simplify``)."""
    if t == m:
        return "equal", sp.Integer(0)
    diff = sp.expand(t - m)
    if diff.free_symbols:
        diff = sp.cancel(sp.together(diff))
    if diff.is_zero:
        return "equal", diff
    if "constant_difference" in kinds and is_real_constant(diff):
        return "constant_difference", diff
    if "constant_ratio" in kinds and not t.is_zero:
        ratio = sp.cancel(sp.together(sp.expand(m) / sp.expand(t)))
        if is_real_constant(ratio, nonzero=True):
            return "constant_ratio", ratio
    return None


@lru_cache(maxsize=256)
def _rewritten(rewrite: Rewrite, expr: sp.Expr) -> sp.Expr:
    return rewrite.apply(expr)


def by_rewrite(
    rewrite: Rewrite | None, rounded, exact, kinds: list[str], exact_kinds: list[str] | None = None
):
    """Prove a relation between truth and model after ``rewrite``; None: no proof.

    ``rounded`` and ``exact``: ``(truth, model)`` with constants rounded as SRBench rounds them,
    and unrounded. Returns ``(kind, value, how)``. Two ways, in order:

    1. exactly (expansion and cancellation) on the rewritten *rounded* forms -- or, for a
       rewrite with ``round_after`` (constants factored out of radicals), on the rewritten
       exact forms rounded afterwards;
    2. by coefficients (:func:`agree`) on the rewritten exact forms (numeric sub-expressions
       evaluated), to the rewrite's
       ``coef_tol`` (``rewrite=None``: the forms as printed, to :data:`AS_PRINTED_TOL`).

    ``exact_kinds`` (default ``kinds``): the kinds worth trying in way 1 when the rewrite is
    applied to the rounded forms (an identity keeps their values, so the numbers can rule a
    kind out; see :meth:`~srbench_lite.metrics._evidence.Evidence.exactly_possible`).
    """
    t, m = exact
    tol = AS_PRINTED_TOL
    exact_kinds = kinds if exact_kinds is None else exact_kinds
    after = ""
    if rewrite is not None:
        after = f" after the {rewrite.name!r} rewrite ({rewrite.description})"
        t, m = _rewritten(rewrite, t), _rewritten(rewrite, m)
        if rewrite.round_after:
            found = exact_relation(round_floats(t), round_floats(m), kinds)
        elif exact_kinds:
            pair = _rewritten(rewrite, rounded[0]), _rewritten(rewrite, rounded[1])
            found = exact_relation(*pair, exact_kinds)
        else:
            found = None
        if found is not None:
            return (*found, f"constants rounded as SRBench does{after}")
        tol = rewrite.coef_tol
    # numeric sub-expressions a rewrite leaves symbolic (log(2)/2, sqrt(2)) as numbers: the
    # coefficients are compared as numbers anyway
    t, m = t.evalf(), m.evalf()
    for kind in kinds:
        if kind == "identical":
            continue
        holds, value = agree(t, m, kind, tol)
        if holds:
            return kind, value, f"constants agree to {tol:g} (relative){after}"
    return None


def describe(kind: str, value, how: str) -> str:
    """The ``detail`` of a verdict found by :func:`by_rewrite`."""
    if kind == "equal":
        return f"model = truth; {how}"
    what = "truth - model" if kind == "constant_difference" else "model / truth"
    return f"{what} = {sp.N(value, 6)}; {how}"
