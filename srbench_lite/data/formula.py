"""Parse and evaluate the ground-truth formulas of the formula tables.

Ground truths go through the same parser and the same function table as model strings
(:func:`srbench_lite.expr.parse_model`, ``sympy`` dialect): every feature name is a plain
``Symbol`` (no clash with sympy's ``gamma``, ``beta``, ``I``, ``E`` ...), only the functions
of :data:`srbench_lite.expr.FUNCTIONS` are known, and the truth the judges parse is the very
expression the data were generated from. A formula that writes ``expm1``/``log1p`` (the tables'
``numeric_formula`` column does, so that tiny arguments keep their precision) is evaluated
with numpy's ``expm1``/``log1p``: the parser expands them, sympy's codegen rewriting restores
them for evaluation.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import sympy as sp

from srbench_lite.expr import ModelParseError, parse_model


@lru_cache(maxsize=1024)
def _parse(formula: str, feature_names: tuple[str, ...]) -> sp.Expr:
    try:
        return parse_model(formula, "sympy", feature_names)
    except ModelParseError as exc:
        raise ModelParseError(f"formula {formula!r}: {exc}") from None


def parse_formula(formula: str, feature_names: Sequence[str]) -> sp.Expr:
    """Ground-truth formula → sympy expression whose symbols are named as the features."""
    return _parse(formula, tuple(feature_names))


def _for_numpy(formula: str, expr: sp.Expr) -> sp.Expr:
    from sympy.codegen.rewriting import expm1_opt, log1p_opt, optimize

    asked = [opt for fn, opt in (("expm1", expm1_opt), ("log1p", log1p_opt)) if fn in formula]
    # the parser expands expm1(a) to exp(a) - 1: restore what the formula asked for
    return optimize(expr, asked) if asked else expr


@lru_cache(maxsize=1024)
def _compile(formula: str, feature_names: tuple[str, ...]):
    expr = _for_numpy(formula, _parse(formula, feature_names))
    symbols = [sp.Symbol(n) for n in feature_names]
    return sp.lambdify(symbols, expr, modules="numpy")


def rename_features(formula: str, feature_names: Sequence[str], new_names: Sequence[str]) -> str:
    """The formula with feature ``feature_names[i]`` renamed ``new_names[i]`` (expm1/log1p kept)."""
    mapping = {sp.Symbol(a): sp.Symbol(b) for a, b in zip(feature_names, new_names, strict=True)}
    expr = parse_formula(formula, feature_names).xreplace(mapping)
    return str(_for_numpy(formula, expr))


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
