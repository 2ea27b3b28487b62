"""The screening library, as rows of one typed table.

Screening fits each candidate target by sums of up to three small expressions of the
variables (:class:`.library.ScreeningLibrary`). Each row of :data:`GENERAL` is one family of such
terms (built for ``d`` variables) with why it is general: each names a shape, never a law.
A prior set (:mod:`.priors`) adds rows of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import combinations, permutations

__all__ = ["GENERAL", "TermFamily", "build_library"]

Tokens = tuple[str, ...]


@dataclass(frozen=True)
class TermFamily:
    """A family of library terms: ``build(d)`` gives its terms over ``x0 .. x{d-1}``;
    ``max_d``: built only for at most this many variables (families that grow fast)."""

    name: str
    build: Callable[[int], list[Tokens]]
    why: str
    max_d: int | None = None


def _x(i: int) -> str:
    return f"x{i}"


def _unary(d: int) -> list[Tokens]:
    out: list[Tokens] = []
    for i in range(d):
        xi = _x(i)
        out += [(xi,), ("square", xi), ("sqrt", xi), ("inv", xi), ("inv", "square", xi)]
        out += [("exp", xi), ("log", xi), ("cos", xi), ("sin", xi)]
    return out


def _ordered_pairs(d: int) -> list[Tokens]:
    out: list[Tokens] = []
    for i, j in permutations(range(d), 2):
        xi, xj = _x(i), _x(j)
        out += [("div", xi, xj), ("square", "div", xi, xj), ("div", "square", xi, xj)]
        out += [("mul", xi, "cos", xj), ("mul", xi, "sin", xj)]
    return out


def _pairs(d: int) -> list[Tokens]:
    out: list[Tokens] = []
    for i, j in combinations(range(d), 2):
        xi, xj = _x(i), _x(j)
        out += [("mul", xi, xj), ("sub", xi, xj), ("add", xi, xj)]
        out += [("cos", "sub", xi, xj), ("cos", "mul", xi, xj), ("sin", "mul", xi, xj)]
        out += [("sub", "square", xi, "square", xj), ("add", "square", xi, "square", xj)]
        out += [("square", "sub", xi, xj)]
    return out


#: the general library: one-variable functions, ratios and products of two variables, and
#: functions of their sums, differences and products
GENERAL: tuple[TermFamily, ...] = (
    TermFamily("unary", _unary,
               "each variable under the operator table's cheap unary functions: x, x², √x, "
               "1/x, 1/x², e^x, log x, cos x, sin x"),
    TermFamily("ordered pairs", _ordered_pairs,
               "ratios of two variables and their squares, a variable times a trigonometric "
               "function of another: x/y, (x/y)², x²/y, x·cos y, x·sin y"),
    TermFamily("pairs", _pairs,
               "symmetric two-variable terms: x·y, x±y, x²±y², (x-y)², cos(x-y), cos(x·y), "
               "sin(x·y)"),
)


def build_library(families: tuple[TermFamily, ...], d: int) -> list[Tokens]:
    """Every term of ``families`` for ``d`` variables, in table order, without repeats."""
    out: dict[Tokens, None] = {}
    for fam in families:
        if fam.max_d is None or d <= fam.max_d:
            out.update(dict.fromkeys(fam.build(d)))
    return list(out)
