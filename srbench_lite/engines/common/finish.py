"""The finishing stage shared by the engines: from accurate models to the simplest exact form
that the data support.

For each hall-of-fame entry (most promising first, while time is left), :class:`Finisher`

1. writes the model with its scaling as one expression and tidies it at token level
   (:mod:`.rules` folds constant sub-expressions; :mod:`.tidy` linearises functions of tiny
   arguments, drops negligible terms and terms the data cannot see, refitting);
2. rewrites it with sympy in the time-limited sandbox worker (:func:`srbench_lite.engines.
   canonical.canonical`),
   turns every distinct number into a parameter and refits them all (Levenberg-Marquardt);
3. snaps parameters one at a time to 0 (dropping a term), integers, simple rationals,
   multiples of pi, square roots of rationals, or a simple multiple or product of the other
   parameters (tying them), refitting the rest after each try, and keeps a snap when the loss
   does not move beyond noise: ``n * ln(L_new / L_old) <= ln(n)`` per parameter removed
   (BIC), with losses floored at :data:`FLOOR` (rounding) so exact fits tie;
4. rewrites the snapped form once more and refits it.

:func:`select` then picks among the finished models by description length
(:func:`description_length`): the shorter exact form wins at equal loss, and on noisy data an
extra term must pay for itself. On small data (at most :data:`CV_MAX_ROWS` rows) the loss in
the description length is the cross-validated one (:meth:`Finisher.cv_loss`), so a form that
only fits its own few rows loses. Nothing here imports :mod:`srbench_lite.metrics`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import sympy as sp

from srbench_lite.engines.common.batch import Data, fit_many, score_many, values_many
from srbench_lite.engines.common.evaluate import evaluate_unchecked
from srbench_lite.engines.common.expression import from_sympy, to_sympy
from srbench_lite.engines.common.front import Entry, select_model
from srbench_lite.engines.common.rules import simplify_tokens
from srbench_lite.engines.common.tidy import linearise, prune_negligible, prune_terms
from srbench_lite.engines.common.tokens import CONST

__all__ = [
    "CV_MAX_ROWS",
    "FLOOR",
    "SELECTION",
    "Finished",
    "Finisher",
    "description_length",
    "finishing_reserve",
    "select",
    "to_frame",
]

#: NMSE below this counts as exact (float rounding and LM precision)
FLOOR = 1e-15
#: nats per node of the expression (about ln of the number of symbols to choose from)
NODE_COST = 2.5
_SNAP_TOL = 2e-2  # relative distance within which a nice value is worth a refit
_MAX_TRIES = 5  # nice values tried per parameter
#: up to this many training rows, selection uses the cross-validated loss (small data overfit)
CV_MAX_ROWS = 200
_SMALL_DATA_FLOOR = 1e-9  # training losses below this rank as equal on small data
#: NMSE a snap may add to an inexact fit, per parameter it frees (R² of 0.999999)
PRACTICAL = 1e-6
_EXACT = 1e-12  # NMSE below which a fit counts as exact for snapping to any nice value
_PLAIN = 2.5  # the most a value may cost otherwise (small integers and fractions, ties)


def finishing_reserve(budget: float) -> float:
    """Seconds of an engine's ``budget`` to keep for the finishing stage."""
    return min(max(1.0, 0.2 * budget), 10.0, 0.5 * budget)


def description_length(loss: float, complexity: int, n_params: int, n: int) -> float:
    """Two-part code length in nats: ``n/2 * ln(max(loss, FLOOR)) + k/2 * ln(n) +
    NODE_COST * complexity`` (``loss`` an NMSE on ``n`` rows, ``k`` free parameters)."""
    if not math.isfinite(loss):
        return math.inf
    return (
        0.5 * n * math.log(max(loss, FLOOR))
        + 0.5 * n_params * math.log(max(n, 2))
        + (NODE_COST * complexity)
    )


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
        toks, cs = entry.tokens, entry.consts
        if entry.a != 1.0 or entry.b != 0.0:
            toks, cs = ("add", CONST, "mul", CONST, *toks), np.concatenate([[entry.b, entry.a], cs])
        return cls(entry.sympy(feature_names), tuple(toks), np.asarray(cs), entry.loss, len(toks))

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


def _size(f: Fraction) -> float:
    """How long a rational is to write (digits of numerator and denominator)."""
    return math.log10(abs(f.numerator) + 1) + math.log10(f.denominator)


