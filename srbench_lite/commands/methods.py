"""``srbench-lite methods``: every registered method, whether it can run here, and why not."""

from __future__ import annotations

import argparse
import json


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "methods",
        help="list the methods and whether each can run here",
        description=(
            "List every method -- the bundled ones, those in the folders of "
            "SRBENCH_LITE_METHODS_PATH and those of other packages' `srbench_lite.methods` "
            "entry points -- with its availability; a missing method says what is missing "
            "and how to install it."
        ),
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    from srbench_lite.methods import method_availability

    rows = method_availability()
    if args.json:
        print(json.dumps(rows, indent=1))
        return 0
    if not rows:
        print("no methods registered")
        return 0
    width = max(len(r["name"]) for r in rows)
    print(f"{'name':<{width}}  {'available':<9}  budget param     description")
    for r in rows:
        flag = "yes" if r["available"] else "no"
        budget = r["budget_param"] or "-"
        print(f"{r['name']:<{width}}  {flag:<9}  {budget:<15}  {r['description']}")
        if not r["available"]:
            print(f"{'':<{width}}  -> {r['reason']}")
            if r["install"] and r["install"] not in r["reason"]:
                print(f"{'':<{width}}     install: {r['install']}")
    n_ok = sum(r["available"] for r in rows)
    print(f"\n{n_ok} of {len(rows)} methods available")
    return 0
