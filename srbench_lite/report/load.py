"""Read run directories (``records.jsonl`` + ``run.json``, through the readers of
:mod:`srbench_lite.records`) into one pandas DataFrame.

Reading is forgiving, because a run may still be going, may have been killed, or may come
from an older version of the runner: a half-written last line, an unparseable line, a record
without ``dataset``/``method``/``status`` or with an unknown status is skipped or mapped and
*reported* in ``LoadedRuns.warnings``, never raised. Only a path that holds no records at all is
an error (:class:`~srbench_lite.errors.SrbenchError`), with a message that says what was found.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from srbench_lite.errors import SrbenchError
from srbench_lite.records import (
    JOB_KEY,
    RECORDS_FILE,
    REQUIRED_FIELDS,
    SCHEMA_FIELDS,
    read_records,
    read_run_json,
    records_file,
)

STATUSES = ("ok", "timeout", "error")
NUMERIC_FIELDS = (
    "fit_time_s",
    "r2_train",
    "r2_test",
    "r2_train_predict",
    "r2_test_predict",
    "expression_rel_diff",
    "ned",
    "complexity",
    "model_size",
    "n_train",
    "n_test",
    "time_budget_s",
)
TEXT_FIELDS = ("dataset", "suite", "method", "error", "expression", "true_expression")
#: fields the report uses: a record lacking one gets a warning (results: successful runs only)
JOB_FIELDS = ("suite", "seed", "noise", "fit_time_s", "time_budget_s")
RESULT_FIELDS = ("r2_test", "exact_recovery", "true_expression", "ned", "complexity")
# JOB_KEY: one job; a key seen twice keeps its last record (later runs win)


@dataclass
class RunInfo:
    """One run directory as read: its ``run.json`` (``{}`` when absent) and what was skipped."""

    path: Path
    name: str
    meta: dict[str, Any]
    n_records: int = 0
    n_skipped: int = 0


@dataclass
class LoadedRuns:
    records: pd.DataFrame
    runs: list[RunInfo]
    warnings: list[str] = field(default_factory=list)


def _records_path(path: Path) -> Path:
    if path.is_file():
        return path
    if path.is_dir():
        return records_file(path)
    raise SrbenchError(f"run directory {str(path)!r} does not exist")


def _to_bool(value: Any) -> Any:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0"):
        return value.strip().lower() in ("true", "1")
    return pd.NA


def _to_text(value: Any) -> Any:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return value if isinstance(value, str) else str(value)


def normalize(
    rows: Iterable[dict[str, Any]], warnings: list[str], source: str = "records"
) -> pd.DataFrame:
    """Records → a DataFrame with every schema column, in fixed dtypes.

    Missing schema fields become missing values (and one warning says which fields were
    missing from how many records); records without a required field are dropped.
    """
    rows = list(rows)
    frame = pd.DataFrame.from_records(rows)
    # a field is missing when its key is absent (null is a legitimate value: no error text);
    # result fields are only expected of successful runs
    ok_rows = [r for r in rows if str(r.get("status", "")).strip().lower() == "ok"]
    missing = {f: sum(f not in r for r in rows) for f in JOB_FIELDS}
    missing.update({f: sum(f not in r for r in ok_rows) for f in RESULT_FIELDS})
    for name in SCHEMA_FIELDS:  # other fields are kept as they are and otherwise ignored
        if name not in frame:
            frame[name] = None
    for name in ("schema_version", "expression_mismatch", "form_recovery", "has_expression",
                 "data_source", "data_sha256", *NUMERIC_FIELDS):  # fmt: skip
        if name not in frame:  # fields newer than the record's schema
            frame[name] = None
    # rows are generated unless the record says a file's (records from before data files)
    frame["data_source"] = frame["data_source"].map(
        lambda v: "file" if v == "file" else "generated"
    )
    if "run" not in frame:
        frame["run"] = None
    lacking = frame[list(REQUIRED_FIELDS)].isna().any(axis=1)
    for name in REQUIRED_FIELDS:
        lacking |= frame[name].map(lambda v: isinstance(v, str) and not v.strip())
    if lacking.any():
        warnings.append(
            f"{source}: skipped {int(lacking.sum())} record(s) without one of "
            f"{', '.join(REQUIRED_FIELDS)}: they cannot be placed in the leaderboard"
        )
        frame = frame.loc[~lacking].reset_index(drop=True)
    gaps = {f: c for f, c in missing.items() if c}
    if gaps and len(frame):
        listed = ", ".join(f"{f} ({c})" for f, c in gaps.items())
        warnings.append(
            f"{source}: fields missing from some records (count): {listed}; treated as unknown"
        )

    for name in TEXT_FIELDS:
        frame[name] = frame[name].map(_to_text).astype(object)
    frame["suite"] = frame["suite"].fillna("unknown")
    frame["status"] = frame["status"].map(lambda v: str(v).strip().lower())
    odd = ~frame["status"].isin(STATUSES)
    if odd.any():
        found = ", ".join(sorted(set(frame.loc[odd, "status"])))
        warnings.append(
            f"{source}: {int(odd.sum())} record(s) with an unknown status ({found}) counted as 'error'"
        )
        frame.loc[odd, "status"] = "error"
    for name in NUMERIC_FIELDS:
        frame[name] = pd.to_numeric(frame[name], errors="coerce").astype(float)
    frame["noise"] = pd.to_numeric(frame["noise"], errors="coerce").fillna(0.0).astype(float)
    frame["seed"] = pd.to_numeric(frame["seed"], errors="coerce").astype("Int64")
    frame["exact_recovery"] = frame["exact_recovery"].map(_to_bool).astype("boolean")
    frame["expression_mismatch"] = frame["expression_mismatch"].map(_to_bool).astype("boolean")
    frame["form_recovery"] = frame["form_recovery"].map(_to_bool).astype("boolean")
    frame["has_expression"] = frame["has_expression"].map(_to_bool).astype("boolean")
    frame["recovery_kind"] = frame["recovery_kind"].map(_to_text).astype(object)
    frame["schema_version"] = frame["schema_version"].map(_to_text).astype(object)
    return frame


def load_runs(paths: Sequence[str | Path]) -> LoadedRuns:
    """Read one or more run directories (or ``records.jsonl`` files) into one frame.

    Each record gets a ``run`` column naming its directory. A job (suite, dataset, method,
    seed, noise and the data file's sha256, :data:`~srbench_lite.records.JOB_KEY`) recorded
    twice keeps its last record, so a later run given later on the
    command line supersedes an earlier one; the count is reported.
    """
    if not paths:
        raise SrbenchError("no run directory given")
    warnings: list[str] = []
    runs: list[RunInfo] = []
    frames: list[pd.DataFrame] = []
    names_seen: dict[str, int] = {}
    for raw in paths:
        path = Path(raw)
        records_path = _records_path(path)
        run_dir = records_path.parent
        name = run_dir.name or str(run_dir)
        names_seen[name] = names_seen.get(name, 0) + 1
        if names_seen[name] > 1:
            name = f"{name}#{names_seen[name]}"
        info = RunInfo(path=run_dir, name=name, meta=read_run_json(run_dir, problems=warnings))
        runs.append(info)
        if not records_path.is_file():
            warnings.append(f"{run_dir}: no {RECORDS_FILE} (the run wrote no record yet)")
            continue
        skipped: list[str] = []
        rows = read_records(records_path, skipped=skipped)
        info.n_skipped = len(skipped)
        warnings += [f"{records_path}: skipped {why}" for why in skipped]
        if not rows:
            warnings.append(f"{records_path}: no records")
            continue
        for row in rows:
            row["run"] = name
        frame = normalize(rows, warnings, source=str(records_path))
        info.n_records = len(frame)
        frames.append(frame)
    if not frames:
        where = ", ".join(str(r.path) for r in runs)
        detail = "; ".join(warnings)
        raise SrbenchError(
            f"no records to report in {where}"
            + (f" ({detail})" if detail else "")
            + f": a run directory holds {RECORDS_FILE} with one JSON record a line, "
            "written by `srbench-lite run`"
        )
    records = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    versions = records["schema_version"].fillna("unversioned")
    if versions.nunique() > 1:
        counts = versions.value_counts().sort_index()
        listed = ", ".join(f"{v} ({c} records)" for v, c in counts.items())
        warnings.append(
            f"records come from several schema versions: {listed}; fields a version lacks "
            "are treated as unknown"
        )
    dup = records.duplicated(subset=list(JOB_KEY), keep="last")
    if dup.any():
        warnings.append(
            f"{int(dup.sum())} job(s) recorded more than once; the last record of each is used"
        )
        records = records.loc[~dup].reset_index(drop=True)
    return LoadedRuns(records=records, runs=runs, warnings=warnings)
