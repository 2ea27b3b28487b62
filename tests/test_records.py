"""records.jsonl writing/reading (crash safety, resume keys) and run.json."""

from __future__ import annotations

import json
import math

from srbench_lite.records import (
    RecordWriter,
    finished_keys,
    job_key,
    package_versions,
    read_records,
    read_run_json,
    run_metadata,
    write_run_json,
)


def _rec(i: int, **extra) -> dict:
    return {"suite": "s", "dataset": f"d{i}", "method": "m", "seed": 0, "noise": 0.01,
            "status": "ok", **extra}  # fmt: skip


def test_append_and_read_back(tmp_path):
    path = tmp_path / "records.jsonl"
    with RecordWriter(path) as w:
        w.append(_rec(0, r2_test=float("-inf"), ned=math.nan, error="line1\nline2"))
        w.append(_rec(1, versions={"numpy": "2"}))
    lines = path.read_text().splitlines()
    assert len(lines) == 2
    first = json.loads(lines[0])
    assert list(first)[:5] == ["dataset", "suite", "method", "seed", "noise"]
    assert first["r2_test"] is None and first["ned"] is None  # strict JSON, no -Infinity
    assert first["error"] == "line1\nline2"
    assert [r["dataset"] for r in read_records(tmp_path)] == ["d0", "d1"]


def test_truncated_last_line_is_skipped_and_repaired(tmp_path):
    path = tmp_path / "records.jsonl"
    with RecordWriter(path) as w:
        w.append(_rec(0))
        w.append(_rec(1))
    full = path.read_bytes()
    path.write_bytes(full[: len(full) - 25])  # a kill in the middle of the second record
    assert [r["dataset"] for r in read_records(path)] == ["d0"]
    with RecordWriter(path) as w:  # reopening terminates the half line first
        w.append(_rec(2))
    assert [r["dataset"] for r in read_records(path)] == ["d0", "d2"]
    assert path.read_bytes().endswith(b"\n") and path.read_text().count("\n") == 3
    # garbage lines and non-record objects are skipped too
    with open(path, "a") as fh:
        fh.write('not json\n[1, 2]\n{"x": 1}\n')
    assert len(read_records(path)) == 2


def test_finished_keys_match_job_keys(tmp_path):
    with RecordWriter(tmp_path / "records.jsonl") as w:
        w.append(_rec(0, noise=0.1 + 0.2))  # 0.30000000000000004 survives JSON exactly
    keys = finished_keys(tmp_path)
    assert keys == {job_key({"suite": "s", "dataset": "d0", "method": "m", "seed": 0,
                             "noise": 0.3})}  # fmt: skip
    assert finished_keys(tmp_path / "missing") == set()


def test_run_json_roundtrip_and_metadata(tmp_path):
    meta = run_metadata(
        run_id="abc", config={"methods": ["linear"]}, command=["/venv/bin/srbench-lite", "run"]
    )
    assert meta["versions"]["numpy"] and meta["versions"]["scikit-learn"]
    assert meta["command"] == ["srbench-lite", "run"] and meta["created_at"].endswith("Z")
    assert meta["code"]["source"] in ("git checkout", "installed package")
    write_run_json(tmp_path, meta)
    assert read_run_json(tmp_path)["run_id"] == "abc"
    assert read_run_json(tmp_path / "nowhere") == {}


def test_package_versions_of_method_modules():
    versions = package_versions(("joblib", "surely_not_installed_xyz"))
    assert versions["joblib"] and "surely_not_installed_xyz" not in versions


def test_harness_failures_are_retried_on_resume(tmp_path):
    with RecordWriter(tmp_path / "records.jsonl") as w:
        w.append(_rec(0, status="error", error_kind="dask"))
        w.append(_rec(1, status="error", error_kind="crash"))
        w.append(_rec(2, status="timeout", error_kind="timeout"))
    assert {k[1] for k in finished_keys(tmp_path)} == {"d1", "d2"}


def test_archived_run_reads_like_a_run_and_refuses_new_records(tmp_path):
    """A committed run keeps its records as records.jsonl.gz: readers and the report read it,
    a run writing into it is refused (new records would shadow the archived ones)."""
    import gzip

    import pytest

    from srbench_lite.errors import SrbenchError
    from srbench_lite.records import check_writable
    from srbench_lite.report.load import load_runs

    plain = tmp_path / "records.jsonl"
    with RecordWriter(plain) as w:
        w.append(_rec(0))
        w.append(_rec(1))
    (tmp_path / "records.jsonl.gz").write_bytes(gzip.compress(plain.read_bytes()))
    plain.unlink()
    assert [r["dataset"] for r in read_records(tmp_path)] == ["d0", "d1"]
    assert finished_keys(tmp_path) == {job_key(_rec(0)), job_key(_rec(1))}
    assert list(load_runs([tmp_path]).records["dataset"]) == ["d0", "d1"]
    with pytest.raises(SrbenchError, match="archived run"):
        check_writable(tmp_path)
    (tmp_path / "records.jsonl.gz").write_bytes(b"not gzip")
    with pytest.raises(SrbenchError, match="not a readable gzip"):
        read_records(tmp_path)
