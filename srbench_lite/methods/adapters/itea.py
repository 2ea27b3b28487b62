"""ITEA, the Interaction-Transformation Evolutionary Algorithm (``itea`` on PyPI), with the job's
time budget and seed.

Which ITEA
----------
SRBench ran the authors' Haskell ITEA (``folivetti/ITEA``, built with cabal); the pip package
``itea`` is the same algorithm in Python by the same group (Aldeia & de França), and is what
runs here. An IT expression is ``w_0 + sum_i w_i * t_i(prod_j x_j ** k_ij)``: integer exponents,
one transformation function per term, and linear coefficients fitted by least squares.

Settings
--------
The defaults are SRBench's ground-truth settings for ITEA (``experiment/methods/tuned/
ITEARegressor.py`` with ``tuned/params/_itearegressor.py``): population 1000, 500
generations, exponents in [-1, 1], at most 2 terms (``termlimit=(2, 2)``), transformations
``Id, Tanh, Sin, Cos, Log, Exp, SqrtAbs``. (SRBench's tuned file then multiplies population and
generations by sqrt(2); under a time budget the generation count rarely binds.) Its
``nonzeroexps=1`` has no counterpart in the Python package, whose terms may hold several
variables.

scikit-learn 1.6 removed ``mean_squared_error(squared=False)``, which itea 1.1.2 calls to score
every expression; during ``fit`` that one name in itea's module is replaced by a version that
still accepts ``squared`` (same values), and restored afterwards.

Time budget
-----------
itea has no time limit. :class:`ITEARegressor` runs itea's own evolution steps (its initial
population, then per generation its mutation and tournament selection; itea's ``_evolve`` loop
without its timing printout and without the jax-based feature-importance step that ``fit``
adds) and stops before the next generation would overrun ``time_budget_s``, estimating a
generation by the slowest of the last five (the first by the time the initial population
took: both fit up to ``population_size`` expressions); ``generations`` stays an upper bound.
The initial population (``population_size`` least-squares fits) always completes.

Model string
------------
``sympy()`` is itea's own printer (``ITExpr.to_str``) over ``x0, x1, ...`` (dialect ``"itea"``:
``id(u) = u``, ``sqrtAbs(u) = sqrt(|u|)``, ``^`` power). ``to_str`` rounds coefficients to a
number of decimals; the adapter asks for enough decimals that every coefficient keeps 17
significant digits, so the string is the model ``predict()`` uses (itea's ``predict`` replaces
a non-finite value by the intercept; the expression does not).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Sequence

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from srbench_lite.methods.adapters._common import Deadline

__all__ = ["DEFAULT_TRANSFORMATIONS", "TRANSFORMATIONS", "ITEARegressor", "decimals_for"]


def _identity(u):
    return u


def _sqrt_abs(u):
    return np.sqrt(np.abs(u))


#: transformation functions by the name itea prints (module-level, so fitted models pickle)
TRANSFORMATIONS = {
    "id": _identity,
    "tanh": np.tanh,
    "sin": np.sin,
    "cos": np.cos,
    "log": np.log,
    "exp": np.exp,
    "sqrtAbs": _sqrt_abs,
}
#: SRBench's set: [Id, Tanh, Sin, Cos, Log, Exp, SqrtAbs]
DEFAULT_TRANSFORMATIONS = ("id", "tanh", "sin", "cos", "log", "exp", "sqrtAbs")


def decimals_for(values) -> int:
    """How many decimals ``to_str`` needs so the smallest nonzero value keeps 17 significant
    digits, capped so that ``value * 10**decimals`` (numpy's rounding) stays finite."""
    mags = [abs(float(v)) for v in np.ravel(values) if math.isfinite(v) and v != 0]
    if not mags:
        return 17
    low = math.floor(math.log10(min(mags)))
    high = math.floor(math.log10(max(mags)))
    return min(17 - low, 300 - high)


class ITEARegressor(RegressorMixin, BaseEstimator):
    """itea's ``ITEA_regressor`` search with a wall-clock budget; ``sympy()`` is its printout.

    The best IT expression (an ``itea`` ``ITExpr_regressor``) is ``expression_``;
    ``n_generations_`` says how many generations ran and ``stopped_by_`` why the run ended
    (``"generations"`` or ``"time_budget"``).
    """

    def __init__(
        self,
        population_size: int = 1000,
        generations: int = 500,
        exponents: tuple[int, int] = (-1, 1),
        max_terms: int = 2,
        transformations: Sequence[str] = DEFAULT_TRANSFORMATIONS,
        time_budget_s: float | None = None,
        random_state: int | None = None,
    ):
        self.population_size = population_size
        self.generations = generations
        self.exponents = exponents
        self.max_terms = max_terms
        self.transformations = transformations
        self.time_budget_s = time_budget_s
        self.random_state = random_state

    def _tfuncs(self) -> dict:
        unknown = [t for t in self.transformations if t not in TRANSFORMATIONS]
        if unknown or "id" not in self.transformations:
            raise ValueError(
                f"transformations must include 'id' and come from {', '.join(TRANSFORMATIONS)}; "
                f"got {list(self.transformations)!r}"
            )
        return {name: TRANSFORMATIONS[name] for name in self.transformations}

    def fit(self, X, y):
        deadline = Deadline(self.time_budget_s)
        X, y = validate_data(self, X, y, y_numeric=True, dtype=np.float64)
        if int(self.generations) < 0 or int(self.population_size) < 1:
            raise ValueError(
                f"generations must be >= 0 and population_size >= 1, got "
                f"{self.generations!r} and {self.population_size!r}"
            )
        from itea.regression import ITEA_regressor, ITExpr_regressor
        from sklearn.utils.validation import check_random_state

        itea = ITEA_regressor(
            gens=int(self.generations),
            popsize=int(self.population_size),
            tfuncs=self._tfuncs(),
            expolim=tuple(int(e) for e in self.exponents),
            max_terms=int(self.max_terms),
            random_state=self.random_state,
            labels=[f"x{j}" for j in range(X.shape[1])],
        )
        rng = check_random_state(self.random_state)
        steps = {"nvars": X.shape[1], "itexpr_class": ITExpr_regressor, "random_state": rng}
        with _squared_compat(), np.errstate(all="ignore"):
            itea._check_args(X, y)
            start = deadline.elapsed()
            pop = itea._create_population(simplify_f=None, X=X, y=y, **steps)
            # a generation fits up to population_size new expressions, as the initial
            # population did: that time stands in for the first generation's
            first = deadline.elapsed() - start
            times: list[float] = []
            stopped_by = "generations"
            while len(times) < int(self.generations):
                if deadline.remaining() < max(times[-5:], default=first):
                    stopped_by = "time_budget"
                    break
                start = deadline.elapsed()
                children = itea._mutate_population(pop=pop, **steps)
                pop = itea._select_population(
                    pop=pop + children, select_f=_fittest, simplify_f=None,
                    size=int(self.population_size), X=X, y=y, random_state=rng,
                )  # fmt: skip
                times.append(deadline.elapsed() - start)
        self.expression_ = _fittest(pop)
        self.n_generations_ = len(times)
        self.stopped_by_ = stopped_by
        return self

    def predict(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        with np.errstate(all="ignore"):
            return np.asarray(self.expression_.predict(X), dtype=np.float64)

    def sympy(self) -> str:
        """itea's printout of the best expression (dialect ``"itea"``), every coefficient with 17
        significant digits."""
        check_is_fitted(self)
        best = self.expression_
        values = np.append(np.ravel(best.coef_), best.intercept_)
        return best.to_str(places=decimals_for(values))


def _fittest(candidates):
    """itea's selection rule for regression: the smallest RMSE (non-finite fitness never wins)."""
    return candidates[int(np.argmin([c._fitness for c in candidates]))]


def _mean_squared_error(y_true, y_pred, *, squared: bool = True, **kwargs):
    from sklearn.metrics import mean_squared_error, root_mean_squared_error

    if squared:
        return mean_squared_error(y_true, y_pred, **kwargs)
    return root_mean_squared_error(y_true, y_pred, **kwargs)


@contextlib.contextmanager
def _squared_compat():
    """Give itea 1.1.2 a ``mean_squared_error`` that accepts ``squared=`` (removed from
    scikit-learn in 1.6) while the search runs; a no-op where scikit-learn still has it."""
    import inspect

    from itea.regression import _ITExpr_regressor as module

    original = module.mean_squared_error
    if "squared" in inspect.signature(original).parameters:
        yield
        return
    module.mean_squared_error = _mean_squared_error
    try:
        yield
    finally:
        module.mean_squared_error = original
