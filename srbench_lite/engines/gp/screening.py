"""Screening before evolution: which transformed targets are worth islands of their own.

A library of small expressions (``x``, ``x²``, ``√x``, ``1/x``, ``e^x``, ``cos x``, ``x/y``,
``x·y``, ``x±y`` ...: the rows of :mod:`.library_terms`) is evaluated once on a few hundred
rows; for each candidate target ``T(y / M)`` (``M`` from the power-law pass, ``T`` a row of
:mod:`.transforms`) the best sums of up to three library terms are found in closed form
(:meth:`ScreeningLibrary.forward`). The targets that such sums fit best get islands; their best sums
seed them. Which rows are tried is a prior set (:mod:`.priors`): the general one by default.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from srbench_lite.engines.common.batch import Data, score_many
from srbench_lite.engines.common.evaluate import evaluate
from srbench_lite.engines.common.tokens import CONST
from srbench_lite.engines.gp.library import ScreeningLibrary
from srbench_lite.engines.gp.library_terms import build_library
from srbench_lite.engines.gp.log_factors import log_factors
from srbench_lite.engines.gp.monomial import (
    clean_factor,
    monomial_candidates,
    monomial_tokens,
    power_law_exponents,
    sign_factor,
)
from srbench_lite.engines.gp.priors import GENERAL, Priors
from srbench_lite.engines.gp.targets import LM_ROWS, Target
from srbench_lite.engines.gp.transforms import IDENTITY, Transform

__all__ = ["Option", "make_targets", "seed_expressions"]

Tokens = tuple[str, ...]
_POWER_LAW_OPTIONS = 12  # targets (best first by library sums) that get power-law seeds
_TWO_PART_FIRSTS = 6  # library terms tried as the first part of a two-part sum
_TWO_PART_OPTIONS = 6  # targets (best first) that also try a term plus a power law

#: screening ranks a target by its best loss times this per library term used (fewer terms win
#: among fits at the noise level)
_TERM_PENALTY = 3.0


def _single_factors(tokens: Tokens, d: int) -> list[Tokens]:
    """Each variable's own power from a power law (and its plain first power)."""
    out: list[Tokens] = []
    exps = _exponents(tokens, d)
    if exps is None:
        return out
    for i, e in enumerate(exps):
        if e == 0:
            continue
        for ee in (e, float(np.sign(e))):
            v = np.zeros(d)
            v[i] = ee
            t = monomial_tokens(v)
            if t not in out:
                out.append(t)
    return out


def _exponents(tokens: Tokens, d: int) -> np.ndarray | None:
    """Exponents of a power law built by :func:`monomial_tokens`, read back numerically."""
    rng = np.random.default_rng(0)
    X = rng.uniform(1.5, 2.5, size=(d + 2, d))
    base = evaluate(tokens, X)
    if base is None or np.any(base <= 0):
        return None
    out = np.zeros(d)
    for i in range(d):
        X2 = X.copy()
        X2[:, i] *= 2.0
        v = evaluate(tokens, X2)
        if v is None or np.any(v <= 0):
            return None
        out[i] = round(float(np.log2(v[0] / base[0])) * 2) / 2
    return out


def _log_misfit(cols, z, max_abs_exp: float) -> float:
    """How far ``log|z|`` is from linear in the ``log|x|`` (residual share; inf if undefined):
    a cheap sign that a power law fits ``z``."""
    real = power_law_exponents(cols, z, max_abs_exp)
    if real is None:
        return math.inf
    with np.errstate(all="ignore"):
        L = np.log(np.abs(z))
        r = L.copy()
        for c, e in zip(cols, real, strict=True):
            if e != 0:
                r -= e * np.log(np.abs(c))
    r = r - r.mean()
    Lc = L - L.mean()
    den = float(Lc @ Lc)
    return float(r @ r) / den if den > 0 and np.isfinite(r).all() else math.inf


_SHIFT_ROWS = 128  # rows for the shift search (the seeds are then fitted on all of them)


