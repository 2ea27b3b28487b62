"""``srbench-lite datasets``: list problems (name, suite, n_features, formula; for a real
dataset without ground truth, its number of rows)."""

from __future__ import annotations

import argparse
import json
import sys


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "datasets",
        help="list the problems of every suite",
        description=(
            "List problems with their suite, number of features and ground-truth formula: the "
            "bundled suites, the formula tables in the folders of SRBENCH_LITE_SUITES_PATH and "
            "other packages' `srbench_lite.suites` entry points (docs/adding_a_suite.md)."
        ),
    )
    p.add_argument(
        "--suite",
        help="only this suite (e.g. feynman, srsd-easy, empirical; random-law:seed=7,n=20)",
    )
    p.add_argument(
        "--suite-seed", type=int, metavar="S",
        help="the seed of a seeded suite (random-law): a new seed is a new benchmark",
    )  # fmt: skip
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run)
    return p


def _usable_suites() -> tuple[list[str], dict[str, str]]:
    """(suites that load, {unavailable suite: reason})."""
    from srbench_lite.data import get_suite, list_suites
    from srbench_lite.data.registry import SuiteUnavailableError

    usable, broken = [], {}
    for name in list_suites():
        try:
            get_suite(name)
            usable.append(name)
        except SuiteUnavailableError as exc:
            broken[name] = str(exc)
    return usable, broken


def selected_suite(suite: str | None, suite_seed: int | None, command: str) -> str | None:
    """The one suite of ``--suite`` (with ``--suite-seed``), under its full name."""
    from srbench_lite.data.registry import suite_names
    from srbench_lite.errors import InvalidValueError

    if suite is None:
        if suite_seed is not None:
            raise InvalidValueError("--suite-seed needs --suite (e.g. --suite random-law)")
        return None
    names = suite_names(suite, suite_seed)
    if len(names) != 1:
        raise InvalidValueError(f"{command} takes one suite, got {', '.join(names) or 'none'}")
    return names[0]


def problem_rows(suite: str | None) -> list[dict]:
    """One dict per problem: name, suite, suites (every suite listing it), n_features, formula."""
    from srbench_lite.data import get_spec, list_problems
    from srbench_lite.data.registry import is_parametric

    # a parametric suite's problems belong to it alone: generated only when it is listed
    listed = [s for s in _usable_suites()[0] if suite is None or not is_parametric(s)]
    if suite is not None and suite not in listed:
        listed.append(suite)
    membership: dict[str, list[str]] = {}
    for s in listed:
        for name in list_problems(s):
            membership.setdefault(name, []).append(s)
    rows = []
    for name in list_problems(suite):
        spec = get_spec(name)
        rows.append({"name": name, "suite": spec.suite, "suites": membership[name],
                     "n_features": spec.n_features, "formula": spec.formula or None})  # fmt: skip
        if not spec.has_truth:  # a real dataset (srbench-blackbox): its size instead
            rows[-1]["n_rows"] = spec.meta.get("n_rows")
    return rows


def run(args: argparse.Namespace) -> int:
    suite = selected_suite(args.suite, args.suite_seed, "datasets")
    rows = problem_rows(suite)
    usable, broken = _usable_suites()
    if suite is not None and suite not in usable:
        usable.append(suite)  # a parametric suite: counted under its full name
    if args.json:
        print(json.dumps(rows, indent=1))
        return 0
    width = max(len(r["name"]) for r in rows)
    swidth = max(len(r["suite"]) for r in rows)
    print(f"{'name':<{width}}  {'suite':<{swidth}}  n_feat  formula")
    for r in rows:
        formula = r["formula"] or f"(no ground truth; {r.get('n_rows') or '?'} rows of real data)"
        print(f"{r['name']:<{width}}  {r['suite']:<{swidth}}  {r['n_features']:>6}  {formula}")
    counts = {s: sum(s in r["suites"] for r in rows) for s in usable}
    print("\n" + ", ".join(f"{s}: {n}" for s, n in counts.items() if n), f"({len(rows)} problems)")
    if suite is None:
        for reason in broken.values():
            print(f"warning: {reason}", file=sys.stderr)
    return 0
