"""A run's configuration, validated once and passed end to end.

:class:`RunConfig` is what a user asks for (``srbench-lite run``'s options, or the arguments of
:func:`srbench_lite.run_benchmark`); building one checks every value and says what is wrong
with which option. :class:`JobOptions` is the part every job needs (its limits, the run's id,
where plug-ins come from); it is the one object that travels to job children and dask workers,
and the one place where each limit is defined.
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from srbench_lite.errors import InvalidValueError, UnknownNameError

__all__ = ["BACKENDS", "DEPRECATED_BACKENDS", "JobOptions", "RunConfig", "canonical_backend"]

#: where jobs run -> what that means
BACKENDS = {
    "local": "this machine: --n-jobs threads, each driving one job's child process",
    "dask": "a dask.distributed cluster (--scheduler); each job's child runs on a worker",
}
#: old backend names, kept as aliases that warn
DEPRECATED_BACKENDS = {"loky": "local", "threading": "local"}


def canonical_backend(name: str | None) -> str:
    """The backend called ``name``; an old alias warns and maps to its new name."""
    key = (name or "local").strip().lower()
    if key in DEPRECATED_BACKENDS:
        new = DEPRECATED_BACKENDS[key]
        warnings.warn(
            f"--backend {key} is deprecated: the local backend never used loky (threads drive "
            f"one child process per job); use --backend {new}",
            FutureWarning,
            stacklevel=3,
        )
        return new
    if key not in BACKENDS:
        raise UnknownNameError("backend", key, BACKENDS)
    return key


@dataclass(frozen=True)
class JobOptions:
    """Settings shared by every job of a run: its limits, ids and plug-in folders."""

    time_budget_s: float = 60.0
    kill_factor: float = 1.5
    kill_grace_s: float = 30.0
    metric_timeout_s: float = 60.0
    memory_mb: float | None = None
    smoke: bool = False
    methods_path: str = ""
    suites_path: str = ""
    run_id: str = ""
    params: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    #: the local PMLB cache of suites of real data ("" = $SRBENCH_LITE_PMLB_CACHE or default)
    pmlb_cache: str = ""

    def hard_limit_s(self) -> float:
        """Seconds after the fit starts at which a job's child is killed."""
        return self.time_budget_s * self.kill_factor + self.kill_grace_s

    def hard_limit_text(self) -> str:
        """How the hard limit was computed, for the record of a killed job."""
        return (
            f"{self.hard_limit_s():g} s (time budget {self.time_budget_s:g} s x "
            f"{self.kill_factor:g} + {self.kill_grace_s:g} s grace)"
        )

    def method_params(self, method: str) -> dict[str, Any]:
        """The user's parameter overrides for ``method`` (``--params``)."""
        return dict(self.params.get(method) or {})


def _names(value: str | Iterable[Any] | None) -> tuple[Any, ...]:
    """A comma-separated string or a sequence, as a tuple without blanks or repeats."""
    if value is None:
        return ()
    if isinstance(value, str):
        items = [v.strip() for v in value.split(",")]
    elif isinstance(value, (int, float)):
        items = [value]
    else:
        items = [v.strip() if isinstance(v, str) else v for v in value]
    return tuple(dict.fromkeys(v for v in items if v != ""))


def _number(option: str, value: Any, *, positive: bool = True, allow_none: bool = False):
    if value is None and allow_none:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidValueError(f"{option} must be a number, got {value!r}") from None
    if not math.isfinite(number) or (number <= 0 if positive else number < 0):
        need = "a positive, finite number" if positive else "a finite number >= 0"
        raise InvalidValueError(f"{option} must be {need}, got {value!r}")
    return number


