"""Screening before evolution: which transformed targets are worth islands of their own.

A library of small expressions (``x``, ``x²``, ``√x``, ``1/x``, ``e^x``, ``cos x``, ``x/y``,
``x·y``, ``x±y`` ...) is evaluated once on a few hundred rows; for each candidate target
``T(y / M)`` (``M`` from the power-law pass, ``T`` from :data:`.targets.INVERSE`) the best sums
of up to three library terms are found in closed form (:meth:`Library.forward`). The targets
that such sums fit best get islands; their best sums seed them.
"""

from __future__ import annotations

import math
import time

import numpy as np

from srbench_lite.engines.common.batch import Data, score_many
from srbench_lite.engines.common.evaluate import evaluate
from srbench_lite.engines.common.tokens import CONST
from srbench_lite.engines.gp.monomial import (
    clean_factor,
    monomial_candidates,
    monomial_tokens,
    power_law_exponents,
    sign_factor,
)
from srbench_lite.engines.gp.targets import INVERSE, SCALED, Target, transformed

__all__ = ["Library", "lorentz_factors", "make_targets", "seed_expressions"]

_LORENTZ_PAIRS = 4  # variable pairs (a, b) with |a| < |b| that get sqrt(1 - a²/b²) factors
_SCALED_DIFF_MAX_D = 6  # ((x - y) / z)² library terms up to this many variables (60 terms)
_PAIR_ROWS = 60  # pairs are searched among those with one of the best single terms
_POWER_LAW_OPTIONS = 12  # targets (best first by library sums) that get power-law seeds
_TWO_PART_FIRSTS = 6  # library terms tried as the first part of a two-part sum
_TWO_PART_OPTIONS = 6  # targets (best first) that also try a term plus a power law

#: screening ranks a target by its best loss times this per library term used (fewer terms win
#: among fits at the noise level)
_TERM_PENALTY = 3.0


def _library(d: int) -> list[tuple[str, ...]]:
    """Small expressions for screening targets: x, x², √x, 1/x, 1/x², e^x, log x, cos x, sin x,
    cos² x, sin² x, x/y, (x/y)², x²/y, x·cos y, x·sin y, x·y, x±y, x²±y², (x-y)², cos(x-y),
    cos(x·y), sin(x·y), and ((x-y)/z)² for up to 6 variables (terms undefined on the data are
    dropped)."""
    out: list[tuple[str, ...]] = []
    for i in range(d):
        xi = f"x{i}"
        out += [(xi,), ("square", xi), ("sqrt", xi), ("inv", xi), ("inv", "square", xi)]
        out += [("exp", xi), ("log", xi), ("cos", xi), ("sin", xi)]
        out += [("square", "cos", xi), ("square", "sin", xi)]
        for j in range(d):
            if i == j:
                continue
            xj = f"x{j}"
            out += [("div", xi, xj), ("square", "div", xi, xj), ("div", "square", xi, xj)]
            out += [("mul", xi, "cos", xj), ("mul", xi, "sin", xj)]
            if i < j:
                out += [("mul", xi, xj), ("sub", xi, xj), ("add", xi, xj)]
                out += [("cos", "sub", xi, xj), ("cos", "mul", xi, xj), ("sin", "mul", xi, xj)]
                out += [("sub", "square", xi, "square", xj), ("add", "square", xi, "square", xj)]
                out += [("square", "sub", xi, xj)]
    if d <= _SCALED_DIFF_MAX_D:  # ((x - y) / z)², the exponent of a shifted Gaussian
        for i in range(d):
            for j in range(i + 1, d):
                for k in range(d):
                    if k not in (i, j):
                        out.append(("square", "div", "sub", f"x{i}", f"x{j}", f"x{k}"))
    return out


def _single_factors(tokens: tuple[str, ...], d: int) -> list[tuple[str, ...]]:
    """Each variable's own power from a power law (and its plain first power)."""
    out: list[tuple[str, ...]] = []
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


def lorentz_factors(cols: list[np.ndarray]) -> list[tuple[str, ...]]:
    """``1/sqrt(1 - (a/b)²)`` and ``sqrt(1 - (a/b)²)`` for the variable pairs with ``|a| < |b|``
    on every row (``v`` and ``c`` in relativistic laws), at most :data:`_LORENTZ_PAIRS` of them,
    those with the largest ``|a/b|`` first (where the factor departs most from 1)."""
    pairs = []
    with np.errstate(all="ignore"):
        for i, a in enumerate(cols):
            for j, b in enumerate(cols):
                r = float(np.max(np.abs(a / b))) if i != j else math.inf
                if r < 1.0 - 1e-9:
                    pairs.append((-r, i, j))
    out: list[tuple[str, ...]] = []
    for _, i, j in sorted(pairs)[:_LORENTZ_PAIRS]:
        root = ("sqrt", "sub", "1", "square", "div", f"x{i}", f"x{j}")
        out += [("inv", *root), root]
    return out


