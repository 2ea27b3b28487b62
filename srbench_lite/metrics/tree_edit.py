"""SRSD's normalized tree edit distance (NED).

Reproduces ``omron-sinicx/srsd-benchmark`` (``eq_comparator.py``: ``load_eq_as_tree`` and
``compare_equation``; ``eq/conversion.py``: ``sympy2zss_module``; ``eq/eval.py``:
``compute_distance``, ``count_nodes``). SRSD reads each equation (the truth, and a method's model
that its runner turned into sympy with ``sympy.sympify``) in this sequence, which
:func:`srsd_form` repeats step for step:

1. ``sympy.sympify(str(eq))`` -- SRSD's "consistently reorder variables in args" re-parse
   (:func:`srsd_reparse`);
2. ``subs(pi, pi.evalf())``, ``evalf()``, ``factor()``, ``simplify()``, ``subs(1.0, 1)`` --
   the shared canonical step without rounding
   (:func:`srbench_lite.metrics.canonical.srsd_prepare`, cached as :func:`prepared`);
3. ``sympy.sympify(str(eq))`` again (:func:`srsd_reparse`). This second re-parse is what makes
   a constant times a quotient count as SRSD counts it: step 2 leaves
   ``1.7*(x0 + x1)/(c*x0*x1 + 1)``, whose printed text, read left to right, multiplies ``1.7``
   into the numerator (sympy distributes a number over a sum): ``(1.7*x0 + 1.7*x1)/(...)``,
   two more ``Mul`` and ``Const`` nodes. Without it the NED of such models was lower than SRSD's.
   (srsd-benchmark at 5bba35f re-parses only before step 2; the re-parse after it is in later
   ``load_eq_as_tree`` copies and is the one sequence that gives the values SRSD's code gave on the
   pairs in ``tests/fixtures/srsd_ned_quotients.csv``.)

Then:

* tree labels: ``Const`` for any number (its value is ignored), ``str(symbol)`` for variables,
  sympy's ``func_name`` (``Add``, ``Mul``, ``Pow``, ``sin`` ...) otherwise; children are sympy's
  ``.args`` in sympy's order (n-ary ``Add``/``Mul`` kept; ``x/y`` is ``Mul(x, Pow(y, -1))``)
  -- ``sympy2zss_module``;
* ``d = zss.simple_distance(model_tree, truth_tree)`` (unit costs),
  ``NED = min(d, |T_truth|) / |T_truth|`` -- ``compute_distance``; 1.0 when the model is
  missing, cannot be parsed, fails or times out (SRSD's preprocessing timeout is 120 s in a
  subprocess; ours is ``timeout``, default 30 s, same mechanism) -- ``compare_equation``.

**Size cut-off** (a departure, for time; ``docs/metrics.md``): a canonical tree with twice the
truth's nodes has NED 1 (``d >= |T_model| - |T_truth|``), so when the model's ``factor()``-ed
form (step 2 before ``simplify``, which costs minutes on long models) has :data:`CUTOFF_RATIO`
times the truth's nodes and at least :data:`CUTOFF_MIN_NODES`, NED is 1 without ``simplify``
(status ``cutoff``). ``simplify`` can still shrink a long form of the truth below the cut, so
:func:`~srbench_lite.metrics.score` recomputes a solved model's NED with ``cutoff=False``.

Our re-parse never calls ``eval`` (the project's rule for untrusted text): it walks the syntax
tree of sympy's printed text with Python's own operator semantics (so the result is the one
``sympify`` would build), resolving names only to the expression's own symbols, functions and
sympy's printed constants. The one reading that can differ from SRSD's: SRSD sympifies the
method's *text*, we re-parse sympy's print of our safe parse of that text; the chain above makes
the two agree on every pair the tests check.

Variable names: SRSD labels variables ``x0, x1, ...`` in the dataset's column order, and
sympy's argument order (hence the ordered-tree distance) depends on the names. When
``feature_names`` are given, both expressions are renamed to ``x{i}`` in that order before
preparation, so the numbers equal SRSD's; without them the names are used as they are (give
``x0``-style names, or pass ``feature_names``, to compare with SRSD's tables).
``rename_to_x=False`` keeps the feature names as labels.
"""

