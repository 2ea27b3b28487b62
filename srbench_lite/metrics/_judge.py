"""The worker side of symbolic recovery (:mod:`srbench_lite.metrics.recovery`): one verdict,
step by step, in the order of that module's docstring. Runs inside the sandbox worker."""

from __future__ import annotations

import time

import numpy as np
import sympy as sp

from srbench_lite.metrics._evidence import RELATIONS, shared_evidence
from srbench_lite.metrics._legacy import legacy_verdict
from srbench_lite.metrics._primes import faster_nextprime
from srbench_lite.metrics._proofs import (
    by_rewrite,
    describe,
    is_real_constant,
    prune,
    reference_constant,
    simplified,
)
from srbench_lite.metrics._steps import StepTimeout, step_limit
from srbench_lite.metrics.canonical import canonicalize
from srbench_lite.metrics.radicals import radicals_rewrite
from srbench_lite.metrics.rewrites import REWRITES

__all__ = ["SOLVED_KINDS", "recovery_task"]

#: the kinds that count as solved
SOLVED_KINDS = frozenset(RELATIONS)


def _assume(exprs: list[sp.Expr], names: list[str], X: np.ndarray, user_x: bool):
    """Symbols become real (positive where every user-given sample is positive)."""
    mapping = {}
    for j, name in enumerate(names):
        positive = user_x and bool(np.all(X[:, j] > 0))
        mapping[sp.Symbol(name)] = (
            sp.Symbol(name, positive=True) if positive else sp.Symbol(name, real=True)
        )
    back = {v: k for k, v in mapping.items()}
    return [e.xreplace(mapping) for e in exprs], back


def _box(names: list[str], X: np.ndarray, user_x: bool) -> tuple:
    """``((name, low, high), ...)`` of user-given sample points (empty without them)."""
    if not user_x:
        return ()
    with np.errstate(all="ignore"):
        lows, highs = np.nanmin(X, axis=0), np.nanmax(X, axis=0)
    return tuple(
        (name, float(lows[j]), float(highs[j]))
        for j, name in enumerate(names[: X.shape[1]])
        if np.isfinite(lows[j]) and np.isfinite(highs[j])
    )


