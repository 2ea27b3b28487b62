"""The finishing stage shared by the engines: from accurate models to the simplest exact form
that the data support.

For each hall-of-fame entry (most promising first, while time is left), :class:`Finisher`

1. writes the model with its scaling as one expression and tidies it at token level
   (:mod:`.rules` folds constant sub-expressions; :mod:`.tidy` linearises functions of tiny
   arguments, drops negligible terms and terms the data cannot see, refitting);
2. rewrites it with sympy in the time-limited sandbox worker (:func:`srbench_lite.engines.
   canonical.canonical`),
   turns every distinct number into a parameter and refits them all (Levenberg-Marquardt);
3. snaps parameters one at a time to the values of :func:`.known_constants.nice_values` (0,
   dropping a term; integers, simple rationals, square roots of rationals, rational multiples
   of pi, e, log 2, log(2 pi) ... (:data:`.known_constants.KNOWN`), or a simple multiple or
   product of the other parameters, tying them), cheapest first, refitting the rest after each
   try, and keeps a snap when the loss does not move beyond noise: ``n * ln(L_new / L_old) <=
   ln(n)`` per parameter removed (BIC), with losses floored at :data:`FLOOR` (rounding) so
   exact fits tie; snapped values are exact in sympy (``E**(2*log(w))`` becomes ``w**2``);
4. rewrites the snapped form once more and refits it.

:func:`select` then picks among the finished models by description length
(:func:`description_length`): the shorter exact form wins at equal loss, and on noisy data an
extra term must pay for itself. On small data (at most :data:`CV_MAX_ROWS` rows) the loss in
the description length is the held-out one, every model refitted without the held-out rows,
and held-out losses within one standard error of the best count as equal
(:mod:`.selection`), so a longer form that only fits its own few rows loses to the shorter
one. Nothing here imports :mod:`srbench_lite.metrics`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from srbench_lite.engines.common.batch import Data, fit_many, score_many
from srbench_lite.engines.common.budget import Budget
from srbench_lite.engines.common.evaluate import evaluate_unchecked
from srbench_lite.engines.common.expression import from_sympy, to_sympy
from srbench_lite.engines.common.front import Entry
from srbench_lite.engines.common.known_constants import closeness, nice_values
from srbench_lite.engines.common.rules import simplify_tokens
from srbench_lite.engines.common.selection import (
    CV_MAX_ROWS,
    FLOOR,
    SELECTION,
    description_length,
    held_out_costs,
    held_out_errors,
    held_out_losses,
    select,
    to_frame,
)
from srbench_lite.engines.common.tidy import linearise, prune_negligible, prune_terms
from srbench_lite.engines.common.tokens import CONST

__all__ = [
    "CV_MAX_ROWS", "FLOOR", "SELECTION", "Finished", "Finisher", "description_length", "select",
    "to_frame",
]  # fmt: skip

_SMALL_DATA_FLOOR = 1e-9  # training losses below this rank as equal on small data
#: NMSE a snap may add to an inexact fit, per parameter it frees (R² of 0.999999)
PRACTICAL = 1e-6
_EXACT = 1e-12  # NMSE below which a fit counts as exact for snapping to any nice value
#: ... when the rows over-determine it: at least this many rows per parameter, plus two (on
#: fewer rows a flexible form fits them all, and a fancy snap would freeze that interpolation)
_EXACT_ROWS_PER_PARAM = 2
_PLAIN = 2.5  # the most a value may cost otherwise (small integers and fractions, pi, e, ties)
_RANKING_FOLDS = 5  # folds of that ranking (the selection's own held-out losses use more)


@dataclass
class Finished:
    """A finished model: ``expr`` (sympy, free parameters as Floats) and the same model as
    ``tokens`` with indexed parameters ``p<i>`` taking ``params``; ``loss`` is its NMSE on the
    training rows, ``cost`` its description length there."""

    expr: sp.Expr
    tokens: tuple[str, ...]
    params: np.ndarray
    loss: float
    complexity: int
    cost: float = math.nan
    meta: dict = field(default_factory=dict)

    @property
    def n_params(self) -> int:
        return len(self.params)

    @classmethod
    def from_entry(cls, entry: Entry, feature_names: Sequence[str]) -> Finished:
        """An unfinished hall-of-fame entry as it is (its scaling written out)."""
        toks, cs = _scaled(entry.tokens, entry.consts, entry.a, entry.b)
        return cls(entry.sympy(feature_names), toks, cs, entry.loss, len(toks))

    def predict(self, X) -> np.ndarray:
        """The model on the rows of ``X`` (numpy semantics where it is undefined)."""
        return evaluate_unchecked(self.tokens, X, self.params)


def _accept(
    new: float, old: float, n: int, removed: int, rel_change: float = 0.0, cost: float = 0.0
) -> bool:
    """Whether a change that frees ``removed`` parameters may cost the loss ``old -> new``.

    * within noise by BIC: ``n ln(new/old) <= removed ln(n)``;
    * or, for a snap that moved one value by ``rel_change`` to a value costing ``cost`` decimal
      digits, by description length: stating a free value to its precision ``sigma`` costs
      ``ln(|v|/sigma)`` nats, and this very snap measures ``sigma = |dv| / z`` with
      ``z**2 = n ln(new/old)``; the snap pays if ``z**2/2 <= ln(z |v|/|dv|) - cost ln(10)``;
    * or, for a fit that was not exact anyway (measured data, whose law holds to a part in a
      thousand), by at most :data:`PRACTICAL` of NMSE per parameter.
    """
    if not math.isfinite(new):
        return False
    z2 = n * math.log(max(new, FLOOR) / max(old, FLOOR))
    if z2 <= removed * math.log(max(n, 2)):
        return True
    if rel_change > 0 and 0.5 * z2 <= math.log(math.sqrt(z2) / rel_change) - cost * math.log(10):
        return True
    return old > _EXACT and new - old <= PRACTICAL * removed


class Finisher:
    """Finishes models of ``y`` on ``X`` (see the module docstring) before ``deadline``.

    ``max_rows``: refits and snapping use at most this many rows (a fixed random subset);
    the final loss is measured on all rows. ``simplify_timeout_s``: seconds per sympy rewrite.
    ``ranking_share``: the most of the time left that ranking by held-out loss may take.
    """

    def __init__(
        self,
        X: np.ndarray,
        y: np.ndarray,
        feature_names: Sequence[str],
        *,
        deadline: float | None = None,
        simplify_timeout_s: float | None = 2.0,
        max_rows: int = 2000,
        seed: int = 0,
        ranking_share: float = Budget.ranking_share,
    ) -> None:
        self.names = [str(n) for n in feature_names]
        self.all = Data.from_xy(X, y)
        n = len(y)
        rows = np.arange(n)
        if n > max_rows:
            rows = np.sort(np.random.default_rng(seed).choice(n, max_rows, replace=False))
        self.data = self.all.take(rows)
        self.deadline = deadline
        self.ranking_share = ranking_share
        self.simplify_timeout = simplify_timeout_s
        if simplify_timeout_s is not None:
            from srbench_lite import sandbox

            sandbox.start()  # non-blocking: the sympy worker starts while we refit
        # symbols know what the data say (positive columns are positive), so the rewrite can
        # use log(exp(u)) = u, sqrt(x**2) = x ...
        self.assume = {
            sp.Symbol(nm): sp.Symbol(nm, positive=True)
            if np.all(col > 0)
            else sp.Symbol(nm, real=True)
            for nm, col in zip(self.names, self.all.XT, strict=True)
        }

    # -- time -------------------------------------------------------------------------------

    def left(self) -> float:
        return math.inf if self.deadline is None else self.deadline - time.perf_counter()

    def _rewrite(self, expr: sp.Expr) -> sp.Expr:
        """:func:`srbench_lite.engines.canonical.canonical` in the sandbox, within the time left."""
        from srbench_lite import sandbox
        from srbench_lite.engines.canonical import canonical

        limit = self.simplify_timeout
        left = self.left()
        if limit is None and left == math.inf:
            return canonical(expr)
        if left < math.inf and not sandbox.ready():  # never wait for the worker's start-up
            return expr
        limit = min(limit if limit is not None else left, left - 0.05)
        if limit < 0.05:
            return expr
        try:
            out = sandbox.call_with_timeout(canonical, expr, timeout=limit)
        except (sandbox.SandboxTimeout, sandbox.SandboxError):
            return expr
        return out if isinstance(out, sp.Expr) else expr

    # -- one model --------------------------------------------------------------------------

    def _fit(self, expr: sp.Expr, params: list[sp.Symbol], values) -> tuple | None:
        """``(tokens, values, loss)`` of ``expr`` refitted, or None if not expressible."""
        try:
            toks, floats = from_sympy(expr, self.names, params)
        except (ValueError, TypeError):
            return None
        if floats:  # a number that is not a parameter: the caller parametrises first
            return None
        vals = np.asarray(values, dtype=np.float64)
        fit = fit_many([toks], [vals], self.data, iters=40, scale=False)
        return toks, fit.consts[0], float(fit.loss[0])

    def _parametrise(self, expr: sp.Expr) -> tuple[sp.Expr, list[sp.Symbol], list[float]]:
        """Every distinct Float becomes a parameter symbol ``p<i>`` (equal values share one);
        so does ``exp`` of a rational that is not a small integer (``exp(247/9)``: a constant
        the search built, to merge with the factor beside it)."""
        expr = expr.replace(
            lambda a: isinstance(a, sp.exp) and a.args[0].is_Rational
            and not (a.args[0].is_Integer and abs(a.args[0]) <= 2),
            lambda a: sp.Float(float(a)),
        )
        floats = sorted(expr.atoms(sp.Float), key=lambda f: sp.default_sort_key(f))
        params = [sp.Symbol(f"p{i}", real=True) for i in range(len(floats))]
        expr = expr.xreplace(dict(zip(floats, params, strict=True)))
        return expr, params, [float(f) for f in floats]

    def _snap(self, expr, params, values, loss):
        """Greedy snapping (module docstring, step 3)."""
        n = self.data.n
        # a model that does not fit exactly, or fits too few rows to be evidence, gets only
        # plain numbers: a fancy value would match its misfit, noise or interpolation
        exact = loss <= _EXACT and n >= _EXACT_ROWS_PER_PARAM * len(params) + 2
        limit = math.inf if exact else _PLAIN
        changed = True
        while changed and params and self.left() > 0.05:
            changed = False
            order = sorted(range(len(params)), key=lambda i: closeness(values[i]))
            for i in order:
                others = [(params[j], values[j]) for j in range(len(params)) if j != i]
                for cand, cost in nice_values(values[i], others, limit):
                    if self.left() <= 0.05:
                        return expr, params, values, loss
                    new = expr.xreplace({params[i]: cand})
                    keep = [j for j in range(len(params)) if j != i and new.has(params[j])]
                    fit = self._fit(new, [params[j] for j in keep], [values[j] for j in keep])
                    if fit is None:
                        continue
                    now = float(cand.xreplace(dict(zip(params, values, strict=True))))
                    change = abs(now - values[i]) / abs(values[i]) if values[i] else 0.0
                    if _accept(fit[2], loss, n, len(params) - len(keep), change, cost):
                        expr, loss = new, fit[2]
                        params = [params[j] for j in keep]
                        values = [float(v) for v in fit[1]]
                        changed = True
                        break
                if changed:
                    break
        return expr, params, values, loss

    def finish_tokens(self, tokens, consts, a: float = 1.0, b: float = 0.0) -> Finished | None:
        """Finish one model ``a * f + b`` (``f`` given by ``tokens`` with ``"c"`` placeholders)."""
        toks, cs = simplify_tokens(*_scaled(tokens, consts, a, b))
        variants = [(toks, cs)]
        cols = self.data.cols
        for rewrite in (linearise, prune_negligible):  # each on every variant so far
            for t, c in list(variants):
                v = rewrite(t, c, cols)
                if v is not None:
                    variants.append(simplify_tokens(*v))
        fits = fit_many([t for t, _ in variants], [c for _, c in variants], self.data, iters=30,
                        scale=False)  # fmt: skip
        best = int(np.argmin(fits.loss))
        if not math.isfinite(fits.loss[best]):
            return None
        for k in range(len(variants) - 1, 0, -1):  # the most tidied as good to rounding wins
            if fits.loss[k] <= fits.loss[best] * (1 + 1e-6) + FLOOR:
                best = k
                break
        toks, cs, loss = variants[best][0], fits.consts[best], float(fits.loss[best])
        if self.left() > 0.1:
            pruned = prune_terms(toks, cs, self.data, rel_tol=0.0, abs_tol=FLOOR)
            if pruned is not None:
                toks, cs = simplify_tokens(*pruned)
                loss = float(score_many([toks], [cs], self.data, scale=False).loss[0])
        start = to_sympy(toks, cs, self.names).xreplace(self.assume)
        expr, params, values = self._parametrise(self._rewrite(start))
        fit = self._fit(expr, params, values)
        if fit is None or not _accept(fit[2], loss, self.data.n, 0):
            expr, params, values = self._parametrise(start)
            fit = self._fit(expr, params, values)
            if fit is None:
                return None
        values, loss = [float(v) for v in fit[1]], fit[2]
        expr, params, values, loss = self._snap(expr, params, values, loss)
        if self.left() > 0.1:  # rewrite the snapped form with its parameters as symbols
            again = self._rewrite(expr)
            keep = [p for p in params if again.has(p)]
            old = [v for p, v in zip(params, values, strict=True) if p in keep]
            fit = self._fit(again, keep, old)
            if fit is not None and _accept(fit[2], loss, self.data.n, len(params) - len(keep)):
                expr, params, values, loss = again, keep, [float(v) for v in fit[1]], fit[2]
        if params and self.left() > 0.1:
            # parameters that only ever occur multiplied together (p0*p1*x) merge into one
            # number once their values are in; then snap what that revealed
            numbers = dict(zip(params, map(_float, values), strict=True))
            merged, p2, v2 = self._parametrise(expr.xreplace(numbers))
            if len(p2) < len(params):
                fit = self._fit(merged, p2, v2)
                if fit is not None and _accept(fit[2], loss, self.data.n, len(params) - len(p2)):
                    expr, params, values, loss = merged, p2, [float(v) for v in fit[1]], fit[2]
                    expr, params, values, loss = self._snap(expr, params, values, loss)
        return self._result(expr, params, values)

    def _result(self, expr, params, values) -> Finished | None:
        toks, _ = from_sympy(expr, self.names, params)
        vals = np.asarray(values, dtype=np.float64)
        loss = float(score_many([toks], [vals], self.all, scale=False).loss[0])
        if not math.isfinite(loss):
            return None
        final = expr.xreplace(dict(zip(params, map(_float, values), strict=True)))
        final = final.xreplace({v: k for k, v in self.assume.items()})  # plain symbols out
        return Finished(final, toks, vals, loss, len(toks))

    # -- many models ------------------------------------------------------------------------

    def run(self, entries: Sequence[Entry], min_models: int = 1) -> list[Finished]:
        """Finish ``entries``, the most promising first (:meth:`ranked`), until the deadline (at
        least ``min_models`` of them); each with its cost (:mod:`.selection`)."""
        out: list[Finished] = []
        for e in self.ranked(entries):
            if len(out) >= min_models and self.left() <= 0.2:
                break
            try:
                done = self.finish_tokens(e.tokens, e.consts, e.a, e.b)
            except (ValueError, TypeError, OverflowError, ZeroDivisionError, RecursionError):
                done = None
            if done is None:
                continue
            done.meta["source"] = e
            out.append(done)
        self.set_costs(out)
        return out

    def ranked(self, entries: Sequence[Entry]) -> list[Entry]:
        """``entries`` by description length, lowest first. On small data (at most
        :data:`CV_MAX_ROWS` rows) losses below ``_SMALL_DATA_FLOOR`` rank as equal (any flexible
        form fits a few rows), and the losses are the held-out ones (:meth:`_held_out_losses`)
        when they take at most a small share of the time left."""
        small = self.all.n <= CV_MAX_ROWS
        held = self._held_out_losses(entries) if small and len(entries) > 1 else None
        if held is None:
            losses, n_params = [e.loss for e in entries], [len(e.consts) + 2 for e in entries]
        else:  # the parameters are paid for by the held-out loss
            losses, n_params = held, [0] * len(entries)
        floor = _SMALL_DATA_FLOOR if small else 0.0
        keys = [
            description_length(max(loss, floor), e.complexity, k, self.data.n)
            for e, loss, k in zip(entries, losses, n_params, strict=True)
        ]
        return [entries[i] for i in np.argsort(keys, kind="stable")]

    def _held_out_losses(self, entries: Sequence[Entry]) -> list[float] | None:
        """Each entry's held-out loss (``_RANKING_FOLDS`` folds, refitted) raised to the level
        the held-out rows resolve (:func:`.selection.held_out_losses`); ``None`` when that
        would take more than ``ranking_share`` of the time left."""
        left = self.left()
        deadline = None if left == math.inf else time.perf_counter() + self.ranking_share * left
        progs = [_scaled(e.tokens, e.consts, e.a, e.b) for e in entries]
        errs = held_out_errors([t for t, _ in progs], [c for _, c in progs], self.all,
                               n_folds=_RANKING_FOLDS, deadline=deadline)  # fmt: skip
        res = None if errs is None else held_out_losses(errs, self.all.y)
        return None if res is None else [max(float(c), res[1]) for c in res[0]]

    def set_costs(self, models: Sequence[Finished]) -> None:
        """Each model's ``cost``: its description length on all rows; on small data with its
        held-out loss (``meta["cv_loss"]``, :func:`.selection.held_out_costs`)."""
        n = self.all.n
        if models and n <= CV_MAX_ROWS:
            errs = held_out_errors([f.tokens for f in models], [f.params for f in models],
                                   self.all)  # fmt: skip
            res = held_out_costs(errs, [f.complexity for f in models], self.all.y)
            if res is not None:
                for f, cv, cost in zip(models, *res, strict=True):
                    f.meta["cv_loss"], f.cost = float(cv), float(cost)
                return
        for f in models:
            f.cost = description_length(f.loss, f.complexity, f.n_params, n)


def _scaled(tokens, consts, a: float, b: float) -> tuple[tuple[str, ...], np.ndarray]:
    """``a * f + b`` as one token sequence with its constants."""
    toks, cs = tuple(tokens), np.asarray(consts, dtype=np.float64)
    if a != 1.0 or b != 0.0:
        toks, cs = ("add", CONST, "mul", CONST, *toks), np.concatenate([[b, a], cs])
    return toks, cs


def _float(v: float) -> sp.Float:
    return sp.Float(float(v), 17)
