"""PySR (``pysr.PySRRegressor``): availability without importing it, and a budgeted wrapper.

Importing ``pysr`` starts ``juliacall``, which downloads Julia and PySR's Julia packages when
they are missing. So nothing here imports ``pysr`` except :meth:`PySRWrapper.fit`, and
:func:`julia_problem` decides availability from the file system alone:

1. a Julia executable: ``$PYTHON_JULIAPKG_EXE``, ``$PYTHON_JULIACALL_EXE``,
   ``$PYTHON_JULIACALL_BINDIR/julia``, ``julia`` on ``PATH``, or the copy juliapkg installs in
   its project (``<project>/pyjuliapkg/install/bin/julia``);
2. PySR's Julia packages: ``SymbolicRegression`` in the ``Manifest.toml`` of juliapkg's
   project (``$PYTHON_JULIAPKG_PROJECT``, ``$JULIA_PROJECT``, ``<venv>/julia_env`` inside a
   virtual/conda environment, else ``~/.julia/environments/pyjuliapkg``).

``fit`` also sets ``PYTHON_JULIAPKG_OFFLINE=yes`` (unless the user set it) so that a run
never downloads anything: a missing piece is an error in the record, not a download.

Seeding: with ``random_state`` set, the wrapper passes ``deterministic=True`` and
``parallelism="serial"`` (PySR's requirements for a reproducible search).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data

__all__ = ["PySRWrapper", "find_julia", "julia_problem", "juliapkg_project"]

NO_JULIA = "Julia not found: install Julia (https://julialang.org) and run `python -m pysr install`"


def _executable(path: str | Path | None) -> Path | None:
    if not path:
        return None
    p = Path(path).expanduser()
    return p if p.is_file() and os.access(p, os.X_OK) else None


def juliapkg_project(environ: dict | None = None) -> Path:
    """The Julia project juliapkg (and so PySR) installs packages into."""
    env = os.environ if environ is None else environ
    for var in ("PYTHON_JULIAPKG_PROJECT", "JULIA_PROJECT"):
        if env.get(var):
            return Path(env[var]).expanduser()
    in_env = sys.prefix != getattr(sys, "base_prefix", sys.prefix) or env.get("CONDA_PREFIX")
    if in_env:
        return Path(sys.prefix) / "julia_env"
    depot = env.get("JULIA_DEPOT_PATH", "").split(os.pathsep)[0] or "~/.julia"
    return Path(depot).expanduser() / "environments" / "pyjuliapkg"


def find_julia(environ: dict | None = None) -> Path | None:
    """A Julia executable PySR would use, or ``None`` (never starts or downloads Julia)."""
    env = os.environ if environ is None else environ
    bindir = env.get("PYTHON_JULIACALL_BINDIR")
    candidates = [
        env.get("PYTHON_JULIAPKG_EXE"),
        env.get("PYTHON_JULIACALL_EXE"),
        Path(bindir) / "julia" if bindir else None,
        shutil.which("julia", path=env.get("PATH")),
        juliapkg_project(env) / "pyjuliapkg" / "install" / "bin" / "julia",
    ]
    for candidate in candidates:
        found = _executable(candidate)
        if found is not None:
            return found
    return None


def julia_problem(environ: dict | None = None) -> str | None:
    """Why PySR cannot run here (no Julia, or its Julia packages not installed), or None."""
    julia = find_julia(environ)
    if julia is None:
        return NO_JULIA
    manifest = juliapkg_project(environ) / "Manifest.toml"
    try:
        text = manifest.read_text(encoding="utf-8", errors="replace")
    except OSError:
        text = ""
    if "SymbolicRegression" not in text:
        return (
            f"Julia found ({julia}) but PySR's Julia packages are not installed in "
            f"{manifest.parent}: run `python -m pysr install` once (needs the network)"
        )
    return None


class PySRWrapper(RegressorMixin, BaseEstimator):
    """``pysr.PySRRegressor`` with a wall-clock budget; ``sympy()`` is PySR's chosen model.

    ``time_budget_s`` goes to PySR's ``timeout_in_seconds`` (``niterations`` stays an upper
    bound). Other PySR settings go in ``pysr_params``.
    """

    def __init__(
        self,
        niterations: int = 1_000_000,
        populations: int = 15,
        maxsize: int = 30,
        binary_operators: tuple[str, ...] = ("+", "-", "*", "/"),
        unary_operators: tuple[str, ...] = ("sin", "cos", "exp", "log", "sqrt"),
        time_budget_s: float | None = None,
        random_state: int | None = None,
        pysr_params: dict | None = None,
    ):
        self.niterations = niterations
        self.populations = populations
        self.maxsize = maxsize
        self.binary_operators = binary_operators
        self.unary_operators = unary_operators
        self.time_budget_s = time_budget_s
        self.random_state = random_state
        self.pysr_params = pysr_params

    def _pysr_kwargs(self) -> dict:
        kwargs = {
            "niterations": int(self.niterations),
            "populations": int(self.populations),
            "maxsize": int(self.maxsize),
            "binary_operators": list(self.binary_operators),
            "unary_operators": list(self.unary_operators),
            "progress": False,
            "verbosity": 0,
            "temp_equation_file": True,
            "delete_tempfiles": True,
        }
        if self.time_budget_s is not None:
            kwargs["timeout_in_seconds"] = float(self.time_budget_s)
        if self.random_state is not None:
            kwargs.update(
                random_state=int(self.random_state), deterministic=True, parallelism="serial"
            )
        kwargs.update(self.pysr_params or {})
        return kwargs

    def fit(self, X, y):
        problem = julia_problem()
        if problem is not None:
            raise RuntimeError(problem)
        os.environ.setdefault("PYTHON_JULIAPKG_OFFLINE", "yes")
        from pysr import PySRRegressor

        X, y = validate_data(self, X, y, y_numeric=True, dtype=np.float64)
        est = PySRRegressor(**self._pysr_kwargs())
        est.fit(X, y)
        self.estimator_ = est
        return self

    def predict(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return np.asarray(self.estimator_.predict(X), dtype=np.float64)

    def sympy(self):
        """PySR's selected equation as a sympy expression over ``x0, x1, ...``."""
        check_is_fitted(self)
        return self.estimator_.sympy()
