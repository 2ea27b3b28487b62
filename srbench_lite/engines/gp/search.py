"""The GP search loop: islands of age-regularised evolution around a per-size hall of fame.

One *generation* is every island producing ``population_size`` children. A child comes from
a tournament winner (adjusted loss: NMSE times a penalty for over-represented sizes, PySR's
adaptive parsimony) by one mutation, or by crossover with a second winner; it is simplified
(:func:`~srbench_lite.engines.common.rules.simplify_tokens`, scaling stripped), scored on a row
subsample with linear scaling, sometimes constant-fitted by LM, and replaces the island's
oldest member. Every generation the best members migrate between islands and hall-of-fame
entries are re-injected. At the end the hall of fame is refitted (LM) and re-scored on all rows.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from srbench_lite.engines.common.constants import fit_constants, polish_constants
from srbench_lite.engines.common.evaluate import columns, evaluate
from srbench_lite.engines.common.front import Entry, ParetoFront
from srbench_lite.engines.common.rules import simplify_tokens
from srbench_lite.engines.common.scaling import linear_scale
from srbench_lite.engines.common.snap import prune_terms, snap_constants
from srbench_lite.engines.common.tokens import CONST, is_variable
from srbench_lite.engines.gp.monomial import monomial_candidates, monomial_tokens
from srbench_lite.engines.gp.variation import OperatorSet, crossover, mutate, random_tree

__all__ = ["SearchConfig", "SearchResult", "refit_front", "run_search"]


@dataclass
class SearchConfig:
    operators: tuple[str, ...]
    population_size: int = 48
    n_islands: int = 6
    tournament_size: int = 6
    max_complexity: int = 35
    p_crossover: float = 0.1
    p_optimize: float = 0.1
    subsample: int = 500
    migration_size: int = 4
    adaptive_parsimony: float = 40.0
    early_stop_loss: float | None = 1e-16
    monomial_pass: bool = True
    n_extra_targets: int = 3
    refit_rows: int = 2000


@dataclass
class SearchResult:
    front: ParetoFront
    generations: int
    evaluations: int
    stopped: str
    info: dict = field(default_factory=dict)


class _Ind:
    __slots__ = ("tokens", "consts", "loss", "optimized")

    def __init__(self, tokens, consts, loss, optimized=False):
        self.tokens = tokens
        self.consts = consts
        self.loss = loss
        self.optimized = optimized


class _Scorer:
    """NMSE with linear scaling on the search subsample, cached for constant-free trees."""

    def __init__(self, cols, y):
        self.cols = cols
        self.y = y
        self.n = len(y)
        self.yc = y - y.mean()
        self.yy = float(self.yc @ self.yc)
        self.var = self.yy / self.n or 1.0
        self.cache: dict[tuple, tuple[float, float, float]] = {}
        self.evaluations = 0

    def score(self, tokens, consts) -> tuple[float, float, float]:
        if not consts.size:
            hit = self.cache.get(tokens)
            if hit is not None:
                return hit
        self.evaluations += 1
        pred = evaluate(tokens, self.cols, consts)
        if pred is None:
            out = (math.inf, 1.0, 0.0)
        else:
            out = self._scaled(pred)
        if not consts.size:
            self.cache[tokens] = out
        return out

    def _scaled(self, pred: np.ndarray) -> tuple[float, float, float]:
        """Closed-form scaled SSE; exact residuals when the fit is near-perfect."""
        pm = pred.sum() / self.n
        dp = pred - pm
        with np.errstate(all="ignore"):
            var = float(dp @ dp)
            cov = float(dp @ self.yc)
        if not (math.isfinite(var) and math.isfinite(cov)) or var <= 1e-300:
            return (1.0, 0.0, float(self.y.mean()))
        a = cov / var
        sse = self.yy - cov * a
        if sse < 1e-8 * self.yy:  # cancellation: compute the residuals
            a, b, mse = linear_scale(pred, self.y)
            return (mse / self.var, a, b)
        return (max(sse, 0.0) / self.yy, a, float(self.y.mean() - a * pm))


_INVERSE = {  # transform T of the target -> what wraps the fitted affine a*f+b back into y/M
    "id": (),
    "inv": ("inv",),
    "square": ("sqrt",),
    "inv_square": ("inv", "sqrt"),
    "log": ("exp",),
}


class _Target:
    """What a group of islands fits: ``T(y / M(x))`` for a power law ``M`` (or none) and a
    transform ``T`` (identity, 1/w, w², 1/w², log|w|).

    A model ``a*f + b`` of the target is offered to the main front as
    ``M * T^-1(c0 + c1*f)`` with ``c0 = b, c1 = a`` as fitted placeholders.
    """

    def __init__(self, factor, transform, cols, z, max_complexity):
        self.factor = factor  # tokens of M, or None
        self.transform = transform
        self.scorer = _Scorer(cols, z)
        self.front = ParetoFront(max_complexity)
        rows = min(len(z), 64)
        self.lm_cols = [c[:rows] for c in cols]
        self.lm_y = z[:rows]
        self.simp_cache: dict[tuple, tuple] = {}
        self.quick = math.inf  # best loss of the screening library
        self.seeds: list[tuple[tuple[str, ...], list[float]]] = []

    @property
    def is_main(self) -> bool:
        return self.factor is None and self.transform == "id"

    def to_full(self, tokens, consts, a: float, b: float):
        """Tokens and constants of the model of ``y`` that this target's model implies."""
        if self.is_main:
            return tuple(tokens), np.asarray(consts, dtype=np.float64)
        toks = (
            "add",
            CONST,
            "mul",
            CONST,
            *tokens,
        )
        cs = [b, a, *consts]
        toks = (*_INVERSE[self.transform], *toks)
        if self.factor is not None:
            toks = ("mul", *self.factor, *toks)
        return toks, np.asarray(cs, dtype=np.float64)


