"""Sympy rewriting for the finishing stage, run in the time-limited sandbox worker.

Kept apart from :mod:`.common.finish` (outside the ``common`` package, whose import pulls in
numpy, scipy and the evaluators) so the sandbox worker imports only sympy for it.
"""

from __future__ import annotations

import sympy as sp

__all__ = ["canonical"]


def _size(expr: sp.Expr) -> tuple[int, int, int]:
    nodes = list(sp.preorder_traversal(expr))
    return sp.count_ops(expr), sum(1 for e in nodes if e.is_Symbol), len(nodes)


def canonical(expr: sp.Expr) -> sp.Expr:
    """The shortest (by ``count_ops``, then occurrences of symbols: ``p*x + p*y`` loses to
    ``p*(x + y)``, then nodes) of ``expr``, ``simplify(expr)`` and ``factor_terms(expr)``; the
    input wins ties."""
    out = [expr]
    for rewrite in (sp.factor_terms, sp.simplify):
        try:
            cand = rewrite(expr)
        except Exception:  # sympy raises many types on odd input: keep what we have
            continue
        if isinstance(cand, sp.Expr) and not cand.has(sp.I, sp.zoo, sp.nan, sp.oo):
            out.append(cand)
    return min(out, key=_size)
