"""Sympy rewriting for the finishing stage, run in the time-limited sandbox worker.

Kept apart from :mod:`.common.finish` (outside the ``common`` package, whose import pulls in
numpy, scipy and the evaluators) so the sandbox worker imports only sympy for it.
"""

from __future__ import annotations

import sympy as sp

__all__ = ["canonical"]


def canonical(expr: sp.Expr) -> sp.Expr:
    """The shortest (by ``count_ops``) of ``expr``, ``simplify(expr)`` and
    ``factor_terms(expr)``; the input wins ties."""
    out = [expr]
    for rewrite in (sp.factor_terms, sp.simplify):
        try:
            cand = rewrite(expr)
        except Exception:  # sympy raises many types on odd input: keep what we have
            continue
        if isinstance(cand, sp.Expr) and not cand.has(sp.I, sp.zoo, sp.nan, sp.oo):
            out.append(cand)
    return min(out, key=sp.count_ops)
