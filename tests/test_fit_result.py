"""FitResult is the one schema of a job's result: records are built from it and read back into
it, the record's field names stay those of earlier runs, and its phases give the error kinds."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest

from srbench_lite.fit_result import ERROR_KINDS, PHASES, RESULT_FIELDS, FitResult
from srbench_lite.records import RECORD_FIELDS, SCHEMA_FIELDS, encode_record, read_records
from srbench_lite.runner.config import JobOptions
from srbench_lite.runner.jobs import Job

#: the names every records.jsonl since schema 2 uses: renaming one would orphan old files
WRITTEN_NAMES = {
    "dataset", "suite", "method", "seed", "noise", "status", "error", "fit_time_s", "r2_train",
    "r2_test", "expression", "true_expression", "exact_recovery", "recovery_kind", "ned",
    "complexity", "n_train", "n_test", "time_budget_s", "versions", "form_recovery",
    "model_size", "has_expression", "r2_train_predict", "r2_test_predict", "expression_mismatch",
    "expression_rel_diff", "expression_f32_diff", "schema_version", "run_id", "job_id",
    "problem_seed", "error_kind", "metric_error", "raw_expression", "setup_time_s",
    "predict_time_s", "score_time_s", "wall_time_s", "n_features", "smoke", "host",
    "started_at", "finished_at", "data_source", "data_sha256", "environment",
}  # fmt: skip


def _filled() -> FitResult:
    """A result with every record field set to a distinct, JSON-exact value."""
    values = {}
    for i, f in enumerate(fields(FitResult)):
        if f.metadata.get("record", True):
            kind = str(f.type)
            if "bool" in kind:
                values[f.name] = i % 2 == 0
            elif "int" in kind:
                values[f.name] = 100 + i
            elif "float" in kind:
                values[f.name] = i + 0.25
            else:
                values[f.name] = f"text {i}"
    return FitResult(**values)


def test_record_names_are_unchanged_and_derived_from_fit_result():
    assert set(RECORD_FIELDS) == WRITTEN_NAMES and len(RECORD_FIELDS) == len(WRITTEN_NAMES)
    assert set(RESULT_FIELDS) <= set(RECORD_FIELDS)
    assert not {"phase", "feature_names", "method_requires", "env_versions"} & set(RECORD_FIELDS)
    assert SCHEMA_FIELDS[:5] == ("dataset", "suite", "method", "seed", "noise")
    assert SCHEMA_FIELDS[-2:] == ("time_budget_s", "versions")


def test_round_trip_through_a_record_line(tmp_path):
    result = _filled()
    record = {"dataset": "d", "suite": "s", "method": "m", "seed": 0, "noise": 0.0,
              **result.to_record()}  # fmt: skip
    assert list(result.to_record()) == list(RESULT_FIELDS)
    (tmp_path / "records.jsonl").write_bytes(encode_record(record))
    (back,) = read_records(tmp_path)
    assert FitResult.from_record(back) == result
    assert FitResult.from_record(json.loads(encode_record(record))).to_record() == (
        result.to_record()
    )


def test_old_and_foreign_records_load():
    schema1 = {"dataset": "d", "method": "m", "status": "ok", "r2_test": 0.5, "surprise": 1}
    result = FitResult.from_record(schema1)
    assert result.status == "ok" and result.r2_test == 0.5
    assert result.r2_test_predict is None and result.expression_mismatch is None


def test_phases_give_the_documented_error_kinds():
    assert set(PHASES.values()) <= set(ERROR_KINDS)
    docs = (Path(__file__).resolve().parents[1] / "docs" / "records.md").read_text()
    for kind in ERROR_KINDS:
        assert f"`{kind}`" in docs, kind
    result = FitResult()
    result.fail("boom")
    assert result.error_kind == "runner"  # before set-up: the harness's own failure
    result.enter("expression")
    result.fail("boom")
    assert (result.status, result.error_kind) == ("error", "expression")
    result.fail("no memory", kind="memory")
    assert result.error_kind == "memory"
    result.succeed()
    assert (result.status, result.error, result.error_kind, result.phase) == (
        "ok", None, None, "done")  # fmt: skip
    with pytest.raises(ValueError, match="unknown phase 'fitting'"):
        result.enter("fitting")


def test_merge_keeps_what_the_parent_knew():
    from srbench_lite.runner.execute import _merge

    record = {"has_expression": True, "true_expression": "x0", "status": "timeout"}
    _merge(record, FitResult(status="ok", error_kind=None, fit_time_s=1.5))
    assert record == {"has_expression": True, "true_expression": "x0", "status": "timeout",
                      "fit_time_s": 1.5}  # fmt: skip


def test_fit_job_in_process_fills_the_result():
    from srbench_lite.runner.fitting import CHECK_ROWS, fit_job, score_fit

    result, X_check = fit_job(Job("smoke", "smoke_linear", "linear", 0, 0.0), JobOptions(2.0))
    assert (result.status, result.phase, result.error_kind) == ("ok", "done", None)
    assert result.has_expression and result.expects_scores()
    assert result.r2_test > 0.999999 and result.expression_mismatch is False
    assert isinstance(X_check, np.ndarray) and X_check.shape[0] <= CHECK_ROWS
    scored = score_fit(result, X_check)
    assert scored.exact_recovery is True and scored.ned == 0.0
    assert result.exact_recovery is None  # scoring returns a copy


def test_an_unexpected_failure_takes_its_phase_kind(monkeypatch):
    import srbench_lite.expr
    from srbench_lite.runner.fitting import fit_job

    def broken(*args, **kwargs):
        raise RuntimeError("parser bug")

    monkeypatch.setattr(srbench_lite.expr, "parse_model", broken)
    result, _ = fit_job(Job("smoke", "smoke_linear", "linear", 0, 0.0), JobOptions(2.0))
    assert (result.status, result.error_kind) == ("error", "expression")
    assert "parser bug" in result.error and result.r2_test_predict is not None
