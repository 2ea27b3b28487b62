"""A benchmark run: validate everything, prepare the run directory, run the jobs, append each
record as it arrives.

Every check that can fail (names, values, the output folder, method availability) happens
before the first job starts. The run directory holds ``run.json`` (config, versions, git sha,
command) and ``records.jsonl`` (one line per finished job, see :mod:`srbench_lite.records`).
"""

from __future__ import annotations

import math
import os
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from srbench_lite.data.registry import ENV_PATH as SUITES_ENV
from srbench_lite.errors import InvalidValueError, SrbenchError
from srbench_lite.methods.registry import ENV_PATH as METHODS_ENV
from srbench_lite.records import (
    RECORDS_FILE,
    RecordWriter,
    check_writable,
    finished_keys,
    read_records,
    read_run_json,
    run_metadata,
    write_run_json,
)
from srbench_lite.runner.jobs import (
    Job,
    JobOptions,
    build_jobs,
    check_noise,
    derive_seeds,
    select_problems,
)

__all__ = ["RunSummary", "execute_run", "run_benchmark"]

DEFAULT_RESULTS = Path("results")


@dataclass
class RunSummary:
    """What a run did: its directory, how many jobs ran or were skipped, status counts."""

    run_dir: Path
    n_total: int
    n_skipped: int
    records: list[dict[str, Any]] = field(default_factory=list)
    wall_time_s: float = 0.0

    @property
    def counts(self) -> dict[str, int]:
        out = {"ok": 0, "timeout": 0, "error": 0}
        for r in self.records:
            out[r.get("status", "error")] = out.get(r.get("status", "error"), 0) + 1
        return out


def _as_list(value: str | Iterable[Any] | None) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, (int, float)):
        return [value]
    return [v.strip() if isinstance(v, str) else v for v in value]


def _positive(name: str, value: Any, *, allow_none: bool = False) -> float | None:
    if value is None and allow_none:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidValueError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(number) or number <= 0:
        raise InvalidValueError(f"{name} must be a positive, finite number, got {value!r}")
    return number


