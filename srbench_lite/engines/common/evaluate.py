"""Vectorised numpy evaluation of token sequences, compiled once per distinct expression.

:func:`compile_tokens` turns a token sequence into one nested numpy expression (generated
source, ``compile``d once, cached by the token tuple), called as ``f(cols, consts)`` where
``cols[i]`` is column ``i`` of ``X`` (use :func:`columns` to split ``X`` once and reuse it).

:func:`evaluate` runs it under ``np.errstate(over/divide/invalid="raise")``: any intermediate
overflow, division by zero or invalid operation (log of a negative, ``inf - inf``) raises, so
a candidate with a non-finite intermediate is rejected (returns ``None``) even when numpy would
have hidden it (``x / (x / 0)`` is 0 in plain numpy). Underflow is ignored.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from srbench_lite.engines.common.operators import OPS
from srbench_lite.engines.common.tokens import (
    ARITY,
    CONST,
    is_literal,
    is_parameter,
    is_variable,
    literal_value,
)

__all__ = ["cache_clear", "columns", "compile_tokens", "evaluate", "evaluate_unchecked"]


def _template(name: str) -> str:
    op = OPS[name]
    if op.arity == 2 and op.infix in ("+", "-", "*", "/"):
        return f"({{0}} {op.infix} {{1}})"
    return f"_{name}({{0}}, {{1}})" if op.arity == 2 else f"_{name}({{0}})"


# the generated source calls each operator's numpy function from the operator table
_TEMPLATES = {name: _template(name) for name in OPS}
_NAMESPACE = {f"_{name}": op.numpy for name, op in OPS.items()}
_NAMESPACE["_ones"] = np.ones

_CACHE: dict[tuple[str, ...], Callable] = {}
_CACHE_MAX = 50_000


def cache_clear() -> None:
    """Forget every compiled expression."""
    _CACHE.clear()
    _SEEN.clear()


def _source(tokens: Sequence[str]) -> tuple[str, bool]:
    """Nested numpy source for ``tokens`` and whether it depends on any variable."""
    stack: list[tuple[str, bool]] = []
    k = sum(1 for t in tokens if t == CONST)
    for tok in reversed(tokens):
        a = ARITY.get(tok)
        if a is None:
            if tok == CONST:
                k -= 1
                stack.append((f"c[{k}]", False))
            elif is_variable(tok):
                stack.append((f"X[{tok[1:]}]", True))
            elif is_parameter(tok):
                stack.append((f"c[{tok[1:]}]", False))
            elif is_literal(tok):
                stack.append((repr(literal_value(tok)), False))
            else:
                raise ValueError(f"unknown token {tok!r}")
        elif a == 1:
            s, v = stack.pop()
            stack.append((_TEMPLATES[tok].format(s), v))
        else:
            s0, v0 = stack.pop()
            s1, v1 = stack.pop()
            stack.append((_TEMPLATES[tok].format(s0, s1), v0 or v1))
    if len(stack) != 1:
        raise ValueError(f"not a single expression: {tokens!r}")
    return stack[0]


_SEEN: dict[tuple[str, ...], int] = {}


def _interpret(tokens: tuple[str, ...], X: list[np.ndarray], c: np.ndarray):
    """Stack evaluation without compiling (cheaper for an expression seen once)."""
    stack: list = []
    k = len(c)
    for tok in reversed(tokens):
        op = OPS.get(tok)
        if op is not None:
            args = [stack.pop() for _ in range(op.arity)]
            stack.append(op.numpy(*args))
        elif tok == CONST:
            k -= 1
            stack.append(c[k])
        elif tok[0] == "x" and tok[1:].isdigit():
            stack.append(X[int(tok[1:])])
        elif is_parameter(tok):
            stack.append(c[int(tok[1:])])
        else:
            stack.append(literal_value(tok))
    out = stack[0]
    if np.ndim(out) == 0:
        out = np.full(len(X[0]), out, dtype=np.float64)
    return out


def _function(tokens: Sequence[str]):
    """The compiled function when cached or seen before; else the interpreter (counted)."""
    key = tuple(tokens)
    f = _CACHE.get(key)
    if f is not None:
        return f
    if _SEEN.get(key):
        return compile_tokens(key)
    if len(_SEEN) >= _CACHE_MAX:
        _SEEN.clear()
    _SEEN[key] = 1
    return lambda X, c: _interpret(key, X, c)


def compile_tokens(tokens: Sequence[str]) -> Callable:
    """``f(cols, consts) -> ndarray`` (cached); a constant expression is broadcast to the rows."""
    key = tuple(tokens)
    f = _CACHE.get(key)
    if f is not None:
        return f
    src, has_var = _source(key)
    if not has_var:  # broadcast a constant to one value per row
        src = f"({src}) * _ones(len(X[0]))"
    code = compile(f"lambda X, c: {src}", "<expression>", "eval")
    f = eval(code, _NAMESPACE)  # generated from validated tokens only, never from user text
    if len(_CACHE) >= _CACHE_MAX:
        _CACHE.clear()
    _CACHE[key] = f
    return f


def columns(X: np.ndarray) -> list[np.ndarray]:
    """Split ``X`` (n_rows x n_features) into contiguous float64 columns for the compiled code."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D, got shape {X.shape}")
    return [np.ascontiguousarray(X[:, i]) for i in range(X.shape[1])]


def _as_cols(X) -> list[np.ndarray]:
    return X if isinstance(X, list) else columns(X)


def evaluate(
    tokens: Sequence[str], X, consts: Sequence[float] | np.ndarray | None = None
) -> np.ndarray | None:
    """Values on every row of ``X`` (array or :func:`columns` list), or ``None`` if any
    intermediate value is non-finite (overflow, division by zero, invalid operation).

    An expression is interpreted the first time it is seen and compiled from the second."""
    f = _function(tokens)
    cols = _as_cols(X)
    c = np.asarray(consts if consts is not None else (), dtype=np.float64)
    try:
        with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
            out = f(cols, c)
    except (FloatingPointError, ZeroDivisionError, OverflowError, ValueError):
        return None
    out = np.asarray(out, dtype=np.float64)
    if out.ndim == 0:
        out = np.full(len(cols[0]), float(out))
    if not np.isfinite(out).all():  # inputs with nan/inf, or a silent special case
        return None
    return out


def evaluate_unchecked(
    tokens: Sequence[str], X, consts: Sequence[float] | np.ndarray | None = None
) -> np.ndarray:
    """Values with numpy's usual inf/nan results (for ``predict``); warnings are silenced."""
    f = compile_tokens(tokens)
    cols = _as_cols(X)
    c = np.asarray(consts if consts is not None else (), dtype=np.float64)
    with np.errstate(all="ignore"):
        out = np.asarray(f(cols, c), dtype=np.float64)
    if out.ndim == 0:
        out = np.full(len(cols[0]), float(out))
    return out
