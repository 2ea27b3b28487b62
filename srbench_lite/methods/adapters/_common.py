"""Small helpers shared by the adapters."""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass

import numpy as np
import sympy as sp

__all__ = ["Deadline", "DecadeScaling", "exact_float", "whole_seconds"]


def exact_float(value) -> sp.Float:
    """A sympy Float carrying the full double (17 significant digits, not sympy's default 15)."""
    return sp.Float(float(value), 17)


def whole_seconds(budget_s: float | None, minimum: int = 1) -> int | None:
    """A budget in seconds for tools that take an integer time limit: rounded down, at least
    ``minimum`` (rounding down keeps the tool inside the runner's limit)."""
    if budget_s is None:
        return None
    if not math.isfinite(budget_s) or budget_s <= 0:
        raise ValueError(f"time budget must be a positive number of seconds, got {budget_s!r}")
    return max(minimum, int(math.floor(budget_s)))


class Deadline:
    """Wall-clock budget measured from construction (``budget_s`` None: no limit)."""

    def __init__(self, budget_s: float | None):
        if budget_s is not None and (not math.isfinite(budget_s) or budget_s <= 0):
            raise ValueError(f"time budget must be a positive number of seconds, got {budget_s!r}")
        self.budget_s = budget_s
        self.start = time.perf_counter()

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def remaining(self) -> float:
        if self.budget_s is None:
            return math.inf
        return self.budget_s - self.elapsed()


def _decade(values) -> int:
    """The power of ten that brings the RMS of ``values`` into [0.3, 3) (0 for all-zero)."""
    rms = float(np.sqrt(np.mean(np.square(np.asarray(values, dtype=float)))))
    if not math.isfinite(rms) or rms == 0.0:
        return 0
    return int(math.floor(math.log10(rms / 0.3)))


@dataclass(frozen=True)
class DecadeScaling:
    """Rescale data by powers of ten so a tool that prints constants with fixed decimals
    (rils-rols: 6, operon: 20) loses none: the tool sees ``x_j / 10**a_j`` and ``y / 10**b``
    (each column's RMS in [0.3, 3)), and its model string gets the exact scales put back.

    A law like ``8.85e-12 * Ef**2`` then prints as a constant of order one instead of
    ``0.000000``; the adapter's ``predict()`` applies the same scales, so the returned
    expression and the predictions are one model.
    """

    x_exponents: tuple[int, ...]
    y_exponent: int

    @classmethod
    def fit(cls, X, y) -> DecadeScaling:
        cols = np.asarray(X, dtype=float).T
        return cls(tuple(_decade(c) for c in cols), _decade(y))

    def scale_X(self, X) -> np.ndarray:
        """A scaled copy of ``X`` (tools that resize their input in place get a copy)."""
        return np.array(X, dtype=float) / 10.0 ** np.array(self.x_exponents)[None, :]

    def scale_y(self, y) -> np.ndarray:
        return np.asarray(y, dtype=float) / 10.0**self.y_exponent

    def unscale_y(self, values) -> np.ndarray:
        return np.asarray(values, dtype=float) * 10.0**self.y_exponent

    def unscale_expression(self, text: str, variable: str, first_index: int = 0) -> str:
        """``text`` over the scaled variables (``variable`` is the name prefix, ``x`` for
        ``x0, x1, ...`` or ``X`` with ``first_index=1`` for ``X1, X2, ...``) rewritten over
        the original ones: ``10**b * f(x0 * 10**-a0, ...)``."""

        def put_back(match: re.Match) -> str:
            j = int(match.group(1)) - first_index
            e = self.x_exponents[j] if 0 <= j < len(self.x_exponents) else 0
            return f"({match.group(0)}*10**({-e}))" if e else match.group(0)

        if any(self.x_exponents):
            text = re.sub(rf"\b{re.escape(variable)}(\d+)\b", put_back, text)
        return f"10**({self.y_exponent})*({text})" if self.y_exponent else text
