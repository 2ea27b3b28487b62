"""Exact symbolic recovery: SRBench's criterion, made robust.

SRBench (``assess_symbolic_model.py`` + ``collate_groundtruth_results.py``) calls a model a
*symbolic solution* when, after float rounding and simplification, ``truth - model`` is 0 or a
constant, or ``model / truth`` is a constant, and the simplified model is not 0. This module
gives the same verdicts on the cases that criterion was built for (identical, reordered,
expanded, scaled, shifted, perturbed constants, tool dialects: see the tests) and departs
where the reference is known to be wrong. Every departure, in pipeline order
(``mode="srbench"``, the default):

1. **Parsing** never executes the model (:mod:`srbench_lite.expr`); SRBench uses
   ``parse_expr``. A sub-expression that is ``zoo``/``nan`` (``x/0``) is a parse error (kind
   ``error``); SRBench lets ``x + x/(x/0)`` collapse to ``x``.
2. **Model = 0** (also after rounding) -> ``none``, as SRBench's ``simplified_symbolic_model
   != '0'``.
3. **Constants** of both sides go through the shared canonical step
   (:func:`srbench_lite.metrics.canonical.canonicalize`): π and exact constants become floats
   (SRBench replaced ``pi`` by ``3.1415926535`` in the truth only), then every float is rounded
   *relative to its magnitude* -- 3 significant digits below 1, 4 above, which is exactly
   SRBench's ``round(c, 3)`` on [0.1, 10) -- instead of SRBench's ``|c| < 1e-4 -> 0``, which
   erases tiny physical constants (G, ħ, 1/c²) in truth and model alike and so accepts
   ``m0`` for ``m0/sqrt(1 - v**2/c**2)``. Rounded values are exact rationals, so float vs
   rational (``0.5*x`` vs ``x/2``), ``x**1.5`` vs ``x**(3/2)`` and π-as-float compare equal and
   ``0.1*x + 0.2*x - 0.3*x`` is exactly 0.
4. **Numeric screen** (new): both rounded expressions are evaluated on sample points (``X`` if
   given -- pass the problem's data for domain-aware verdicts -- else 256 points from U(1, 5),
   SRBench's Feynman range). Relative gaps: ``max|t - m|/S`` (equal), ``ptp(t - m)/S``
   (constant difference), ``max|m - k t|/max|m|`` with least-squares ``k`` (constant ratio),
   ``S = max|t|``. If every allowed relation's gap exceeds ``numeric_tol`` (1e-3) in float64
   *and again* at 50 digits with mpmath (float64 cannot see ``truth + 0.5`` when the truth is
   1e-34), no identity can hold and the verdict is ``none`` without calling ``simplify``.
   With fewer than 16 valid points the screen is *inconclusive* and the symbolic steps decide.
5. **Symbolic steps** (SRBench's, reordered so that cheap ones come first): structural
   equality of the rounded forms -> ``identical`` (this includes reordering); sympy's automatic
   evaluation of ``truth - model`` or ``model / truth``; then ``simplify`` -- but only of a
   relation the numbers still allow (``simplify`` can run for minutes on ``sin(1e33*x)**2``).
   ``truth - model`` -> 0: ``equal``, a real finite constant: ``constant_difference``;
   ``model / truth`` -> a nonzero real constant: ``constant_ratio``. SRBench never simplifies
   the ratio (and simplifies the difference under an inverted condition); SRBench's
   ``is_constant()`` (numeric, accepts ``zoo``) becomes "no free symbols, finite, real".
   Symbols are real, and positive where every user-given sample value is positive.
6. **Negligible terms** (replaces the other use of SRBench's ``|c| < 1e-4 -> 0``): additive
   terms of the simplified difference (or ratio) whose magnitude on every valid point is below
   ``prune_tol`` (1e-4) times the truth's scale (or the ratio) are dropped before deciding:
   ``x**2 + 1e-6*x`` still recovers ``x**2`` on U(1, 5), but ``1e-11*m1`` next to
   ``6.67e-11*m1*m2/r**2`` is not negligible. Pass ``X`` so that this is judged on the
   problem's domain.
7. **Constants combined differently** (new): a model printed expanded, e.g. ``1.5*(a*x + 1)``
   as ``1.086e23*x + 1.5``, rounds to constants that are no longer exactly proportional. When
   the numbers allow a relation that the exact steps could not prove, both sides (unrounded)
   are cross-multiplied and expanded into polynomials over common generators (non-polynomial
   atoms such as ``cos(d*k)`` or ``sqrt(...)`` are matched to the truth's recursively, with the
   same tolerance) and compared coefficient by coefficient to :data:`COEF_TOL` (1e-4) relative.
8. **Numeric check of the verdict** (new): the relation found must hold on the valid sample
   points within ``numeric_tol``; otherwise the verdict becomes ``none`` and ``detail`` says
   why (this catches sympy mistakes and branch-cut identities that fail on the domain).

``mode="strict"``: only ``identical``/``equal`` count (same rounding and tolerances, no
pruning, no constant difference or ratio). ``mode="legacy"``: SRBench's pipeline bug for bug
(absolute rounding, ``simplify(ratio=1)``, the inverted condition, ``is_constant()``, no numeric
steps), for reproducing published numbers. Every mode runs in the time-limited worker
(:mod:`srbench_lite.sandbox`); a timeout gives kind ``timeout``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
import sympy as sp

from srbench_lite.errors import InvalidValueError
from srbench_lite.expr import ModelParseError, parse_model
from srbench_lite.metrics._coefficients import agree
from srbench_lite.metrics._evidence import RELATIONS, Evidence, Numbers
from srbench_lite.metrics._inputs import (
    check_dialect,
    check_timeout,
    parse_truth,
    user_points,
    variable_names,
)
from srbench_lite.metrics._legacy import legacy_verdict
from srbench_lite.metrics._steps import StepTimeout, step_limit
from srbench_lite.metrics.canonical import canonicalize, round_floats
from srbench_lite.metrics.rewrites import REWRITES, Rewrite
from srbench_lite.metrics.tree_edit import rename_to_srsd
from srbench_lite.sandbox import SandboxError, SandboxTimeout, call_with_timeout

__all__ = ["KINDS", "MODES", "RecoveryResult", "symbolic_recovery"]

KINDS = (*RELATIONS, "none", "timeout", "error")
SOLVED_KINDS = frozenset(RELATIONS)
MODES = ("srbench", "strict", "legacy")
NUMERIC_TOL = 1e-3
PRUNE_TOL = 1e-4
#: relative agreement of coefficients in step 7. Step 3 already gives SRBench's own rounding
#: verdicts; step 7 only bridges representation (constants combined and re-printed), where the
#: gap is print precision, so it is 10x tighter than ``numeric_tol``: ``2.4986*x0`` is not
#: ``2.5*x0`` (SRBench rejects it too), ``1.0859999*x`` printed for ``1.086*x`` still is.
COEF_TOL = 1e-4
#: seconds each simplification or rewrite step may take when no ``timeout`` is given (with one:
#: a fifth of it)
STEP_S = 6.0


@dataclass(frozen=True)
class RecoveryResult:
    """Outcome of :func:`symbolic_recovery`.

    ``kind`` is one of ``identical|equal|constant_difference|constant_ratio|none|timeout|error``;
    ``solved`` is true for the first four. ``numeric_check``: for a solved kind, whether its
    relation holds on the sample points (``passed``); for ``none``, ``failed`` means no relation
    holds numerically and ``passed`` that one does although sympy could not prove it;
    ``inconclusive``: too few valid sample points; ``skipped``: legacy mode, model 0, errors.
    """

    solved: bool
    kind: str
    mode: str = "srbench"
    detail: str = ""
    error: str | None = None
    model: str | None = None
    truth: str | None = None
    symbolic_difference: str | None = None
    symbolic_ratio: str | None = None
    numeric_check: str = "skipped"
    pruned_terms: list[str] = field(default_factory=list)
    elapsed_s: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)


# ---------------------------------------------------------------------------------------------
# worker side


def _constant_value(expr: sp.Expr) -> complex | None:
    """The value of a symbol-free expression, or None if it has symbols / is not finite."""
    if expr.free_symbols:
        return None
    try:
        value = complex(sp.N(expr, 30))
    except (TypeError, ValueError, OverflowError):
        return None
    if not np.isfinite(value):
        return None
    return value


def _is_real_constant(expr: sp.Expr, nonzero: bool = False) -> bool:
    value = _constant_value(expr)
    if value is None or abs(value.imag) > 1e-12 * max(1.0, abs(value.real)):
        return False
    return not nonzero or value.real != 0


def _reference_constant(truth: sp.Expr) -> float:
    """The smallest |non-integer constant| of the (rounded) truth, or 1 if it has none."""
    values = [
        abs(float(c)) for c in truth.atoms(sp.Rational, sp.Float) if not c.is_Integer and c != 0
    ]
    return min(values, default=1.0)


def _prune(expr: sp.Expr, nums: Numbers, scale: float, tol: float, c_ref: float):
    """Drop the additive terms of ``expr`` that only a tiny fitted coefficient makes small.

    A term ``c * rest`` is dropped when (a) ``|term| <= tol * scale`` on every valid point,
    (b) ``rest`` alone is *not* that small somewhere (the smallness comes from ``c``, not from
    an underflowing ``exp(-1e23*x)`` or an unlucky domain), and (c) ``|c| < tol * c_ref``,
    ``c_ref`` being the truth's smallest constant (1 if it has none): the magnitude-relative
    form of SRBench's ``|c| < 1e-4 -> 0``, which never drops a ``1.1e-17*v**2`` next to a
    truth that itself has ``1.1e-17``.
    """
    for candidate in (expr, sp.expand(expr)):
        terms = sp.Add.make_args(candidate)
        if len(terms) < 2 and candidate is not expr:
            continue
        kept, dropped = [], []
        for term in terms:
            coeff, rest = term.as_coeff_Mul()
            if term.free_symbols and coeff != 0 and abs(float(coeff)) < tol * c_ref:
                v, w = nums.values(term), nums.values(rest)
                if (
                    np.all(np.isfinite(v))
                    and np.all(np.isfinite(w))
                    and float(np.max(np.abs(v))) <= tol * scale
                    and float(np.max(np.abs(w))) > tol * scale
                ):
                    dropped.append(term)
                    continue
            kept.append(term)
        if dropped:
            return sp.Add(*kept), dropped
    return expr, []


def _reduce(expr: sp.Expr, step_s: float | None) -> sp.Expr:
    """Simplify a difference or ratio (at most ``step_s`` seconds); constants short-circuit."""
    if expr.is_zero or not expr.free_symbols:
        return expr
    try:
        with step_limit(step_s):
            out = sp.simplify(expr)
    except StepTimeout:
        return expr
    if out.free_symbols:
        expanded = sp.expand(out)
        if not expanded.free_symbols or expanded == 0:
            return expanded
    return out


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


def _exact_relation(t: sp.Expr, m: sp.Expr, kinds: list[str]) -> tuple[str, sp.Expr] | None:
    """``equal``/``constant_difference``/``constant_ratio`` between two rounded forms by
    expansion and cancellation only (no ``simplify``)."""
    if t == m:
        return "equal", sp.Integer(0)
    diff = sp.expand(t - m)
    if diff.free_symbols:
        diff = sp.cancel(sp.together(diff))
    if diff.is_zero:
        return "equal", diff
    if "constant_difference" in kinds and _is_real_constant(diff):
        return "constant_difference", diff
    if "constant_ratio" in kinds and not t.is_zero:
        ratio = sp.cancel(sp.together(sp.expand(m) / sp.expand(t)))
        if _is_real_constant(ratio, nonzero=True):
            return "constant_ratio", ratio
    return None


def _by_rewrite(rewrite: Rewrite | None, t: sp.Expr, m: sp.Expr, kinds: list[str]):
    """Prove a relation after ``rewrite`` (None: the forms as printed, coefficients only).

    Returns ``(kind, value, how)`` or None. First exactly, on the rewritten forms rounded as
    SRBench rounds constants; then by coefficients (:func:`agree`) on the unrounded ones.
    """
    after = (
        "" if rewrite is None else f" after the {rewrite.name!r} rewrite ({rewrite.description})"
    )
    if rewrite is not None:
        t, m = rewrite.apply(t), rewrite.apply(m)
        found = _exact_relation(round_floats(t), round_floats(m), kinds)
        if found is not None:
            return (*found, f"rounded constants{after}")
    for kind in kinds:
        if kind == "identical":
            continue
        holds, value = agree(t, m, kind, COEF_TOL)
        if holds:
            return kind, value, f"constants agree to {COEF_TOL:g} (relative){after}"
    return None


def _describe(kind: str, value, how: str) -> str:
    if kind == "equal":
        return f"model = truth; {how}"
    what = "truth - model" if kind == "constant_difference" else "model / truth"
    return f"{what} = {sp.N(value, 6)}; {how}"


def _srbench_worker(
    m: sp.Expr, t: sp.Expr, ned_pair, names: list[str], X, mode: str, seed: int,
    prune_tol: float, numeric_tol: float, step_s: float | None,
) -> dict:  # fmt: skip
    from srbench_lite.metrics._numeric import default_points

    out: dict = {"pruned_terms": []}
    if m.is_zero:
        return {**out, "kind": "none", "detail": "model is 0", "numeric_check": "skipped"}
    user_x = X is not None
    if X is None:
        X = default_points(len(names), seed=seed)
    m_r = canonicalize(m, round_constants=True, simplify=False)
    t_r = canonicalize(t, round_constants=True, simplify=False)
    if m_r.is_zero:
        return {**out, "kind": "none", "detail": "model rounds to 0", "numeric_check": "skipped"}
    m_e = canonicalize(m, round_constants=False, simplify=False)
    t_e = canonicalize(t, round_constants=False, simplify=False)
    strict = mode == "strict"
    allowed = RELATIONS[:2] if strict else RELATIONS
    ev = Evidence((t_r, m_r), (t_e, m_e), names, X, numeric_tol)

    if ev.first.ok and ev.holds(allowed) is None:
        detail = f"numerically distinct on {ev.summary(allowed)}"
        return {**out, "kind": "none", "detail": detail, "numeric_check": "failed"}

    (m_a, t_a, m_x, t_x), back = _assume([m_r, t_r, m_e, t_e], names, X, user_x)

    def verdict(kind: str, detail: str, **extra) -> dict:
        res = {**out, **extra, "kind": kind, "detail": detail}
        for key in ("symbolic_difference", "symbolic_ratio"):
            if isinstance(res.get(key), sp.Basic):
                res[key] = str(res[key].xreplace(back))
        res["pruned_terms"] = [str(p.xreplace(back)) for p in res["pruned_terms"]]
        if kind not in SOLVED_KINDS:
            if not ev.informative:
                res["numeric_check"] = "inconclusive"
            else:
                res["numeric_check"] = "passed" if ev.holds(allowed) else "failed"
            return res
        if not ev.informative:
            res["numeric_check"] = "inconclusive"
        elif ev.holds([kind]) is None:
            res["numeric_check"] = "failed"
            res["kind"] = "none"
            res["detail"] = (
                f"symbolic verdict {kind!r} rejected: it does not hold within {numeric_tol:g} on "
                f"{ev.summary([kind])} ({detail})"
            )
        else:
            res["numeric_check"] = "passed"
        return res

    if m_a == t_a:
        return verdict("identical", "same expression after rounding constants")
    # cheap checks on sympy's automatic evaluation first
    diff = t_a - m_a
    if diff.is_zero:
        return verdict("equal", "truth - model is 0", symbolic_difference=diff)
    ratio = None if strict else m_a / t_a
    if not strict and _is_real_constant(ratio, nonzero=True):
        return verdict("constant_ratio", f"model / truth = {ratio}", symbolic_ratio=ratio)
    if not strict and _is_real_constant(diff):
        return verdict("constant_difference", f"truth - model = {diff}", symbolic_difference=diff)
    # simplification, only of relations the numbers allow
    if ev.possible("equal") or (not strict and ev.possible("constant_difference")):
        diff = _reduce(diff, step_s)
        if diff.is_zero:
            return verdict("equal", "truth - model simplifies to 0", symbolic_difference=diff)
        if not strict and _is_real_constant(diff):
            return verdict(
                "constant_difference", f"truth - model = {diff}", symbolic_difference=diff
            )
    if not strict and ev.possible("constant_ratio"):
        ratio = _reduce(ratio, step_s)
        if _is_real_constant(ratio, nonzero=True):
            return verdict(
                "constant_ratio", f"model / truth = {ratio}", symbolic_difference=diff,
                symbolic_ratio=ratio,
            )  # fmt: skip
    nums = ev.first
    if nums.ok and prune_tol > 0 and not strict:
        c_ref = _reference_constant(t_r)
        if ev.possible("equal") or ev.possible("constant_difference"):
            rest, dropped = _prune(diff, nums, nums.scale, prune_tol, c_ref)
            if dropped and (rest.is_zero or _is_real_constant(rest)):
                kind = "equal" if rest.is_zero else "constant_difference"
                return verdict(
                    kind, f"truth - model = {rest} after dropping negligible terms",
                    symbolic_difference=diff, symbolic_ratio=ratio, pruned_terms=dropped,
                )  # fmt: skip
        if nums.ratio_value != 0 and ev.possible("constant_ratio"):
            rest, dropped = _prune(ratio, nums, abs(nums.ratio_value), prune_tol, c_ref)
            if dropped and _is_real_constant(rest, nonzero=True):
                return verdict(
                    "constant_ratio", f"model / truth = {rest} after dropping negligible terms",
                    symbolic_difference=diff, symbolic_ratio=ratio, pruned_terms=dropped,
                )  # fmt: skip
    # other forms: constants combined differently, trigonometric/exp/log identities
    kinds = [k for k in allowed[1:] if ev.holds([k]) is not None or not ev.informative]
    timed_out = []
    for rewrite in (None, *REWRITES) if kinds else ():
        pair = ned_pair if rewrite is not None and rewrite.srsd else (t_x, m_x)
        try:
            with step_limit(step_s):
                found = _by_rewrite(rewrite, *pair, kinds)
        except StepTimeout:
            timed_out.append(rewrite.name if rewrite else "coefficients")
            continue
        if found is not None:
            return verdict(
                found[0], _describe(*found), symbolic_difference=diff, symbolic_ratio=ratio
            )
    if strict:
        detail = "truth - model does not simplify to 0"
    else:
        detail = "neither truth - model nor model / truth simplifies to a constant"
    if ev.informative and ev.holds(allowed) is not None:
        detail += ", nor does any rewrite prove it (although they agree numerically)"
    if timed_out:
        detail += f"; timed out: {', '.join(timed_out)}"
    return verdict("none", detail, symbolic_difference=diff, symbolic_ratio=ratio)


def _recovery_task(m, t, ned_pair, names, X, mode, seed, prune_tol, numeric_tol, step_s) -> dict:
    if mode == "legacy":
        return legacy_verdict(m, t)
    return _srbench_worker(m, t, ned_pair, names, X, mode, seed, prune_tol, numeric_tol, step_s)


# ---------------------------------------------------------------------------------------------
# public API


def symbolic_recovery(
    model,
    truth,
    *,
    feature_names: Sequence[str] | None = None,
    dialect: str = "sympy",
    timeout: float | None = 30.0,
    mode: str = "srbench",
    X=None,
    seed: int = 0,
    prune_tol: float = PRUNE_TOL,
    numeric_tol: float = NUMERIC_TOL,
) -> RecoveryResult:
    """Is ``model`` an exact symbolic solution of ``truth``? (SRBench's criterion, see module doc).

    ``model`` and ``truth``: strings or sympy expressions. ``truth`` is plain sympy syntax over
    ``feature_names``; ``model`` is read in ``dialect`` (``"gplearn"``: ``X0`` is the first
    feature, ``"operon"``: ``X1`` is). ``X``: optional sample points, shape
    ``(n, len(feature_names))``, used by the numeric screen/check and the negligible-term rule
    (default: U(1, 5)). ``mode``: ``"srbench"`` (default), ``"strict"`` or ``"legacy"``.
    ``timeout``: wall-clock seconds for the sympy work (None: no limit, in-process).
    ``numeric_tol`` (1e-3): relative tolerance of the numeric screen/check and of constants in
    the coefficient comparison; ``prune_tol`` (1e-4, 0 disables): the negligible-term rule;
    ``seed``: the default sample points.

    A model that cannot be parsed, or whose sympy step fails, gives ``kind="error"``; a timeout
    gives ``kind="timeout"``. A truth that cannot be parsed raises
    :class:`~srbench_lite.expr.ModelParseError`; bad options raise ``InvalidValueError``.
    """
    start = time.perf_counter()
    if mode not in MODES:
        raise InvalidValueError(f"unknown recovery mode {mode!r}; valid: {', '.join(MODES)}")
    timeout = check_timeout(timeout)
    check_dialect(dialect)
    t = parse_truth(truth, feature_names)
    points = user_points(X, feature_names)

    def result(kind: str, **kw) -> RecoveryResult:
        return RecoveryResult(
            solved=kind in SOLVED_KINDS,
            kind=kind,
            mode=mode,
            truth=str(t),
            elapsed_s=time.perf_counter() - start,
            **kw,
        )

    try:
        m = parse_model(model, dialect=dialect, feature_names=feature_names)
    except ModelParseError as exc:
        return result("error", error=f"model: {exc}", detail="model could not be parsed")
    names = variable_names(feature_names, m, t)
    if points is not None and len(names) > points.shape[1]:
        points = None  # model uses names outside the features: only possible without them
    ned_pair = (t, m) if feature_names is None else tuple(rename_to_srsd([t, m], feature_names))
    step_s = STEP_S if timeout is None else max(0.2, timeout / 5)
    try:
        raw = call_with_timeout(
            _recovery_task, m, t, ned_pair, names, points, mode, seed, prune_tol, numeric_tol,
            step_s, timeout=timeout,
        )  # fmt: skip
    except SandboxTimeout as exc:
        return result("timeout", model=str(m), error=str(exc), detail="sympy step timed out")
    except SandboxError as exc:
        return result("error", model=str(m), error=f"{exc.exc_type}: {exc}")
    kind = raw.pop("kind")
    return result(kind, model=str(m), **raw)