from __future__ import annotations

import ast
import operator
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache

import sympy as sp

from srbench_lite.expr import ModelParseError, parse_model
from srbench_lite.metrics._inputs import check_dialect, check_timeout, parse_truth
from srbench_lite.metrics.canonical import srsd_factored, srsd_prepare
from srbench_lite.sandbox import SandboxError, SandboxTimeout, call_with_timeout

__all__ = [
    "CUTOFF_MIN_NODES",
    "CUTOFF_RATIO",
    "NEDResult",
    "beyond_cutoff",
    "count_nodes",
    "ned_details",
    "prepared",
    "rename_to_srsd",
    "srsd_form",
    "srsd_reparse",
    "sympy_to_zss",
    "tree_edit_distance",
]


#: NED's size cut-off: a model whose ``factor()``-ed tree has at least this many times the
#: truth's canonical nodes (and at least :data:`CUTOFF_MIN_NODES`) gets NED 1 without
#: ``simplify`` (status ``cutoff``; see the module docstring)
CUTOFF_RATIO = 4
CUTOFF_MIN_NODES = 40


@dataclass(frozen=True)
class NEDResult:
    """NED and its parts. ``status``: ``ok``, ``cutoff`` (NED 1 by the size cut-off; no
    distance), ``error`` or ``timeout`` (then ``ned`` is 1.0)."""

    ned: float
    distance: int | None
    true_nodes: int | None
    model_nodes: int | None = None
    model_prepared: str | None = None
    truth_prepared: str | None = None
    status: str = "ok"
    error: str | None = None
    elapsed_s: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)


def sympy_to_zss(expr: sp.Basic):
    """SRSD's ``sympy2zss_module``: a ``zss.Node`` tree with SRSD's labels (iterative)."""
    from sympy.utilities.misc import func_name
    from zss import Node

    def label(e: sp.Basic) -> str:
        if e.is_number:
            return "Const"
        if isinstance(e, sp.Symbol):
            return str(e)
        return func_name(e)

    root = Node(label(expr))
    stack = [(expr, root)]
    while stack:
        e, node = stack.pop()
        for child in e.args:
            kid = Node(label(child))
            node.addkid(kid)
            stack.append((child, kid))
    return root


def count_nodes(node) -> int:
    count, stack = 0, [node]
    while stack:
        n = stack.pop()
        count += 1
        stack.extend(n.children)
    return count


def preorder_labels(node) -> list[str]:
    """Labels in preorder (the ``*_tree_preorder`` columns of the SRSD worked examples)."""
    out, stack = [], [node]
    while stack:
        n = stack.pop()
        out.append(n.label)
        stack.extend(reversed(n.children))
    return out


@lru_cache(maxsize=1024)
def prepared(expr: sp.Expr) -> sp.Expr:
    """:func:`~srbench_lite.metrics.canonical.srsd_prepare` (step 2 of the module docstring),
    cached in the worker process (the recovery's ``srsd`` rewrite reuses the NED's work)."""
    return srsd_prepare(expr)


# --- SRSD's re-parse, ``sympy.sympify(str(eq))``, without eval -----------------------------

_BINOPS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}
#: names sympy's printer writes that are not the class name of a node of the expression
_PRINTED = {
    "pi": sp.pi,
    "E": sp.E,
    "I": sp.I,
    "oo": sp.oo,
    "zoo": sp.zoo,
    "nan": sp.nan,
    "EulerGamma": sp.EulerGamma,
    "GoldenRatio": sp.GoldenRatio,
    "Catalan": sp.Catalan,
    "sqrt": sp.sqrt,
    "exp": sp.exp,
}


class _NotReparsable(Exception):
    """The printed text holds a construct the safe re-parse does not read."""


def _namespace(expr: sp.Expr) -> dict[str, object]:
    """The names the printed ``expr`` can contain: its symbols (as ``locals`` would), its
    functions by class name, sympy's printed constants."""
    names: dict[str, object] = dict(_PRINTED)
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.core.function.Application):
            names.setdefault(type(node).__name__, node.func)
    for sym in expr.free_symbols:
        names[sym.name] = sym
    return names