def _shifted_misfit(z: np.ndarray, scols, misfit: float, mx: float) -> tuple[float, float]:
    """``(misfit, b)``: the shift ``b`` (0, or just outside the range of ``z``) for which
    ``z - b`` is closest to a power law (``misfit``: that of ``z`` itself)."""
    best = (misfit, 0.0)
    lo, hi = float(np.min(z)), float(np.max(z))
    span = hi - lo
    if not (span > 0 and np.isfinite(span)) or misfit < 1e-9:
        return best
    z, scols = z[:_SHIFT_ROWS], [c[:_SHIFT_ROWS] for c in scols]
    for e in np.logspace(-4, 1, 10):
        for b in (lo - float(e) * span, hi + float(e) * span):
            m = _log_misfit(scols, z - b, mx)
            if m < best[0]:
                best = (m, b)
    return best


def _fit_scale(
    w: np.ndarray, tr: Transform, scols, rows: int, mx: float
) -> tuple[float, np.ndarray] | None:
    """``(k, A)`` for a ``scaled`` transform (``T`` known up to the scale of ``w``): the scale
    ``k`` (just above ``max w``) for which ``T(w / k)`` is closest to a power law, and that
    ``T(w / k)``; None if ``w`` is not positive."""
    if not np.all(w > 0):
        return None
    top = float(np.max(w))
    best = None
    for e in np.logspace(-4, 1, 26):
        k = top * (1.0 + float(e))
        z = tr.apply(w / k)
        if z is None:
            continue
        misfit = _log_misfit(scols, z[:rows], mx)
        if best is None or misfit < best[0]:
            best = (misfit, k, z)
    return None if best is None else (best[1], best[2])


def _two_part(
    z, cols, seeds, lib: ScreeningLibrary, mx: float, variables: bool = False
) -> list[tuple[float, Tokens, list[float]]]:
    """``t + c*M``: for the best power law and the best library terms ``t`` of ``z`` (and each
    variable when ``variables``), the best power law ``M`` of what ``t`` leaves (sums whose
    terms are power laws of different variables). Returns ``[(nmse, tokens, consts)]``."""
    firsts = [t for t, c in seeds[:1] if not c]  # the best power law
    firsts += lib.top_singles(z, _TWO_PART_FIRSTS)
    if variables:  # a variable plus a power law of the others
        firsts += [(f"x{i}",) for i in range(len(cols)) if (f"x{i}",) not in firsts]
    out = []
    zc = z - z.mean()
    zz = float(zc @ zc)
    ones = np.ones(len(z))
    for first in firsts:
        v = evaluate(first, cols)
        if v is None or not zz > 0:
            continue
        A = np.column_stack([v, ones])
        coef, *_ = np.linalg.lstsq(A, z, rcond=None)
        # (what the first term leaves, the intercept kept: a power law stays one sign)
        rest = monomial_candidates(cols, z - coef[0] * v, max_candidates=1, max_abs_exp=mx)
        if not rest:
            continue
        m = evaluate(rest[0][1], cols)
        if m is None:
            continue
        B = np.column_stack([v, m, ones])
        coef, *_ = np.linalg.lstsq(B, z, rcond=None)
        r = B @ coef - z
        if coef[0] != 0 and np.isfinite(coef).all():
            toks = ("add", *first, "mul", CONST, *rest[0][1])
            out.append((float(r @ r) / zz, toks, [float(coef[1] / coef[0])]))
    return out


@dataclass
class Option:
    """One screened target ``T(y / M)``: its rank (``score``, lower is better), factor ``M``
    (None: 1), transform ``T``, values ``z`` on the search rows, the seeds found for it, how
    far ``z`` is from a power law (``misfit``) and the shift ``b`` for which ``z - b`` is
    closest to one."""

    score: float
    factor: Tokens | None
    transform: Transform
    z: np.ndarray
    seeds: list[tuple[Tokens, list[float]]] = field(default_factory=list)
    misfit: float = math.inf
    shift: float = 0.0

    @property
    def is_main(self) -> bool:
        return self.factor is None and self.transform.name == "id"


