"""Run output: ``records.jsonl`` (one JSON object per finished job) and ``run.json``.

Crash safety: a record is written with a single ``os.write`` on an ``O_APPEND`` descriptor and
fsync'ed before the next job's record, so a run killed at any moment leaves every finished
record intact and at most one half-written last line. Reading skips such a line; opening for
append first terminates it with a newline so that a new record never glues onto it. A resumed
run skips every job whose :data:`JOB_KEY` already has a record -- nothing lost, nothing twice
(except records of harness failures, :data:`RETRY_KINDS`, which are retried).

Record fields (schema version :data:`SCHEMA_VERSION`; meanings in ``docs/records.md``): the
job (:data:`JOB_FIELDS`), its result (every record field of
:class:`~srbench_lite.fit_result.FitResult`, the one schema of a job's result) and the run's
bookkeeping (:data:`RUN_FIELDS`). Non-finite numbers are written as ``null``. Since schema 2,
``r2_train``/``r2_test`` are the R² of the judged expression itself and ``r2_*_predict`` those
of the method's ``predict()``.
"""

from __future__ import annotations

import gzip
import json
import math
import os
import platform
import socket
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from srbench_lite.errors import SrbenchError
from srbench_lite.fit_result import RESULT_FIELDS, RESULT_SCHEMA_FIELDS

__all__ = [
    "JOB_FIELDS",
    "JOB_KEY",
    "ARCHIVED_RECORDS_FILE",
    "RECORDS_FILE",
    "RECORD_FIELDS",
    "REQUIRED_FIELDS",
    "SCHEMA_FIELDS",
    "RETRY_KINDS",
    "RUN_FIELDS",
    "RUN_FILE",
    "SCHEMA_VERSION",
    "RecordWriter",
    "check_writable",
    "encode_record",
    "finished_keys",
    "job_key",
    "package_versions",
    "read_records",
    "records_file",
    "read_run_json",
    "run_metadata",
    "utc_now",
    "write_run_json",
]

SCHEMA_VERSION = "2"
RECORDS_FILE = "records.jsonl"
#: an archived (committed, read-only) run keeps its records gzip-compressed under this name
ARCHIVED_RECORDS_FILE = "records.jsonl.gz"
RUN_FILE = "run.json"
#: one job; a resumed run skips keys that already have a record. ``data_sha256`` is the file
#: of real rows the job read (null: generated rows), so file and generated rows never mix
JOB_KEY = ("suite", "dataset", "method", "seed", "noise", "data_sha256")
#: the job a record is about, first in every record
JOB_FIELDS = ("dataset", "suite", "method", "seed", "noise")
#: the record schema of DESIGN.md (what every consumer, e.g. the report, may rely on)
SCHEMA_FIELDS = JOB_FIELDS + RESULT_SCHEMA_FIELDS + ("time_budget_s", "versions")
#: the run's settings and bookkeeping around a job's result (not in DESIGN.md's schema)
RUN_FIELDS = (
    "data_source",  # where the job's rows came from: "generated" or "file" (real rows)
    "data_sha256",  # the SHA-256 of that file (null for generated rows)
    "schema_version",
    "run_id",
    "job_id",
    "problem_seed",
    "wall_time_s",
    "smoke",
    "host",
    "started_at",
    "finished_at",
)
#: the order fields are written in: the schema first, then the result's and the run's extras
RECORD_FIELDS = (
    SCHEMA_FIELDS
    + tuple(name for name in RESULT_FIELDS if name not in RESULT_SCHEMA_FIELDS)
    + RUN_FIELDS
)


