"""RILS-ROLS (``rils_rols.rils_rols.RILSROLSRegressor``) with the job's time budget and seed.

Model string
------------
RILS-ROLS prints its model from C++ (``get_model_string``) over ``x0, x1, ...`` (0-based:
dialect ``"x0"``), e.g. ``(((2.500000*x0)+(-1.500000*x1))+0.500000)``. Constants are written
with ``std::to_string``: six *decimals*, so the string is a rounded copy of the model -- its
values agree with the tool's predictions to about 1e-6 absolute per constant, and constants
below 5e-7 print as 0. The package exposes no more precise form.

So that no constant is lost to those six decimals, the tool sees data rescaled by powers of
ten (:class:`~srbench_lite.methods.adapters._common.DecadeScaling`); ``sympy()`` returns its
string with the exact scales put back and ``predict()`` applies the same scales, so the
expression and the predictions are one model.

The package's own post-processing is skipped: after fitting it runs ``sympy.simplify`` in a
thread with a 2 s timeout, which leaves the thread running (burning CPU) when it times out;
our ``sympy()`` returns the raw string instead and the harness simplifies under its own time
limits. Its constructor prints a line; that goes to a sink.

Time budget
-----------
``time_budget_s`` goes to the tool's ``max_time`` (whole seconds, at least 1), which the C++
search checks between iterations; ``max_fit_calls`` (100,000 by default) can end it sooner.
"""

from __future__ import annotations

import contextlib
import io

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from srbench_lite.methods.adapters._common import DecadeScaling, whole_seconds

__all__ = ["RilsRolsRegressor"]

#: max_time when no budget is given (the tool's own default)
DEFAULT_MAX_TIME = 100


class RilsRolsRegressor(RegressorMixin, BaseEstimator):
    """RILS-ROLS regression with a time budget; ``sympy()`` is the tool's model string."""

    def __init__(
        self,
        max_fit_calls: int = 100_000,
        complexity_penalty: float = 0.001,
        max_complexity: int = 50,
        sample_size: float = 1.0,
        time_budget_s: float | None = None,
        random_state: int | None = None,
    ):
        self.max_fit_calls = max_fit_calls
        self.complexity_penalty = complexity_penalty
        self.max_complexity = max_complexity
        self.sample_size = sample_size
        self.time_budget_s = time_budget_s
        self.random_state = random_state

    def fit(self, X, y):
        X, y = validate_data(self, X, y, y_numeric=True, dtype=np.float64)
        est = _quiet_regressor(
            max_fit_calls=int(self.max_fit_calls),
            max_time=whole_seconds(self.time_budget_s) or DEFAULT_MAX_TIME,
            complexity_penalty=self.complexity_penalty,
            max_complexity=int(self.max_complexity),
            sample_size=self.sample_size,
            verbose=False,
            random_state=_seed(self.random_state),
        )
        self.scaling_ = DecadeScaling.fit(X, y)
        est.fit(self.scaling_.scale_X(X), self.scaling_.scale_y(y))
        self.estimator_ = est
        self.model_string_ = str(est.model)
        return self

    def predict(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        # the tool resizes its input in place: scale_X gives it a copy
        return self.scaling_.unscale_y(self.estimator_.predict(self.scaling_.scale_X(X)))

    def sympy(self) -> str:
        """The tool's model string over ``x0, x1, ...`` (dialect ``"x0"``; six decimals), with
        the power-of-ten scales of the data put back (see the module docstring)."""
        check_is_fitted(self)
        return self.scaling_.unscale_expression(self.model_string_, "x")


def _seed(random_state: int | None) -> int:
    """The tool wants an int seed; ``None`` (not seeded) draws a fresh one."""
    if random_state is None:
        return int(np.random.default_rng().integers(2**31 - 1))
    return int(random_state)


def _quiet_regressor(**params):
    """A ``RILSROLSRegressor`` that skips its threaded ``simplify`` and prints nothing."""
    from rils_rols.rils_rols import RILSROLSRegressor

    class _NoSimplify(RILSROLSRegressor):
        def call_model_symplify(self):  # (sic) the package's spelling
            self.model_simp = self.model

    with contextlib.redirect_stdout(io.StringIO()):
        return _NoSimplify(**params)
