"""One job end to end: the isolated fit (:mod:`.isolate`), its scoring (:mod:`.judging`), then
the record. :func:`execute_job` does both in the calling thread (a dask worker, a serial run);
the local backend calls the two halves, :func:`execute_fit` and :func:`score_record`, from
separate pools so that a job being judged does not hold a fit slot. None of them raises.

The symbolic metrics run in the parent's judge worker, limited to ``metric_timeout_s``; a
metric failure leaves the fit's ``ok`` status and is explained in ``metric_error``.
``wall_time_s`` is the fit's wall time plus ``score_time_s`` (not the wait for a judge).
"""

from __future__ import annotations

import socket
import time
import traceback
from typing import Any

from srbench_lite.fit_result import FitResult
from srbench_lite.records import RECORD_FIELDS, SCHEMA_VERSION, package_versions, utc_now
from srbench_lite.runner.config import JobOptions
from srbench_lite.runner.jobs import Job
from srbench_lite.runner.judging import ScoreRequest

__all__ = ["execute_fit", "execute_job", "failure_record", "score_record"]


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
        "data_source": job.data_source,
        "data_sha256": job.data_sha256 or None,
    }


def _truth(dataset: str) -> str | None:
    """The dataset's ground truth as the registry declares it (None: none, or unknown)."""
    try:
        from srbench_lite.data import get_spec

        return get_spec(dataset).formula or None
    except Exception:
        return None


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
    record.update(
        status="error",
        error=error,
        error_kind=kind,
        true_expression=_truth(job.dataset),
        versions=package_versions(),
        finished_at=utc_now(),
    )
    return complete(record)


def execute_job(job: Job, options: JobOptions) -> dict[str, Any]:
    """Fit, predict and score one job; return its record (status ok, timeout or error) with
    every schema field present (``None`` when unknown)."""
    return score_record(*execute_fit(job, options), options)


def execute_fit(job: Job, options: JobOptions) -> tuple[dict[str, Any], ScoreRequest | None]:
    """Fit and predict one job: its record so far, and what is left to judge (None: nothing;
    then the record is final). Never raises."""
    try:
        record, request = _execute(job, options)
    except Exception as exc:  # the run must go on, whatever happened
        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)[-4:])
        record = failure_record(job, options, f"harness error: {type(exc).__name__}: {exc}\n{text}")
        request = None
    return (complete(record) if request is None else record), request


def score_record(
    record: dict[str, Any], request: ScoreRequest | None, options: JobOptions
) -> dict[str, Any]:
    """``record`` (from :func:`execute_fit`) with the symbolic metrics of ``request``, judged
    in this thread's judge worker within the metric timeout; final. Never raises."""
    if request is None:
        return record
    from srbench_lite.runner.judging import judge
    from srbench_lite.sandbox import limit_worker_memory

    limit_worker_memory(options.memory_mb)  # the judge's worker is capped as the fit was
    try:
        scores = judge(request, options.metric_timeout_s)
    except Exception as exc:  # judge() does not raise; a harness bug must not stop the run
        why = f"harness error while scoring: {type(exc).__name__}: {exc}"
        scores = {"exact_recovery": False, "recovery_kind": "error", "metric_error": why}
    record.update(scores)
    if record.get("has_expression") is not False:  # an expression's size is its complexity
        record["model_size"] = record.get("complexity")
    record["wall_time_s"] = (record.get("wall_time_s") or 0.0) + (scores.get("score_time_s") or 0)
    record["finished_at"] = utc_now()
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


#: what the parent decides from how the child ended (the child's values count when it finished)
_OUTCOME_FIELDS = ("status", "error", "error_kind")


def _merge(record: dict[str, Any], result: FitResult) -> None:
    """Copy ``result``'s known record fields (not ``None``, and not the outcome) into ``record``:
    what the parent knew before (``has_expression``, ``true_expression``) stays unless the
    child knew it too."""
    for name, value in result.to_record().items():
        if value is not None and name not in _OUTCOME_FIELDS:
            record[name] = value


def _execute(job: Job, options: JobOptions) -> tuple[dict[str, Any], ScoreRequest | None]:
    from srbench_lite.runner.isolate import run_isolated

    record = _base_record(job, options)
    record["started_at"] = utc_now()
    start = time.perf_counter()
    outcome = run_isolated(job, options)
    res = outcome.result
    record["true_expression"] = _truth(job.dataset)
    if res is not None:
        _merge(record, res)
    record["versions"] = (res.env_versions if res is not None and res.env_versions
                          else package_versions(tuple(res.method_requires if res else ())))  # fmt: skip

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
    elif outcome.kind == "crashed" or res is None:
        record.update(
            status="error",
            error_kind="crash",
            error=_with_tail(
                f"the job's process died {outcome.describe_exit()} without a result",
                outcome.log_tail,
            ),
        )
    else:
        record.update(status=res.status, error=res.error, error_kind=res.error_kind)

    request = None
    if record["status"] == "ok" and res is not None and res.expects_scores():
        request = ScoreRequest(res.expression, res.true_expression,
                               tuple(res.feature_names or ()), res.check_rows)  # fmt: skip
    if record.get("has_expression") is not False:  # an expression's size is its complexity
        record["model_size"] = record.get("complexity")
    record["wall_time_s"] = time.perf_counter() - start
    record["finished_at"] = utc_now()
    return record, request


def _with_tail(message: str, tail: str) -> str:
    return f"{message}; last output:\n{tail}" if tail else message