def _factors(cols, ys, cands, priors: Priors) -> tuple[list[Tokens | None], list[Tokens]]:
    """The factors ``M`` to divide ``y`` by (None first: ``y`` itself), and the clean ones."""
    d, mx = len(cols), priors.max_abs_exponent
    factors: list = [None] + [t for loss, t in cands if loss >= 1e-20 and t != ("1",)][:2]
    if cands and cands[0][0] >= 1e-20:
        exps = _exponents(cands[0][1], d)
        if exps is not None and np.any(np.trunc(exps) != 0):
            strong = monomial_tokens(np.trunc(exps))  # the variables with |exponent| >= 1
            if strong not in factors:
                factors.append(strong)
        factors += [f for f in _single_factors(cands[0][1], d) if f not in factors][:8]
    cleans: list[Tokens] = []
    for tol in (0.3, 0.08):  # strictly clean exponents first; loosely integer ones too
        clean = clean_factor(cols, ys, tol, mx)
        if clean is not None:
            cleans.append(clean)
            if clean not in factors:
                factors.insert(1, clean)
    signed = sign_factor(cols, ys, mx)  # y = g(x_j) * power law, g changing sign
    if signed is not None and signed not in factors:
        factors.insert(1, signed)
    for fac in reversed(log_factors(cols, ys, mx)):  # power law times functions of variables
        if fac not in factors:
            factors.insert(1, fac)
    for rule in priors.factors:  # a prior set's own factors come first
        factors[1:1] = rule.find(cols)
    return factors, cleans


def _screen(fac, w, priors: Priors, lib: ScreeningLibrary, scols, rows, deadline) -> list[Option]:
    """One option per transform of ``w = y / fac`` that is defined on the rows."""
    out = []
    mx = priors.max_abs_exponent
    for tr in priors.transforms:
        if deadline is not None and time.perf_counter() > deadline:
            break
        tfac = fac
        if tr.scaled:  # w up to a scale: the one that makes T(w / k) a power law
            scaled = _fit_scale(w, tr, scols, rows, mx)
            if scaled is None:
                continue
            k, z = scaled
            tfac = (repr(k),) if fac is None else ("mul", repr(k), *fac)
        else:
            z = tr.apply(w)
        if z is None:
            continue
        with np.errstate(all="ignore"):  # huge targets only give useless (inf) fits
            fits = lib.forward(z[:rows])
        score = min(
            (nm * _TERM_PENALTY ** (k + 1) for k, (nm, _, _) in enumerate(fits)),
            default=math.inf,
        )
        opt = Option(score, tfac, tr, z, [(toks, cs) for _, toks, cs in fits])
        opt.misfit = _log_misfit(scols, z[:rows], mx)
        if tr.shifted:
            opt.misfit, opt.shift = _shifted_misfit(z[:rows], scols, opt.misfit, mx)
        out.append(opt)
    return out


