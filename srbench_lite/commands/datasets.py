"""``srbench-lite datasets``: list problems (name, suite, n_features, formula)."""

from __future__ import annotations

import argparse
import json


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "datasets",
        help="list the bundled ground-truth problems",
        description="List problems with their suite, number of features and ground-truth formula.",
    )
    p.add_argument("--suite", help="only this suite (e.g. feynman, srsd-easy, empirical)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run)
    return p


def problem_rows(suite: str | None) -> list[dict]:
    """One dict per problem: name, suite, suites (every suite listing it), n_features, formula."""
    from srbench_lite.data import get_spec, list_problems, list_suites

    membership: dict[str, list[str]] = {}
    for s in list_suites():
        for name in list_problems(s):
            membership.setdefault(name, []).append(s)
    rows = []
    for name in list_problems(suite):
        spec = get_spec(name)
        rows.append({"name": name, "suite": spec.suite, "suites": membership[name],
                     "n_features": spec.n_features, "formula": spec.formula})  # fmt: skip
    return rows


def run(args: argparse.Namespace) -> int:
    from srbench_lite.data import list_suites

    rows = problem_rows(args.suite)
    if args.json:
        print(json.dumps(rows, indent=1))
        return 0
    width = max(len(r["name"]) for r in rows)
    swidth = max(len(r["suite"]) for r in rows)
    print(f"{'name':<{width}}  {'suite':<{swidth}}  n_feat  formula")
    for r in rows:
        print(f"{r['name']:<{width}}  {r['suite']:<{swidth}}  {r['n_features']:>6}  {r['formula']}")
    counts = {s: sum(s in r["suites"] for r in rows) for s in list_suites()}
    print("\n" + ", ".join(f"{s}: {n}" for s, n in counts.items() if n), f"({len(rows)} problems)")
    return 0