def _evaluate(node: ast.AST, text: str, names: dict[str, object]) -> sp.Expr:
    """Build ``node`` as ``eval`` would after ``sympify``'s ``auto_number``/``auto_symbol``."""
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        if isinstance(node.value, int):
            return sp.Integer(node.value)
        # auto_number: Float('<literal>'); the text is one line, so columns index it
        return sp.Float(text[node.col_offset : node.end_col_offset])
    if isinstance(node, ast.Name) and node.id in names:
        return names[node.id]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        value = _evaluate(node.operand, text, names)
        return -value if isinstance(node.op, ast.USub) else +value
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        left = _evaluate(node.left, text, names)
        return _BINOPS[type(node.op)](left, _evaluate(node.right, text, names))
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and callable(names.get(node.func.id))
        and not node.keywords
    ):
        return names[node.func.id](*(_evaluate(a, text, names) for a in node.args))
    raise _NotReparsable(ast.dump(node)[:80])


def srsd_reparse(expr: sp.Expr) -> sp.Expr:
    """SRSD's ``sympy.sympify(str(eq_sympy))`` (``eq_comparator.load_eq_as_tree``), read from
    the printed text without ``eval``: numbers as ``auto_number`` makes them (``Integer``, or
    ``Float`` of the literal's text), ``+ - * / **`` applied left to right as Python applies them.

    A text it cannot read (a symbol name that is not a Python identifier, ``Piecewise`` ...)
    leaves ``expr`` as it is.
    """
    text = str(expr)
    if "\n" in text:  # sympy's str printer writes one line; anything else is not read
        return expr
    try:
        return _evaluate(ast.parse(text, mode="eval").body, text, _namespace(expr))
    except (SyntaxError, ValueError, TypeError, ArithmeticError, RecursionError, _NotReparsable):
        return expr


@lru_cache(maxsize=1024)
def srsd_form(expr: sp.Expr) -> sp.Expr:
    """The form SRSD builds its tree from (``eq_comparator.load_eq_as_tree``): re-parse,
    :func:`prepared` (evalf, factor, simplify, ``1.0 -> 1``), re-parse."""
    return srsd_reparse(prepared(srsd_reparse(expr)))


def beyond_cutoff(m: sp.Expr, true_nodes: int) -> int | None:
    """The node count of the model's ``factor()``-ed form (:func:`srsd_factored` of step 1)
    when it is at least :data:`CUTOFF_RATIO` times the truth's tree and at least
    :data:`CUTOFF_MIN_NODES` nodes (NED's size cut-off: NED is 1 then), else None."""
    nodes = count_nodes(sympy_to_zss(srsd_factored(srsd_reparse(m))))
    if nodes >= max(CUTOFF_RATIO * true_nodes, CUTOFF_MIN_NODES):
        return nodes
    return None


def _ned_task(m: sp.Expr | None, t: sp.Expr, cutoff: bool = True) -> dict:
    from srbench_lite.metrics._primes import faster_nextprime

    with faster_nextprime():  # the same factor(), faster on long models
        return _ned_parts(m, t, cutoff)


def _ned_parts(m: sp.Expr | None, t: sp.Expr, cutoff: bool = True) -> dict:
    import zss

    t_prep = srsd_form(t)
    t_tree = sympy_to_zss(t_prep)
    n_true = count_nodes(t_tree)
    out = {"true_nodes": n_true, "truth_prepared": str(t_prep)}
    if m is None:
        return {**out, "distance": None}
    cut = beyond_cutoff(m, n_true) if cutoff else None
    if cut is not None:  # NED 1 without simplify (see the module docstring)
        return {**out, "distance": None, "model_nodes": cut, "cutoff": True}
    m_prep = srsd_form(m)
    m_tree = sympy_to_zss(m_prep)
    d = int(zss.simple_distance(m_tree, t_tree))
    return {**out, "distance": d, "model_nodes": count_nodes(m_tree), "model_prepared": str(m_prep)}


def _truth_nodes_task(t: sp.Expr) -> dict:
    return _ned_task(None, t)


