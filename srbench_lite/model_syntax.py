"""A model's syntax tree, checked and turned into sympy (step 2 and 3 of :mod:`srbench_lite.expr`).

:func:`check_shape` caps the tree's size and depth; :class:`Builder` accepts the whitelisted
constructs only (numbers, names, ``+ - * / **``, unary ``+ -``, calls of
:data:`~srbench_lite.model_functions.FUNCTIONS`, index subscripts in index dialects) and
names any other construct in its :class:`ModelParseError`.
"""

from __future__ import annotations

import ast
import difflib
import math

import sympy as sp

from srbench_lite.model_functions import (
    FUNCTIONS,
    ModelParseError,
    check_finite,
    check_number,
    checked_pow,
    short,
)
from srbench_lite.model_names import CONSTANTS, SUBSCRIPT_BASES, Names

__all__ = ["MAX_DEPTH", "MAX_NODES", "Builder", "check_shape", "family_of"]

#: most syntax-tree nodes in one model
MAX_NODES = 20_000
#: deepest nesting (chains of the same + or * count as one level)
MAX_DEPTH = 100

_NAMED_NODES = {
    ast.Attribute: "attribute access",
    ast.Lambda: "lambda",
    ast.ListComp: "comprehension",
    ast.SetComp: "comprehension",
    ast.DictComp: "comprehension",
    ast.GeneratorExp: "comprehension",
    ast.Compare: "comparison",
    ast.BoolOp: "boolean operator",
    ast.IfExp: "conditional expression",
    ast.NamedExpr: "assignment expression",
    ast.Starred: "starred argument",
    ast.JoinedStr: "string",
    ast.List: "list",
    ast.Tuple: "tuple",
    ast.Dict: "dict",
    ast.Set: "set",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.Subscript: "subscript",
    ast.Slice: "slice",
}


def _describe(node: ast.AST) -> str:
    if isinstance(node, ast.BinOp):
        return f"operator {type(node.op).__name__!r}"
    if isinstance(node, ast.UnaryOp):
        return f"unary operator {type(node.op).__name__!r}"
    if isinstance(node, ast.Constant):
        return f"constant {node.value!r:.40}"
    return _NAMED_NODES.get(type(node), f"syntax {type(node).__name__!r}")


