"""A benchmark run: validate everything, prepare the run directory, run the jobs, append each
record as it arrives.

Every check that can fail (names, values, the output folder, method availability) happens
before the first job starts. The run directory holds ``run.json`` (config, versions, git sha,
command) and ``records.jsonl`` (one line per finished job, see :mod:`srbench_lite.records`).
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from srbench_lite.errors import SrbenchError
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
from srbench_lite.runner.config import JobOptions, RunConfig
from srbench_lite.runner.jobs import Job, build_jobs, data_sources, select_problems

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


def default_run_dir(root: Path = DEFAULT_RESULTS) -> Path:
    """``results/<UTC timestamp>`` (with a suffix if that folder exists)."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    path, n = root / stamp, 1
    while path.exists():
        n += 1
        path = root / f"{stamp}-{n}"
    return path


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
    config: RunConfig,
    *,
    command: Sequence[str] | None = None,
    on_record: Callable[[dict[str, Any]], None] | None = None,
) -> RunSummary:
    """Run ``config``; return a :class:`RunSummary`. Every name (suites, problems, methods and
    their availability), the output folder and the dask cluster are checked before the first
    job starts. ``command`` is recorded in ``run.json`` (default ``sys.argv``); ``on_record``
    is called with each record as it is appended."""
    from srbench_lite.methods.registry import resolve_methods

    # ---- every name, the data and the output place, before any job starts
    problems = select_problems(config.suites, config.datasets, config.limit)
    specs = resolve_methods(config.methods)
    pmlb_cache = ensure_data(problems, config)
    sources = data_sources(  # files of real rows (--data-dir, --pmlb-cache), each checked
        problems, config.data_dir, config.pmlb_cache, pmlb_read=bool(pmlb_cache)
    )
    client = None
    if config.backend == "dask":  # a wrong address must fail before the run directory is made
        from srbench_lite.runner.backends import check_workers, connect

        client = connect(config.scheduler)
        try:
            check_workers(client)
        except BaseException:
            client.close()
            raise
    try:
        run_dir = _prepare_dir(config.out, config.resume)
    except BaseException:
        if client is not None:
            client.close()
        raise

    # ---- run.json and the job list
    previous = read_run_json(run_dir) if config.resume else {}
    options = config.job_options(
        run_id=previous.get("run_id") or uuid.uuid4().hex[:12], pmlb_cache=pmlb_cache
    )
    requires = [m for spec in specs for m in spec.requires]
    meta = run_metadata(
        run_id=options.run_id,
        config=config.to_json(options, len(problems)),
        method_requires=requires,
        command=command,
    )
    if previous:
        meta = {**previous, "resumed": [*previous.get("resumed", []), meta]}
    write_run_json(run_dir, meta)

    jobs = build_jobs(problems, config.methods, config.seed_list, config.noise, sources)
    done = finished_keys(run_dir) if config.resume else set()
    todo = [j for j in jobs if j.key not in done]
    if todo and client is None:
        from srbench_lite.runner.isolate import prestart

        prestart()  # the job server starts importing numpy/sympy now
        _prepare_methods(specs, todo, config)
    summary = RunSummary(run_dir=run_dir, n_total=len(jobs), n_skipped=len(jobs) - len(todo))
    _run_jobs(todo, options, summary, config, client, on_record)
    return summary


#: planned seconds per job slot from which a method's ``prepare`` runs before the jobs
PREPARE_MIN_S = 60.0


def _prepare_methods(specs, jobs: Sequence[Job], config: RunConfig) -> None:
    """Run each distinct ``MethodSpec.prepare`` once, here, when its methods' jobs plan at
    least :data:`PREPARE_MIN_S` seconds of budget per job slot (a short run leaves the set-up
    to the methods, in the background)."""
    planned: dict[Callable[[], None], float] = {}
    for spec in specs:
        if spec.prepare is not None:
            n = sum(job.method == spec.name for job in jobs)
            per_slot = n * config.time_budget / max(1, config.workers)
            planned[spec.prepare] = planned.get(spec.prepare, 0.0) + per_slot
    for prepare, per_slot in planned.items():
        if per_slot >= PREPARE_MIN_S:
            prepare()


