"""Jobs: problems × methods × seeds × noise levels.

A job's seed (:attr:`~srbench_lite.runner.config.RunConfig.seed_list`) drives both the data
(``load_problem(seed=...)``: the sample and the noise draw) and the method (its declared
``seed_param``), so a job is reproducible from its record alone. A job holds names and numbers
only (the method by name, resolved through the registry inside the job's child process).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from srbench_lite.errors import InvalidValueError, UnknownNameError
from srbench_lite.records import job_key
from srbench_lite.runner.config import count

__all__ = ["Job", "build_jobs", "data_sources", "select_problems"]


@dataclass(frozen=True)
class Job:
    """One fit: a problem (suite, dataset) × method × seed × noise level. Names and numbers
    only, so it travels unchanged to a local child or a dask worker."""

    suite: str
    dataset: str
    method: str
    seed: int
    noise: float
    #: the file of real rows read instead of generated ones (absolute path; "": generated)
    data_file: str = ""
    #: that file's SHA-256 ("" for generated rows); part of the job's key
    data_sha256: str = ""

    @property
    def data_source(self) -> str:
        """Where the job's rows come from: ``"file"`` or ``"generated"``."""
        return "file" if self.data_file else "generated"

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
    sources: Mapping[tuple[str, str], tuple[str, str]] | None = None,
) -> list[Job]:
    """The job list, ordered problem-major so that early records cover every method.
    ``sources``: ``(suite, dataset)`` -> ``(file, sha256)`` of the problems read from files
    (:func:`data_sources`)."""
    sources = sources or {}
    return [
        Job(suite=s, dataset=d, method=m, seed=int(seed), noise=float(level),
            data_file=file, data_sha256=sha)
        for s, d in problems
        for file, sha in [sources.get((s, d), ("", ""))]
        for seed in seeds
        for level in noise
        for m in methods
    ]  # fmt: skip


def data_sources(
    problems: Sequence[tuple[str, str]],
    data_dir: str | os.PathLike | None = None,
    pmlb_cache: str | os.PathLike | None = None,
    *,
    pmlb_read: bool = False,
) -> dict[tuple[str, str], tuple[str, str]]:
    """The file of real rows of each ground-truth problem that has one, as ``(suite,
    dataset)`` -> ``(absolute path, sha256)``: ``data_dir``'s (``DIR/<name>.csv``,
    ``DIR/<name>.tsv.gz`` or ``DIR/<name>/<name>.tsv.gz``) first, else the PMLB cache's
    (``DIR/<name>/<name>.tsv.gz``, as ``pmlb.fetch_data`` writes it). Problems without one
    are generated.

    Each file is read once here, as its jobs will read it, so a bad file (a missing column, a
    non-numeric cell, too few rows) stops the run before any job with a
    :class:`~srbench_lite.data.data_files.DataFileError`. A folder that holds no file for any
    selected ground-truth problem is an error too (unless ``pmlb_read``: a black-box suite
    reads that cache)."""
    from srbench_lite.data import get_suite
    from srbench_lite.data.data_files import find_data_file
    from srbench_lite.data.pmlb_io import pmlb_path

    found: dict[str, tuple[str, str]] = {}  # dataset -> (path, sha256); checked once
    origins = {"data_dir": 0, "pmlb_cache": 0}
    sources = {}
    for suite, dataset in problems:
        if not get_suite(suite).has_ground_truth:
            continue
        if dataset not in found:
            path = find_data_file(dataset, data_dir) if data_dir is not None else None
            origin = "data_dir"
            if path is None and pmlb_cache is not None:
                path, origin = pmlb_path(pmlb_cache, dataset), "pmlb_cache"
            if path is None or not path.is_file():
                continue
            path = Path(path).resolve()
            found[dataset] = (str(path), _check_file(dataset, path))
            origins[origin] += 1
        sources[(suite, dataset)] = found[dataset]
    names = [d for s, d in problems if get_suite(s).has_ground_truth][:3]
    if data_dir is not None and not origins["data_dir"]:
        raise InvalidValueError(
            f"--data-dir {str(data_dir)!r} holds no file for any selected ground-truth problem "
            f"(looked for <problem>.csv, <problem>.tsv.gz and <problem>/<problem>.tsv.gz, "
            f"e.g. {', '.join(f'{n}.csv' for n in names) or 'none selected'})"
        )
    if pmlb_cache is not None and not pmlb_read and not origins["pmlb_cache"]:
        raise InvalidValueError(
            f"--pmlb-cache {str(pmlb_cache)!r} holds no PMLB file for any selected problem "
            f"(looked for <name>/<name>.tsv.gz, e.g. "
            f"{', '.join(f'{n}/{n}.tsv.gz' for n in names) or 'none selected'}); it is read by "
            "the black-box suite and by ground-truth problems that have a file there"
        )
    return sources


def _check_file(name: str, path: Path) -> str:
    """Load problem ``name`` from ``path`` once, as its jobs will, and return the file's
    SHA-256; raises :class:`~srbench_lite.data.data_files.DataFileError` naming what is wrong
    (a missing column, a non-numeric cell, fewer than ``MIN_ROWS`` rows)."""
    from srbench_lite.data import load_problem
    from srbench_lite.data.data_files import MIN_ROWS, DataFileError

    problem = load_problem(name, data_file=path)
    n_rows = int(problem.meta.get("n_rows", len(problem.y_train)))
    if n_rows < MIN_ROWS:
        raise DataFileError(
            f"{name}: {str(path)!r} has {n_rows} data row(s); a run needs at least {MIN_ROWS}"
        )
    return str(problem.meta["data_sha256"])
