"""FFX (Fast Function Extraction, ``ffx.FFXRegressor``) and an exact model-to-sympy converter.

Conversion
----------
FFX's string form (``0.359 + 2.02*X0 - 0.243*max(0,2.16-X0) + ... / (1.0 + ...)``) rounds the
hinge thresholds to three significant digits, while its predictions use the full values, so
:func:`ffx_model_to_sympy` reads the fitted model objects instead:

* ``ConstantModel``: ``constant``;
* ``FFXModel``: ``(c0 + sum(c_i * base_i)) / (1 + sum(d_j * base_j))`` (no denominator when
  ``bases_d`` is empty). FFX itself rounds the coefficients to three significant digits when
  it builds the model, so these rounded values *are* the model;
* bases: ``SimpleBase`` ``x_i ** e`` (``e`` in -1, -0.5, 0.5, 1, 2); ``OperatorBase`` --
  ``abs(b)``, ``max(0, b)``, ``min(0, b)``, ``log10(b)`` (as ``log(b)/log(10)``), the hinges
  ``max(0, thr - b)`` and ``max(0, b - thr)`` with the full-precision threshold;
  ``ProductBase`` ``b1 * b2``.

The expression reproduces ``FFXRegressor.predict`` to rounding error, except that FFX returns
``inf`` for a ``log10`` base whenever any input row makes its argument non-positive, where the
expression gives NaN on those rows only.

Time budget and threads
-----------------------
FFX is deterministic and has no time limit (its run length is fixed by the data size), so the
method declares no budget or seed parameter; the runner's hard kill bounds it. FFX guards each
elastic-net fit with ``SIGALRM``, which works only in the main thread of a process: fit it
there (the runner's per-job child processes do).
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Sequence

import numpy as np
import sympy as sp
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from srbench_lite.methods.adapters._common import exact_float
from srbench_lite.methods.baselines import feature_symbols

__all__ = ["FFXExpressionRegressor", "ffx_model_to_sympy"]

#: FFX's operator codes (ffx.core.constants)
OP_ABS, OP_MAX0, OP_MIN0, OP_LOG10, OP_GTH, OP_LTH = 1, 2, 3, 4, 5, 6


def _exponent(value) -> sp.Expr:
    """FFX exponents are small integers and halves: keep them exact."""
    doubled = float(value) * 2
    if doubled.is_integer():
        return sp.Rational(int(doubled), 2)
    return exact_float(value)


def _base_to_sympy(base, symbols: Sequence[sp.Symbol]) -> sp.Expr:
    if hasattr(base, "base1") and hasattr(base, "base2"):  # ProductBase
        return _base_to_sympy(base.base1, symbols) * _base_to_sympy(base.base2, symbols)
    if hasattr(base, "simple_base") and hasattr(base, "nonlin_op"):  # OperatorBase
        inner = _base_to_sympy(base.simple_base, symbols)
        op = int(base.nonlin_op)
        if op == OP_ABS:
            return sp.Abs(inner)
        if op == OP_MAX0:
            return sp.Max(0, inner)
        if op == OP_MIN0:
            return sp.Min(0, inner)
        if op == OP_LOG10:
            return sp.log(inner) / sp.log(10)
        if op == OP_GTH:
            return sp.Max(0, exact_float(base.thr) - inner)
        if op == OP_LTH:
            return sp.Max(0, inner - exact_float(base.thr))
        raise ValueError(f"unknown FFX operator code {op!r}")
    if hasattr(base, "var") and hasattr(base, "exponent"):  # SimpleBase
        index = int(base.var)
        if not 0 <= index < len(symbols):
            raise ValueError(f"FFX base uses feature {index}, but there are {len(symbols)}")
        return symbols[index] ** _exponent(base.exponent)
    raise ValueError(f"unknown FFX base {type(base).__name__}")


def ffx_model_to_sympy(model, feature_names: Sequence[str]) -> sp.Expr:
    """The sympy expression of a fitted FFX model (``FFXModel`` or ``ConstantModel``).

    ``feature_names`` name the columns in order. Raises ``ValueError`` on an unknown base or
    operator.
    """
    symbols = [sp.Symbol(str(n)) for n in feature_names]
    if not hasattr(model, "bases_n"):
        if hasattr(model, "constant"):  # ConstantModel
            return exact_float(model.constant)
        raise ValueError(f"unknown FFX model {type(model).__name__}")
    coefs_n = list(model.coefs_n)
    if len(coefs_n) != len(model.bases_n) + 1:
        raise ValueError("FFX model: numerator needs one coefficient per base plus an offset")
    numerator = sp.Add(
        exact_float(coefs_n[0]),
        *(
            exact_float(c) * _base_to_sympy(b, symbols)
            for c, b in zip(coefs_n[1:], model.bases_n, strict=True)
        ),
    )
    if not model.bases_d:
        return numerator
    denominator = sp.Add(
        sp.Integer(1),
        *(
            exact_float(c) * _base_to_sympy(b, symbols)
            for c, b in zip(model.coefs_d, model.bases_d, strict=True)
        ),
    )
    return numerator / denominator


class FFXExpressionRegressor(RegressorMixin, BaseEstimator):
    """``ffx.FFXRegressor`` (its most accurate Pareto model, as SRBench uses it) with an exact
    ``sympy()``. Deterministic, and no parameters: FFX has none to tune."""

    def fit(self, X, y):
        from ffx import FFXRegressor

        if threading.current_thread() is not threading.main_thread():
            raise RuntimeError(
                "FFX guards its fits with SIGALRM, which works only in the main thread; "
                "run it in a process of its own (the runner does)"
            )
        X, y = validate_data(self, X, y, y_numeric=True, dtype=np.float64)
        with warnings.catch_warnings():
            # the elastic-net path warns about convergence at every step
            warnings.simplefilter("ignore")
            try:
                est = FFXRegressor().fit(X, y)
            except SystemExit as exc:  # ffx calls sys.exit(1) when an elastic-net step fails
                raise RuntimeError(
                    "FFX gave up: an elastic-net step of its pathwise learner raised ValueError "
                    f"(typically non-finite basis values) and ffx called sys.exit({exc.code})"
                ) from None
        self.estimator_ = est
        names = [str(s) for s in feature_symbols(self, self.n_features_in_)]
        self.expression_ = ffx_model_to_sympy(est.model_, names)
        return self

    def predict(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        with np.errstate(all="ignore"):
            return np.asarray(self.estimator_.predict(X), dtype=np.float64)

    def sympy(self) -> sp.Expr:
        """The fitted model as a sympy expression over ``x0, x1, ...``."""
        check_is_fitted(self)
        return self.expression_
