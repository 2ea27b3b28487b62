"""Real rows from a user's file, in place of a ground-truth problem's generated rows.

A file is a CSV (``<problem>.csv``) or PMLB's gzip-compressed TSV (``<problem>.tsv.gz``, or
``<problem>/<problem>.tsv.gz`` as ``pmlb.fetch_data(name, local_cache_dir=DIR)`` writes it),
with a header line: one column per feature, named as the problem's features, and the target
in a column ``target`` or named as the problem's output (:func:`output_name`: Feynman's ``f``,
EmpiricalBench's ``v``, ``P`` ...). Other columns are ignored. Every cell used must be a
finite number (:class:`DataFileError` names the column and the lines otherwise).

* A suite of generated rows (Feynman, SRSD, Strogatz, a formula table) reads every row of the
  file and splits it as its generated rows are split (SRBench: shuffled 75/25), training rows
  capped at the suite's cap, or at SRBench's :data:`MAX_TRAIN` when it has none
  (:func:`arrays_from_file`); a file needs at least :data:`MIN_ROWS` rows.
* EmpiricalBench's historical tables (:func:`load_data_file`): train = test = every row (the
  tables hold 6-32 measurements), the problem's target transform applied (``log`` for a
  log-target law), leavitt's period also accepted as ``logP``, and without a ``target`` or
  output column the last column is the target.

The file's SHA-256 (of the bytes read) is in the arrays' ``meta["data_sha256"]``, so a record
says exactly which rows a job used.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from srbench_lite.data.formula import evaluate_formula
from srbench_lite.data.problem import Arrays, ProblemSpec
from srbench_lite.errors import SrbenchError

__all__ = [
    "MAX_TRAIN",
    "MIN_ROWS",
    "DataFileError",
    "arrays_from_file",
    "data_file_names",
    "file_sha256",
    "find_data_file",
    "load_data_file",
    "output_name",
]

#: fewest data rows a file may hold (as ``load_problem``'s smallest ``n_samples``)
MIN_ROWS = 4
#: SRBench's cap on training rows, for a suite without a cap of its own
MAX_TRAIN = 10_000


class DataFileError(SrbenchError, ValueError):
    """A user's data file that cannot be used (missing, unreadable, wrong columns, bad values)."""


def data_file_names(name: str) -> tuple[str, ...]:
    """Where a problem's file may be in a data folder, relative to it, in order."""
    return (f"{name}.csv", f"{name}.tsv.gz", f"{name}/{name}.tsv.gz")


def find_data_file(name: str, folder: str | os.PathLike) -> Path | None:
    """The file of problem ``name`` in ``folder`` (:func:`data_file_names`), or None.
    Raises :class:`DataFileError` when several are there (which one is meant is unclear)."""
    found = [Path(folder) / n for n in data_file_names(name) if (Path(folder) / n).is_file()]
    if len(found) > 1:
        raise DataFileError(
            f"{name}: several data files in {str(folder)!r}: "
            + ", ".join(str(p.relative_to(folder)) for p in found)
            + "; keep one"
        )
    return found[0] if found else None


def file_sha256(path: str | os.PathLike) -> str:
    """The SHA-256 of a file's bytes, as hex."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def output_name(spec: ProblemSpec) -> str | None:
    """The name of a problem's output as its table gives it (the raw quantity for a
    log-target law: ``log F: ...`` -> ``F``), or None."""
    text = str(spec.meta.get("output") or spec.meta.get("target") or "").split(":")[0].strip()
    if spec.meta.get("target_transform") == "log" and text.startswith("log "):
        text = text[4:].strip()
    return text or None


def _read(spec: ProblemSpec, path: str | os.PathLike):
    """The file as a DataFrame (header names stripped) and the SHA-256 of its bytes."""
    import pandas as pd

    path = Path(path).expanduser()
    if not path.is_file():
        raise DataFileError(f"{spec.name}: data file {str(path)!r} not found")
    content = path.read_bytes()
    tsv = path.name.endswith((".tsv", ".tsv.gz"))
    try:
        frame = pd.read_csv(
            io.BytesIO(content),
            sep="\t" if tsv else ",",
            compression="gzip" if path.name.endswith(".gz") else None,
            skipinitialspace=True,
        )
    except Exception as exc:  # pandas raises several types for unreadable files
        kind = "gzip-compressed TSV" if tsv else "CSV"
        raise DataFileError(f"{spec.name}: cannot read {str(path)!r} as {kind}: {exc}") from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame, hashlib.sha256(content).hexdigest()


def _numeric(frame, column: str, spec: ProblemSpec, path: Path) -> np.ndarray:
    import pandas as pd

    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(~np.isfinite(values))
    if len(bad):
        rows = ", ".join(str(i + 2) for i in bad[:5])  # +2: 1-based, after the header line
        more = f" and {len(bad) - 5} more" if len(bad) > 5 else ""
        raise DataFileError(
            f"{spec.name}: column {column!r} of {str(path)!r} has missing or non-numeric "
            f"values (line(s) {rows}{more})"
        )
    return values


def _target_column(frame, spec: ProblemSpec, path: Path, used: set[str], last: bool) -> str:
    """``target``, else the problem's output name, else (``last``) the last column."""
    output = output_name(spec)
    for candidate in ("target", output):
        if candidate and candidate in frame.columns and candidate not in used:
            return candidate
    named = "'target'" + (f" or {output!r}" if output else "")
    if last and frame.columns[-1] not in used:
        return frame.columns[-1]
    where = " or put it last" if last else ""
    raise DataFileError(
        f"{spec.name}: {str(path)!r} has no target column: name it {named}{where} "
        f"(it has {', '.join(frame.columns)})"
    )


