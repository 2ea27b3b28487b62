"""Worker side of form recovery: refit a parametric form to a model's values.

Imported only inside the sandbox worker (it imports scipy at module level, which the worker
does before a call's time limit starts).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp
from scipy.optimize import least_squares

from srbench_lite.metrics._form_exact import family_form, family_nominal
from srbench_lite.metrics._numeric import default_points, evaluate

#: share of the points where the truth is defined but the model may not be
MAX_UNDEFINED_FRACTION = 0.02
#: fewer sample rows than this are topped up with points in their bounding box
MIN_ROWS = 64
#: fewest usable points for a verdict
MIN_POINTS = 16
#: value a non-finite residual is replaced by during the refit (in units of the model's scale)
_PENALTY = 1e3
#: smallest least-squares weight, relative to the largest |value| (points near a zero)
FLOOR = 1e-6


class _Form:
    """The form and its Jacobian as numpy functions of (columns, parameters)."""

    def __init__(self, form: sp.Expr, params: list[sp.Symbol], names: list[str]):
        xs = [sp.Symbol(f"_v{i}") for i in range(len(names))]
        ps = [sp.Symbol(f"_p{i}") for i in range(len(params))]
        column = {name: xs[i] for i, name in enumerate(names)}
        mapping = dict(zip(params, ps, strict=True))
        for s in form.free_symbols - set(params):
            mapping[s] = column[s.name]
        body = form.xreplace(mapping)
        self.fn = sp.lambdify([*xs, *ps], body, modules="numpy")
        self.jac = [sp.lambdify([*xs, *ps], sp.diff(body, p), modules="numpy") for p in ps]

    def __call__(self, cols, theta) -> np.ndarray:
        with np.errstate(all="ignore"):
            out = self.fn(*cols, *theta)
        return np.broadcast_to(np.asarray(out, dtype=float), cols[0].shape).copy()

    def jacobian(self, cols, theta) -> np.ndarray:
        n = cols[0].shape[0]
        out = np.empty((n, len(self.jac)))
        with np.errstate(all="ignore"):
            for i, fn in enumerate(self.jac):
                out[:, i] = np.broadcast_to(np.asarray(fn(*cols, *theta), dtype=float), (n,))
        return out


@lru_cache(maxsize=256)
def _compiled(form: sp.Expr, params: tuple, names: tuple) -> _Form:
    """:class:`_Form` of a truth's form, cached in the worker: every model of a problem is
    refitted with the same compiled form and Jacobian."""
    return _Form(form, list(params), list(names))


def _starts(values: np.ndarray, n_starts: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Multipliers of the truth's constants: 1 first, then random scales and sign flips."""
    k = values.size
    out = [np.ones(k)]
    while len(out) < n_starts:
        u = np.exp(rng.normal(0.0, 0.7, k))
        flip = rng.random(k) < 0.2
        out.append(np.where(flip, -u, u))
    return out


