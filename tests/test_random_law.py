"""The random-law suite: seeded generation, the validity filter, shape statistics, parametric
suite names, and the suite everywhere a suite goes (datasets, generate, load_problem, run)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
import sympy as sp

from srbench_lite.cli import main
from srbench_lite.data import get_spec, get_suite, list_problems, list_suites, load_problem
from srbench_lite.data.formula import evaluate_formula, parse_formula
from srbench_lite.data.law_filter import check_law
from srbench_lite.data.law_stats import formula_shape, shape_stats
from srbench_lite.data.random_law import law_spec, parse_problem_name, problem_name
from srbench_lite.data.random_law_draw import draw_law
from srbench_lite.data.random_law_grammar import Grammar
from srbench_lite.data.registry import problem_suite, suite_names
from srbench_lite.data.suite_params import parse_suite_spec, split_suite_list
from srbench_lite.data.tables import VariableSpec
from srbench_lite.errors import InvalidValueError, UnknownNameError

# ---------------------------------------------------------------------------------------------
# reproducibility


def test_same_seed_same_laws_and_arrays_other_seed_different():
    first = [draw_law(11, k) for k in range(4)]
    law_spec.cache_clear()  # a second draw from scratch, not the cache
    again = [draw_law(11, k) for k in range(4)]
    assert first == again
    assert [law.formula for law in first] != [draw_law(12, k).formula for k in range(4)]
    a = load_problem("randlaw_s11_001", seed=2, n_samples=300)
    b = load_problem("randlaw_s11_001", seed=2, n_samples=300)
    for field in ("X_train", "y_train", "X_test", "y_test"):
        assert np.array_equal(getattr(a, field), getattr(b, field))
    assert not np.array_equal(load_problem("randlaw_s11_001", seed=3, n_samples=300).X_train,
                              a.X_train)  # fmt: skip


def test_law_k_does_not_depend_on_n():
    small = list_problems("random-law:seed=5,n=3")
    large = list_problems("random-law:seed=5,n=8")
    assert small == ["randlaw_s5_000", "randlaw_s5_001", "randlaw_s5_002"] == large[:3]
    law_spec.cache_clear()
    assert get_spec("randlaw_s5_002").formula == draw_law(5, 2).formula


def test_known_law_is_stable():
    """Golden values: seed 7 must give these laws on any machine and in any later version."""
    assert get_spec("randlaw_s7_003").formula == "(x2 - x3)**2*exp(5*sqrt(x3))/x1"
    assert get_spec("randlaw_s7_005").formula == "3*x1**2/x2**2"


@pytest.mark.slow
def test_generation_ignores_hash_randomization():
    code = (
        "from srbench_lite.data import list_problems, get_spec\n"
        "print([get_spec(n).formula for n in list_problems('random-law:seed=9,n=15')])"
    )
    outs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env={**os.environ, "PYTHONHASHSEED": hs}, check=True).stdout
            for hs in ("1", "2")}  # fmt: skip
    assert len(outs) == 1


# ---------------------------------------------------------------------------------------------
# the problems themselves


def test_load_problem_by_name_alone():
    prob = load_problem("randlaw_s7_002", n_samples=400, noise=0.01)
    assert prob.suite == "random-law:seed=7" and prob.feature_names == ["x1", "x2"]
    assert prob.X_train.shape == (300, 2) and prob.X_test.shape == (100, 2)  # 75/25
    assert np.all(np.isfinite(prob.y_test))
    np.testing.assert_allclose(evaluate_formula(prob.formula, prob.feature_names, prob.X_test),
                               prob.y_test, rtol=1e-12)  # fmt: skip
    clean = load_problem("randlaw_s7_002", n_samples=400)
    assert np.array_equal(clean.y_test, prob.y_test) and not np.array_equal(clean.y_train,
                                                                            prob.y_train)  # fmt: skip


def test_default_rows_follow_srbench():
    suite = get_suite("random-law")
    assert suite.name == "random-law:seed=0,n=100"
    assert (suite.default_n_samples, suite.default_split, suite.max_train) == (
        100_000, (0.75, 0.0, 0.25), 10_000)  # fmt: skip


@pytest.mark.parametrize("name", ["randlaw_s7_2", "randlaw_s07_002", "randlaw_s7_10000"])
def test_non_canonical_names_are_unknown(name):
    assert parse_problem_name(name) is None
    with pytest.raises(UnknownNameError):
        load_problem(name)


def test_names_encode_the_suite_seed():
    assert problem_name(7, 42) == "randlaw_s7_042" and problem_name(3, 1234) == "randlaw_s3_1234"
    assert parse_problem_name("randlaw_s7_042") == (7, 42, None)
    assert problem_name(7, 42, 20) == "randlaw_s7_r20_042"
    assert parse_problem_name("randlaw_s7_r20_042") == (7, 42, 20)


# ---------------------------------------------------------------------------------------------
# the small-data variant (rows=R)


def test_rows_variant_has_the_same_laws():
    names = list_problems("random-law:seed=7,n=4,rows=20")
    assert names == [f"randlaw_s7_r20_{k:03d}" for k in range(4)]
    for k, name in enumerate(names):
        small, full = get_spec(name), get_spec(problem_name(7, k))
        assert (small.formula, small.feature_names) == (full.formula, full.feature_names)
        assert small.meta["variables"] == full.meta["variables"]  # the same ranges
        assert small.suite == "random-law:seed=7,rows=20" and small.meta["train_rows"] == 20
        assert "train_rows" not in full.meta


def test_rows_variant_trains_on_r_rows_and_tests_on_srbench_test_split():
    prob = load_problem("randlaw_s7_r20_003", noise=0.01)  # from the name alone
    assert prob.X_train.shape == (20, 3) and prob.y_train.shape == (20,)
    assert prob.X_test.shape == (25_000, 3)  # the default split's test rows
    assert prob.formula == get_spec("randlaw_s7_003").formula
    np.testing.assert_allclose(evaluate_formula(prob.formula, prob.feature_names, prob.X_test),
                               prob.y_test, rtol=1e-12)  # fmt: skip
    again = load_problem("randlaw_s7_r20_003", noise=0.01)
    assert np.array_equal(again.X_train, prob.X_train) and np.array_equal(again.y_train,
                                                                          prob.y_train)  # fmt: skip
    assert problem_suite("randlaw_s7_r20_003").name == "random-law:seed=7,n=100,rows=20"
    small = load_problem("randlaw_s7_r10_003", n_samples=400)  # rows caps the training split
    assert (len(small.y_train), len(small.y_test)) == (10, 100)


def test_rows_suite_names():
    assert get_suite("random-law:rows=20,n=3,seed=7").name == "random-law:seed=7,n=3,rows=20"
    assert get_suite("random-law:seed=7,n=3").name == "random-law:seed=7,n=3"  # unchanged
    assert suite_names("random-law:n=3,rows=50", suite_seed=4) == ("random-law:seed=4,n=3,rows=50",)
    assert get_suite("random-law:n=3,rows=20").max_train == 20
    assert get_suite("random-law:n=3").max_train == 10_000


@pytest.mark.parametrize(
    "name",
    ["randlaw_s7_r020_001", "randlaw_s7_r9_001", "randlaw_s7_r10001_001", "randlaw_s7_r_001"],
)
def test_bad_rows_in_a_name_is_unknown(name):
    assert parse_problem_name(name) is None
    with pytest.raises(UnknownNameError):
        load_problem(name)


def test_truths_are_judged_by_the_metrics():
    from srbench_lite.metrics import symbolic_recovery

    for name in list_problems("random-law:seed=7,n=6"):
        spec = get_spec(name)
        expr = parse_formula(spec.formula, spec.feature_names)
        assert {s.name for s in expr.free_symbols} == set(spec.feature_names)
        result = symbolic_recovery(spec.formula, spec.formula,
                                   feature_names=spec.feature_names, timeout=None)  # fmt: skip
        assert result.solved, (name, spec.formula, result.kind)


@pytest.mark.slow
def test_simplified_laws_keep_every_variable():
    for name in list_problems("random-law:seed=0,n=20"):
        spec = get_spec(name)
        simple = sp.simplify(parse_formula(spec.formula, spec.feature_names))
        assert {s.name for s in simple.free_symbols} == set(spec.feature_names), name


# ---------------------------------------------------------------------------------------------
# the validity filter

X1, X2 = sp.symbols("x1 x2")
ONE = (VariableSpec("x1", "uniform", 1.0, 5.0),)
TWO = (*ONE, VariableSpec("x2", "uniform", 1.0, 5.0))


def _verdict(expr, variables=TWO):
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.uniform(v.low, v.high, 256) for v in variables])
    result = check_law(expr, variables, X, rng)
    return result.kind if result else None


@pytest.mark.parametrize(
    ("expr", "variables", "kind"),
    [
        (X1 * X2 + sp.sin(X1), TWO, None),
        (sp.sin(X1) ** 2 + sp.cos(X1) ** 2 + sp.exp(X1) * 1e-12, ONE, "constant"),
        (X1**2 + 1e-3 * sp.sqrt(X2), TWO, "weak_variable"),  # x1 dominates
        (sp.sqrt(X1 - 3) * X2, TWO, "undefined"),
        (sp.asin(X1) * X2, TWO, "undefined"),
        (X2 / (X1 - 3), TWO, "spiky"),  # a pole inside the domain
        (sp.exp(X1 * X2 * 5), TWO, "too_large"),
        (sp.exp(X1) + 0 * X2, TWO, "dropped"),
        (2 * X1 / 5 + X2, TWO, "trivial"),
        (sp.cos(20 * X1) * X2, TWO, "oscillating"),
    ],
)
def test_filter_rejects(expr, variables, kind):
    assert _verdict(expr, variables) == kind


def test_filter_knows_signed_domains():
    signed = (VariableSpec("x1", "uniform_pm", 1.0, 5.0), TWO[1])
    assert _verdict(X2 / X1, signed) is None  # x1 never reaches 0
    assert _verdict(X2 * sp.sqrt(X1), signed) == "undefined"


def test_grammar_is_checked():
    with pytest.raises(InvalidValueError, match="unknown name"):
        Grammar(binary=(("pow", 1.0),))
    with pytest.raises(InvalidValueError, match="unary_rate"):
        Grammar(unary_rate=1.5)


# ---------------------------------------------------------------------------------------------
# shape statistics


def test_formula_shape():
    shape = formula_shape("exp(-theta**2/2)/sqrt(2*pi)")
    assert (shape.n_vars, shape.depth, shape.n_constants) == (1, 4, 2)
    assert shape.ops == {"mul": 2, "pow": 1, "exp": 1}
    assert formula_shape("1/sqrt(x)").ops == {"div": 1, "sqrt": 1}
    assert formula_shape(("x1*y1 + x2*y2 - x3", ["x1", "y1", "x2", "y2", "x3"])).ops == {
        "add": 1, "sub": 1, "mul": 2}  # fmt: skip


def test_shape_stats_of_a_tiny_list():
    stats = shape_stats(["x/y", "2*x + 3", "sin(x)**2"])
    assert stats.n_formulas == 3 and stats.mean_vars == pytest.approx(4 / 3)
    assert stats.vars_hist[1] == pytest.approx(2 / 3) and stats.vars_hist[2] == pytest.approx(1 / 3)
    assert stats.mean_depth == pytest.approx(5 / 3) and stats.mean_constants == pytest.approx(2 / 3)
    assert stats.with_constants == pytest.approx(1 / 3) and stats.mean_ops == pytest.approx(5 / 3)
    shares = {k: v for k, v in stats.op_share.items() if v}
    assert shares == pytest.approx({"div": 0.2, "add": 0.2, "mul": 0.2, "pow": 0.2, "sin": 0.2})
    with pytest.raises(ValueError):
        shape_stats([])


# ---------------------------------------------------------------------------------------------
# parametric suite names


def test_parse_suite_names():
    assert parse_suite_spec("random-law:seed=7,n=100") == ("random-law", {"seed": "7", "n": "100"})
    assert parse_suite_spec("feynman") == ("feynman", {})
    assert split_suite_list("random-law:seed=7,n=10,feynman,smoke") == [
        "random-law:seed=7,n=10", "feynman", "smoke"]  # fmt: skip
    assert suite_names("random-law:n=3,seed=7,smoke") == ("random-law:seed=7,n=3", "smoke")
    assert suite_names("random-law,smoke", suite_seed=4) == ("random-law:seed=4,n=100", "smoke")
    assert suite_names(["random-law"]) == ("random-law:seed=0,n=100",)
    assert get_suite("random-law:n=4").name == "random-law:seed=0,n=4"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("random-law:sed=7", "unknown parameter 'sed' (valid keys: seed, n, rows)"),
        ("random-law:seed=x", "seed='x' is not valid"),
        ("random-law:seed=-1", "seed='-1' is not valid"),
        ("random-law:n=0", "n='0' is not valid: n must be an integer in [1, 10000]"),
        ("random-law:n=3,n=4", "'n' given twice"),
        ("random-law:rows=9", "rows='9' is not valid: rows must be an integer in [10, 10000]"),
        ("random-law:rows=10001", "rows='10001' is not valid"),
        ("random-law:rows=20.5", "rows='20.5' is not valid"),
        ("random-law:seed", "'seed' is not key=value"),
        ("random-law:", "nothing after ':'"),
        ("feynman:seed=3", "suite 'feynman' takes no parameters"),
    ],
)
def test_bad_parameters_name_the_value_and_the_keys(text, message):
    with pytest.raises(InvalidValueError) as info:
        get_suite(text)
    assert message in str(info.value)


def test_bad_suite_lists_and_seeds():
    with pytest.raises(InvalidValueError, match="parameter without a suite"):
        split_suite_list("n=10,feynman")
    with pytest.raises(InvalidValueError, match="none of the suites"):
        suite_names("feynman", suite_seed=3)
    with pytest.raises(InvalidValueError, match="contradicts"):
        suite_names("random-law:seed=2", suite_seed=3)


# ---------------------------------------------------------------------------------------------
# the command line and the runner


def test_cli_datasets_lists_the_suite(capsys):
    assert "random-law" in list_suites() and "seed 0" in list_suites()["random-law"]
    assert main(["datasets", "--suite", "random-law:seed=7,n=5"]) == 0
    out = capsys.readouterr().out
    assert "randlaw_s7_004" in out and "randlaw_s7_005" not in out
    assert "random-law:seed=7,n=5: 5" in out
    assert main(["datasets", "--suite", "random-law:n=10", "--suite-seed", "7", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 10 and rows[3]["formula"] == get_spec("randlaw_s7_003").formula
    assert rows[3]["suites"] == ["random-law:seed=7,n=10"]
    assert rows[0]["suite"] == "random-law:seed=7"
    assert main(["datasets", "--suite", "random-law:seed=7,n=3,rows=20", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["name"] for r in rows] == ["randlaw_s7_r20_000", "randlaw_s7_r20_001",
                                         "randlaw_s7_r20_002"]  # fmt: skip
    assert rows[2]["formula"] == get_spec("randlaw_s7_002").formula
    assert rows[0]["suites"] == ["random-law:seed=7,n=3,rows=20"]


def test_cli_bad_parameter_exits_2(capsys):
    assert main(["datasets", "--suite", "random-law:seeds=7"]) == 2
    assert "valid keys: seed, n" in capsys.readouterr().err
    assert main(["datasets", "--suite", "random-law:rows=5"]) == 2
    assert "rows must be an integer in [10, 10000]" in capsys.readouterr().err
    assert main(["datasets", "--suite-seed", "7"]) == 2
    assert "--suite-seed needs --suite" in capsys.readouterr().err


def test_cli_generate_a_small_suite(tmp_path, capsys):
    out = tmp_path / "gen"
    args = ["generate", "--suite", "random-law:n=4", "--suite-seed", "3", "--out", str(out),
            "--format", "csv", "--n-samples", "200", "--datasets", "randlaw_s3_000,randlaw_s3_001"]  # fmt: skip
    assert main(args) == 0
    assert "2 problems of random-law:seed=3,n=4" in capsys.readouterr().out
    meta = json.loads((out / "randlaw_s3_001" / "metadata.json").read_text())
    assert meta["formula"] == get_spec("randlaw_s3_001").formula
    assert meta["suite"] == "random-law:seed=3" and meta["rows"] == {"train": 150, "test": 50}


def test_run_config_and_jobs_carry_the_suite_seed():
    from srbench_lite.runner.config import RunConfig
    from srbench_lite.runner.jobs import select_problems

    config = RunConfig(suites="random-law:seed=7,n=3,smoke", methods="constant")
    assert config.suites == ("random-law:seed=7,n=3", "smoke")
    pairs = select_problems(config.suites, None, limit=2)
    assert pairs[:2] == [("random-law:seed=7,n=3", "randlaw_s7_000"),
                         ("random-law:seed=7,n=3", "randlaw_s7_001")]  # fmt: skip
    seeded = RunConfig(suites="random-law", suite_seed=9, methods="constant")
    assert seeded.suites == ("random-law:seed=9,n=100",)
    assert seeded.to_json(seeded.job_options("x"), 0)["suites"] == ["random-law:seed=9,n=100"]


@pytest.mark.slow
@pytest.mark.parametrize(("suite", "n_train"), [("random-law:seed=7,n=2", 10_000),
                                                ("random-law:seed=7,n=2,rows=20", 20)])  # fmt: skip
def test_run_and_report(tmp_path, capsys, suite, n_train):
    run_dir, report = tmp_path / "run", tmp_path / "report"
    assert main(["run", "--suite", suite, "--methods", "linear",
                 "--time-budget", "2", "--out", str(run_dir), "--no-progress"]) == 0  # fmt: skip
    records = [json.loads(line) for line in (run_dir / "records.jsonl").read_text().splitlines()]
    assert {r["suite"] for r in records} == {suite}
    assert {r["status"] for r in records} == {"ok"}
    assert {(r["n_train"], r["n_test"]) for r in records} == {(n_train, 25_000)}
    assert main(["report", str(run_dir), "--out", str(report)]) == 0
    assert suite in (report / "README.md").read_text()
