"""How long a forked job's first calls of the compiled kernels take, with the runner's preload
(which loads the kernels from numba's disk cache into the forkserver) and without it (the
forkserver only imports them, as before ``5b0f2b3``). Needs the kernels compiled once
(``python -m srbench_lite.engines.common.kernels``).

    python benchmarks/job_start.py
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import time


def _first_calls(q) -> None:
    import numpy as np

    from srbench_lite.engines.common import kernels
    from srbench_lite.engines.common.program import pack, simplify_columns, token_ids

    t = time.perf_counter()
    one = np.ones(1, dtype=np.int64)
    kernels.simplify_batch(
        token_ids([("neg", "x0")]), 2 * one, np.zeros(0), *simplify_columns(), True
    )
    P = pack([("add", "x0", "c")], [[1.0]])
    X, y = np.ones((1, 4)), np.arange(4.0)
    kernels.score_batch(P.nodes, P.progs, P.vals, X, y, P.depth, True, np.empty((3, 1)))
    kernels.fit_batch(P.nodes, P.progs, P.vals.copy(), X, y, P.depth, 2, True, np.empty((3, 1)))
    q.put(time.perf_counter() - t)


def _measure(preload: list[str], runs: int) -> list[float]:
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(preload)
    out = []
    for _ in range(runs):
        q = ctx.Queue()
        p = ctx.Process(target=_first_calls, args=(q,))
        p.start()
        out.append(q.get())
        p.join()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="forked jobs per variant")
    args = parser.parse_args()
    from srbench_lite.engines.common import kernels

    if not kernels.compiled():
        print("the kernels are not compiled: python -m srbench_lite.engines.common.kernels")
        return 1
    # each variant in its own forkserver (a process's forkserver keeps its first preload)
    variant = mp.get_context("spawn")
    for name, preload in (
        ("runner preload (kernels loaded)", ["srbench_lite.runner.preload"]),
        ("kernels imported only", ["srbench_lite.engines.common.kernels"]),
    ):
        q = variant.Queue()
        p = variant.Process(target=_report, args=(preload, args.runs, q))
        p.start()
        times = q.get()
        p.join()
        print(f"{name:34s} first kernel calls in a forked job: "
              + ", ".join(f"{t:.3f} s" for t in times))  # fmt: skip
    return 0


def _report(preload: list[str], runs: int, q) -> None:
    q.put(_measure(preload, runs))


if __name__ == "__main__":
    raise SystemExit(main())
