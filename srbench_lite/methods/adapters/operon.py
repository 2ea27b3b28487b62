"""Operon (``pyoperon.sklearn.SymbolicRegressor``) with the job's time budget and seed.

Model string
------------
``sympy()`` returns Operon's own infix string (``InfixFormatter``) printed with
:data:`PRECISION` decimals -- every digit a float32 coefficient carries, and at least ten
significant digits for coefficients down to 1e-10 (Operon's default is 3 decimals). Fixed
decimals still print a coefficient below 1e-20 as ``0`` (a law with a physical constant such
as the Bohr magneton, 9.27e-24): so Operon sees data rescaled by powers of ten
(:class:`~srbench_lite.methods.adapters._common.DecadeScaling`) and ``sympy()`` puts the exact
scales back, while ``predict()`` applies the same scales. Variables
are written ``X1, X2, ...`` -- 1-based, so the method's dialect is ``"operon"`` -- and the
names are passed explicitly, so the style does not depend on how Operon names columns.
``^`` is power and ``aq(a, b)`` is printed as ``a / sqrt(1 + b ^ 2)``. The string includes
Operon's linear scaling (the final ``offset + scale * (...)``).

Precision
---------
Operon evaluates in single precision: its predictions and the expression evaluated in double
precision agree to about 1e-6 relative (float32 rounding), not to the last bit.

Time budget
-----------
``time_budget_s`` goes to Operon's wall-clock limit (``max_time`` in pyoperon >= 0.5,
``time_limit`` before), rounded down to whole seconds (at least 1). The evaluation budget
(``max_evaluations``, SRBench's 500,000) can end a run sooner.
"""

from __future__ import annotations

import inspect

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from srbench_lite.methods.adapters._common import DecadeScaling, whole_seconds

__all__ = ["DEFAULT_SYMBOLS", "PRECISION", "OperonRegressor"]

#: SRBench's larger Operon set (add,mul,aq,exp,log,sin,tanh) plus sub, div, sqrt, cos, square
DEFAULT_SYMBOLS = "add,sub,mul,div,aq,exp,log,sqrt,sin,cos,tanh,square,constant,variable"
#: decimals in the model string
PRECISION = 20

#: our parameter -> names it has had in pyoperon's SymbolicRegressor, newest first
_ALIASES = {
    "max_time": ("max_time", "time_limit"),
    "optimizer_iterations": ("optimizer_iterations", "local_iterations"),
}


def operon_kwargs(signature_params, wanted: dict) -> dict:
    """Rename ``wanted`` to the parameter names this pyoperon version accepts.

    ``signature_params`` are the names ``SymbolicRegressor.__init__`` takes. Raises
    ``TypeError`` naming a setting this version has under none of its known names.
    """
    accepted = set(signature_params)
    out = {}
    for key, value in wanted.items():
        names = _ALIASES.get(key, (key,))
        name = next((n for n in names if n in accepted), None)
        if name is None:
            raise TypeError(
                f"this pyoperon version has no parameter {' / '.join(names)} "
                f"(accepted: {', '.join(sorted(accepted))})"
            )
        out[name] = value
    return out


class OperonRegressor(RegressorMixin, BaseEstimator):
    """pyoperon's ``SymbolicRegressor`` with SRBench-like defaults, a time budget and a
    seed. Any other pyoperon setting goes in ``operon_params``. The fitted pyoperon
    estimator is ``estimator_``; the model string is ``model_string_``."""

    def __init__(
        self,
        allowed_symbols: str = DEFAULT_SYMBOLS,
        population_size: int = 500,
        pool_size: int = 500,
        max_length: int = 50,
        tournament_size: int = 5,
        optimizer_iterations: int = 5,
        max_evaluations: int = 500_000,
        generations: int = 100_000,
        n_threads: int = 1,
        time_budget_s: float | None = None,
        random_state: int | None = None,
        operon_params: dict | None = None,
    ):
        self.allowed_symbols = allowed_symbols
        self.population_size = population_size
        self.pool_size = pool_size
        self.max_length = max_length
        self.tournament_size = tournament_size
        self.optimizer_iterations = optimizer_iterations
        self.max_evaluations = max_evaluations
        self.generations = generations
        self.n_threads = n_threads
        self.time_budget_s = time_budget_s
        self.random_state = random_state
        self.operon_params = operon_params

    def fit(self, X, y):
        from pyoperon.sklearn import SymbolicRegressor

        X, y = validate_data(self, X, y, y_numeric=True, dtype=np.float64)
        wanted = {
            "allowed_symbols": self.allowed_symbols,
            "population_size": self.population_size,
            "pool_size": self.pool_size,
            "max_length": self.max_length,
            "tournament_size": self.tournament_size,
            "optimizer_iterations": self.optimizer_iterations,
            "max_evaluations": self.max_evaluations,
            "generations": self.generations,
            "n_threads": self.n_threads,
        }
        if self.time_budget_s is not None:
            wanted["max_time"] = whole_seconds(self.time_budget_s)
        if self.random_state is not None:
            wanted["random_state"] = int(self.random_state)
        params = inspect.signature(SymbolicRegressor.__init__).parameters
        kwargs = operon_kwargs(params, wanted)
        kwargs.update(self.operon_params or {})
        est = SymbolicRegressor(**kwargs)
        self.scaling_ = DecadeScaling.fit(X, y)
        # pyoperon rejects read-only (memmap) arrays
        est.fit(_writable(self.scaling_.scale_X(X)), _writable(self.scaling_.scale_y(y)))
        self.estimator_ = est
        names = [f"X{i + 1}" for i in range(self.n_features_in_)]
        self.model_string_ = est.get_model_string(est.model_, precision=PRECISION, names=names)
        return self

    def predict(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        X = _writable(self.scaling_.scale_X(X))
        return self.scaling_.unscale_y(self.estimator_.predict(X))

    def sympy(self) -> str:
        """Operon's model string (dialect ``"operon"``: ``X1`` is the first column), with the
        power-of-ten scales of the data put back."""
        check_is_fitted(self)
        return self.scaling_.unscale_expression(self.model_string_, "X", first_index=1)


def _writable(a: np.ndarray) -> np.ndarray:
    """A C-contiguous, writable float64 array (a copy only when needed)."""
    if a.flags.writeable and a.flags.c_contiguous:
        return a
    return np.array(a, dtype=np.float64, order="C")
