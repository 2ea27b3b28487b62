"""Where the GP search loop's time goes: compiled scoring and LM fits against the Python parts.

Runs ``run_search`` for a fixed number of generations on each problem (after one warm-up run)
and times, by wrapping them, the compiled kernels (``score_batch``, ``fit_batch``), the token
simplifier, the mutations, and the whole ``breed`` step; prints each as a share of ``breed``
and the children per second of ``breed``. If every Python part took no time, the loop would
run ``breed / (score + fit)`` times faster: the ceiling of compiling the rest of the loop.

    python benchmarks/breed_split.py
    python benchmarks/breed_split.py --problems feynman_I_18_4 --generations 100
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def _timed(owner, name: str, key: str, acc: dict) -> None:
    f = getattr(owner, name)

    def wrapper(*args, **kwargs):
        t = time.perf_counter()
        try:
            return f(*args, **kwargs)
        finally:
            acc[key] = acc.get(key, 0.0) + time.perf_counter() - t

    setattr(owner, name, wrapper)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", default="feynman_III_14_14,feynman_I_18_4,feynman_test_13")
    parser.add_argument("--generations", type=int, default=60)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    import srbench_lite
    from srbench_lite.engines.common import fit_kernel, kernels, rules, simplify_many
    from srbench_lite.engines.gp import evolution
    from srbench_lite.engines.gp import search as S
    from srbench_lite.engines.gp.regressor import DEFAULT_OPERATORS

    acc: dict[str, float] = {}
    _timed(kernels, "score_batch", "score (compiled)", acc)
    _timed(fit_kernel, "fit_batch", "LM fit (compiled)", acc)
    if hasattr(simplify_many, "BatchSimplifier"):  # since the compiled simplifier
        _timed(simplify_many.BatchSimplifier, "many", "simplify", acc)
    else:
        _timed(rules.Simplifier, "__call__", "simplify", acc)
    _timed(evolution, "mutate", "mutate", acc)
    _timed(evolution.Evolution, "breed", "breed", acc)
    cfg = S.SearchConfig(operators=DEFAULT_OPERATORS, early_stop_loss=None)
    print(f"{args.generations} generations per problem; shares of the breed step")
    for name in args.problems.split(","):
        p = srbench_lite.load_problem(name)
        S.run_search(p.X_train, p.y_train, cfg, np.random.default_rng(args.seed), deadline=None,
                     generations=1)  # fmt: skip
        acc.clear()
        r = S.run_search(p.X_train, p.y_train, cfg, np.random.default_rng(args.seed),
                         deadline=None, generations=args.generations)  # fmt: skip
        breed = acc.pop("breed")
        compiled = acc["score (compiled)"] + acc["LM fit (compiled)"]
        parts = ", ".join(f"{k} {v / breed:.0%}" for k, v in acc.items())
        print(f"{name}: {r.info['children']} children, breed {breed:.2f} s "
              f"({r.info['children'] / breed:,.0f}/s); {parts}; "
              f"python {1 - compiled / breed:.0%}, ceiling x{breed / compiled:.1f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
