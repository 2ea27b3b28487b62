"""Small helpers shared by the adapters."""

from __future__ import annotations

import math
import time

import sympy as sp

__all__ = ["Deadline", "exact_float", "whole_seconds"]


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
