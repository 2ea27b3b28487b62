"""``srbench-lite score``: judge model strings against ground truths, one pair or a CSV of them.

Single pair::

    srbench-lite score --model "add(mul(X0, X1), 0.5)" --truth "x*y" --features x,y \\
        --dialect gplearn [--json]
    srbench-lite score --model "1.5*mu*Nn" --problem feynman-i.12.1

Batch (``model`` column, and ``truth`` or ``problem`` per row; optional ``feature_names``
(``;``- or ``,``-separated), ``dialect`` and ``id`` columns; other columns are copied)::

    srbench-lite score --pairs pairs.csv [--out scored.csv | scored.json] [--json]

Metrics per pair: symbolic recovery (SRBench, ``solved`` and ``recovery_kind``), form recovery
(``form_recovery``: the truth's form with the model's own constants), SRSD's NED, model/truth
complexity. Exit codes: 0 done, 2 bad usage (unknown dialect/problem, unreadable
file, a truth -- or, for a single pair, a model -- that cannot be parsed).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from srbench_lite.errors import SrbenchError


def _epilog() -> str:
    from srbench_lite.dialects import DIALECTS

    width = max(len(name) for name in DIALECTS)
    lines = ["dialects (--dialect, or a 'dialect' column in --pairs):"]
    lines += [f"  {d.name:<{width}}  {d.description}" for d in DIALECTS.values()]
    lines += [
        "",
        "Every dialect reads ^ as power, np.cos as cos and |u| as Abs(u). Protected operators",
        "(gplearn's div/log/sqrt, GP-GOMEA's p/ and plog, FEAT's sqrt(|u|)) are read as the",
        "plain functions, as SRBench's clean_pred_model does; docs/metrics.md has the details.",
        "",
        "--pairs CSV columns: model, and truth or problem; optional feature_names (; or ,",
        "separated), dialect, id; other columns are copied to the output.",
    ]
    return "\n".join(lines)


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "score",
        help="score model expressions against true formulas (recovery, NED, complexity)",
        description=(
            "Judge a model expression against a ground truth with SRBench's exact symbolic "
            "recovery, form recovery (the truth's form with the model's own constants) and "
            "SRSD's normalized tree edit distance. Give --model with --truth (and --features) "
            "or --problem, or a CSV of pairs with --pairs."
        ),
        epilog=_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--model", metavar="EXPR", help="model expression (in --dialect)")
    parser.add_argument("--truth", metavar="EXPR", help="true formula (sympy syntax)")
    parser.add_argument(
        "--problem",
        metavar="NAME",
        help="take the truth, feature names and sample points from this benchmark problem",
    )
    parser.add_argument(
        "--features",
        metavar="A,B,...",
        help="feature names in column order (needed by index dialects; rejects unknown names)",
    )
    parser.add_argument(
        "--dialect",
        default="sympy",
        metavar="NAME",
        help="the tool's output style (default sympy: names are feature names); see below",
    )
    parser.add_argument(
        "--mode",
        default="srbench",
        choices=["srbench", "strict", "legacy"],
        help="recovery criterion (default: srbench; legacy = SRBench's code bug for bug)",
    )
    parser.add_argument(
        "--timeout", type=float, default=30.0, metavar="SEC", help="limit per sympy step (30)"
    )
    parser.add_argument("--pairs", metavar="FILE.csv", help="score every row of this CSV")
    parser.add_argument(
        "--out", metavar="FILE", help="write batch results here (.csv or .json; default stdout)"
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of text/CSV")
    parser.set_defaults(func=run)
    return parser


def _split_names(text: str | None) -> list[str] | None:
    if text is None or not str(text).strip():
        return None
    sep = ";" if ";" in text else ","
    names = [n.strip() for n in str(text).split(sep) if n.strip()]
    return names or None


def _problem(name: str, cache: dict) -> tuple[str, list[str], object]:
    if name not in cache:
        try:
            from srbench_lite import get_spec, load_problem
        except ImportError as exc:  # pragma: no cover - the dataset layer ships with the package
            raise SrbenchError(f"--problem needs the dataset layer: {exc}") from None
        spec = get_spec(name)  # unknown names raise UnknownNameError (exit 2, did-you-mean)
        try:
            X = load_problem(name, n_samples=1000).X_test
        except Exception:  # noqa: BLE001 - sample points only sharpen the verdict
            X = None
        cache[name] = (spec.formula, list(spec.feature_names), X)
    return cache[name]


def _result_columns() -> tuple[str, ...]:
    """Columns added to every scored row, in output order: score()'s keys, the parsed model
    as ``parsed_model`` (the input columns keep the model as given) and no ``truth`` copy."""
    from srbench_lite.metrics import SCORE_KEYS

    return tuple("parsed_model" if k == "model" else k for k in SCORE_KEYS if k != "truth")


def _score_one(model, truth, features, dialect, args, X=None) -> dict:
    from srbench_lite.metrics import score

    res = score(
        model, truth, feature_names=features, dialect=dialect, timeout=args.timeout,
        mode=args.mode, X=X,
    )  # fmt: skip
    res["parsed_model"] = res.pop("model")
    return res


def _check_dialect(dialect: str, where: str = "--dialect") -> None:
    from srbench_lite.dialects import DIALECTS

    if dialect not in DIALECTS:
        import difflib

        close = difflib.get_close_matches(dialect, DIALECTS, n=3, cutoff=0.4)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise SrbenchError(
            f"{where}: unknown dialect {dialect!r}{hint} (valid: {', '.join(DIALECTS)})"
        )


def run(args: argparse.Namespace) -> int:
    if not args.timeout > 0:
        raise SrbenchError(f"--timeout must be positive, got {args.timeout:g}")
    _check_dialect(args.dialect)
    if args.pairs:
        if args.model or args.truth or args.problem:
            raise SrbenchError("--pairs cannot be combined with --model/--truth/--problem")
        return _run_batch(args)
    if not args.model:
        raise SrbenchError("give --model EXPR with --truth EXPR or --problem NAME, or --pairs")
    if bool(args.truth) == bool(args.problem):
        raise SrbenchError("give exactly one of --truth EXPR and --problem NAME")
    if args.out:
        raise SrbenchError("--out is for --pairs; a single pair prints to stdout")

    from srbench_lite.expr import parse_model

    features = _split_names(args.features)
    X = None
    if args.problem:
        truth, problem_features, X = _problem(args.problem, {})
        if features is not None and features != problem_features:
            raise SrbenchError(
                f"--features {','.join(features)} differ from problem {args.problem!r}'s "
                f"features {','.join(problem_features)}"
            )
        features = problem_features
    else:
        truth = args.truth
    # bad input is a usage error here: say which token is wrong
    parse_model(truth, feature_names=features)
    parse_model(args.model, dialect=args.dialect, feature_names=features)
    res = _score_one(args.model, truth, features, args.dialect, args, X)
    res = {"model": args.model, "truth": truth, **res}
    if args.json:
        print(json.dumps(res, indent=2, default=str))
        return 0
    solved = "yes" if res["solved"] else "no"
    print(f"model:          {res['parsed_model']}")
    print(f"truth:          {truth}")
    print(f"solved:         {solved} ({res['recovery_kind']}: {res['recovery_detail']})")
    print(f"numeric check:  {res['numeric_check']}")
    form = {True: "yes", False: "no", None: "undecided"}[res["form_recovery"]]
    print(f"form:           {form} ({res['form_detail']})")
    dist = "" if res["edit_distance"] is None else f" (edit distance {res['edit_distance']}"
    dist += f" / {res['true_nodes']} truth nodes)" if dist else ""
    print(f"NED:            {res['ned']:.6g}{dist}")
    if res["judges"]:
        print(f"judges:         {res['judges']}")
    print(f"complexity:     model {res['complexity']}, truth {res['truth_complexity']}")
    if res["error"]:
        print(f"error:          {res['error']}")
    return 0


def _run_batch(args: argparse.Namespace) -> int:
    import csv

    path = Path(args.pairs)
    if not path.is_file():
        raise SrbenchError(f"--pairs file {str(path)!r} does not exist")
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            rows = list(reader)
            columns = list(reader.fieldnames or [])
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise SrbenchError(f"cannot read --pairs file {str(path)!r}: {exc}") from None
    if "model" not in columns or not ({"truth", "problem"} & set(columns)):
        raise SrbenchError(
            f"--pairs file needs a 'model' column and a 'truth' or 'problem' column; "
            f"it has: {', '.join(columns) or '(none)'}"
        )
    from srbench_lite.expr import ModelParseError

    default_features = _split_names(args.features)
    problems: dict = {}
    out_rows = []
    result_columns = _result_columns()
    for i, row in enumerate(rows, start=2):  # line numbers as an editor shows them
        dialect = (row.get("dialect") or "").strip() or args.dialect
        base = {k: v for k, v in row.items() if k is not None}
        _check_dialect(dialect, f"line {i}")
        features = _split_names(row.get("feature_names")) or default_features
        X = None
        problem = (row.get("problem") or "").strip()
        truth = (row.get("truth") or "").strip()
        if problem and not truth:
            truth, features, X = _problem(problem, problems)
        if not truth:
            raise SrbenchError(f"line {i}: no truth (fill 'truth' or 'problem')")
        model = row.get("model")
        try:
            res = _score_one(model if model and model.strip() else None, truth, features,
                             dialect, args, X)  # fmt: skip
        except ModelParseError as exc:
            raise SrbenchError(f"line {i}: truth {truth!r}: {exc}") from None
        out_rows.append({**base, **{k: res.get(k) for k in result_columns}})

    as_json = args.json or (args.out and args.out.lower().endswith(".json"))
    if as_json:
        text = json.dumps(out_rows, indent=2, default=str) + "\n"
    else:
        import io

        buf = io.StringIO()
        fields = list(dict.fromkeys([*columns, *result_columns]))
        writer = csv.DictWriter(buf, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(out_rows)
        text = buf.getvalue()
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        solved = sum(bool(r["solved"]) for r in out_rows)
        print(f"scored {len(out_rows)} pairs ({solved} solved) -> {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
