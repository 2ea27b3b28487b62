"""Shape statistics of ground-truth formulas: operators, depth, variables, constants.

They calibrate the random-law grammar (:mod:`srbench_lite.data.random_law_grammar`) against
the bundled tables and compare a generated suite with them
(``benchmarks/random_law_calibration.py``). Only aggregate figures come out of here.

A formula is read as the harness reads a truth (sympy syntax, sympy's automatic
simplification included) and measured on sympy's tree:

- a *constant* is a maximal numeric sub-tree other than ``±1`` that is not an exponent: the
  numeric factors of one product count once (``sqrt(2)/(2*sqrt(pi))`` is one constant), as do
  the numeric terms of one sum; ``pi`` and ``E`` are constants;
- *operators*: a sum of k terms has k - 1 ``add``/``sub`` (``sub``: terms with a minus sign);
  a product has one ``div`` per factor with a negative exponent and one ``mul`` per other factor
  but the first (a constant coefficient is a factor; a lone ``-1`` is not); a power ``b**e``
  with numeric ``e`` is ``sqrt`` (|e| = 1/2), ``cbrt`` (1/3), ``pow`` (integer |e| >= 2) or
  ``pow_frac`` (any other), plus a ``div`` when ``e < 0`` outside a product; ``pow_var`` is a
  power with a non-numeric exponent; functions count by name (``exp``, ``log``, ``sin`` ...,
  anything else as ``other``);
- *depth*: leaves and constants 0; each operator level adds 1 (a product or sum of any arity is
  one level, ``x/y`` is one level, ``1/sqrt(x)`` two);
- *variables*: the free symbols.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import sympy as sp

#: operator names, in report order
OPERATORS = ("add", "sub", "mul", "div", "pow", "sqrt", "cbrt", "pow_frac", "pow_var", "exp",
             "log", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh",
             "other")  # fmt: skip
_FUNCTIONS = frozenset(OPERATORS[9:-1])
#: the bundled suites of ground-truth formulas the default grammar is calibrated on
BUNDLED_SUITES = ("feynman", "srsd-easy", "srsd-medium", "srsd-hard", "empirical", "strogatz")

FormulaLike = str | sp.Expr | tuple[str, Sequence[str]]


@dataclass(frozen=True)
class FormulaShape:
    """The shape of one formula (see the module docstring for the conventions)."""

    n_vars: int
    depth: int
    n_constants: int
    ops: dict[str, int] = field(default_factory=dict, compare=False)

    @property
    def n_ops(self) -> int:
        return sum(self.ops.values())


def _is_constant(expr: sp.Expr) -> bool:
    return bool(expr.is_number) and expr not in (sp.S.One, sp.S.NegativeOne)


def _power_op(exp: sp.Expr) -> str | None:
    """The operator of ``b**|exp|`` for a numeric exponent (None for |exp| = 1)."""
    e = abs(exp)
    if e == 1:
        return None
    if e == sp.Rational(1, 2):
        return "sqrt"
    if e == sp.Rational(1, 3):
        return "cbrt"
    return "pow" if e.is_Integer else "pow_frac"


class _Walker:
    def __init__(self) -> None:
        self.ops: Counter[str] = Counter()
        self.constants = 0

    def walk(self, expr: sp.Expr, in_mul: bool = False) -> int:
        """Count operators and constants below ``expr``; return its depth."""
        if expr.is_number:
            self.constants += _is_constant(expr)
            return 0
        if expr.is_Symbol:
            return 0
        if expr.is_Add:
            return self._add(expr)
        if expr.is_Mul:
            return self._mul(expr)
        if expr.is_Pow:
            return self._pow(expr, in_mul)
        name = type(expr).__name__.lower()
        self.ops[name if name in _FUNCTIONS else "other"] += 1
        return 1 + max(self.walk(a) for a in expr.args)

    def _add(self, expr: sp.Expr) -> int:
        terms = [t for t in expr.args if not t.is_number]
        if len(terms) < len(expr.args):
            self.constants += 1  # the numeric terms of one sum: one constant
        n_ops = len(expr.args) - 1
        sub = min(sum(t.could_extract_minus_sign() for t in terms), n_ops)
        self.ops["sub"] += sub
        self.ops["add"] += n_ops - sub
        return 1 + max(self.walk(t) for t in terms)

    def _mul(self, expr: sp.Expr) -> int:
        factors = [f for f in expr.args if not f.is_number]
        coeff = sp.Mul(*(f for f in expr.args if f.is_number))
        has_const = _is_constant(coeff)
        self.constants += has_const
        den = [f for f in factors if f.is_Pow and f.exp.is_number and f.exp < 0]
        n_num = len(factors) - len(den) + has_const
        self.ops["mul"] += max(n_num - 1, 0)
        self.ops["div"] += len(den)
        depths = [self.walk(f, in_mul=True) for f in factors]
        if len(factors) == 1 and not has_const and not den:
            return depths[0]  # -x: a sign, not an operator
        return 1 + max(depths)

    def _pow(self, expr: sp.Expr, in_mul: bool) -> int:
        base, exp = expr.args
        if not exp.is_number:
            self.ops["pow_var"] += 1
            return 1 + max(self.walk(base), self.walk(exp))
        depth = self.walk(base)
        op = _power_op(exp)
        if op:
            self.ops[op] += 1
            depth += 1
        if exp < 0 and not in_mul:
            self.ops["div"] += 1
            depth += 1
        return depth


def _as_expr(formula: FormulaLike) -> sp.Expr:
    from srbench_lite.data.formula import parse_formula
    from srbench_lite.expr import parse_model

    if isinstance(formula, sp.Expr):
        return formula
    if isinstance(formula, tuple):
        return parse_formula(formula[0], formula[1])
    return parse_model(formula, "sympy")


def formula_shape(formula: FormulaLike) -> FormulaShape:
    """The shape of one formula: a sympy expression, a formula string (``pi`` and ``E`` are
    constants) or ``(formula, feature_names)`` as the suites give them."""
    expr = _as_expr(formula)
    walker = _Walker()
    depth = walker.walk(expr)
    ops = {op: walker.ops[op] for op in OPERATORS if walker.ops[op]}
    return FormulaShape(len(expr.free_symbols), depth, walker.constants, ops)


@dataclass(frozen=True)
class ShapeStats:
    """Aggregate shape of a list of formulas (what the calibration compares)."""

    n_formulas: int
    mean_vars: float
    vars_hist: dict[int, float]  #: share of formulas with k variables (9 = 9 or more)
    mean_depth: float
    depth_hist: dict[int, float]  #: share of formulas of depth d (8 = 8 or more)
    mean_constants: float
    with_constants: float  #: share of formulas with at least one constant
    mean_ops: float
    op_share: dict[str, float]  #: each operator's share of all operators

    def rows(self) -> list[tuple[str, float]]:
        """(label, value) pairs in a fixed order, for side-by-side tables."""
        out = [("formulas", self.n_formulas), ("mean variables", self.mean_vars)]
        out += [(f"  {k} variable{'s' if k > 1 else ''}{'+' if k == 9 else ''}", v)
                for k, v in self.vars_hist.items()]  # fmt: skip
        out += [("mean depth", self.mean_depth)]
        out += [(f"  depth {d}{'+' if d == 8 else ''}", v) for d, v in self.depth_hist.items()]
        out += [("mean constants", self.mean_constants), ("with constants", self.with_constants),
                ("mean operators", self.mean_ops)]  # fmt: skip
        out += [(f"  {op}", v) for op, v in self.op_share.items()]
        return out


def _hist(values: Sequence[int], low: int, high: int) -> dict[int, float]:
    counts = Counter(min(max(v, low), high) for v in values)
    return {k: counts[k] / len(values) for k in range(low, high + 1)}


def shape_stats(formulas: Iterable[FormulaLike]) -> ShapeStats:
    """The aggregate :class:`ShapeStats` of ``formulas`` (see :func:`formula_shape`)."""
    shapes = [formula_shape(f) for f in formulas]
    if not shapes:
        raise ValueError("shape_stats needs at least one formula")
    n = len(shapes)
    ops: Counter[str] = Counter()
    for s in shapes:
        ops.update(s.ops)
    total_ops = sum(ops.values()) or 1
    return ShapeStats(
        n_formulas=n,
        mean_vars=sum(s.n_vars for s in shapes) / n,
        vars_hist=_hist([s.n_vars for s in shapes], 1, 9),
        mean_depth=sum(s.depth for s in shapes) / n,
        depth_hist=_hist([s.depth for s in shapes], 1, 8),
        mean_constants=sum(s.n_constants for s in shapes) / n,
        with_constants=sum(s.n_constants > 0 for s in shapes) / n,
        mean_ops=sum(s.n_ops for s in shapes) / n,
        op_share={op: ops[op] / total_ops for op in OPERATORS},
    )


def suite_formulas(suites: Sequence[str] = BUNDLED_SUITES) -> list[tuple[str, tuple[str, ...]]]:
    """``(formula, feature_names)`` of every problem with a ground truth in ``suites``, read
    through the suite registry (each problem once)."""
    from srbench_lite.data.registry import get_spec, list_problems

    seen: dict[str, tuple[str, tuple[str, ...]]] = {}
    for suite in suites:
        for name in list_problems(suite):
            spec = get_spec(name)
            if spec.has_truth:
                seen.setdefault(name, (spec.formula, spec.feature_names))
    return list(seen.values())
