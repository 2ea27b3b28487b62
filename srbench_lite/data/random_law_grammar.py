"""The grammar of the random-law suite: which expressions, constants and sampling ranges.

A :class:`Grammar` is a frozen, hashable declaration: the binary operators (``+ - * /``) and
unary operators (small integer and half powers, roots, ``exp``, ``log``, trigonometric,
inverse trigonometric and hyperbolic functions) with their weights, the share of pure product
laws, the rate of unary operators, the tree depth, the distribution of the number of variables
(1 to 8), of repeated variables and of constants (:class:`ConstantSpec`: small integers, simple
rationals, 3-significant-digit floats, ``pi``), and how each variable's sampling range is drawn
(:class:`RangeSpec`). Every draw takes an explicit ``numpy.random.Generator`` and nothing else.
Trees are drawn by :mod:`srbench_lite.data.random_law_tree`.

:data:`DEFAULT_GRAMMAR` is calibrated on the shape statistics of the bundled tables
(:mod:`srbench_lite.data.law_stats`, measured by ``benchmarks/random_law_calibration.py``; the
full table is in ``docs/random_laws.md``). 500 laws of seed 0 against the 263 table formulas:
mean variables 3.28 / 3.37, mean depth 2.88 / 3.07, mean constants 1.01 / 1.21, mean
operators 5.74 / 5.90; operator shares mul 34 / 37 %, div 17 / 20 %, integer powers 21 / 18 %,
add + sub 13 / 15 %, sqrt 3.0 / 3.0 %, sin + cos 5.4 / 5.0 %, exp + log 3.4 / 2.0 %; rare
functions (tan, atan, sinh, cosh, tanh, cube roots) 0.2-0.6 % each, where the tables have
almost none, so that fresh suites exercise them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from srbench_lite.data.tables import VariableSpec
from srbench_lite.errors import InvalidValueError

Weights = tuple[tuple[str, float], ...]

#: binary operators: name -> (sympy builder, numpy function)
BINARY: dict[str, tuple[Callable, Callable]] = {
    "add": (lambda a, b: a + b, np.add),
    "sub": (lambda a, b: a - b, np.subtract),
    "mul": (lambda a, b: a * b, np.multiply),
    "div": (lambda a, b: a / b, np.divide),
}
#: unary operators: name -> (sympy builder, numpy function); powers of negative numbers with
#: a fractional exponent are complex in sympy and NaN in numpy (both rejected as undefined)
UNARY: dict[str, tuple[Callable, Callable]] = {
    "square": (lambda a: a**2, np.square),
    "cube": (lambda a: a**3, lambda a: a**3),
    "pow4": (lambda a: a**4, lambda a: a**4),
    "pow3/2": (lambda a: a ** sp.Rational(3, 2), lambda a: np.power(a, 1.5)),
    "inv_sqrt": (lambda a: 1 / sp.sqrt(a), lambda a: 1 / np.sqrt(a)),
    "sqrt": (sp.sqrt, np.sqrt),
    "cbrt": (lambda a: a ** sp.Rational(1, 3), lambda a: np.power(a, 1 / 3)),
    "exp": (sp.exp, np.exp),
    "log": (sp.log, np.log),
    "sin": (sp.sin, np.sin),
    "cos": (sp.cos, np.cos),
    "tan": (sp.tan, np.tan),
    "asin": (sp.asin, np.arcsin),
    "acos": (sp.acos, np.arccos),
    "atan": (sp.atan, np.arctan),
    "sinh": (sp.sinh, np.sinh),
    "cosh": (sp.cosh, np.cosh),
    "tanh": (sp.tanh, np.tanh),
}
#: unary operators that count as nested functions (powers and roots do not)
TRANSCENDENTAL = frozenset(UNARY) - {"square", "cube", "pow4", "pow3/2", "inv_sqrt", "sqrt",
                                     "cbrt"}  # fmt: skip
CONSTANT_KINDS = ("integer", "rational", "float", "pi")
RANGE_LAWS = ("uniform", "log_uniform", "uniform_pm")


def _check_weights(what: str, weights: Weights, valid) -> None:
    names = [name for name, _ in weights]
    unknown = [n for n in names if n not in valid]
    if unknown:
        raise InvalidValueError(f"{what}: unknown name(s) {unknown} (valid: {', '.join(valid)})")
    values = [w for _, w in weights]
    if len(set(names)) != len(names) or any(not w >= 0 for w in values) or sum(values) <= 0:
        raise InvalidValueError(f"{what}: weights must be >= 0, distinct, with a positive sum")


def choose(weights: Weights, rng: np.random.Generator) -> str:
    values = np.array([w for _, w in weights], dtype=float)
    return weights[int(rng.choice(len(weights), p=values / values.sum()))][0]


def choose_index(weights: tuple[float, ...], rng: np.random.Generator) -> int:
    values = np.asarray(weights, dtype=float)
    return int(rng.choice(len(values), p=values / values.sum()))


@dataclass(frozen=True)
class ConstantSpec:
    """How many constants a law has and how each is drawn and printed."""

    #: weights of 0, 1, 2, ... constant leaves
    count: tuple[float, ...] = (0.15, 0.4, 0.3, 0.15)
    kinds: Weights = (("integer", 0.45), ("rational", 0.2), ("float", 0.25), ("pi", 0.1))
    #: integers in [low, high]
    integers: tuple[int, int] = (2, 5)
    #: rationals p/q: p in [1, high numerator], q among these, never an integer
    denominators: tuple[int, ...] = (2, 3, 4)
    max_numerator: int = 5
    #: floats: 10**U(low, high) with ``digits`` significant digits
    float_log10: tuple[float, float] = (-1.0, 1.0)
    digits: int = 3

    def __post_init__(self) -> None:
        _check_weights("constant kinds", self.kinds, CONSTANT_KINDS)
        if not self.count or any(not w >= 0 for w in self.count) or sum(self.count) <= 0:
            raise InvalidValueError("constant count weights must be >= 0 with a positive sum")
        if not 1 <= self.integers[0] <= self.integers[1] or not 1 <= self.digits <= 15:
            raise InvalidValueError("constant ranges must be positive and ordered")

    def draw(self, rng: np.random.Generator) -> sp.Expr:
        kind = choose(self.kinds, rng)
        if kind == "integer":
            return sp.Integer(int(rng.integers(self.integers[0], self.integers[1] + 1)))
        if kind == "rational":
            q = self.denominators[int(rng.integers(len(self.denominators)))]
            p = int(rng.integers(1, self.max_numerator + 1))
            while p % q == 0:
                p += 1
            return sp.Rational(p, q)
        if kind == "float":
            value = 10.0 ** rng.uniform(*self.float_log10)
            return sp.Float(float(f"{value:.{self.digits}g}"))
        return sp.pi


@dataclass(frozen=True)
class RangeSpec:
    """How each variable's sampling law is drawn (laws of :mod:`srbench_lite.data.sampling`)."""

    laws: Weights = (("uniform", 0.7), ("log_uniform", 0.2), ("uniform_pm", 0.1))
    #: uniform and uniform_pm: low among these, high = low x one of ``ratios``
    lows: tuple[float, ...] = (0.1, 0.5, 1.0, 1.0, 1.0, 2.0)
    ratios: tuple[float, ...] = (2.0, 3.0, 5.0, 10.0)
    #: log_uniform: 10**U(k, k + span) with k and span among these
    log_starts: tuple[int, ...] = (-2, -1, 0, 1)
    log_spans: tuple[int, ...] = (1, 2)

    def __post_init__(self) -> None:
        _check_weights("range laws", self.laws, RANGE_LAWS)
        if min(self.lows) <= 0 or min(self.ratios) <= 1 or min(self.log_spans) < 1:
            raise InvalidValueError("range lows must be > 0, ratios > 1 and log spans >= 1")

    def draw(self, name: str, rng: np.random.Generator, positive: bool = False) -> VariableSpec:
        """One variable's law; ``positive`` avoids ``uniform_pm`` (for square roots, logs)."""
        laws = tuple(w for w in self.laws if not (positive and w[0] == "uniform_pm"))
        law = choose(laws or (("uniform", 1.0),), rng)
        if law == "log_uniform":
            start = self.log_starts[int(rng.integers(len(self.log_starts)))]
            span = self.log_spans[int(rng.integers(len(self.log_spans)))]
            return VariableSpec(name, law, 10.0**start, 10.0 ** (start + span))
        low = self.lows[int(rng.integers(len(self.lows)))]
        ratio = self.ratios[int(rng.integers(len(self.ratios)))]
        return VariableSpec(name, law, low, float(f"{low * ratio:.6g}"))


