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
    check_number,
    short,
)
from srbench_lite.model_names import Names
from srbench_lite.model_syntax import MAX_DEPTH, MAX_NODES, Builder, check_shape

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


def _from_sympy(expr: sp.Basic, names: Names) -> sp.Expr:
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
        return _from_sympy(model, Names(d, feature_names, {}))
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
    check_shape(tree)
    names = Names(d, feature_names, renamed)
    try:
        expr = Builder(text, names).build(tree.body)
    except RecursionError:
        raise ModelParseError("model is too deeply nested") from None
    names.check_unknown()
    if not isinstance(expr, sp.Expr):  # pragma: no cover - builders only return Expr
        raise ModelParseError(f"model does not describe a number: {short(model)!r}")
    return expr


#: sympy expressions are immutable, and failures raise (never cached), so caching is safe
_parse_text_cached = lru_cache(maxsize=512)(_parse_text)
