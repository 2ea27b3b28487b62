"""Prefix token sequences: the expression representation shared by the built-in engines.

An expression is a tuple of string tokens in prefix (Polish) order, e.g. ``x0 * sin(c)`` is
``("mul", "x0", "sin", "c")``. Tokens are

* operators, with the arity in :data:`ARITY` (from the operator table,
  :mod:`.operators`: ``add sub mul div pow`` binary; ``neg inv sin cos tan exp log sqrt
  square cube abs tanh asin acos atan sinh cosh cbrt`` unary);
* variables ``"x0", "x1", ...`` (column ``i`` of ``X``);
* the constant placeholder ``"c"``: the k-th ``"c"`` (left to right) takes ``consts[k]`` from a
  separate constants vector (fitted by :func:`..constants.fit_constants`);
* indexed parameters ``"p0", "p1", ...``: ``"p<i>"`` takes ``consts[i]``, so one parameter can
  occur several times (the finishing stage ties constants this way). A sequence uses either
  ``"c"`` placeholders or indexed parameters, not both;
* numeric literals, any string ``float()`` accepts (``"1"``, ``"2"``, ``"0.5"``, ``"-1"``), plus
  ``"pi"``: fixed numbers that are *not* fitted (``to_sympy`` turns them into exact rationals).

Complexity is the number of tokens (PySR's default: every node costs 1).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from srbench_lite.engines.common.operators import OPS

__all__ = [
    "ARITY",
    "BINARY",
    "CONST",
    "UNARY",
    "Tokens",
    "arity",
    "complexity",
    "is_literal",
    "is_parameter",
    "is_variable",
    "literal_value",
    "n_constants",
    "subtree_end",
    "subtrees",
    "to_infix",
    "validate",
    "variable_index",
]

Tokens = tuple[str, ...]

CONST = "c"
BINARY: tuple[str, ...] = tuple(name for name, op in OPS.items() if op.arity == 2)
UNARY: tuple[str, ...] = tuple(name for name, op in OPS.items() if op.arity == 1)
ARITY: dict[str, int] = {name: op.arity for name, op in OPS.items()}


def is_variable(tok: str) -> bool:
    """``"x<digits>"``."""
    return len(tok) > 1 and tok[0] == "x" and tok[1:].isdigit()


def is_parameter(tok: str) -> bool:
    """``"p<digits>"``: an indexed parameter."""
    return len(tok) > 1 and tok[0] == "p" and tok[1:].isdigit()


def variable_index(tok: str) -> int:
    """Column index of a variable token (``"x3"`` -> 3)."""
    return int(tok[1:])


def is_literal(tok: str) -> bool:
    """A fixed number: ``"pi"`` or anything ``float()`` parses to a finite value."""
    if tok == "pi":
        return True
    if tok in ARITY or tok == CONST or is_variable(tok) or is_parameter(tok):
        return False
    try:
        return math.isfinite(float(tok))
    except ValueError:
        return False


def literal_value(tok: str) -> float:
    """The float value of a literal token."""
    return math.pi if tok == "pi" else float(tok)


def arity(tok: str) -> int:
    """Number of children: 2 or 1 for operators, 0 for leaves."""
    return ARITY.get(tok, 0)


def complexity(tokens: Sequence[str]) -> int:
    """Number of nodes."""
    return len(tokens)


def n_constants(tokens: Sequence[str]) -> int:
    """The length the constants vector must have: the number of ``"c"`` placeholders, or one
    more than the largest parameter index."""
    k = tokens.count(CONST) if isinstance(tokens, (tuple, list)) else list(tokens).count(CONST)
    if k:
        return k
    return 1 + max((int(t[1:]) for t in tokens if t[0] == "p" and is_parameter(t)), default=-1)


def subtree_end(tokens: Sequence[str], start: int) -> int:
    """Index one past the end of the subtree rooted at ``tokens[start]``."""
    need = 1
    i = start
    while need:
        need += ARITY.get(tokens[i], 0) - 1
        i += 1
    return i


def subtrees(tokens: Sequence[str]) -> list[tuple[int, int]]:
    """``(start, end)`` of the subtree at every position."""
    ends = [0] * len(tokens)
    stack: list[int] = []
    for i in range(len(tokens) - 1, -1, -1):
        a = ARITY.get(tokens[i], 0)
        if a == 0:
            ends[i] = i + 1
        else:
            last = i + 1
            for _ in range(a):
                last = stack.pop()
            ends[i] = last
        stack.append(ends[i])
    return [(i, ends[i]) for i in range(len(tokens))]


def validate(tokens: Sequence[str], n_features: int | None = None) -> None:
    """Raise ``ValueError`` (naming the token) unless ``tokens`` is one complete prefix tree."""
    if len(tokens) == 0:
        raise ValueError("empty token sequence")
    need = 1
    for i, tok in enumerate(tokens):
        if not isinstance(tok, str):
            raise ValueError(f"token {i} is {tok!r}, not a string")
        if need == 0:
            raise ValueError(f"extra tokens after a complete expression at position {i}: {tok!r}")
        if tok in ARITY:
            need += ARITY[tok] - 1
        elif is_variable(tok):
            if n_features is not None and variable_index(tok) >= n_features:
                raise ValueError(f"variable {tok!r} but only {n_features} features")
            need -= 1
        elif tok == CONST or is_literal(tok) or is_parameter(tok):
            need -= 1
        else:
            known = ", ".join(sorted(ARITY))
            raise ValueError(f"unknown token {tok!r} at position {i}; operators are {known}")
    if need != 0:
        raise ValueError(f"incomplete expression: {need} operand(s) missing")
    if CONST in tokens and any(is_parameter(t) for t in tokens):
        raise ValueError("use either 'c' placeholders or indexed parameters 'p<i>', not both")


_INFIX = {"add": "+", "sub": "-", "mul": "*", "div": "/", "pow": "**"}


def to_infix(
    tokens: Sequence[str],
    consts: Sequence[float] | None = None,
    feature_names: Sequence[str] | None = None,
) -> str:
    """A fully parenthesised readable string (no sympy): ``"(x0 * sin(1.5))"``.

    Placeholders show as ``c0, c1, ...`` when ``consts`` is None, else as their values.
    """
    out: list[str] = []
    k = 0
    for tok in reversed(tokens):  # evaluate the prefix sequence right to left with a stack
        a = ARITY.get(tok, 0)
        if a == 0:
            out.append(tok)
            continue
        args = [out.pop() for _ in range(a)]
        if a == 2:
            out.append(f"({args[0]} {_INFIX[tok]} {args[1]})")
        elif tok == "neg":
            out.append(f"(-{args[0]})")
        else:
            out.append(f"{tok}({args[0]})")
    text = out[0]
    # name leaves in a second pass so constants are numbered left to right
    parts = []
    for piece in _split_leaves(text):
        if piece == CONST:
            parts.append(f"c{k}" if consts is None else repr(float(consts[k])))
            k += 1
        elif is_parameter(piece) and consts is not None:
            parts.append(repr(float(consts[int(piece[1:])])))
        elif is_variable(piece) and feature_names is not None:
            parts.append(str(feature_names[variable_index(piece)]))
        else:
            parts.append(piece)
    return "".join(parts)


def _split_leaves(text: str) -> list[str]:
    """Split an infix string into identifier-ish words and everything else."""
    out: list[str] = []
    word = ""
    for ch in text:
        if ch.isalnum() or ch in "._":
            word += ch
        else:
            if word:
                out.append(word)
                word = ""
            out.append(ch)
    if word:
        out.append(word)
    return out
