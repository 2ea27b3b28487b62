"""Jobs: problems × methods × seeds × noise levels.

A job's seed (:attr:`~srbench_lite.runner.config.RunConfig.seed_list`) drives both the data
(``load_problem(seed=...)``: the sample and the noise draw) and the method (its declared
``seed_param``), so a job is reproducible from its record alone. A job holds names and numbers
only (the method by name, resolved through the registry inside the job's child process).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from srbench_lite.errors import InvalidValueError, UnknownNameError
from srbench_lite.records import job_key
from srbench_lite.runner.config import count

__all__ = ["Job", "build_jobs", "select_problems"]


@dataclass(frozen=True)
class Job:
    """One fit: a problem (suite, dataset) × method × seed × noise level. Names and numbers
    only, so it travels unchanged to a local child or a dask worker."""

    suite: str
    dataset: str
    method: str
    seed: int
    noise: float

    @property
    def key(self) -> tuple:
        """The job's identity, as :func:`srbench_lite.records.job_key` reads it from a record."""
        return job_key(asdict(self))

    @property
    def job_id(self) -> str:
        """A readable id, written in the record: ``suite/dataset/method/seed0/noise0.01``."""
        return f"{self.suite}/{self.dataset}/{self.method}/seed{self.seed}/noise{self.noise:g}"


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

    if limit is not None:
        count("--limit", limit, minimum=1)
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
        kept, seen = [], {}
        for suite, name in pairs:
            seen[suite] = seen.get(suite, 0) + 1
            if seen[suite] <= limit:
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
