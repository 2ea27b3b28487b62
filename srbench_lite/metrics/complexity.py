"""Model size: node count of the sympy tree (SRBench's ``complexity`` / ``model_size``).

SRBench counts ``preorder_traversal`` nodes of the sympy expression: ``x0 - x1`` is
``Add(x0, Mul(-1, x1))`` = 5 nodes, ``x0/x1`` is ``Mul(x0, Pow(x1, -1))`` = 5. By default the
model is counted as parsed (sympy's automatic evaluation only); ``simplify=True`` counts
SRBench's ``simplified_complexity`` (``round_floats(simplify(model, ratio=1))`` with SRBench's
rounding), computed in the time-limited worker.
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

from srbench_lite.expr import parse_model
from srbench_lite.metrics._inputs import check_timeout

__all__ = ["complexity"]


def _count(expr: sp.Basic) -> int:
    count, stack = 0, [expr]
    while stack:
        e = stack.pop()
        count += 1
        stack.extend(e.args)
    return count


def _simplified_count(expr: sp.Expr) -> int:
    from srbench_lite.metrics._legacy import legacy_round

    return _count(legacy_round(sp.simplify(expr, ratio=1)))


def complexity(
    model,
    *,
    feature_names: Sequence[str] | None = None,
    dialect: str = "sympy",
    simplify: bool = False,
    timeout: float | None = 30.0,
) -> int:
    """Number of nodes of the model's sympy tree (SRBench's convention).

    Raises :class:`~srbench_lite.expr.ModelParseError` for a model that cannot be parsed, and
    (``simplify=True`` only) :class:`~srbench_lite.sandbox.SandboxTimeout` /
    ``SandboxError`` when simplification times out or fails.
    """
    expr = parse_model(model, dialect=dialect, feature_names=feature_names)
    if not simplify:
        return _count(expr)
    from srbench_lite.sandbox import call_with_timeout

    return int(call_with_timeout(_simplified_count, expr, timeout=check_timeout(timeout)))