def _top_up(X: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Add random points in the bounding box of ``X`` up to :data:`MIN_ROWS` rows."""
    n_new = MIN_ROWS - X.shape[0]
    if n_new <= 0:
        return X
    lo, hi = np.nanmin(X, axis=0), np.nanmax(X, axis=0)
    u = rng.random((n_new, X.shape[1]))
    extra = lo + u * (hi - lo)
    logs = (lo > 0) & (hi > 10 * lo)
    if np.any(logs):
        extra[:, logs] = np.exp(np.log(lo[logs]) + u[:, logs] * np.log(hi[logs] / lo[logs]))
    return np.vstack([X, extra])


def _weights(y: np.ndarray) -> np.ndarray:
    """Least-squares weights: ``|y|``, but not below :data:`FLOOR` of the largest ``|y|``."""
    top = float(np.max(np.abs(y)))
    if top == 0:
        return np.ones_like(y)
    return np.maximum(np.abs(y), FLOOR * top)


def _relative_residual(form: _Form, cols, theta, y: np.ndarray) -> float:
    """The largest pointwise relative gap between the form at ``theta`` and ``y`` (where ``y``
    is exactly 0: relative to the smallest nonzero ``|y|``)."""
    r = form(cols, theta) - y
    if not np.all(np.isfinite(r)):
        return float("inf")
    magnitude = np.abs(y)
    nonzero = magnitude[magnitude > 0]
    floor = float(nonzero.min()) if nonzero.size else 1.0
    return float(np.max(np.abs(r) / np.maximum(magnitude, floor)))


def _vanishing(form: _Form, cols, theta, v, y, tol: float) -> list[int]:
    """Parameters the fit can set to 0 although the truth's own value of them matters here.

    Setting such a parameter to 0 (``exp(c1*L) -> 1``) still reproduces the model, whereas in
    the truth (at its own constants) it changes the values beyond ``tol``: the model lacks
    that part of the law, which the refit only hid by zeroing it.
    """
    truth_values = form(cols, v)
    out = []
    for i in range(theta.size):
        if v[i] == 0:
            continue
        zeroed = theta.copy()
        zeroed[i] = 0.0
        if _relative_residual(form, cols, zeroed, y) > 10 * tol:
            continue
        truth_zeroed = v.copy()
        truth_zeroed[i] = 0.0
        if _relative_residual(form, cols, truth_zeroed, truth_values) > 10 * tol:
            out.append(i)
    return out


def _format(params: list[sp.Symbol], theta: np.ndarray) -> str:
    return ", ".join(f"{p} = {v:.6g}" for p, v in zip(params, theta, strict=True))


def _fit(compiled: _Form, cols, y, nominal, starts, tol: float) -> tuple[np.ndarray, float]:
    """The best ``theta = nominal * u`` from the starts ``u`` (Levenberg-Marquardt on residuals
    weighted by ``|y|``), and its largest pointwise relative residual."""
    w = _weights(y)
    best_theta, best = nominal, _relative_residual(compiled, cols, nominal, y)
    if not nominal.size or best <= tol:
        return best_theta, best

    def residuals(u):
        r = (compiled(cols, nominal * u) - y) / w
        return np.where(np.isfinite(r), r, _PENALTY)

    def jacobian(u):
        J = compiled.jacobian(cols, nominal * u) * nominal / w[:, None]
        return np.where(np.isfinite(J), J, 0.0)

    for u0 in starts:
        try:
            fit = least_squares(
                residuals, u0, jac=jacobian, method="lm", xtol=1e-15, ftol=1e-15,
                gtol=1e-15, max_nfev=200 * (nominal.size + 1),
            )  # fmt: skip
        except (ValueError, FloatingPointError, np.linalg.LinAlgError):
            continue
        theta = nominal * fit.x
        res = _relative_residual(compiled, cols, theta, y)
        if res < best:
            best_theta, best = theta, res
        if best <= tol:
            break
    return best_theta, best


#: how each family of :mod:`._form_exact` reads in a detail
_ADDED = {"plain": "", "offset": " plus a constant d", "scale": " times a constant k"}


def _precise(reading, X, tol) -> dict | None:
    """The truth's own constants against the model (as exact recovery reads it) at 50 digits,
    on ``X``: ``{"residual", "detail"}`` of the first match, or None."""
    for label, expr in reading.variants() if reading.relations() else ():
        found = reading.precise_match(expr, X, tol, MAX_UNDEFINED_FRACTION)
        if found is not None:
            family, res = found
            detail = (
                f"read {label}, the truth's own constants{_ADDED[family]} reproduce it at 50 "
                f"digits to {res:.2g} (relative)"
            )
            return {"residual": res, "detail": detail}
    return None


def _beyond_float64(reading, X, tol) -> str | None:
    """Where float64 cannot evaluate the model (overflow, underflow, cancellation): exact
    recovery's readings at 50 digits, then its cheap symbolic step (a detail, or None)."""
    if reading is None:
        return None
    precise = _precise(reading, X, tol)
    if precise is not None:
        return precise["detail"]
    kind = reading.symbolic_relation()
    return None if kind is None else f"exact recovery's symbolic step relates them ({kind})"


def _reread(reading, plain: _Form, form, params, v, X, usable, theta0, tol) -> dict | None:
    """Exact recovery's readings of the model (:mod:`._form_exact`), in order: refits of the
    truth's form (``plain``), ``form + d`` and ``k * form`` starting from the truth's constants
    and from ``theta0`` (the printed model's best refit); the truth's own constants at 50
    digits; exact recovery's coefficient comparison. The first that holds, as
    ``{"fitted", "residual", "detail"}``, or None."""
    cols = [X[usable, j] for j in range(X.shape[1])]
    n, y_form = int(usable.sum()), plain(cols, theta0)
    starts = [np.ones(v.size), theta0 / np.where(v == 0, 1.0, v)]
    compiled: dict = {"plain": (plain, None)}
    for label, expr, family in reading.attempts():
        y = evaluate(expr, reading.names, X)[usable]
        if not np.all(np.isfinite(y)) or not np.any(y):
            continue
        if family not in compiled:
            body, extra = family_form(form, family)
            compiled[family] = (_compiled(body, (*params, extra), tuple(reading.names)), extra)
        fam, extra = compiled[family]
        nominal, neutral, fam_starts = v, v, starts
        if extra is not None:
            value, zero_effect = family_nominal(family, y, y_form)
            nominal, neutral = np.append(v, value), np.append(v, zero_effect)
            fam_starts = [np.append(u, 1.0) for u in starts]
        theta, res = _fit(fam, cols, y, nominal, fam_starts, tol)
        if res <= tol and not _vanishing(fam, cols, theta, neutral, y, tol):
            fitted = [*params, *([extra] if extra is not None else [])]
            detail = (
                f"read {label}, a refit of the form{_ADDED[family]} reproduces it on {n} points "
                f"to {res:.2g} (relative) ({_format(fitted, theta)})"
            )
            return {"fitted": dict(zip(fitted, theta, strict=True)), "residual": res,
                    "detail": detail}  # fmt: skip
    precise = _precise(reading, X[usable], tol)
    if precise is not None:
        return {"fitted": dict(zip(params, v, strict=True)), **precise}
    how = reading.coefficients_agree()
    if how is not None:
        detail = (
            "exact recovery's coefficient comparison finds the truth's structure with "
            f"constants of the model's own ({how})"
        )
        return {"fitted": {}, "residual": None, "detail": detail}
    return None


def refit(
    m, form, params, values, names, X, *, seed: int, n_starts: int, tol: float, reading=None
) -> dict:
    """Refit ``form``'s ``params`` (truth values ``values``) to the model ``m`` on ``X``.

    ``reading``: an :class:`~srbench_lite.metrics._form_exact.ExactReading` of the pair; when
    the printed model is not reproduced, the refits it allows are tried too.
    """
    rng = np.random.default_rng(seed)
    X = default_points(len(names), seed=seed) if X is None else _top_up(X, rng)
    compiled = _compiled(form, tuple(params), tuple(names))
    cols = [X[:, j] for j in range(X.shape[1])]
    v = np.asarray(values, dtype=float)
    y_model = evaluate(m, names, X)
    y_truth = compiled(cols, v)
    defined = np.isfinite(y_truth)
    usable = defined & np.isfinite(y_model)
    n_def, n_use = int(defined.sum()), int(usable.sum())
    out: dict = {"n_points": n_use, "fitted_constants": {}, "residual": None, "status": "ok"}
    if n_def - n_use > MAX_UNDEFINED_FRACTION * max(n_def, 1) and n_def >= MIN_POINTS:
        detail = (
            f"the model is undefined on {n_def - n_use} of the {n_def} points where the truth is"
        )
        rescued = _beyond_float64(reading, X[defined], tol)
        if rescued is not None:
            return {**out, "recovered": True, "detail": f"{detail} in float64; {rescued}"}
        return {**out, "recovered": False, "detail": detail}
    n_info = int(np.count_nonzero(y_model[usable]))
    if n_use < MIN_POINTS or n_info < MIN_POINTS:
        if n_use < MIN_POINTS:
            detail = (
                f"only {n_use} points where truth and model are both defined (need {MIN_POINTS})"
            )
        else:
            detail = f"the model is 0 (or underflows to 0) on all but {n_info} of {n_use} points"
        rescued = _beyond_float64(reading, X[defined], tol)
        if rescued is not None:
            return {**out, "recovered": True, "detail": f"{detail}; {rescued}"}
        return {**out, "recovered": None, "status": "undecided", "detail": detail}
    cols = [c[usable] for c in cols]
    y = y_model[usable]
    best_theta, best = _fit(compiled, cols, y, v, _starts(v, n_starts, rng), tol)
    out["fitted_constants"] = {str(p): float(t) for p, t in zip(params, best_theta, strict=True)}
    out["residual"] = best
    what = f"refit of {len(params)} constant(s)" if len(params) else "the truth (no free constants)"
    consts = f" ({_format(params, best_theta)})" if len(params) else ""
    missing = _vanishing(compiled, cols, best_theta, v, y, tol) if best <= tol else []
    if best <= tol and not missing:
        detail = f"{what} reproduces the model on {n_use} points to {best:.2g} (relative){consts}"
        return {**out, "recovered": True, "detail": detail}
    found = None
    if reading is not None:
        found = _reread(reading, compiled, form, params, v, X, usable, best_theta, tol)
    if found is not None:
        if found["fitted"]:
            out["fitted_constants"] = {str(p): float(t) for p, t in found["fitted"].items()}
        out["residual"] = found["residual"]
        detail = f"{what} leaves {best:.3g} on the model as printed; {found['detail']}"
        return {**out, "recovered": True, "detail": detail}
    if missing:
        names_ = ", ".join(str(params[i]) for i in missing)
        detail = (
            f"the refit matches only with {names_} = 0 ({_format(params, best_theta)}): the "
            "model lacks a part of the law that matters on these points"
        )
        return {**out, "recovered": False, "detail": detail}
    detail = (
        f"best {what} leaves a relative residual of {best:.3g} on {n_use} points "
        f"(needs <= {tol:g}){consts}: a different structure"
    )
    return {**out, "recovered": False, "detail": detail}
