"""The one operator table of the built-in engines.

Every operator token is described once here, and everything else reads this table:

* :mod:`.tokens` (arity, validation), :mod:`.evaluate` (the numpy code of each operator),
  :mod:`.kernels` (the opcode each operator has in the compiled stack machine),
* :mod:`.expression` (the sympy form of each operator, and back),
* :mod:`.rules` (constant folding uses ``value``, the plain-float form).

``OPS[name]`` is an :class:`Operator`; its ``code`` is the opcode of the compiled evaluator
(leaves use :data:`VAR` and :data:`VAL`). A test checks that the kernel, the numpy code and the
sympy form agree on every operator. Opcodes are stable: a new operator takes the next free
code (the compiled kernels are cached on disk by their own source).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["OPS", "VAL", "VAR", "Operator", "sympy_function"]

#: opcodes of the two leaf kinds: a column of ``X``, and a number (fitted constant or literal)
VAR = 0
VAL = 1


def _cube(a):
    return a * a * a


def _cbrt(a):
    """Real cube root on ``a >= 0``; nan for ``a < 0`` (sympy's real ``a**(1/3)``), signalled
    as numpy's invalid operation, as ``sqrt`` of a negative is."""
    neg = np.less(a, 0.0)
    out = np.cbrt(a)
    if np.any(neg):
        out = np.where(neg, np.sqrt(np.where(neg, -1.0, 0.0)), out)
    return out


def _cbrt_value(a: float) -> float:
    if a < 0.0:
        raise ValueError("cube root of a negative number")
    return float(np.cbrt(a))


@dataclass(frozen=True)
class Operator:
    """One operator: its token, arity, opcode, numpy function and sympy form.

    ``numpy`` acts elementwise on arrays; ``value`` on Python floats (constant folding);
    ``sympy`` builds the sympy expression from the children's. ``infix`` is the symbol of a
    binary operator in readable output (``None``: shown as a function call).
    """

    name: str
    arity: int
    code: int
    numpy: Callable
    value: Callable
    sympy: Callable
    infix: str | None = None


def _sp():
    import sympy

    return sympy


def _sympy_unary(fname: str) -> Callable:
    return lambda a: getattr(_sp(), fname)(a)


def _pow_value(a: float, b: float) -> float:
    out = a**b
    if isinstance(out, complex):
        raise ValueError("complex power")
    return out


_TABLE = (
    # binary
    Operator("add", 2, 2, np.add, lambda a, b: a + b, lambda a, b: a + b, "+"),
    Operator("sub", 2, 3, np.subtract, lambda a, b: a - b, lambda a, b: a - b, "-"),
    Operator("mul", 2, 4, np.multiply, lambda a, b: a * b, lambda a, b: a * b, "*"),
    Operator("div", 2, 5, np.divide, lambda a, b: a / b, lambda a, b: a / b, "/"),
    Operator("pow", 2, 6, np.power, _pow_value, lambda a, b: a**b, "**"),
    # unary
    Operator("neg", 1, 10, np.negative, lambda a: -a, lambda a: -a),
    Operator("inv", 1, 11, lambda a: 1.0 / a, lambda a: 1.0 / a, lambda a: 1 / a),
    Operator("sin", 1, 12, np.sin, math.sin, _sympy_unary("sin")),
    Operator("cos", 1, 13, np.cos, math.cos, _sympy_unary("cos")),
    Operator("tan", 1, 14, np.tan, math.tan, _sympy_unary("tan")),
    Operator("exp", 1, 15, np.exp, math.exp, _sympy_unary("exp")),
    Operator("log", 1, 16, np.log, math.log, _sympy_unary("log")),
    Operator("sqrt", 1, 17, np.sqrt, math.sqrt, _sympy_unary("sqrt")),
    Operator("square", 1, 18, np.square, lambda a: a * a, lambda a: a**2),
    Operator("cube", 1, 19, _cube, _cube, lambda a: a**3),
    Operator("abs", 1, 20, np.abs, abs, _sympy_unary("Abs")),
    Operator("tanh", 1, 21, np.tanh, math.tanh, _sympy_unary("tanh")),
    Operator("asin", 1, 22, np.arcsin, math.asin, _sympy_unary("asin")),
    Operator("acos", 1, 23, np.arccos, math.acos, _sympy_unary("acos")),
    Operator("atan", 1, 24, np.arctan, math.atan, _sympy_unary("atan")),
    Operator("sinh", 1, 25, np.sinh, math.sinh, _sympy_unary("sinh")),
    Operator("cosh", 1, 26, np.cosh, math.cosh, _sympy_unary("cosh")),
    Operator("cbrt", 1, 27, _cbrt, _cbrt_value, lambda a: a ** _sp().Rational(1, 3)),
)

OPS: dict[str, Operator] = {op.name: op for op in _TABLE}

#: the unary tokens that are sympy function classes of the same name (``abs``: ``Abs``)
_SYMPY_FUNCTIONS = frozenset(
    ("sin", "cos", "tan", "exp", "log", "abs", "tanh", "asin", "acos", "atan", "sinh", "cosh")
)


def sympy_function(name: str):
    """The sympy function class of a unary function token (``"sin"`` -> ``sympy.sin``), or
    ``None`` for the operators sympy writes with arithmetic (``neg``, ``inv``, ``square`` ...)."""
    if name not in _SYMPY_FUNCTIONS:
        return None
    return getattr(_sp(), "Abs" if name == "abs" else name)
