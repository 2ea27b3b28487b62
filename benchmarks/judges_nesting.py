"""Check that the judges nest over the records of finished runs.

Exact recovery (SRBench's criterion) must imply form recovery (the truth's form with refit
constants). Every record that breaks the rule is printed with its model and truth, and the
script exits 1 when any does, so a run of every bundled suite is a check::

    srbench-lite run --suite feynman,srsd-easy,srsd-medium,srsd-hard,srsd-easy-dummy,\\
        srsd-medium-dummy,srsd-hard-dummy,empirical,strogatz,smoke \\
        --methods gp,rils-rols,operon --time-budget 3 --n-jobs 2 --out results/nesting
    python benchmarks/judges_nesting.py results/nesting/records.jsonl

It also prints, per method, how many records were judged and how many were exact, form-
recovered and at NED 0, so a reader sees the check was not vacuous.

NED = 0 does not imply exact recovery, and is not checked as a rule: SRSD's tree edit distance
labels every number ``Const`` (``srsd_form``), so a model with the truth's tree and other
constant values (``15.49 - 0.848*log(P)`` for ``15.65 - 2.084*log(P, 10)``) is at NED 0 by
SRSD's own definition, which the NED here reproduces. Those records are listed separately
(``--show-ned``), with how many were form-recovered.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path


def read(paths: list[str]) -> list[dict]:
    """The ok records with a judged expression of ``records.jsonl`` files (``.gz`` too)."""
    out = []
    for path in paths:
        opener = gzip.open if path.endswith(".gz") else open
        with opener(Path(path), "rt", encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    rec = json.loads(line)
                    if rec.get("status", "ok") == "ok" and rec.get("expression"):
                        out.append(rec)
    return out


def violations(records: list[dict]) -> list[dict]:
    """The records exact and not form-recovered."""
    return [
        r for r in records if r.get("exact_recovery") is True and r.get("form_recovery") is False
    ]


def ned_zero_not_exact(records: list[dict]) -> list[dict]:
    """The records at NED 0 and not exact (the same tree with other constant values)."""
    return [r for r in records if r.get("ned") == 0 and r.get("exact_recovery") is False]


def _show(title: str, rec: dict) -> str:
    return (f"\n{title}: {rec.get('method')} on {rec.get('dataset')} (form "
            f"{rec.get('form_recovery')})\n  model {rec.get('expression')}\n"
            f"  truth {rec.get('true_expression')}")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("records", nargs="+", help="records.jsonl files (.gz too)")
    parser.add_argument("--show-ned", action="store_true",
                        help="list the records at NED 0 that are not exact")  # fmt: skip
    args = parser.parse_args(argv)
    records = read(args.records)
    counts: dict[str, Counter] = defaultdict(Counter)
    suites: Counter = Counter()
    for rec in records:
        c = counts[rec.get("method", "?")]
        c["judged"] += 1
        c["exact"] += rec.get("exact_recovery") is True
        c["form"] += rec.get("form_recovery") is True
        c["ned0"] += rec.get("ned") == 0
        c["unjudged"] += rec.get("exact_recovery") is None or rec.get("form_recovery") is None
        suites[rec.get("suite", "?")] += 1
    print(f"{len(records)} records with an expression; suites: "
          + ", ".join(f"{s} {n}" for s, n in sorted(suites.items())))  # fmt: skip
    print(f"{'method':<12} {'judged':>7} {'exact':>6} {'form':>6} {'NED 0':>6} {'unjudged':>9}")
    for method, c in sorted(counts.items()):
        print(f"{method:<12} {c['judged']:>7} {c['exact']:>6} {c['form']:>6} {c['ned0']:>6} "
              f"{c['unjudged']:>9}")  # fmt: skip
    ned0 = ned_zero_not_exact(records)
    for rec in ned0 if args.show_ned else ():
        print(_show("NED 0, not exact", rec))
    bad = violations(records)
    for rec in bad:
        print(_show("exact without form", rec))
    print(
        f"\n{len(ned0)} records at NED 0 not exact ({sum(r.get('form_recovery') is True for r in ned0)}"
        " of them form-recovered); not a violation: SRSD's NED ignores constant values"
    )
    print(f"{len(bad)} records exact without form (violations)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
