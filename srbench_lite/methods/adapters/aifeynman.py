"""AI Feynman (``aifeynman`` 2.0.7 on PyPI, Udrescu & Tegmark) as a method-contract estimator.

It runs in its own environment (numpy < 2, a Fortran build: ``srbench-lite env create
aifeynman``), so this module is imported by the environment's interpreter only; it imports
``aifeynman`` inside ``fit``.

The search
----------
The package's entry point, ``run_aifeynman(pathdir, filename, ...)``, reads a text file and
writes its results into ``results/`` of the working directory. ``fit`` follows it (as
SRBench's own wrapper, ``AIFeynmanRegressor`` in SRBench's AI-Feynman fork, does): it writes
the data into a private temporary folder, works there, runs ``run_AI_all`` on 80 % of the rows
(the package's ``test_percentage=20``), snaps the constants of every Pareto point
(``add_snap_expr_on_pareto``), polishes them by gradient descent (``final_gd``, called with
the data array its 2.0.7 signature takes: ``run_aifeynman`` passes a path there and silently
skips the step) and snaps again. The model is the Pareto point with the lowest error, SRBench's
choice (``best_idx = np.argmin(log_err)``).

Each brute-force search starts one of the package's console scripts (``feynman_sr_mdl_plus``
...), which imports the whole package, torch included, before its Fortran ``go()`` runs:
~3.5 s of CPU per call, dozens of calls per fit. The adapter starts the same compiled
``go()`` through a launcher that loads only that extension module (~0.5 s). The Fortran code,
its input files and its time limit are the package's.

Time budget
-----------
SRBench ran ``BF_try_time=60, polyfit_deg=4, NN_epochs=4000`` with ``max_time=2*60*60``
(``experiment/methods/AIFeynman.py`` in cavalab/srbench; its fork checked ``max_time`` between
the steps of ``run_AI_all``). The PyPI package has no overall limit, so the adapter
enforces ``time_budget_s`` itself: every brute-force call's limit is cut to the time left
(and skipped when none is); once the budget is spent no new recursion level starts, nor any
of a level's 600 s searches for compositionality and generalized symmetry (the level in
progress returns the Pareto points it has). ``BF_try_time`` (``None``: derived) is ``time_budget_s / 26`` -- one level of
``run_AI_all`` makes 26 brute-force calls (13 output transforms x {+, *}) -- kept between 5 s
and SRBench's 60 s.

The network (two or more variables) is the one step that cannot be cut: 2.0.7's ``NN_train``
ignores ``NN_epochs`` and trains ``200 x n_variables`` epochs (x3 below 5,000 rows) for 4
learning-rate rounds. :func:`nn_seconds` estimates its time (5 ms a batch step, measured
here: 23.7 s for 2 variables and 120 rows); a network starts only when that much is left, and
when the estimate fits in half the budget the brute-force searches leave it that reserve.
The final snapping and the runner's hard limit stand behind the rest.

Model string
------------
The package writes sympy strings over ``x0, x1, ...`` (0-based; dialect ``"x0"``), with
snapped constants (``pi``, rationals) and ``asin``/``acos``/``atan``/``exp``/``log``/``sqrt``.
``predict`` evaluates that same string, read by srbench-lite's parser (no ``eval``).
"""

from __future__ import annotations

import contextlib
import importlib.machinery
import importlib.util
import math
import os
import subprocess
import sys
import tempfile
import types
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_array, check_is_fitted, check_X_y

from srbench_lite.methods.adapters._common import Deadline

__all__ = ["AIFeynmanRegressor", "bf_try_time"]

#: brute-force calls in one level of run_AI_all (13 output transforms x {+, *})
BF_CALLS_PER_LEVEL = 26
#: the shortest brute-force limit worth starting (s) and SRBench's per-call limit (s)
MIN_BF_S, SRBENCH_BF_S = 5.0, 60.0
#: NN_train: learning-rate rounds, batch size, and seconds per batch step (23.7 s measured
#: here for 2 variables x 120 rows: 4,800 epochs of one batch, on one thread)
NN_LR_ROUNDS, NN_BATCH, NN_STEP_S = 4, 2048, 0.005
#: the reserve is the estimate plus this margin (the polynomial fits between the searches)
RESERVE_MARGIN = 1.25
#: the package's console scripts -> the extension module whose go() each one runs
_SCRIPTS = {
    "feynman_sr1": "_symbolic_regress1",
    "feynman_sr2": "_symbolic_regress2",
    "feynman_sr3": "_symbolic_regress3",
    "feynman_sr_mdl_plus": "_symbolic_regress_mdl2",
    "feynman_sr_mdl_mult": "_symbolic_regress_mdl3",
    "feynman_sr_mdl4": "_symbolic_regress_mdl4",
    "feynman_sr_mdl5": "_symbolic_regress_mdl5",
}
_LAUNCH = (
    "import importlib.util as u, sys; s = u.spec_from_file_location(sys.argv[1], sys.argv[2]); "
    "m = u.module_from_spec(s); s.loader.exec_module(m); sys.exit(m.go())"
)