def utc_now() -> str:
    """The current UTC time as ISO 8601 with seconds (``2026-01-31T12:00:00Z``)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def job_key(record: Mapping[str, Any]) -> tuple:
    """The identity of a job: ``(suite, dataset, method, seed, noise, data_sha256)``,
    normalised so that a record read back from JSON gives the same key as the job that wrote
    it (a record without ``data_sha256``, e.g. an older one, is one of generated rows)."""
    seed = record.get("seed")
    noise = record.get("noise")
    return (
        str(record.get("suite")),
        str(record.get("dataset")),
        str(record.get("method")),
        int(seed) if seed is not None else None,
        round(float(noise), 12) if noise is not None else 0.0,
        record.get("data_sha256") or None,
    )


def _clean(value: Any) -> Any:
    """JSON-safe: non-finite floats become None, numpy scalars become Python ones."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and callable(value.item) and getattr(value, "ndim", 1) == 0:
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def encode_record(record: Mapping[str, Any]) -> bytes:
    """One record as a JSON line (schema fields first, then any others), UTF-8, with newline."""
    ordered = {k: record[k] for k in RECORD_FIELDS if k in record}
    ordered.update({k: v for k, v in record.items() if k not in ordered})
    text = json.dumps(_clean(ordered), ensure_ascii=False, allow_nan=False, default=str)
    if "\n" in text:  # json.dumps escapes newlines in strings; this cannot happen
        raise ValueError("encoded record contains a newline")
    return (text + "\n").encode("utf-8")


class RecordWriter:
    """Appends records to ``records.jsonl``: one ``os.write`` per record, then ``fsync``.

    Opening repairs a file whose last line was cut off (a killed run) by ending it with a
    newline, so the half line stays a single skipped line and the next record starts cleanly.
    """

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            self._terminate_last_line()
        except BaseException:
            os.close(self.fd)
            raise

    def _terminate_last_line(self) -> None:
        size = os.fstat(self.fd).st_size
        if size == 0:
            return
        with open(self.path, "rb") as fh:
            fh.seek(size - 1)
            last = fh.read(1)
        if last != b"\n":
            os.write(self.fd, b"\n")
            os.fsync(self.fd)

    def append(self, record: Mapping[str, Any]) -> None:
        data = encode_record(record)
        view = memoryview(data)
        written = os.write(self.fd, view)
        while written < len(data):  # regular files write fully; be safe on odd filesystems
            written += os.write(self.fd, view[written:])
        os.fsync(self.fd)

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def __enter__(self) -> RecordWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


#: a record without one of these cannot be placed in a leaderboard (or resumed)
REQUIRED_FIELDS = ("dataset", "method", "status")


def records_file(run_dir: str | os.PathLike) -> Path:
    """The records of a run directory: ``records.jsonl``, or ``records.jsonl.gz`` for an
    archived run that has no plain file (e.g. one committed beside its report)."""
    run_dir = Path(run_dir)
    plain = run_dir / RECORDS_FILE
    archived = run_dir / ARCHIVED_RECORDS_FILE
    return archived if not plain.exists() and archived.is_file() else plain


def read_records(
    path: str | os.PathLike, *, skipped: list[str] | None = None
) -> list[dict[str, Any]]:
    """Every complete record of a ``records.jsonl`` (or ``.jsonl.gz``, or of the run directory
    holding it).

    Lines that are not JSON objects with :data:`REQUIRED_FIELDS` -- a half-written last line
    from a killed run, garbage -- are skipped, and described in ``skipped`` when it is given
    (one message per line); a missing file gives an empty list.
    """
    path = Path(path)
    if path.is_dir():
        path = records_file(path)
    if not path.is_file():
        return []
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise SrbenchError(f"{path.name}: not a readable gzip file ({exc})") from None
    lines = data.decode("utf-8", errors="replace").split("\n")
    last = len(lines) - 1  # the piece after the last newline: a line still being written
    rows, why = [], []
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            why.append(
                f"a half-written last line ({len(line)} characters; the run may still be "
                "going or was killed mid-write)"
                if i == last
                else f"line {i + 1}, not valid JSON ({exc.msg})"
            )
            continue
        if not isinstance(obj, dict):
            why.append(f"line {i + 1}, a JSON {type(obj).__name__}, not an object")
        elif not all(obj.get(k) not in (None, "") for k in REQUIRED_FIELDS):
            why.append(f"line {i + 1}, a record without one of {', '.join(REQUIRED_FIELDS)}")
        else:
            rows.append(obj)
    if skipped is not None:
        skipped += why
    return rows


#: failures of the harness, not of the method: ``--resume`` runs these jobs again
RETRY_KINDS = ("dask", "interrupted", "runner")