def count(option: str, value: Any, *, minimum: int, also: str = "") -> int:
    """``value`` as an integer >= ``minimum``, or an error naming ``option``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        what = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        what += f" {also}" if also else ""
        raise InvalidValueError(f"{option} must be {what}, got {value!r}")
    return value


def _noise_levels(levels: Iterable[Any]) -> tuple[float, ...]:
    out: list[float] = []
    for level in levels:
        value = _number("noise level", level, positive=False)
        if value not in out:
            out.append(value)
    if not out:
        raise InvalidValueError("no noise level given (use 0 for noise-free data)")
    return tuple(out)


def plugin_path(env_var: str) -> str:
    """A plug-in folder variable (methods or suites) with absolute folders (jobs may run in
    another directory, or on another machine)."""
    raw = os.environ.get(env_var, "")
    parts = [str(Path(p).expanduser().resolve()) for p in raw.split(os.pathsep) if p.strip()]
    return os.pathsep.join(parts)


@dataclass(frozen=True)
class RunConfig:
    """What to run, where and how; every value is checked when the config is made.

    ``suites``, ``methods``, ``datasets`` and ``noise`` take a comma-separated string or a
    sequence (a parametric suite keeps its own commas: ``random-law:seed=7,n=10``;
    ``suite_seed`` sets the seed of the seeded ones, ``--suite-seed``; they are stored under
    their full names). Jobs are every problem of ``suites`` (or only ``datasets``; ``limit``: the
    first N problems of each suite) × ``methods`` × ``seeds`` seeds (``seed``, ``seed`` + 1,
    ...) × ``noise`` levels. ``time_budget`` (seconds) goes to each method's declared budget
    parameter; a job is killed at ``time_budget × kill_factor + kill_grace_s`` after its fit
    starts and its symbolic metrics get ``metric_timeout`` more seconds. ``n_jobs`` jobs run at
    a time (-1: one per CPU); ``memory_mb`` caps each job's address space. ``out`` is the run
    directory (default ``results/<UTC time>``), ``resume`` continues the run there.
    ``backend`` is ``local`` or ``dask`` (with ``scheduler``, ``tcp://HOST:PORT``). ``smoke``
    uses each method's small smoke settings; ``params`` maps a method to parameter overrides.
    ``pmlb_cache`` is the local PMLB cache that suites of real data (``srbench-blackbox``)
    read (default ``$SRBENCH_LITE_PMLB_CACHE``, see :mod:`srbench_lite.data.pmlb_cache`); when
    given, ground-truth problems with a file there read it too. ``data_dir`` is a folder of
    real rows (``<problem>.csv`` or ``.tsv.gz``) that replace the generated rows of the
    ground-truth problems that have a file (:mod:`srbench_lite.data.data_files`).
    """

    suites: tuple[str, ...] = ()
    methods: tuple[str, ...] = ()
    datasets: tuple[str, ...] = ()
    seeds: int = 1
    seed: int = 0
    noise: tuple[float, ...] = (0.0,)
    time_budget: float = 60.0
    n_jobs: int = 1
    out: Path | None = None
    resume: bool = False
    backend: str = "local"
    scheduler: str | None = None
    smoke: bool = False
    limit: int | None = None
    memory_mb: float | None = None
    kill_factor: float = 1.5
    kill_grace_s: float = 30.0
    metric_timeout: float = 60.0
    params: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    progress: bool = False
    pmlb_cache: Path | None = None
    suite_seed: int | None = None
    data_dir: Path | None = None

    def __post_init__(self) -> None:
        from srbench_lite.data.registry import suite_names

        put = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731 (frozen)
        if self.suite_seed is not None and not self.suites:
            raise InvalidValueError("--suite-seed needs --suite (e.g. --suite random-law)")
        put("suites", suite_names(self.suites or (), self.suite_seed))
        put("methods", _names(self.methods))
        put("datasets", _names(self.datasets))
        if not self.suites and not self.datasets:
            raise InvalidValueError("give a suite (--suite) or datasets (--datasets)")
        if not self.methods:
            raise InvalidValueError("no method given (--methods m1,m2; see `srbench-lite methods`)")
        put("seeds", count("--seeds", self.seeds, minimum=1))
        put("seed", count("--seed", self.seed, minimum=0))
        put("noise", _noise_levels(_names(self.noise)))
        put("time_budget", _number("--time-budget", self.time_budget))
        if self.n_jobs != -1:
            put("n_jobs", count("--n-jobs", self.n_jobs, minimum=1, also="or -1"))
        if self.limit is not None:
            put("limit", count("--limit", self.limit, minimum=1))
        put("memory_mb", _number("--memory-mb", self.memory_mb, allow_none=True))
        put("kill_factor", _number("--kill-factor", self.kill_factor))
        put("kill_grace_s", _number("--kill-grace", self.kill_grace_s, positive=False))
        put("metric_timeout", _number("--metric-timeout", self.metric_timeout))
        put("out", None if self.out is None else Path(self.out))
        if self.pmlb_cache is not None:
            if not str(self.pmlb_cache).strip():
                raise InvalidValueError("--pmlb-cache needs a folder")
            put("pmlb_cache", Path(self.pmlb_cache).expanduser())
        if self.data_dir is not None:
            text = str(self.data_dir).strip()
            folder = Path(text).expanduser()
            if not text or not folder.is_dir():
                raise InvalidValueError(
                    f"--data-dir must be an existing folder of data files, got {str(self.data_dir)!r}"
                )
            put("data_dir", folder.resolve())
        put("backend", canonical_backend(self.backend))
        if self.backend == "dask" and not self.scheduler:
            raise InvalidValueError("--backend dask needs --scheduler tcp://HOST:PORT")
        if self.scheduler and self.backend != "dask":
            raise InvalidValueError("--scheduler is only used with --backend dask")
        params = {str(k): dict(v) for k, v in (self.params or {}).items()}
        for name in params:
            if name not in self.methods:
                raise InvalidValueError(
                    f"params given for {name!r}, which is not a selected method"
                )
        put("params", params)
        put("resume", bool(self.resume))
        put("smoke", bool(self.smoke))
        put("progress", bool(self.progress))

    @property
    def seed_list(self) -> list[int]:
        """The seeds of the run: ``seed, seed + 1, ..., seed + seeds - 1``."""
        return [self.seed + i for i in range(self.seeds)]

    @property
    def workers(self) -> int:
        """Jobs at a time (``n_jobs``, with -1 resolved to the CPU count)."""
        return (os.cpu_count() or 1) if self.n_jobs == -1 else self.n_jobs

    def job_options(self, run_id: str, pmlb_cache: str = "") -> JobOptions:
        """What every job of this run needs; plug-in folders are read from the environment.
        ``pmlb_cache``: the resolved PMLB cache, when a selected suite reads one."""
        from srbench_lite.data.registry import ENV_PATH as SUITES_ENV
        from srbench_lite.methods.registry import ENV_PATH as METHODS_ENV

        return JobOptions(
            time_budget_s=self.time_budget,
            kill_factor=self.kill_factor,
            kill_grace_s=self.kill_grace_s,
            metric_timeout_s=self.metric_timeout,
            memory_mb=self.memory_mb,
            smoke=self.smoke,
            methods_path=plugin_path(METHODS_ENV),
            suites_path=plugin_path(SUITES_ENV),
            run_id=run_id,
            params=self.params,
            pmlb_cache=pmlb_cache,
        )

    @property
    def pmlb_cache_dir(self) -> Path:
        """The PMLB cache this run reads: ``pmlb_cache``, ``$SRBENCH_LITE_PMLB_CACHE`` or
        the default folder."""
        from srbench_lite.data.pmlb_cache import cache_dir

        return cache_dir(self.pmlb_cache)

    def to_json(self, options: JobOptions, n_problems: int) -> dict[str, Any]:
        """The ``config`` section of ``run.json``."""
        return {
            "suites": list(self.suites),
            "suite_seed": self.suite_seed,
            "datasets": list(self.datasets),
            "methods": list(self.methods),
            "seeds": self.seed_list,
            "noise": list(self.noise),
            "time_budget_s": self.time_budget,
            "n_jobs": self.workers,
            "backend": self.backend,
            "scheduler": self.scheduler,
            "smoke": self.smoke,
            "limit": self.limit,
            "memory_mb": self.memory_mb,
            "kill_factor": self.kill_factor,
            "kill_grace_s": self.kill_grace_s,
            "metric_timeout_s": self.metric_timeout,
            "params": self.params,
            "pmlb_cache": options.pmlb_cache,
            "data_dir": None if self.data_dir is None else str(self.data_dir),
            "methods_path": options.methods_path,
            "suites_path": options.suites_path,
            "n_problems": n_problems,
        }