@dataclass(frozen=True)
class Grammar:
    """A declared distribution over ground-truth laws (see the module docstring)."""

    binary: Weights = (("add", 0.24), ("sub", 0.24), ("mul", 0.33), ("div", 0.19))
    unary: Weights = (
        ("square", 0.33), ("cube", 0.05), ("pow4", 0.02), ("pow3/2", 0.01),
        ("inv_sqrt", 0.02), ("sqrt", 0.06), ("cbrt", 0.01), ("exp", 0.07), ("log", 0.03),
        ("sin", 0.09), ("cos", 0.09), ("tan", 0.01), ("asin", 0.01), ("acos", 0.01),
        ("atan", 0.01), ("sinh", 0.01), ("cosh", 0.01), ("tanh", 0.01),
    )  # fmt: skip
    #: chance that a law is a product: ``*`` and ``/`` its only binary operators (power laws)
    monomial: float = 0.22
    #: chance that a node with a variable below it is wrapped in a unary operator (in a
    #: product law: ``monomial_unary_rate``)
    unary_rate: float = 0.5
    monomial_unary_rate: float = 0.08
    #: deepest tree (operator levels, before sympy's simplification)
    max_depth: int = 8
    #: most transcendental functions on one path (exp(sin(x)) is 2)
    max_nested: int = 1
    #: weights of 1, 2, ..., 8 variables
    n_vars: tuple[float, ...] = (0.03, 0.13, 0.23, 0.25, 0.18, 0.10, 0.04, 0.04)
    #: weights of 0, 1, 2, ... extra occurrences of a variable already used
    repeats: tuple[float, ...] = (0.45, 0.3, 0.15, 0.1)
    constants: ConstantSpec = field(default_factory=ConstantSpec)
    ranges: RangeSpec = field(default_factory=RangeSpec)

    def __post_init__(self) -> None:
        _check_weights("binary operators", self.binary, BINARY)
        _check_weights("unary operators", self.unary, UNARY)
        for key in ("monomial", "unary_rate", "monomial_unary_rate"):
            if not 0 <= getattr(self, key) < 1:
                raise InvalidValueError(f"{key} must be in [0, 1), got {getattr(self, key)!r}")
        if (
            not 1 <= len(self.n_vars) <= 8
            or any(not w >= 0 for w in self.n_vars)
            or sum(self.n_vars) <= 0
        ):
            raise InvalidValueError("n_vars: 1 to 8 weights (of 1, 2, ... variables), >= 0")
        if self.max_depth < 1 or self.max_nested < 0 or sum(self.repeats) <= 0:
            raise InvalidValueError("max_depth must be >= 1, max_nested >= 0, repeats non-empty")

    def draw_n_vars(self, rng: np.random.Generator) -> int:
        return 1 + choose_index(self.n_vars, rng)


def variable_names(n: int) -> tuple[str, ...]:
    """The feature names of a law with ``n`` variables: ``x1 .. xn``."""
    return tuple(f"x{i}" for i in range(1, n + 1))


def draw_ranges(
    grammar: Grammar, names: tuple[str, ...], rng: np.random.Generator, positive: bool = False
) -> tuple[VariableSpec, ...]:
    """A sampling law per variable (``positive``: only laws with positive values)."""
    return tuple(grammar.ranges.draw(name, rng, positive) for name in names)


DEFAULT_GRAMMAR = Grammar()
