"""The ``srbench-lite`` command line.

Each sub-command lives in ``srbench_lite/commands/<name>.py`` and exposes
``register(subparsers) -> argparse.ArgumentParser``; the parser's ``func`` default is
called with the parsed arguments and returns the exit code. Command modules import their
heavy dependencies inside ``func`` so that ``srbench-lite --help`` stays fast.
Exit codes: 0 success, 1 failure while running, 2 bad usage (unknown name, bad value).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from srbench_lite import __version__
from srbench_lite.errors import SrbenchError

#: sub-command modules under ``srbench_lite.commands``, in help order
COMMANDS = ("datasets", "generate", "methods", "env", "run", "report", "score")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="srbench-lite",
        description="Offline benchmark and evaluation harness for symbolic regression.",
    )
    parser.add_argument("--version", action="version", version=f"srbench-lite {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"srbench_lite.commands.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except SrbenchError as exc:
        print(f"srbench-lite {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def run_benchmark_main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``run-benchmark`` alias (= ``srbench-lite run``)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    return main(["run", *argv])


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