def _exponents(tokens: tuple[str, ...], d: int) -> np.ndarray | None:
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


class Library:
    """Values of the screening library on a few rows, centred and normalised once."""

    def __init__(self, lib: list[tuple[str, ...]], cols: list[np.ndarray]):
        terms, values = [], []
        for t in lib:
            v = evaluate(t, cols)
            if v is None:
                continue
            vc = v - v.mean()
            nrm = float(np.sqrt(vc @ vc))
            if not np.isfinite(nrm) or nrm <= 1e-12 * max(1.0, float(np.abs(v).max())):
                continue
            terms.append(t)
            values.append(v)
        self.terms = terms
        self.raw = np.column_stack(values) if values else np.zeros((len(cols[0]), 0))
        self.Fc = self.raw - self.raw.mean(axis=0)
        self.F = self.Fc / np.sqrt((self.Fc * self.Fc).sum(axis=0))
        self.G = self.Fc.T @ self.Fc

    def top_singles(self, z: np.ndarray, k: int) -> list[tuple[str, ...]]:
        """The ``k`` library terms that alone explain most of ``z`` (with an intercept)."""
        if not self.terms:
            return []
        zc = np.asarray(z, dtype=np.float64) - np.mean(z)
        with np.errstate(all="ignore"):
            bz = self.Fc.T @ zc
            single = np.nan_to_num(bz * bz / np.diag(self.G), nan=-np.inf)
        return [self.terms[i] for i in np.argsort(-single)[:k]]

    def forward(self, z: np.ndarray, max_terms: int = 3, n_pairs: int = 6):
        """Best sums of 1, 2 and 3 non-sum library terms for ``z`` (least squares with an
        intercept): every single term, and every pair holding one of the best single terms, in
        closed form from the Gram matrix, then the best third term for each of the ``n_pairs``
        best pairs. Returns
        ``[(nmse, tokens, consts)]`` by number of terms."""
        L = self.F.shape[1]
        if L == 0:
            return []
        z = np.asarray(z, dtype=np.float64)
        zc = z - z.mean()
        zz = float(zc @ zc)
        if not zz > 0:
            return []
        atomic = np.ones(len(self.terms), dtype=bool)  # sums of library terms too
        G = self.G
        bz = self.Fc.T @ zc
        gd = np.diag(G)
        results: list[tuple[float, list[int]]] = []
        single = np.where(atomic, bz * bz / gd, -np.inf)
        i1 = int(np.argmax(single))
        results.append((zz - float(single[i1]), [i1]))
        if max_terms >= 2 and L >= 2:
            # pairs with at least one of the best single terms (rows S), any partner (columns)
            S = np.argsort(-single)[: min(L, _PAIR_ROWS)]
            Gs = G[S]
            with np.errstate(all="ignore"):
                det = np.outer(gd[S], gd) - Gs * Gs
                expl = np.outer(bz[S] ** 2, gd) - 2 * Gs * np.outer(bz[S], bz)
                expl = (expl + np.outer(gd[S], bz * bz)) / det
            ok = det > 1e-10 * np.outer(gd[S], gd)
            ok[np.arange(len(S)), S] = False
            expl = np.where(ok & np.isfinite(expl), expl, -np.inf)
            k = min(4 * n_pairs, expl.size - 1)
            top = np.argpartition(-expl, k, axis=None)[:k]  # the best pairs, in no order
            flat = top[np.argsort(-expl.ravel()[top])]
            pairs, seen = [], set()
            for f in flat:
                a, j = divmod(int(f), L)
                i = int(S[a])
                key = (min(i, j), max(i, j))
                if np.isfinite(expl[a, j]) and key not in seen and len(pairs) < 2 * n_pairs:
                    seen.add(key)
                    pairs.append((zz - float(expl[a, j]), list(key)))
            if pairs:
                results.append(min(pairs))
            if max_terms >= 3:

                def best_with(i: int, j: int) -> tuple[float, int]:
                    Q, _ = np.linalg.qr(self.Fc[:, [i, j]])
                    r = zc - Q @ (Q.T @ zc)
                    Fo = self.Fc - Q @ (Q.T @ self.Fc)
                    nn = (Fo * Fo).sum(axis=0)
                    with np.errstate(all="ignore"):
                        gain = (Fo.T @ r) ** 2 / nn
                    gain[~atomic | (nn < 1e-10 * gd)] = -np.inf
                    gain[[i, j]] = -np.inf
                    k = int(np.argmax(gain))
                    if not np.isfinite(gain[k]):
                        return math.inf, -1
                    return float(r @ r) - float(gain[k]), k

                triples = []
                for _, (i, j) in pairs[:n_pairs]:
                    v, k = best_with(i, j)
                    if k >= 0:
                        triples.append((v, [i, j, k]))
                if triples:
                    v, idx = min(triples)
                    for _round in range(4):  # swap one term at a time while it helps
                        improved = False
                        for pos in range(3):
                            rest = [t for p_, t in enumerate(idx) if p_ != pos]
                            v2, k = best_with(*rest)
                            if k >= 0 and v2 < v * (1 - 1e-9) - 1e-30 * zz:
                                v, idx, improved = v2, [*rest, k], True
                        if not improved or v <= 1e-24 * zz:
                            break
                    results.append((v, idx))
        out = []
        ones = np.ones(len(z))
        for _, idx in results:
            A = np.column_stack([self.raw[:, idx], ones])
            coef, *_ = np.linalg.lstsq(A, z, rcond=None)
            res = A @ coef - z
            toks = self.terms[idx[0]]
            consts: list[float] = []
            for k in range(1, len(idx)):
                toks = ("add", *toks, "mul", CONST, *self.terms[idx[k]])
                consts.append(float(coef[k] / coef[0]) if coef[0] != 0 else 1.0)
            out.append((float(res @ res) / zz, toks, consts))
        return out


