"""``mode="legacy"``: SRBench's own recovery pipeline, bug for bug, to reproduce published numbers.

``assess_symbolic_model.py`` + ``collate_groundtruth_results.py``: ``simplify(model, ratio=1)``,
absolute rounding (``|c| < 1e-4 -> 0``, else 3 decimals), the difference simplified under an
inverted condition, the ratio never simplified, sympy's numeric ``is_constant()``, π replaced by
``3.1415926535`` in the truth only, no numeric steps.
"""

from __future__ import annotations

import sympy as sp

__all__ = ["legacy_round", "legacy_verdict"]


def legacy_round(expr: sp.Expr) -> sp.Expr:
    """SRBench's ``round_floats``: |c| < 1e-4 -> 0, otherwise ``round(c, 3)``."""
    floats = expr.atoms(sp.Float)
    if not floats:
        return expr
    return expr.xreplace({f: sp.Integer(0) if abs(f) < 1e-4 else round(f, 3) for f in floats})


def legacy_verdict(m: sp.Expr, t: sp.Expr) -> dict:
    """SRBench's assess_symbolic_model + collate rules, including their quirks."""
    out = {"numeric_check": "skipped", "pruned_terms": []}
    t = t.subs(sp.pi, sp.Float(3.1415926535))
    cleaned = legacy_round(sp.simplify(m, ratio=1))
    if str(cleaned) in ("0", "nan"):
        return {**out, "kind": "none", "detail": f"simplified model is {cleaned}"}
    sym_diff = legacy_round(t - cleaned)
    sym_frac = legacy_round(cleaned / t)
    if not sym_diff.is_constant() or sym_frac.is_constant():
        sym_diff = sp.simplify(sym_diff, ratio=1)
    extra = {"symbolic_difference": str(sym_diff), "symbolic_ratio": str(sym_frac)}
    if m == t:
        return {**out, **extra, "kind": "identical", "detail": "model == truth"}
    if str(sym_diff) == "0":
        return {**out, **extra, "kind": "equal", "detail": "symbolic_error_is_zero"}
    if sym_diff.is_constant():
        return {
            **out,
            **extra,
            "kind": "constant_difference",
            "detail": "symbolic_error_is_constant",
        }
    if sym_frac.is_constant():
        return {**out, **extra, "kind": "constant_ratio", "detail": "symbolic_fraction_is_constant"}
    return {**out, **extra, "kind": "none", "detail": "no SRBench criterion holds"}
