"""Where jobs run (:data:`~srbench_lite.runner.config.BACKENDS`): ``local`` (this machine) or
``dask`` (a dask.distributed cluster).

Both yield records as jobs finish (in completion order) so the caller can append each one at
once. Either way a job's fit runs in its own child process (:mod:`.isolate`): the local backend
drives the children from ``n_jobs`` threads (the work is in the children, so threads suffice)
and hands each fitted job to a small judge pool (:class:`~srbench_lite.runner.judging.JudgePool`)
so that the next fit starts at once; the dask backend runs
:func:`~srbench_lite.runner.execute.execute_job` (fit, then judge) on the workers.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from typing import Any

from srbench_lite.errors import SrbenchError
from srbench_lite.runner.config import JobOptions
from srbench_lite.runner.execute import execute_fit, execute_job, failure_record, score_record
from srbench_lite.runner.jobs import Job

__all__ = ["check_workers", "connect", "run_dask", "run_local"]


def run_local(jobs: Sequence[Job], options: JobOptions, n_jobs: int) -> Iterator[dict[str, Any]]:
    """Run the jobs ``n_jobs`` fits at a time on this machine (threads, each driving one job's
    child process) and judge the fitted ones in a judge pool beside them
    (:func:`~srbench_lite.runner.judging.judge_pool_size`); yield each record when it is done."""
    if len(jobs) <= 1:
        for job in jobs:
            yield execute_job(job, options)
        return
    import queue
    import threading

    from joblib import Parallel, delayed

    from srbench_lite.runner.judging import JudgePool, judge_pool_size

    done: queue.Queue = queue.Queue()
    judges = JudgePool(judge_pool_size(n_jobs), lambda rec, req: score_record(rec, req, options),
                       done.put)  # fmt: skip
    stop = threading.Event()

    def fit(job: Job) -> None:
        if stop.is_set():  # the run is over: start no more fits
            return
        record, request = execute_fit(job, options)
        if request is None:
            done.put(record)
        else:
            judges.submit(record, request)

    def drive() -> None:  # joblib's threads drive the fits' child processes
        try:
            parallel = Parallel(n_jobs=max(1, n_jobs), backend="threading")
            parallel(delayed(fit)(job) for job in jobs)
        except BaseException as exc:  # surfaced by the consumer below
            done.put(exc)

    threading.Thread(target=drive, daemon=True, name="srbench-lite-fits").start()
    finished = False
    try:
        for _ in range(len(jobs)):
            while True:
                try:
                    item = done.get(timeout=0.5)
                    break
                except queue.Empty:
                    continue
            if isinstance(item, BaseException):
                raise item
            yield item
        finished = True
    finally:
        stop.set()
        judges.close(abort=not finished)


def _worker_version() -> str:
    import srbench_lite

    return srbench_lite.__version__


def connect(scheduler: str, timeout_s: float = 30.0):
    """A dask ``Client`` for ``scheduler`` (``tcp://HOST:PORT``), with clear errors."""
    try:
        from distributed import Client
    except ImportError:
        raise SrbenchError(
            "the dask backend needs dask.distributed; install with: pip install 'dask[distributed]'"
        ) from None
    try:
        return Client(scheduler, timeout=f"{timeout_s}s", set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise SrbenchError(
            f"cannot connect to the dask scheduler at {scheduler!r}: {exc}"
        ) from None


def check_workers(client) -> None:
    """Every worker must run the same srbench-lite version as this process."""
    from srbench_lite import __version__

    found = client.run(_worker_version)
    if not found:
        raise SrbenchError("the dask cluster has no workers (start some with `dask worker ADDR`)")
    odd = {addr: v for addr, v in found.items() if v != __version__}
    if odd:
        listed = ", ".join(f"{a}: {v}" for a, v in sorted(odd.items()))
        raise SrbenchError(
            f"dask workers run another srbench-lite version than this process ({__version__}): "
            f"{listed}; install the same version on every worker"
        )


def run_dask(jobs: Sequence[Job], options: JobOptions, client) -> Iterator[dict[str, Any]]:
    """Submit every job through ``client`` (see :func:`connect`); yield records as they
    complete. The client is closed at the end."""
    from distributed import as_completed

    try:
        prefix = f"srbench-lite-{options.run_id or 'run'}-{uuid.uuid4().hex[:6]}"
        futures = {}
        for i, job in enumerate(jobs):
            fut = client.submit(execute_job, job, options, key=f"{prefix}-{i}", pure=False)
            futures[fut] = job
        try:
            for fut in as_completed(list(futures), loop=client.loop):
                job = futures.pop(fut)
                try:
                    record = fut.result()
                except Exception as exc:  # a worker died, or the task could not run
                    record = failure_record(
                        job, options, f"dask task failed: {type(exc).__name__}: {exc}", "dask"
                    )
                yield record
        finally:
            if futures:
                client.cancel(list(futures))
    finally:
        client.close()
