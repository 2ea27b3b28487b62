"""``srbench-lite report RUN_DIR... [--out DIR] [--name NAME] [--published NAME]``: write a
leaderboard, optionally beside published results."""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path

from srbench_lite.errors import SrbenchError
from srbench_lite.published import PUBLISHED_NAMES, published_source

DEFAULT_REPORTS = Path("reports")


def default_name(run_dirs: list[str]) -> str:
    """The run directory's name; several runs give ``a+b+c`` (``a+b+N-more`` past three)."""
    names = []
    for raw in run_dirs:
        path = Path(raw)
        if path.is_file():  # a records.jsonl given directly
            path = path.parent
        names.append(path.resolve().name or "run")
    if len(names) > 3:
        return "+".join(names[:2]) + f"+{len(names) - 2}-more"
    return "+".join(dict.fromkeys(names))


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "report",
        help="turn run records into a leaderboard (Markdown, HTML, PNG plots, CSV)",
        description=(
            "Read one or more run directories (records.jsonl + run.json written by "
            "`srbench-lite run`) and write README.md, index.html, summary.csv, ranking.csv, "
            "pairwise.csv and PNG plots into the output directory. Runs are combined; a job "
            "recorded in several runs keeps the record of the run given last."
        ),
    )
    parser.add_argument("run_dirs", nargs="+", metavar="RUN_DIR", help="run directory")
    parser.add_argument(
        "--out",
        metavar="DIR",
        help="output directory (default: reports/NAME)",
    )
    parser.add_argument(
        "--name",
        metavar="NAME",
        help="report name, used as its title and default folder (default: the run's name)",
    )
    parser.add_argument(
        "--published",
        metavar="NAME",
        help=(
            "put a published result set beside the run, on the problems and noise levels they "
            "share, marked as published in every table and plot (valid: "
            + ", ".join(PUBLISHED_NAMES)
            + ")"
        ),
    )
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    if args.published is not None:
        published_source(args.published)  # an unknown name: exit 2 before reading anything
    name = args.name
    if name is not None and (
        not name.strip() or "/" in name or "\\" in name or name in (".", "..")
    ):
        raise SrbenchError(f"--name {name!r} must be a plain name, without path separators")
    name = name or default_name(args.run_dirs)
    out = Path(args.out) if args.out else DEFAULT_REPORTS / name
    command = ["srbench-lite", "report", *args.run_dirs, "--out", str(out)]
    if args.name:
        command += ["--name", args.name]
    if args.published:
        command += ["--published", args.published]

    from srbench_lite.report import build_report  # pandas and matplotlib load here

    start = time.perf_counter()
    result = build_report(
        args.run_dirs, out, name=name, command=shlex.join(command), published=args.published
    )
    for warning in result.warnings:
        print(f"srbench-lite report: warning: {warning}", file=sys.stderr)
    print(f"wrote {len(result.files)} files to {out} in {time.perf_counter() - start:.1f} s:")
    for path in result.files:
        print(f"  {path}")
    return 0
