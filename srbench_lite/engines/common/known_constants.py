"""The values the finishing stage may snap a fitted parameter to (:func:`nice_values`).

Plain numbers (0, integers, simple rationals, square roots of rationals), rational multiples
of the common constants in :data:`KNOWN` (pi, e, log 2, ...), and simple multiples and
products of the other parameters. Each candidate has a *cost* (about the decimal digits it
takes to write); the snap tolerance shrinks with it (``10**-cost`` relative), so a precise fit
to ``log(2*pi)`` counts as evidence and a loose one as a coincidence, and the cheapest
candidates are tried first (integers and rationals before constants).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import sympy as sp

__all__ = ["KNOWN", "KnownConstant", "closeness", "nice_values"]

SNAP_TOL = 2e-2  # relative distance within which a nice value is worth a refit
MAX_TRIES = 5  # nice values tried per parameter (besides 0)


@dataclass(frozen=True)
class KnownConstant:
    """A common constant: its ``name``, float ``value``, exact ``sympy`` form and ``cost``
    (decimal digits, before the rational multiple that scales it)."""

    name: str
    value: float
    sympy: sp.Expr
    cost: float


def _known(name: str, expr: sp.Expr, cost: float) -> KnownConstant:
    return KnownConstant(name, float(expr), expr, cost)


#: the common constants; a candidate is ``f * sympy`` (``f`` a rational, denominator <= 12)
#: costing ``cost + digits(f)``. Inexact fits may only snap to values costing at most 2.5
#: (``pi``, ``e`` and their small multiples); the rest needs an exact fit.
KNOWN: tuple[KnownConstant, ...] = (
    _known("pi", sp.pi, 2.0),
    _known("1/pi", 1 / sp.pi, 2.0),
    _known("e", sp.E, 2.0),
    _known("pi**2", sp.pi**2, 2.5),
    _known("sqrt(pi)", sp.sqrt(sp.pi), 2.5),
    _known("sqrt(2*pi)", sp.sqrt(2 * sp.pi), 2.5),
    _known("1/sqrt(2*pi)", 1 / sp.sqrt(2 * sp.pi), 2.5),
    _known("e**2", sp.exp(2), 2.5),
    _known("1/e", sp.exp(-1), 2.5),
    _known("sqrt(e)", sp.exp(sp.Rational(1, 2)), 2.5),
    _known("log(2)", sp.log(2), 2.5),
    _known("log(10)", sp.log(10), 2.5),
    _known("log(pi)", sp.log(sp.pi), 2.5),
    _known("log(2*pi)", sp.log(2 * sp.pi), 2.5),
)


def size(f: Fraction) -> float:
    """How long a rational is to write (digits of numerator and denominator)."""
    return math.log10(abs(f.numerator) + 1) + math.log10(f.denominator)


def nice_values(
    v: float, others: list[tuple[sp.Symbol, float]], max_cost: float = math.inf
) -> list[tuple[sp.Expr, float]]:
    """``(value, cost)`` pairs close to ``v``, cheapest first (0 always first): integers,
    rationals, square roots of rationals, rational multiples of :data:`KNOWN`, simple multiples
    of another parameter (``others``: ``(symbol, value)``), products and ratios of two. A value
    costing ``cost`` must lie within ``min(SNAP_TOL, 10**-cost)`` relative of ``v`` and cost at
    most ``max_cost``; at most ``MAX_TRIES`` besides 0."""
    if not math.isfinite(v) or v == 0.0:
        return [(sp.Integer(0), 0.0)]
    out: list[tuple[float, float, sp.Expr]] = [(-1.0, 0.0, sp.Integer(0))]

    def add(value: float, expr: sp.Expr, cost: float) -> None:
        err = abs(value - v) / abs(v)
        if err <= min(SNAP_TOL, 10.0**-cost) and cost <= max_cost:
            out.append((cost, err, expr))

    for den in (1, 2, 3, 4, 5, 6, 8, 10, 12):
        f = Fraction(v).limit_denominator(den)
        if f != 0 and abs(f.numerator) <= 100_000:
            add(float(f), sp.Rational(f.numerator, f.denominator), 1 + size(f))
    for k in KNOWN:
        f = Fraction(v / k.value).limit_denominator(12)
        if f != 0 and abs(f.numerator) <= 100:
            add(float(f) * k.value, sp.Rational(f.numerator, f.denominator) * k.sympy,
                k.cost + size(f))  # fmt: skip
    f = Fraction(v * v).limit_denominator(12)
    if f != 0 and abs(f.numerator) <= 100:
        root = math.copysign(math.sqrt(float(f)), v)
        add(root, (1 if v > 0 else -1) * sp.sqrt(sp.Rational(f.numerator, f.denominator)),
            2.5 + size(f))  # fmt: skip
    for j, (s, w) in enumerate(others):
        if w == 0.0 or not math.isfinite(w):
            continue
        inv = Fraction(w / v).limit_denominator(4)
        for r in (Fraction(v / w).limit_denominator(4), 1 / inv if inv else Fraction(0)):
            if r != 0 and abs(r.numerator) <= 12:
                add(float(r) * w, sp.Rational(r.numerator, r.denominator) * s, 2 + size(r))
        for s2, w2 in others[j + 1 :]:
            for sign in (1, -1):
                add(sign * w * w2, sign * s * s2, 3.0)
                if w2 != 0.0:
                    add(sign * w / w2, sign * s / s2, 3.0)
                    add(sign * w2 / w, sign * s2 / s, 3.0)
    out.sort(key=lambda t: (t[0], t[1]))
    seen, result = set(), []
    for cost, _, e in out:
        if e not in seen:
            seen.add(e)
            result.append((e, max(cost, 0.0)))
    return result[: MAX_TRIES + 1]


def closeness(v: float) -> float:
    """How close ``v`` is to a simple rational or a known constant (smaller: try it first)."""
    if v == 0.0 or not math.isfinite(v):
        return 0.0
    f = Fraction(v).limit_denominator(12)
    best = abs(float(f) - v) / abs(v) if f != 0 else 1.0
    return min(best, *(abs(abs(v) - k.value) / abs(v) for k in KNOWN))
