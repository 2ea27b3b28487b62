"""The functions a model string may call, and the numeric guards used while building it.

Part of :mod:`srbench_lite.expr` (which re-exports :data:`FUNCTIONS` and
:class:`ModelParseError`): one table of callable names, each with its arity and its sympy
builder, and the checks that refuse numbers and powers outside the double range and
sub-expressions that evaluate to a non-finite constant.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import sympy as sp

from srbench_lite.errors import SrbenchError

__all__ = [
    "ALLOWED_SYMPY_FUNCS",
    "FUNCTIONS",
    "MAX_LOG10",
    "NONFINITE",
    "ModelParseError",
    "check_finite",
    "check_number",
    "checked_pow",
    "short",
]

#: largest |log10| of any numeric constant (the double range)
MAX_LOG10 = 300.0


class ModelParseError(SrbenchError, ValueError):
    """A model string (or sympy object) that cannot be turned safely into an expression."""


NONFINITE = (sp.zoo, sp.nan, sp.oo, -sp.oo)


# ---------------------------------------------------------------------------------------------
# numeric guards


def _log10_abs(value: sp.Expr) -> float | None:
    """log10 |value| for a numeric sympy expression (None when it is 0 or not evaluable)."""
    if value.is_Integer or value.is_Rational:
        p, q = int(value.p), int(value.q)
        if p == 0:
            return None
        return _int_log10(abs(p)) - _int_log10(q)
    try:
        v = complex(sp.N(value, 15))
    except (TypeError, ValueError, OverflowError):
        return None
    if v == 0 or not math.isfinite(abs(v)):
        return None if v == 0 else math.inf
    return math.log10(abs(v))


def _int_log10(n: int) -> float:
    bits = n.bit_length()
    if bits < 1000:
        return math.log10(n)
    return (bits - 1) * math.log10(2)  # close enough for a range check


def check_number(value: sp.Expr, what: str) -> None:
    mag = _log10_abs(value)
    if mag is not None and abs(mag) > MAX_LOG10:
        raise ModelParseError(f"{what} is outside the double range (|log10| > {MAX_LOG10:g})")


def _check_power(base: sp.Expr, exp: sp.Expr) -> None:
    """Refuse numeric powers whose value would be astronomically large or small."""
    if not exp.is_number:
        return
    coeff = base if base.is_number else base.as_coeff_Mul()[0]  # (2*x)**n computes 2**n
    if coeff in (sp.S.One, sp.S.NegativeOne, sp.S.Zero):
        return
    mag = _log10_abs(coeff)
    try:
        e = complex(sp.N(exp, 15))
    except (TypeError, ValueError, OverflowError):
        return
    if mag is None:
        return
    if not math.isfinite(mag) or not math.isfinite(abs(e)) or abs(e.real * mag) > MAX_LOG10:
        raise ModelParseError(
            f"numeric power {_paren(base)}**{_paren(exp)} is outside the double range"
        )


def check_finite(node: sp.Expr, source: Callable[[], str]) -> sp.Expr:
    """Reject zoo/nan/oo; ``source()`` gives the offending text (computed only on error)."""
    if node in NONFINITE or any(a in NONFINITE for a in node.args):
        raise ModelParseError(
            f"{source()!r} evaluates to a non-finite constant (division by zero, log(0) ...)"
        )
    return node


def _paren(expr: sp.Expr) -> str:
    text = short(expr, 40)
    return text if expr.is_Atom else f"({text})"


def short(obj, limit: int = 60) -> str:
    text = str(obj)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# ---------------------------------------------------------------------------------------------
# function whitelist


def checked_pow(a: sp.Expr, b: sp.Expr) -> sp.Expr:
    _check_power(a, b)
    return sp.Pow(a, b)


def _log(a: sp.Expr, base: sp.Expr | None = None) -> sp.Expr:
    return sp.log(a) if base is None else sp.log(a, base)



def real_abs(a: sp.Expr) -> sp.Expr:
    """``|a|`` of a real model: sympy takes plain symbols as complex and writes
    ``Abs(c*exp(x))`` as ``|c|*exp(re(x))``; features are real, so ``re(u)`` is ``u`` and
    ``im(u)`` is 0 (``re``/``im`` are not model functions)."""
    out = sp.Abs(a)
    if out.has(sp.re, sp.im):
        out = out.replace(sp.im, lambda u: sp.S.Zero).replace(sp.re, lambda u: u)
    return out

_ONE = (1, 1)
_TWO = (2, 2)
_MANY = (2, 1_000)

#: name -> (min args, max args, builder); callable names only, never values
FUNCTIONS: dict[str, tuple[int, int, Callable[..., sp.Expr]]] = {
    "sin": (*_ONE, sp.sin),
    "cos": (*_ONE, sp.cos),
    "tan": (*_ONE, sp.tan),
    "cot": (*_ONE, sp.cot),
    "sec": (*_ONE, sp.sec),
    "csc": (*_ONE, sp.csc),
    "asin": (*_ONE, sp.asin),
    "acos": (*_ONE, sp.acos),
    "atan": (*_ONE, sp.atan),
    "arcsin": (*_ONE, sp.asin),
    "arccos": (*_ONE, sp.acos),
    "arctan": (*_ONE, sp.atan),
    "sinh": (*_ONE, sp.sinh),
    "cosh": (*_ONE, sp.cosh),
    "tanh": (*_ONE, sp.tanh),
    "asinh": (*_ONE, sp.asinh),
    "acosh": (*_ONE, sp.acosh),
    "atanh": (*_ONE, sp.atanh),
    "arcsinh": (*_ONE, sp.asinh),
    "arccosh": (*_ONE, sp.acosh),
    "arctanh": (*_ONE, sp.atanh),
    "exp": (*_ONE, sp.exp),
    "expm1": (*_ONE, lambda a: sp.exp(a) - 1),
    "log": (1, 2, _log),
    "ln": (*_ONE, sp.log),
    "log10": (*_ONE, lambda a: sp.log(a, 10)),
    "log2": (*_ONE, lambda a: sp.log(a, 2)),
    "log1p": (*_ONE, lambda a: sp.log(1 + a)),
    "logabs": (*_ONE, lambda a: sp.log(real_abs(a))),
    "sqrt": (*_ONE, sp.sqrt),
    "sqrtabs": (*_ONE, lambda a: sp.sqrt(real_abs(a))),
    "sqrtAbs": (*_ONE, lambda a: sp.sqrt(real_abs(a))),
    "plog": (*_ONE, sp.log),
    "id": (*_ONE, lambda a: a),
    "cbrt": (*_ONE, lambda a: checked_pow(a, sp.Rational(1, 3))),
    "abs": (*_ONE, real_abs),
    "Abs": (*_ONE, real_abs),
    "fabs": (*_ONE, real_abs),
    "sign": (*_ONE, sp.sign),
    "floor": (*_ONE, sp.floor),
    "ceil": (*_ONE, sp.ceiling),
    "ceiling": (*_ONE, sp.ceiling),
    "pow": (*_TWO, checked_pow),
    "square": (*_ONE, lambda a: checked_pow(a, sp.Integer(2))),
    "cube": (*_ONE, lambda a: checked_pow(a, sp.Integer(3))),
    "quart": (*_ONE, lambda a: checked_pow(a, sp.Integer(4))),
    "inv": (*_ONE, lambda a: checked_pow(a, sp.Integer(-1))),
    "neg": (*_ONE, lambda a: -a),
    "add": (*_MANY, lambda *a: sp.Add(*a)),
    "sub": (*_TWO, lambda a, b: a - b),
    "mul": (*_MANY, lambda *a: sp.Mul(*a)),
    "div": (*_TWO, lambda a, b: a * checked_pow(b, sp.Integer(-1))),
    "aq": (*_TWO, lambda a, b: a / sp.sqrt(1 + checked_pow(b, sp.Integer(2)))),
    "max": (*_MANY, sp.Max),
    "min": (*_MANY, sp.Min),
    "Max": (*_MANY, sp.Max),
    "Min": (*_MANY, sp.Min),
    "fmax": (*_MANY, sp.Max),
    "fmin": (*_MANY, sp.Min),
}

#: sympy classes a sympy-object model may contain (besides numbers and symbols)
ALLOWED_SYMPY_FUNCS = (
    sp.Add, sp.Mul, sp.Pow, sp.exp, sp.log, sp.Abs, sp.sign, sp.floor, sp.ceiling,
    sp.sin, sp.cos, sp.tan, sp.cot, sp.sec, sp.csc, sp.asin, sp.acos, sp.atan,
    sp.sinh, sp.cosh, sp.tanh, sp.asinh, sp.acosh, sp.atanh, sp.Max, sp.Min,
)  # fmt: skip
