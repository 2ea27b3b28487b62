"""The validity filter of random laws: is a drawn expression a usable benchmark problem?

:func:`check_law` evaluates a sympy expression on probe rows drawn from its variables'
sampling laws (:attr:`FilterSettings.probe_rows`, 4096), on the corners of their box and on
the first ``share_rows`` (256) probe rows with one column permuted (a small tree evaluator, no
code generation), and rejects, in this order:

- ``trivial``: the law is affine in its variables (``x1``, ``2*x1/5``, ``x1 + x2 + 3``: a
  linear baseline solves it);
- ``dropped``: a variable is missing from the expression after sympy's simplification;
- ``undefined``: a non-finite or non-real target on a probe row, a corner or a permuted row
  (``sqrt`` or ``log`` of a negative, ``asin`` beyond 1, division by zero, overflow);
- ``too_large``: some |y| above :attr:`FilterSettings.max_abs` (1e9);
- ``constant``: a target whose standard deviation is below ``min_rel_std`` (1 %) of its RMS;
- ``spiky``: max |y - median| over probe rows and corners above ``max_spike`` (100) times the
  10-90 % inter-quantile range (a near-singularity);
- ``weak_variable``: a variable that barely matters -- its share of the target's variance
  (the total-effect index, Jansen's estimator: the mean squared change of y when that column is
  permuted, over twice the variance) is below ``min_share`` (2 %); this also rejects laws where
  one variable dominates, and any law whose fully simplified form would drop a variable;
- ``oscillating``: the argument of a ``sin``, ``cos`` or ``tan`` spans more than
  ``max_phase`` (8 pi, four periods: about the widest in the Feynman tables);
- ``spiky`` again: a denominator (or the cosine under a ``tan``) that changes sign inside one
  connected part of the domain, on the probe rows or the corners (a pole);
- ``ill_conditioned``: float64 and 30-digit mpmath values differ by more than
  ``max_rel_error`` (1e-10) on the first ``precision_rows`` rows (catastrophic cancellation).

The numeric tests (``undefined`` to ``weak_variable``) are :func:`check_values`, which the
generator also runs on its cheap expression trees before it builds a sympy expression.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import sympy as sp

from srbench_lite.data.tables import VariableSpec


@dataclass(frozen=True)
class FilterSettings:
    """Thresholds of :func:`check_law`."""

    probe_rows: int = 4096  #: rows drawn for the value tests (undefined ... spiky, poles)
    share_rows: int = 256  #: the first rows, permuted column by column for the variable shares
    max_abs: float = 1e9
    min_rel_std: float = 1e-2
    max_spike: float = 100.0
    min_share: float = 0.02
    max_phase: float = 8 * math.pi
    precision_rows: int = 8
    max_rel_error: float = 1e-10


DEFAULT_FILTER = FilterSettings()


class Rejection(NamedTuple):
    """Why a law was rejected: a kind (see the module docstring) and a readable detail."""

    kind: str
    detail: str


_NUMPY_FUNCS: dict[str, Callable] = {
    "exp": np.exp, "log": np.log, "sin": np.sin, "cos": np.cos, "tan": np.tan,
    "asin": np.arcsin, "acos": np.arccos, "atan": np.arctan, "sinh": np.sinh,
    "cosh": np.cosh, "tanh": np.tanh, "Abs": np.abs,
}  # fmt: skip


def _mp_funcs() -> dict[str, Callable]:
    import mpmath

    return {name: getattr(mpmath, name) for name in
            ("exp", "log", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh")
            } | {"Abs": abs}  # fmt: skip


def evaluate_numpy(expr: sp.Expr, names: Sequence[str], X: np.ndarray) -> np.ndarray:
    """``expr`` on the rows of ``X`` (columns in ``names`` order), in float64; NaN where it is
    undefined or not real (and everywhere for a function outside the grammar's)."""
    columns = {sp.Symbol(n): X[:, j] for j, n in enumerate(names)}

    def ev(e: sp.Expr):
        if e.is_Symbol:
            return columns[e]
        if e.is_number:
            try:
                value = complex(e.evalf())
            except (TypeError, ValueError):  # zoo, nan
                return math.nan
            return value.real if value.imag == 0 else math.nan
        args = [ev(a) for a in e.args]
        if e.is_Add:
            return sum(args[1:], args[0])
        if e.is_Mul:
            out = args[0]
            for a in args[1:]:
                out = out * a
            return out
        if e.is_Pow:
            return np.power(args[0], args[1])
        fn = _NUMPY_FUNCS.get(type(e).__name__)
        return math.nan if fn is None else fn(*args)  # a function outside the grammar

    with np.errstate(all="ignore"):
        y = ev(expr)
    return np.broadcast_to(np.asarray(y, dtype=float), (X.shape[0],)).copy()


def evaluate_mpmath(expr: sp.Expr, names: Sequence[str], row: Sequence[float], dps: int = 30):
    """``expr`` at one row in mpmath at ``dps`` digits; NaN when undefined or not real."""
    import mpmath

    funcs = _mp_funcs()
    values = {sp.Symbol(n): mpmath.mpf(float(v)) for n, v in zip(names, row, strict=True)}

    def ev(e: sp.Expr):
        if e.is_Symbol:
            return values[e]
        if e.is_Rational:
            return mpmath.mpf(int(e.p)) / int(e.q)
        if e.is_Float:
            return mpmath.mpf(float(e))
        if e.is_number:
            value = sp.N(e, dps + 5)
            return mpmath.mpf(str(value)) if value.is_real else mpmath.mpc(0, 1)
        args = [ev(a) for a in e.args]
        if e.is_Add:
            return mpmath.fsum(args)
        if e.is_Mul:
            return mpmath.fprod(args)
        if e.is_Pow:
            return mpmath.power(args[0], args[1])
        if type(e).__name__ not in funcs:
            raise ValueError(f"no mpmath function for {type(e).__name__}")
        return funcs[type(e).__name__](*args)

    with mpmath.workdps(dps):
        try:
            value = ev(expr)
        except (ZeroDivisionError, ValueError, OverflowError):
            return math.nan
        if isinstance(value, mpmath.mpc):
            if value.imag != 0:
                return math.nan
            value = value.real
        return float(value)


def _spread(y: np.ndarray) -> float:
    q10, q90 = np.quantile(y, [0.1, 0.9])
    return float(q90 - q10)


def corners(
    variables: Sequence[VariableSpec], rng: np.random.Generator, limit: int = 256
) -> np.ndarray:
    """Rows at the corners of the sampling box (both ends of each range; a signed law has four
    ends), at most ``limit`` of them (a random subset when there are more)."""
    ends = []
    for v in variables:
        if v.law.endswith(("_pm", "_neg")):
            lo, hi = sorted((abs(v.low), abs(v.high)))
            ends.append((-hi, -lo, lo, hi) if v.law.endswith("_pm") else (-hi, -lo))
        else:
            ends.append((v.low, v.high - 1 if v.law == "randint" else v.high))
    sizes = [len(e) for e in ends]
    total = math.prod(sizes)
    codes = np.arange(total) if total <= limit else rng.choice(total, limit, replace=False)
    rows = np.empty((len(codes), len(ends)))
    for j, values in enumerate(ends):
        rows[:, j] = np.asarray(values, dtype=float)[codes % sizes[j]]
        codes = codes // sizes[j]
    return rows


def probe_blocks(
    X: np.ndarray, variables: Sequence[VariableSpec], rng: np.random.Generator, share_rows: int
) -> tuple[np.ndarray, int]:
    """The rows a check evaluates: ``X``, the corners, then the first ``share_rows`` rows of
    ``X`` with column j permuted, for each j; and the number of corner rows."""
    m = min(share_rows, len(X))
    edge = corners(variables, rng)
    blocks = [X, edge]
    for j in range(X.shape[1]):
        Xj = X[:m].copy()
        Xj[:, j] = X[rng.permutation(m), j]
        blocks.append(Xj)
    return np.concatenate(blocks), len(edge)


def check_values(
    Y: np.ndarray, n: int, n_edge: int, names: Sequence[str], settings: FilterSettings
) -> Rejection | None:
    """The numeric tests on the values ``Y`` of the rows of :func:`probe_blocks` (``n`` probe
    rows, ``n_edge`` corners, then the permuted blocks)."""
    y = Y[:n]
    if not np.all(np.isfinite(Y)):
        where = "a probe row" if not np.all(np.isfinite(y)) else "a corner or permuted row"
        return Rejection("undefined", f"not finite (or not real) at {where}")
    biggest = float(np.max(np.abs(Y[: n + n_edge])))
    if biggest > settings.max_abs:
        return Rejection("too_large", f"|y| reaches {biggest:.3g} (> {settings.max_abs:g})")
    rms = float(np.sqrt(np.mean(y**2)))
    std = float(np.std(y))
    if std <= settings.min_rel_std * rms:
        return Rejection("constant", f"std/RMS = {std / rms if rms else 0:.2g}")
    spike = float(np.max(np.abs(Y[: n + n_edge] - np.median(y))))
    spread = _spread(y)
    if spread <= 0 or spike > settings.max_spike * spread:
        return Rejection("spiky", f"max |y - median| = {spike:.3g} vs 10-90% range {spread:.3g}")
    permuted = Y[n + n_edge :].reshape(len(names), -1)
    base = y[: permuted.shape[1]]
    var = float(np.var(base))
    for j, name in enumerate(names):
        share = float(np.mean((permuted[j] - base) ** 2)) / (2 * var) if var > 0 else 0.0
        if share < settings.min_share:
            return Rejection("weak_variable", f"{name} explains {share:.2%} of the variance")
    return None


def _phase(expr: sp.Expr, names: Sequence[str], X: np.ndarray, limit: float) -> str | None:
    """A trigonometric function whose argument spans more than ``limit`` over ``X``."""
    for node in sp.preorder_traversal(expr):
        if isinstance(node, (sp.sin, sp.cos, sp.tan)):
            arg = evaluate_numpy(node.args[0], names, X)
            if float(arg.max() - arg.min()) > limit:
                return str(node)
    return None


def denominators(expr: sp.Expr) -> list[sp.Expr]:
    """Sub-expressions whose zeros are poles: bases of negative powers, cosines under ``tan``."""
    out = []
    for node in sp.preorder_traversal(expr):
        if node.is_Pow and node.exp.is_number and node.exp < 0 and not node.base.is_number:
            out.append(node.base)
        elif isinstance(node, sp.tan):
            out.append(sp.cos(node.args[0]))
    return out


def _pole(expr: sp.Expr, variables: Sequence[VariableSpec], X: np.ndarray) -> str | None:
    """A denominator that takes both signs (or 0) within one connected part of the domain (the
    parts: the sign patterns of the variables with a signed law)."""
    names = [v.name for v in variables]
    groups = np.zeros(len(X), dtype=np.int64)
    for j, v in enumerate(variables):
        if v.law.endswith("_pm"):
            groups = 2 * groups + (X[:, j] > 0)
    for den in denominators(expr):
        values = evaluate_numpy(den, names, X)
        for g in np.unique(groups):
            part = values[groups == g]
            if part.min() <= 0 <= part.max():
                return str(den)
    return None


def check_law(
    expr: sp.Expr,
    variables: Sequence[VariableSpec],
    X: np.ndarray,
    rng: np.random.Generator,
    settings: FilterSettings = DEFAULT_FILTER,
) -> Rejection | None:
    """None when ``expr`` passes the filter on probe rows ``X`` drawn from ``variables``' laws,
    else the :class:`Rejection`. ``rng`` picks corners and permutes the columns."""
    names = [v.name for v in variables]
    symbols = sorted(expr.free_symbols, key=str)
    if symbols and expr.is_polynomial(*symbols) and sp.Poly(expr, *symbols).total_degree() <= 1:
        return Rejection("trivial", f"the law is affine: {expr}")
    used = {s.name for s in expr.free_symbols}
    missing = [n for n in names if n not in used]
    if missing:
        return Rejection("dropped", f"the simplified expression drops {', '.join(missing)}")
    rows, n_edge = probe_blocks(X, variables, rng, settings.share_rows)
    rejection = check_values(evaluate_numpy(expr, names, rows), len(X), n_edge, names, settings)
    if rejection is not None:
        return rejection
    wave = _phase(expr, names, X, settings.max_phase)
    if wave is not None:
        return Rejection("oscillating", f"{wave}: the argument spans more than 8 pi")
    pole = _pole(expr, variables, rows[: len(X) + n_edge])
    if pole is not None:
        return Rejection("spiky", f"a pole inside the domain: {pole} crosses 0")
    y = evaluate_numpy(expr, names, X[: settings.precision_rows])
    for row, value in zip(X[: settings.precision_rows], y, strict=True):
        exact = evaluate_mpmath(expr, names, row)
        if not math.isfinite(exact) or abs(value - exact) > settings.max_rel_error * abs(exact):
            return Rejection("ill_conditioned", f"float64 {value!r} vs 30 digits {exact!r}")
    return None
