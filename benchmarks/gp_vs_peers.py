"""Benchmark the built-in GP engine (``gp``) against ``operon`` and ``gplearn``.

All methods go through the project's runner (:func:`srbench_lite.run_benchmark`): the same
problems, seeds, noise levels and per-problem budget, one child process per job, the method
adapters from ``methods/``. Prints per method: exact-recovery rate (SRBench's symbolic
solution), share with R² > 0.999 on the test split, median complexity, median fit time, and the
ratios gp/peer. Methods that are not installed are reported and skipped.

    python benchmarks/gp_vs_peers.py --suite feynman --budget 60 --seeds 1 --noise 0
    python benchmarks/gp_vs_peers.py --suite feynman --stride 4 --budget 15 --methods gp

``--stride K`` keeps every K-th problem of the suite (a spread subset) from index ``--start``;
``--limit N`` keeps the first N after that. Records land in ``--out`` (default ``results/gp_vs_peers-<time>``) and can be
turned into a leaderboard with ``srbench-lite report``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time


def _summary(frame, method: str) -> dict:
    rows = frame[frame["method"] == method]
    n = len(rows)
    if n == 0:
        return {"n": 0}
    ok = rows["status"] == "ok"
    exact = rows["exact_recovery"].fillna(False).astype(bool)
    r2 = rows["r2_test"].astype(float)
    comp = [c for c in rows["complexity"].tolist() if c == c and c is not None]
    times = [t for t in rows["fit_time_s"].tolist() if t == t and t is not None]
    form = rows["form_recovery"] if "form_recovery" in rows else None
    return {
        "n": n,
        "ok": int(ok.sum()),
        "exact": float(exact.mean()),
        "form": float(form.fillna(False).astype(bool).mean()) if form is not None else float("nan"),
        "r2_999": float((r2 > 0.999).mean()),
        "complexity": statistics.median(comp) if comp else float("nan"),
        "time": statistics.median(times) if times else float("nan"),
    }


def _ratio(a: float, b: float) -> str:
    if b == 0:
        return "inf" if a > 0 else "n/a"
    return f"{a / b:.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--suite", default="feynman")
    parser.add_argument("--methods", default="gp,operon,gplearn")
    parser.add_argument("--budget", type=float, default=60.0, help="seconds per fit")
    parser.add_argument("--limit", type=int, default=None, help="first N problems")
    parser.add_argument("--stride", type=int, default=1, help="every K-th problem")
    parser.add_argument("--start", type=int, default=0, help="first problem index for --stride")
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--noise", default="0", help="comma-separated levels, e.g. 0,0.01")
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument("--out", default=None)
    parser.add_argument("--resume", action="store_true", help="skip jobs already in --out")
    args = parser.parse_args(argv)

    import srbench_lite
    from srbench_lite.methods import get_method

    methods = []
    for name in [m.strip() for m in args.methods.split(",") if m.strip()]:
        why = get_method(name).missing()
        if why:
            print(f"skipping {name}: {why}", file=sys.stderr)
        else:
            methods.append(name)
    if not methods:
        print("no method available", file=sys.stderr)
        return 2
    problems = srbench_lite.list_problems(args.suite)[args.start :: max(1, args.stride)]
    if args.limit:
        problems = problems[: args.limit]
    noise = [float(v) for v in args.noise.split(",")]
    out = args.out or f"results/gp_vs_peers-{time.strftime('%Y%m%d-%H%M%S')}"
    print(
        f"{len(problems)} problem(s) of {args.suite} x {methods} x {args.seeds} seed(s) x "
        f"noise {noise}, {args.budget:g} s each, n_jobs={args.n_jobs} -> {out}"
    )
    frame = srbench_lite.run_benchmark(
        args.suite,
        methods,
        datasets=problems,
        seeds=args.seeds,
        noise=noise,
        time_budget=args.budget,
        n_jobs=args.n_jobs,
        out=out,
        resume=args.resume,
        progress=True,
    )
    header = (
        f"{'method':<10} {'noise':>6} {'n':>4} {'exact':>7} {'form':>7} {'R2>.999':>8} "
        f"{'cplx':>6} {'time_s':>7}"
    )
    print(header)
    stats: dict[tuple[str, float], dict] = {}
    for lvl in noise:
        sub = frame[frame["noise"].astype(float) == lvl]
        for m in methods:
            s = _summary(sub, m)
            stats[(m, lvl)] = s
            if s["n"]:
                print(
                    f"{m:<10} {lvl:>6g} {s['n']:>4} {s['exact']:>7.1%} {s['form']:>7.1%} "
                    f"{s['r2_999']:>8.1%} "
                    f"{s['complexity']:>6g} {s['time']:>7.1f}"
                )
    if "gp" in methods:
        for lvl in noise:
            g = stats[("gp", lvl)]
            for m in methods:
                if m == "gp" or not stats[(m, lvl)]["n"] or not g["n"]:
                    continue
                p = stats[(m, lvl)]
                print(
                    f"gp/{m} noise {lvl:g}: exact x{_ratio(g['exact'], p['exact'])}, "
                    f"R2>.999 x{_ratio(g['r2_999'], p['r2_999'])}"
                )
    print(f"records: {frame.attrs.get('run_dir', out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
