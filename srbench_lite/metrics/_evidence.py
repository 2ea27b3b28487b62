"""Numeric evidence for symbolic recovery: truth and model on sample points.

Numbers never make a solution (a solved verdict needs a symbolic proof); they decide which
relations are worth proving, reject ``none`` early, and check every proof afterwards.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import sympy as sp

__all__ = [
    "EXACT_TOL",
    "MIN_POINTS",
    "NUMERIC_TOL",
    "PRUNE_TOL",
    "RELATIONS",
    "Evidence",
    "Numbers",
    "shared_evidence",
]

#: the relations a solution may have with the truth (recovery kinds that count as solved)
RELATIONS = ("identical", "equal", "constant_difference", "constant_ratio")
#: default relative tolerance of the numeric screen and check (``symbolic_recovery``'s
#: ``numeric_tol``)
NUMERIC_TOL = 1e-3
#: default bound of the negligible-term rule (``symbolic_recovery``'s ``prune_tol``)
PRUNE_TOL = 1e-4
#: relative gap within which a relation proved *exactly* on the rounded forms must hold in
#: their 50-digit view (an identity shows ~1e-16 there: the gaps are taken in float64 after
#: the mpmath values are rounded); wider gaps rule out exact proofs (expansion, cancellation,
#: ``simplify``), not the coefficient comparisons to a tolerance
EXACT_TOL = 1e-9
#: fewest valid points for the numbers to say anything
MIN_POINTS = 16
#: most points of a 50-digit (mpmath) view
PRECISE_POINTS = 64


def _median_relative(a: np.ndarray, b: np.ndarray) -> float:
    """Median of ``|a - b| / max(|a|, |b|)`` over the points (0 where both are 0)."""
    with np.errstate(all="ignore"):
        denom = np.maximum(np.abs(a), np.abs(b))
        rel = np.where(denom > 0, np.abs(a - b) / denom, 0.0)
    return float(np.median(rel))


class Numbers:
    """Truth and model on the sample points, and the relative gap of each relation.

    ``gap["equal"] = max|t - m| / S``, ``gap["constant_difference"] = ptp(t - m) / S`` and
    ``gap["constant_ratio"] = max|m - k t| / max|m|`` (``k`` by least squares), with
    ``S = max|t|`` over the points where both are real and finite. A few large values must not
    decide alone (one point where ``exp`` is huge makes any ``m`` look proportional), so the
    equal and ratio gaps are at least the *median* pointwise relative gap. ``precise=True`` computes
    ``t``, ``m`` and ``t - m`` with mpmath (50 digits) before rounding them to float, on at
    most :data:`PRECISE_POINTS` of the points.
    """

    def __init__(self, t: sp.Expr, m: sp.Expr, names: list[str], X: np.ndarray, precise=False):
        from srbench_lite.metrics._numeric import evaluate, evaluate_pair_precise

        if precise and X.shape[0] > PRECISE_POINTS:  # mpmath is slow: a spread subset
            X = X[np.linspace(0, X.shape[0] - 1, PRECISE_POINTS).round().astype(int)]
        self.names, self.X, self.precise = names, X, precise
        if precise:
            tv, mv, rv = evaluate_pair_precise(t, m, names, X)
        else:
            tv, mv = evaluate(t, names, X), evaluate(m, names, X)
            with np.errstate(all="ignore"):
                rv = tv - mv
        self.mask = np.isfinite(tv) & np.isfinite(mv) & np.isfinite(rv)
        self.n_valid = int(self.mask.sum())
        self.ok = self.n_valid >= MIN_POINTS
        self.gap = dict.fromkeys(RELATIONS, np.inf)
        self.ratio_value = 0.0
        self.difference_value = 0.0
        if not self.ok:
            return
        t, m, r = tv[self.mask], mv[self.mask], rv[self.mask]
        scale = float(np.max(np.abs(t)))
        if scale == 0.0:
            scale = float(np.max(np.abs(m)))
            if scale == 0.0:  # both 0 everywhere (often underflow): no information
                self.ok = False
                return
        self.scale = scale
        self.gap["equal"] = self.gap["identical"] = max(
            float(np.max(np.abs(r))) / scale, _median_relative(t, m)
        )
        self.gap["constant_difference"] = float(np.ptp(r)) / scale
        self.difference_value = float(np.median(r))
        # ratio: least-squares k in m = k t, judged globally (m / t is ill-conditioned near
        # the truth's zeros, where rounding differences are amplified without bound)
        tt = float(np.dot(t / scale, t / scale))
        m_scale = float(np.max(np.abs(m)))
        if tt > 0 and m_scale > 0:
            k = float(np.dot(m / scale, t / scale)) / tt
            self.ratio_value = k
            if k != 0:
                self.gap["constant_ratio"] = max(
                    float(np.max(np.abs(m - k * t))) / m_scale, _median_relative(k * t, m)
                )

    def values(self, expr: sp.Expr) -> np.ndarray:
        from srbench_lite.metrics._numeric import evaluate

        return evaluate(expr, self.names, self.X)[self.mask]


class Evidence:
    """Numeric evidence, computed lazily in up to four views until a relation holds.

    Views, in order: rounded forms in float64, unrounded forms in float64, unrounded at 50
    digits, rounded at 50 digits. A relation is numerically possible if its gap is within
    ``tol`` in *any* view: rounded forms carry SRBench's notion of equal constants, unrounded
    forms the actual functions (rounding 2*pi and pi separately can move a double pole), and
    high precision removes float64's absorption and underflow artefacts.
    """

    def __init__(self, rounded, exact, names, X, tol):
        self.pairs = {"rounded": rounded, "exact": exact}
        self.names, self.X, self.tol = names, X, tol
        self.order = [("rounded", False), ("exact", False), ("exact", True), ("rounded", True)]
        self.views: dict = {}

    def view(self, i: int) -> Numbers:
        key = self.order[i]
        if key not in self.views:
            t, m = self.pairs[key[0]]
            self.views[key] = Numbers(t, m, self.names, self.X, precise=key[1])
        return self.views[key]

    @property
    def first(self) -> Numbers:
        return self.view(0)

    def holds(self, kinds) -> Numbers | None:
        """The first view in which one of ``kinds`` is within tolerance (None: no view)."""
        for i in range(len(self.order)):
            n = self.view(i)
            if n.ok and min(n.gap[k] for k in kinds) <= self.tol:
                return n
        return None

    @property
    def informative(self) -> bool:
        return any(n.ok for n in self.views.values()) or self.first.ok

    def possible(self, kind: str) -> bool:
        return not self.informative or self.holds([kind]) is not None

    def exactly_possible(self, kind: str) -> bool:
        """Whether an exact proof of ``kind`` between the *rounded* forms (or any functions
        equal to them: a rewrite of each) could exist: its gap in the rounded forms' 50-digit
        view is within :data:`EXACT_TOL`, or that view is inconclusive (too few points)."""
        n = self.view(self.order.index(("rounded", True)))
        return not n.ok or n.gap[kind] <= EXACT_TOL

    def summary(self, kinds) -> str:
        n = next((v for v in self.views.values() if v.ok), self.first)
        gaps = ", ".join(f"{k}: {n.gap[k]:.3g}" for k in kinds if k != "identical")
        return f"{n.n_valid} points (relative gaps {gaps})"


#: the most recent :class:`Evidence` objects, by their inputs (:func:`shared_evidence`)
_SHARED: OrderedDict = OrderedDict()
_SHARED_SIZE = 8


def shared_evidence(rounded, exact, names, X: np.ndarray, tol: float) -> Evidence:
    """The :class:`Evidence` of this pair on these points, one object per process for equal
    inputs: exact recovery screens a pair first and form recovery reads the same pair next
    (:mod:`srbench_lite.metrics._form_exact`), so each view is computed once per job."""
    key = (rounded, exact, tuple(names), X.shape, X.dtype.str, X.tobytes(), tol)
    found = _SHARED.get(key)
    if found is None:
        found = _SHARED[key] = Evidence(rounded, exact, names, X, tol)
        while len(_SHARED) > _SHARED_SIZE:
            _SHARED.popitem(last=False)
    else:
        _SHARED.move_to_end(key)
    return found
