"""Throughput of the engines' evaluator, before and after, in one run.

Part 1 (always): a fixed population of GP programs (random trees grown by the GP engine's own
mutations and simplification, ``--programs`` of them, seeded) is scored on ``--rows`` rows
(NMSE after linear scaling, non-finite intermediates rejected) by

* ``before``: the per-program numpy evaluator the engines used before the batch evaluator
  (``evaluate`` + ``linear_scale``, still in the package as the numpy fallback): a program seen
  for the first time is interpreted node by node, one seen again runs as one generated numpy
  expression compiled on its second sight; both are timed (a search mostly meets new ones),
* ``after (numba)``: :func:`srbench_lite.engines.common.batch.score_many`, one compiled call
  for the whole population,
* ``after (numpy fallback)``: the same call with ``SRBENCH_LITE_BACKEND=numpy``;

and the Levenberg-Marquardt constant fits (``--fit-rows`` rows, 8 steps) of the programs with
constants, before (numpy finite differences, ``polish_constants``) and after (``fit_many``).
Prints candidates/s, rows*nodes/s and the after/before ratios: the best of ``--repeat``
rounds in which the variants take turns (a busy machine slows them alike).

Part 2 (``--search-ref REF``): the GP search loop itself (children bred, scored and kept per
second of the process's CPU time, setup excluded) of the engine at git revision ``REF``
(exported with ``git archive`` and run in a subprocess) and of the working tree, alternating,
on the same problems.

    python benchmarks/engine_throughput.py
    python benchmarks/engine_throughput.py --rows 500 --programs 4000
    python benchmarks/engine_throughput.py --search-ref 7cde71f --problems feynman_III_14_14
    python benchmarks/engine_throughput.py --search-ref main --search-generations 40 --search-repeat 3

With ``--search-generations`` both trees do the same work when they make the same choices
(the children counts, printed, then agree): the fairest measure of a change that only makes
the loop faster.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def population(n: int, n_features: int, seed: int):
    """``n`` programs as the GP grows them: mutation chains from random trees, simplified."""
    from srbench_lite.engines.common.rules import simplify_tokens
    from srbench_lite.engines.gp.regressor import DEFAULT_OPERATORS
    from srbench_lite.engines.gp.variation import OperatorSet, as_random, mutate, random_tree

    rng = as_random(np.random.default_rng(seed))
    ops = OperatorSet.build(DEFAULT_OPERATORS, n_features)
    pool = [random_tree(rng, ops, 3) for _ in range(200)]
    out = []
    while len(out) < n:
        t, c = pool[rng.randrange(len(pool))]
        t, c = mutate(rng, ops, t, c)
        t, c = simplify_tokens(t, c)
        if 1 < len(t) <= 35:
            pool[rng.randrange(len(pool))] = (t, list(c))
            out.append((t, np.asarray(c, dtype=np.float64)))
    return out


def _interleaved(variants: dict, repeat: int) -> dict[str, float]:
    """Best time of each variant over ``repeat`` rounds, the variants taking turns within a
    round (so a busy machine slows them alike)."""
    best = {name: float("inf") for name in variants}
    for _ in range(repeat):
        for name, f in variants.items():
            t = time.perf_counter()
            f()
            best[name] = min(best[name], time.perf_counter() - t)
    return best


def evaluator_part(args) -> list[dict]:
    from srbench_lite.engines.common.batch import Data, backend, fit_many, score_many, use_backend
    from srbench_lite.engines.common.constants import polish_constants
    from srbench_lite.engines.common.evaluate import (
        cache_clear,
        columns,
        compile_tokens,
        evaluate,
    )
    from srbench_lite.engines.common.scaling import linear_scale

    pop = population(args.programs, args.features, args.seed)
    progs = [t for t, _ in pop]
    consts = [c for _, c in pop]
    rng = np.random.default_rng(args.seed + 1)
    X = rng.uniform(1.0, 3.0, size=(args.rows, args.features))
    y = X[:, 0] * X[:, 1] / X[:, 2] + np.sin(X[:, 3])
    cols = columns(X)
    data = Data.from_xy(X, y)
    nodes = sum(len(t) for t in progs)
    withc = [i for i, c in enumerate(consts) if len(c)]  # constant fits: those with constants
    fprogs = [progs[i] for i in withc]
    fconsts = [consts[i] for i in withc]
    fdata = data.take(slice(0, args.fit_rows))
    fnodes = sum(len(t) for t in fprogs) * args.fit_rows
    has_numba = backend() == "numba"

    fns = [compile_tokens(t) for t in progs]  # each program's generated numpy expression

    def seen_again():  # what evaluate() does with a program seen before: its compiled code
        for f, c in zip(fns, consts, strict=True):
            try:
                with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
                    v = np.asarray(f(cols, c), dtype=np.float64)
            except (FloatingPointError, ZeroDivisionError, OverflowError, ValueError):
                continue
            if v.ndim and np.isfinite(v).all():
                linear_scale(v, y)

    def first_sight():  # evaluate() on programs it has not seen (interpreted), as in a search
        cache_clear()
        for t, c in pop:
            v = evaluate(t, cols, c)
            if v is not None:
                linear_scale(v, y)

    def numpy_batch():
        with use_backend("numpy"):
            score_many(progs, consts, data)

    def numba_batch():
        with use_backend("numba"):
            score_many(progs, consts, data)

    def fit_before():
        for t, c in zip(fprogs, fconsts, strict=True):
            polish_constants(t, c, fdata.cols, fdata.y, iters=8)

    def fit_after():
        with use_backend("numba"):
            fit_many(fprogs, fconsts, fdata, iters=8)

    score = {
        "score: before, first sight": first_sight,
        "score: before, seen again": seen_again,
        "score: after, numpy fallback": numpy_batch,
    }
    fit = {"fit: before (numpy LM, per program)": fit_before}
    if has_numba:
        numba_batch()  # compile / load the cache outside the clock
        fit_after()
        score["score: after, numba batch"] = numba_batch
        fit["fit: after, numba batch"] = fit_after
    rows = []
    for variants, n, work in ((score, len(pop), nodes * args.rows), (fit, len(fprogs), fnodes)):
        for name, seconds in _interleaved(variants, args.repeat).items():
            rows.append({"what": name, "per_s": n / seconds, "work_per_s": work / seconds})
    print(f"population: {len(pop)} programs, mean {nodes / len(pop):.1f} nodes, "
          f"{len(fprogs)} with constants; {args.rows} rows (fits: {args.fit_rows})")  # fmt: skip
    # ratios against the first "before" row of each kind (first sight: what a search meets)
    base: dict[str, float] = {}
    for r in rows:
        if "before" in r["what"]:
            base.setdefault(r["what"].split(":")[0], r["per_s"])
    print(f"{'what':40s} {'candidates/s':>14s} {'rows*nodes/s':>14s} {'x before':>9s}")
    for r in rows:
        ratio = r["per_s"] / base[r["what"].split(":")[0]]
        print(f"{r['what']:40s} {r['per_s']:14.0f} {r['work_per_s']:14.3g} {ratio:9.1f}")
    return rows


_SEARCH_SNIPPET = r"""
import json, sys, time
import numpy as np
import srbench_lite
from srbench_lite.engines.gp import search as S
from srbench_lite.engines.gp.regressor import DEFAULT_OPERATORS
name, seconds, seed, gens = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
p = srbench_lite.load_problem(name)
cfg = S.SearchConfig(operators=DEFAULT_OPERATORS, early_stop_loss=None)
def run(**kw):
    t, c = time.perf_counter(), time.process_time()
    r = S.run_search(p.X_train, p.y_train, cfg, np.random.default_rng(seed), **kw)
    return r, time.perf_counter() - t, time.process_time() - c