def _log_misfit(cols, z) -> float:
    """How far ``log|z|`` is from linear in the ``log|x|`` (residual share; inf if undefined):
    a cheap sign that a power law fits ``z``."""
    real = power_law_exponents(cols, z)
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


#: transforms whose target is also tried as a constant plus a power law (y**2 = 1 + P)
_SHIFTED = ("id", "square", "inv", "inv_square")
_SHIFT_ROWS = 128  # rows for the shift search (the seeds are then fitted on all of them)


def _shifted_misfit(z: np.ndarray, scols, misfit: float) -> tuple[float, float]:
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
            m = _log_misfit(scols, z - b)
            if m < best[0]:
                best = (m, b)
    return best


def _fit_scale(w: np.ndarray, tr: str, scols, rows: int) -> tuple[float, np.ndarray] | None:
    """``(k, A)`` for a transform of :data:`.targets.SCALED` (``A / (e^A - 1) = w / k``,
    ``1 / cosh A = w / k``): the scale ``k`` (just above ``max w``) for which ``A`` is closest
    to a power law, and that ``A``; None if ``w`` is not positive."""
    if not np.all(w > 0):
        return None
    top = float(np.max(w))
    best = None
    for e in np.logspace(-4, 1, 26):
        k = top * (1.0 + float(e))
        z = transformed(w / k, tr)
        if z is None:
            continue
        misfit = _log_misfit(scols, z[:rows])
        if best is None or misfit < best[0]:
            best = (misfit, k, z)
    return None if best is None else (best[1], best[2])


def _two_part(
    z, cols, seeds, lib: Library, variables: bool = False
) -> list[tuple[float, tuple[str, ...], list[float]]]:
    """``t + c*M``: for the best power law and the best library terms ``t`` of ``z`` (and each
    variable when ``variables``), the best power law ``M`` of what ``t`` leaves (``(m1 H + m2
    a M) / (k T)``-like laws: sums whose terms are power laws of different variables).
    Returns ``[(nmse, tokens, consts)]``."""
    firsts = [t for t, c in seeds[:1] if not c]  # the best power law
    firsts += lib.top_singles(z, _TWO_PART_FIRSTS)
    if variables:  # H + a*M/c**2
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
        rest = monomial_candidates(cols, z - coef[0] * v, max_candidates=1)
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


