"""Shape statistics of the bundled ground-truth tables beside those of a random-law suite.

The default grammar of the ``random-law`` suite (``srbench_lite/data/random_law_grammar.py``)
is calibrated on these figures: number of variables, tree depth, constants and operator shares,
computed by ``srbench_lite.data.law_stats`` with the same conventions for every column. Only
aggregate statistics are read from the tables. Columns: each bundled suite of ground truths
(Feynman, SRSD easy+medium+hard, EmpiricalBench, Strogatz), all of them together (each problem
once), and the generated suite; then the validity filter's rejections and the generation time.

Usage::

    python benchmarks/random_law_calibration.py [--seed 0] [--n 500] [--markdown]

Runs in about 10 s for 500 laws on one core (plus reading the tables).
"""

from __future__ import annotations

import argparse
import time
from collections import Counter

from srbench_lite.data.law_stats import BUNDLED_SUITES, shape_stats, suite_formulas
from srbench_lite.data.random_law_draw import draw_law

GROUPS = {
    "feynman": ("feynman",),
    "srsd": ("srsd-easy", "srsd-medium", "srsd-hard"),
    "empirical": ("empirical",),
    "strogatz": ("strogatz",),
    "all tables": BUNDLED_SUITES,
}


def _format(value: float, label: str) -> str:
    if label == "formulas":
        return f"{int(value)}"
    if label.startswith("mean"):
        return f"{value:.2f}"
    return f"{100 * value:.1f}%"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0, help="suite seed (default 0)")
    parser.add_argument("--n", type=int, default=500, help="laws to generate (default 500)")
    parser.add_argument("--markdown", action="store_true", help="print a markdown table")
    args = parser.parse_args()

    columns = {label: shape_stats(suite_formulas(suites)) for label, suites in GROUPS.items()}
    start = time.perf_counter()
    laws = [draw_law(args.seed, k) for k in range(args.n)]
    elapsed = time.perf_counter() - start
    generated = f"random-law:seed={args.seed},n={args.n}"
    columns[generated] = shape_stats([(law.formula, law.feature_names) for law in laws])

    labels = [label for label, _ in columns[generated].rows()]
    values = {name: dict(stats.rows()) for name, stats in columns.items()}
    if args.markdown:
        print("| statistic | " + " | ".join(columns) + " |")
        print("|---|" + "---:|" * len(columns))
        for label in labels:
            cells = [_format(values[name][label], label) for name in columns]
            print(f"| {label.strip()} | " + " | ".join(cells) + " |")
    else:
        widths = [max(len(name), 8) for name in columns]
        print(
            f"{'statistic':<18}"
            + "".join(f"{n:>{w + 2}}" for n, w in zip(columns, widths, strict=True))
        )
        for label in labels:
            cells = [_format(values[name][label], label) for name in columns]
            print(
                f"{label:<18}"
                + "".join(f"{c:>{w + 2}}" for c, w in zip(cells, widths, strict=True))
            )

    rejected: Counter[str] = Counter()
    for law in laws:
        rejected.update(law.rejections)
    draws = sum(law.draws for law in laws)
    print(f"\n{args.n} laws from {draws} drawn expressions ({draws / args.n:.2f} per law) in "
          f"{elapsed:.1f} s ({1000 * elapsed / args.n:.1f} ms per law)")  # fmt: skip
    print("rejected: " + ", ".join(f"{kind} {n}" for kind, n in rejected.most_common()))


if __name__ == "__main__":
    main()