def _nice_values(
    v: float, others: list[tuple[sp.Symbol, float]], max_cost: float = math.inf
) -> list[tuple[sp.Expr, float]]:
    """Simple numbers and simple expressions of the other parameters close to ``v``, simplest
    first (0 always comes first): integers, rationals, multiples of pi, square roots of
    rationals, simple multiples of another parameter, products of two. A value that costs
    ``cost`` (about its decimal digits) must lie within ``10**-cost`` relative of ``v``
    (and within ``_SNAP_TOL``), and cost at most ``max_cost``. Returns ``(value, cost)``."""
    if not math.isfinite(v) or v == 0.0:
        return [(sp.Integer(0), 0.0)]
    out: list[tuple[float, float, sp.Expr]] = [(-1.0, 0.0, sp.Integer(0))]

    def add(value: float, expr: sp.Expr, cost: float) -> None:
        # the harder a value is to write, the closer the fit must be to it (10**-cost):
        # a precise fit to 28/(9*pi) is evidence, a 1e-3 one is a coincidence
        err = abs(value - v) / abs(v)
        if err <= min(_SNAP_TOL, 10.0**-cost) and cost <= max_cost:
            out.append((cost, err, expr))

    for den in (1, 2, 3, 4, 5, 6, 8, 10, 12):
        f = Fraction(v).limit_denominator(den)
        if f != 0 and abs(f.numerator) <= 100_000:
            add(float(f), sp.Rational(f.numerator, f.denominator), 1 + _size(f))
    for base, extra in ((sp.pi, 2.0), (1 / sp.pi, 2.0), (sp.pi**2, 2.5)):
        bv = float(base)
        f = Fraction(v / bv).limit_denominator(12)
        if f != 0 and abs(f.numerator) <= 100:
            add(float(f) * bv, sp.Rational(f.numerator, f.denominator) * base, extra + _size(f))
    f = Fraction(v * v).limit_denominator(12)
    if f != 0 and abs(f.numerator) <= 100:
        root = math.copysign(math.sqrt(float(f)), v)
        add(root, (1 if v > 0 else -1) * sp.sqrt(sp.Rational(f.numerator, f.denominator)),
            2.5 + _size(f))  # fmt: skip
    for j, (s, w) in enumerate(others):
        if w == 0.0 or not math.isfinite(w):
            continue
        inv = Fraction(w / v).limit_denominator(4)
        for r in (Fraction(v / w).limit_denominator(4), 1 / inv if inv else Fraction(0)):
            if r != 0 and abs(r.numerator) <= 12:
                add(float(r) * w, sp.Rational(r.numerator, r.denominator) * s, 2 + _size(r))
        for s2, w2 in others[j + 1 :]:
            for sign in (1, -1):
                add(sign * w * w2, sign * s * s2, 3.0)
                if w2 != 0.0:
                    add(sign * w / w2, sign * s / s2, 3.0)
                    add(sign * w2 / w, sign * s2 / s, 3.0)
    out.sort(key=lambda t: (t[0], t[1]))
    seen, result = set(), []
    for cost, _, e in out:
        if e not in seen:
            seen.add(e)
            result.append((e, max(cost, 0.0)))
    return result[: _MAX_TRIES + 1]


