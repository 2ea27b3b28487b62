"""Check the third-party adapters end to end on a small suite, in this process.

For each available method and problem: build the method with the job's budget and seed (as the
runner does), fit, parse ``sympy()`` in the method's dialect, and report the fit time, R² on
the test split, the largest relative gap between the parsed expression and ``predict`` (the
adapter's conversion fidelity), and SRBench's symbolic recovery. Without the runner's process
isolation, so use it for checks, not for benchmarks of hanging tools.

    python benchmarks/adapters_smoke.py --methods gplearn,operon,rils-rols,ffx --budget 10
    python benchmarks/adapters_smoke.py --methods itea,bingo,qlattice,kan --budget 4
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import srbench_lite
from srbench_lite.expr import parse_model
from srbench_lite.methods import get_method
from srbench_lite.metrics import r2, score
from srbench_lite.metrics._numeric import evaluate


def run_one(method_name: str, problem: str, budget: float, seed: int) -> dict:
    method = get_method(method_name)
    p = srbench_lite.load_problem(problem, seed=seed)
    est = method.build(time_budget_s=budget, seed=seed)
    start = time.perf_counter()
    est.fit(p.X_train, p.y_train)
    fit_s = time.perf_counter() - start
    pred = est.predict(p.X_test)
    expr = parse_model(est.sympy(), dialect=method.dialect, feature_names=p.feature_names)
    values = evaluate(expr, p.feature_names, p.X_test)
    gap = float(np.max(np.abs(values - pred) / np.maximum(np.abs(pred), 1e-12)))
    s = score(expr, p.formula, feature_names=p.feature_names, X=p.X_test)
    return {
        "method": method_name,
        "problem": problem,
        "fit_s": fit_s,
        "r2_test": r2(p.y_test, pred),
        "max_rel_gap": gap,
        "solved": s["solved"],
        "kind": s["recovery_kind"],
        "complexity": s["complexity"],
        "model": str(expr),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--methods", default="gplearn,operon,rils-rols,ffx,itea,bingo,qlattice,kan")
    ap.add_argument("--suite", default="smoke")
    ap.add_argument("--budget", type=float, default=10.0)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    for name in args.methods.split(","):
        reason = get_method(name).missing()
        if reason:
            print(f"{name}: unavailable ({reason})")
            continue
        for problem in srbench_lite.list_problems(args.suite):
            row = run_one(name, problem, args.budget, args.seed)
            print(
                f"{name:10s} {problem:16s} fit {row['fit_s']:5.1f}s  R2 {row['r2_test']:.6f}  "
                f"gap {row['max_rel_gap']:.1e}  solved {row['solved']!s:5s} {row['kind']:20s} "
                f"size {row['complexity']}  {row['model'][:90]}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
