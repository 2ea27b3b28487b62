"""Choosing among finished models: description length, on small data with held-out losses.

On more than :data:`CV_MAX_ROWS` rows the cost of a model is its two-part code length
(:func:`description_length`) with the training loss. On fewer rows a flexible form can bend
through every row, so the loss in the code length is the *held-out* one
(:func:`held_out_errors`: leave-one-out up to :data:`LOO_MAX_ROWS` rows, else :data:`FOLDS`
folds; every model's parameters refitted without the held-out rows), and losses are only
resolved to their statistical precision (:func:`held_out_losses`): a held-out loss within one
standard error of the best one counts as the best one, so among models the held-out rows
cannot tell apart the shortest wins (the one-standard-error rule).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from srbench_lite.engines.common.batch import Batch, Data
from srbench_lite.engines.common.front import select_model

if TYPE_CHECKING:
    from srbench_lite.engines.common.finish import Finished

__all__ = [
    "CV_MAX_ROWS",
    "FLOOR",
    "FOLDS",
    "LOO_MAX_ROWS",
    "NODE_COST",
    "SELECTION",
    "description_length",
    "held_out_costs",
    "held_out_errors",
    "held_out_losses",
    "select",
    "to_frame",
]

#: NMSE below this counts as exact (float rounding and LM precision)
FLOOR = 1e-15
#: nats per node of the expression (about ln of the number of symbols to choose from)
NODE_COST = 2.5
#: up to this many training rows, selection uses held-out losses (small data overfit)
CV_MAX_ROWS = 200
#: up to this many rows, every row is its own fold (leave-one-out)
LOO_MAX_ROWS = 40
#: folds of the cross-validation above :data:`LOO_MAX_ROWS` rows
FOLDS = 10
_REFIT_ITERS = 40  # LM steps of each refit (from the values fitted on all rows)

SELECTION = ("mdl", "score", "parsimony", "best")


def description_length(loss: float, complexity: int, n_params: int, n: int) -> float:
    """Two-part code length in nats: ``n/2 * ln(max(loss, FLOOR)) + k/2 * ln(n) +
    NODE_COST * complexity`` (``loss`` an NMSE on ``n`` rows, ``k`` free parameters)."""
    if not math.isfinite(loss):
        return math.inf
    return (
        0.5 * n * math.log(max(loss, FLOOR))
        + 0.5 * n_params * math.log(max(n, 2))
        + (NODE_COST * complexity)
    )


def folds(n: int, k: int | None = None, seed: int = 0) -> list[np.ndarray]:
    """The held-out parts of ``n`` rows: ``k`` random parts of (nearly) equal size; by default
    single rows up to :data:`LOO_MAX_ROWS` rows, else :data:`FOLDS` parts."""
    if k is None:
        k = n if n <= LOO_MAX_ROWS else FOLDS
    if k >= n:
        return [np.array([i]) for i in range(n)]
    order = np.random.default_rng(seed).permutation(n)
    return [np.sort(p) for p in np.array_split(order, k)]


def held_out_errors(
    programs: Sequence[Sequence[str]],
    consts: Sequence[Sequence[float]],
    data: Data,
    *,
    n_folds: int | None = None,
    deadline: float | None = None,
) -> np.ndarray | None:
    """Squared error of each program on each row of ``data`` with that row's fold held out
    and the program's constants refitted (Levenberg-Marquardt from ``consts``, no scaling) on
    the other rows: shape ``(n_programs, n_rows)``, ``inf`` where a program is undefined or has
    as many constants as training rows. ``n_folds``: see :func:`folds`. ``None`` when
    ``deadline`` passes first."""
    n, m = data.n, len(programs)
    out = np.full((m, n), np.inf)
    if m == 0:
        return out
    with np.errstate(over="ignore", invalid="ignore"):
        return _held_out(Batch(programs, consts), data, out, n_folds, deadline)


def _held_out(batch: Batch, data: Data, out: np.ndarray, n_folds, deadline) -> np.ndarray | None:
    n = data.n
    k = np.asarray(batch.n_consts())
    free = np.flatnonzero(k == 0)  # nothing to refit: evaluate once
    if len(free):
        vals, ok = batch.take(free).values(data)
        good = free[ok]
        out[good] = (vals[ok] - data.y) ** 2
    fitted = np.flatnonzero(k > 0)
    if not len(fitted):
        return out
    rows = np.arange(n)
    for part in folds(n, n_folds):
        if deadline is not None and time.perf_counter() > deadline:
            return None
        train = np.setdiff1d(rows, part)
        which = fitted[k[fitted] < len(train)]
        if not len(which):
            continue
        sub = batch.take(which)
        sub.fit(data.take(train), iters=_REFIT_ITERS, scale=False)
        held = data.take(part)
        vals, ok = sub.values(held)
        good = which[ok]
        out[np.ix_(good, part)] = (vals[ok] - held.y) ** 2
    return out


def held_out_losses(errors: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float] | None:
    """``(cv_loss, level)`` from :func:`held_out_errors`: each model's held-out NMSE, and the
    best one plus its standard error over the rows (the held-out rows cannot tell losses below
    ``level`` apart). ``None`` when no model has a finite held-out loss."""
    n = errors.shape[1]
    yc = y - y.mean()
    var = float(yc @ yc) / n
    var = var if var > 0 else 1.0
    cv = errors.mean(axis=1) / var
    best = int(np.argmin(cv))
    if not math.isfinite(cv[best]):
        return None
    spread = float(np.std(errors[best] / var, ddof=1)) / math.sqrt(n) if n > 1 else 0.0
    return cv, float(cv[best] + spread)


def held_out_costs(
    errors: np.ndarray, complexity: Sequence[int], y: np.ndarray
) -> tuple[np.ndarray, np.ndarray] | None:
    """``(cv_loss, cost)`` per model: the held-out NMSE (:func:`held_out_losses`) and the
    description length with that loss raised to ``level`` (losses the held-out rows cannot tell
    apart cost the same, so the shortest of those models wins). ``None`` as there."""
    res = held_out_losses(errors, y)
    if res is None:
        return None
    cv, level = res
    n = errors.shape[1]
    cost = [description_length(max(c, level), k, 0, n) for c, k in zip(cv, complexity, strict=True)]
    return cv, np.array(cost)


def select(finished: Sequence[Finished], method: str = "mdl") -> Finished:
    """Pick one finished model: ``"mdl"`` the lowest cost (description length, see the module
    docstring), the shorter on ties; otherwise the rule of :func:`.front.select_model`
    (``"score"`` PySR's, ``"parsimony"``, ``"best"``) on the loss/complexity front."""
    if not finished:
        raise ValueError("nothing to select from")
    if method == "mdl":
        return min(finished, key=lambda f: (f.cost, f.complexity))
    if method not in SELECTION:
        raise ValueError(f"unknown selection method {method!r}; use one of {SELECTION}")
    return select_model(finished, method=method, tolerance=1.5, abs_tol=FLOOR)


def to_frame(finished: Sequence[Finished]):
    """``equations_``: complexity, loss (training NMSE), cost (description length), expression
    (sympy string) and the finished models (``model``), non-dominated, by complexity."""
    import pandas as pd

    rows, best = [], math.inf
    for f in sorted(finished, key=lambda f: (f.complexity, f.loss)):
        if f.loss < best:
            best = f.loss
            rows.append(
                {
                    "complexity": f.complexity,
                    "loss": f.loss,
                    "cost": f.cost,
                    "expression": str(f.expr),
                    "model": f,
                }
            )
    return pd.DataFrame(rows, columns=["complexity", "loss", "cost", "expression", "model"])
