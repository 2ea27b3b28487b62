"""EmpiricalBench: the 9 empirical laws of the PySR paper (Cranmer 2023), generated locally.

The table ``empirical.csv`` (in ``srbench_lite/datasets/``) holds, per law: the features, the
ground truth ``formula`` (the modelled target; for a log-target problem ``log(<law>)``), the
raw ``law``, the sampling law of every input, the training size, the intrinsic noise and the working
precision. Tully-Fisher is left out: the paper ran it but excluded it from its table (its
generator is not the law it names).

What is generated, per law (train = the paper-sized sample; test = an independent noiseless
draw of ``n_test`` rows, default 1000, from the same laws):

=========  ==========================  =====  ===================  =========
law        inputs                      train  intrinsic noise      target
=========  ==========================  =====  ===================  =========
hubble     D ~ U(0.0324, 2.006)        32     none                 v
kepler     a ~ logU(0.389, 9.51)       6      relative 0.002       P
newton     r, m1, m2 ~ logU            30     relative 0.1         log F
planck     nu, T ~ logU                100    relative 0.1         log B
leavitt    P ~ logU(1.275, 127.4)      26     absolute 0.4 mag     M
schechter  L ~ logU(1e6, 3e9)          27     relative 0.2         log n
bode       n in {-1000, 0, ..., 6}     8      none                 log a
ideal_gas  n, V ~ U(1, 100), T ~ U     30     relative 0.1         log P
rydberg    n_1 1..6, n_2 n_1+1..7      50     relative 0.01        log lambda
=========  ==========================  =====  ===================  =========

* Synthetic laws (newton, planck, schechter, ideal_gas, rydberg): the paper's generator
  ranges, sampling laws (its default "log" law is log-uniform), sizes and noise.
* Laws the paper fitted on historical measurements (hubble, kepler, leavitt, bode): synthetic
  data from the generator's constants or physical values over the *historical* input range, at
  the historical sample size. Noise only where the paper's generator gives one that fits that
  range: kepler (relative 0.002) and leavitt (absolute 0.4 mag). Hubble gets none: its
  generator's absolute N(0, 100 km/s) was sized for D in 1..20 Mpc and would swamp the signal
  (v <= 147 km/s) on Hubble's 0.03..2 Mpc. Bode is the law at the paper's 8 fixed inputs
  (n = -1000 stands for -inf), so its test set is the same 8 inputs. Kepler's constant, left
  unset by the paper, is the sidereal year: P = 365.256363 * a**1.5 days.
* Intrinsic noise is part of the problem, as in the paper: it is added to the *raw* target of
  the training rows before any log, ``y += y * level * N(0, 1)`` (relative) or
  ``y += level * N(0, 1)`` (absolute); for a log target a relative factor ``<= 0`` is redrawn.
  ``intrinsic_noise=False`` switches it off (the inputs stay the same: they are drawn first).
  SRBench noise (``noise=`` of ``load_problem``) is separate and added by the loader.
* Planck's B under- and overflows float64, so its target is computed with mpmath (50 digits)
  before the log; its spec says ``meta["target_precision"] == "mpmath"`` and
  :func:`evaluate_formula_mpmath` evaluates such a formula.

Options of :meth:`EmpiricalSuite.make_arrays`: ``intrinsic_noise`` (bool, default True),
``n_test`` (int, default 1000; not for bode) and ``data_file`` (path). ``n_samples`` is the
number of *training* rows (default: the paper's size; for bode at most 8, a random subset).

``data_file=PATH`` loads the original measurements from a user's CSV (or PMLB TSV) instead,
with :func:`~srbench_lite.data.data_files.load_data_file`: one column per feature (named as
the features; leavitt also accepts ``logP``) and the target in a column ``target``, or named
as the output (``v``, ``P``, ``F`` ...), or else the last column. The problem's target
transform is applied (``log`` for bode ...), nothing else: no intrinsic noise, and train =
test = all rows (the historical sets are 6-32 points). The formula is then the reference law,
not an exact fit of those data. ``srbench-lite run --data-dir DIR`` reads ``DIR/<law>.csv``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from srbench_lite.data.data_files import DataFileError, load_data_file
from srbench_lite.data.formula import evaluate_formula, evaluate_formula_mpmath, parse_formula
from srbench_lite.data.problem import Arrays, ProblemSpec
from srbench_lite.data.sampling import draw
from srbench_lite.data.suite import Suite
from srbench_lite.data.tables import read_table
from srbench_lite.errors import InvalidValueError

TABLE = "empirical.csv"
DEFAULT_N_TEST = 1000
MPMATH_DPS = 50
OPTIONS = ("data_file", "intrinsic_noise", "n_test")
__all__ = [  # DataFileError and load_data_file live in data_files (re-exported)
    "EMPIRICAL", "DataFileError", "EmpiricalSuite", "evaluate_formula_mpmath", "load_data_file",
]  # fmt: skip


@dataclass(frozen=True)
class _Input:
    name: str
    law: str
    low: str  # a number, or an expression over features drawn before (rydberg's n_1+1)
    high: str


@lru_cache(maxsize=64)
def _parse_sampling(text: str) -> tuple[_Input, ...]:
    inputs = []
    for item in filter(None, (s.strip() for s in text.split(";"))):
        name, law, low, high = (p.strip() for p in item.split(":"))
        inputs.append(_Input(name, law, low, high))
    return tuple(inputs)


def _parse_fixed(text: str) -> dict[str, list[float]]:
    fixed = {}
    for item in filter(None, (s.strip() for s in text.split(";"))):
        name, values = item.split(":")
        fixed[name.strip()] = [float(v) for v in values.split()]
    return fixed


def _parse_aliases(text: str) -> dict[str, str]:
    aliases = {}
    for item in filter(None, (s.strip() for s in text.split(";"))):
        name, expr = item.split("=", 1)
        aliases[name.strip()] = expr.strip()
    return aliases


@lru_cache(maxsize=1)
def _specs() -> tuple[ProblemSpec, ...]:
    specs = []
    for row in read_table(TABLE):
        features = tuple(f.strip() for f in row["features"].split(";"))
        meta: dict[str, Any] = {
            k: row[k]
            for k in ("title", "law", "target", "target_transform", "data_source", "constants")
        }
        meta.update(notes=row["notes"], source=row["source"])
        meta["sampling"] = row["sampling"]
        meta["fixed_inputs"] = _parse_fixed(row["fixed_inputs"])
        meta["data_aliases"] = _parse_aliases(row["data_aliases"])
        meta["n_train"] = int(row["n_train"])
        meta["noise_kind"] = row["noise_kind"]
        meta["noise_level"] = float(row["noise_level"])
        meta["target_precision"] = row["target_precision"]
        spec = ProblemSpec(row["name"], EmpiricalSuite.name, features, row["formula"], meta)
        _check_spec(spec)
        specs.append(spec)
    return tuple(specs)


def _check_spec(spec: ProblemSpec) -> None:
    """Table sanity: a broken row fails loudly when the table is read, not mid-benchmark."""
    m = spec.meta
    drawn = [i.name for i in _parse_sampling(m["sampling"])] + list(m["fixed_inputs"])
    problems = []
    if sorted(drawn) != sorted(spec.feature_names):
        problems.append(f"inputs {drawn} != features {list(spec.feature_names)}")
    if m["fixed_inputs"] and m["sampling"]:
        problems.append("either sampling or fixed_inputs, not both")
    if m["noise_kind"] not in ("none", "relative", "absolute"):
        problems.append(f"noise_kind {m['noise_kind']!r}")
    if m["target_transform"] not in ("none", "log"):
        problems.append(f"target_transform {m['target_transform']!r}")
    if m["target_transform"] == "log" and m["noise_kind"] == "absolute":
        problems.append("absolute noise on a log target is not defined")
    expected = f"log({m['law']})" if m["target_transform"] == "log" else m["law"]
    if spec.formula != expected:
        problems.append(f"formula {spec.formula!r} is not the transformed law {expected!r}")
    if problems:
        raise ValueError(f"{TABLE} row {spec.name!r}: " + "; ".join(problems))
    parse_formula(spec.formula, spec.feature_names)


def _target(spec: ProblemSpec, X: np.ndarray) -> np.ndarray:
    """The noiseless (transformed) target: the formula, in the problem's precision."""
    if spec.meta["target_precision"] == "mpmath":
        y = evaluate_formula_mpmath(spec.formula, spec.feature_names, X, dps=MPMATH_DPS)
    else:
        y = evaluate_formula(spec.formula, spec.feature_names, X)
    if not np.all(np.isfinite(y)):
        raise RuntimeError(f"{spec.name}: non-finite target values; the table is inconsistent")
    return y


