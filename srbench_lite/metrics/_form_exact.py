"""Form recovery reads the model as exact recovery does, so that exact implies form (worker side).

The refit (:mod:`srbench_lite.metrics._form_fit`) reproduces the model *as printed* to float
precision with the truth's integers fixed, while exact recovery compares constants only to
SRBench's rounding, accepts ``truth + d`` and ``k * truth``, and drops negligible fitted terms.
So ``x1**4 + 0.999999051392*x1**3 + x1**2 + x1`` (a 1e-6 slip on a fixed coefficient) and
``0.99999996*sqrt(x1) - 9.2e-8`` (a scale and an offset) were exact and not form-recovered.

When the refit of the printed model fails and exact recovery's own numeric screen
(:class:`~srbench_lite.metrics._evidence.Evidence`, same points, same tolerance) allows a
relation, form recovery refits again with

* the relation's constant: ``form + d`` (constant difference) or ``k * form`` (constant ratio);
* the model as exact recovery reads it: constants rounded (:func:`canonicalize`), and then
  without the additive terms exact recovery's negligible-term rule drops
  (:func:`~srbench_lite.metrics._proofs.prune`), from the model itself or from
  ``model / truth``;
* at 50 digits with the truth's own constants, where float64 loses the digits a refit needs;

and last, exact recovery's comparison of coefficients as printed (1e-4 relative) is asked:
``x**2 + 7.0006*x`` has the form of ``x**2 + 7*x`` although the refit keeps the 7 fixed.

Where exact recovery's screen rejects every relation it cannot solve the pair, so nothing is
lost by skipping these refits there (and wrong models pay nothing for them). The screen is the
very object exact recovery computed for the job
(:func:`~srbench_lite.metrics._evidence.shared_evidence`), so its views are not recomputed.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import sympy as sp

from srbench_lite.metrics._evidence import NUMERIC_TOL, PRUNE_TOL, Evidence, shared_evidence
from srbench_lite.metrics._numeric import default_points
from srbench_lite.metrics._proofs import (
    by_rewrite,
    describe,
    exact_relation,
    is_real_constant,
    prune,
    reference_constant,
)
from srbench_lite.metrics.canonical import canonicalize

__all__ = ["FAMILIES", "ExactReading", "family_form", "family_nominal"]

#: the refit family for each of exact recovery's relations
FAMILIES = {"equal": "plain", "constant_difference": "offset", "constant_ratio": "scale"}


class ExactReading:
    """The model and truth as exact recovery reads them, and the refits worth trying.

    ``X``: the caller's sample points (None: exact recovery's default points for ``seed``).
    """

    def __init__(self, m: sp.Expr, t: sp.Expr, names: list[str], X, seed: int):
        self.m, self.t, self.names = m, t, names
        self.X = default_points(len(names), seed=seed) if X is None else X
        self.m_r = canonicalize(m, round_constants=True, simplify=False)
        self.t_r = canonicalize(t, round_constants=True, simplify=False)
        self.m_e = canonicalize(m, round_constants=False, simplify=False)
        self.t_e = canonicalize(t, round_constants=False, simplify=False)
        self._ev: Evidence | None = None

    @property
    def evidence(self) -> Evidence:
        if self._ev is None:
            pairs = (self.t_r, self.m_r), (self.t_e, self.m_e)
            self._ev = shared_evidence(*pairs, self.names, self.X, NUMERIC_TOL)
        return self._ev

    def relations(self) -> list[str]:
        """Exact recovery's relations that its numeric screen allows (all of them when the
        numbers are inconclusive; none for a model that rounds to 0)."""
        if self.m_r.is_zero:
            return []
        return [k for k in FAMILIES if self.evidence.possible(k)]

    def variants(self) -> list[tuple[str, sp.Expr]]:
        """The model as printed, with rounded constants, and without negligible terms."""
        out = [("as printed", self.m)]
        if self.m_r != self.m_e:
            out.append(("with constants rounded as exact recovery rounds them", self.m_r))
        nums = self.evidence.first
        if nums.ok:
            rest, dropped = prune(
                self.m_r, nums, nums.scale, PRUNE_TOL, reference_constant(self.t_r)
            )
            if dropped and not rest.is_zero:
                out.append(("rounded, without its negligible terms", rest))
            ratio = self.ratio_reading(nums)
            if ratio is not None:
                out.append(("rounded, without the terms negligible in model / truth", ratio))
        return out

    def ratio_reading(self, nums) -> sp.Expr | None:
        """The rounded model without the terms that exact recovery's negligible-term rule
        drops from ``model / truth`` (scale: the ratio's value), when what is left of the
        ratio is a constant: ``-2.2e-8 + 0.9995*q/C`` is read as ``0.9995*q/C`` for ``q/C``
        (the constant is negligible against the ratio, not against the model's scale)."""
        if nums.ratio_value == 0 or self.t_r.is_zero:
            return None
        ratio = sp.expand(self.m_r / self.t_r)
        c_ref = reference_constant(self.t_r)
        rest, dropped = prune(ratio, nums, abs(nums.ratio_value), PRUNE_TOL, c_ref)
        if not dropped or not is_real_constant(rest, nonzero=True):
            return None
        return sp.expand(self.m_r - sp.Add(*dropped) * self.t_r)

    def attempts(self) -> Iterator[tuple[str, sp.Expr, str]]:
        """``(how the model is read, model, family)`` in order, after the printed plain refit."""
        relations = self.relations()
        if not relations:
            return
        for label, expr in self.variants():
            for kind in relations:
                if label == "as printed" and kind == "equal":
                    continue  # the refit already tried it
                yield label, expr, FAMILIES[kind]

    def precise_match(
        self, expr: sp.Expr, X: np.ndarray, tol: float, max_undefined: float
    ) -> tuple[str, float] | None:
        """The first allowed family in which the truth's *own* constants reproduce ``expr`` to
        ``tol`` pointwise, both evaluated at 50 digits on at most 64 rows of ``X`` (float64
        cannot refit ``exp(7.6e-12*omega/T) - 1``: it loses as many digits as the argument is
        small). ``expr`` may be undefined on at most the share ``max_undefined`` of the points
        where the truth is defined. Returns ``(family, residual)`` or None."""
        from srbench_lite.metrics._evidence import MIN_POINTS, PRECISE_POINTS
        from srbench_lite.metrics._numeric import evaluate_pair_precise

        if X.shape[0] > PRECISE_POINTS:
            X = X[np.linspace(0, X.shape[0] - 1, PRECISE_POINTS).round().astype(int)]
        tv, mv, _ = evaluate_pair_precise(self.t, expr, self.names, X)
        ok = np.isfinite(tv) & np.isfinite(mv)
        undefined = int(np.sum(np.isfinite(tv) & ~np.isfinite(mv)))
        if undefined > max_undefined * max(int(np.isfinite(tv).sum()), 1):
            return None  # the model is undefined where the truth is, even at 50 digits
        if ok.sum() < MIN_POINTS or not np.any(mv[ok]):
            return None
        t, m = tv[ok], mv[ok]
        scale = np.maximum(np.abs(m), np.min(np.abs(m[m != 0])))
        candidates = {"plain": t, "offset": t + np.median(m - t)}
        if np.dot(t, t) > 0:
            candidates["scale"] = t * (np.dot(m, t) / np.dot(t, t))
        for kind in self.relations():
            family = FAMILIES[kind]
            if family in candidates:
                residual = float(np.max(np.abs(candidates[family] - m) / scale))
                if residual <= tol:
                    return family, residual
        return None

    def coefficients_agree(self) -> str | None:
        """The relation exact recovery's coefficient comparison proves on the forms as printed
        (:func:`~srbench_lite.metrics._proofs.by_rewrite` without a rewrite: each coefficient
        to 1e-4 relative), or None. Such a model is the truth's structure with constants of
        its own, including constants the refit keeps fixed (``7.0006*x`` for ``7*x``)."""
        kinds = self.relations()
        if not kinds:
            return None
        found = by_rewrite(None, (self.t_r, self.m_r), (self.t_e, self.m_e), kinds)
        return None if found is None else describe(*found)

    def symbolic_relation(self) -> str | None:
        """Exact recovery's cheap symbolic relation between the rounded forms (for points on
        which the numbers cannot decide)."""
        if self.m_r.is_zero:
            return None
        found = exact_relation(self.t_r, self.m_r, list(FAMILIES))
        return None if found is None else found[0]


def family_form(form: sp.Expr, family: str) -> tuple[sp.Expr, sp.Symbol | None]:
    """``form``, ``form + d`` or ``k * form``, and the added parameter (None for plain)."""
    if family == "plain":
        return form, None
    extra = sp.Symbol("d" if family == "offset" else "k", real=True)
    return (form + extra if family == "offset" else extra * form), extra


def family_nominal(family: str, y: np.ndarray, y_form: np.ndarray) -> tuple[float, float]:
    """``(nominal, neutral)`` values of the added parameter: the scale the refit moves it on
    (an estimate from ``y`` against the form's values), and the value that adds nothing."""
    with np.errstate(all="ignore"):
        if family == "offset":
            d = float(np.median(y - y_form))
            top = float(np.max(np.abs(y)))
            return (d if np.isfinite(d) and d != 0 else top or 1.0), 0.0
        tt = float(np.dot(y_form, y_form))
        k = float(np.dot(y, y_form)) / tt if tt > 0 else 1.0
    return (k if np.isfinite(k) and k != 0 else 1.0), 1.0
