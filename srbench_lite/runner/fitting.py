"""One job's work, in the current process: load the problem, build the estimator, fit, predict,
read and check the expression (:func:`fit_job`); :func:`score_fit` scores it in this process.
Both fill a :class:`~srbench_lite.fit_result.FitResult` and never raise.

Nothing here is about processes: :mod:`.child` runs the fit in the job's own process, behind
its safety net, and sends the result to the parent, whose judge pool scores it
(:mod:`.judging`, the same metrics as :func:`score_fit`, in a long-lived worker).
"""

from __future__ import annotations

import os
import time
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from srbench_lite.fit_result import FitResult
from srbench_lite.runner.judging import CHECK_ROWS, ScoreRequest, score_fields

if TYPE_CHECKING:
    from srbench_lite.runner.config import JobOptions
    from srbench_lite.runner.jobs import Job

__all__ = ["CHECK_ROWS", "fit_job", "score_fit"]

MAX_TEXT = 20_000


def _short(text: str, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else text[: limit // 2] + " ... " + text[-limit // 2 :]


def _error_text(exc: BaseException, where: str) -> str:
    from srbench_lite.provenance import scrub_paths

    tb = traceback.format_exception(type(exc), exc, exc.__traceback__)
    return _short(scrub_paths(f"{where}: {type(exc).__name__}: {exc}\n" + "".join(tb[-6:])))


def fit_job(
    job: Job, options: JobOptions, ready: Callable[[], None] | None = None
) -> tuple[FitResult, np.ndarray | None]:
    """Run one job's fit in this process (never raises): what was learned, and the test rows
    (at most :data:`CHECK_ROWS`) for the metrics' numeric check (None if never loaded).

    ``ready()`` is called once the problem is loaded and the estimator built, right before
    ``fit``: the parent's hard-limit clock starts there (imports and data generation do not
    eat the method's budget). An unexpected exception ends the job with the ``error_kind`` of
    the phase it happened in (:data:`~srbench_lite.fit_result.PHASES`)."""
    out, X_check = FitResult(), None
    try:
        X_check = _fit_job(job, options, out, ready, time.perf_counter())
    except MemoryError as exc:
        out.fail(_error_text(exc, "out of memory"), kind="memory")
    except BaseException as exc:  # the child reports everything; the parent decides
        out.fail(_error_text(exc, "job failed"))
    return out, X_check


def _fit_job(job: Job, options: JobOptions, out: FitResult, ready, t0: float) -> np.ndarray | None:
    """Fill ``out`` (see :func:`fit_job`); return the check rows (None: the fit failed)."""
    from srbench_lite.data import load_problem
    from srbench_lite.data.pmlb_cache import ENV_CACHE as PMLB_ENV
    from srbench_lite.data.registry import ENV_PATH as SUITES_ENV
    from srbench_lite.methods.registry import ENV_PATH, get_method
    from srbench_lite.metrics import r2

    os.environ[ENV_PATH] = options.methods_path
    os.environ[SUITES_ENV] = options.suites_path
    if options.pmlb_cache:  # suites of PMLB files read the run's cache
        os.environ[PMLB_ENV] = options.pmlb_cache
    out.enter("setup")
    if job.data_file:  # real rows, the very file the run checked before any job
        problem = load_problem(job.dataset, seed=job.seed, noise=job.noise, data_file=job.data_file)
        _check_same_file(job, problem.meta.get("data_sha256"))
    else:
        problem = load_problem(job.dataset, seed=job.seed, noise=job.noise)
    names = list(problem.feature_names)
    out.true_expression = problem.formula or None  # None: no ground truth (black box)
    out.feature_names, out.n_features = names, len(names)
    out.n_train, out.n_test = len(problem.y_train), len(problem.y_test)
    spec = get_method(job.method)
    out.method_requires = list(spec.requires)
    out.has_expression = spec.has_expression
    build = dict(time_budget_s=options.time_budget_s, seed=job.seed, smoke=options.smoke,
                 overrides=options.method_params(job.method))  # fmt: skip
    if spec.environment is None:
        model = spec.build(**build)
    else:  # the estimator runs on its environment's interpreter; the rest stays here
        from srbench_lite.environments.client import start_estimator

        model = start_estimator(spec, **build)
        out.environment, out.env_versions = model.env_name, model.versions
    X_train = np.asarray(problem.X_train, dtype=float)
    y_train = np.asarray(problem.y_train, dtype=float)
    out.enter("fit")
    out.setup_time_s = time.perf_counter() - t0
    if ready is not None:
        ready()
    start = time.perf_counter()
    try:
        fitted = model.fit(X_train, y_train)
    except Exception as exc:
        out.fit_time_s = time.perf_counter() - start
        if isinstance(exc, MemoryError):
            out.fail(_error_text(exc, "fit ran out of memory (see --memory-mb)"), kind="memory")
        else:  # an environment's failure may name its own kind (its process crashed)
            out.fail(_error_text(exc, "fit failed"), kind=getattr(exc, "error_kind", None))
        return None
    out.fit_time_s = time.perf_counter() - start
    if fitted is not None:
        model = fitted

    out.enter("predict")
    start = time.perf_counter()
    pred_train, why_train = _predictions(model, X_train, len(y_train), "training")
    pred_test, why_test = _predictions(model, problem.X_test, len(problem.y_test), "test")
    out.predict_time_s = time.perf_counter() - start
    problems = [why for why in (why_train, why_test) if why]
    if why_train is None:
        out.r2_train_predict = r2(y_train, pred_train)
    if why_test is None:
        out.r2_test_predict = r2(problem.y_test, pred_test)

    kind = "predict" if problems else None
    if spec.has_expression:
        out.enter("expression")
        why = _read_expression(out, model, spec, names, problem, pred_test)
        if why:
            problems.append(why)
            kind = kind or "expression"
    else:  # judged on predict() alone; its size is the method's own measure
        out.r2_train, out.r2_test = out.r2_train_predict, out.r2_test_predict
        _measure_model(out, spec, model)
    if problems:
        out.fail(_short("; ".join(problems)), kind=kind)
    else:
        out.succeed()
    return np.asarray(problem.X_test[:CHECK_ROWS], dtype=float)


def _check_same_file(job: Job, sha256: str | None) -> None:
    """A data file that changed after the run checked it would mix rows under one key."""
    from srbench_lite.data.data_files import DataFileError

    if sha256 != job.data_sha256:
        raise DataFileError(
            f"{job.dataset}: the data file {job.data_file!r} changed since the run started "
            f"(sha256 {sha256} now, {job.data_sha256} when checked); run again with --resume"
        )


def _predictions(model, X, n: int, which: str):
    """Predictions as a 1-D float array of length n, or a reason they are unusable."""
    try:
        raw = model.predict(X)
    except Exception as exc:
        return None, _error_text(exc, f"predict on {which} data failed")
    try:
        pred = np.asarray(raw, dtype=float)
    except (TypeError, ValueError) as exc:
        return None, f"predict on {which} data returned a non-numeric {type(raw).__name__}: {exc}"
    if pred.ndim == 2 and pred.shape[1] == 1:
        pred = pred[:, 0]
    if pred.shape != (n,):
        return None, f"predict on {which} data returned shape {pred.shape}, expected ({n},)"
    bad = int(np.count_nonzero(~np.isfinite(pred)))
    if bad:
        return pred, f"predict on {which} data returned {bad} non-finite value(s) (NaN/inf) of {n}"
    return pred, None


def _read_expression(out: FitResult, model, spec, names: list[str], problem, pred_test):
    """Read, parse and evaluate the fitted model's ``sympy()`` (``expression``,
    ``raw_expression``, the expression's R²; ``complexity`` when the problem has no ground
    truth, else the metrics phase counts it). Returns why it is unusable, or None."""
    from srbench_lite.expr import ModelParseError, parse_model
    from srbench_lite.metrics import complexity

    try:
        raw = model.sympy()
    except Exception as exc:
        return _error_text(exc, "sympy() failed")
    out.raw_expression = _short(str(raw), 5000)
    try:
        expr = parse_model(raw, dialect=spec.dialect, feature_names=names)
    except ModelParseError as exc:
        return f"unparseable expression ({spec.dialect} dialect): {exc}"
    out.expression = str(expr)
    if not problem.has_truth:  # no metrics phase: the size is all there is to judge
        out.complexity = complexity(expr)
    return _check_expression(out, expr, names, problem, pred_test)


def _check_expression(out: FitResult, expr, names: list[str], problem, pred_test) -> str | None:
    """Evaluate the judged expression on the train and test rows: its R² (``r2_train``,
    ``r2_test``) and whether it disagrees with ``predict()``
    (:func:`~srbench_lite.metrics.agreement.check_agreement`). Returns why the expression is
    unusable as a model, or None."""
    from srbench_lite.metrics import evaluate_expression, r2
    from srbench_lite.metrics.agreement import check_agreement

    values = {}
    for which, X in (("train", problem.X_train), ("test", problem.X_test)):
        try:
            values[which] = evaluate_expression(expr, names, np.asarray(X, dtype=float))
        except Exception as exc:  # lambdify/numpy failures: the method's expression is broken
            return _error_text(exc, f"the expression cannot be evaluated on the {which} rows")
    if not np.isfinite(values["test"]).any():
        return "the expression is not finite on any test row (NaN/inf everywhere)"
    y = {"train": problem.y_train, "test": problem.y_test}
    out.r2_train, out.r2_test = (
        r2(y[which], values[which]) if np.isfinite(values[which]).all() else None
        for which in ("train", "test")
    )
    agreement = check_agreement(expr, names, problem.X_test, values["test"], pred_test, y["test"])
    out.expression_mismatch = agreement["expression_mismatch"]
    out.expression_rel_diff = agreement["expression_rel_diff"]
    out.expression_f32_diff = agreement["expression_f32_diff"]
    return None


def _measure_model(out: FitResult, spec, model) -> None:
    """``model_size`` of a model without an expression, by the method's own measure (None:
    not applicable); a failing measure is explained in ``metric_error``."""
    if spec.model_size is None:
        out.model_size = None
        return
    try:  # a model in its own environment is measured there
        remote = getattr(model, "remote_model_size", None)
        size = remote() if remote is not None else spec.model_size(model)
        out.model_size = None if size is None else float(size)
    except Exception as exc:  # the job's fit and R² stand; only the size is unknown
        out.model_size = None
        out.metric_error = _short(f"model size failed: {type(exc).__name__}: {exc}", 2000)


def score_fit(result: FitResult, X_check) -> FitResult:
    """``result`` with exact and form recovery, NED and complexity of its expression, computed
    in this process without a time limit (:func:`~srbench_lite.runner.judging.score_fields`;
    the runner's judge runs the same in a worker it can kill). A failure leaves the status
    ``ok`` and is explained in ``metric_error``."""
    request = ScoreRequest(result.expression, result.true_expression,
                           tuple(result.feature_names or ()), X_check)  # fmt: skip
    try:
        scores = score_fields(request)
    except Exception as exc:
        why = _short(f"{type(exc).__name__}: {exc}", 2000)
        return result.with_scores(
            exact_recovery=False, recovery_kind="error", ned=None, metric_error=why
        )
    return result.with_scores(**scores)