class _Judge:
    """One verdict in the worker (``srbench`` and ``strict`` modes): the forms of both sides,
    the numeric evidence, the time budget, and the steps in the order of the module docstring."""

    def __init__(self, m, t, ned_pair, names, X, mode, seed, prune_tol, numeric_tol, budget):
        from srbench_lite.metrics._numeric import default_points

        self.user_x = X is not None
        self.X = default_points(len(names), seed=seed) if X is None else X
        self.names, self.ned_pair = names, ned_pair
        self.strict = mode == "strict"
        self.allowed = RELATIONS[:2] if self.strict else RELATIONS
        self.prune_tol, self.numeric_tol = prune_tol, numeric_tol
        self.step_s, self.deadline = budget
        self.m, self.t = m, t
        self.timed_out: list[str] = []
        self.out: dict = {"pruned_terms": []}

    # -- helpers ---------------------------------------------------------------------------

    def verdict(self, kind: str, detail: str, **extra) -> dict:
        """The result dict; a solved kind must also hold on the sample points."""
        ev, res = self.ev, {**self.out, **extra, "kind": kind, "detail": detail}
        for key in ("symbolic_difference", "symbolic_ratio"):
            if isinstance(res.get(key), sp.Basic):
                res[key] = str(res[key].xreplace(self.back))
        res["pruned_terms"] = [str(p.xreplace(self.back)) for p in res["pruned_terms"]]
        if not ev.informative:
            res["numeric_check"] = "inconclusive"
        elif kind not in SOLVED_KINDS:
            res["numeric_check"] = "passed" if ev.holds(self.allowed) else "failed"
        elif ev.holds([kind]) is None:
            res["numeric_check"] = "failed"
            res["kind"] = "none"
            res["detail"] = (
                f"symbolic verdict {kind!r} rejected: it does not hold within "
                f"{self.numeric_tol:g} on {ev.summary([kind])} ({detail})"
            )
        else:
            res["numeric_check"] = "passed"
        return res

    def step(self, name: str, fn, *args):
        """``fn(*args)`` within the step limit and the remaining budget (None when cut off)."""
        seconds = self.step_s
        if self.deadline is not None:
            seconds = min(seconds, self.deadline - time.monotonic())
            if seconds < 0.05:
                self.timed_out.append(name)
                return None
        try:
            with step_limit(seconds):
                return fn(*args)
        except StepTimeout:
            self.timed_out.append(name)
            return None

    def possible(self, *kinds: str) -> bool:
        return any(k in self.allowed and self.ev.possible(k) for k in kinds)

    def exactly(self, *kinds: str) -> bool:
        """:meth:`possible`, for an exact proof on the rounded forms (expansion, cancellation,
        ``simplify``): the tighter 50-digit test saves the long steps on near misses."""
        return any(self.possible(k) and self.ev.exactly_possible(k) for k in kinds)

    # -- steps -----------------------------------------------------------------------------

    def run(self) -> dict:
        m, t, out = self.m, self.t, self.out
        if m.is_zero:
            return {**out, "kind": "none", "detail": "model is 0", "numeric_check": "skipped"}
        m_r = canonicalize(m, round_constants=True, simplify=False)
        t_r = canonicalize(t, round_constants=True, simplify=False)
        if m_r.is_zero:
            return {
                **out,
                "kind": "none",
                "detail": "model rounds to 0",
                "numeric_check": "skipped",
            }
        m_e = canonicalize(m, round_constants=False, simplify=False)
        t_e = canonicalize(t, round_constants=False, simplify=False)
        self.ev = shared_evidence((t_r, m_r), (t_e, m_e), self.names, self.X, self.numeric_tol)
        if self.ev.first.ok and self.ev.holds(self.allowed) is None:
            detail = f"numerically distinct on {self.ev.summary(self.allowed)}"
            return {**out, "kind": "none", "detail": detail, "numeric_check": "failed"}
        (m_a, t_a, m_x, t_x), self.back = _assume(
            [m_r, t_r, m_e, t_e], self.names, self.X, self.user_x
        )
        self.t_r, self.diff = t_r, t_a - m_a
        self.ratio = None if self.strict else m_a / t_a
        kinds = [k for k in self.allowed[1:] if self.possible(k)]
        pairs = ((t_a, m_a), (t_x, m_x))
        radicals = radicals_rewrite(_box(self.names, self.X, self.user_x))
        rewrites = [None, *(r for r in REWRITES if not r.srsd), radicals]
        ned_rounded = tuple(
            canonicalize(e, round_constants=True, simplify=False) for e in self.ned_pair
        )
        ned_pairs = (ned_rounded, self.ned_pair)
        return (
            self.automatic(m_a, t_a)
            or self.rewritten(rewrites, pairs, kinds, gated=True)
            or self.simplified()
            or self.negligible()
            or self.rewritten([r for r in REWRITES if r.srsd], ned_pairs, kinds)
            or self.no_proof()
        )

    def automatic(self, m_a, t_a) -> dict | None:
        """Structural equality and sympy's automatic evaluation of the difference and ratio."""
        if m_a == t_a:
            return self.verdict("identical", "same expression after rounding constants")
        diff, ratio = self.diff, self.ratio
        if diff.is_zero:
            return self.verdict("equal", "truth - model is 0", symbolic_difference=diff)
        if not self.strict and is_real_constant(ratio, nonzero=True):
            return self.verdict("constant_ratio", f"model / truth = {ratio}", symbolic_ratio=ratio)
        if not self.strict and is_real_constant(diff):
            return self.verdict(
                "constant_difference", f"truth - model = {diff}", symbolic_difference=diff
            )
        return None

    def rewritten(self, rewrites, pairs, kinds, gated: bool = False) -> dict | None:
        """The first rewrite (None: the forms as printed) under which a relation is proved;
        ``pairs``: (truth, model) rounded and unrounded. ``gated``: ``pairs`` are the forms
        the numbers were taken on, so exact proofs are tried only where :meth:`exactly`
        allows (not for the NED's forms)."""
        exact_kinds = [k for k in kinds if self.exactly(k)] if gated else None
        for rewrite in rewrites if kinds else ():
            name = rewrite.name if rewrite is not None else "coefficients"
            found = self.step(name, by_rewrite, rewrite, *pairs, kinds, exact_kinds)
            if found is not None:
                return self.verdict(
                    found[0], describe(*found), symbolic_difference=self.diff,
                    symbolic_ratio=self.ratio,
                )  # fmt: skip
        return None

    def simplified(self) -> dict | None:
        """``simplify`` of the difference and the ratio, only of relations the numbers allow."""
        if self.exactly("equal", "constant_difference"):
            diff = self.step("simplify", simplified, self.diff)
            if diff is not None:
                self.diff = diff
                if diff.is_zero:
                    return self.verdict(
                        "equal", "truth - model simplifies to 0", symbolic_difference=diff
                    )
                if not self.strict and is_real_constant(diff):
                    return self.verdict(
                        "constant_difference", f"truth - model = {diff}", symbolic_difference=diff
                    )
        if self.exactly("constant_ratio"):
            ratio = self.step("simplify", simplified, self.ratio)
            if ratio is not None:
                self.ratio = ratio
                if is_real_constant(ratio, nonzero=True):
                    return self.verdict(
                        "constant_ratio", f"model / truth = {ratio}",
                        symbolic_difference=self.diff, symbolic_ratio=ratio,
                    )  # fmt: skip
        return None

    def negligible(self) -> dict | None:
        """Drop additive terms that only a tiny fitted coefficient makes small (step 8)."""
        nums = self.ev.first
        if not (nums.ok and self.prune_tol > 0 and not self.strict):
            return None
        c_ref = reference_constant(self.t_r)
        extra = {"symbolic_difference": self.diff, "symbolic_ratio": self.ratio}
        if self.possible("equal", "constant_difference"):
            rest, dropped = prune(self.diff, nums, nums.scale, self.prune_tol, c_ref)
            if dropped and (rest.is_zero or is_real_constant(rest)):
                kind = "equal" if rest.is_zero else "constant_difference"
                detail = f"truth - model = {rest} after dropping negligible terms"
                return self.verdict(kind, detail, pruned_terms=dropped, **extra)
        if nums.ratio_value != 0 and self.possible("constant_ratio"):
            rest, dropped = prune(self.ratio, nums, abs(nums.ratio_value), self.prune_tol, c_ref)
            if dropped and is_real_constant(rest, nonzero=True):
                detail = f"model / truth = {rest} after dropping negligible terms"
                return self.verdict("constant_ratio", detail, pruned_terms=dropped, **extra)
        return None

    def no_proof(self) -> dict:
        if self.strict:
            detail = "truth - model does not simplify to 0"
        else:
            detail = "neither truth - model nor model / truth simplifies to a constant"
        agree_numerically = self.ev.informative and self.ev.holds(self.allowed) is not None
        extra = {"symbolic_difference": self.diff, "symbolic_ratio": self.ratio}
        if agree_numerically:
            detail += ", nor does any rewrite prove a relation (although they agree numerically)"
        if self.timed_out:
            steps = ", ".join(dict.fromkeys(self.timed_out))
            # SRBench's own step (simplify) cut short where the numbers allow a relation: we
            # do not know; a rewrite cut short only leaves fewer chances of a proof
            if "simplify" in self.timed_out and (agree_numerically or not self.ev.informative):
                detail = f"no proof within the time limit (timed out: {steps}); {detail}"
                return self.verdict("timeout", detail, **extra)
            detail += f" (timed out: {steps})"
        return self.verdict("none", detail, **extra)


def recovery_task(m, t, ned_pair, names, X, mode, seed, prune_tol, numeric_tol, budget) -> dict:
    if mode == "legacy":
        return legacy_verdict(m, t)
    step_s, total_s = budget
    deadline = None if total_s is None else time.monotonic() + total_s
    judge = _Judge(m, t, ned_pair, names, X, mode, seed, prune_tol, numeric_tol, (step_s, deadline))
    with faster_nextprime():  # the same factor() and simplify(), faster on long models
        return judge.run()
