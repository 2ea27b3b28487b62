"""Token sequences to sympy, and sympy back to token sequences (the finishing stage's round trip).

Both directions read the operator table (:mod:`.operators`).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import sympy as sp

from srbench_lite.engines.common.operators import OPS, sympy_function
from srbench_lite.engines.common.tokens import (
    CONST,
    is_literal,
    is_parameter,
    is_variable,
    literal_value,
    variable_index,
)

__all__ = ["from_sympy", "literal_to_sympy", "to_sympy"]


def literal_to_sympy(tok: str) -> sp.Expr:
    """Exact sympy number for a literal token (``"0.5"`` -> 1/2, ``"pi"`` -> pi)."""
    if tok == "pi":
        return sp.pi
    frac = Fraction(tok).limit_denominator(10_000)
    if abs(float(frac) - literal_value(tok)) <= 1e-12 * max(1.0, abs(literal_value(tok))):
        return sp.Rational(frac.numerator, frac.denominator)
    return sp.Float(literal_value(tok), 17)


def to_sympy(
    tokens: Sequence[str],
    consts: Sequence[float] | None = None,
    feature_names: Sequence[str] | None = None,
    *,
    a: float = 1.0,
    b: float = 0.0,
) -> sp.Expr:
    """The sympy expression ``a * f + b`` for the token sequence ``f``.

    Variables become ``sympy.Symbol(feature_names[i])`` (``x<i>`` by default); the k-th ``"c"``
    (or parameter ``"p<k>"``) becomes ``Float(consts[k])``, or a symbol ``c<k>`` (``p<k>``) when
    ``consts`` is None; literals are exact.
    """
    names = [
        f"x{i}"
        for i in range(1 + max((variable_index(t) for t in tokens if is_variable(t)), default=-1))
    ]
    if feature_names is not None:
        names = list(feature_names)
    symbols: dict[int, sp.Symbol] = {}
    stack: list[sp.Expr] = []
    k = sum(1 for t in tokens if t == CONST)
    for tok in reversed(tokens):
        op = OPS.get(tok)
        if op is not None:
            args = [stack.pop() for _ in range(op.arity)]
            stack.append(op.sympy(*args))
        elif tok == CONST:
            k -= 1
            stack.append(sp.Symbol(f"c{k}") if consts is None else sp.Float(consts[k], 17))
        elif is_parameter(tok):
            i = int(tok[1:])
            stack.append(sp.Symbol(tok) if consts is None else sp.Float(consts[i], 17))
        elif is_variable(tok):
            i = variable_index(tok)
            if i not in symbols:
                symbols[i] = sp.Symbol(str(names[i]))
            stack.append(symbols[i])
        elif is_literal(tok):
            stack.append(literal_to_sympy(tok))
        else:
            raise ValueError(f"unknown token {tok!r}")
    if len(stack) != 1:
        raise ValueError(f"not a single expression: {tuple(tokens)!r}")
    expr = stack[0]
    if a != 1.0:
        expr = sp.Float(a, 17) * expr
    if b != 0.0:
        expr = expr + sp.Float(b, 17)
    return expr


def _number_token(e: sp.Expr) -> str:
    if e.is_Integer:
        return str(int(e))
    return repr(float(e))


def from_sympy(
    expr: sp.Expr,
    feature_names: Sequence[str] | None = None,
    params: Sequence[sp.Symbol] = (),
) -> tuple[tuple[str, ...], list[float]]:
    """Tokens and constants for a sympy expression (inverse of :func:`to_sympy`).

    Symbols must be ``x<i>`` or in ``feature_names``; the symbols in ``params`` become indexed
    parameters ``"p<i>"`` (then Floats become literals); otherwise every Float becomes a ``"c"``
    placeholder with its value in the returned list. Integers, rationals and pi are literals.
    Raises ``ValueError`` for what the tokens cannot express.
    """
    index = {str(n): i for i, n in enumerate(feature_names or [])}
    pindex = {p: i for i, p in enumerate(params)}
    toks: list[str] = []
    consts: list[float] = []
    pows = {2: "square", 3: "cube", sp.Rational(1, 2): "sqrt", sp.Rational(1, 3): "cbrt", -1: "inv"}

    def walk(e: sp.Expr) -> None:
        if e in pindex:
            toks.append(f"p{pindex[e]}")
        elif e.is_Symbol:
            name = str(e)
            if name in index:
                toks.append(f"x{index[name]}")
            elif is_variable(name):
                toks.append(name)
            else:
                raise ValueError(f"unknown symbol {name!r}")
        elif e is sp.pi:
            toks.append("pi")
        elif e is sp.E:
            toks.extend(("exp", "1"))
        elif e.is_Rational:
            toks.append(_number_token(e))
        elif e.is_Float and not pindex:
            toks.append(CONST)
            consts.append(float(e))
        elif e.is_Number and e.is_real:
            toks.append(_number_token(e))
        elif e.is_Add or e.is_Mul:
            toks.extend(["add" if e.is_Add else "mul"] * (len(e.args) - 1))
            for arg in e.args:
                walk(arg)
        elif e.is_Pow:
            base, ex = e.args
            if ex in pows:
                toks.append(pows[ex])
                walk(base)
            elif ex == -2:
                toks.extend(("inv", "square"))
                walk(base)
            elif ex in (sp.Rational(-1, 2), sp.Rational(-1, 3)):
                toks.extend(("inv", "sqrt" if ex == sp.Rational(-1, 2) else "cbrt"))
                walk(base)
            else:
                toks.append("pow")
                walk(base)
                walk(ex)
        else:
            name = next((n for n in OPS if sympy_function(n) is e.func), None)
            if name is None:
                raise ValueError(f"cannot express {e.func.__name__} as tokens")
            toks.append(name)
            walk(e.args[0])

    walk(sp.sympify(expr))
    return tuple(toks), consts
