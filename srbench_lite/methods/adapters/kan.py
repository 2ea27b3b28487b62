"""KAN: the symbolic formula of a Kolmogorov-Arnold network (``pykan``), within the job's budget.

Recipe
------
SRBench has not run KAN; the adapter follows pykan's own symbolic-regression recipe (its
"hellokan" tutorial and README): a ``[n, 5, 1]`` network with cubic splines on a 3-interval
grid, trained with LBFGS and a sparsity penalty (``lamb=0.001``), pruned, every activation
replaced by the best-fitting function of the tutorial's library
(``x, x^2, x^3, x^4, exp, log, sqrt, tanh, sin, abs``, pykan's ``auto_symbolic``), then the
affine parameters refitted with LBFGS. The tutorial's grid refinement step is left out (its
splines are discarded by the symbolic step anyway). Computation is in double precision, as in
the tutorial (``torch.set_default_dtype(torch.float64)``, set only while the adapter works).

pykan trains on at most :attr:`KANRegressor.max_samples` rows (1,000, the size of pykan's
``create_dataset``; a seeded random subset of larger training sets), and fits the symbolic
functions on the activations of ``symbolic_samples`` of them (each candidate function is a
101 x 101 grid search over its inner affine parameters, per edge).

Time budget
-----------
pykan has no time limit; the adapter sizes each phase from the budget: LBFGS steps (chunks
sized from the last chunk's time per step) until :data:`TRAIN_SHARE` of the budget, the
library search edge by edge until :data:`SYMBOLIC_SHARE` -- edges still left then are fixed to
the linear function ``x`` (a least-squares line, no search) so the network is fully symbolic
-- and the refit until the budget. The first training step always runs (importing torch and
pykan, counted in the budget, can take seconds). Without a budget each phase runs its full
number of steps. pykan's checkpoints go to a temporary folder that is removed afterwards; its
printout is discarded.

Model string
------------
``sympy()`` is ``str(model.symbolic_formula()[0][0])``: pykan's own formula printed by sympy,
over ``x_1, x_2, ...`` (1-based: dialect ``"kan"``), with 15 significant digits per
constant. ``predict()`` runs the (fully symbolic) network, so both are one model; a refit
that ends in NaN is undone.
"""

from __future__ import annotations

import contextlib
import copy
import io
import math
import tempfile
import warnings
from collections.abc import Sequence

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from srbench_lite.methods.adapters._common import Deadline

__all__ = ["DEFAULT_LIBRARY", "SYMBOLIC_SHARE", "TRAIN_SHARE", "KANRegressor"]

#: the symbolic library of pykan's tutorial
DEFAULT_LIBRARY = ("x", "x^2", "x^3", "x^4", "exp", "log", "sqrt", "tanh", "sin", "abs")
#: share of the budget by which training stops
TRAIN_SHARE = 0.5
#: share of the budget by which the library search stops (the rest of the edges get ``x``)
SYMBOLIC_SHARE = 0.8


class KANRegressor(RegressorMixin, BaseEstimator):
    """pykan's KAN, trained and turned into a formula within a time budget.

    The fitted (symbolic) network is ``model_``; ``formula_`` is its sympy formula,
    ``n_library_edges_`` / ``n_linear_edges_`` count the activations fixed by the library
    search and by the time-out fallback.
    """

    def __init__(
        self,
        hidden: int = 5,
        grid: int = 3,
        k: int = 3,
        lamb: float = 0.001,
        train_steps: int = 50,
        prune: bool = True,
        library: Sequence[str] = DEFAULT_LIBRARY,
        refit_steps: int = 50,
        max_samples: int = 1000,
        symbolic_samples: int = 100,
        time_budget_s: float | None = None,
        random_state: int | None = None,
    ):
        self.hidden = hidden
        self.grid = grid
        self.k = k
        self.lamb = lamb
        self.train_steps = train_steps
        self.prune = prune
        self.library = library
        self.refit_steps = refit_steps
        self.max_samples = max_samples
        self.symbolic_samples = symbolic_samples
        self.time_budget_s = time_budget_s
        self.random_state = random_state

    def fit(self, X, y):
        deadline = Deadline(self.time_budget_s)
        X, y = validate_data(self, X, y, y_numeric=True, dtype=np.float64)
        if len(X) < 2:
            raise ValueError(f"pykan cannot fit {len(X)} sample; it needs at least 2")
        for name in ("hidden", "grid", "max_samples", "symbolic_samples"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)!r}")
        import torch
        from kan import KAN
        from kan.utils import SYMBOLIC_LIB

        unknown = [f for f in self.library if f not in SYMBOLIC_LIB]
        if unknown or not self.library:
            raise ValueError(f"library must name pykan functions ({', '.join(SYMBOLIC_LIB)}), "
                             f"got {list(self.library)!r}")  # fmt: skip
        seed = 0 if self.random_state is None else int(self.random_state)
        rng = np.random.default_rng(seed)
        rows = rng.permutation(len(X))[: int(self.max_samples)]
        x_t = torch.tensor(X[rows], dtype=torch.float64)
        y_t = torch.tensor(y[rows, None], dtype=torch.float64)
        dataset = {"train_input": x_t, "train_label": y_t,
                   "test_input": x_t[:20], "test_label": y_t[:20]}  # fmt: skip
        with _pykan_session(), tempfile.TemporaryDirectory() as ckpt:
            model = KAN(width=[X.shape[1], int(self.hidden), 1], grid=int(self.grid),
                        k=int(self.k), seed=seed, auto_save=False, ckpt_path=ckpt)  # fmt: skip
            _train(model, dataset, max(1, int(self.train_steps)), deadline, TRAIN_SHARE,
                   first=True, lamb=self.lamb)  # fmt: skip
            if self.prune:
                model = model.prune()
                model.auto_save = False
            model(x_t[: int(self.symbolic_samples)])  # the activations the functions are fit to
            self.n_library_edges_, self.n_linear_edges_ = _symbolize(
                model, list(self.library), deadline
            )
            before = copy.deepcopy(model.state_dict())
            loss = _train(model, dataset, int(self.refit_steps), deadline, 1.0, update_grid=False)
            if not math.isfinite(loss):
                model.load_state_dict(before)
            model.auto_save = False
            self.formula_ = model.symbolic_formula()[0][0]
        self.model_ = model
        return self

    def predict(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        import torch

        with _pykan_session(), torch.no_grad():
            out = self.model_(torch.tensor(X, dtype=torch.float64))
        return out.numpy()[:, 0].astype(np.float64)

    def sympy(self) -> str:
        """pykan's symbolic formula of the network over ``x_1, x_2, ...`` (dialect ``"kan"``)."""
        check_is_fitted(self)
        return str(self.formula_)


@contextlib.contextmanager
def _pykan_session():
    """Double precision, no printout and no warnings while pykan works (restored after)."""
    import torch

    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    sink = io.StringIO()
    try:
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink), \
                warnings.catch_warnings():  # fmt: skip
            warnings.simplefilter("ignore")
            yield
    finally:
        torch.set_default_dtype(previous)