def _non_negative(name: str, value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidValueError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(number) or number < 0:
        raise InvalidValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return number


def _n_jobs(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value == 0 or value < -1:
        raise InvalidValueError(f"--n-jobs must be a positive integer or -1, got {value!r}")
    return (os.cpu_count() or 1) if value == -1 else value


def default_run_dir(root: Path = DEFAULT_RESULTS) -> Path:
    """``results/<UTC timestamp>`` (with a suffix if that folder exists)."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    path, n = root / stamp, 1
    while path.exists():
        n += 1
        path = root / f"{stamp}-{n}"
    return path


def _plugin_path(env_var: str) -> str:
    """A plug-in folder variable (methods or suites) with absolute folders (jobs may run
    elsewhere)."""
    raw = os.environ.get(env_var, "")
    parts = [str(Path(p).expanduser().resolve()) for p in raw.split(os.pathsep) if p.strip()]
    return os.pathsep.join(parts)


def _prepare_dir(out: str | os.PathLike | None, resume: bool) -> Path:
    run_dir = Path(out) if out is not None else default_run_dir()
    if run_dir.exists() and not run_dir.is_dir():
        raise SrbenchError(f"--out {str(run_dir)!r} is a file, not a directory")
    if run_dir.is_dir() and any(run_dir.iterdir()) and not resume:
        raise SrbenchError(
            f"{str(run_dir)!r} is not empty (it holds an earlier run); use --resume to "
            "continue that run, or choose another --out"
        )
    check_writable(run_dir)
    return run_dir


def execute_run(
    suites: str | Sequence[str] | None = None,
    methods: str | Sequence[str] = (),
    *,
    datasets: str | Sequence[str] | None = None,
    seeds: int = 1,
    seed: int = 0,
    noise: float | Sequence[float] = (0.0,),
    time_budget: float = 60.0,
    n_jobs: int = 1,
    out: str | os.PathLike | None = None,
    resume: bool = False,
    backend: str = "local",
    scheduler: str | None = None,
    smoke: bool = False,
    limit: int | None = None,
    memory_mb: float | None = None,
    kill_factor: float = 1.5,
    kill_grace_s: float = 30.0,
    metric_timeout: float = 60.0,
    params: Mapping[str, Mapping[str, Any]] | None = None,
    progress: bool = False,
    command: Sequence[str] | None = None,
    on_record: Callable[[dict[str, Any]], None] | None = None,
) -> RunSummary:
    """Run a benchmark; see :func:`run_benchmark` (this returns a :class:`RunSummary`)."""
    from srbench_lite.methods.registry import resolve_methods
    from srbench_lite.runner.backends import BACKENDS

    # ---- validate everything before any job starts
    budget = _positive("--time-budget", time_budget)
    kill_factor = _positive("kill factor", kill_factor)
    kill_grace_s = _non_negative("kill grace", kill_grace_s)
    metric_timeout = _positive("metric timeout", metric_timeout)
    memory_mb = _positive("--memory-mb", memory_mb, allow_none=True)
    workers = _n_jobs(n_jobs)
    seed_list = derive_seeds(seeds, seed)
    noise_levels = check_noise(_as_list(noise))
    backend = (backend or "local").lower()
    if backend not in BACKENDS:
        from srbench_lite.errors import UnknownNameError

        raise UnknownNameError("backend", backend, BACKENDS)
    if backend == "dask" and not scheduler:
        raise InvalidValueError("--backend dask needs --scheduler tcp://HOST:PORT")
    if scheduler and backend != "dask":
        raise InvalidValueError("--scheduler is only used with --backend dask")
    method_names = list(dict.fromkeys(_as_list(methods)))
    if not method_names:
        raise InvalidValueError("no method given (--methods m1,m2; see `srbench-lite methods`)")
    problems = select_problems(_as_list(suites), _as_list(datasets), limit)
    specs = resolve_methods(method_names)
    params = {str(k): dict(v) for k, v in (params or {}).items()}
    for name in params:
        if name not in method_names:
            raise InvalidValueError(f"params given for {name!r}, which is not a selected method")
    client = None
    if backend == "dask":  # a wrong address must fail before the run directory is made
        from srbench_lite.runner.backends import check_workers, connect

        client = connect(scheduler)
        try:
            check_workers(client)
        except BaseException:
            client.close()
            raise
    try:
        run_dir = _prepare_dir(out, resume)
    except BaseException:
        if client is not None:
            client.close()
        raise

    # ---- run.json and the job list
    previous = read_run_json(run_dir) if resume else {}
    run_id = previous.get("run_id") or uuid.uuid4().hex[:12]
    options = JobOptions(
        time_budget_s=budget,
        kill_factor=kill_factor,
        kill_grace_s=kill_grace_s,
        metric_timeout_s=metric_timeout,
        memory_mb=memory_mb,
        smoke=bool(smoke),
        methods_path=_plugin_path(METHODS_ENV),
        suites_path=_plugin_path(SUITES_ENV),
        run_id=run_id,
        params=params,
    )
    config = {
        "suites": _as_list(suites),
        "datasets": _as_list(datasets),
        "methods": method_names,
        "seeds": seed_list,
        "noise": noise_levels,
        "time_budget_s": budget,
        "n_jobs": workers,
        "backend": backend,
        "scheduler": scheduler,
        "smoke": bool(smoke),
        "limit": limit,
        "memory_mb": memory_mb,
        "kill_factor": kill_factor,
        "kill_grace_s": kill_grace_s,
        "metric_timeout_s": metric_timeout,
        "params": params,
        "methods_path": options.methods_path,
        "suites_path": options.suites_path,
        "n_problems": len(problems),
    }
    requires = [m for spec in specs for m in spec.requires]
    meta = run_metadata(run_id=run_id, config=config, method_requires=requires, command=command)
    if previous:
        meta = {**previous, "resumed": [*previous.get("resumed", []), meta]}
    write_run_json(run_dir, meta)

    jobs: list[Job] = build_jobs(problems, method_names, seed_list, noise_levels)
    done = finished_keys(run_dir) if resume else set()
    todo = [j for j in jobs if j.key not in done]
    if todo and backend != "dask":
        from srbench_lite.runner.isolate import prestart

        prestart()  # the job server starts importing numpy/sympy now
    summary = RunSummary(run_dir=run_dir, n_total=len(jobs), n_skipped=len(jobs) - len(todo))
    payloads = [
        {"suite": j.suite, "dataset": j.dataset, "method": j.method, "seed": j.seed,
         "noise": j.noise} for j in todo
    ]  # fmt: skip
    _run_jobs(payloads, options.to_dict(), summary, workers, client, progress, on_record)
    return summary


def _run_jobs(payloads, options, summary, workers, client, progress, on_record):
    from srbench_lite.runner import isolate
    from srbench_lite.runner.backends import run_dask, run_local

    start = time.perf_counter()
    bar = None
    if progress and payloads:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(payloads), unit="job", file=sys.stderr, dynamic_ncols=True)
    failures = 0
    isolate.reset()
    stream = (
        run_dask(payloads, options, client)
        if client is not None
        else run_local(payloads, options, workers)
    )
    try:
        with RecordWriter(summary.run_dir / RECORDS_FILE) as writer:
            for record in stream:
                writer.append(record)
                summary.records.append(record)
                if on_record is not None:
                    on_record(record)
                if record.get("status") != "ok":
                    failures += 1
                if bar is not None:
                    bar.set_postfix_str(f"failed {failures}", refresh=False)
                    bar.update(1)
    except BaseException:
        isolate.kill_all()  # Ctrl-C or a failure writing records: stop every job now
        isolate.wait_idle()
        raise
    finally:
        close = getattr(stream, "close", None)
        if close is not None:
            close()
        if bar is not None:
            bar.close()
        summary.wall_time_s = time.perf_counter() - start


def run_benchmark(
    suites: str | Sequence[str] | None = None,
    methods: str | Sequence[str] = (),
    **kwargs: Any,
):
    """Run methods × problems × seeds × noise levels; return every record of the run
    directory as a pandas DataFrame (``df.attrs["run_dir"]`` says where they are).

    Arguments mirror ``srbench-lite run``: ``suites`` (name or list), ``methods``,
    ``datasets=``, ``seeds=`` (how many), ``seed=`` (the first; seeds are seed, seed+1, ...),
    ``noise=`` (level or list), ``time_budget=`` (seconds per fit, passed to each method's
    budget parameter), ``n_jobs=``, ``out=`` (default ``results/<timestamp>``), ``resume=``,
    ``backend=`` ("local" or "dask"), ``scheduler=``, ``smoke=``, ``limit=``, ``memory_mb=``,
    ``kill_factor=`` and ``kill_grace_s=`` (hard kill at budget × factor + grace),
    ``metric_timeout=`` (seconds for the symbolic metrics of one job), ``params={method: {param: value}}``, ``progress=``.

    Jobs run in child processes started from a forkserver: call this under
    ``if __name__ == "__main__":`` in a script, as for any multiprocessing code.
    """
    import pandas as pd

    summary = execute_run(suites, methods, **kwargs)
    frame = pd.DataFrame.from_records(read_records(summary.run_dir))
    frame.attrs["run_dir"] = str(summary.run_dir)
    frame.attrs["n_run"] = len(summary.records)
    frame.attrs["n_skipped"] = summary.n_skipped
    return frame


def describe(summary: RunSummary) -> str:
    """A short human summary of a finished run."""
    c = summary.counts
    lines = [
        f"{len(summary.records)} record(s) written in {summary.wall_time_s:.1f} s "
        f"(ok {c['ok']}, timeout {c['timeout']}, error {c['error']})"
        + (f"; {summary.n_skipped} job(s) already done, skipped" if summary.n_skipped else ""),
        f"run directory: {summary.run_dir}",
        f"next: srbench-lite report {summary.run_dir}",
    ]
    return "\n".join(lines)