def rename_to_srsd(exprs, names: Sequence[str]):
    """Rename the feature ``names`` to SRSD's ``x0, x1, ...`` in every expression (None stays)."""
    mapping = {sp.Symbol(n): sp.Symbol(f"x{i}") for i, n in enumerate(names)}
    if all(k == v for k, v in mapping.items()):
        return exprs
    # two-step through dummies so that e.g. features named (x1, x0) swap cleanly
    dummies = {k: sp.Dummy(f"d{i}") for i, k in enumerate(mapping)}
    final = {dummies[k]: v for k, v in mapping.items()}
    return [None if e is None else e.xreplace(dummies).xreplace(final) for e in exprs]


def ned_details(
    model,
    truth,
    *,
    feature_names: Sequence[str] | None = None,
    dialect: str = "sympy",
    timeout: float | None = 30.0,
    rename_to_x: bool = True,
    cutoff: bool = True,
) -> NEDResult:
    """SRSD's NED of ``model`` against ``truth`` with its parts (see the module docstring).

    ``cutoff=False``: no size cut-off (SRSD's own computation, ``simplify`` of any model).

    ``model`` may be None (missing prediction: NED 1.0). A truth that cannot be parsed raises
    :class:`~srbench_lite.expr.ModelParseError`.
    """
    start = time.perf_counter()
    timeout = check_timeout(timeout)
    check_dialect(dialect)
    t = parse_truth(truth, feature_names)
    error = None
    m = None
    if model is not None:
        try:
            m = parse_model(model, dialect=dialect, feature_names=feature_names)
        except ModelParseError as exc:
            error = f"model: {exc}"
    else:
        error = "no model"
    if feature_names is not None and rename_to_x:
        m, t = rename_to_srsd([m, t], feature_names)
    status = "ok" if error is None else "error"
    try:
        raw = call_with_timeout(_ned_task, m, t, cutoff, timeout=timeout)
    except SandboxTimeout as exc:
        raw, status, error = {}, "timeout", str(exc)
    except SandboxError as exc:
        raw, status, error = {}, "error", f"{exc.exc_type}: {exc}"
    if raw.get("cutoff"):
        return NEDResult(
            ned=1.0,
            distance=None,
            true_nodes=raw["true_nodes"],
            model_nodes=raw["model_nodes"],
            truth_prepared=raw["truth_prepared"],
            status="cutoff",
            elapsed_s=time.perf_counter() - start,
        )
    if raw.get("distance") is None:
        if status == "timeout" and m is not None and "true_nodes" not in raw:
            # the model's preparation timed out; the truth's node count is still useful
            try:
                raw = call_with_timeout(_truth_nodes_task, t, timeout=timeout)
            except (SandboxTimeout, SandboxError):
                raw = {}
        return NEDResult(
            ned=1.0,
            distance=None,
            true_nodes=raw.get("true_nodes"),
            truth_prepared=raw.get("truth_prepared"),
            status=status if status != "ok" else "error",
            error=error,
            elapsed_s=time.perf_counter() - start,
        )
    d, n = raw["distance"], raw["true_nodes"]
    return NEDResult(
        ned=min(d, n) / n,
        distance=d,
        true_nodes=n,
        model_nodes=raw.get("model_nodes"),
        model_prepared=raw.get("model_prepared"),
        truth_prepared=raw.get("truth_prepared"),
        elapsed_s=time.perf_counter() - start,
    )


def tree_edit_distance(
    model,
    truth,
    *,
    feature_names: Sequence[str] | None = None,
    dialect: str = "sympy",
    timeout: float | None = 30.0,
    normalized: bool = True,
) -> float:
    """SRSD's normalized tree edit distance in [0, 1] (1.0 on failure or missing model).

    ``normalized=False`` returns the raw Zhang-Shasha distance (``|T_truth|`` on failure),
    as SRSD's ``eq_comparator`` without ``-normalize``.
    """
    res = ned_details(model, truth, feature_names=feature_names, dialect=dialect, timeout=timeout)
    if normalized:
        return res.ned
    if res.distance is None:
        return float(res.true_nodes) if res.true_nodes is not None else float("nan")
    return float(res.distance)