def _transformed(w: np.ndarray, transform: str) -> np.ndarray | None:
    same_sign = bool(np.all(w > 0) or np.all(w < 0))
    with np.errstate(all="ignore"):
        if transform == "id":
            z = w
        elif transform == "inv":
            z = 1.0 / w if np.all(w != 0) else None
        elif transform == "square":
            z = w * w if same_sign else None
        elif transform == "inv_square":
            z = 1.0 / (w * w) if same_sign else None
        else:
            z = np.log(np.abs(w)) if same_sign else None
    if z is None or not np.isfinite(z).all() or not np.var(z) > 0:
        return None
    return z


def _library(d: int) -> list[tuple[str, ...]]:
    """Small expressions for screening targets: x, x², √x, 1/x, e^x, cos x, x/y, (x/y)², x²/y,
    x·y, x±y, x²±y², (x-y)², sin x."""
    out: list[tuple[str, ...]] = []
    for i in range(d):
        xi = f"x{i}"
        out += [(xi,), ("square", xi), ("sqrt", xi), ("inv", xi), ("exp", xi), ("cos", xi)]
        out += [("sin", xi)]
        for j in range(d):
            if i == j:
                continue
            xj = f"x{j}"
            out += [("div", xi, xj), ("square", "div", xi, xj), ("div", "square", xi, xj)]
            if i < j:
                out += [("mul", xi, xj), ("sub", xi, xj), ("add", xi, xj)]
                out += [("sub", "square", xi, "square", xj), ("add", "square", xi, "square", xj)]
                out += [("square", "sub", xi, xj)]
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


