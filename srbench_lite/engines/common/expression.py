"""Token sequences to sympy, and sympy (back) to token sequences."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import sympy as sp

from srbench_lite.engines.common.tokens import (
    ARITY,
    CONST,
    is_literal,
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


_UNARY = {
    "neg": lambda a: -a,
    "inv": lambda a: 1 / a,
    "sin": sp.sin,
    "cos": sp.cos,
    "tan": sp.tan,
    "exp": sp.exp,
    "log": sp.log,
    "sqrt": sp.sqrt,
    "square": lambda a: a**2,
    "cube": lambda a: a**3,
    "abs": sp.Abs,
    "tanh": sp.tanh,
}
_BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a**b,
}


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
    becomes ``Float(consts[k])`` (a symbol ``c<k>`` when ``consts`` is None); literals are exact.
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
        ar = ARITY.get(tok, 0)
        if ar == 0:
            if tok == CONST:
                k -= 1
                stack.append(sp.Symbol(f"c{k}") if consts is None else sp.Float(consts[k], 17))
            elif is_variable(tok):
                i = variable_index(tok)
                if i not in symbols:
                    symbols[i] = sp.Symbol(str(names[i]))
                stack.append(symbols[i])
            elif is_literal(tok):
                stack.append(literal_to_sympy(tok))
            else:
                raise ValueError(f"unknown token {tok!r}")
        elif ar == 1:
            stack.append(_UNARY[tok](stack.pop()))
        else:
            x = stack.pop()
            y = stack.pop()
            stack.append(_BINARY[tok](x, y))
    if len(stack) != 1:
        raise ValueError(f"not a single expression: {tuple(tokens)!r}")
    expr = stack[0]
    if a != 1.0:
        expr = sp.Float(a, 17) * expr
    if b != 0.0:
        expr = expr + sp.Float(b, 17)
    return expr


_FUNCS = {
    sp.sin: "sin",
    sp.cos: "cos",
    sp.tan: "tan",
    sp.exp: "exp",
    sp.log: "log",
    sp.Abs: "abs",
    sp.tanh: "tanh",
}


def from_sympy(
    expr: sp.Expr, feature_names: Sequence[str] | None = None
) -> tuple[tuple[str, ...], list[float]]:
    """Tokens and constants for a sympy expression (inverse of :func:`to_sympy`).

    Symbols must be ``x<i>`` or in ``feature_names``; every Float becomes a ``"c"`` placeholder,
    integers and rationals become literals. Raises ``ValueError`` for unsupported functions.
    """
    index = {str(n): i for i, n in enumerate(feature_names or [])}
    toks: list[str] = []
    consts: list[float] = []

    def walk(e: sp.Expr) -> None:
        if e.is_Symbol:
            name = str(e)
            if name in index:
                toks.append(f"x{index[name]}")
            elif is_variable(name):
                toks.append(name)
            else:
                raise ValueError(f"unknown symbol {name!r}")
        elif e is sp.pi:
            toks.append("pi")
        elif e.is_Integer or e.is_Rational:
            toks.append(repr(float(e)) if not e.is_Integer else str(int(e)))
        elif e.is_Float or e.is_Number:
            toks.append(CONST)
            consts.append(float(e))
        elif e.is_Add or e.is_Mul:
            args = list(e.args)
            op = "add" if e.is_Add else "mul"
            for _ in range(len(args) - 1):
                toks.append(op)
            for arg in args:
                walk(arg)
        elif e.is_Pow:
            base, ex = e.args
            if ex == 2:
                toks.append("square")
                walk(base)
            elif ex == 3:
                toks.append("cube")
                walk(base)
            elif ex == sp.Rational(1, 2):
                toks.append("sqrt")
                walk(base)
            elif ex == -1:
                toks.append("inv")
                walk(base)
            else:
                toks.append("pow")
                walk(base)
                walk(ex)
        elif e.func in _FUNCS:
            toks.append(_FUNCS[e.func])
            walk(e.args[0])
        else:
            raise ValueError(f"cannot express {e.func.__name__} as tokens")

    walk(sp.sympify(expr))
    return tuple(toks), consts