def make_targets(
    data: Data,
    cands: list[tuple[float, Tokens]],
    max_complexity: int,
    n_extra: int,
    *,
    lm_rows: int = LM_ROWS,
    max_library: int = 1000,
    deadline: float | None = None,
    priors: Priors = GENERAL,
) -> tuple[list[Target], list[Tokens]]:
    """The main target plus the ``n_extra`` transformed/divided targets that the screening
    library fits best (sums of up to three library terms, and power laws of the target);
    each target keeps its best screening expressions as seeds. Also returns the library.
    ``priors`` says which transforms, library terms and factors are tried."""
    cols, ys = data.cols, data.y
    mx = priors.max_abs_exponent
    main = Target(None, IDENTITY, data, max_complexity, lm_rows)
    factors, cleans = _factors(cols, ys, cands, priors)
    rows = min(len(ys), 400)
    scols = [c[:rows] for c in cols]
    lib = ScreeningLibrary(build_library(priors.terms, len(cols))[:max_library], scols)
    options: list[Option] = []
    quick = Data(np.ascontiguousarray(data.XT[:, :rows]), ys[:rows])
    for fac in factors:
        if fac is None:
            w = ys
        else:
            m = evaluate(fac, cols)
            if m is None or not np.all(m != 0):
                continue
            with np.errstate(all="ignore"):
                w = ys / m
        options += _screen(fac, w, priors, lib, scols, rows, deadline)
    # the targets most promising by library sums or by a log-log fit (and y itself) also get
    # power-law seeds
    by_log = sorted(options, key=lambda o: o.misfit)[:_POWER_LAW_OPTIONS]
    options.sort(key=lambda o: o.score)
    chosen = options[:_POWER_LAW_OPTIONS] + by_log + [o for o in options if o.is_main]
    chosen = list({id(o): o for o in chosen}.values())
    for opt in chosen:  # (a power law of z - shift: the scaling a*f + b gives the shift back)
        found = monomial_candidates(cols, opt.z - opt.shift, max_candidates=4, max_abs_exp=mx)
        laws = [(t, []) for _, t in found]
        if laws:
            q = Data(quick.XT, opt.z[:rows])
            opt.score = min(opt.score, float(np.min(score_many([t for t, _ in laws], None, q).loss)))
        opt.seeds[:0] = laws
    # the most promising targets also try two-part sums: a term plus a power law of the rest
    # (and y over a clean factor: P * (x_k + power law) when P's exponents are clean integers)
    over_clean = {id(o): o for o in options if o.factor in cleans and o.transform.name == "id"}
    two = list(over_clean.values())
    two += [o for o in options[:_TWO_PART_OPTIONS] if id(o) not in over_clean]
    for opt in two:
        if deadline is not None and time.perf_counter() > deadline:
            break
        parts = _two_part(opt.z[:rows], scols, opt.seeds, lib, mx, variables=id(opt) in over_clean)
        for nm, toks, cs in parts:
            opt.seeds.append((toks, cs))
            opt.score = min(opt.score, nm * _TERM_PENALTY**2)
    options.sort(key=lambda o: o.score)
    out = [main]
    for opt in options:
        if opt.is_main:
            main.seeds, main.quick = opt.seeds, opt.score
        elif len(out) <= n_extra:
            tgt = Target(opt.factor, opt.transform, Data(data.XT, opt.z), max_complexity, lm_rows)
            tgt.seeds, tgt.quick = opt.seeds, opt.score
            out.append(tgt)
    return out, list(lib.terms)


def seed_expressions(
    data: Data,
    max_library: int = 1000,
    priors: Priors = GENERAL,
    *,
    n_targets: int = 3,
    per_target: int = 4,
    deadline: float | None = None,
) -> list[tuple[Tokens, list[float]]]:
    """Quick candidates for ``data.y`` (for engines that want a head start, e.g. the neural
    engine): the best power laws and sums of up to three library terms of ``y``, then the best
    ``per_target`` seeds of the ``n_targets`` transformed targets that screening ranks first,
    each mapped back to a model of ``y`` (``M * T^-1(a*f + b)``, its constants as starts)."""
    cols = data.cols
    found = monomial_candidates(
        cols, data.y, max_candidates=6, max_abs_exp=priors.max_abs_exponent
    )
    out: list[tuple[Tokens, list[float]]] = [(t, []) for _, t in found]
    rows = min(data.n, 400)
    terms = build_library(priors.terms, len(cols))[:max_library]
    lib = ScreeningLibrary(terms, [c[:rows] for c in cols])
    with np.errstate(all="ignore"):
        out += [(t, list(c)) for _, t, c in lib.forward(data.y[:rows])]
    if n_targets <= 0:
        return out
    targets, _ = make_targets(
        data, found, 40, n_targets, max_library=max_library, deadline=deadline, priors=priors
    )
    for tgt in targets[1:]:
        seeds = tgt.seeds[:per_target]
        if not seeds:
            continue
        sc = score_many([t for t, _ in seeds], [c for _, c in seeds], tgt.scorer.data)
        for (toks, cs), loss, a, b in zip(seeds, sc.loss, sc.a, sc.b, strict=True):
            if np.isfinite(loss):
                full, fc = tgt.to_full(toks, cs, float(a), float(b))
                out.append((full, fc.tolist()))
    return out
