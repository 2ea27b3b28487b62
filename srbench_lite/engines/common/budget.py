"""How an engine's fit spends its time budget: every fraction in one place (:class:`Budget`)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

__all__ = ["Budget"]


@dataclass(frozen=True)
class Budget:
    """The wall-clock budget of one fit and how its parts share it.

    ``seconds`` is the whole fit's budget (``None``: no time limit, the search is bounded by
    its iterations instead); ``start`` the :func:`time.perf_counter` value it counts from.
    All deadlines are :func:`time.perf_counter` values, ``None`` without a time limit.

    The fractions, in the order a fit meets them:

    ``screening_share``
        The screening of transformed targets and library sums (before the search proper) may
        use this share of the time left until its end (gp: the search deadline; neural: the
        end of the budget).
    ``min_search_share``
        The neural engine's search gets at least this share of the whole budget, even when
        torch's import and the screening left less before the finishing reserve.
    ``reserve_share``, ``reserve_min_s``, ``reserve_max_s``, ``reserve_max_share``
        The finishing stage keeps ``reserve_share`` of the budget, but at least
        ``reserve_min_s`` and at most ``reserve_max_s`` seconds, and never more than
        ``reserve_max_share`` of the budget (:attr:`reserve_s`); the search ends before it.
    ``ranking_share``
        The finishing stage may spend this share of its time left ranking the hall of fame by
        held-out loss (small data only) before it finishes models.
    ``finish_by``
        The finishing stage ends by this fraction of the budget; the rest is slack for
        selection, the fitted attributes and returning from the fit.
    """

    seconds: float | None = None
    start: float = field(default_factory=time.perf_counter)
    screening_share: float = 0.25
    min_search_share: float = 0.05
    reserve_share: float = 0.2
    reserve_min_s: float = 1.0
    reserve_max_s: float = 10.0
    reserve_max_share: float = 0.5
    ranking_share: float = 0.15
    finish_by: float = 0.97

    @property
    def end(self) -> float | None:
        """When the whole budget is spent."""
        return None if self.seconds is None else self.start + self.seconds

    @property
    def reserve_s(self) -> float:
        """Seconds kept for the finishing stage (0 without a time limit)."""
        if self.seconds is None:
            return 0.0
        s = self.seconds
        return min(max(self.reserve_min_s, self.reserve_share * s), self.reserve_max_s,
                   self.reserve_max_share * s)  # fmt: skip

    @property
    def search_deadline(self) -> float | None:
        """When the search must stop: the end of the budget less the finishing reserve."""
        return None if self.seconds is None else self.start + self.seconds - self.reserve_s

    @property
    def finish_deadline(self) -> float | None:
        """When the finishing stage must stop (``finish_by`` of the budget)."""
        return None if self.seconds is None else self.start + self.finish_by * self.seconds

    def screening_deadline(self, until: float | None) -> float | None:
        """When screening must stop: ``screening_share`` of the time left until ``until``."""
        if until is None:
            return None
        now = time.perf_counter()
        return now + self.screening_share * max(until - now, 0.0)

    def search_seconds(self) -> float | None:
        """Seconds a search starting now may take: up to the search deadline, but at least
        ``min_search_share`` of the budget."""
        if self.seconds is None:
            return None
        left = self.start + self.seconds - self.reserve_s - time.perf_counter()
        return max(left, self.min_search_share * self.seconds)
