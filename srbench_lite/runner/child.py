"""What runs inside a job's child process: load the problem, build, fit, predict, read the
expression, then score it. Everything that can hang, crash or eat memory happens here, so the
parent can kill it.

Two phases, each one picklable message to the parent: the fit's result (:func:`fit_job`, never
raises), then for a successful fit its symbolic metrics (:func:`score_fit`), which the parent
bounds separately by the metric timeout. Scoring here costs nothing extra: the forkserver
child already has sympy and the metrics loaded, whereas a separate sympy worker would need a
fresh interpreter per thread. It sets up its own
safety net first (:func:`prepare_process`): thread variables pinned to 1, BLAS/OpenMP pools
limited, its own process group (so the parent can kill grandchildren too), an optional address
space cap, a SIGALRM backstop that ends it a few seconds after its hard limit even if the parent
is gone, and a watchdog thread that exits when the parent dies.

Also the entry point of the portable launcher: ``python -m srbench_lite.runner.child`` reads a
pickled ``(job, options, parent_pid)`` from stdin and writes the pickled result to stdout.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from srbench_lite.runner.config import JobOptions
    from srbench_lite.runner.jobs import Job

THREAD_VARS = (
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "BLIS_NUM_THREADS",
)
#: rows of X_test returned for the metrics' numeric check
CHECK_ROWS = 256
#: seconds a child may take to set up (imports, data, building the estimator) before fitting
STARTUP_TIMEOUT_S = 300.0
#: extra seconds after the hard limit before the child's own SIGALRM backstop fires
BACKSTOP_S = 5.0
MAX_TEXT = 20_000
#: message of a child that is set up and about to fit: the parent's hard-limit clock starts
READY = "ready"


def pinned_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """``base`` (default ``os.environ``) with every thread-count variable set to 1."""
    env = dict(os.environ if base is None else base)
    env.update({name: "1" for name in THREAD_VARS})
    return env


def _watch_parent(parent_pid: int) -> None:
    while True:
        time.sleep(1.0)
        try:
            os.kill(parent_pid, 0)
        except ProcessLookupError:
            os._exit(3)
        except PermissionError:  # pid reused by another user's process: the parent is gone
            os._exit(3)


def prepare_process(parent_pid: int, hard_limit_s: float, memory_mb: float | None) -> None:
    """The child's safety net (see the module docstring)."""
    os.environ.update({name: "1" for name in THREAD_VARS})
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    except Exception:  # threadpoolctl is a scikit-learn dependency; absence is harmless
        pass
    if hasattr(os, "setpgid"):
        try:
            os.setpgid(0, 0)
        except OSError:
            pass
    if memory_mb:
        try:
            import resource

            limit = int(float(memory_mb) * 2**20)
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        except (ImportError, ValueError, OSError):
            pass
    if hasattr(signal, "setitimer"):
        signal.signal(signal.SIGALRM, signal.SIG_DFL)  # default action: terminate
        signal.setitimer(signal.ITIMER_REAL, STARTUP_TIMEOUT_S + hard_limit_s + BACKSTOP_S)
    threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True).start()