def make_targets(
    data: Data,
    cands: list[tuple[float, tuple[str, ...]]],
    max_complexity: int,
    n_extra: int,
    *,
    lm_rows: int = 128,
    max_library: int = 1000,
    deadline: float | None = None,
) -> tuple[list[Target], list[tuple[str, ...]]]:
    """The main target plus the ``n_extra`` transformed/divided targets that the screening
    library fits best (sums of up to three library terms, and power laws of the target);
    each target keeps its best screening expressions as seeds. Also returns the library."""
    cols, ys = data.cols, data.y
    main = Target(None, "id", data, max_complexity, lm_rows)
    d = len(cols)
    factors: list = [None] + [t for loss, t in cands if loss >= 1e-20 and t != ("1",)][:2]
    if cands and cands[0][0] >= 1e-20:
        exps = _exponents(cands[0][1], d)
        if exps is not None and np.any(np.trunc(exps) != 0):
            strong = monomial_tokens(np.trunc(exps))  # the variables with |exponent| >= 1
            if strong not in factors:
                factors.append(strong)
        factors += [f for f in _single_factors(cands[0][1], d) if f not in factors][:8]
    cleans: list[tuple[str, ...]] = []
    for tol in (0.3, 0.08):  # strictly clean exponents first; loosely integer ones too
        clean = clean_factor(cols, ys, tol)
        if clean is not None:
            cleans.append(clean)
            if clean not in factors:
                factors.insert(1, clean)
    signed = sign_factor(cols, ys)  # y = g(x_j) * power law, g changing sign
    if signed is not None and signed not in factors:
        factors.insert(1, signed)
    factors[1:1] = lorentz_factors(cols)  # y = (x - u t) / sqrt(1 - u²/c²)
    rows = min(len(ys), 400)
    scols = [c[:rows] for c in cols]
    lib = Library(_library(d)[:max_library], scols)
    options = []
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
        for tr in INVERSE:
            if deadline is not None and time.perf_counter() > deadline:
                break
            tfac = fac
            if tr in SCALED:  # w up to a scale: the one that makes A a power law
                scaled = _fit_scale(w, tr, scols, rows)
                if scaled is None:
                    continue
                k, z = scaled
                tfac = (repr(k),) if fac is None else ("mul", repr(k), *fac)
            else:
                z = transformed(w, tr)
            if z is None:
                continue
            with np.errstate(all="ignore"):  # huge targets only give useless (inf) fits
                fits = lib.forward(z[:rows])
            seeds = [(toks, cs) for _, toks, cs in fits]
            score = min(
                (nm * _TERM_PENALTY ** (k + 1) for k, (nm, _, _) in enumerate(fits)),
                default=math.inf,
            )
            misfit, shift = _log_misfit(scols, z[:rows]), 0.0
            if tr in _SHIFTED:
                misfit, shift = _shifted_misfit(z[:rows], scols, misfit)
            options.append([score, tfac, tr, z, seeds, misfit, shift])
    # the targets most promising by library sums or by a log-log fit (and y itself) also get
    # power-law seeds
    by_log = sorted(options, key=lambda o: o[5])[:_POWER_LAW_OPTIONS]
    options.sort(key=lambda o: o[0])
    chosen = options[:_POWER_LAW_OPTIONS]
    chosen += by_log
    chosen += [o for o in options if o[1] is None and o[2] == "id"]
    chosen = list({id(o): o for o in chosen}.values())
    for opt in chosen:  # (a power law of z - shift: the scaling a*f + b gives the shift back)
        laws = [(t, []) for _, t in monomial_candidates(cols, opt[3] - opt[6], max_candidates=4)]
        if laws:
            q = Data(quick.XT, opt[3][:rows])
            opt[0] = min(opt[0], float(np.min(score_many([t for t, _ in laws], None, q).loss)))
        opt[4][:0] = laws
    # the most promising targets also try two-part sums: a term plus a power law of the rest
    # (and y over a clean factor: m H / (k T) + m a M / (e c**2 k T) is m/(k T) * (H + power law))
    over_clean = {id(o): o for o in options if o[1] in cleans and o[2] == "id"}
    two = list(over_clean.values())
    two += [o for o in options[:_TWO_PART_OPTIONS] if id(o) not in over_clean]
    for opt in two:
        if deadline is not None and time.perf_counter() > deadline:
            break
        parts = _two_part(opt[3][:rows], scols, opt[4], lib, variables=id(opt) in over_clean)
        for nm, toks, cs in parts:
            opt[4].append((toks, cs))
            opt[0] = min(opt[0], nm * _TERM_PENALTY**2)
    options.sort(key=lambda o: o[0])
    out = [main]
    for score, fac, tr, z, seeds, *_ in options:
        if fac is None and tr == "id":
            main.seeds, main.quick = seeds, score
        elif len(out) <= n_extra:
            tgt = Target(fac, tr, Data(data.XT, z), max_complexity, lm_rows)
            tgt.seeds, tgt.quick = seeds, score
            out.append(tgt)
    return out, list(lib.terms)


def seed_expressions(
    data: Data, max_library: int = 1000
) -> list[tuple[tuple[str, ...], list[float]]]:
    """Quick candidates for ``data.y`` itself: the best power laws and the best sums of up to
    three library terms (for engines that want a head start, e.g. the neural engine)."""
    cols = data.cols
    out: list[tuple[tuple[str, ...], list[float]]] = [
        (t, []) for _, t in monomial_candidates(cols, data.y, max_candidates=6)
    ]
    rows = min(data.n, 400)
    lib = Library(_library(len(cols))[:max_library], [c[:rows] for c in cols])
    with np.errstate(all="ignore"):
        out += [(t, list(c)) for _, t, c in lib.forward(data.y[:rows])]
    return out