def arrays_from_file(
    spec: ProblemSpec,
    suite,
    path: str | os.PathLike,
    rng: np.random.Generator,
    split: float | Sequence[float] | None = None,
) -> Arrays:
    """Every row of a file, split as ``suite`` splits its generated rows (shuffled by
    ``rng``), training rows capped at the suite's cap or :data:`MAX_TRAIN`."""
    frame, sha = _read(spec, path)
    path = Path(path).expanduser()
    missing = [f for f in spec.feature_names if f not in frame.columns]
    if missing:
        raise DataFileError(
            f"{spec.name}: {str(path)!r} lacks columns {missing}; it has {list(frame.columns)} "
            f"(expected the features {list(spec.feature_names)} and a target)"
        )
    target = _target_column(frame, spec, path, set(spec.feature_names), last=False)
    if len(frame) < MIN_ROWS:
        raise DataFileError(
            f"{spec.name}: {str(path)!r} has {len(frame)} data row(s); at least {MIN_ROWS} "
            "are needed"
        )
    X = np.column_stack([_numeric(frame, f, spec, path) for f in spec.feature_names])
    y = _numeric(frame, target, spec, path)
    arrays = suite.split_arrays(X, y, rng, split)
    if not len(arrays.y_train) or not len(arrays.y_test):
        raise DataFileError(
            f"{spec.name}: the {len(y)} rows of {str(path)!r} leave an empty training or test "
            "set after the split"
        )
    cap = suite.max_train if suite.max_train is not None else MAX_TRAIN
    arrays.X_train, arrays.y_train = arrays.X_train[:cap], arrays.y_train[:cap]
    arrays.meta.update(
        data="data_file", data_file=str(path), data_sha256=sha, target_column=target,
        n_rows=len(y),
    )  # fmt: skip
    return arrays


def load_data_file(spec: ProblemSpec, data_file: str | os.PathLike) -> Arrays:
    """EmpiricalBench's historical measurements from a user's file, with the problem's target
    transform; train = test = every row."""
    from srbench_lite.expr import parse_model

    path = Path(data_file).expanduser()
    frame, sha = _read(spec, path)
    if frame.empty or len(frame.columns) < 2:
        raise DataFileError(
            f"{spec.name}: {str(path)!r} needs a header, at least one row and 2+ columns "
            f"(features {', '.join(spec.feature_names)} and a target)"
        )
    aliases = spec.meta.get("data_aliases") or {}
    columns, used, missing = [], set(), []
    for feature in spec.feature_names:
        if feature in frame.columns:
            columns.append(_numeric(frame, feature, spec, path))
            used.add(feature)
            continue
        alias = aliases.get(feature)  # leavitt: P = 10**logP
        sources = sorted(s.name for s in parse_model(alias).free_symbols) if alias else []
        if sources and all(s in frame.columns for s in sources):
            X_src = np.column_stack([_numeric(frame, s, spec, path) for s in sources])
            columns.append(evaluate_formula(alias, sources, X_src))
            used.update(sources)
            continue
        missing.append(feature + (f" (or {alias})" if alias else ""))
    if missing:
        raise DataFileError(
            f"{spec.name}: {str(path)!r} lacks column(s) {', '.join(missing)}; "
            f"it has {', '.join(frame.columns)}"
        )
    target_col = _target_column(frame, spec, path, used, last=True)
    X = np.column_stack(columns)
    y = _numeric(frame, target_col, spec, path)
    if spec.meta["target_transform"] == "log":
        if np.any(y <= 0):
            raise DataFileError(
                f"{spec.name}: the target is modelled as log(y) but column {target_col!r} of "
                f"{str(path)!r} has values <= 0"
            )
        y = np.log(y)
    meta = {
        "data": "data_file",
        "data_file": str(path),
        "data_sha256": sha,
        "n_rows": len(y),
        "target_column": target_col,
        "target_transform": spec.meta["target_transform"],
        "intrinsic_noise": {"kind": "measured", "level": None, "applied": False},
        "formula_is_exact": False,
    }
    return Arrays(X, y, X.copy(), y.copy(), meta=meta)
