"""Ablation of the neural engine: what the screening seeds and GP-meld each contribute.

Runs ``neural`` four times through the project's runner on the same problems, seeds and budget:
as shipped, without the screening seeds (``screening_seeds=False``), without GP-meld
(``gp_generations=0``), and without both (plain DSR with the shared evaluator and finishing
stage). Prints exact recovery, R² > 0.999 and median complexity per variant. Each variant's
records land in ``--out/<variant>`` (``srbench-lite report`` reads them).

    python benchmarks/neural_ablation.py --suite random-law:seed=11,n=40 --budget 8 --n-jobs 2
    python benchmarks/neural_ablation.py --suite feynman --stride 3 --budget 8 --n-jobs 2
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

VARIANTS: dict[str, dict] = {
    "neural": {},
    "no-screening-seeds": {"screening_seeds": False},
    "no-gp-meld": {"gp_generations": 0},
    "neither": {"screening_seeds": False, "gp_generations": 0},
}


def _summary(frame) -> tuple[int, float, float, float]:
    exact = frame["exact_recovery"].fillna(False).astype(bool)
    r2 = frame["r2_test"].astype(float)
    comp = [c for c in frame["complexity"].tolist() if c == c and c is not None]
    return (
        len(frame),
        float(exact.mean()),
        float((r2 > 0.999).mean()),
        statistics.median(comp) if comp else float("nan"),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--suite", default="feynman")
    parser.add_argument("--budget", type=float, default=8.0, help="seconds per fit")
    parser.add_argument("--stride", type=int, default=1, help="every K-th problem")
    parser.add_argument("--limit", type=int, default=None, help="first N problems")
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument("--variants", default=",".join(VARIANTS), help="comma-separated")
    parser.add_argument("--out", default=None)
    parser.add_argument("--resume", action="store_true")
    args = parser.parse_args(argv)

    import srbench_lite
    from srbench_lite.methods import get_method

    why = get_method("neural").missing()
    if why:
        print(f"neural is not available: {why}", file=sys.stderr)
        return 2
    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    unknown = [v for v in variants if v not in VARIANTS]
    if unknown:
        print(f"unknown variants {unknown}; valid: {', '.join(VARIANTS)}", file=sys.stderr)
        return 2
    problems = srbench_lite.list_problems(args.suite)[:: max(1, args.stride)]
    if args.limit:
        problems = problems[: args.limit]
    out = args.out or f"results/neural_ablation-{time.strftime('%Y%m%d-%H%M%S')}"
    print(f"{len(problems)} problem(s) of {args.suite}, {args.budget:g} s, -> {out}/<variant>")
    rows = []
    for name in variants:
        frame = srbench_lite.run_benchmark(
            args.suite,
            ["neural"],
            datasets=problems,
            seeds=args.seeds,
            time_budget=args.budget,
            n_jobs=args.n_jobs,
            out=f"{out}/{name}",
            resume=args.resume,
            params={"neural": VARIANTS[name]},
            progress=True,
        )
        rows.append((name, *_summary(frame)))
    print(f"{'variant':<20} {'n':>4} {'exact':>7} {'R2>.999':>8} {'cplx':>6}")
    for name, n, exact, r2, comp in rows:
        print(f"{name:<20} {n:>4} {exact:>7.1%} {r2:>8.1%} {comp:>6g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