class _Library:
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

    def forward(self, z: np.ndarray, max_terms: int = 3, n_pairs: int = 6):
        """Best sums of 1, 2 and 3 non-sum library terms for ``z`` (least squares with an
        intercept): every single term and every pair in closed form from the Gram matrix,
        then the best third term for each of the ``n_pairs`` best pairs. Returns
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
            with np.errstate(all="ignore"):
                det = np.outer(gd, gd) - G * G
                expl = np.outer(bz * bz, gd) - 2 * G * np.outer(bz, bz) + np.outer(gd, bz * bz)
                expl = expl / det
            ok = np.outer(atomic, atomic) & (det > 1e-10 * np.outer(gd, gd))
            np.fill_diagonal(ok, False)
            expl = np.where(ok & np.isfinite(expl), expl, -np.inf)
            flat = np.argsort(-expl, axis=None)[: 2 * n_pairs]
            pairs = []
            for f in flat:
                i, j = divmod(int(f), L)
                if i < j and np.isfinite(expl[i, j]):
                    pairs.append((zz - float(expl[i, j]), [i, j]))
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


def _make_targets(cols, ys, cands, max_complexity, n_extra, max_library: int = 600):
    """The main target plus the ``n_extra`` transformed/divided targets that the screening
    library fits best (sums of up to three library terms, and power laws of the target);
    each target keeps its best screening expressions as seeds."""
    main = _Target(None, "id", cols, ys, max_complexity)
    d = len(cols)
    factors: list = [None] + [t for loss, t in cands if loss >= 1e-20 and t != ("1",)][:2]
    if cands and cands[0][0] >= 1e-20:
        exps = _exponents(cands[0][1], d)
        if exps is not None and np.any(np.trunc(exps) != 0):
            strong = monomial_tokens(np.trunc(exps))  # the variables with |exponent| >= 1
            if strong not in factors:
                factors.append(strong)
        factors += [f for f in _single_factors(cands[0][1], d) if f not in factors][:8]
    rows = min(len(ys), 400)
    scols = [c[:rows] for c in cols]
    lib = _Library(_library(d)[:max_library], scols)
    options = []
    for fac in factors:
        if fac is None:
            w = ys
        else:
            m = evaluate(fac, cols)
            if m is None or not np.all(m != 0):
                continue
            with np.errstate(all="ignore"):
                w = ys / m
        for tr in _INVERSE:
            z = _transformed(w, tr)
            if z is None:
                continue
            seeds = [(t, []) for _, t in monomial_candidates(cols, z, max_candidates=4)]
            quick = _Scorer(scols, z[:rows])
            score = min((quick.score(t, np.zeros(0))[0] for t, _ in seeds), default=math.inf)
            for nm, toks, cs in lib.forward(z[:rows]):
                seeds.append((toks, cs))
                score = min(score, nm)
            options.append((score, fac, tr, z, seeds))
    options.sort(key=lambda o: o[0])
    out = [main]
    for score, fac, tr, z, seeds in options:
        if fac is None and tr == "id":
            main.seeds, main.quick = seeds, score
        elif len(out) <= n_extra:
            tgt = _Target(fac, tr, cols, z, max_complexity)
            tgt.seeds, tgt.quick = seeds, score
            out.append(tgt)
    return out, [t for t in lib.terms]


def run_search(
    X: np.ndarray,
    y: np.ndarray,
    config: SearchConfig,
    rng: np.random.Generator,
    *,
    deadline: float | None,
    generations: int | None,
) -> SearchResult:
    """Search until ``deadline`` (a ``time.perf_counter()`` value) or ``generations``."""
    n, d = X.shape
    ops = OperatorSet.build(config.operators, d)
    idx = rng.choice(n, size=config.subsample, replace=False) if n > config.subsample else None
    Xs = X if idx is None else X[idx]
    ys = y if idx is None else y[idx]
    cols = columns(Xs)
    main = _Target(None, "id", cols, ys, config.max_complexity)
    scorer = main.scorer
    front = main.front  # the hall of fame of models of y

    freq = np.ones(config.max_complexity + 2)
    best_loss = math.inf
    stop_reason = "generations"

    def out_of_time() -> bool:
        return deadline is not None and time.perf_counter() > deadline

    def make(tgt: _Target, tokens, consts, optimize=False) -> _Ind | None:
        if consts.size:
            toks, c = simplify_tokens(tokens, consts, strip_scaling=True)
        else:
            hit = tgt.simp_cache.get(tokens)
            if hit is None:
                hit = simplify_tokens(tokens, consts, strip_scaling=True)
                if len(tgt.simp_cache) < 200_000:
                    tgt.simp_cache[tokens] = hit
            toks, c = hit
        if len(toks) > config.max_complexity:
            return None
        if not any(is_variable(t) for t in toks):
            toks, c = ("x0",), np.zeros(0)  # constants carry no information under scaling
        loss, _, _ = tgt.scorer.score(toks, c)
        ind = _Ind(toks, c, loss)
        if c.size and math.isfinite(loss) and (optimize or tgt.front.would_accept(loss, len(toks))):
            fit = polish_constants(ind.tokens, ind.consts, tgt.lm_cols, tgt.lm_y, iters=5)
            if np.isfinite(fit.loss):
                loss2, _, _ = tgt.scorer.score(ind.tokens, fit.consts)
                if loss2 < ind.loss:
                    ind.consts, ind.loss = fit.consts, loss2
            ind.optimized = True
        return ind

    def offer_main(tokens, consts, loss) -> None:
        nonlocal best_loss
        if front.would_accept(loss, len(tokens)):
            _, a, b = scorer.score(tokens, consts)
            front.update(Entry(tokens, consts.copy(), loss, a=a, b=b))
            best_loss = min(best_loss, loss)

    def offer(tgt: _Target, ind: _Ind) -> None:
        if tgt is main:
            offer_main(ind.tokens, ind.consts, ind.loss)
            return
        if not tgt.front.would_accept(ind.loss, len(ind.tokens)):
            return
        _, a, b = tgt.scorer.score(ind.tokens, ind.consts)
        tgt.front.update(Entry(ind.tokens, ind.consts.copy(), ind.loss, a=a, b=b))
        full, cs = tgt.to_full(ind.tokens, ind.consts, a, b)
        full, cs = simplify_tokens(full, cs, strip_scaling=True)
        if len(full) <= config.max_complexity:
            loss, _, _ = scorer.score(full, cs)
            offer_main(full, cs, loss)

    # seeds: power laws, the variables, a screening library; targets to spread islands over
    seeds: list[_Ind] = []
    cands = monomial_candidates(cols, ys) if config.monomial_pass else []
    for _, toks in cands:
        ind = make(main, toks, np.zeros(0))
        if ind is not None:
            seeds.append(ind)
    for i in range(d):
        seeds.append(make(main, (f"x{i}",), np.zeros(0)))
    targets = [main]
    lib: list[tuple[str, ...]] = []
    if config.n_extra_targets > 0:
        found, lib = _make_targets(cols, ys, cands, config.max_complexity, config.n_extra_targets)
        targets = [main] + found[1:]
        main.seeds, main.quick = found[0].seeds, found[0].quick
    for s_ in seeds:
        offer(main, s_)

    # islands: half fit y; the others the extra targets, round robin
    n_isl = max(config.n_islands, len(targets))
    n_main = n_isl - (len(targets) - 1) if len(targets) == 1 else max(1, n_isl // 2)
    island_target: list[_Target] = [main] * n_main
    extra = targets[1:]
    while len(island_target) < n_isl and extra:
        island_target.append(extra[(len(island_target) - n_main) % len(extra)])
    n_isl = len(island_target)
    islands: list[list[_Ind]] = []
    for k in range(n_isl):
        tgt = island_target[k]
        pop: list[_Ind] = []
        if tgt is main:
            pop = [s_ for j, s_ in enumerate(seeds) if j % n_main == k]
        cand = [make(tgt, t, np.zeros(0)) for t in (lib if tgt is not main else [])]
        cand += [make(tgt, t, np.asarray(c, dtype=np.float64), optimize=True) for t, c in tgt.seeds]
        cand = [c for c in cand if c is not None and math.isfinite(c.loss)]
        for ind in sorted(cand, key=lambda i: i.loss)[: config.population_size // 2]:
            pop.append(ind)
            offer(tgt, ind)
        while len(pop) < config.population_size:
            t, c = random_tree(rng, ops, int(rng.integers(1, 4)))
            ind = make(tgt, t, np.asarray(c))
            if ind is not None:
                pop.append(ind)
                offer(tgt, ind)
        islands.append(pop[: config.population_size])
    oldest = [0] * n_isl

    def key(ind: _Ind) -> float:
        return ind.loss * math.exp(config.adaptive_parsimony * freq[len(ind.tokens)] / freq.sum())

    def tournament(pop: list[_Ind]) -> _Ind:
        picks = rng.integers(len(pop), size=config.tournament_size)
        return min((pop[i] for i in picks), key=key)

    gen = 0
    children = 0
    early_stop_at: int | None = None
    done = False
    while not done:
        if generations is not None and gen >= generations:
            break
        for k, pop in enumerate(islands):
            tgt = island_target[k]
            peers = [j for j in range(n_isl) if island_target[j] is tgt]
            for _ in range(config.population_size):
                parent = tournament(pop)
                if rng.random() < config.p_crossover:
                    other = tournament(islands[peers[int(rng.integers(len(peers)))]])
                    t, c = crossover(
                        rng,
                        (parent.tokens, list(parent.consts)),
                        (other.tokens, list(other.consts)),
                    )
                else:
                    t, c = mutate(rng, ops, parent.tokens, list(parent.consts))
                # fit new constants (random at birth) and a share of the others
                child = make(
                    tgt,
                    t,
                    np.asarray(c, dtype=np.float64),
                    optimize=len(c) > len(parent.consts) or rng.random() < config.p_optimize,
                )
                children += 1
                if child is None or not math.isfinite(child.loss):
                    continue
                freq[len(child.tokens)] += 1
                pop[oldest[k]] = child
                oldest[k] = (oldest[k] + 1) % len(pop)
                offer(tgt, child)
                if (children & 15) == 0 and out_of_time():
                    stop_reason = "time"
                    done = True
                    break
            if done:
                break
        if done:
            break
        gen += 1
        if freq.sum() > 20 * config.population_size * n_isl:
            freq = freq * 0.5 + 0.5
        # migration within each target group: a neighbour's best and hall-of-fame entries
        for k, pop in enumerate(islands):
            tgt = island_target[k]
            peers = [j for j in range(n_isl) if island_target[j] is tgt]
            nxt = peers[(peers.index(k) + 1) % len(peers)]
            donors = [min(islands[nxt], key=lambda i: i.loss)] if nxt != k else []
            entries = tgt.front.entries()
            if entries:
                for j in rng.integers(len(entries), size=config.migration_size):
                    e = entries[int(j)]
                    donors.append(_Ind(e.tokens, e.consts.copy(), e.loss, True))
            for dnr in donors:
                pop[int(rng.integers(len(pop)))] = _Ind(
                    dnr.tokens, dnr.consts.copy(), dnr.loss, dnr.optimized
                )
        # polish the constants of new hall-of-fame entries on the whole subsample
        for tgt in targets:
            for e in tgt.front.entries():
                if e.consts.size and not e.meta.get("polished"):
                    e.meta["polished"] = True
                    fit = fit_constants(
                        e.tokens, e.consts, tgt.scorer.cols, tgt.scorer.y, max_nfev=50
                    )
                    loss, _, _ = tgt.scorer.score(e.tokens, fit.consts)
                    if loss < e.loss:
                        offer(tgt, _Ind(e.tokens, fit.consts, loss, True))
                        new = tgt.front.best.get(len(e.tokens))
                        if new is not None:
                            new.meta["polished"] = True
        if config.early_stop_loss is not None and best_loss < config.early_stop_loss:
            # keep going a little to find a simpler equivalent, then stop
            if early_stop_at is None:
                early_stop_at = gen
            elif gen - early_stop_at >= 3:
                stop_reason = "early_stop"
                break
        if out_of_time():
            stop_reason = "time"
            break
    return SearchResult(
        front,
        gen,
        sum(t.scorer.evaluations for t in targets),
        stop_reason,
        {"children": children, "subsample": len(ys), "targets": len(targets)},
    )


def refit_front(
    front: ParetoFront,
    X: np.ndarray,
    y: np.ndarray,
    rng: np.random.Generator,
    rows: int,
    deadline: float | None = None,
) -> ParetoFront:
    """Refit every entry's constants (LM on up to ``rows`` rows) and re-score it on all rows
    (loss = NMSE); returns a new front."""
    n = len(y)
    idx = rng.choice(n, size=rows, replace=False) if n > rows else slice(None)
    fit_cols = columns(X[idx])
    fit_y = y[idx]
    all_cols = columns(X)
    var = float(np.var(y)) or 1.0
    out = ParetoFront(front.max_complexity)
    for e in front.entries():
        consts = e.consts
        if consts.size and (deadline is None or time.perf_counter() < deadline):
            consts = fit_constants(e.tokens, consts, fit_cols, fit_y, max_nfev=30).consts
        variants = [(e.tokens, consts)]
        if consts.size and (deadline is None or time.perf_counter() < deadline):
            snapped = snap_constants(e.tokens, consts, fit_cols, fit_y)
            variants.append(snapped)
            if e.loss < 1e-6 and (deadline is None or time.perf_counter() < deadline):
                pruned = prune_terms(*snapped, fit_cols, fit_y)
                if pruned[1].size:
                    pruned = snap_constants(*pruned, fit_cols, fit_y)
                variants.append(pruned)
        for toks, cs in variants:
            pred = evaluate(toks, all_cols, cs)
            if pred is None:
                continue
            a, b, mse = linear_scale(pred, y)
            out.update(Entry(toks, cs, mse / var, a=a, b=b))
    return out
