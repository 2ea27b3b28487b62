"""Target transforms of the screening, as rows of one typed table.

Screening tries targets ``T(y / M)``: ``M`` a power law (or none), ``T`` a row of a
:data:`GENERAL` table (or of a prior set's extra rows, :mod:`.priors`). A row says how to
compute ``T(w)`` (``None`` where it is undefined on the rows or flat), which tokens map a model
``A = a*f + b`` of ``T(w)`` back to ``w``, and why the transform is general. A model of a
transformed target then becomes ``M * T^-1(A)`` (:meth:`Transform.to_full`).

Each row's ``why`` names a shape of law (a function whose inverse the search may not find
quickly), never a particular law: law-shaped transforms live in a prior set.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from srbench_lite.engines.common.tokens import CONST

__all__ = ["GENERAL", "IDENTITY", "Transform", "by_name"]

Tokens = tuple[str, ...]


@dataclass(frozen=True)
class Transform:
    """One target transform ``z = T(w)``.

    ``forward(w)`` gives ``T(w)`` or ``None`` where ``T`` is undefined on some row; ``before``
    and ``after`` are the tokens around ``A`` in ``T^-1(A)`` (``(*before, *A, *after)``);
    ``shifted``: its target is also tried as a constant plus a power law; ``scaled``: ``w`` is
    only known up to a scale ``k`` (screening fits ``k`` and transforms ``w / k``), and ``full``
    builds ``T^-1`` from ``("mul", c, *f)`` itself (``A`` may occur twice).
    """

    name: str
    forward: Callable[[np.ndarray], np.ndarray | None]
    before: Tokens = ()
    after: Tokens = ()
    why: str = ""
    shifted: bool = False
    scaled: bool = False
    full: Callable[[Tokens], Tokens] | None = None

    def apply(self, w: np.ndarray) -> np.ndarray | None:
        """``T(w)``, or None where it is undefined, not finite, or constant."""
        with np.errstate(all="ignore"):
            z = self.forward(np.asarray(w, dtype=np.float64))
        if z is None or not np.isfinite(z).all() or not np.var(z) > 0:
            return None
        return z

    def to_full(self, tokens: Tokens, consts, a: float, b: float) -> tuple[Tokens, list[float]]:
        """Tokens and constants of ``T^-1(a*f + b)`` for the model ``f`` (``tokens``)."""
        if self.scaled and self.full is not None:
            return self.full(tokens), [a, *consts, a, *consts]
        affine = ("add", CONST, "mul", CONST, *tokens)
        return (*self.before, *affine, *self.after), [b, a, *consts]


def _same_sign(w: np.ndarray) -> bool:
    return bool(np.all(w > 0) or np.all(w < 0))


def _bounded(w: np.ndarray, limit: float = 300.0) -> bool:
    return bool(np.max(np.abs(w)) < limit)


IDENTITY = Transform("id", lambda w: w, why="the target itself", shifted=True)

#: the general transforms: the inverses of the unary functions of the operator table (roots,
#: reciprocals, exp/log, trigonometric and hyperbolic functions), and of ``e^A - 1`` (a
#: function's growth above its value at zero)
GENERAL: tuple[Transform, ...] = (
    IDENTITY,
    Transform("inv", lambda w: 1.0 / w if np.all(w != 0) else None, ("inv",),
              why="y = 1/A: a reciprocal of a sum or a power law", shifted=True),
    Transform("square", lambda w: w * w if _same_sign(w) else None, ("sqrt",),
              why="y = sqrt(A): a root of a sum", shifted=True),
    Transform("inv_square", lambda w: 1.0 / (w * w) if _same_sign(w) else None, ("inv", "sqrt"),
              why="y = 1/sqrt(A): a reciprocal root of a sum", shifted=True),
    Transform("log", lambda w: np.log(np.abs(w)) if _same_sign(w) else None, ("exp",),
              why="y = exp(A): an exponential of a sum"),
    Transform("exp", lambda w: np.exp(w) if _bounded(w) else None, ("log",),
              why="y = log(A): a logarithm of a product or sum"),
    Transform("exp_neg", lambda w: np.exp(-w) if _bounded(w) else None, ("neg", "log"),
              why="y = -log(A)"),
    Transform("sin", lambda w: np.sin(w) if np.max(np.abs(w)) <= np.pi / 2 else None, ("asin",),
              why="y = asin(A): an inverse sine"),
    Transform("cos", lambda w: np.cos(w) if np.min(w) >= 0 and np.max(w) <= np.pi else None,
              ("acos",), why="y = acos(A): an inverse cosine"),
    Transform("atanh", lambda w: np.arctanh(w) if np.max(np.abs(w)) < 1 else None, ("tanh",),
              why="y = tanh(A): a saturating function"),
    Transform("log1p", lambda w: np.log1p(w) if np.min(w) > -1 else None, ("sub", "exp"), ("1",),
              why="y = e^A - 1: growth above the value at A = 0"),
    Transform("tan", lambda w: np.tan(w) if np.max(np.abs(w)) < 1.5 else None, ("atan",),
              why="y = atan(A): an inverse tangent"),
    Transform("asinh", np.arcsinh, ("sinh",), why="y = sinh(A): a hyperbolic sine"),
    Transform("acosh", lambda w: np.arccosh(w) if np.min(w) >= 1 else None, ("cosh",),
              why="y = cosh(A): a hyperbolic cosine"),
    Transform("cube", lambda w: w * w * w if np.all(w > 0) else None, ("cbrt",),
              why="y = cbrt(A): a cube root of a sum", shifted=True),
    Transform("sqrt", lambda w: np.sqrt(w) if np.all(w > 0) else None, ("square",),
              why="y = A²: a square of a sum"),
    Transform("cbrt", np.cbrt, ("cube",), why="y = A³: a cube of a sum"),
)


def by_name(rows: tuple[Transform, ...], name: str) -> Transform:
    """The row called ``name``; a ``KeyError`` naming the known rows otherwise."""
    for row in rows:
        if row.name == name:
            return row
    raise KeyError(f"unknown transform {name!r}; known: {', '.join(r.name for r in rows)}")
