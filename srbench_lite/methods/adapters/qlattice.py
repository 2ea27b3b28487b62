"""QLattice (Abzu's ``feyn``) with the job's time budget and seed.

Licence
-------
``feyn`` is proprietary: its community licence allows **academic, personal and
non-commercial use only** (https://abzu.ai/eula; feyn logs the notice when imported). It is an
optional extra, never a dependency of srbench-lite; whoever installs it accepts those terms.
The QLattice runs locally: no network access, no account.

Settings
--------
The defaults are SRBench's (``experiment/methods/qlattice/regressor.py``, feyn 3.0.1): 200
epochs, ``max_complexity=10``, ``criterion="wide_parsimony"``, every feyn function, kind
``"regression"`` (MSE loss); the best of ``feyn.get_diverse_models`` is the model. Two
departures: every column is declared numeric (``stypes``, so a column with few distinct
values is never read as categorical), and ``threads=1`` rather than all cores (the runner
gives each job one core).

Time budget
-----------
feyn has no time limit (SRBench stopped its own epoch loop with ``SIGALRM``).
:class:`QLatticeRegressor` runs feyn's ``auto_run`` loop itself -- per epoch
``sample_models``, ``fit_models``, ``prune_models``, ``update`` -- and stops before the next
epoch would overrun ``time_budget_s``, estimating an epoch by the slowest of the last three;
``n_epochs`` stays an upper bound. The first epoch always runs.

Model string
------------
``sympy()`` is feyn's own ``Model.sympify()`` printed by sympy, over the column names
``x0, x1, ...`` (dialect ``"x0"``). feyn writes every weight with 16 significant digits; the
adapter asks for no further rounding (SRBench kept feyn's default of 6), so the expression
and ``Model.predict`` are the same model.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from srbench_lite.methods.adapters._common import Deadline

__all__ = ["SIGNIFICANT_DIGITS", "QLatticeRegressor"]

#: digits asked of ``Model.sympify`` (feyn prints weights with 16; more rounds nothing)
SIGNIFICANT_DIGITS = 17
#: the output column's name in the frame handed to feyn (inputs are ``x0, x1, ...``)
_OUTPUT = "y"


class QLatticeRegressor(RegressorMixin, BaseEstimator):
    """A QLattice search (``feyn``) with a wall-clock budget; ``sympy()`` is feyn's formula.

    Academic, personal and non-commercial use only (feyn's community licence). The fitted
    ``feyn.Model`` is ``model_``; ``n_epochs_run_`` and ``stopped_by_`` (``"epochs"`` or
    ``"time_budget"``) describe the run.
    """

    def __init__(
        self,
        n_epochs: int = 200,
        max_complexity: int = 10,
        criterion: str | None = "wide_parsimony",
        function_names: Sequence[str] | None = None,
        threads: int = 1,
        time_budget_s: float | None = None,
        random_state: int | None = None,
    ):
        self.n_epochs = n_epochs
        self.max_complexity = max_complexity
        self.criterion = criterion
        self.function_names = function_names
        self.threads = threads
        self.time_budget_s = time_budget_s
        self.random_state = random_state

    def fit(self, X, y):
        deadline = Deadline(self.time_budget_s)
        X, y = validate_data(self, X, y, y_numeric=True, dtype=np.float64)
        if int(self.n_epochs) < 1:
            raise ValueError(f"n_epochs must be at least 1, got {self.n_epochs!r}")
        import feyn

        data = self._frame(X)
        data[_OUTPUT] = y
        stypes = {name: "f" for name in data.columns}
        feyn.validate_data(data, "regression", _OUTPUT, stypes)
        seed = -1 if self.random_state is None else int(self.random_state)
        ql = feyn.QLattice(random_seed=seed)
        ql.update_priors(feyn.tools.estimate_priors(data, _OUTPUT))
        functions = None if self.function_names is None else list(self.function_names)
        models: list = []
        times: list[float] = []
        stopped_by = "epochs"
        while len(times) < int(self.n_epochs):
            if times and deadline.remaining() < max(times[-3:]):
                stopped_by = "time_budget"
                break
            start = deadline.elapsed()
            models += ql.sample_models(
                data, _OUTPUT, "regression", stypes, int(self.max_complexity), None, functions
            )
            models = feyn.fit_models(
                models, data=data, loss_function=None, criterion=self.criterion,
                n_samples=None, sample_weights=None, threads=int(self.threads),
            )  # fmt: skip
            models = feyn.prune_models(models)
            ql.update(models)
            times.append(deadline.elapsed() - start)
        best = feyn.get_diverse_models(models)
        if not best:
            raise RuntimeError("the QLattice returned no model (every sampled model failed)")
        self.model_ = best[0]
        self.n_epochs_run_ = len(times)
        self.stopped_by_ = stopped_by
        return self

    def _frame(self, X):
        import pandas as pd

        return pd.DataFrame(X, columns=[f"x{j}" for j in range(X.shape[1])])

    def predict(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return np.asarray(self.model_.predict(self._frame(X)), dtype=np.float64).ravel()

    def sympy(self) -> str:
        """feyn's formula of the best model (``Model.sympify``) over ``x0, x1, ...``."""
        check_is_fitted(self)
        return str(self.model_.sympify(signif=SIGNIFICANT_DIGITS))
