"""Expression trees of random laws: drawn from a grammar, evaluated with numpy, built in sympy.

A tree is nested tuples -- ``("x", j)`` (variable j), ``("c", number)`` (a sympy number),
``(op, child)`` or ``(op, left, right)`` -- cheap to draw and to evaluate, so that most
rejected draws never reach sympy. :func:`to_sympy` builds the accepted ones (with sympy's
automatic simplification: ``x*x`` is ``x**2``) and :func:`print_formula` prints the truth.

A tree is drawn by shuffling its leaves -- every variable once, a few repeated variables, the
constants -- and splitting the leaf list at random points into a binary tree; each node with a
variable below it is wrapped, with the grammar's ``unary_rate``, in a unary operator
(transcendental functions are never nested more than ``max_nested`` deep).
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy.printing.str import StrPrinter

from srbench_lite.data.random_law_grammar import (
    BINARY,
    TRANSCENDENTAL,
    UNARY,
    Grammar,
    choose,
    choose_index,
)

Tree = tuple


class _Builder:
    def __init__(self, grammar: Grammar, rng: np.random.Generator):
        self.grammar, self.rng = grammar, rng
        self.binary, self.unary_rate = grammar.binary, grammar.unary_rate
        if rng.random() < grammar.monomial:
            self.binary = tuple(w for w in grammar.binary if w[0] in ("mul", "div"))
            self.unary_rate = grammar.monomial_unary_rate

    def build(self, leaves: list[Tree]) -> tuple[Tree, int, int, bool]:
        """(tree, depth, transcendental nesting, has a variable) over ``leaves``."""
        if len(leaves) == 1:
            tree, depth, nested, has_var = leaves[0], 0, 0, leaves[0][0] == "x"
        else:
            cut = int(self.rng.integers(1, len(leaves)))
            left, d1, n1, v1 = self.build(leaves[:cut])
            right, d2, n2, v2 = self.build(leaves[cut:])
            tree = (choose(self.binary, self.rng), left, right)
            depth, nested, has_var = 1 + max(d1, d2), max(n1, n2), v1 or v2
        if not has_var or self.rng.random() >= self.unary_rate:
            return tree, depth, nested, has_var
        op = choose(self.grammar.unary, self.rng)
        if op in TRANSCENDENTAL:
            if nested >= self.grammar.max_nested:
                return tree, depth, nested, has_var
            nested += 1
        return (op, tree), depth + 1, nested, has_var


def draw_tree(grammar: Grammar, n_vars: int, rng: np.random.Generator) -> Tree | None:
    """A random tree over variables ``0 .. n_vars - 1`` (each a leaf at least once), or None
    when it is deeper than ``grammar.max_depth`` (the caller redraws)."""
    n_repeat = choose_index(grammar.repeats, rng)
    n_const = choose_index(grammar.constants.count, rng)
    leaves: list[Tree] = [("x", j) for j in range(n_vars)]
    leaves += [("x", int(rng.integers(n_vars))) for _ in range(n_repeat)]
    leaves += [("c", grammar.constants.draw(rng)) for _ in range(n_const)]
    order = rng.permutation(len(leaves))
    tree, depth, _, _ = _Builder(grammar, rng).build([leaves[i] for i in order])
    return tree if depth <= grammar.max_depth else None


def evaluate_tree(tree: Tree, X: np.ndarray) -> np.ndarray:
    """The tree on the rows of ``X`` (column j is variable j), in float64."""

    def ev(node: Tree):
        kind = node[0]
        if kind == "x":
            return X[:, node[1]]
        if kind == "c":
            return float(node[1])
        if len(node) == 2:
            return UNARY[kind][1](ev(node[1]))
        return BINARY[kind][1](ev(node[1]), ev(node[2]))

    with np.errstate(all="ignore"):
        y = ev(tree)
    return np.broadcast_to(np.asarray(y, dtype=float), (X.shape[0],)).copy()


def to_sympy(tree: Tree, names: tuple[str, ...], digits: int = 3) -> sp.Expr:
    """The sympy expression of a tree, floats rounded to ``digits`` significant digits (a
    product of constants prints no longer than its factors)."""
    symbols = [sp.Symbol(n) for n in names]

    def build(node: Tree) -> sp.Expr:
        kind = node[0]
        if kind == "x":
            return symbols[node[1]]
        if kind == "c":
            return node[1]
        if len(node) == 2:
            return UNARY[kind][0](build(node[1]))
        return BINARY[kind][0](build(node[1]), build(node[2]))

    expr = build(tree)
    floats = {f: sp.Float(float(f"{float(f):.{digits}g}")) for f in expr.atoms(sp.Float)}
    return expr.xreplace(floats) if floats else expr


class _FormulaPrinter(StrPrinter):
    """sympy's printer, with floats in their shortest round-trip form (``1.23``, not
    ``1.23000000000000``)."""

    def _print_Float(self, expr: sp.Float) -> str:
        return repr(float(expr))


def print_formula(expr: sp.Expr) -> str:
    """The truth string of an expression (sympy syntax, parsed back to the very same tree)."""
    return _FormulaPrinter().doprint(expr)
