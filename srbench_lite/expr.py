"""Safe parsing of model strings (and sympy objects) into sympy expressions.

Model strings come from third-party tools and are *untrusted*: ``eval``, ``sympify`` and
``parse_expr`` all execute Python, so none of them ever sees the raw text. Instead:

1. the text is size-checked (:data:`MAX_CHARS`), ``^`` is rewritten to ``**`` (every SR tool that
   prints ``^`` means power, and Python would give it the precedence of xor), and feature names
   that are Python keywords (``lambda``) are renamed to placeholders;
2. :func:`ast.parse` (``mode="eval"``) builds a syntax tree, which is checked against a whitelist:
   numbers, names, ``+ - * / **``, unary ``+ -``, calls of the functions in :data:`FUNCTIONS`
   (positional arguments only), and, in index dialects, ``x[0]`` / ``x[:, 0]`` subscripts.
   Everything else (attribute access, lambdas, comprehensions, strings, comparisons, keyword
   arguments, ``//``, ``%``, bit operators ...) is a :class:`ModelParseError` naming the construct;
3. the sympy tree is built node by node. Numbers outside the double range (|c| > 1e300) and
   numeric powers whose value would be (``9**9**9``) are rejected before sympy computes them;
   so is any sub-expression that evaluates to a non-finite constant (``x/0``, ``log(0)``):
   numpy would silently turn ``x/(x/0)`` into 0, sympy into ``0`` too.
   Size and depth are capped: :data:`MAX_CHARS` characters, :data:`MAX_NODES` syntax nodes,
   :data:`MAX_DEPTH` nesting levels (about 50 nested operations; chains of the same ``+`` or
   ``*`` count once, up to the ~2,500 operands Python's own parser accepts). Beyond them, or
   on anything else, the failure is a :class:`ModelParseError`, never a hang or a crash.

Names
-----
In the default ``"sympy"`` dialect a name is a plain ``Symbol`` of that name: ``x1`` is the
feature *named* ``x1``, never an index, and ``gamma``, ``beta``, ``I``, ``E``, ``lamda`` are
ordinary variables when they are feature names (no clash with sympy's functions/constants).
With ``feature_names`` given, any other name is an error that lists the unknown names.
Constants: ``pi`` is π and ``E`` is Euler's number (as sympy prints ``exp(1)``), unless a
feature has that name -- a feature name always wins. Lowercase ``e`` is *not* a constant (it
is a common variable name; write ``exp(1)``).

Dialects (:data:`DIALECTS`, defined in :mod:`srbench_lite.dialects`) name a tool's output
style; the style is never guessed. ``sympy`` (the default, and the format of our ground truths):
names are feature names. Index dialects (``gplearn``, ``operon``, ``pysr``, ``dsr``, ``gpgomea``,
``feat``, ``ellyn``, ``itea``, ``bsr``, ``numpy``, ``x0``, ``x1``): any name matching
``[xX]_?<digits>`` (``x0``, ``X1``, ``x_1``, ``X_10``), or a subscript ``x[0]``/``X[:, 0]``, is an
index into ``feature_names`` (whole tokens are matched, so ``x10`` can never be read as ``x1``
followed by ``0``); other names must be feature names. Without ``feature_names`` an index maps
to the canonical 0-based name ``x{i}``. Tool-specific spellings (GP-GOMEA's ``p/`` and ``aq``,
FEAT's bars, ITEA's ``np.cos``) are rewritten by :func:`srbench_lite.dialects.preprocess` before
parsing.

Function semantics follow SRBench's ``clean_pred_model``: gplearn's protected ``sqrt``/``log``/
``div`` are read as the plain functions; ``aq(a, b) = a/sqrt(1 + b**2)`` (Operon's analytic
quotient), ``sqrtabs``/``logabs`` keep their absolute value.
"""

from __future__ import annotations

import ast
import difflib
import keyword
import math
import re
from collections.abc import Sequence
from functools import lru_cache

import sympy as sp

from srbench_lite.dialects import DIALECTS, Dialect, preprocess
from srbench_lite.model_functions import (
    ALLOWED_SYMPY_FUNCS,
    FUNCTIONS,
    NONFINITE,
    ModelParseError,
    check_finite,
    check_number,
    checked_pow,
    short,
)

__all__ = [
    "DIALECTS",
    "FUNCTIONS",
    "MAX_CHARS",
    "MAX_DEPTH",
    "MAX_NODES",
    "Dialect",
    "ModelParseError",
    "parse_model",
]

#: longest accepted model string (characters)
MAX_CHARS = 100_000
#: most syntax-tree nodes in one model
MAX_NODES = 20_000
#: deepest nesting (chains of the same + or * count as one level)
MAX_DEPTH = 100
_INDEX_NAME = re.compile(r"[xX]_?(\d+)\Z")
_SUBSCRIPT_BASES = frozenset({"x", "X"})
_CONSTANTS = {"pi": sp.pi, "E": sp.E}