def finished_keys(path: str | os.PathLike) -> set[tuple]:
    """Job keys (:func:`job_key`) that already have a record: what ``--resume`` skips.

    A record of a harness failure (:data:`RETRY_KINDS`: a lost dask worker, an interrupted
    run, a runner bug) does not count: the job runs again and its new record supersedes the
    old one (the report keeps the last record of a job)."""
    return {job_key(r) for r in read_records(path) if r.get("error_kind") not in RETRY_KINDS}


# --------------------------------------------------------------------------- run.json
@lru_cache(maxsize=1)
def _module_distributions() -> Mapping[str, list[str]]:
    from importlib.metadata import packages_distributions

    try:
        return packages_distributions()
    except Exception:  # a broken installed distribution must not stop a run
        return {}


def _distribution_version(module: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    top = module.split(".")[0]
    for dist in [*_module_distributions().get(top, []), top]:
        try:
            return version(dist)
        except (PackageNotFoundError, ValueError):
            continue
    return None


@lru_cache(maxsize=64)
def package_versions(modules: tuple[str, ...] = ()) -> dict[str, str]:
    """Versions of srbench-lite, Python, numpy, sympy, scikit-learn and the given modules
    (a method's ``requires``), read from package metadata without importing them."""
    from srbench_lite import __version__

    out = {"srbench_lite": __version__, "python": platform.python_version()}
    for name in ("numpy", "sympy", "sklearn", "scipy", "pandas", *modules):
        found = _distribution_version(name)
        if found is not None:
            out["scikit-learn" if name == "sklearn" else name] = found
    return out


def write_run_json(run_dir: str | os.PathLike, meta: Mapping[str, Any]) -> Path:
    """Write ``run.json`` atomically (temporary file + rename)."""
    path = Path(run_dir) / RUN_FILE
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(_clean(dict(meta)), indent=1, default=str) + "\n", "utf-8")
    os.replace(tmp, path)
    return path


def read_run_json(
    run_dir: str | os.PathLike, *, problems: list[str] | None = None
) -> dict[str, Any]:
    """``run.json`` of a run directory, ``{}`` when absent or unreadable (then, when
    ``problems`` is given, a message saying why is appended to it)."""
    path = Path(run_dir) / RUN_FILE
    if not path.is_file():
        return {}
    try:
        meta = json.loads(path.read_text("utf-8", errors="replace"))
    except (OSError, json.JSONDecodeError) as exc:
        meta, why = None, f"{path}: unreadable ({exc}); run details left out"
    else:
        why = f"{path}: not a JSON object; run details left out"
    if isinstance(meta, dict):
        return meta
    if problems is not None:
        problems.append(why)
    return {}


def run_metadata(
    *,
    run_id: str,
    config: Mapping[str, Any],
    method_requires: Iterable[str] = (),
    command: Sequence[str] | None = None,
) -> dict[str, Any]:
    """The content of a new ``run.json``: id, time, the command as typed, config, package
    versions, the code's git commit and whether it had uncommitted changes, platform.

    No absolute path of this machine is written (:mod:`srbench_lite.provenance`)."""
    from srbench_lite.provenance import code_state, command_as_typed, scrub_value

    return {
        "schema_version": SCHEMA_VERSION,
        "run_id": run_id,
        "created_at": utc_now(),
        "command": command_as_typed(sys.argv if command is None else command),
        "config": scrub_value(dict(config)),
        "versions": package_versions(tuple(sorted(set(method_requires)))),
        "code": code_state(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "host": socket.gethostname(),
    }


def check_writable(run_dir: Path) -> None:
    """Create ``run_dir`` and prove a file can be written there; SrbenchError if not (or if it
    is an archived run, whose compressed records new ones must not shadow)."""
    if records_file(run_dir).name == ARCHIVED_RECORDS_FILE:
        raise SrbenchError(
            f"{str(run_dir)!r} is an archived run ({ARCHIVED_RECORDS_FILE}); to add to it, "
            f"decompress it first (gunzip -k {ARCHIVED_RECORDS_FILE}), or choose another --out"
        )
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
        probe = run_dir / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise SrbenchError(
            f"cannot write the run output to {str(run_dir)!r}: {exc.strerror or exc}; "
            "choose another --out"
        ) from None
