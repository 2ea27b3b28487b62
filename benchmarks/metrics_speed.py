"""Time symbolic_recovery + tree_edit_distance over all SRSD truths paired with perturbed models.

For every SRSD-Feynman problem (120: easy, medium, hard) and every perturbation kind, the truth
is perturbed into a model *string* (what a method would print), then
``symbolic_recovery(model, truth, feature_names=..., X=...)`` and
``tree_edit_distance(model, truth, feature_names=...)`` are timed together (wall clock,
including the round trips to the worker process). Reported: median and p95 seconds per pair,
per kind and overall, the timeouts, and whether each verdict is the expected one. ``--form``
also times ``form_recovery`` and counts its verdicts per kind (``constants``, ``scaled`` and
``shifted``: all recovered, as every exact solution is; ``wrong``: none).

Perturbation kinds:
  constants  every float constant times (1 + 1e-6), pi printed as 3.14159265  -> solved
  scaled     1.5 * truth, expanded print                                        -> solved
  shifted    truth + 0.5                                                        -> solved
  wrong      the first feature v replaced by v**2                               -> not solved

Usage::

    python benchmarks/metrics_speed.py [--kinds constants,scaled,shifted,wrong] [--limit N]
        [--timeout 30] [--json out.json]

Replay mode re-judges the models of finished runs (``records.jsonl``, ``.gz`` too) with the
current judges, as the runner judges them (:mod:`srbench_lite.runner.replay`: the record's
expression and truth, the problem's first 256 test rows, one long-lived judge worker, the
metric timeout), and prints each record's time, the median and max per method against the
recorded ``score_time_s``, and every verdict or NED that differs from the record's::

    python benchmarks/metrics_speed.py --replay RUN/records.jsonl [...] [--slowest 30]
        [--methods operon,gp] [--timeout 60] [--out replayed.jsonl]

``--out`` writes the replayed rows (new verdicts under the records' field names), which a later
``--replay`` can compare against.

Truths come from ``srbench_lite.list_problems`` / ``get_spec`` (sample points X from
``load_problem``); without the dataset layer it falls back to
``../shared/reference/srsd_feynman.csv`` and the default sampling domain.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import sympy as sp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from srbench_lite.expr import parse_model  # noqa: E402
from srbench_lite.metrics import (  # noqa: E402
    form_recovery,
    symbolic_recovery,
    tree_edit_distance,
)
from srbench_lite.sandbox import warm_up  # noqa: E402

KINDS = ("constants", "scaled", "shifted", "wrong")
EXPECT_SOLVED = {"constants": True, "scaled": True, "shifted": True, "wrong": False}


def load_truths(limit: int | None):
    """[(name, formula, feature_names, X or None)] for the SRSD problems."""
    out = []
    try:
        from srbench_lite import get_spec, list_problems, load_problem

        names = [n for s in ("srsd-easy", "srsd-medium", "srsd-hard") for n in list_problems(s)]
        for name in names[:limit]:
            spec = get_spec(name)
            try:
                X = load_problem(name, n_samples=400).X_test
            except Exception:  # noqa: BLE001 - points are optional
                X = None
            out.append((name, spec.formula, list(spec.feature_names), X))
        source = "srbench_lite dataset layer"
    except (ImportError, AttributeError, KeyError) as exc:
        ref = Path(__file__).resolve().parents[2] / "shared" / "reference" / "srsd_feynman.csv"
        if not ref.exists():
            raise SystemExit(f"no dataset layer ({exc}) and no {ref}") from None
        with ref.open() as fh:
            for row in list(csv.DictReader(fh))[:limit]:
                feats = [v.split(":")[0] for v in row["variables"].split(";")]
                out.append((row["name"], row["formula"], feats, None))
        source = str(ref)
    return out, source


def perturb(truth: sp.Expr, kind: str, feature_names: list[str]) -> str:
    if kind == "constants":
        e = truth.subs(sp.pi, sp.Float(3.14159265))
        e = e.xreplace({f: sp.Float(f * (1 + 1e-6)) for f in e.atoms(sp.Float)})
        return str(e)
    if kind == "scaled":
        return str(sp.expand(sp.Float(1.5) * truth))
    if kind == "shifted":
        return str(truth + sp.Float(0.5))
    if kind == "wrong":
        v = sp.Symbol(feature_names[0])
        return str(truth.xreplace({v: v**2}))
    raise ValueError(kind)


def percentile(values, q):
    return float(np.percentile(np.asarray(values), q)) if values else float("nan")


def replay_main(args) -> int:
    """``--replay``: re-judge the records' models (see the module docstring)."""
    from srbench_lite.runner.replay import read_records, replay_records, summarize

    records = read_records(args.replay)
    if args.methods:
        wanted = set(args.methods.split(","))
        records = [r for r in records if r.get("method") in wanted]
    if args.slowest:
        records.sort(key=lambda r: -(r.get("score_time_s") or 0.0))
        records = records[: args.slowest]
    print(f"replaying {len(records)} record(s) of {', '.join(map(str, args.replay))}")
    warm_up()
    rows, out = [], open(args.out, "w", encoding="utf-8") if args.out else None  # noqa: SIM115
    try:
        for row in replay_records(records, timeout_s=args.timeout):
            rows.append(row)
            if out is not None:
                out.write(json.dumps(row) + "\n")
                out.flush()
            if "skipped" in row:
                print(f"  skipped {row['job_id']}: {row['skipped']}")
                continue
            recorded = row["recorded_score_time_s"]
            was = f"{recorded:8.3f}" if recorded is not None else "       -"
            print(f"  {row['score_time_s']:8.3f} s (was {was}) {row['method']:<10} "
                  f"{row['dataset']:<24} {row['recovery_kind']:<20} ned={row.get('ned')}"
                  + (f"  DIFFERS {row['differences']}" if row["differences"] else ""))  # fmt: skip
    finally:
        if out is not None:
            out.close()
    print()
    print(summarize(rows))
    differ = [r for r in rows if r.get("differences")]
    print(f"\n{len(differ)} of {len(rows)} record(s) with another verdict or NED")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replay", nargs="+", metavar="RECORDS", help="re-judge these records")
    ap.add_argument("--slowest", type=int, help="replay: only the N slowest records")
    ap.add_argument("--methods", help="replay: only these methods (comma-separated)")
    ap.add_argument("--out", help="replay: write the replayed rows here (JSON lines)")
    ap.add_argument("--kinds", default=",".join(KINDS))
    ap.add_argument("--limit", type=int, default=None, help="first N problems only")
    ap.add_argument("--timeout", type=float, help="seconds per judge (30; replay: 60)")
    ap.add_argument("--json", help="write per-pair results here")
    ap.add_argument("--no-points", action="store_true", help="do not pass the problems' X")
    ap.add_argument("--form", action="store_true", help="also time form_recovery")
    args = ap.parse_args(argv)
    if args.timeout is None:
        args.timeout = 60.0 if args.replay else 30.0
    if args.replay:
        return replay_main(args)
    kinds = [k for k in args.kinds.split(",") if k]
    bad = set(kinds) - set(KINDS)
    if bad:
        ap.error(f"unknown kinds {sorted(bad)}; valid: {', '.join(KINDS)}")

    truths, source = load_truths(args.limit)
    t0 = time.perf_counter()
    warm_up()
    print(f"worker start: {time.perf_counter() - t0:.2f} s; truths: {len(truths)} from {source}")

    rows = []
    for name, formula, feats, X in truths:
        truth = parse_model(formula, feature_names=feats)
        for kind in kinds:
            model = perturb(truth, kind, feats)
            X_use = None if args.no_points else X
            start = time.perf_counter()
            rec = symbolic_recovery(
                model, formula, feature_names=feats, X=X_use, timeout=args.timeout
            )
            mid = time.perf_counter()
            ned = tree_edit_distance(model, formula, feature_names=feats, timeout=args.timeout)
            end = time.perf_counter()
            form = None
            if args.form:
                form = form_recovery(
                    model, formula, feature_names=feats, X=X_use, timeout=args.timeout
                ).recovered
            form_end = time.perf_counter()
            rows.append(
                {
                    "problem": name,
                    "kind": kind,
                    "model": model,
                    "recovery_kind": rec.kind,
                    "solved": rec.solved,
                    "expected": EXPECT_SOLVED[kind],
                    "numeric_check": rec.numeric_check,
                    "ned": ned,
                    "t_recovery": mid - start,
                    "t_ned": end - mid,
                    "t_pair": end - start,
                    "form_recovery": form,
                    "t_form": form_end - end,
                }
            )

    print(f"\n{'kind':<11}{'pairs':>6}{'median s':>10}{'p95 s':>9}{'max s':>8}"
          f"{'timeouts':>9}{'as expected':>13}")  # fmt: skip
    for kind in [*kinds, "all"]:
        sel = [r for r in rows if kind == "all" or r["kind"] == kind]
        times = [r["t_pair"] for r in sel]
        n_to = sum(r["recovery_kind"] == "timeout" for r in sel)
        ok = sum(r["solved"] == r["expected"] for r in sel)
        print(
            f"{kind:<11}{len(sel):>6}{statistics.median(times):>10.3f}"
            f"{percentile(times, 95):>9.3f}{max(times):>8.2f}{n_to:>9}{ok:>8}/{len(sel)}"
        )
    rec_t = [r["t_recovery"] for r in rows]
    ned_t = [r["t_ned"] for r in rows]
    print(
        f"\nrecovery alone: median {statistics.median(rec_t):.3f} s, p95 {percentile(rec_t, 95):.3f}"
        f" s; NED alone: median {statistics.median(ned_t):.3f} s, p95 {percentile(ned_t, 95):.3f} s"
    )
    if args.form:
        form_t = [r["t_form"] for r in rows]
        counts = {k: sum(r["form_recovery"] is True for r in rows if r["kind"] == k) for k in kinds}
        print(
            f"form recovery: median {statistics.median(form_t):.3f} s, p95 "
            f"{percentile(form_t, 95):.3f} s; recovered per kind (of {len(truths)}): {counts}"
        )
    unexpected = [r for r in rows if r["solved"] != r["expected"]]
    for r in unexpected:
        print(f"  unexpected: {r['problem']} [{r['kind']}] -> {r['recovery_kind']}: {r['model']}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