def _short(text: str, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else text[: limit // 2] + " ... " + text[-limit // 2 :]


def _error_text(exc: BaseException, where: str) -> str:
    from srbench_lite.provenance import scrub_paths

    tb = traceback.format_exception(type(exc), exc, exc.__traceback__)
    return _short(scrub_paths(f"{where}: {type(exc).__name__}: {exc}\n" + "".join(tb[-6:])))


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


def fit_job(
    job: Job, options: JobOptions, ready: Callable[[], None] | None = None
) -> dict[str, Any]:
    """Run one job's fit in this process and return what was learned (never raises).

    ``ready()`` is called once the problem is loaded and the estimator built, right before
    ``fit``: the parent's hard-limit clock starts there (imports and data generation do not
    eat the method's budget)."""
    out: dict[str, Any] = {"status": "error", "error": None, "error_kind": None}
    out["_t0"] = time.perf_counter()
    try:
        _fit_job(job, options, out, ready)
    except MemoryError as exc:
        out.update(status="error", error_kind="memory", error=_error_text(exc, "out of memory"))
    except BaseException as exc:  # the child reports everything; the parent decides
        out.update(status="error", error_kind=out.get("error_kind") or "runner")
        out["error"] = _error_text(exc, "job failed")
    out.pop("_t0", None)
    return out


def _fit_job(job: Job, options: JobOptions, out: dict[str, Any], ready) -> None:
    from srbench_lite.data import load_problem
    from srbench_lite.data.pmlb_cache import ENV_CACHE as PMLB_ENV
    from srbench_lite.data.registry import ENV_PATH as SUITES_ENV
    from srbench_lite.methods.registry import ENV_PATH, get_method
    from srbench_lite.metrics import r2

    os.environ[ENV_PATH] = options.methods_path
    os.environ[SUITES_ENV] = options.suites_path
    if options.pmlb_cache:  # suites of PMLB files read the run's cache
        os.environ[PMLB_ENV] = options.pmlb_cache
    out["error_kind"] = "setup"
    problem = load_problem(job.dataset, seed=job.seed, noise=job.noise)
    names = list(problem.feature_names)
    out.update(
        true_expression=problem.formula or None,  # None: no ground truth (black box)
        feature_names=names,
        n_train=len(problem.y_train),
        n_test=len(problem.y_test),
        n_features=len(names),
        X_check=np.asarray(problem.X_test[:CHECK_ROWS], dtype=float),
    )
    spec = get_method(job.method)
    out["method_requires"] = list(spec.requires)
    model = spec.build(
        time_budget_s=options.time_budget_s,
        seed=job.seed,
        smoke=options.smoke,
        overrides=options.method_params(job.method),
    )
    X_train = np.asarray(problem.X_train, dtype=float)
    y_train = np.asarray(problem.y_train, dtype=float)
    out["error_kind"] = "fit"
    out["setup_time_s"] = time.perf_counter() - out["_t0"]
    if ready is not None:
        ready()
    start = time.perf_counter()
    try:
        fitted = model.fit(X_train, y_train)
    except Exception as exc:
        out["fit_time_s"] = time.perf_counter() - start
        if isinstance(exc, MemoryError):
            out["error_kind"] = "memory"
            out["error"] = _error_text(exc, "fit ran out of memory (see --memory-mb)")
        else:
            out["error"] = _error_text(exc, "fit failed")
        return
    out["fit_time_s"] = time.perf_counter() - start
    if fitted is not None:
        model = fitted

    problems: list[str] = []
    out["error_kind"] = "predict"
    start = time.perf_counter()
    pred_train, why_train = _predictions(model, X_train, len(y_train), "training")
    pred_test, why_test = _predictions(model, problem.X_test, len(problem.y_test), "test")
    out["predict_time_s"] = time.perf_counter() - start
    problems += [why for why in (why_train, why_test) if why]
    if why_train is None:
        out["r2_train_predict"] = r2(y_train, pred_train)
    if why_test is None:
        out["r2_test_predict"] = r2(problem.y_test, pred_test)

    kind = "predict" if problems else None
    out["has_expression"] = spec.has_expression
    if spec.has_expression:
        why = _read_expression(out, model, spec, names, problem, pred_test)
        if why:
            problems.append(why)
            kind = kind or "expression"
    else:  # judged on predict() alone; its size is the method's own measure
        out["r2_train"], out["r2_test"] = out.get("r2_train_predict"), out.get("r2_test_predict")
        _measure_model(out, spec, model)
    if problems:
        out.update(status="error", error_kind=kind, error=_short("; ".join(problems)))
    else:
        out.update(status="ok", error_kind=None, error=None)


def _read_expression(out: dict[str, Any], model, spec, names: list[str], problem, pred_test):
    """Read, parse and evaluate the fitted model's ``sympy()`` (``expression``,
    ``raw_expression``, the expression's R²; ``complexity`` when the problem has no ground
    truth, else the metrics phase counts it). Returns why it is unusable, or None."""
    from srbench_lite.expr import ModelParseError, parse_model
    from srbench_lite.metrics import complexity

    try:
        raw = model.sympy()
    except Exception as exc:
        return _error_text(exc, "sympy() failed")
    out["raw_expression"] = _short(str(raw), 5000)
    try:
        expr = parse_model(raw, dialect=spec.dialect, feature_names=names)
    except ModelParseError as exc:
        return f"unparseable expression ({spec.dialect} dialect): {exc}"
    out["expression"] = str(expr)
    if not problem.has_truth:  # no metrics phase: the size is all there is to judge
        out["complexity"] = complexity(expr)
    return _check_expression(out, expr, names, problem, pred_test)


def _measure_model(out: dict[str, Any], spec, model) -> None:
    """``model_size`` of a model without an expression, by the method's own measure (None:
    not applicable); a failing measure is explained in ``metric_error``."""
    if spec.model_size is None:
        out["model_size"] = None
        return
    try:
        size = spec.model_size(model)
        out["model_size"] = None if size is None else float(size)
    except Exception as exc:  # the job's fit and R² stand; only the size is unknown
        out["model_size"] = None
        out["metric_error"] = _short(f"model size failed: {type(exc).__name__}: {exc}", 2000)


def expects_metrics(result: dict[str, Any]) -> bool:
    """Whether a fit's result goes on to the metrics phase: a successful fit with an
    expression, on a problem with a ground truth."""
    return (
        result.get("status") == "ok"
        and bool(result.get("true_expression"))
        and bool(result.get("expression"))
    )


def _check_expression(
    out: dict[str, Any], expr, names: list[str], problem, pred_test
) -> str | None:
    """Evaluate the judged expression on the train and test rows: its R² (``r2_train``,
    ``r2_test``) and whether it disagrees with ``predict()`` (:func:`expression_agreement`).
    Returns why the expression is unusable as a model, or None."""
    from srbench_lite.metrics import evaluate_expression, r2

    values = {}
    for which, X in (("train", problem.X_train), ("test", problem.X_test)):
        try:
            values[which] = evaluate_expression(expr, names, np.asarray(X, dtype=float))
        except Exception as exc:  # lambdify/numpy failures: the method's expression is broken
            return _error_text(exc, f"the expression cannot be evaluated on the {which} rows")
    finite = {k: np.isfinite(v) for k, v in values.items()}
    if not finite["test"].any():
        return "the expression is not finite on any test row (NaN/inf everywhere)"
    for which, y in (("train", problem.y_train), ("test", problem.y_test)):
        out[f"r2_{which}"] = r2(y, values[which]) if finite[which].all() else None
    try:
        f32 = evaluate_expression(expr, names, np.asarray(problem.X_test, dtype=np.float32))
    except Exception:  # float32 is only the allowance for rounding; float64 already worked
        f32 = None
    out.update(expression_agreement(values["test"], pred_test, problem.y_test, f32))
    return None


#: relative RMS difference between the expression's and predict()'s test values above which
#: the record is flagged ``expression_mismatch``, unless float32 rounding explains more
#: (docs/records.md)
MISMATCH_TOLERANCE = 1e-3
#: how many times the expression's own float32 error a disagreement may be and still be rounding
FLOAT32_FACTOR = 10.0


def _rel_rms(a, b, scale: float) -> float:
    both = np.isfinite(a) & np.isfinite(b)
    if not both.any():
        return float("inf")
    return float(np.sqrt(np.mean(np.square(a[both] - b[both]))) / scale)


def expression_agreement(expr_values, pred_values, y, expr_values_f32=None) -> dict[str, Any]:
    """``expression_mismatch`` (bool, or None when predict() gave nothing),
    ``expression_rel_diff`` = RMS(expression - predict) / RMS(y) over the test rows, and
    ``expression_f32_diff``, the same between the expression evaluated in float32 and float64.

    Mismatch when the expression is non-finite on a row where predict() is finite, or when
    ``expression_rel_diff`` exceeds both :data:`MISMATCH_TOLERANCE` and
    :data:`FLOAT32_FACTOR` x ``expression_f32_diff``: more than float32 rounding explains
    (Operon predicts in float32; ``cos(12150.5*x)`` differs there in the third digit). Printed
    constants rounded to 6 decimals stay far below; a printed model that is not the fitted
    one does not.
    """
    expr_values = np.asarray(expr_values, dtype=float)
    if pred_values is None:
        return {"expression_mismatch": None, "expression_rel_diff": None,
                "expression_f32_diff": None}  # fmt: skip
    pred_values = np.asarray(pred_values, dtype=float)
    scale = float(np.sqrt(np.mean(np.square(np.asarray(y, dtype=float))))) or 1.0
    rel = _rel_rms(expr_values, pred_values, scale)
    f32 = 0.0
    if expr_values_f32 is not None:
        f32 = _rel_rms(expr_values, np.asarray(expr_values_f32, dtype=float), scale)
        f32 = f32 if np.isfinite(f32) else 0.0  # float32 overflow explains nothing
    lost = bool((np.isfinite(pred_values) & ~np.isfinite(expr_values)).any())
    allowed = max(MISMATCH_TOLERANCE, FLOAT32_FACTOR * f32)
    return {
        "expression_mismatch": bool(lost or not rel <= allowed),
        "expression_rel_diff": rel,
        "expression_f32_diff": f32,
    }


def score_fit(result: dict[str, Any], X_check) -> dict[str, Any]:
    """Exact and form recovery, NED and complexity of a successful fit (phase 2 of a job). The parent
    bounds this phase by the metric timeout; a failure here leaves the status ``ok``."""
    from srbench_lite.metrics import score

    try:
        scores = score(
            result["expression"],
            result["true_expression"],
            feature_names=result["feature_names"],
            dialect="sympy",
            timeout=None,  # the whole phase is time-limited by the parent's kill
            X=X_check,
        )
    except Exception as exc:
        return {"exact_recovery": False, "recovery_kind": "error", "ned": None,
                "metric_error": _short(f"{type(exc).__name__}: {exc}", 2000)}  # fmt: skip
    form = scores.get("form_recovery")
    return {
        "exact_recovery": bool(scores["solved"]),
        "recovery_kind": scores["recovery_kind"],
        "form_recovery": None if form is None else bool(form),
        "ned": scores["ned"],
        "complexity": scores["complexity"],
        "metric_error": scores.get("error"),
    }


def _phases(job, options, send) -> None:
    """Phase 1: set up, send READY, fit, send the result; phase 2 (successful fits): score
    and send the scores."""

    def ready() -> None:
        if hasattr(signal, "setitimer"):  # the backstop now counts from the fit's start
            signal.setitimer(signal.ITIMER_REAL, options.hard_limit_s() + BACKSTOP_S)
        send(READY)

    result = fit_job(job, options, ready=ready)
    X_check = result.pop("X_check", None)
    send(result)
    if expects_metrics(result):
        if hasattr(signal, "setitimer"):  # move the backstop to the end of the metric phase
            signal.setitimer(signal.ITIMER_REAL, options.metric_timeout_s + BACKSTOP_S)
        start = time.perf_counter()
        scores = score_fit(result, X_check)
        scores["score_time_s"] = time.perf_counter() - start
        send(scores)


def run_in_forkserver_child(conn, job, options, parent_pid: int, log_path: str | None) -> None:
    """Target of the forkserver ``Process``: set up, then send READY, the fit's result and
    (for a successful fit) its metrics over ``conn``."""
    _redirect_output(log_path)
    prepare_process(parent_pid, options.hard_limit_s(), options.memory_mb)
    _phases(job, options, conn.send)
    conn.close()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # skip atexit handlers the method may have registered


def _redirect_output(log_path: str | None) -> None:
    """Send the method's stdout/stderr (fds 1 and 2) to the job's log file."""
    if not log_path:
        return
    try:
        fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    except OSError:
        return
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    try:
        import faulthandler

        faulthandler.enable(file=sys.stderr)
    except (RuntimeError, ValueError, OSError):
        pass


def main() -> int:
    """``python -m srbench_lite.runner.child``: pickled request on stdin, result on stdout."""
    request = pickle.load(sys.stdin.buffer)
    job, options, parent_pid, log_path = request
    reply = os.fdopen(os.dup(1), "wb")
    if log_path:
        _redirect_output(log_path)
    else:
        os.dup2(2, 1)  # nothing but the reply may reach the protocol stream
    prepare_process(parent_pid, options.hard_limit_s(), options.memory_mb)

    def send(message) -> None:
        reply.write(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))
        reply.flush()

    _phases(job, options, send)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