def ensure_data(problems: Sequence[tuple[str, str]], config: RunConfig) -> str:
    """Let each suite check (and fetch) the data of its selected problems before any job
    starts (:meth:`~srbench_lite.data.Suite.ensure_data`); a suite of PMLB files gets the
    run's PMLB cache. Returns that cache's absolute path when a suite reads it, else ``""``.
    Raises :class:`~srbench_lite.errors.SrbenchError` naming what is missing."""
    from srbench_lite.data import get_suite

    by_suite: dict[str, list[str]] = {}
    for suite, dataset in problems:
        by_suite.setdefault(suite, []).append(dataset)
    cache = ""
    for name, datasets in by_suite.items():
        suite = get_suite(name)
        if "pmlb_cache_dir" in suite.options:
            folder = config.pmlb_cache_dir
            suite.ensure_data(datasets, pmlb_cache_dir=folder)
            cache = str(folder.resolve())
        else:
            suite.ensure_data(datasets)
    return cache  # an explicit --pmlb-cache no suite reads: see runner.jobs.data_sources


def _run_jobs(
    jobs: list[Job],
    options: JobOptions,
    summary: RunSummary,
    config: RunConfig,
    client,
    on_record: Callable[[dict[str, Any]], None] | None,
) -> None:
    from srbench_lite.runner import isolate
    from srbench_lite.runner.backends import run_dask, run_local

    start = time.perf_counter()
    bar = None
    if config.progress and jobs:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(jobs), unit="job", file=sys.stderr, dynamic_ncols=True)
    failures = 0
    isolate.reset()
    stream = (
        run_dask(jobs, options, client)
        if client is not None
        else run_local(jobs, options, config.workers)
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
    *,
    datasets: str | Sequence[str] | None = None,
    seeds: int = 1,
    seed: int = 0,
    noise: float | Sequence[float] = 0.0,
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
    pmlb_cache: str | os.PathLike | None = None,
    suite_seed: int | None = None,
    command: Sequence[str] | None = None,
    data_dir: str | os.PathLike | None = None,
):
    """Run methods × problems × seeds × noise levels, one child process per job; return every
    record of the run directory as a pandas DataFrame (``df.attrs["run_dir"]`` says where).

    Args:
        suites: suite name(s), a list or a comma-separated string (``srbench-lite datasets``).
        methods: method name(s), a list or a comma-separated string (``srbench-lite methods``).
        datasets: only these problems of the suites.
        seeds: how many seeds; they are ``seed, seed + 1, ...``. A job's seed draws its data
            and seeds its method.
        noise: SRBench noise level(s) added to the training target.
        time_budget: seconds per fit, passed to each method's declared budget parameter.
        n_jobs: jobs at a time (-1: one per CPU).
        out: the run directory (default ``results/<UTC time>``); ``resume`` continues it.
        backend: ``"local"`` (this machine) or ``"dask"`` (with ``scheduler``,
            ``tcp://HOST:PORT``); ``"loky"`` is a deprecated alias of ``"local"``.
        smoke: use each method's small smoke settings. ``limit``: first N problems per suite.
        memory_mb: address-space cap per job.
        kill_factor, kill_grace_s: a job is killed at ``time_budget × kill_factor +
            kill_grace_s`` after its fit starts.
        metric_timeout: seconds for one job's symbolic metrics.
        params: ``{method: {parameter: value}}`` overrides.
        progress: show a progress bar.
        pmlb_cache: the local PMLB cache of suites of real data (``srbench-blackbox``):
            ``<dir>/<name>/<name>.tsv.gz``; default ``$SRBENCH_LITE_PMLB_CACHE``, else
            ``~/.cache/srbench-lite/pmlb``. Missing datasets are downloaded with pmlb when
            the machine is online; offline, the run stops before any job, naming them.
        suite_seed: the seed of the seeded suites (``random-law``; ``--suite-seed``): a new
            seed is a new benchmark. A suite can also carry it: ``random-law:seed=7,n=10``.
        command: the command line recorded in ``run.json`` (default ``sys.argv``).
        data_dir: a folder of real rows: ``<problem>.csv`` (or ``.tsv.gz``, PMLB layout)
            replaces a ground-truth problem's generated rows (docs/reproducing_srbench.md);
            ``pmlb_cache``, when given, is read the same way for ground-truth problems.

    Bad values raise :class:`~srbench_lite.errors.SrbenchError` before any job starts. Jobs
    run in child processes started from a forkserver: call this under
    ``if __name__ == "__main__":`` in a script, as for any multiprocessing code.
    """
    import pandas as pd

    config = RunConfig(
        suites=suites, methods=methods, datasets=datasets, seeds=seeds, seed=seed, noise=noise,
        time_budget=time_budget, n_jobs=n_jobs, out=out, resume=resume, backend=backend,
        scheduler=scheduler, smoke=smoke, limit=limit, memory_mb=memory_mb,
        kill_factor=kill_factor, kill_grace_s=kill_grace_s, metric_timeout=metric_timeout,
        params=params or {}, progress=progress, pmlb_cache=pmlb_cache, suite_seed=suite_seed,
        data_dir=data_dir,
    )  # fmt: skip
    summary = execute_run(config, command=command)
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
