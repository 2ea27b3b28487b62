"""How much of the engines' 2 s simplify limit goes to starting the sandbox worker, in real job
children, with the machine loaded.

A probe method (registered from a temporary folder on ``SRBENCH_LITE_METHODS_PATH``) runs in
the runner's job children (forkserver, as in any run) and times, in its ``fit``:

* ``startup``: the job's sandbox worker starting (fresh interpreter + sympy import);
* ``import``: the worker importing the engine module (on the first call from that module);
* ``first``: the first finishing-stage rewrite (``engines.canonical.canonical``, simplify and
  factor_terms) through ``sandbox.call_with_timeout(..., timeout=2.0)``, cold caches;
* ``warm``: the same call again (a 60 s limit, so a slow machine still shows the time).

``--load K`` keeps K busy-loop processes running meanwhile. The summary says how many first
calls returned the simplified model, and how many would have fallen back to the unsimplified
one if the 2 s limit had also covered start-up and import (``startup + first > 2 s``), as it
did before the limit started counting from the worker's readiness.

    python benchmarks/sandbox_startup.py --jobs 12 --n-jobs 2 --load 2
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

PROBE = '''
import json, os, time
import numpy as np
from srbench_lite.methods import MethodSpec

EXPR = ("(x0**2 - 1)/(x0 - 1) + sin(x1)**2 + cos(x1)**2 "
        "+ 2*x0*(x1+1)**3/(x1**2+2*x1+1) + log(exp(x0)*x1**2)")


class Probe:
    def __init__(self, random_state=None):
        self.random_state = random_state

    def fit(self, X, y):
        import sympy as sp
        from srbench_lite import sandbox
        from srbench_lite.engines.canonical import canonical

        expr = sp.sympify(EXPR)
        t0 = time.perf_counter()
        sandbox.warm_up()
        t1 = time.perf_counter()
        # a trivial call from the engine module: the worker imports the module first
        sandbox.call_with_timeout(canonical, sp.Integer(1), timeout=60)
        t2 = time.perf_counter()
        try:
            first = sandbox.call_with_timeout(canonical, expr, timeout=2.0)
        except sandbox.SandboxTimeout:
            first = expr  # what the finishing stage keeps when the limit cuts it short
        t3 = time.perf_counter()
        sandbox.call_with_timeout(canonical, expr, timeout=60.0)
        t4 = time.perf_counter()
        row = {"startup": t1 - t0, "import": t2 - t1, "first": t3 - t2, "warm": t4 - t3,
               "simplified": sp.count_ops(first) < sp.count_ops(expr)}
        with open(os.environ["SRBL_PROBE_OUT"], "a") as fh:
            fh.write(json.dumps(row) + "\\n")
        self.mean_ = float(np.mean(y))
        return self

    def predict(self, X):
        return np.full(len(X), self.mean_)

    def sympy(self):
        return repr(self.mean_)


METHOD = MethodSpec(name="sandbox-probe", factory=Probe, budget_param=None,
                    seed_param="random_state")
'''

BUSY = "while True: pass"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=12, help="job children to probe")
    ap.add_argument("--n-jobs", type=int, default=2, help="jobs at a time")
    ap.add_argument("--load", type=int, default=2, help="busy-loop processes meanwhile")
    args = ap.parse_args(argv)

    import srbench_lite

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "methods"
        folder.mkdir()
        (folder / "sandbox_probe.py").write_text(PROBE)
        out = Path(tmp) / "probe.jsonl"
        os.environ["SRBENCH_LITE_METHODS_PATH"] = str(folder)
        os.environ["SRBL_PROBE_OUT"] = str(out)
        busy = [subprocess.Popen([sys.executable, "-c", BUSY]) for _ in range(args.load)]
        try:
            srbench_lite.run_benchmark(
                "smoke", "sandbox-probe", datasets="smoke_linear", seeds=args.jobs,
                n_jobs=args.n_jobs, time_budget=30, out=Path(tmp) / "run",
            )  # fmt: skip
        finally:
            for p in busy:
                p.kill()
        rows = [json.loads(line) for line in out.read_text().splitlines()]

    def stats(key: str) -> str:
        values = [r[key] for r in rows]
        return f"median {statistics.median(values):.2f} s, max {max(values):.2f} s"

    old_fail = sum(r["startup"] + r["import"] + r["first"] > 2.0 for r in rows)
    print(f"{len(rows)} job children, {args.n_jobs} at a time, {args.load} busy loops, "
          f"{os.cpu_count()} CPUs")  # fmt: skip
    print(f"worker start-up (interpreter + sympy): {stats('startup')}")
    print(f"engine module import in the worker: {stats('import')}")
    print(f"first rewrite (cold): {stats('first')}")
    print(f"second rewrite (warm): {stats('warm')}")
    print(f"first calls that returned the simplified model: "
          f"{sum(r['simplified'] for r in rows)}/{len(rows)}")  # fmt: skip
    print(f"would have fallen back if the 2 s limit counted start-up + import: "
          f"{old_fail}/{len(rows)}")  # fmt: skip
    share = statistics.median((r["startup"] + r["import"]) / 2.0 for r in rows)
    print(f"start-up + import as a share of the 2 s limit: median {share:.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