def _draw_inputs(spec: ProblemSpec, n: int, rng: np.random.Generator) -> np.ndarray:
    columns: dict[str, np.ndarray] = {}
    for inp in _parse_sampling(spec.meta["sampling"]):
        try:
            low, high = float(inp.low), float(inp.high)
        except ValueError:
            low = high = None
        if low is not None:
            columns[inp.name] = draw(inp.law, low, high, n, rng)
            continue
        if inp.law != "randint":  # bounds that depend on earlier draws: integers only
            raise ValueError(f"{spec.name}: expression bounds need law randint, got {inp.law!r}")
        drawn = list(columns)
        X_drawn = np.column_stack([columns[c] for c in drawn])
        lo = np.rint(_bound(inp.low, drawn, X_drawn, n)).astype(np.int64)
        hi = np.rint(_bound(inp.high, drawn, X_drawn, n)).astype(np.int64)
        columns[inp.name] = rng.integers(lo, hi).astype(float)
    return np.column_stack([columns[name] for name in spec.feature_names])


def _bound(text: str, names: list[str], X: np.ndarray, n: int) -> np.ndarray:
    try:
        return np.full(n, float(text))
    except ValueError:
        return evaluate_formula(text, names, X)


def _intrinsic_noise(spec: ProblemSpec, y: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Add the problem's own noise to the (transformed) training target."""
    kind, level = spec.meta["noise_kind"], spec.meta["noise_level"]
    eps = rng.standard_normal(len(y))
    if kind == "absolute":
        return y + level * eps
    if spec.meta["target_transform"] == "log":
        # the paper adds y*level*eps to the raw target, then takes the log
        bad = 1.0 + level * eps <= 0.0
        while bad.any():
            eps[bad] = rng.standard_normal(int(bad.sum()))
            bad = 1.0 + level * eps <= 0.0
        return y + np.log1p(level * eps)
    return y + y * level * eps


def _count(value: Any, what: str, *, low: int = 1, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise InvalidValueError(f"{what} must be an integer, got {value!r}")
    value = int(value)
    if value < low or (high is not None and value > high):
        allowed = f"{low}..{high}" if high is not None else f">= {low}"
        raise InvalidValueError(f"{what} must be {allowed}, got {value}")
    return value


class EmpiricalSuite(Suite):
    name = "empirical"
    description = (
        "EmpiricalBench: 9 empirical laws of the PySR paper (Hubble, Kepler, Newton, Planck, "
        "Leavitt, Schechter, Bode, ideal gas, Rydberg); synthetic data as the paper generated "
        "them, or the historical measurements from a user's table (run --data-dir, data_file=)."
    )
    #: per problem (the paper's sample size, ``spec.meta["n_train"]``); test: DEFAULT_N_TEST
    default_n_samples = None
    options = OPTIONS

    def specs(self) -> list[ProblemSpec]:
        return list(_specs())

    def sample(
        self, spec: ProblemSpec, n: int, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        """Draw ``n`` noiseless rows; for fixed-input laws, ``n`` of the fixed inputs."""
        fixed = spec.meta["fixed_inputs"]
        if fixed:
            X_all = np.column_stack([np.asarray(fixed[f]) for f in spec.feature_names])
            n = _count(n, f"n_samples of {spec.name}", high=len(X_all))
            if n < len(X_all):
                X_all = X_all[np.sort(rng.permutation(len(X_all))[:n])]
            X = X_all
        else:
            X = _draw_inputs(spec, n, rng)
        return X, _target(spec, X)

    def make_arrays(
        self,
        spec: ProblemSpec,
        *,
        rng: np.random.Generator,
        n_samples: int | None = None,
        split=None,
        **options: Any,
    ) -> Arrays:
        unknown = sorted(set(options) - set(OPTIONS))
        if unknown:
            raise InvalidValueError(
                f"suite {self.name!r} has no option(s) {unknown}; valid: {', '.join(OPTIONS)}"
            )
        if split is not None:
            raise InvalidValueError(
                f"{spec.name}: the empirical suite has no split: train is the paper-sized "
                "sample (n_samples), test an independent noiseless draw (n_test)"
            )
        if options.get("data_file") is not None:
            if n_samples is not None or "n_test" in options:
                raise InvalidValueError(
                    f"{spec.name}: with data_file, train = test = all rows of the file; "
                    "n_samples and n_test do not apply"
                )
            return load_data_file(spec, options["data_file"])
        intrinsic = options.get("intrinsic_noise", True)
        if not isinstance(intrinsic, (bool, np.bool_)):
            raise InvalidValueError(f"intrinsic_noise must be True or False, got {intrinsic!r}")

        fixed = bool(spec.meta["fixed_inputs"])
        if fixed and "n_test" in options:
            raise InvalidValueError(
                f"{spec.name}: its inputs are a fixed set; the test set is all of them (no n_test)"
            )
        n_max = len(next(iter(spec.meta["fixed_inputs"].values()))) if fixed else None
        n_train = spec.meta["n_train"] if n_samples is None else n_samples
        n_train = _count(n_train, f"n_samples (training rows) of {spec.name}", high=n_max)
        n_test = _count(options.get("n_test", DEFAULT_N_TEST), "n_test")

        # draw order: train inputs, test inputs, then noise -> same inputs with or without noise
        X_train, y_clean = self.sample(spec, n_train, rng)
        if fixed:
            X_test, y_test = self.sample(spec, n_max, rng)
        else:
            X_test, y_test = self.sample(spec, n_test, rng)
        kind = spec.meta["noise_kind"]
        applied = bool(intrinsic) and kind != "none"
        y_train = _intrinsic_noise(spec, y_clean, rng) if applied else y_clean
        meta = {
            "data": "synthetic",
            "target_transform": spec.meta["target_transform"],
            "intrinsic_noise": {
                "kind": kind,
                "level": spec.meta["noise_level"],
                "applied": applied,
            },
        }
        return Arrays(X_train, y_train, X_test, y_test, meta=meta)


EMPIRICAL = EmpiricalSuite()