def _train(
    model, dataset, steps: int, deadline: Deadline, share: float, first: bool = False, **fit_kw
) -> float:
    """LBFGS steps in chunks until ``steps`` are done or ``share`` of the budget is spent
    (chunks: as many steps as the last chunk's time per step says fit in half the time left;
    the first chunk is one step, and runs even out of time when ``first``). Returns the last
    training loss (``nan`` when none ran)."""
    done, per_step, loss = 0, 0.0, math.nan
    while done < steps:
        chunk = steps - done
        if deadline.budget_s is not None:
            left = deadline.budget_s * share - deadline.elapsed()
            if left <= per_step and not (first and done == 0):
                break
            chunk = 1 if done == 0 else max(1, min(chunk, int(left / per_step / 2)))
        start = deadline.elapsed()
        result = model.fit(dataset, opt="LBFGS", steps=chunk, log=10**9, **fit_kw)
        per_step = max((deadline.elapsed() - start) / chunk, 1e-6)
        done += chunk
        loss = float(result["train_loss"][-1])
    return loss


def _symbolize(model, library: list[str], deadline: Deadline) -> tuple[int, int]:
    """pykan's ``auto_symbolic``, edge by edge: the best library function while the budget's
    :data:`SYMBOLIC_SHARE` lasts, the linear ``x`` after; dead edges become ``0``. Returns how
    many edges each of the first two got."""
    by_library = by_linear = 0
    for layer in range(len(model.width_in) - 1):
        for i in range(model.width_in[layer]):
            for j in range(model.width_out[layer + 1]):
                symbolic = model.symbolic_fun[layer].mask[j, i] > 0
                numeric = model.act_fun[layer].mask[i][j] > 0
                if symbolic and not numeric:
                    continue
                if not numeric:
                    name = "0"
                elif deadline.budget_s is None or deadline.elapsed() < (
                    deadline.budget_s * SYMBOLIC_SHARE
                ):
                    name = model.suggest_symbolic(layer, i, j, lib=library, verbose=False)[0]
                    by_library += 1
                else:
                    _fix_linear(model, layer, i, j)
                    by_linear += 1
                    continue
                model.fix_symbolic(layer, i, j, name, verbose=False, log_history=False)
    return by_library, by_linear


def _fix_linear(model, layer: int, i: int, j: int) -> None:
    """Fix an activation to pykan's ``x`` with its least-squares line ``c * x + d`` (pykan's
    own fit would grid-search an inner affine map that a line does not need)."""
    import torch

    x = model.acts[layer][:, i].detach().numpy()
    y = model.spline_postacts[layer][:, j, i].detach().numpy()
    slope, intercept = np.polyfit(x, y, 1) if np.ptp(x) > 0 else (0.0, float(np.mean(y)))
    model.fix_symbolic(layer, i, j, "x", fit_params_bool=False, verbose=False, log_history=False)
    affine = torch.tensor([1.0, 0.0, float(slope), float(intercept)], dtype=torch.float64)
    model.symbolic_fun[layer].affine.data[j, i] = affine