# ---------------------------------------------------------------------------------------------
# names


class _Names:
    """Resolves variable names (and index subscripts) for one parse call."""

    def __init__(self, dialect: Dialect, feature_names: Sequence[str] | None, renamed: dict):
        self.dialect = dialect
        self.features = None if feature_names is None else [str(n) for n in feature_names]
        self.feature_set = None if self.features is None else set(self.features)
        self.renamed = renamed  # placeholder -> keyword feature name
        self.unknown: list[str] = []

    def by_index(self, index: int, token: str) -> sp.Symbol:
        i = index - self.dialect.index_base
        if self.features is None:
            if i < 0:
                raise ModelParseError(
                    f"variable {token!r}: index below {self.dialect.index_base} in the "
                    f"{self.dialect.name!r} dialect ({self.dialect.description})"
                )
            return sp.Symbol(f"x{i}")
        if not 0 <= i < len(self.features):
            lo = self.dialect.index_base
            hi = lo + len(self.features) - 1
            raise ModelParseError(
                f"variable {token!r} is out of range for {len(self.features)} features in the "
                f"{self.dialect.name!r} dialect (valid: {lo}..{hi})"
            )
        return sp.Symbol(self.features[i])

    def name(self, raw: str) -> sp.Expr:
        name = self.renamed.get(raw, raw)
        if self.dialect.index_base is not None:
            m = _INDEX_NAME.match(name)
            if m:  # in an index dialect an index-style name is an index, by declaration
                return self.by_index(int(m.group(1)), name)
        if self.feature_set is not None and name in self.feature_set:
            return sp.Symbol(name)  # a feature name wins over the constants pi and E
        if name in _CONSTANTS:
            return _CONSTANTS[name]
        if name.startswith("__"):
            raise ModelParseError(f"name {name!r} is not allowed")
        if name in FUNCTIONS:
            raise ModelParseError(f"function {name!r} used without arguments")
        if self.feature_set is not None:
            self.unknown.append(name)
        return sp.Symbol(name)

    def check_unknown(self) -> None:
        if not self.unknown:
            return
        names = sorted(set(self.unknown))
        hints = []
        for n in names:
            close = difflib.get_close_matches(n, self.features or [], n=3, cutoff=0.6)
            if close:
                hints.append(f"{n!r} (did you mean {', '.join(map(repr, close))}?)")
        msg = f"unknown name(s) {', '.join(map(repr, names))}: not among the feature names "
        msg += _feature_list(self.features or [])
        if self.dialect.index_base is None and any(_INDEX_NAME.match(n) for n in names):
            msg += "; index-style names need an index dialect (gplearn, operon, pysr, x0, x1)"
        if hints:
            msg += "; " + "; ".join(hints)
        raise ModelParseError(msg)


def _feature_list(features: Sequence[str]) -> str:
    shown = ", ".join(features[:30])
    return f"[{shown}{', ...' if len(features) > 30 else ''}]"


# ---------------------------------------------------------------------------------------------
# AST -> sympy


_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
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


class _Builder:
    def __init__(self, text: str, names: _Names):
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
        if _numpy_name(node) in _CONSTANTS:  # np.pi
            return _CONSTANTS[_numpy_name(node)]
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
            isinstance(node.value, ast.Name) and node.value.id in _SUBSCRIPT_BASES
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


def _check_shape(tree: ast.AST) -> None:
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
    if isinstance(node, ast.BinOp):
        if isinstance(node.op, ast.Add | ast.Sub):
            return ast.Add
        if isinstance(node.op, ast.Mult | ast.Div):
            return ast.Mult
    return None


def _rename_keywords(text: str, feature_names: Sequence[str] | None) -> tuple[str, dict]:
    """Feature names that are Python keywords (``lambda``) become placeholders before parsing."""
    renamed: dict[str, str] = {}
    for name in feature_names or ():
        if keyword.iskeyword(name) and re.search(rf"\b{re.escape(name)}\b", text):
            placeholder = f"srbl_kw_{name}_"
            while placeholder in text:
                placeholder += "_"
            text = re.sub(rf"\b{re.escape(name)}\b", placeholder, text)
            renamed[placeholder] = name
    return text, renamed


def _resolve_dialect(dialect: str | Dialect) -> Dialect:
    if isinstance(dialect, Dialect):
        return dialect
    if dialect not in DIALECTS:
        close = difflib.get_close_matches(str(dialect), DIALECTS, n=3, cutoff=0.4)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise ModelParseError(f"unknown dialect {dialect!r}{hint} (valid: {', '.join(DIALECTS)})")
    return DIALECTS[dialect]


