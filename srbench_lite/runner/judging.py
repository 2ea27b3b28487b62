"""A job's symbolic metrics, computed in the parent's judge worker (phase 2 of a job).

The job's child fits and sends its result with the rows the metrics check on
(:class:`ScoreRequest`); the parent scores it with :func:`judge`: the whole of
:func:`srbench_lite.metrics.score` runs as one call in a sandbox worker
(:mod:`srbench_lite.sandbox`), killed at the metric timeout. The worker lives as long as the
thread that drives it, so its caches (the truth's canonical forms and trees, its compiled form
and numeric values: :mod:`srbench_lite.metrics._memo`) serve every job of the same problem, and a
slow judge holds a judge thread, not a fit slot (:func:`judge_pool_size`).

:func:`request_from_record` rebuilds the request of a finished record exactly as the runner
built it (the record's expression and truth, the problem's feature names and its first
:data:`~srbench_lite.runner.fitting.CHECK_ROWS` test rows), for replays
(``benchmarks/metrics_speed.py replay``).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "SCORE_FIELDS",
    "ScoreRequest",
    "judge",
    "judge_pool_size",
    "request_from_record",
]

#: the record fields :func:`judge` fills
SCORE_FIELDS = ("exact_recovery", "recovery_kind", "form_recovery", "ned", "complexity",
                "metric_error", "score_time_s")  # fmt: skip
_MAX_ERROR = 2000


@dataclass(frozen=True)
class ScoreRequest:
    """What the metrics of one job need: the judged expression (sympy syntax over the
    problem's feature names), the ground truth, the feature names in column order and the
    sample rows (``X``, shape ``(n, len(feature_names))``; None: the metrics' default)."""

    expression: str
    truth: str
    feature_names: tuple[str, ...]
    X: np.ndarray | None = None


def _score_task(request: ScoreRequest) -> dict[str, Any]:
    """Worker side: :func:`~srbench_lite.metrics.score` in this process (the caller's sandbox
    call bounds it), reduced to the record's fields."""
    from srbench_lite.metrics import score

    scores = score(
        request.expression,
        request.truth,
        feature_names=list(request.feature_names),
        dialect="sympy",
        timeout=None,  # the whole call is time-limited by the sandbox
        X=request.X,
    )
    form = scores.get("form_recovery")
    return {
        "exact_recovery": bool(scores["solved"]),
        "recovery_kind": scores["recovery_kind"],
        "form_recovery": None if form is None else bool(form),
        "ned": scores["ned"],
        "complexity": scores["complexity"],
        "metric_error": scores.get("error"),
    }


def judge(request: ScoreRequest, timeout_s: float) -> dict[str, Any]:
    """The symbolic metrics of one job as record fields (:data:`SCORE_FIELDS`), never raising.

    Runs in this thread's sandbox worker, killed after ``timeout_s`` (the run's metric
    timeout): then ``recovery_kind`` is ``timeout`` and ``metric_error`` says so, as when the
    job's own process was killed in its metric phase. Any other failure gives kind ``error``.
    """
    from srbench_lite.sandbox import SandboxError, SandboxTimeout, call_with_timeout, warm_up

    warm_up()  # a new worker's start-up (sympy's import) is not the job's scoring time
    start = time.perf_counter()
    try:
        out = call_with_timeout(_score_task, request, timeout=timeout_s)
    except SandboxTimeout:
        out = {"exact_recovery": False, "recovery_kind": "timeout",
               "metric_error": f"symbolic metrics exceeded the {timeout_s:g} s limit"}  # fmt: skip
    except SandboxError as exc:
        what = ("the judge's process died while computing the metrics"
                if exc.exc_type == "WorkerDied" else f"{exc.exc_type}: {exc}")  # fmt: skip
        out = {"exact_recovery": False, "recovery_kind": "error", "ned": None,
               "metric_error": what[:_MAX_ERROR]}  # fmt: skip
    out["score_time_s"] = time.perf_counter() - start
    return out


def judge_pool_size(fit_slots: int) -> int:
    """Judge threads beside ``fit_slots`` fitting jobs: one per four fit slots (at least one).
    Judging costs a small fraction of a fit, so a few judges keep up with many fits."""
    return max(1, (int(fit_slots) + 3) // 4)


def request_from_record(record: Mapping[str, Any], check_rows: int | None = None) -> ScoreRequest:
    """The :class:`ScoreRequest` the runner built for ``record`` (a ``records.jsonl`` line):
    its ``expression`` and ``true_expression``, the problem's feature names, and the first
    ``check_rows`` (default :data:`~srbench_lite.runner.fitting.CHECK_ROWS`) rows of the
    problem's test set regenerated from ``dataset``, ``seed`` and ``noise``.

    Raises ``ValueError`` for a record without an expression or truth, or whose rows came from
    a data file (``data_source: file``), which a replay cannot regenerate.
    """
    from srbench_lite.data import load_problem
    from srbench_lite.runner.fitting import CHECK_ROWS

    if not record.get("expression") or not record.get("true_expression"):
        raise ValueError(f"record {record.get('job_id')!r} has no expression or truth to judge")
    if record.get("data_source") == "file":
        raise ValueError(f"record {record.get('job_id')!r} read its rows from a file")
    problem = load_problem(
        record["dataset"], seed=int(record.get("seed", 0)), noise=float(record.get("noise", 0.0))
    )
    rows = CHECK_ROWS if check_rows is None else check_rows
    return ScoreRequest(
        expression=record["expression"],
        truth=record["true_expression"],
        feature_names=tuple(problem.feature_names),
        X=np.asarray(problem.X_test[:rows], dtype=float),
    )