def bf_try_time(time_budget_s: float | None) -> float:
    """Seconds per brute-force call for a budget (see the module docstring)."""
    if time_budget_s is None:
        return SRBENCH_BF_S
    return min(SRBENCH_BF_S, max(MIN_BF_S, time_budget_s / BF_CALLS_PER_LEVEL))


def nn_seconds(n_rows: int, n_variables: int) -> float:
    """The estimated time of one ``NN_train`` (its epochs are fixed by the data's size)."""
    if n_variables < 2:
        return 0.0  # the package trains no network on one variable
    epochs = 200 * n_variables * (3 if n_rows < 5000 else 1) * NN_LR_ROUNDS
    return epochs * math.ceil(n_rows / NN_BATCH) * NN_STEP_S


class _OutOfTime(Exception):
    """The budget is spent: the current level of run_AI_all returns what it has."""


class _Budget:
    """The fit's deadline, and the seconds the brute-force searches leave for the first
    network (``reserve_s``, 0 once it has trained)."""

    def __init__(self, deadline: Deadline, reserve_s: float):
        self.deadline, self.reserve_s = deadline, reserve_s


class AIFeynmanRegressor(RegressorMixin, BaseEstimator):
    """AI Feynman with a time budget; ``sympy()`` is the chosen Pareto point's formula."""

    def __init__(
        self,
        BF_try_time: float | None = None,
        BF_ops_file_type: str = "14ops.txt",
        polyfit_deg: int = 4,
        NN_epochs: int = 4000,
        time_budget_s: float | None = None,
        random_state: int | None = None,
    ):
        self.BF_try_time = BF_try_time
        self.BF_ops_file_type = BF_ops_file_type
        self.polyfit_deg = polyfit_deg
        self.NN_epochs = NN_epochs
        self.time_budget_s = time_budget_s
        self.random_state = random_state

    def fit(self, X, y):
        X, y = check_X_y(X, y, y_numeric=True, dtype=np.float64)
        self.n_features_in_ = X.shape[1]
        deadline = Deadline(self.time_budget_s)
        bf = self.BF_try_time if self.BF_try_time is not None else bf_try_time(self.time_budget_s)
        budget = _Budget(deadline, _reserve(self.time_budget_s, X.shape))
        _seed(self.random_state)
        data = np.column_stack([X, y])
        with tempfile.TemporaryDirectory(prefix="aifeynman-") as work, _inside(work), \
                _budgeted(budget):  # fmt: skip
            front = _search(work + os.sep, "data.txt", data, float(bf), self, deadline)
        if not front:
            raise RuntimeError("AI Feynman found no formula (its Pareto front is empty)")
        self.pareto_ = sorted(front, key=lambda p: (p[1], p[0]))  # (complexity, error, formula)
        self.expression_ = min(front, key=lambda p: (p[1], p[0]))[2]
        self.bf_try_time_ = float(bf)
        return self

    def predict(self, X):
        check_is_fitted(self)
        X = check_array(X, dtype=np.float64)
        return _evaluate(self.expression_, X)

    def sympy(self) -> str:
        """The chosen formula over ``x0, x1, ...`` (dialect ``"x0"``)."""
        check_is_fitted(self)
        return self.expression_


