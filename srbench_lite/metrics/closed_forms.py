"""Full-precision constants read as the simple closed forms they print (a departure from SRBench).

An SR tool that found ``w**2`` as ``7.3890560989306513**log(w)`` printed e² to the last digit;
one that found ``log(sqrt(2*pi)*s*f)`` printed log 2π as ``1.8378770664093451``. SRBench rounds
every constant to 3 decimals first, after which ``7.389**log(w)`` is no longer ``w**2`` and
``-2*log(2.507)`` is no longer ``-1.838``: the law is found and not credited. Both judges
(exact and form recovery) therefore read a constant as a closed form *before* judging when

* it is printed with at least :data:`MIN_DIGITS` (12) significant digits -- far more than a fitted
  constant needs, so a shorter constant (``0.4260000001``, ``3.1416``) is never touched and
  SRBench's rounding rule stands for it; and
* it equals an entry of the table below to :data:`RTOL` (1e-12) relative, or is that entry
  correctly rounded to the printed digits.

The table (built once, on first use): ``r * b`` for ``r`` a small rational ``p/q``
(``1 <= p, q <= 16``) and ``b`` one of

* 1 and integer or half-integer powers of π (``π^k``, ``|k| <= 3``) and of e, square roots
  of small square-free integers (``√2 ... √15``), and those square roots times ``π^±1/2`` or
  ``π^±1`` (``√(2π)``);
* logarithms of small rationals and of small rationals times π or π², with multipliers
  ``1, 2, 3, 1/2, 1/3, 1/4, 3/2, 2/3`` (``log 2``, ``log 2π``, ``log(2π)/2``).

On a random 12-digit constant the chance of a spurious match is of order 1e-8 (about 16,000
entries, each a window of 2e-12 to 1e-11 relative; none of 200,000 random 15-digit constants
matched). NED keeps SRSD's reading (every number is one
``Const``), so it is unaffected.
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import lru_cache

import numpy as np
import sympy as sp

__all__ = ["MIN_DIGITS", "RTOL", "closed_form", "read_closed_forms", "significant_digits"]

#: fewest printed significant digits for a constant to be read as a closed form
MIN_DIGITS = 12
#: relative agreement with the closed form
RTOL = 1e-12

_RATIONALS_MAX = 16
_SQUARE_FREE = (2, 3, 5, 6, 7, 10, 11, 13, 14, 15)
_LOG_MULTIPLIERS = (
    Fraction(1), Fraction(2), Fraction(3), Fraction(1, 2), Fraction(1, 3), Fraction(1, 4),
    Fraction(3, 2), Fraction(2, 3),
)  # fmt: skip
_HALVES = tuple(Fraction(k, 2) for k in range(-6, 7) if k != 0)


def significant_digits(value: float) -> int:
    """Significant digits of ``value`` as Python prints it (the shortest round-trip repr)."""
    text = repr(abs(float(value))).lower()
    mantissa = text.split("e")[0].replace(".", "").strip("0")
    return len(mantissa)


def _small_rationals() -> list[Fraction]:
    seen: dict[Fraction, None] = {}
    for q in range(1, _RATIONALS_MAX + 1):
        for p in range(1, _RATIONALS_MAX + 1):
            seen.setdefault(Fraction(p, q))
    return list(seen)


def _bases() -> list[tuple[float, tuple]]:
    """Multiplicative bases ``b`` as (value, recipe); recipes are built into sympy lazily."""
    out: list[tuple[float, tuple]] = [(1.0, ("one",))]
    for k in _HALVES:
        out.append((math.pi ** float(k), ("pi", k)))
        out.append((math.e ** float(k), ("e", k)))
    for n in _SQUARE_FREE:
        out.append((math.sqrt(n), ("sqrt", n, Fraction(0))))
        for k in (Fraction(1, 2), Fraction(-1, 2), Fraction(1), Fraction(-1)):
            out.append((math.sqrt(n) * math.pi ** float(k), ("sqrt", n, k)))
    return out


def _logs() -> list[tuple[float, tuple]]:
    """``log(s * π^k)`` for small rationals ``s`` and ``k`` in 0, 1, 2 (nonzero values only)."""
    out = []
    for s in _small_rationals():
        for k in (0, 1, 2):
            value = math.log(float(s)) + k * math.log(math.pi)
            if s == 1 and k == 0:
                continue
            out.append((value, ("log", s, k)))
    return out


@lru_cache(maxsize=1)
def _table() -> tuple[np.ndarray, list[tuple]]:
    """Sorted positive values and their recipes ``(r, base recipe)`` (first entry wins a tie)."""
    values: list[float] = []
    recipes: list[tuple] = []
    for r in _small_rationals():
        for value, recipe in _bases():
            values.append(float(r) * value)
            recipes.append((r, recipe))
    for m in _LOG_MULTIPLIERS:
        for value, recipe in _logs():
            if value != 0:
                values.append(abs(float(m) * value))
                recipes.append((m if value > 0 else -m, recipe))
    arr = np.asarray(values)
    order = np.argsort(arr, kind="stable")
    return arr[order], [recipes[i] for i in order]


def _build(recipe: tuple) -> sp.Expr:
    r, base = recipe
    factor = sp.Rational(r.numerator, r.denominator)
    kind = base[0]
    if kind == "one":
        return factor
    if kind == "pi":
        return factor * sp.pi ** sp.Rational(base[1].numerator, base[1].denominator)
    if kind == "e":
        return factor * sp.exp(sp.Rational(base[1].numerator, base[1].denominator))
    if kind == "sqrt":
        k = base[2]
        return factor * sp.sqrt(base[1]) * sp.pi ** sp.Rational(k.numerator, k.denominator)
    s, k = base[1], base[2]
    return factor * sp.log(sp.Rational(s.numerator, s.denominator) * sp.pi**k)


def closed_form(value: float, digits: int | None = None) -> sp.Expr | None:
    """The table's closed form equal to ``value`` (see the module docstring), or None.

    ``digits``: the printed significant digits (default: those of ``repr(value)``); fewer than
    :data:`MIN_DIGITS` gives None. Integers are never replaced.
    """
    value = float(value)
    if not math.isfinite(value) or value == 0 or value == int(value):
        return None
    digits = significant_digits(value) if digits is None else digits
    if digits < MIN_DIGITS:
        return None
    magnitude = abs(value)
    last_digit = 10.0 ** (math.floor(math.log10(magnitude)) - digits + 1)
    tol = max(RTOL * magnitude, 0.5 * last_digit)
    values, recipes = _table()
    lo = int(np.searchsorted(values, magnitude - tol, side="left"))
    hi = int(np.searchsorted(values, magnitude + tol, side="right"))
    if lo >= hi:
        return None
    best = min(range(lo, hi), key=lambda i: (abs(values[i] - magnitude), i))
    form = _build(recipes[best])
    if form.is_Integer:
        return None
    return form if value > 0 else -form


def read_closed_forms(expr: sp.Expr) -> tuple[sp.Expr, dict[str, str]]:
    """``expr`` with each full-precision constant replaced by its closed form.

    Returns the new expression and ``{printed constant: closed form}`` for the constants read
    (empty when none: the expression is returned unchanged).
    """
    mapping, read = {}, {}
    for f in expr.atoms(sp.Float):
        form = closed_form(float(f))
        if form is not None:
            mapping[f] = form
            read[repr(float(f))] = str(form)
    if not mapping:
        return expr, read
    return expr.xreplace(mapping), read
