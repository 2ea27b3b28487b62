"""Evolution state: islands of age-regularised evolution, bred and scored a batch at a time.

Each island belongs to a :class:`~.targets.Target` (the main target ``y`` or a transformed
one). One :meth:`Evolution.step` breeds ``batch`` children on every island: parents by
tournament on the adjusted loss (NMSE times a penalty for over-represented sizes, PySR's
adaptive parsimony), one mutation or a crossover with a parent from a sibling island; the
children are simplified (scaling stripped), scored together in one batch call, partly
constant-fitted by LM (new constants, and a random share), and replace the island's oldest
members. Good children enter their target's hall of fame; models of other targets are mapped
back to models of ``y`` and offered to the main hall of fame. Between steps the best members
migrate, hall-of-fame entries are re-injected, new hall-of-fame entries are polished, and an
island that has not improved for ``stall_generations`` is restarted.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import numpy as np

from srbench_lite.engines.common.batch import Batch
from srbench_lite.engines.common.front import Entry, ParetoFront
from srbench_lite.engines.common.simplify_many import BatchSimplifier
from srbench_lite.engines.gp.island import Island
from srbench_lite.engines.gp.priors import GENERAL, Priors
from srbench_lite.engines.gp.targets import LM_ROWS, Target
from srbench_lite.engines.gp.variation import OperatorSet, crossover, mutate, random_tree

__all__ = ["SearchConfig", "Evolution", "Island"]


@dataclass
class SearchConfig:
    """Settings of the GP search (:func:`.search.run_search`) and its evolution, one object.

    ``operators``: operator tokens; ``population_size``: members per island; ``n_islands``;
    ``tournament_size``: members per parent tournament; ``max_complexity``: most tokens a
    program may have; ``p_crossover``: share of children by crossover; ``p_optimize``: share of
    old-constant children that get LM fits anyway; ``subsample``: search rows; ``lm_rows``:
    rows of those that LM fits use; ``lm_iters``: LM iterations per child fit; ``batch``:
    children per island per step (at most ``population_size``); ``migration_size``: hall-of-fame
    members re-injected per island per generation; ``adaptive_parsimony``: strength of the
    penalty on crowded sizes; ``stall_generations``: generations without improvement before an
    island restarts; ``early_stop_loss``: NMSE that counts as a perfect fit (``None``: never
    stop early); ``monomial_pass``: seed with fitted power laws; ``n_extra_targets``:
    transformed targets that get islands; ``priors``: the screening's prior set.
    """

    operators: tuple[str, ...]
    population_size: int = 100
    n_islands: int = 8
    tournament_size: int = 6
    max_complexity: int = 35
    p_crossover: float = 0.1
    p_optimize: float = 0.1
    subsample: int = 256
    lm_rows: int = LM_ROWS
    lm_iters: int = 8
    batch: int = 25
    migration_size: int = 4
    adaptive_parsimony: float = 40.0
    stall_generations: int = 40
    early_stop_loss: float | None = 1e-16
    monomial_pass: bool = True
    n_extra_targets: int = 3
    priors: Priors = GENERAL


def _may_accept(front: ParetoFront, loss: float, size: int) -> bool:
    """Whether ``front`` may take a program of this size whose loss, rescored, equals ``loss``
    to rounding (relative 1e-6, absolute 1e-24: well above the rounding of a scaled NMSE)."""
    return front.would_accept(loss * (1.0 - 1e-6) - 1e-24, size)


def _quantile(v: np.ndarray, q: float) -> float:
    """``np.quantile(v, q)`` (linear interpolation, the same float), by partition, not sort."""
    n = len(v)
    h = (n - 1) * q  # numpy's virtual index for the linear method
    lo = min(max(math.floor(h), 0), n - 1)
    hi = min(lo + 1, n - 1)
    t = h - lo
    part = np.partition(v, (lo, hi) if hi != lo else lo)
    x, y = float(part[lo]), float(part[hi])
    d = y - x
    return y - d * (1 - t) if t >= 0.5 else x + d * t


class Evolution:
    """Islands, their targets' fronts, and the main front of models of ``y``."""

    def __init__(
        self,
        targets: list[Target],
        island_targets: list[Target],
        ops: OperatorSet,
        config: SearchConfig,
        rng: random.Random,
        nprng: np.random.Generator,
    ) -> None:
        self.targets = targets
        self.main = targets[0]
        self.front = self.main.front
        self.ops = ops
        self.cfg = config
        self.rng = rng
        self.nprng = nprng
        self.simplify = BatchSimplifier(strip_scaling=True)
        self.freq = np.ones(config.max_complexity + 2)
        self.islands = [Island(t) for t in island_targets]
        self.generation = 0
        self.children = 0
        self.best_loss = math.inf

    # -- making and scoring children -----------------------------------------------------------

    def _clean(self, pairs) -> tuple[list[tuple[str, ...]], list[np.ndarray], list[bool]]:
        """Simplified programs within the size limit (constant-only ones become ``x0``)."""
        toks_out, consts_out, fresh = [], [], []
        cap = self.cfg.max_complexity
        simple = self.simplify.many([tuple(p[0]) for p in pairs], [p[1] for p in pairs])
        for (t2, c2), (_, _, new_consts) in zip(simple, pairs, strict=True):
            if len(t2) > cap:
                continue
            if not any(tok[0] == "x" for tok in t2):
                t2, c2 = ("x0",), np.zeros(0)
            toks_out.append(t2)
            consts_out.append(c2)
            fresh.append(new_consts)
        return toks_out, consts_out, fresh

    def evaluate(
        self, target: Target, pairs, simplify: bool = True
    ) -> tuple[list, list, np.ndarray, np.ndarray, np.ndarray]:
        """Simplify (unless told not to), score, and LM-fit (new constants, a random share, and
        whatever would enter the hall of fame) a batch of ``(tokens, consts, new_consts)``;
        returns ``(tokens, consts, loss, a, b)``."""
        if simplify:
            toks, consts, fresh = self._clean(pairs)
        else:
            toks, consts, fresh = (
                [p[0] for p in pairs],
                [p[1] for p in pairs],
                [p[2] for p in pairs],
            )
        return self._score(target, toks, consts, fresh)

    def _score(
        self, target: Target, toks: list, consts: list, fresh: list
    ) -> tuple[list, list, np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`evaluate` for programs simplified already (or left as they are)."""
        if not toks:
            return [], [], np.zeros(0), np.zeros(0), np.zeros(0)
        batch = Batch(toks, consts)  # packed once: scored, and a subset fitted
        loss, a, b = target.scorer.score(batch)
        n_const = np.fromiter(map(len, consts), dtype=np.int64, count=len(consts))
        cand = np.flatnonzero((n_const > 0) & np.isfinite(loss))
        sel = []
        if len(cand):
            sizes = np.fromiter(map(len, toks), dtype=np.int64, count=len(toks))
            takes = target.front.accept_mask(loss[cand], sizes[cand]).tolist()
            p_opt, draw = self.cfg.p_optimize, self.rng.random
            # (the same random draws as testing each candidate in turn: one per stale program)
            sel = [
                i
                for i, t in zip(cand.tolist(), takes, strict=True)
                if fresh[i] or draw() < p_opt or t
            ]
        if sel:
            fitted, l2, a2, b2 = target.scorer.fit(batch, sel, self.cfg.lm_iters)
            for j in np.flatnonzero(l2 < loss[sel]).tolist():
                i = sel[j]
                consts[i], loss[i], a[i], b[i] = fitted.consts(j), l2[j], a2[j], b2[j]
        return toks, consts, loss, a, b

    # -- hall of fame ---------------------------------------------------------------------------

    def offer(self, target: Target, toks, consts, loss, a, b) -> None:
        """Offer scored programs to ``target``'s front, and their models of ``y`` to the main
        front."""
        mapped_t, mapped_c = [], []
        for i, t in enumerate(toks):
            if not target.front.would_accept(loss[i], len(t)):
                continue
            target.front.update(Entry(t, consts[i].copy(), float(loss[i]), a=a[i], b=b[i]))
            if target is self.main:
                self.best_loss = min(self.best_loss, float(loss[i]))
            else:
                ft, fc = target.to_full(t, consts[i], a[i], b[i])
                mapped_t.append(ft)
                mapped_c.append(fc)
        if mapped_t:
            pairs = [(t, c, False) for t, c in zip(mapped_t, mapped_c, strict=True)]
            mt, mc, ml, ma, mb = self.evaluate(self.main, pairs)
            self.offer(self.main, mt, mc, ml, ma, mb)

    def seed(self, island: Island, pairs, n_random: int) -> None:
        """Fill ``island`` with the better half of ``pairs`` (scored) and random trees."""
        size = self.cfg.population_size
        target = island.target
        t, c, lv, a, b = self.evaluate(target, [(p, np.asarray(q), True) for p, q in pairs])
        self.offer(target, t, c, lv, a, b)
        pool = [(t[i], c[i], lv[i]) for i in np.argsort(lv, kind="stable") if np.isfinite(lv[i])]
        pool = pool[: size // 2]
        rnd = []
        while len(rnd) < max(size - len(pool), n_random):
            rt, rc = random_tree(self.rng, self.ops, self.rng.randrange(1, 4))
            rnd.append((rt, np.asarray(rc), True))
        t, c, lv, a, b = self.evaluate(target, rnd)
        self.offer(target, t, c, lv, a, b)
        pool += sorted(zip(t, c, lv, strict=True), key=lambda r: not np.isfinite(r[2]))
        pool = pool[:size]
        island.fill([r[0] for r in pool], [r[1] for r in pool], [r[2] for r in pool])
        island.best = float(np.min(island.loss)) if pool else math.inf
        island.best_gen = self.generation

    # -- one generation -------------------------------------------------------------------------

    def _keys(self, island: Island) -> np.ndarray:
        sizes = np.fromiter(map(len, island.tokens), dtype=np.int64, count=len(island.tokens))
        f = self.freq
        return island.loss * np.exp(self.cfg.adaptive_parsimony * f[sizes] / f.sum())

    def _tournament(self, keys: np.ndarray, n: int) -> np.ndarray:
        picks = self.nprng.integers(len(keys), size=(n, self.cfg.tournament_size))
        return picks[np.arange(n), np.argmin(keys[picks], axis=1)]

    def _winner(self, keys: np.ndarray) -> int:
        """One tournament's winner: the same draws and result as ``_tournament(keys, 1)[0]``."""
        row = self.nprng.integers(len(keys), size=(1, self.cfg.tournament_size))[0]
        return int(row[np.argmin(keys[row])])

    def _parent(self, isl: Island, i: int) -> tuple[tuple[str, ...], np.ndarray]:
        """Member ``i``, simplified now if it was not yet (its scaled loss is unchanged)."""
        if not isl.clean[i]:
            isl.tokens[i], isl.consts[i] = self.simplify(isl.tokens[i], isl.consts[i])
            isl.clean[i] = True
        return isl.tokens[i], isl.consts[i]

    def _clean_members(self, isl: Island, picks: list[int]) -> None:
        """Simplify, in one batch, the members ``picks`` of ``isl`` not simplified yet (their
        scaled losses are unchanged)."""
        todo = sorted({i for i in picks if not isl.clean[i]})
        if not todo:
            return
        simple = self.simplify.many([isl.tokens[i] for i in todo], [isl.consts[i] for i in todo])
        for i, (t, c) in zip(todo, simple, strict=True):
            isl.tokens[i], isl.consts[i], isl.clean[i] = t, c, True

    def _under_cap(self, toks, consts, fresh, owner, over):
        """The children without those that simplification does not bring under the size cap
        (children ``over`` are over it before simplification)."""
        cap = self.cfg.max_complexity
        simple = self.simplify.many([toks[i] for i in over], [consts[i] for i in over])
        drop = set()
        for i, (t, c) in zip(over, simple, strict=True):
            if len(t) > cap:
                drop.add(i)
            else:
                toks[i], consts[i] = t, c
        keep = [i for i in range(len(toks)) if i not in drop]
        return ([toks[i] for i in keep], [consts[i] for i in keep], [fresh[i] for i in keep],
                [owner[i] for i in keep])  # fmt: skip

    def breed(self, target: Target) -> None:
        """``batch`` children on every island of ``target``, scored in one batch, replacing
        each island's oldest. Children stay unsimplified until chosen as parents or good
        enough for the hall of fame."""
        isls = [isl for isl in self.islands if isl.target is target and len(isl.tokens)]
        if not isls:
            return
        rng, ops, cfg, simplify = self.rng, self.ops, self.cfg, self.simplify
        cap, p_cross, draw = cfg.max_complexity, cfg.p_crossover, rng.random
        tournament, parent = self._tournament, self._parent
        keys = [self._keys(isl) for isl in isls]
        toks, consts, fresh, owner, over = [], [], [], [], []
        for k, isl in enumerate(isls):
            picks = tournament(keys[k], min(cfg.batch, len(isl.tokens))).tolist()
            self._clean_members(isl, picks)
            for p in picks:
                pt, pc = isl.tokens[p], isl.consts[p]
                if draw() < p_cross:
                    m = rng.randrange(len(isls))
                    qt, qc = parent(isls[m], self._winner(keys[m]))
                    t, c = crossover(rng, (pt, pc.tolist()), (qt, qc.tolist()))
                else:
                    t, c = mutate(rng, ops, pt, pc.tolist())
                if len(t) > cap:  # simplification may bring it back under the cap
                    over.append(len(toks))
                toks.append(t)
                consts.append(np.asarray(c, dtype=np.float64))
                fresh.append(len(c) > len(pc))
                owner.append(k)
        if over:
            toks, consts, fresh, owner = self._under_cap(toks, consts, fresh, owner, over)
        self.children += len(toks)
        toks, consts, loss, a, b = self._score(target, toks, consts, fresh)
        ok = np.flatnonzero(np.isfinite(loss))
        if not len(ok):
            return
        sizes = np.fromiter(map(len, toks), dtype=np.int64, count=len(toks))
        np.add.at(self.freq, sizes[ok], 1)
        owner_ok = np.asarray(owner)[ok]
        slot = np.zeros(len(toks), dtype=np.int64)
        for k, isl in enumerate(isls):
            mine = ok[owner_ok == k]
            if not len(mine):
                continue
            idx = mine.tolist()
            slot[mine] = isl.replace_oldest(
                [toks[i] for i in idx], [consts[i] for i in idx], loss[mine], [False] * len(idx)
            )
            best = float(loss[mine].min())
            if best < isl.best * (1 - 1e-9):
                isl.best, isl.best_gen = best, self.generation
        # the best children and any the hall of fame would take: simplified; those the hall of
        # fame may take (simplification keeps the scaled loss, to rounding) rescored, offered
        front = target.front
        lok = loss[ok]
        good = ok[(lok <= _quantile(lok, 0.2)) | front.accept_mask(lok, sizes[ok])].tolist()
        simple = simplify.many([toks[i] for i in good], [consts[i] for i in good])
        for (st, sc), i in zip(simple, good, strict=True):
            isl, s = isls[owner[i]], int(slot[i])
            if isl.tokens[s] is toks[i]:
                isl.tokens[s], isl.consts[s] = st, sc
                isl.clean[s] = True
        hof = [
            (st, sc)
            for (st, sc), i in zip(simple, good, strict=True)
            if _may_accept(front, loss[i], len(st))
        ]
        if hof:
            st, sc = [t for t, _ in hof], [c for _, c in hof]
            sl, sa, sb = target.scorer.score(Batch(st, sc))
            self.offer(target, st, sc, sl, sa, sb)

    def end_generation(self) -> None:
        """Migration, hall-of-fame re-injection and polish, parsimony decay, restarts."""
        self.generation += 1
        cfg = self.cfg
        if self.freq.sum() > 20 * cfg.population_size * len(self.islands):
            self.freq = self.freq * 0.5 + 0.5
        for k, isl in enumerate(self.islands):
            peers = [j for j, o in enumerate(self.islands) if o.target is isl.target]
            nxt = self.islands[peers[(peers.index(k) + 1) % len(peers)]]
            n = len(isl.tokens)
            if nxt is not isl and len(nxt.tokens):
                j = int(np.argmin(nxt.loss))
                isl.put(self.rng.randrange(n), nxt.tokens[j], nxt.consts[j].copy(), nxt.loss[j])
            entries = isl.target.front.entries()
            for _ in range(cfg.migration_size if entries else 0):
                e = entries[self.rng.randrange(len(entries))]
                isl.put(self.rng.randrange(n), e.tokens, e.consts.copy(), e.loss)
        self._polish_fronts()
        for isl in self.islands:
            if self.generation - isl.best_gen >= cfg.stall_generations:
                self.restart(isl)

    def _polish_fronts(self) -> None:
        """LM on all search rows for hall-of-fame entries not polished yet."""
        for tgt in self.targets:
            todo = [e for e in tgt.front.entries() if e.consts.size and not e.meta.get("polished")]
            if not todo:
                continue
            for e in todo:
                e.meta["polished"] = True
            cs, lv, a, b = tgt.scorer.fit_full([e.tokens for e in todo], [e.consts for e in todo])
            better = [i for i, e in enumerate(todo) if lv[i] < e.loss]
            self.offer(
                tgt,
                [todo[i].tokens for i in better],
                [cs[i] for i in better],
                lv[better],
                a[better],
                b[better],
            )
            for i in better:
                new = tgt.front.best.get(len(todo[i].tokens))
                if new is not None:
                    new.meta["polished"] = True

    def restart(self, isl: Island) -> None:
        """Re-seed a stalled island: a few hall-of-fame members and fresh random trees."""
        entries = isl.target.front.entries()
        keep = [(e.tokens, e.consts.copy()) for e in entries[-3:]]
        self.seed(isl, keep, n_random=self.cfg.population_size)
