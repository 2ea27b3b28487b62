"""Re-judge the models of finished records with the current judges (``benchmarks/metrics_speed.py
replay``, ``tests/test_judge_speed.py``).

Each record's scoring request is rebuilt as the runner built it
(:func:`~srbench_lite.runner.judging.request_from_record`) and judged as the runner judges it
(:func:`~srbench_lite.runner.judging.judge`: one call in this thread's long-lived sandbox worker,
within the metric timeout), so the time and the verdicts are the runner's. Each replayed row
holds the record's identity, the new verdicts under the record's own field names (so a replay
file can itself be replayed against), the new and the recorded ``score_time_s`` and the
verdict fields that differ from the record's.
"""

from __future__ import annotations

import json
import statistics
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

__all__ = ["IDENTITY_FIELDS", "VERDICT_FIELDS", "read_records", "replay_records", "summarize"]

#: the verdicts a replay must reproduce
VERDICT_FIELDS = ("exact_recovery", "recovery_kind", "form_recovery", "ned")
#: what a replayed row keeps of its record (enough to replay it again)
IDENTITY_FIELDS = ("job_id", "suite", "dataset", "method", "seed", "noise", "expression",
                   "true_expression", "data_source")  # fmt: skip


def read_records(paths: Iterable[str | Path]) -> list[dict[str, Any]]:
    """The records of ``records.jsonl`` files (``.gz`` too) that can be replayed: a successful
    fit with an expression and a truth, on generated rows."""
    import gzip

    out = []
    for path in paths:
        path = Path(path)
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                if not line.strip():
                    continue
                record = json.loads(line)
                if (record.get("status", "ok") == "ok" and record.get("expression")
                        and record.get("true_expression")
                        and record.get("data_source") != "file"):  # fmt: skip
                    out.append(record)
    return out


def _differences(record: Mapping[str, Any], scores: Mapping[str, Any]) -> dict[str, list]:
    return {
        key: [record.get(key), scores.get(key)]
        for key in VERDICT_FIELDS
        if key in record and record.get(key) != scores.get(key)
    }


def replay_records(
    records: Iterable[Mapping[str, Any]], *, timeout_s: float = 60.0
) -> Iterator[dict[str, Any]]:
    """Judge each record's model again; yield one row per record (see the module docstring).
    A record whose request cannot be rebuilt yields a row with ``skipped`` (the reason)."""
    from srbench_lite.runner.judging import judge, request_from_record

    for record in records:
        row = {key: record.get(key) for key in IDENTITY_FIELDS}
        row["recorded_score_time_s"] = record.get("score_time_s")
        try:
            request = request_from_record(record)
        except (ValueError, KeyError) as exc:
            yield {**row, "skipped": str(exc)}
            continue
        scores = judge(request, timeout_s)
        yield {**row, **scores, "differences": _differences(record, scores)}


def summarize(rows: Iterable[Mapping[str, Any]]) -> str:
    """Median and max ``score_time_s`` per method (new, and as recorded), and the counts of
    rows whose verdicts differ, as a text table."""
    by: dict[str, list] = defaultdict(list)
    for row in rows:
        if "skipped" not in row:
            by[row.get("method") or "?"].append(row)
    lines = [f"{'method':<12}{'n':>5}{'median s':>10}{'max s':>9}{'rec. median':>13}"
             f"{'rec. max':>10}{'differ':>8}"]  # fmt: skip
    for method, group in sorted(by.items()):
        new = [r["score_time_s"] for r in group]
        old = [r["recorded_score_time_s"] for r in group if r["recorded_score_time_s"] is not None]
        rec_median = f"{statistics.median(old):.3f}" if old else "-"
        rec_max = f"{max(old):.2f}" if old else "-"
        differ = sum(bool(r["differences"]) for r in group)
        lines.append(f"{method:<12}{len(group):>5}{statistics.median(new):>10.3f}"
                     f"{max(new):>9.2f}{rec_median:>13}{rec_max:>10}{differ:>8}")  # fmt: skip
    return "\n".join(lines)
