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
:data:`CHECK_ROWS` test rows), for replays
(``benchmarks/metrics_speed.py replay``).
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "CHECK_ROWS",
    "SCORE_FIELDS",
    "JudgePool",
    "ScoreRequest",
    "judge",
    "judge_pool_size",
    "request_from_record",
    "score_fields",
]

#: rows of the problem's test set the metrics check on (numeric screen, form refit)
CHECK_ROWS = 256
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


def score_fields(request: ScoreRequest) -> dict[str, Any]:
    """:func:`~srbench_lite.metrics.score` of ``request`` in this process, without a time
    limit, as record fields (what :func:`judge` runs in its worker)."""
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


_warmed = False


def _warm_judges() -> None:
    """Worker side, once per worker process: score a tiny pair, so that the judges' imports
    (scipy, mpmath, zss) and sympy's caches are start-up, not the first job's scoring time."""
    global _warmed
    if not _warmed:
        X = np.linspace(1.0, 5.0, 64)[:, None]
        score_fields(ScoreRequest("1.5*x0 + sin(x0)", "x0 + sin(x0)", ("x0",), X))
        _warmed = True


def judge(request: ScoreRequest, timeout_s: float) -> dict[str, Any]:
    """The symbolic metrics of one job as record fields (:data:`SCORE_FIELDS`), never raising.

    Runs in this thread's sandbox worker, killed after ``timeout_s`` (the run's metric
    timeout): then ``recovery_kind`` is ``timeout`` and ``metric_error`` says so, as when the
    job's own process was killed in its metric phase. Any other failure gives kind ``error``.
    """
    from srbench_lite.sandbox import (
        STARTUP_TIMEOUT_S,
        SandboxError,
        SandboxTimeout,
        call_with_timeout,
        warm_up,
    )

    warm_up()  # a new worker's start-up (sympy's import) is not the job's scoring time
    try:
        call_with_timeout(_warm_judges, timeout=STARTUP_TIMEOUT_S)
    except (SandboxTimeout, SandboxError):
        pass  # the timed call below meets the same problem and reports it
    start = time.perf_counter()
    try:
        out = call_with_timeout(score_fields, request, timeout=timeout_s)
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


class JudgePool:
    """``size`` threads that score jobs as they come (:meth:`submit`), each driving its own
    sandbox worker for the life of the pool (so the worker's caches serve every job of a
    problem). ``score(record, request)`` must not raise; its return value goes to
    ``deliver``. :meth:`close` lets the queued jobs finish; ``abort=True`` drops them and kills
    the workers (an interrupted run)."""

    def __init__(self, size: int, score: Callable[[Any, ScoreRequest], Any],
                 deliver: Callable[[Any], None]) -> None:  # fmt: skip
        self._queue: queue.Queue = queue.Queue()
        self._score, self._deliver = score, deliver
        self._threads = [
            threading.Thread(target=self._serve, daemon=True, name=f"srbench-lite-judge-{i}")
            for i in range(max(1, int(size)))
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, record: Any, request: ScoreRequest) -> None:
        self._queue.put((record, request))

    def _serve(self) -> None:
        from srbench_lite.sandbox import stop_worker

        try:
            while True:
                item = self._queue.get()
                if item is None:
                    return
                self._deliver(self._score(*item))
        finally:
            stop_worker()  # this thread's worker, with its caches

    def close(self, abort: bool = False) -> None:
        """Stop the threads after the queued jobs (``abort``: at once, killing the workers)."""
        if abort:
            from srbench_lite.sandbox import shutdown_workers

            while True:
                try:
                    self._queue.get_nowait()
                except queue.Empty:
                    break
            shutdown_workers()  # a judge in its worker ends now, with an error
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join(timeout=None if not abort else 10.0)


def judge_pool_size(fit_slots: int) -> int:
    """Judge threads beside ``fit_slots`` fitting jobs: one per four fit slots (at least one).
    Judging costs a small fraction of a fit, so a few judges keep up with many fits."""
    return max(1, (int(fit_slots) + 3) // 4)


def request_from_record(record: Mapping[str, Any], check_rows: int | None = None) -> ScoreRequest:
    """The :class:`ScoreRequest` the runner built for ``record`` (a ``records.jsonl`` line):
    its ``expression`` and ``true_expression``, the problem's feature names, and the first
    ``check_rows`` (default :data:`CHECK_ROWS`) rows of the
    problem's test set regenerated from ``dataset``, ``seed`` and ``noise``.

    Raises ``ValueError`` for a record without an expression or truth, or whose rows came from
    a data file (``data_source: file``), which a replay cannot regenerate.
    """
    from srbench_lite.data import load_problem

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
