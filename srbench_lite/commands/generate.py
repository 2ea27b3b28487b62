"""``srbench-lite generate``: write a suite's problems to files (PMLB or CSV layout)."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from srbench_lite.errors import InvalidValueError


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "generate",
        help="write a suite's problems to files",
        description=(
            "Generate every problem of a suite and write it under OUT. 'pmlb' writes "
            "OUT/<name>/<name>.tsv.gz (features + 'target', all rows: train then val then test), "
            "readable with pmlb.fetch_data(name, local_cache_dir=OUT); 'csv' writes "
            "OUT/<name>/{train,val,test}.csv. Both write OUT/<name>/metadata.json."
        ),
    )
    p.add_argument(
        "--suite", required=True,
        help="suite to generate (see `srbench-lite datasets`; e.g. random-law:seed=3,n=10)",
    )  # fmt: skip
    p.add_argument(
        "--suite-seed", type=int, metavar="S",
        help="the seed of a seeded suite (random-law), which draws its laws; --seed draws rows",
    )  # fmt: skip
    p.add_argument("--out", required=True, type=Path, help="output folder")
    p.add_argument("--seed", type=int, default=0, help="data seed (default 0)")
    p.add_argument("--noise", type=float, default=0.0, help="SRBench noise level on y_train")
    p.add_argument("--n-samples", type=int, default=None, help="rows per problem (suite default)")
    p.add_argument("--format", choices=("pmlb", "csv"), default="pmlb")
    p.add_argument("--datasets", help="comma-separated subset of the suite's problems")
    p.set_defaults(func=run)
    return p


def _write_csv(folder: Path, name: str, X, y, columns: list[str]) -> None:
    import pandas as pd

    frame = pd.DataFrame(X, columns=columns)
    frame["target"] = y
    frame.to_csv(folder / f"{name}.csv", index=False, float_format="%.17g")


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from srbench_lite.commands.datasets import selected_suite
    from srbench_lite.data import get_suite, list_problems, load_problem
    from srbench_lite.data.pmlb_io import write_pmlb
    from srbench_lite.errors import UnknownNameError

    suite = selected_suite(args.suite, args.suite_seed, "generate")
    get_suite(suite)  # unknown suite -> exit 2 with close matches
    names = list_problems(suite)
    if args.datasets:
        wanted = [d.strip() for d in args.datasets.split(",") if d.strip()]
        for d in wanted:
            if d not in names:
                raise UnknownNameError(f"problem in suite {suite}", d, names)
        names = wanted
    try:
        args.out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidValueError(f"cannot create --out {args.out}: {exc}") from exc
    start = time.perf_counter()
    for name in names:
        prob = load_problem(name, seed=args.seed, noise=args.noise, n_samples=args.n_samples)
        folder = args.out / name
        folder.mkdir(parents=True, exist_ok=True)
        splits = [("train", prob.X_train, prob.y_train)]
        if prob.X_val is not None:
            splits.append(("val", prob.X_val, prob.y_val))
        splits.append(("test", prob.X_test, prob.y_test))
        if args.format == "pmlb":
            X = np.concatenate([s[1] for s in splits])
            y = np.concatenate([s[2] for s in splits])
            write_pmlb(args.out, name, X, y, prob.feature_names)
        else:
            for split, X, y in splits:
                _write_csv(folder, split, X, y, prob.feature_names)
        meta = {
            "name": name, "suite": prob.suite, "feature_names": prob.feature_names,
            "formula": prob.formula, "seed": args.seed, "noise": args.noise,
            "rows": {s[0]: len(s[2]) for s in splits}, "format": args.format,
        }  # fmt: skip
        (folder / "metadata.json").write_text(json.dumps(meta, indent=1) + "\n")
    elapsed = time.perf_counter() - start
    print(f"wrote {len(names)} problems of {suite} to {args.out} ({args.format}, {elapsed:.1f} s)")
    return 0
