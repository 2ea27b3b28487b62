"""ODE-Strogatz: 14 problems from 7 two-state ODE systems of Strogatz's textbook (PMLB/SRBench).

Each system ``dx/dt = f(x, y), dy/dt = g(x, y)`` gives two problems (``strogatz_<system>1``
has target ``f``, ``...2`` has target ``g``); the features are the state ``x, y`` and the
target is the formula evaluated at the state. The table ``srbench_lite/datasets/strogatz.csv``
holds both right-hand sides, the 4 published initial conditions per system and the time grid.

The trajectories are *regenerated*, not copied: from each of the 4 published initial
conditions the system is integrated with ``scipy.integrate.solve_ivp`` (DOP853,
rtol = atol = 1e-12) and sampled on the published grid t = 0, 0.1, ..., 9.9 (100 points per
initial condition, 400 rows). The split is SRBench's: 75/25 train/test, rows shuffled by the
problem's rng; ``n_samples`` (at most 400) keeps a random subset of the rows before the split.

The published trajectories (lacava/ode-strogatz, also in PMLB) were produced by a fixed-step
Simulink run with step 0.1 whose x is effectively a forward-Euler solution, so they are a
coarse approximation of the ODE: this module's accurate states differ from them by a few % of
the state's spread for most systems, and more where the coarse run crossed a separatrix (one
Lotka-Volterra trajectory ends at another fixed point). The target is exact at every state
either way (it is the formula at the state); the tests cross-check both facts.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from srbench_lite.data.formula import evaluate_formula, parse_formula
from srbench_lite.data.problem import Arrays, ProblemSpec
from srbench_lite.data.sampling import normalize_split, split_rows
from srbench_lite.data.suite import Suite
from srbench_lite.data.tables import read_table
from srbench_lite.errors import InvalidValueError

TABLE = "strogatz.csv"
FEATURES = ("x", "y")
SOLVER = {"method": "DOP853", "rtol": 1e-12, "atol": 1e-12}


def _parse_ics(text: str) -> tuple[tuple[float, float], ...]:
    ics = []
    for pair in filter(None, (p.strip() for p in text.split(";"))):
        x0, y0 = (float(v) for v in pair.split(","))
        ics.append((x0, y0))
    return tuple(ics)


@lru_cache(maxsize=1)
def _specs() -> tuple[ProblemSpec, ...]:
    specs = []
    for row in read_table(TABLE):
        meta: dict[str, Any] = {
            k: row[k] for k in ("system", "title", "target", "ode_dx", "ode_dy", "ic_provenance")
        }
        meta["source"] = row["source"]
        meta["initial_conditions"] = _parse_ics(row["initial_conditions"])
        meta["t_start"] = float(row["t_start"])
        meta["dt"] = float(row["dt"])
        meta["n_points"] = int(row["n_points"])
        spec = ProblemSpec(row["name"], StrogatzSuite.name, FEATURES, row["formula"], meta)
        expected = meta["ode_dx"] if meta["target"] == "dx/dt" else meta["ode_dy"]
        if spec.formula != expected or meta["target"] not in ("dx/dt", "dy/dt"):
            raise ValueError(f"{TABLE} row {spec.name!r}: formula is not the {meta['target']}")
        for f in (spec.formula, meta["ode_dx"], meta["ode_dy"]):
            parse_formula(f, FEATURES)
        specs.append(spec)
    return tuple(specs)


@lru_cache(maxsize=32)
def _trajectories(
    dx: str, dy: str, ics: tuple[tuple[float, float], ...], t_start: float, dt: float, n: int
) -> np.ndarray:
    """States (len(ics) * n rows, columns x, y): each IC's trajectory on t_start + dt*k."""
    import sympy as sp
    from scipy.integrate import solve_ivp

    symbols = [sp.Symbol(name) for name in FEATURES]
    rhs = sp.lambdify(symbols, [parse_formula(dx, FEATURES), parse_formula(dy, FEATURES)], "math")
    t_eval = t_start + dt * np.arange(n)
    blocks = []
    for ic in ics:
        sol = solve_ivp(
            lambda _t, u: rhs(u[0], u[1]), (t_eval[0], t_eval[-1]), ic, t_eval=t_eval, **SOLVER
        )
        if sol.status != 0 or sol.y.shape[1] != n:
            raise RuntimeError(f"integration of dx={dx}, dy={dy} from {ic} failed: {sol.message}")
        blocks.append(sol.y.T)
    states = np.vstack(blocks)
    states.setflags(write=False)
    return states


class StrogatzSuite(Suite):
    name = "strogatz"
    description = (
        "ODE-Strogatz: 14 problems (7 two-state ODE systems x 2 targets) as in PMLB/SRBench; "
        "trajectories integrated with scipy from the published initial conditions and grid."
    )
    default_n_samples = 400
    default_split = (0.75, 0.0, 0.25)
    options: tuple[str, ...] = ()

    def specs(self) -> list[ProblemSpec]:
        return list(_specs())

    def states(self, spec: ProblemSpec) -> np.ndarray:
        """All trajectory states of the problem's system, in (IC, time) order (read-only)."""
        m = spec.meta
        return _trajectories(
            m["ode_dx"], m["ode_dy"], m["initial_conditions"], m["t_start"], m["dt"], m["n_points"]
        )

    def times(self, spec: ProblemSpec) -> np.ndarray:
        """The time of every row of :meth:`states`."""
        m = spec.meta
        t = m["t_start"] + m["dt"] * np.arange(m["n_points"])
        return np.tile(t, len(m["initial_conditions"]))

    def n_rows(self, spec: ProblemSpec) -> int:
        return len(spec.meta["initial_conditions"]) * spec.meta["n_points"]

    def sample(
        self, spec: ProblemSpec, n: int, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        """``n`` trajectory rows picked at random (all rows, shuffled, when ``n`` is the total)."""
        rows = rng.permutation(self.n_rows(spec))[: self._check_n(spec, n)]
        X = self.states(spec)[rows]
        return X, evaluate_formula(spec.formula, spec.feature_names, X)

    def _check_n(self, spec: ProblemSpec, n: Any) -> int:
        total = self.n_rows(spec)
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 2 <= n <= total:
            raise InvalidValueError(
                f"n_samples for {spec.name} must be an integer in 2..{total} (the trajectory "
                f"rows: {len(spec.meta['initial_conditions'])} initial conditions x "
                f"{spec.meta['n_points']} time points), got {n!r}"
            )
        return int(n)

    def make_arrays(
        self,
        spec: ProblemSpec,
        *,
        rng: np.random.Generator,
        n_samples: int | None = None,
        split=None,
        **options: Any,
    ) -> Arrays:
        if options:
            raise InvalidValueError(f"suite {self.name!r} takes no options, got {sorted(options)}")
        n = self.n_rows(spec) if n_samples is None else n_samples
        parts = normalize_split(self.default_split if split is None else split)
        X, y = self.sample(spec, n, rng)  # already shuffled: split in order
        train, val, test = split_rows(len(y), parts, None)
        if len(train) == 0 or len(test) == 0:
            raise InvalidValueError(
                f"{spec.name}: n_samples={n} with split {parts} leaves an empty train or test set"
            )
        arrays = Arrays(X[train], y[train], X[test], y[test])
        if len(val):
            arrays.X_val, arrays.y_val = X[val], y[val]
        arrays.meta = {
            "integrator": "scipy.integrate.solve_ivp DOP853 rtol=1e-12 atol=1e-12",
            "n_rows": self.n_rows(spec),
        }
        return arrays


STROGATZ = StrogatzSuite()
