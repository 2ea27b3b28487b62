"""The physics prior set: law-shaped screening rows, used only by ``gp-physics``.

Every row here was added because a law of the bundled physics suites (AI Feynman) was missed
without it: they are templates of particular laws, not general shapes, so the default engines
(``gp``, ``neural``) never use them. ``gp-physics`` is the same engine with these rows on; a
leaderboard that shows both says what the priors are worth, and on which problems.

| row | kind | the laws it was written for |
|---|---|---|
| Lorentz factor ``sqrt(1 - a²/b²)`` and its inverse | factor | relativistic laws (``v`` and ``c``) |
| Bose ``1 / (e^A - 1)`` | transform | Bose-Einstein occupation, Planck's law |
| Planck ``A / (e^A - 1)`` (scale fitted) | transform | Planck's law over its low-A limit |
| sech ``1 / (e^A + e^-A)`` (scale fitted) | transform | a magnetisation law with 1/cosh |
| ``cos² x``, ``sin² x`` | library | Rutherford scattering, dipole radiation |
| ``((x - y) / z)²`` for up to 6 variables | library | the exponent of a shifted Gaussian |
| power-law exponents up to ±6 (general: ±4) | power law | ``c**5`` and ``r**5`` of one law |
"""

from __future__ import annotations

import math

import numpy as np

from srbench_lite.engines.common.tokens import CONST
from srbench_lite.engines.gp.library_terms import TermFamily
from srbench_lite.engines.gp.priors import GENERAL, FactorRule
from srbench_lite.engines.gp.transforms import Transform

__all__ = ["PHYSICS", "lorentz_factors", "planck_inverse"]

Tokens = tuple[str, ...]

_LORENTZ_PAIRS = 4  # variable pairs (a, b) with |a| < |b| that get sqrt(1 - a²/b²) factors
_SCALED_DIFF_MAX_D = 6  # ((x - y) / z)² library terms up to this many variables (60 terms)


def lorentz_factors(cols: list[np.ndarray]) -> list[Tokens]:
    """``1/sqrt(1 - (a/b)²)`` and ``sqrt(1 - (a/b)²)`` for the variable pairs with ``|a| < |b|``
    on every row (``v`` and ``c`` in relativistic laws), at most :data:`_LORENTZ_PAIRS` of them,
    those with the largest ``|a/b|`` first (where the factor departs most from 1)."""
    pairs = []
    with np.errstate(all="ignore"):
        for i, a in enumerate(cols):
            for j, b in enumerate(cols):
                r = float(np.max(np.abs(a / b))) if i != j else math.inf
                if r < 1.0 - 1e-9:
                    pairs.append((-r, i, j))
    out: list[Tokens] = []
    for _, i, j in sorted(pairs)[:_LORENTZ_PAIRS]:
        root = ("sqrt", "sub", "1", "square", "div", f"x{i}", f"x{j}")
        out += [("inv", *root), root]
    return out


def planck_inverse(w: np.ndarray) -> np.ndarray:
    """The ``x > 0`` with ``x / (e^x - 1) = w``, for each ``0 < w < 1`` (Newton on the log)."""
    w = np.asarray(w, dtype=np.float64)
    lw = np.log(w)
    x = np.maximum(2.0 * (1.0 - w), -lw + np.log1p(-lw))  # small-x and large-x asymptotes
    for _ in range(60):
        h = np.log(x) - np.log(np.expm1(x)) - lw
        dh = 1.0 / x - 1.0 / -np.expm1(-x)
        step = h / dh
        x = np.maximum(x - step, 0.5 * x)
        if np.max(np.abs(step) / x) < 1e-14:
            break
    return x


def _planck_full(tokens: Tokens) -> Tokens:
    scaled = ("mul", CONST, *tokens)  # A = a*f twice (no offset: two would overrun the cap)
    return ("div", *scaled, "sub", "exp", *scaled, "1")


def _sech_full(tokens: Tokens) -> Tokens:
    scaled = ("mul", CONST, *tokens)
    return ("inv", "add", "exp", *scaled, "exp", "neg", *scaled)


def _in_unit(w: np.ndarray, closed: bool = False) -> bool:
    return bool(np.all((w > 0) & ((w <= 1) if closed else (w < 1))))


_BOSE = Transform(
    "bose", lambda w: np.log1p(1.0 / w) if np.all(w > 0) else None, ("inv", "sub", "exp"), ("1",),
    why="w = 1 / (e^A - 1): Bose-Einstein occupation, Planck's law",
)
_PLANCK = Transform(
    "planck", lambda w: planck_inverse(w) if _in_unit(w) else None,
    why="w = A / (e^A - 1): Planck's law over its low-A limit", scaled=True, full=_planck_full,
)
_SECH = Transform(
    "sech", lambda w: np.arccosh(1.0 / w) if _in_unit(w, closed=True) else None,
    why="w = 1 / (e^A + e^-A): a 1/cosh magnetisation law", scaled=True, full=_sech_full,
)


def _squared_trig(d: int) -> list[Tokens]:
    out: list[Tokens] = []
    for i in range(d):
        out += [("square", "cos", f"x{i}"), ("square", "sin", f"x{i}")]
    return out


def _scaled_differences(d: int) -> list[Tokens]:
    out: list[Tokens] = []
    for i in range(d):
        for j in range(i + 1, d):
            for k in range(d):
                if k not in (i, j):
                    out.append(("square", "div", "sub", f"x{i}", f"x{j}", f"x{k}"))
    return out


PHYSICS = GENERAL.extended(
    "physics",
    "the general rows plus templates of AI Feynman laws: the Lorentz factor, Bose, Planck and "
    "1/cosh targets, cos²/sin² (Rutherford) and shifted-Gaussian library terms, power laws "
    "with |exponent| <= 6",
    transforms=(_BOSE, _PLANCK, _SECH),
    terms=(
        TermFamily("squared trig", _squared_trig, "cos² x, sin² x: Rutherford scattering"),
        TermFamily("scaled differences", _scaled_differences,
                   "((x - y)/z)²: the exponent of a shifted Gaussian", max_d=_SCALED_DIFF_MAX_D),
    ),
    factors=(
        FactorRule("Lorentz factor", lorentz_factors,
                   "sqrt(1 - a²/b²) and its inverse when a is smaller than b in magnitude: "
                   "relativistic laws"),
    ),
    max_abs_exponent=6.0,
)
