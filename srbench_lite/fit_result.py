"""The one schema of a job's result: :class:`FitResult`.

A job's child process (:mod:`srbench_lite.runner.child`) fills one ``FitResult`` while it fits
and sends it to the parent, which scores a successful fit with a ground truth in its judge
(:mod:`srbench_lite.runner.judging`). The parent (:mod:`srbench_lite.runner.execute`) copies
its record fields into the job's record, and :mod:`srbench_lite.records` derives the record's
field list from this class, so a result field is declared once, here (meanings:
``docs/records.md``).

Adding a field: one line in :class:`FitResult` (with ``_SCHEMA`` metadata if it belongs to the
DESIGN.md schema, ``_TRANSPORT`` if it must not be written). Records written before it existed
still load (:meth:`FitResult.from_record` leaves it at its default).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

__all__ = [
    "ERROR_KINDS",
    "PHASES",
    "RESULT_FIELDS",
    "RESULT_SCHEMA_FIELDS",
    "FitResult",
]

#: every ``error_kind`` a record can carry (``None`` when the job succeeded), and what it means
ERROR_KINDS = {
    "setup": "loading the problem or building the estimator failed (in the job's process)",
    "fit": "the method's fit() raised",
    "predict": "predict() failed, or returned the wrong shape or non-finite values",
    "expression": "sympy() failed, the expression is unparseable, or it cannot be evaluated "
    "(or is NaN/inf on every test row)",
    "memory": "out of memory (MemoryError; see --memory-mb)",
    "crash": "the job's process died without a result (exit code or signal in the error)",
    "timeout": "killed at the hard limit (time budget x kill factor + kill grace)",
    "setup-timeout": "setting up took longer than the runner's startup limit",
    "interrupted": "the run was interrupted (retried by --resume)",
    "dask": "the dask worker running the job was lost (retried by --resume)",
    "runner": "the harness itself failed around the job (retried by --resume)",
}

#: where the child is in a job, in order. An unexpected exception in a phase becomes the
#: ``error_kind`` given here (``start``: the harness's own imports; ``done``: nothing runs)
PHASES = {
    "start": "runner",
    "setup": "setup",
    "fit": "fit",
    "predict": "predict",
    "expression": "expression",
    "done": "runner",
}

_SCHEMA = {"schema": True}  # a field of DESIGN.md's record schema (records.SCHEMA_FIELDS)
_TRANSPORT = {"record": False}  # sent from the child to the parent, never written


@dataclass
class FitResult:
    """What one job learned: outcome, data sizes, timings, R², the expression and its checks,
    and (phase 2) the symbolic metrics. ``None`` means unknown or not applicable.

    The field order is the order the fields are written in (the schema ones first)."""

    # -- the DESIGN.md schema (in record order)
    status: str = field(default="error", metadata=_SCHEMA)  # ok | timeout | error
    error: str | None = field(default=None, metadata=_SCHEMA)
    fit_time_s: float | None = field(default=None, metadata=_SCHEMA)
    r2_train: float | None = field(default=None, metadata=_SCHEMA)
    r2_test: float | None = field(default=None, metadata=_SCHEMA)
    expression: str | None = field(default=None, metadata=_SCHEMA)
    true_expression: str | None = field(default=None, metadata=_SCHEMA)
    exact_recovery: bool | None = field(default=None, metadata=_SCHEMA)
    recovery_kind: str | None = field(default=None, metadata=_SCHEMA)
    ned: float | None = field(default=None, metadata=_SCHEMA)
    complexity: float | None = field(default=None, metadata=_SCHEMA)
    n_train: int | None = field(default=None, metadata=_SCHEMA)
    n_test: int | None = field(default=None, metadata=_SCHEMA)
    # -- the runner's extras
    form_recovery: bool | None = None
    model_size: float | None = None
    has_expression: bool | None = None
    r2_train_predict: float | None = None
    r2_test_predict: float | None = None
    expression_mismatch: bool | None = None
    expression_rel_diff: float | None = None
    expression_f32_diff: float | None = None
    error_kind: str | None = None  # one of ERROR_KINDS, None when ok
    metric_error: str | None = None
    raw_expression: str | None = None
    setup_time_s: float | None = None
    predict_time_s: float | None = None
    score_time_s: float | None = None
    n_features: int | None = None
    environment: str | None = None  # the method's own environment (<method>-<digest>), if any
    # -- child to parent only
    phase: str = field(default="start", metadata=_TRANSPORT)  # a key of PHASES
    feature_names: list[str] | None = field(default=None, metadata=_TRANSPORT)
    method_requires: list[str] = field(default_factory=list, metadata=_TRANSPORT)
    #: package versions where the method ran, when that is its own environment (the record's
    #: ``versions``; None: srbench-lite's own interpreter, read by the parent)
    env_versions: dict[str, str] | None = field(default=None, metadata=_TRANSPORT)
    #: the test rows the parent's judge checks the expression on (a result that
    #: :meth:`expects_scores`; :mod:`srbench_lite.runner.judging`)
    check_rows: Any = field(default=None, metadata=_TRANSPORT)

    def enter(self, phase: str) -> None:
        """Move on to ``phase`` (a key of :data:`PHASES`)."""
        if phase not in PHASES:
            raise ValueError(f"unknown phase {phase!r}; expected one of {', '.join(PHASES)}")
        self.phase = phase

    def fail(self, error: str, kind: str | None = None) -> None:
        """Mark the job failed with ``error``; ``kind`` defaults to the current phase's."""
        self.status, self.error = "error", error
        self.error_kind = kind or PHASES[self.phase]

    def succeed(self) -> None:
        """Mark the job successful (phase ``done``)."""
        self.status, self.error, self.error_kind, self.phase = "ok", None, None, "done"

    def expects_scores(self) -> bool:
        """Whether this result goes on to the metrics phase: a successful fit with an
        expression, on a problem with a ground truth."""
        return self.status == "ok" and bool(self.true_expression) and bool(self.expression)

    def with_scores(self, **scores: Any) -> FitResult:
        """A copy with the symbolic metrics (or other result fields) set."""
        return replace(self, **scores)

    def to_record(self) -> dict[str, Any]:
        """The record fields (:data:`RESULT_FIELDS`), in record order, ``None`` included."""
        return {name: getattr(self, name) for name in RESULT_FIELDS}

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> FitResult:
        """The result part of a record (e.g. a line of ``records.jsonl``); other fields are
        ignored and fields the record lacks (an older schema) keep their defaults."""
        return cls(**{name: record[name] for name in RESULT_FIELDS if name in record})


#: the result's fields that a record holds, in record order
RESULT_FIELDS = tuple(f.name for f in fields(FitResult) if f.metadata.get("record", True))
#: those of them in DESIGN.md's record schema
RESULT_SCHEMA_FIELDS = tuple(f.name for f in fields(FitResult) if f.metadata.get("schema"))