# ---------------------------------------------------------------------------------------------
# sympy input


def _from_sympy(expr: sp.Basic, names: _Names) -> sp.Expr:
    if not isinstance(expr, sp.Expr):
        raise ModelParseError(f"not a sympy expression: {type(expr).__name__}")
    count = 0
    mapping: dict[sp.Symbol, sp.Expr] = {}
    for node in sp.preorder_traversal(expr):
        count += 1
        if count > MAX_NODES:
            raise ModelParseError(f"model has more than {MAX_NODES} nodes")
        if node in NONFINITE:
            raise ModelParseError(f"model {short(expr)!r} contains a non-finite constant {node}")
        if isinstance(node, sp.Symbol):
            if node not in mapping:
                mapping[node] = names.name(node.name)
        elif node.is_Number:
            check_number(node, f"number {short(node)}")
        elif isinstance(node, sp.NumberSymbol | sp.core.numbers.ImaginaryUnit):
            continue
        elif not isinstance(node, ALLOWED_SYMPY_FUNCS):
            raise ModelParseError(
                f"sympy node {type(node).__name__!r} is not allowed in a model: {short(node)!r}"
            )
    names.check_unknown()
    return expr.xreplace(mapping) if mapping else expr


# ---------------------------------------------------------------------------------------------


def parse_model(
    model,
    dialect: str | Dialect = "sympy",
    feature_names: Sequence[str] | None = None,
) -> sp.Expr:
    """Turn a model string (or sympy expression, or number) into a sympy expression, safely.

    ``dialect`` names the tool's output style (see :data:`DIALECTS`); ``feature_names`` are the
    problem's features in column order (needed for index dialects, and to reject unknown
    names). Symbols of the result are plain ``Symbol(name)`` (no assumptions), named after the
    features. Raises :class:`ModelParseError` with a message naming the offending token.
    """
    d = _resolve_dialect(dialect)
    if feature_names is not None:
        if isinstance(feature_names, str):
            raise ModelParseError("feature_names must be a sequence of names, not a string")
        feature_names = [str(n) for n in feature_names]
    if model is None:
        raise ModelParseError("no model given (None)")
    if isinstance(model, bool):
        raise ModelParseError("a boolean is not a model")
    if isinstance(model, int | float) and not isinstance(model, bool):
        model = sp.Integer(model) if isinstance(model, int) else sp.Float(model)
        if model in NONFINITE:
            raise ModelParseError("model is a non-finite number")
    if isinstance(model, sp.Basic):
        return _from_sympy(model, _Names(d, feature_names, {}))
    if not isinstance(model, str):
        raise ModelParseError(
            f"a model must be a string or a sympy expression, not {type(model).__name__}"
        )
    if len(model) > MAX_CHARS:
        raise ModelParseError(f"model string is {len(model)} characters long (limit {MAX_CHARS})")
    features = None if feature_names is None else tuple(feature_names)
    if len(model) <= _CACHED_CHARS:
        return _parse_text_cached(model, d, features)
    return _parse_text(model, d, features)


#: model strings up to this length are cached (the metrics of one pair parse the same strings)
_CACHED_CHARS = 4_000


def _parse_text(model: str, d: Dialect, feature_names: tuple[str, ...] | None) -> sp.Expr:
    """Parse one model string (see :func:`parse_model`)."""
    text = model.strip()
    if not text:
        raise ModelParseError("empty model string")
    if "\x00" in text:
        raise ModelParseError("model string contains a NUL character")
    try:
        text = preprocess(text, d)
    except ValueError as exc:
        raise ModelParseError(f"{exc} in {short(model)!r}") from None
    text, renamed = _rename_keywords(text, feature_names)
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        col = f" at column {exc.offset}" if exc.offset else ""
        raise ModelParseError(f"invalid syntax{col}: {exc.msg} in {short(model)!r}") from None
    except (RecursionError, MemoryError):
        raise ModelParseError("model is too long or too deeply nested to parse") from None
    except ValueError as exc:  # e.g. integer literal over 4300 digits
        raise ModelParseError(f"invalid model: {exc}") from None
    _check_shape(tree)
    names = _Names(d, feature_names, renamed)
    try:
        expr = _Builder(text, names).build(tree.body)
    except RecursionError:
        raise ModelParseError("model is too deeply nested") from None
    names.check_unknown()
    if not isinstance(expr, sp.Expr):  # pragma: no cover - builders only return Expr
        raise ModelParseError(f"model does not describe a number: {short(model)!r}")
    return expr


#: sympy expressions are immutable, and failures raise (never cached), so caching is safe
_parse_text_cached = lru_cache(maxsize=512)(_parse_text)
