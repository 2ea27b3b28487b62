"""Reading run directories for ``srbench-lite report``: tolerant of what runs leave behind."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from srbench_lite.errors import SrbenchError
from srbench_lite.report.load import load_runs

FIXTURES = Path(__file__).parent / "fixtures"
N_FIXTURE = 24


def make_run(root: Path, name: str = "run") -> Path:
    run = root / name
    run.mkdir(parents=True)
    shutil.copy(FIXTURES / "records_small.jsonl", run / "records.jsonl")
    shutil.copy(FIXTURES / "run.json", run / "run.json")
    return run


def test_reads_fixture_and_run_json(tmp_path):
    loaded = load_runs([make_run(tmp_path)])
    rec = loaded.records
    assert len(rec) == N_FIXTURE and loaded.warnings == []
    assert set(rec["method"]) == {"linear", "gplearn", "operon"}
    assert sorted(rec["noise"].unique()) == [0.0, 0.01]
    assert rec["status"].value_counts().to_dict() == {"ok": 20, "timeout": 2, "error": 2}
    assert loaded.runs[0].meta["run_id"] == "fixture-run"
    assert set(rec["run"]) == {"run"}
    # an unknown extra field is kept and harmless
    assert "memory_peak_mb" in rec


def test_records_file_path_accepted():
    loaded = load_runs([FIXTURES / "records_small.jsonl"])
    assert len(loaded.records) == N_FIXTURE
    assert loaded.runs[0].meta["git_sha"] == "abc1234"


def test_half_written_last_line_is_skipped_with_a_warning(tmp_path):
    run = make_run(tmp_path)
    with open(run / "records.jsonl", "a") as f:
        f.write('{"dataset": "smoke_poly", "suite": "smoke", "method": "lin')  # no newline
    loaded = load_runs([run])
    assert len(loaded.records) == N_FIXTURE
    assert loaded.runs[0].n_skipped == 1
    assert any("half-written last line" in w for w in loaded.warnings)


def test_bad_line_in_the_middle_is_skipped(tmp_path):
    run = make_run(tmp_path)
    lines = (run / "records.jsonl").read_text().splitlines()
    lines.insert(3, "{not json")
    lines.insert(5, "[1, 2]")
    (run / "records.jsonl").write_text("\n".join(lines) + "\n")
    loaded = load_runs([run])
    assert len(loaded.records) == N_FIXTURE
    assert any("line 4, not valid JSON" in w for w in loaded.warnings)
    assert any("not an object" in w for w in loaded.warnings)


@pytest.mark.parametrize("content", [None, "", "\n\n"])
def test_empty_run_directory_is_a_clear_error(tmp_path, content):
    run = tmp_path / "empty"
    run.mkdir()
    if content is not None:
        (run / "records.jsonl").write_text(content)
    with pytest.raises(SrbenchError, match="no records to report"):
        load_runs([run])


def test_missing_directory_is_a_clear_error(tmp_path):
    with pytest.raises(SrbenchError, match="does not exist"):
        load_runs([tmp_path / "nope"])


def test_empty_run_beside_a_full_one_is_a_warning(tmp_path):
    (tmp_path / "empty").mkdir()
    loaded = load_runs([make_run(tmp_path), tmp_path / "empty"])
    assert len(loaded.records) == N_FIXTURE
    assert any("no records.jsonl" in w for w in loaded.warnings)


def test_other_schema_versions_missing_fields_and_odd_values(tmp_path):
    run = make_run(tmp_path)
    old = [
        # an older schema: no noise, no ned, no suite, no schema_version
        {"dataset": "p1", "method": "m", "seed": 0, "status": "ok", "r2_test": 0.5},
        {"dataset": "p2", "method": "m", "seed": 0, "status": "KILLED"},
        {"method": "m", "status": "ok"},  # no dataset: cannot be placed
        {"dataset": "p3", "method": "m", "status": "ok", "exact_recovery": "true", "seed": "x"},
    ]
    with open(run / "records.jsonl", "a") as f:
        for row in old:
            f.write(json.dumps(row) + "\n")
    loaded = load_runs([run])
    rec = loaded.records
    assert len(rec) == N_FIXTURE + 3
    text = " | ".join(loaded.warnings)
    assert "several schema versions" in text and "unversioned (3 records)" in text
    assert "without one of dataset, method, status" in text
    assert "unknown status (killed) counted as 'error'" in text
    assert "fields missing from some records" in text
    extra = rec[rec["method"] == "m"].set_index("dataset")
    assert extra.loc["p1", "noise"] == 0.0 and extra.loc["p1", "suite"] == "unknown"
    assert extra.loc["p2", "status"] == "error"
    assert bool(extra.loc["p3", "exact_recovery"]) is True


def test_runs_are_combined_and_a_repeated_job_keeps_the_last_record(tmp_path):
    first, second = make_run(tmp_path, "a"), make_run(tmp_path, "b")
    rows = [json.loads(x) for x in (second / "records.jsonl").read_text().splitlines()]
    rows[0]["r2_test"] = 0.25
    extra = dict(rows[0], method="constant")
    (second / "records.jsonl").write_text("\n".join(json.dumps(r) for r in [*rows, extra]) + "\n")
    loaded = load_runs([first, second])
    rec = loaded.records
    assert len(rec) == N_FIXTURE + 1
    assert any(f"{N_FIXTURE} job(s) recorded more than once" in w for w in loaded.warnings)
    key = (rec["dataset"] == rows[0]["dataset"]) & (rec["method"] == rows[0]["method"])
    key &= rec["noise"] == rows[0]["noise"]
    assert rec.loc[key, "r2_test"].tolist() == [0.25]
    assert set(rec["run"]) == {"b"}  # every job of run a was repeated in run b
