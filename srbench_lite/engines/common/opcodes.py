"""The opcodes of the compiled stack machine, one name per operator of :mod:`.operators`.

Compiled code (:mod:`.stack`, :mod:`.derivatives`, :mod:`.fit_kernel`) compares a node's code
with these module-level integers, which numba freezes into the machine code as constants. They
are read from the operator table, never written by hand: ``OPS[name].code`` is the one source.
"""

from __future__ import annotations

from srbench_lite.engines.common.operators import OPS, VAL, VAR

__all__ = [
    "ABS", "ACOS", "ADD", "ASIN", "ATAN", "CBRT", "COS", "COSH", "CUBE", "DIV", "EXP",
    "FIRST_UNARY", "INV", "LOG", "MUL", "NEG", "POW", "SIN", "SINH", "SQRT", "SQUARE", "SUB",
    "TAN", "TANH", "VAL", "VAR",
]  # fmt: skip

# binary
ADD = OPS["add"].code
SUB = OPS["sub"].code
MUL = OPS["mul"].code
DIV = OPS["div"].code
POW = OPS["pow"].code
# unary
NEG = OPS["neg"].code
INV = OPS["inv"].code
SIN = OPS["sin"].code
COS = OPS["cos"].code
TAN = OPS["tan"].code
EXP = OPS["exp"].code
LOG = OPS["log"].code
SQRT = OPS["sqrt"].code
SQUARE = OPS["square"].code
CUBE = OPS["cube"].code
ABS = OPS["abs"].code
TANH = OPS["tanh"].code
ASIN = OPS["asin"].code
ACOS = OPS["acos"].code
ATAN = OPS["atan"].code
SINH = OPS["sinh"].code
COSH = OPS["cosh"].code
CBRT = OPS["cbrt"].code

#: the smallest unary opcode: the binary ones are below it (the operator table numbers them so)
FIRST_UNARY = min(op.code for op in OPS.values() if op.arity == 1)