def _reserve(time_budget_s: float | None, shape: tuple[int, int]) -> float:
    """Seconds the searches leave for the first network: its estimate when that fits in half
    the budget (else none: the network would not fit anyway)."""
    need = RESERVE_MARGIN * nn_seconds(80 * shape[0] // 100, shape[1])
    return need if time_budget_s is not None and need <= time_budget_s / 2 else 0.0


def _seed(random_state: int | None) -> None:
    seed = (
        int(np.random.default_rng().integers(2**31 - 1))
        if random_state is None
        else int(random_state)
    )
    np.random.seed(seed)  # the package draws its split and its searches from numpy's global RNG
    import torch

    torch.manual_seed(seed)


def _search(pathdir: str, filename: str, data, bf: float, est, deadline: Deadline):
    """``run_aifeynman`` without its files of results (see the module docstring): the Pareto
    front as ``(complexity, error, formula)``."""
    from aifeynman.get_pareto import ParetoSet, Point
    from aifeynman.S_add_snap_expr_on_pareto import add_snap_expr_on_pareto
    from aifeynman.S_final_gd import final_gd
    from aifeynman.S_run_aifeynman import run_AI_all

    np.savetxt(pathdir + filename, data)
    order = np.random.permutation(len(data))
    np.savetxt(pathdir + filename + "_train", data[order[: 80 * len(data) // 100]])
    front = run_AI_all(pathdir, filename + "_train", bf, est.BF_ops_file_type,
                       int(est.polyfit_deg), int(est.NN_epochs), ParetoSet())  # fmt: skip
    for point in front.get_pareto_points():
        front = add_snap_expr_on_pareto(pathdir, filename, point[-1], front, "")
    for point in front.get_pareto_points():
        if deadline.remaining() <= 0:
            break
        try:
            error, complexity, formula = final_gd(data, point[-1])
        except Exception:  # the package skips a formula its descent cannot handle
            continue
        front.add(Point(x=complexity, y=error, data=formula))
    for point in front.get_pareto_points():
        front = add_snap_expr_on_pareto(pathdir, filename, point[-1], front, "")
    return [(float(c), float(e), str(f)) for c, e, f in front.get_pareto_points()
            if math.isfinite(float(e))]  # fmt: skip


@contextlib.contextmanager
def _inside(folder: str):
    """Work in ``folder`` (the package writes ``results/`` and its brute-force files into the
    working directory)."""
    before = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


@contextlib.contextmanager
def _budgeted(budget: _Budget):
    """Put the budget into the package (see "Time budget" in the module docstring): its
    brute-force modules get a ``subprocess`` whose ``call`` is cut to the time left and
    launches ``go()`` directly (and leaves the network's reserve); ``run_AI_all`` stops
    recursing once the budget is spent, and ``NN_train`` starts only when its estimated time
    is left. Everything is put back afterwards."""
    import aifeynman.S_brute_force as bf_plain
    import aifeynman.S_brute_force_comp as bf_comp
    import aifeynman.S_brute_force_gen_sym as bf_gen
    import aifeynman.S_run_aifeynman as run

    shim = types.SimpleNamespace(call=_budgeted_call(budget))
    originals = {(m, "subprocess"): m.subprocess for m in (bf_plain, bf_comp, bf_gen)}
    originals[(run, "run_AI_all")] = run.run_AI_all
    steps = ("NN_train", "brute_force_comp", "brute_force_gen_sym")
    originals.update({(run, name): getattr(run, name) for name in steps})
    level, train = run.run_AI_all, run.NN_train
    deadline = budget.deadline

    def run_level(pathdir, filename, BF_try_time=60, BF_ops_file_type="14ops",
                  polyfit_deg=4, NN_epochs=4000, PA=None):  # fmt: skip
        if deadline.remaining() <= 0:
            return PA
        try:
            return level(pathdir, filename, BF_try_time, BF_ops_file_type, polyfit_deg,
                         NN_epochs, PA)  # fmt: skip
        except _OutOfTime:
            return PA

    def unless_spent(step):  # a step whose output the level reads without a check
        def guarded(*args, **kwargs):
            if deadline.remaining() <= 0:
                raise _OutOfTime
            return step(*args, **kwargs)

        return guarded

    def train_network(pathdir, filename, *args, **kwargs):
        rows, columns = np.loadtxt(pathdir + filename, ndmin=2).shape
        if deadline.remaining() < nn_seconds(rows, columns - 1):
            raise _OutOfTime
        budget.reserve_s = 0.0  # the searches after it may use all that is left
        return train(pathdir, filename, *args, **kwargs)

    for module in (bf_plain, bf_comp, bf_gen):
        module.subprocess = shim
    run.run_AI_all = run_level
    for name in steps[1:]:
        setattr(run, name, unless_spent(getattr(run, name)))
    run.NN_train = train_network
    try:
        yield
    finally:
        for (module, name), value in originals.items():
            setattr(module, name, value)


def _budgeted_call(budget: _Budget):
    folder = Path(importlib.util.find_spec("aifeynman").submodule_search_locations[0])

    def call(args, timeout=None, **kwargs):
        left = budget.deadline.remaining() - budget.reserve_s
        if left <= 0:
            return None  # the package ignores the result and reads whatever files exist
        limit = left if timeout is None else min(float(timeout), left)
        module = (
            _SCRIPTS.get(args[0]) if isinstance(args, (list, tuple)) and len(args) == 1 else None
        )
        if module is not None:
            args = [sys.executable, "-c", _LAUNCH, module, str(_extension(folder, module))]
        return subprocess.call(args, timeout=limit, **kwargs)

    return call


def _extension(folder: Path, module: str) -> Path:
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        path = folder / f"{module}{suffix}"
        if path.is_file():
            return path
    raise FileNotFoundError(f"aifeynman's compiled module {module} is missing in {folder}")


def _evaluate(formula: str, X: np.ndarray) -> np.ndarray:
    """The formula's values on the rows of ``X`` (read by srbench-lite's parser)."""
    import sympy as sp

    from srbench_lite.expr import parse_model

    names = [f"x{i}" for i in range(X.shape[1])]
    expr = parse_model(formula, dialect="x0", feature_names=names)
    symbols = {s.name: s for s in expr.free_symbols}
    f = sp.lambdify([symbols.get(n, sp.Symbol(n)) for n in names], expr, modules="numpy")
    with np.errstate(all="ignore"):
        values = np.asarray(f(*X.T), dtype=float)
    return np.broadcast_to(values, (X.shape[0],)).copy()
