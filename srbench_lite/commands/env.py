"""``srbench-lite env``: the environments of methods whose dependencies clash with ours.

``env list`` shows every method that declares an environment (state, folder, Python);
``env create METHOD`` builds one (once; ``--force`` rebuilds); ``env remove METHOD`` deletes
a method's environment folders. See ``docs/environments.md``.
"""

from __future__ import annotations

import argparse
import json
import sys


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "env",
        help="create, list or remove the environments of methods that need their own",
        description=(
            "A method whose dependencies clash with srbench-lite's (AI Feynman needs numpy<2) "
            "declares its own environment; its jobs run their estimator there. Environments "
            "live in $SRBENCH_LITE_ENV_DIR (default ~/.cache/srbench-lite/envs)."
        ),
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    show = actions.add_parser("list", help="every method with an environment, and its state")
    show.add_argument("--json", action="store_true", help="machine-readable output")
    make = actions.add_parser("create", help="build a method's environment (once)")
    make.add_argument("method", help="the method's name (see `srbench-lite env list`)")
    make.add_argument("--python", help="the interpreter to build it from (default: found "
                      "for the declared version)")  # fmt: skip
    make.add_argument("--force", action="store_true", help="rebuild even if it exists")
    drop = actions.add_parser("remove", help="delete a method's environment folders")
    drop.add_argument("method", help="the method's name")
    p.set_defaults(func=run, parser=p)
    return p


def _with_environment(name: str):
    """The spec of ``name``; an unknown method or one without an environment is a usage
    error (exit code 2) naming the methods that have one."""
    from srbench_lite.environments import EnvironmentMissingError
    from srbench_lite.methods import get_method, list_methods

    spec = get_method(name)  # UnknownNameError: did-you-mean
    if spec.environment is None:
        having = [m for m in list_methods() if get_method(m).environment is not None]
        raise EnvironmentMissingError(
            f"method {name!r} declares no environment (it runs in srbench-lite's own); "
            f"methods with one: {', '.join(having) or 'none'}"
        )
    return spec


def run(args: argparse.Namespace) -> int:
    from srbench_lite import environments
    from srbench_lite.methods import get_method, list_methods

    if args.action is None:
        args.parser.print_help()
        return 2
    if args.action == "list":
        rows = environments.list_environments(get_method(m) for m in list_methods())
        if args.json:
            print(json.dumps(rows, indent=1))
            return 0
        print(f"environments in {environments.environments_root()}")
        if not rows:
            print("no method declares an environment")
        for r in rows:
            print(f"{r['method']:<16} {r['state']:<10} python {r['python']:<8} {r['path']}")
            for old in r["stale"]:
                print(f"{'':<16} (earlier declaration, unused: {old})")
        return 0
    spec = _with_environment(args.method)
    if args.action == "create":
        try:
            environments.create(spec, python=args.python, force=args.force)
        except environments.EnvironmentBuildError as exc:
            print(f"srbench-lite env create: {exc}", file=sys.stderr)
            return 1
        return 0
    removed = environments.remove(spec)
    for folder in removed:
        print(f"removed {folder}")
    if not removed:
        print(f"{spec.name}: no environment on disk ({environments.env_path(spec)})")
    return 0
