"""Jobs: problems × methods × seeds × noise levels, as plain picklable payloads.

Seeds are derived deterministically: with ``seeds=K`` and base ``seed=B`` the seeds are
``B, B+1, ..., B+K-1``. A job's seed drives both the data (``load_problem(seed=...)``: the
sample and the noise draw) and the method (its declared ``seed_param``), so a job is
reproducible from its record alone.

A job holds names and numbers only (method by name, resolved through the registry inside the
job's child process), so it travels unchanged to a local child or a dask worker.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from srbench_lite.errors import InvalidValueError, UnknownNameError

__all__ = ["Job", "JobOptions", "build_jobs", "derive_seeds", "select_problems"]


@dataclass(frozen=True)
class JobOptions:
    """Settings shared by every job of a run (the hard limits and where methods and suites
    come from)."""

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

    def hard_limit_s(self) -> float:
        """Seconds after which a job's child (fit, predict, expression) is killed."""
        return self.time_budget_s * self.kill_factor + self.kill_grace_s

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["params"] = {k: dict(v) for k, v in self.params.items()}
        return out


@dataclass(frozen=True)
class Job:
    suite: str
    dataset: str
    method: str
    seed: int
    noise: float

    @property
    def key(self) -> tuple:
        """Same normalisation as :func:`srbench_lite.records.job_key`."""
        return (self.suite, self.dataset, self.method, int(self.seed), round(float(self.noise), 12))

    @property
    def job_id(self) -> str:
        return f"{self.suite}/{self.dataset}/{self.method}/seed{self.seed}/noise{self.noise:g}"


def derive_seeds(n_seeds: int, base: int = 0) -> list[int]:
    """``[base, base+1, ..., base+n_seeds-1]``."""
    if isinstance(n_seeds, bool) or not isinstance(n_seeds, int) or n_seeds < 1:
        raise InvalidValueError(f"--seeds must be a positive integer, got {n_seeds!r}")
    if isinstance(base, bool) or not isinstance(base, int) or base < 0:
        raise InvalidValueError(f"--seed must be a non-negative integer, got {base!r}")
    return [base + i for i in range(n_seeds)]


def check_noise(levels: Iterable[float]) -> list[float]:
    out = []
    for level in levels:
        try:
            value = float(level)
        except (TypeError, ValueError):
            raise InvalidValueError(f"noise level {level!r} is not a number") from None
        if not math.isfinite(value) or value < 0:
            raise InvalidValueError(f"noise level must be a finite number >= 0, got {level!r}")
        if value not in out:
            out.append(value)
    if not out:
        raise InvalidValueError("no noise level given (use 0 for noise-free data)")
    return out


def select_problems(
    suites: Sequence[str] | None,
    datasets: Sequence[str] | None = None,
    limit: int | None = None,
) -> list[tuple[str, str]]:
    """``(suite, dataset)`` pairs: every problem of each suite, or only ``datasets`` (which
    must belong to one of the suites; without suites, each dataset's own suite is used).
    ``limit`` keeps the first N problems of each suite. Unknown names raise
    :class:`~srbench_lite.errors.UnknownNameError` with close matches."""
    from srbench_lite.data import get_spec, list_problems

    if limit is not None and (isinstance(limit, bool) or int(limit) != limit or limit < 1):
        raise InvalidValueError(f"--limit must be a positive integer, got {limit!r}")
    pairs: list[tuple[str, str]] = []
    if not suites:
        if not datasets:
            raise InvalidValueError("give a suite (--suite) or datasets (--datasets)")
        for name in datasets:
            pairs.append((get_spec(name).suite, name))
    else:
        members = {suite: list_problems(suite) for suite in suites}
        if datasets:
            every = sorted({n for names in members.values() for n in names})
            for name in datasets:
                hits = [s for s, names in members.items() if name in names]
                if not hits:
                    raise UnknownNameError(f"dataset in suite {', '.join(suites)}", name, every)
                pairs += [(s, name) for s in hits]
        else:
            pairs = [(s, n) for s, names in members.items() for n in names]
    if limit is not None:
        kept, count = [], {}
        for suite, name in pairs:
            count[suite] = count.get(suite, 0) + 1
            if count[suite] <= limit:
                kept.append((suite, name))
        pairs = kept
    return list(dict.fromkeys(pairs))


def build_jobs(
    problems: Sequence[tuple[str, str]],
    methods: Sequence[str],
    seeds: Sequence[int],
    noise: Sequence[float],
) -> list[Job]:
    """The job list, ordered problem-major so that early records cover every method."""
    return [
        Job(suite=s, dataset=d, method=m, seed=int(seed), noise=float(level))
        for s, d in problems
        for seed in seeds
        for level in noise
        for m in methods
    ]
