"""Measure the runner's per-job overhead: wall time of a run versus the time its jobs spent
fitting, predicting and scoring.

Runs the ``constant`` baseline (fits in microseconds) over the SRSD suites, so nearly all of
the wall time is harness: process start, data generation, record writing -- plus the symbolic
metrics, reported separately.

    python benchmarks/runner_overhead.py --n-jobs 2            # 120 jobs
    python benchmarks/runner_overhead.py --suites smoke --methods linear,constant
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--suites", default="srsd-easy,srsd-medium,srsd-hard")
    parser.add_argument("--methods", default="constant")
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--time-budget", type=float, default=10.0)
    args = parser.parse_args()

    from srbench_lite.runner import RunConfig, execute_run

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        config = RunConfig(args.suites, args.methods, out=Path(tmp) / "run",
                           n_jobs=args.n_jobs, time_budget=args.time_budget)  # fmt: skip
        summary = execute_run(config)
        wall = time.perf_counter() - start
    recs = summary.records

    def total(key: str) -> float:
        return sum(r.get(key) or 0.0 for r in recs)

    fit, predict, score = total("fit_time_s"), total("predict_time_s"), total("score_time_s")
    setup = total("setup_time_s")
    busy = total("wall_time_s")
    n = len(recs)
    print(
        f"{n} jobs, n_jobs={args.n_jobs}: wall {wall:.1f} s (job phase {summary.wall_time_s:.1f} s)"
    )
    print(f"sum over jobs: fit {fit:.2f} s, predict {predict:.2f} s, metrics {score:.2f} s, "
          f"job wall {busy:.2f} s")  # fmt: skip
    print(f"harness time per job (job wall - fit - predict - metrics): "
          f"{(busy - fit - predict - score) / max(n, 1):.3f} s, of which data generation and "
          f"building the estimator {setup / max(n, 1):.3f} s")  # fmt: skip
    print(f"statuses: {summary.counts}")


if __name__ == "__main__":
    main()