class Builder:
    """Builds the sympy expression of a checked syntax tree, node by node (``text``: the
    source, quoted in errors)."""

    def __init__(self, text: str, names: Names):
        self.text = text
        self.names = names

    def src(self, node: ast.AST) -> str:
        seg = ast.get_source_segment(self.text, node)
        return short(seg if seg is not None else ast.dump(node), 80)

    def bad(self, node: ast.AST, why: str | None = None) -> ModelParseError:
        what = why or f"{_describe(node)} is not allowed"
        col = getattr(node, "col_offset", None)
        where = f" at column {col + 1}" if col is not None else ""
        return ModelParseError(f"{what}{where}: {self.src(node)!r}")

    def build(self, node: ast.AST) -> sp.Expr:
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, ast.Name):
            return self.names.name(node.id)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                return -self.build(node.operand)
            if isinstance(node.op, ast.UAdd):
                return self.build(node.operand)
            raise self.bad(node)
        if isinstance(node, ast.BinOp):
            return self.binop(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Subscript):
            return self.subscript(node)
        if _numpy_name(node) in CONSTANTS:  # np.pi
            return CONSTANTS[_numpy_name(node)]
        raise self.bad(node)

    def constant(self, node: ast.Constant) -> sp.Expr:
        v = node.value
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise self.bad(node)
        if isinstance(v, float):
            if not math.isfinite(v):
                raise self.bad(node, "number outside the double range")
            num = sp.Float(v)
        else:
            num = sp.Integer(v)
        try:
            check_number(num, "number")
        except ModelParseError:
            raise self.bad(node, "number outside the double range") from None
        return num

    def _chain(self, node: ast.BinOp, ops: tuple[type, ...]) -> list[tuple[type, ast.AST]]:
        """Flatten a left-deep chain of + - (or * /) iteratively: [(op, operand), ...]."""
        items = []
        while isinstance(node, ast.BinOp) and isinstance(node.op, ops):
            items.append((type(node.op), node.right))
            node = node.left
        items.append((None, node))
        items.reverse()
        return items

    def binop(self, node: ast.BinOp) -> sp.Expr:
        if isinstance(node.op, ast.Add | ast.Sub):
            terms = []
            for op, operand in self._chain(node, (ast.Add, ast.Sub)):
                value = self.build(operand)
                terms.append(-value if op is ast.Sub else value)
            return check_finite(sp.Add(*terms), lambda: self.src(node))
        if isinstance(node.op, ast.Mult | ast.Div):
            factors = []
            for op, operand in self._chain(node, (ast.Mult, ast.Div)):
                value = self.build(operand)
                if op is ast.Div:
                    if value.is_zero:
                        raise self.bad(node, f"division by zero ({self.src(operand)!r} is 0)")
                    value = check_finite(
                        checked_pow(value, sp.Integer(-1)), lambda o=operand: self.src(o)
                    )
                factors.append(value)
            return check_finite(sp.Mul(*factors), lambda: self.src(node))
        if isinstance(node.op, ast.Pow):
            base, exp = self.build(node.left), self.build(node.right)
            return check_finite(checked_pow(base, exp), lambda: self.src(node))
        if isinstance(node.op, ast.MatMult) and self.names.dialect.word_operators:
            a, b = self.build(node.left), self.build(node.right)  # GP-GOMEA's infix aq
            return check_finite(FUNCTIONS["aq"][2](a, b), lambda: self.src(node))
        raise self.bad(node)

    def call(self, node: ast.Call) -> sp.Expr:
        fname = _numpy_name(node.func)
        if fname is None and not isinstance(node.func, ast.Name):
            raise self.bad(node.func, f"call of {_describe(node.func)} is not allowed")
        fname = fname or node.func.id
        if fname not in FUNCTIONS:
            close = difflib.get_close_matches(fname, FUNCTIONS, n=3, cutoff=0.6)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise self.bad(node, f"unknown function {fname!r}{hint}")
        if node.keywords:
            raise self.bad(node, f"keyword arguments to {fname}() are not allowed")
        lo, hi, fn = FUNCTIONS[fname]
        if not lo <= len(node.args) <= hi:
            want = str(lo) if lo == hi else f"{lo} to {hi}" if hi < 100 else f"at least {lo}"
            raise self.bad(node, f"{fname}() takes {want} argument(s), got {len(node.args)}")
        args = [self.build(a) for a in node.args]
        return check_finite(fn(*args), lambda: self.src(node))

    def subscript(self, node: ast.Subscript) -> sp.Expr:
        """``x[3]`` or ``X[:, 3]`` in index dialects (SRBench reads both forms)."""
        if self.names.dialect.index_base is None or not (
            isinstance(node.value, ast.Name) and node.value.id in SUBSCRIPT_BASES
        ):
            raise self.bad(node)
        idx = node.slice
        if isinstance(idx, ast.Tuple) and len(idx.elts) == 2 and _is_full_slice(idx.elts[0]):
            idx = idx.elts[1]
        if not (
            isinstance(idx, ast.Constant)
            and isinstance(idx.value, int)
            and not isinstance(idx.value, bool)
        ):
            raise self.bad(node, "only x[<int>] or x[:, <int>] subscripts are allowed")
        return self.names.by_index(idx.value, self.src(node))


def _numpy_name(node: ast.AST) -> str | None:
    """``np.cos`` / ``numpy.cos`` -> ``"cos"`` (ITEA's spelling); ``np.pi`` -> ``"pi"``."""
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id in ("np", "numpy")
    ):
        return {"e": "E"}.get(node.attr, node.attr)
    return None


def _is_full_slice(node: ast.AST) -> bool:
    return isinstance(node, ast.Slice) and node.lower is node.upper is node.step is None


def check_shape(tree: ast.AST) -> None:
    """Node count and nesting depth, iteratively (no recursion on hostile input)."""
    count = 0
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise ModelParseError(f"model has more than {MAX_NODES} syntax nodes")
        if depth > MAX_DEPTH:
            raise ModelParseError(f"model is nested deeper than {MAX_DEPTH} levels")
        fam = None
        if isinstance(node, ast.BinOp):
            fam = ast.Add if isinstance(node.op, ast.Add | ast.Sub) else ast.Mult
            if isinstance(node.op, ast.Pow):
                fam = ast.Pow
        for child in ast.iter_child_nodes(node):
            same_chain = (
                fam in (ast.Add, ast.Mult)
                and isinstance(node, ast.BinOp)
                and child is node.left
                and family_of(child) == fam
            )
            stack.append((child, depth if same_chain else depth + 1))


def family_of(node: ast.AST) -> type | None:
    """``ast.Add`` for a ``+``/``-`` node, ``ast.Mult`` for ``*``/``/``, else None."""
    if isinstance(node, ast.BinOp):
        if isinstance(node.op, ast.Add | ast.Sub):
            return ast.Add
        if isinstance(node.op, ast.Mult | ast.Div):
            return ast.Mult
    return None
