"""The benchmark runner: jobs = problems × methods × seeds × noise levels, each fit in its own
child process with a hard kill, one record appended per finished job.

Modules: :mod:`.jobs` (job list, seeds), :mod:`.child` (what runs in the job's process),
:mod:`.isolate` (launching and killing that process), :mod:`.execute` (one job end to end,
metrics included), :mod:`.backends` (local threads, dask), :mod:`.benchmark` (a whole run).
"""

from __future__ import annotations

from srbench_lite.runner.benchmark import RunSummary, execute_run, run_benchmark
from srbench_lite.runner.jobs import Job, JobOptions, build_jobs, derive_seeds, select_problems

__all__ = [
    "Job",
    "JobOptions",
    "RunSummary",
    "build_jobs",
    "derive_seeds",
    "execute_run",
    "run_benchmark",
    "select_problems",
]
