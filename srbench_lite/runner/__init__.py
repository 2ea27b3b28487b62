"""The benchmark runner: jobs = problems × methods × seeds × noise levels, each fit in its own
child process with a hard kill, one record appended per finished job.

Modules: :mod:`.config` (:class:`RunConfig`, :class:`JobOptions`: every setting, validated once),
:mod:`.jobs` (the job list), :mod:`.fitting` (one job's fit and scoring), :mod:`.child`
(the job's process: safety net, phases, transports), :mod:`.isolate`
(launching and killing that process), :mod:`.judging` (the parent's judge pool: a job's
metrics in a long-lived worker), :mod:`.execute` (one job end to end, metrics included),
:mod:`.backends` (local, dask), :mod:`.benchmark` (a whole run), :mod:`.replay` (re-judging
finished records).
"""

from __future__ import annotations

from srbench_lite.runner.benchmark import RunSummary, execute_run, run_benchmark
from srbench_lite.runner.config import JobOptions, RunConfig
from srbench_lite.runner.jobs import Job, build_jobs, select_problems

__all__ = [
    "Job",
    "JobOptions",
    "RunConfig",
    "RunSummary",
    "build_jobs",
    "execute_run",
    "run_benchmark",
    "select_problems",
]
