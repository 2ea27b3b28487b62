"""Per-variable sampling laws (SRSD's and AI Feynman's), valid-row drawing and row splitting.

Every function draws from an explicit ``numpy.random.Generator`` so that the same seed
gives bit-identical arrays on any machine.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from srbench_lite.data.problem import ProblemSpec
from srbench_lite.data.tables import VariableSpec
from srbench_lite.errors import InvalidValueError

#: the sampling laws a ``variables`` column may name (see :func:`draw`)
LAWS = ("uniform", "uniform_pm", "log_uniform", "log_uniform_pm", "log_uniform_neg", "randint",
        "randint_pm")  # fmt: skip


def _random_signs(rng: np.random.Generator, n: int) -> np.ndarray:
    """±1 per row, p=0.5 each: SRSD draws the count of + rows first, then shuffles."""
    n_pos = int(rng.binomial(n, 0.5))
    signs = np.concatenate([np.ones(n_pos), -np.ones(n - n_pos)])
    rng.shuffle(signs)
    return signs


def draw(law: str, low: float, high: float, n: int, rng: np.random.Generator) -> np.ndarray:
    """Draw ``n`` values of one variable.

    Laws: ``uniform`` U(low, high); ``uniform_pm`` ±U(low, high); ``log_uniform``
    10**U(log10 low, log10 high); ``log_uniform_pm`` the same with a random sign per row;
    ``log_uniform_neg`` -(10**U(log10|low|, log10|high|)); ``randint`` integers in
    [low, high) (high exclusive, as numpy); ``randint_pm`` the same with a random sign.
    """
    if law == "uniform":
        return rng.uniform(low, high, n)
    if law == "uniform_pm":
        return _random_signs(rng, n) * rng.uniform(low, high, n)
    if law in ("log_uniform", "log_uniform_pm", "log_uniform_neg"):
        lo, hi = (abs(low), abs(high)) if law == "log_uniform_neg" else (low, high)
        lo, hi = min(lo, hi), max(lo, hi)
        values = 10.0 ** rng.uniform(np.log10(lo), np.log10(hi), n)
        if law == "log_uniform_pm":
            values = _random_signs(rng, n) * values
        elif law == "log_uniform_neg":
            values = -values
        return values
    if law == "randint":
        return rng.integers(int(low), int(high), n).astype(float)
    if law == "randint_pm":
        return _random_signs(rng, n) * rng.integers(int(low), int(high), n).astype(float)
    raise ValueError(f"unknown sampling law {law!r} (valid: {', '.join(LAWS)})")


def normalize_split(split: float | Sequence[float]) -> tuple[float, float, float]:
    """Turn a user's ``split`` into (train, val, test) fractions summing to 1.

    A float is the train fraction (the rest is test); a pair is (train, test); a triple is
    (train, val, test). Values must be non-negative with a positive train and test share.
    """
    if isinstance(split, (int, float)) and not isinstance(split, bool):
        parts = [float(split), 0.0, 1.0 - float(split)]
    else:
        try:
            parts = [float(v) for v in split]
        except TypeError as exc:
            raise InvalidValueError(
                f"split must be a float or a tuple of fractions, got {split!r}"
            ) from exc
        if len(parts) == 2:
            parts = [parts[0], 0.0, parts[1]]
        elif len(parts) != 3:
            raise InvalidValueError(
                f"split needs 2 or 3 fractions (train, [val,] test), got {split!r}"
            )
    if any(not np.isfinite(p) or p < 0 for p in parts) or parts[0] <= 0 or parts[2] <= 0:
        raise InvalidValueError(
            f"split fractions must be >= 0 with train and test > 0, got {split!r}"
        )
    if abs(sum(parts) - 1.0) > 1e-9:
        raise InvalidValueError(
            f"split fractions must sum to 1, got {split!r} (sum {sum(parts):g})"
        )
    return parts[0], parts[1], parts[2]


def split_rows(
    n: int, split: Sequence[float], rng: np.random.Generator | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row indices (train, val, test) for ``n`` rows; shuffled when ``rng`` is given."""
    train_f, val_f, _ = normalize_split(split)
    order = rng.permutation(n) if rng is not None else np.arange(n)
    n_train = int(round(train_f * n))
    n_val = int(round(val_f * n))
    return order[:n_train], order[n_train : n_train + n_val], order[n_train + n_val :]


def numeric_formula(spec: ProblemSpec) -> str:
    """The formula used to compute targets: the table's ``numeric_formula`` when it gives one.

    That column holds a mathematically identical form that float64 evaluates without
    catastrophic cancellation (e.g. ``1 - cos(x)`` as ``2*sin(x/2)**2`` for x ~ 1e-9),
    so targets are accurate where the literal formula would round to 0.
    """
    return spec.meta.get("numeric_formula") or spec.formula


def draw_valid(
    spec: ProblemSpec,
    variables: tuple[VariableSpec, ...],
    n: int,
    rng: np.random.Generator,
    *,
    float32_range: bool = False,
    patience: int = 10,
) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``n`` rows whose target is finite, redrawing rejected rows (SRSD's filter).

    With ``float32_range`` a row is also rejected when |y| is outside
    [float32 tiny, float32 max], as SRSD's generator does. SRSD redraws twice the missing
    count per round; we size each redraw by the acceptance rate seen so far (so a problem
    like feynman-ii.24.17, where ~87 % of raw draws are invalid, converges in a few rounds).
    After ``patience`` rounds a ``RuntimeError`` names the problem.
    """
    from srbench_lite.data.formula import evaluate_formula  # sympy: imported on use

    info = np.finfo(np.float32)
    kept_X, kept_y, missing = [], [], n
    drawn = accepted = 0
    m = n
    for _ in range(patience + 1):
        X = np.column_stack([draw(v.law, v.low, v.high, m, rng) for v in variables])
        y = evaluate_formula(numeric_formula(spec), spec.feature_names, X)
        ok = np.isfinite(y)
        if float32_range:
            ok &= (np.abs(y) <= info.max) & (np.abs(y) >= info.tiny)
        kept_X.append(X[ok])
        kept_y.append(y[ok])
        drawn, accepted = drawn + m, accepted + int(ok.sum())
        missing -= int(ok.sum())
        if missing <= 0:
            break
        rate = max(accepted / drawn, 1e-3)
        m = min(int(np.ceil(1.2 * missing / rate)) + 16, 50 * n + 1000)
    else:
        raise RuntimeError(f"{spec.name}: could not draw {n} valid rows in {patience} rounds")
    return np.concatenate(kept_X)[:n], np.concatenate(kept_y)[:n]