run(deadline=None, generations=1)  # imports, compilation
_, setup, setup_cpu = run(deadline=None, generations=0)  # seeding and screening only
if gens:  # fixed work when both trees make the same choices
    r, total, cpu = run(deadline=None, generations=gens)
else:
    r, total, cpu = run(deadline=time.perf_counter() + setup + seconds, generations=None)
n = r.info["children"]
print(json.dumps({"children": n, "children_per_s": n / (total - setup),
                  "per_cpu_s": n / (cpu - setup_cpu)}))
"""


def _run_search(root: str, name: str, seconds: float, seed: int, gens: int) -> dict:
    env = dict(os.environ, PYTHONPATH=root)
    out = subprocess.run(
        [sys.executable, "-c", _SEARCH_SNIPPET, name, str(seconds), str(seed), str(gens)],
        env=env, capture_output=True, text=True, check=True, cwd=root,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def search_part(args) -> None:
    here = str(Path(__file__).resolve().parents[1])
    with tempfile.TemporaryDirectory() as tmp:
        top = subprocess.run(
            ["git", "ls-tree", "--name-only", args.search_ref],
            cwd=here, capture_output=True, text=True, check=True,
        ).stdout.split()  # fmt: skip
        paths = [p for p in ("srbench_lite", "datasets") if p in top]  # datasets/: older trees
        archive = subprocess.run(
            ["git", "archive", args.search_ref, *paths],
            cwd=here, capture_output=True, check=True,
        ).stdout  # fmt: skip
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        if args.search_generations:
            print(f"\nsearch loop, {args.search_generations} generations per run (same work only")
            print("if both trees make the same choices: compare the children counts)")
        else:
            print(f"\nsearch loop, {args.search_seconds:g} s per run (after the first generation)")
        print(f"children per second of the process's own CPU time, best of {args.search_repeat}")
        print("alternating runs; wall-time ratio last")
        print(
            f"{'problem':38s} {'before ' + args.search_ref:>18s} {'after (tree)':>14s}"
            f" {'x':>6s} {'x wall':>7s}"
        )
        gens = args.search_generations
        for name in args.problems.split(","):
            olds, news = [], []
            for _ in range(args.search_repeat):
                olds.append(_run_search(tmp, name, args.search_seconds, args.seed, gens))
                news.append(_run_search(here, name, args.search_seconds, args.seed, gens))
            old = max(olds, key=lambda r: r["per_cpu_s"])
            new = max(news, key=lambda r: r["per_cpu_s"])
            if gens:
                name = f"{name} ({old['children']}/{new['children']})"
            ratio = new["per_cpu_s"] / old["per_cpu_s"]
            wall = new["children_per_s"] / old["children_per_s"]
            print(
                f"{name:38s} {old['per_cpu_s']:18.0f} {new['per_cpu_s']:14.0f}"
                f" {ratio:6.2f} {wall:7.2f}"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--programs", type=int, default=2000)
    parser.add_argument("--rows", type=int, default=200)
    parser.add_argument("--fit-rows", type=int, default=64)
    parser.add_argument("--features", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=7, help="rounds (best time of each)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--search-ref", default=None, help="git revision of the 'before' engine")
    parser.add_argument("--problems", default="feynman_III_14_14,feynman_I_18_4,feynman_test_13")
    parser.add_argument("--search-seconds", type=float, default=5.0)
    parser.add_argument(
        "--search-generations", type=int, default=0, help="fixed generations instead of seconds"
    )
    parser.add_argument("--search-repeat", type=int, default=1, help="runs per tree (best)")
    args = parser.parse_args(argv)
    if args.features < 4:
        parser.error("--features must be at least 4")
    evaluator_part(args)
    if args.search_ref:
        search_part(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
