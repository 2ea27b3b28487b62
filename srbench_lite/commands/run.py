"""``srbench-lite run`` (alias ``run-benchmark``): run methods on problems, one record per job."""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "run",
        help="run methods on benchmark problems (one record per job, resumable)",
        description=(
            "Run every method on every problem of the suites, for each seed and noise level. "
            "Each job fits in its own process, killed at time-budget × kill-factor + grace; "
            "each finished job appends one line to OUT/records.jsonl."
        ),
        epilog=(
            "Seeds are SEED, SEED+1, ..., SEED+K-1; a job's seed draws its data and seeds its "
            "method. Example: srbench-lite run --suite srsd-easy --methods linear,gplearn "
            "--seeds 1 --time-budget 20 --n-jobs 2"
        ),
    )
    p.add_argument(
        "--suite",
        help="suite name(s), comma-separated (see `srbench-lite datasets`); a seeded suite "
        "takes its parameters in the name: random-law:seed=7,n=10",
    )
    p.add_argument(
        "--suite-seed", type=int, metavar="S",
        help="the seed of the seeded suites (random-law): a new seed is a new benchmark",
    )  # fmt: skip
    p.add_argument("--datasets", help="only these problems, comma-separated")
    p.add_argument(
        "--methods", required=True, help="method names, comma-separated (`srbench-lite methods`)"
    )
    p.add_argument("--seeds", type=int, default=1, help="number of seeds per job (default 1)")
    p.add_argument("--seed", type=int, default=0, help="first seed (default 0)")
    p.add_argument(
        "--noise", default="0", help="noise levels, comma-separated (default 0; e.g. 0,0.01,0.1)"
    )
    p.add_argument(
        "--time-budget",
        type=float,
        default=60.0,
        metavar="SEC",
        help="seconds per fit, passed to each method's budget parameter (default 60)",
    )
    p.add_argument("--n-jobs", type=int, default=1, help="jobs at a time (default 1; -1: all CPUs)")
    p.add_argument("--out", help="run directory (default results/<UTC timestamp>)")
    p.add_argument("--resume", action="store_true", help="continue the run in --out")
    p.add_argument(
        "--backend",
        default="local",
        choices=["local", "dask", "loky"],
        help="local: this machine, --n-jobs jobs at a time (default); dask: a dask.distributed "
        "cluster (--scheduler); loky: deprecated name of local",
    )
    p.add_argument("--scheduler", metavar="ADDR", help="dask scheduler, e.g. tcp://host:8786")
    p.add_argument("--smoke", action="store_true", help="use each method's small smoke params")
    p.add_argument("--limit", type=int, help="only the first N problems of each suite")
    p.add_argument("--memory-mb", type=float, help="address-space cap per job, in MB")
    p.add_argument(
        "--kill-factor",
        type=float,
        default=1.5,
        help="hard kill at time-budget × this + grace (default 1.5)",
    )
    p.add_argument("--kill-grace", type=float, default=30.0, metavar="SEC", help="(default 30 s)")
    p.add_argument(
        "--metric-timeout",
        type=float,
        default=60.0,
        metavar="SEC",
        help="time limit for the symbolic metrics of one job (default 60 s)",
    )
    p.add_argument(
        "--pmlb-cache",
        metavar="DIR",
        help="local PMLB cache (DIR/<name>/<name>.tsv.gz) read by srbench-blackbox; default "
        "$SRBENCH_LITE_PMLB_CACHE, else ~/.cache/srbench-lite/pmlb. Missing datasets are "
        "downloaded when online; offline the run stops before any job, naming them. When "
        "given, ground-truth problems with a file there (SRBench's feynman_*, strogatz_*) "
        "read its rows instead of generating them",
    )
    p.add_argument(
        "--data-dir",
        metavar="DIR",
        help="real rows: DIR/<problem>.csv (or .tsv.gz, or PMLB's DIR/<problem>/<problem>.tsv.gz) "
        "replaces a ground-truth problem's generated rows (columns: its features and 'target' "
        "or its output's name; the suite's split, <= 10,000 training rows); problems without "
        "a file are generated. Each record says which (data_source, data_sha256)",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    import warnings

    from srbench_lite.runner.benchmark import describe, execute_run
    from srbench_lite.runner.config import RunConfig

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", FutureWarning)
        config = RunConfig(
            suites=args.suite or (), suite_seed=args.suite_seed, methods=args.methods,
            datasets=args.datasets, seeds=args.seeds, seed=args.seed, noise=args.noise,
            time_budget=args.time_budget, n_jobs=args.n_jobs, out=args.out, resume=args.resume, backend=args.backend,
            scheduler=args.scheduler, smoke=args.smoke, limit=args.limit,
            memory_mb=args.memory_mb, kill_factor=args.kill_factor, kill_grace_s=args.kill_grace,
            metric_timeout=args.metric_timeout, pmlb_cache=args.pmlb_cache, data_dir=args.data_dir,
            progress=not args.no_progress and sys.stderr.isatty(),
        )  # fmt: skip
    for warning in caught:
        print(f"srbench-lite run: warning: {warning.message}", file=sys.stderr)
    print(describe(execute_run(config, command=sys.argv)))
    return 0
