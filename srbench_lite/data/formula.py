"""Parse and evaluate the ground-truth formulas of the bundled tables.

The tables are the project's own files (trusted text), so ``sympy.parse_expr`` is used, but
with an explicit namespace: every feature name becomes a plain ``Symbol`` (no clash with
sympy's ``gamma``, ``beta``, ``I``, ``E`` ...) and only the functions below are known.
Model strings from methods are *untrusted* and go through ``srbench_lite.expr`` instead.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import sympy as sp
from sympy.codegen.cfunctions import expm1, log1p
from sympy.parsing.sympy_parser import parse_expr, standard_transformations

#: function names a ground-truth formula may use
FUNCTIONS = {
    "sin": sp.sin, "cos": sp.cos, "tan": sp.tan, "cot": sp.cot,
    "asin": sp.asin, "acos": sp.acos, "atan": sp.atan,
    "arcsin": sp.asin, "arccos": sp.acos, "arctan": sp.atan,
    "sinh": sp.sinh, "cosh": sp.cosh, "tanh": sp.tanh,
    "expm1": expm1, "log1p": log1p,
    "exp": sp.exp, "log": sp.log, "ln": sp.log, "sqrt": sp.sqrt, "Abs": sp.Abs, "abs": sp.Abs,
}  # fmt: skip
_BASE = {"Integer": sp.Integer, "Float": sp.Float, "Rational": sp.Rational,
         "Symbol": sp.Symbol, "pi": sp.pi}  # fmt: skip


@lru_cache(maxsize=1024)
def _parse(formula: str, feature_names: tuple[str, ...]) -> sp.Expr:
    local = {name: sp.Symbol(name) for name in feature_names}
    global_ns = {**_BASE, **FUNCTIONS}
    expr = parse_expr(
        formula, local_dict=local, global_dict=global_ns,
        transformations=standard_transformations, evaluate=True,
    )  # fmt: skip
    unknown = {s.name for s in expr.free_symbols} - set(feature_names)
    if unknown:
        raise ValueError(f"formula {formula!r} uses names that are not features: {sorted(unknown)}")
    return expr


def parse_formula(formula: str, feature_names: Sequence[str]) -> sp.Expr:
    """Ground-truth formula → sympy expression whose symbols are named as the features."""
    return _parse(formula, tuple(feature_names))


@lru_cache(maxsize=1024)
def _compile(formula: str, feature_names: tuple[str, ...]):
    expr = _parse(formula, feature_names)
    symbols = [sp.Symbol(n) for n in feature_names]
    return sp.lambdify(symbols, expr, modules="numpy")


def evaluate_formula(formula: str, feature_names: Sequence[str], X: np.ndarray) -> np.ndarray:
    """Evaluate a ground-truth formula on the rows of ``X`` (columns in ``feature_names`` order)."""
    X = np.asarray(X, dtype=float)
    fn = _compile(formula, tuple(feature_names))
    with np.errstate(all="ignore"):
        y = fn(*(X[:, j] for j in range(X.shape[1])))
    return np.broadcast_to(np.asarray(y, dtype=float), (X.shape[0],)).copy()


@lru_cache(maxsize=64)
def _compile_mpmath(formula: str, feature_names: tuple[str, ...]):
    expr = parse_formula(formula, feature_names)
    return sp.lambdify([sp.Symbol(n) for n in feature_names], expr, modules="mpmath")


def evaluate_formula_mpmath(
    formula: str, feature_names, X: np.ndarray, dps: int = 50
) -> np.ndarray:
    """Evaluate a formula row by row in mpmath at ``dps`` digits; the result is rounded to float64.

    For formulas whose intermediate values leave float64's range (Planck's law inside its log).
    """
    import mpmath

    X = np.asarray(X, dtype=float)
    fn = _compile_mpmath(formula, tuple(feature_names))
    out = np.empty(X.shape[0])
    with mpmath.workdps(dps):
        for i, row in enumerate(X):
            value = fn(*(mpmath.mpf(float(v)) for v in row))
            out[i] = float(mpmath.re(value)) if mpmath.im(value) == 0 else math.nan
    return out
