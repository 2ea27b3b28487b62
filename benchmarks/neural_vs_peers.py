"""Benchmark the built-in neural engine against peers on ground-truth problems.

Each job (problem x seed x noise x method) fits in a fresh child process with a hard time limit
(budget + grace), then the parent scores the expression with :func:`srbench_lite.metrics.score`
(SRBench's symbolic recovery) and R² on the test split. Prints one line per job and a summary
per method: exact-recovery rate, share with R² > 0.999, median complexity, median fit time.

Methods: any registered method (``neural``, ``gp``, ...) plus ``nsr-engine`` (the PyPI package
``nsr-engine``; it has no wall-clock knob, so its iteration counts are scaled to the budget and
the hard limit still applies).

    python benchmarks/neural_vs_peers.py --suite feynman --limit 20 --budget 20 --seeds 1 \
        --methods neural,nsr-engine --noise 0 --out results/neural_bench.jsonl
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import statistics
import sys
import time
import traceback
from pathlib import Path

GRACE_S = 30.0  # beyond the budget: final refit, simplification, interpreter start


class NSREngineRegressor:
    """A scikit-learn-style wrapper of ``nsr_engine.NSREngine`` for this benchmark.

    nsr-engine trains ``n_lambda`` policies for ``n_iters`` iterations each and has no time
    budget; we scale ``n_iters`` with the budget (``iters_per_s`` measured on this machine)
    and keep its other defaults, with ``save_front=False`` (no files) and CPU.
    """

    def __init__(
        self,
        time_budget_s: float = 60.0,
        random_state: int = 0,
        n_lambda: int = 3,
        iters_per_s: float = 0.5,
    ):
        self.time_budget_s = time_budget_s
        self.random_state = random_state
        self.n_lambda = n_lambda
        self.iters_per_s = iters_per_s

    def fit(self, X, y):
        import pandas as pd
        import torch
        from nsr_engine import NSREngine

        torch.set_num_threads(1)
        cols = [f"x{i}" for i in range(X.shape[1])]
        n_iters = max(5, int(self.iters_per_s * self.time_budget_s))
        engine = NSREngine(
            n_lambda=self.n_lambda,
            n_iters=n_iters,
            save_front=False,
            random_state=int(self.random_state),
            device="cpu",
        )
        front = engine.fit(pd.DataFrame(X, columns=cols), pd.Series(y))
        self.point_ = front.elbow()
        self.engine_ = engine
        return self

    def predict(self, X):
        import numpy as np
        import sympy as sp

        expr = self.point_.sympy_expr
        syms = [sp.Symbol(f"x{i}") for i in range(X.shape[1])]
        f = sp.lambdify(syms, expr, "numpy")
        with np.errstate(all="ignore"):
            out = np.asarray(f(*[X[:, i] for i in range(X.shape[1])]), dtype=float)
        return np.broadcast_to(out, (X.shape[0],)).copy()

    def sympy(self):
        return self.point_.sympy_expr


def _build(method: str, budget: float, seed: int, params: dict):
    name, _, _label = method.partition("@")  # "neural@gp" names a variant with its own params
    if name == "nsr-engine":
        return NSREngineRegressor(time_budget_s=budget, random_state=seed, **params), "x0"
    from srbench_lite.methods import get_method

    spec = get_method(name)
    why = spec.missing()
    if why:
        raise RuntimeError(f"method {name} is not available: {why}")
    return spec.build(time_budget_s=budget, seed=seed, overrides=params), spec.dialect


def _child(conn, dataset, method, budget, seed, noise, params) -> None:
    try:
        import numpy as np

        import srbench_lite

        prob = srbench_lite.load_problem(dataset, seed=seed, noise=noise)
        model, dialect = _build(method, budget, seed, params)
        t0 = time.perf_counter()
        model.fit(np.asarray(prob.X_train, float), np.asarray(prob.y_train, float))
        fit_time = time.perf_counter() - t0
        pred = model.predict(np.asarray(prob.X_test, float))
        conn.send(
            {
                "status": "ok",
                "fit_time_s": fit_time,
                "expression": str(model.sympy()),
                "dialect": dialect,
                "pred": pred,
            }
        )
    except BaseException as exc:  # report, never hang the parent
        conn.send(
            {
                "status": "error",
                "error": f"{type(exc).__name__}: {exc}",
                "trace": traceback.format_exc(limit=3),
            }
        )
    finally:
        conn.close()


def run_job(
    dataset: str,
    method: str,
    budget: float,
    seed: int,
    noise: float,
    params: dict | None = None,
    grace: float = GRACE_S,
) -> dict:
    """Fit in a child process (hard-killed after budget + grace) and score in this one."""
    import numpy as np

    import srbench_lite
    from srbench_lite.metrics import r2, score

    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(
        target=_child, args=(child, dataset, method, budget, seed, noise, params or {})
    )
    start = time.perf_counter()
    proc.start()
    child.close()
    res: dict = {"status": "timeout", "error": f"no result within {budget + grace:.0f} s"}
    if parent.poll(budget + grace):
        try:
            res = parent.recv()
        except EOFError:
            res = {"status": "error", "error": "child died"}
    proc.kill()
    proc.join()
    rec = {
        "dataset": dataset,
        "method": method,
        "seed": seed,
        "noise": noise,
        "time_budget_s": budget,
        "wall_s": time.perf_counter() - start,
        **res,
    }
    rec.pop("trace", None)
    if res["status"] == "ok":
        prob = srbench_lite.load_problem(dataset, seed=seed, noise=noise)
        pred = rec.pop("pred")
        rec["r2_test"] = float(r2(prob.y_test, pred)) if np.isfinite(pred).all() else None
        names = list(prob.feature_names)
        sc = score(
            rec["expression"],
            prob.formula,
            feature_names=names,
            dialect=rec["dialect"],
            X=prob.X_test[:200],
        )
        rec.update(
            exact_recovery=bool(sc["solved"]),
            recovery_kind=sc["recovery_kind"],
            complexity=sc["complexity"],
            ned=sc["ned"],
            true_expression=prob.formula,
        )
    return rec


def summarise(records: list[dict]) -> list[dict]:
    """Per method and noise: n, exact-recovery rate, R² > 0.999 share, medians."""
    rows = []
    keys = sorted({(r["method"], r["noise"]) for r in records})
    for method, noise in keys:
        rs = [r for r in records if r["method"] == method and r["noise"] == noise]
        ok = [r for r in rs if r["status"] == "ok"]
        cx = [r["complexity"] for r in ok if r.get("complexity") is not None]
        rows.append(
            {
                "method": method,
                "noise": noise,
                "n": len(rs),
                "ok": len(ok),
                "exact_recovery": sum(bool(r.get("exact_recovery")) for r in rs) / len(rs),
                "r2_gt_0999": sum((r.get("r2_test") or -1) > 0.999 for r in rs) / len(rs),
                "median_complexity": statistics.median(cx) if cx else None,
                "median_fit_s": statistics.median([r["fit_time_s"] for r in ok]) if ok else None,
            }
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--suite", default="smoke")
    ap.add_argument("--datasets", default=None, help="comma-separated names (default: suite)")
    ap.add_argument(
        "--limit",
        type=int,
        default=None,
        help="first N problems (every k-th problem with --spread)",
    )
    ap.add_argument("--spread", action="store_true", help="spread --limit over the suite")
    ap.add_argument("--budget", type=float, default=20.0, help="seconds per fit")
    ap.add_argument("--seeds", type=int, default=1)
    ap.add_argument("--grace", type=float, default=GRACE_S, help="hard limit = budget + grace")
    ap.add_argument("--noise", default="0", help="comma-separated levels, e.g. 0,0.01")
    ap.add_argument("--methods", default="neural")
    ap.add_argument(
        "--params",
        default="{}",
        help='JSON {"method": {param: value}}; a '
        "method may be listed twice as name@label with its own params",
    )
    ap.add_argument("--out", default=None, help="append records to this JSONL file")
    args = ap.parse_args(argv)

    import srbench_lite

    names = args.datasets.split(",") if args.datasets else srbench_lite.list_problems(args.suite)
    if args.limit:
        if args.spread and args.limit < len(names):
            step = len(names) / args.limit
            names = [names[int(i * step)] for i in range(args.limit)]
        else:
            names = names[: args.limit]
    noises = [float(v) for v in args.noise.split(",")]
    methods = args.methods.split(",")
    params = json.loads(args.params)
    out = Path(args.out) if args.out else None
    records = []
    for name in names:
        for seed in range(args.seeds):
            for noise in noises:
                for method in methods:
                    rec = run_job(
                        name, method, args.budget, seed, noise, params.get(method), args.grace
                    )
                    records.append(rec)
                    if out:
                        with out.open("a") as fh:
                            fh.write(json.dumps(rec) + "\n")
                    print(
                        f"{name:28s} {method:11s} s={seed} n={noise:g} {rec['status']:7s} "
                        f"solved={rec.get('exact_recovery')!s:5s} r2={rec.get('r2_test')} "
                        f"t={rec.get('fit_time_s', 0):.1f}s  {rec.get('expression', '')[:70]}"
                        f"{rec.get('error') or ''}",
                        flush=True,
                    )
    print()
    print(
        f"{'method':11s} {'noise':>5s} {'n':>4s} {'exact':>6s} {'R2>.999':>8s} "
        f"{'med.cx':>6s} {'med.fit_s':>9s}"
    )
    for row in summarise(records):
        print(
            f"{row['method']:11s} {row['noise']:5g} {row['n']:4d} {row['exact_recovery']:6.1%} "
            f"{row['r2_gt_0999']:8.1%} {row['median_complexity']!s:>6s} "
            f"{row['median_fit_s'] or 0:9.1f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