class Finisher:
    """Finishes models of ``y`` on ``X`` (see the module docstring) before ``deadline``.

    ``max_rows``: refits and snapping use at most this many rows (a fixed random subset);
    the final loss is measured on all rows. ``simplify_timeout``: seconds per sympy rewrite.
    """

    def __init__(
        self,
        X: np.ndarray,
        y: np.ndarray,
        feature_names: Sequence[str],
        *,
        deadline: float | None = None,
        simplify_timeout: float | None = 2.0,
        max_rows: int = 2000,
        seed: int = 0,
    ) -> None:
        self.names = [str(n) for n in feature_names]
        self.all = Data.from_xy(X, y)
        n = len(y)
        rows = np.arange(n)
        if n > max_rows:
            rows = np.sort(np.random.default_rng(seed).choice(n, max_rows, replace=False))
        self.data = self.all.take(rows)
        self.deadline = deadline
        self.simplify_timeout = simplify_timeout
        if simplify_timeout is not None:
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
        """Every distinct Float becomes a parameter symbol ``p<i>`` (equal values share one)."""
        floats = sorted(expr.atoms(sp.Float), key=lambda f: sp.default_sort_key(f))
        params = [sp.Symbol(f"p{i}", real=True) for i in range(len(floats))]
        expr = expr.xreplace(dict(zip(floats, params, strict=True)))
        return expr, params, [float(f) for f in floats]

    def _snap(self, expr, params, values, loss):
        """Greedy snapping (module docstring, step 3)."""
        n = self.data.n
        changed = True
        while changed and params and self.left() > 0.05:
            changed = False
            order = sorted(range(len(params)), key=lambda i: _closeness(values[i]))
            for i in order:
                others = [(params[j], values[j]) for j in range(len(params)) if j != i]
                # a model that does not fit exactly gets only plain numbers: a fancy value
                # would match its misfit or noise by coincidence
                limit = math.inf if loss <= _EXACT else _PLAIN
                for cand, cost in _nice_values(values[i], others, limit):
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
        toks, cs = tuple(tokens), np.asarray(consts, dtype=np.float64)
        if a != 1.0 or b != 0.0:
            toks, cs = ("add", CONST, "mul", CONST, *toks), np.concatenate([[b, a], cs])
        toks, cs = simplify_tokens(toks, cs)
        variants = [(toks, cs)]
        cols = self.data.cols
        for rewrite in (linearise, prune_negligible):
            v = rewrite(toks, cs, cols)
            if v is not None:
                variants.append(simplify_tokens(*v))
        fits = fit_many([t for t, _ in variants], [c for _, c in variants], self.data, iters=30,
                        scale=False)  # fmt: skip
        best = int(np.argmin(fits.loss))
        if not math.isfinite(fits.loss[best]):
            return None
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
        """Finish ``entries``, the most promising first (by description length), until the
        deadline (at least ``min_models`` of them); each with its description length."""
        n = self.data.n
        # on few rows any flexible form fits almost perfectly: rank those fits by size
        floor = _SMALL_DATA_FLOOR if self.all.n <= CV_MAX_ROWS else 0.0
        ranked = sorted(
            entries,
            key=lambda e: description_length(
                max(e.loss, floor), e.complexity, len(e.consts) + 2, n
            ),
        )
        out: list[Finished] = []
        for e in ranked:
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
        n_all = self.all.n
        for f in out:
            if n_all <= CV_MAX_ROWS:  # few rows: the held-out loss, not the training loss
                f.meta["cv_loss"] = self.cv_loss(f)
                f.cost = description_length(f.meta["cv_loss"], f.complexity, 0, n_all)
            else:
                f.cost = description_length(f.loss, f.complexity, f.n_params, n_all)
        return out

    def cv_loss(self, model: Finished, folds: int = 10) -> float:
        """K-fold cross-validated NMSE of ``model`` (parameters refitted on each training part;
        leave-one-out when there are at most ``folds`` rows)."""
        n = self.all.n
        k = min(folds, n)
        order = np.random.default_rng(0).permutation(n)
        y = self.all.y
        sse = 0.0
        for part in np.array_split(order, k):
            train = np.setdiff1d(order, part)
            if len(train) <= model.n_params:
                return math.inf
            params = model.params
            if model.n_params:
                fit = fit_many(
                    [model.tokens], [params], self.all.take(train), iters=40, scale=False
                )
                params = fit.consts[0]
            pred, ok = values_many([model.tokens], [params], self.all.take(part))
            if not ok[0]:
                return math.inf
            r = pred[0] - y[part]
            sse += float(r @ r)
        yc = y - y.mean()
        var = float(yc @ yc)
        return sse / var if var > 0 else sse


def _float(v: float) -> sp.Float:
    return sp.Float(float(v), 17)


def _closeness(v: float) -> float:
    """How close ``v`` is to a simple number (smaller: try it first)."""
    if v == 0.0 or not math.isfinite(v):
        return 0.0
    f = Fraction(v).limit_denominator(12)
    return abs(float(f) - v) / abs(v) if f != 0 else 1.0


SELECTION = ("mdl", "score", "parsimony", "best")


def select(finished: Sequence[Finished], method: str = "mdl") -> Finished:
    """Pick one finished model: ``"mdl"`` the lowest description length; otherwise the rule of
    :func:`.front.select_model` (``"score"`` PySR's, ``"parsimony"``, ``"best"``) on the
    loss/complexity front of the finished models."""
    if not finished:
        raise ValueError("nothing to select from")
    if method == "mdl":
        return min(finished, key=lambda f: (f.cost, f.complexity))
    if method not in SELECTION:
        raise ValueError(f"unknown selection method {method!r}; use one of {SELECTION}")
    return select_model(finished, method=method, tolerance=1.5, abs_tol=FLOOR)


def to_frame(finished: Sequence[Finished]):
    """``equations_``: complexity, loss (training NMSE), cost (description length), expression
    (sympy string) and the finished models (``model``), non-dominated, by complexity."""
    import pandas as pd

    rows, best = [], math.inf
    for f in sorted(finished, key=lambda f: (f.complexity, f.loss)):
        if f.loss < best:
            best = f.loss
            rows.append(
                {
                    "complexity": f.complexity,
                    "loss": f.loss,
                    "cost": f.cost,
                    "expression": str(f.expr),
                    "model": f,
                }
            )
    return pd.DataFrame(rows, columns=["complexity", "loss", "cost", "expression", "model"])
