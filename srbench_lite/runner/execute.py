"""One job end to end: the isolated fit and scoring (:mod:`.isolate`), then the record. This
is the function a backend runs (a local thread or a dask worker); it never raises.

The symbolic metrics are computed in the job's child too, as a second phase with its own
time limit (``metric_timeout_s``); a metric failure leaves the fit's ``ok`` status and is
explained in ``metric_error``.
"""

from __future__ import annotations

import socket
import time
import traceback
from typing import Any

from srbench_lite.records import RECORD_FIELDS, SCHEMA_VERSION, package_versions, utc_now
from srbench_lite.runner.config import JobOptions
from srbench_lite.runner.jobs import Job

__all__ = ["execute_job", "failure_record"]


def _base_record(job: Job, options: JobOptions) -> dict[str, Any]:
    return {
        "dataset": job.dataset,
        "suite": job.suite,
        "method": job.method,
        "seed": int(job.seed),
        "noise": float(job.noise),
        "time_budget_s": options.time_budget_s,
        "schema_version": SCHEMA_VERSION,
        "run_id": options.run_id,
        "job_id": job.job_id,
        "problem_seed": int(job.seed),
        "smoke": options.smoke,
        "host": socket.gethostname(),
        "has_expression": _has_expression(job.method),
    }


def _truth(dataset: str) -> tuple[str | None, list[str] | None]:
    try:
        from srbench_lite.data import get_spec

        spec = get_spec(dataset)
        return spec.formula or None, list(spec.feature_names)
    except Exception:
        return None, None


def _has_expression(method: str) -> bool | None:
    """What the method declares (known even for a job that produced nothing)."""
    try:
        from srbench_lite.methods import get_method

        return get_method(method).has_expression
    except Exception:
        return None


def failure_record(job: Job, options: JobOptions, error: str, kind: str = "runner") -> dict:
    """A record for a job that produced nothing (the harness itself failed around it)."""
    record = _base_record(job, options)
    truth, _ = _truth(job.dataset)
    record.update(
        status="error",
        error=error,
        error_kind=kind,
        true_expression=truth,
        versions=package_versions(),
        finished_at=utc_now(),
    )
    return complete(record)


def execute_job(job: Job, options: JobOptions) -> dict[str, Any]:
    """Fit, predict and score one job; return its record (status ok, timeout or error) with
    every schema field present (``None`` when unknown)."""
    try:
        record = _execute(job, options)
    except Exception as exc:  # the run must go on, whatever happened
        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)[-4:])
        record = failure_record(job, options, f"harness error: {type(exc).__name__}: {exc}\n{text}")
    return complete(record)


#: record fields that may carry text from the method or the machine (paths are scrubbed)
_TEXT_FIELDS = ("error", "metric_error")


def complete(record: dict[str, Any]) -> dict[str, Any]:
    """``record`` with every schema field (missing ones set to ``None``) and no absolute path
    of this machine in its messages."""
    from srbench_lite.provenance import scrub_paths

    for name in RECORD_FIELDS:
        record.setdefault(name, None)
    for name in _TEXT_FIELDS:
        if isinstance(record.get(name), str):
            record[name] = scrub_paths(record[name])
    return record


#: what the child's fit result contributes to the record
_FIT_FIELDS = ("setup_time_s", "fit_time_s", "predict_time_s", "r2_train", "r2_test",
               "r2_train_predict", "r2_test_predict", "expression_mismatch", "expression_rel_diff",
               "expression_f32_diff", "expression", "raw_expression", "n_train", "n_test",
               "n_features", "has_expression", "complexity", "model_size",
               "metric_error")  # fmt: skip


def _execute(job: Job, options: JobOptions) -> dict[str, Any]:
    from srbench_lite.runner.isolate import run_isolated

    record = _base_record(job, options)
    record["started_at"] = utc_now()
    start = time.perf_counter()
    outcome = run_isolated(job, options)
    res = outcome.result or {}
    truth, names = _truth(job.dataset)
    truth = res.get("true_expression", truth)
    names = res.get("feature_names", names)
    for field in _FIT_FIELDS:
        if field in res:
            record[field] = res[field]
    record["true_expression"] = truth
    record["versions"] = package_versions(tuple(res.get("method_requires", ())))

    if outcome.kind == "timeout" and outcome.phase == "starting":
        from srbench_lite.runner.child import STARTUP_TIMEOUT_S

        record.update(
            status="timeout",
            error_kind="setup-timeout",
            error=_with_tail(
                f"setting up the job (imports, data, building the estimator) took more than "
                f"{STARTUP_TIMEOUT_S:g} s",
                outcome.log_tail,
            ),
        )
    elif outcome.kind == "timeout":
        record.update(
            status="timeout",
            error_kind="timeout",
            error=_with_tail(
                f"killed at the hard limit of {options.hard_limit_text()}", outcome.log_tail
            ),
        )
    elif outcome.kind == "interrupted":
        record.update(status="error", error_kind="interrupted", error="the run was interrupted")
    elif outcome.kind == "crashed" or not res:
        record.update(
            status="error",
            error_kind="crash",
            error=_with_tail(
                f"the job's process died {outcome.describe_exit()} without a result",
                outcome.log_tail,
            ),
        )
    else:
        record.update(status=res.get("status", "error"), error=res.get("error"))
        record["error_kind"] = res.get("error_kind")

    if record["status"] == "ok":
        if outcome.metrics is not None:
            record.update(outcome.metrics)
        elif outcome.metric_failure:
            record.update(exact_recovery=False, recovery_kind="timeout" if "exceeded" in
                          outcome.metric_failure else "error", metric_error=outcome.metric_failure)  # fmt: skip
    if record.get("has_expression") is not False:  # an expression's size is its complexity
        record["model_size"] = record.get("complexity")
    record["wall_time_s"] = time.perf_counter() - start
    record["finished_at"] = utc_now()
    return record


def _with_tail(message: str, tail: str) -> str:
    return f"{message}; last output:\n{tail}" if tail else message
