"""Safe model parsing: syntax, dialects, names, and hostile input."""

from __future__ import annotations

import time

import pytest
import sympy as sp
from reference_facts import rows

from srbench_lite.errors import SrbenchError
from srbench_lite.expr import DIALECTS, MAX_CHARS, ModelParseError, parse_model

x, y, z = sp.symbols("x y z")


def S(name: str) -> sp.Symbol:
    return sp.Symbol(name)


# --- plain sympy syntax ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("x*y", x * y),
        ("x - y", x - y),
        ("-x**2/2", -(x**2) / 2),
        ("+x", x),
        ("x^2*y", x**2 * y),  # ^ is power, with power's precedence
        ("2**-1", sp.Rational(1, 2)),
        ("x/2", x / 2),
        ("6.67408e-11*x", sp.Float(6.67408e-11) * x),
        ("pi*x", sp.pi * x),
        ("sqrt(x) + Abs(y) + abs(z)", sp.sqrt(x) + sp.Abs(y) + sp.Abs(z)),
        ("ln(x) + log(y, 10)", sp.log(x) + sp.log(y) / sp.log(10)),
        ("arcsin(x) + asin(y)", sp.asin(x) + sp.asin(y)),
        ("arccos(x) + arctan(y) + cot(z)", sp.acos(x) + sp.atan(y) + sp.cot(z)),
        ("sinh(x) + cosh(y) + tanh(z) + exp(x)", sp.sinh(x) + sp.cosh(y) + sp.tanh(z) + sp.exp(x)),
        ("pow(x, 3) + square(y) + cube(z)", x**3 + y**2 + z**3),
        ("inv(x) + neg(y)", 1 / x - y),
        ("aq(x, y)", x / sp.sqrt(1 + y**2)),
        ("sqrtabs(x) + logabs(y)", sp.sqrt(sp.Abs(x)) + sp.log(sp.Abs(y))),
        ("max(x, y) + min(x, z)", sp.Max(x, y) + sp.Min(x, z)),
        (
            "3018412315122245888053292650463232*x",
            sp.Integer(3018412315122245888053292650463232) * x,
        ),
        ("((((x))))", x),
    ],
)
def test_sympy_syntax(text, expected):
    assert parse_model(text) == expected


def test_numbers_keep_python_semantics():
    assert parse_model("1/3") == sp.Rational(1, 3)  # like sympify: exact rational
    assert isinstance(parse_model("0.5"), sp.Float)
    assert parse_model("x**1.5").exp == sp.Float(1.5)


def test_error_type_is_srbench_and_value_error():
    with pytest.raises(ModelParseError) as info:
        parse_model("x +")
    assert isinstance(info.value, SrbenchError)
    assert isinstance(info.value, ValueError)


# --- names ---------------------------------------------------------------------------------


def test_sympy_name_clashes_are_plain_symbols():
    names = ["gamma", "beta", "I", "E", "lamda", "lambd", "theta1", "x1", "y1", "S", "N", "Q"]
    expr = parse_model("+".join(names), feature_names=names)
    assert expr == sp.Add(*[S(n) for n in names])
    assert all(isinstance(s, sp.Symbol) for s in expr.args)
    assert expr.free_symbols == {S(n) for n in names}


def test_x1_is_a_name_not_an_index_in_sympy_dialect():
    expr = parse_model("x1*y1 + x2*y2", feature_names=["x1", "y1", "x2", "y2"])
    assert expr == S("x1") * S("y1") + S("x2") * S("y2")


def test_constants_pi_and_E_unless_they_are_features():
    assert parse_model("E*x") == sp.E * x
    assert parse_model("E*x", feature_names=["E", "x"]) == S("E") * x
    assert parse_model("pi*x", feature_names=["pi", "x"]) == S("pi") * x
    assert parse_model("e*x") == S("e") * x  # lowercase e is a variable


def test_python_keyword_feature_name():
    assert parse_model("lambda*2 + x", feature_names=["lambda", "x"]) == 2 * S("lambda") + x


def test_unknown_names_are_listed():
    with pytest.raises(ModelParseError) as info:
        parse_model("x*q + w", feature_names=["x", "y"])
    msg = str(info.value)
    assert "'q'" in msg and "'w'" in msg and "[x, y]" in msg


def test_unknown_index_name_hints_at_dialects():
    with pytest.raises(ModelParseError, match="index dialect"):
        parse_model("X0*X1", feature_names=["a", "b"])


def test_unknown_function_is_named():
    with pytest.raises(ModelParseError, match="unknown function 'foo'"):
        parse_model("foo(x)")
    with pytest.raises(ModelParseError, match="did you mean sin"):
        parse_model("sinn(x)")


def test_arity_is_checked():
    with pytest.raises(ModelParseError, match="sin\\(\\) takes 1"):
        parse_model("sin(x, y)")
    with pytest.raises(ModelParseError, match="log\\(\\) takes 1 to 2"):
        parse_model("log(x, y, z)")


# --- dialects ------------------------------------------------------------------------------


def test_gplearn_prefix_zero_based():
    feats = ["a", "b", "c"]
    expr = parse_model("add(mul(X0, X1), div(X2, 0.5))", dialect="gplearn", feature_names=feats)
    assert expr == S("a") * S("b") + sp.Float(2.0) * S("c")
    assert parse_model("sub(X0, neg(X1))", dialect="gplearn", feature_names=feats) == S("a") + S(
        "b"
    )


def test_operon_infix_one_based_with_caret():
    feats = ["a", "b"]
    expr = parse_model("((X1 * 2.0) ^ 2) + X2", dialect="operon", feature_names=feats)
    assert expr == sp.Float(4.0) * S("a") ** 2 + S("b")


def test_same_text_differs_by_dialect():
    feats = ["a", "b", "c"]
    assert parse_model("X1", dialect="gplearn", feature_names=feats) == S("b")
    assert parse_model("X1", dialect="operon", feature_names=feats) == S("a")


def test_longest_index_first():
    feats = [f"f{i}" for i in range(12)]
    expr = parse_model("x10 + x1 + x_11 + X_0", dialect="x0", feature_names=feats)
    assert expr == S("f10") + S("f1") + S("f11") + S("f0")
    expr = parse_model("x10 + x1", dialect="x1", feature_names=feats)
    assert expr == S("f9") + S("f0")


def test_index_dialects_accept_subscripts():
    feats = ["a", "b"]
    assert parse_model("x[0] * X[:, 1]", dialect="x0", feature_names=feats) == S("a") * S("b")
    with pytest.raises(ModelParseError):
        parse_model("x[0]", feature_names=feats)  # not in the sympy dialect
    with pytest.raises(ModelParseError):
        parse_model("x[y]", dialect="x0", feature_names=feats)


def test_index_out_of_range_names_valid_range():
    with pytest.raises(ModelParseError, match="valid: 1..2"):
        parse_model("X3", dialect="operon", feature_names=["a", "b"])
    with pytest.raises(ModelParseError, match="index below 1"):
        parse_model("X0", dialect="operon")


def test_index_dialect_without_features_uses_canonical_x_names():
    assert parse_model("X1*X2", dialect="operon") == S("x0") * S("x1")
    assert parse_model("x1*x2", dialect="pysr") == S("x1") * S("x2")
    assert parse_model("x1*x2", dialect="dsr") == S("x0") * S("x1")


def test_index_dialect_still_accepts_feature_names_and_constants():
    feats = ["theta", "r"]
    assert parse_model("X0*sin(theta)*pi", dialect="gplearn", feature_names=feats) == (
        S("theta") * sp.sin(S("theta")) * sp.pi
    )


def test_unknown_dialect():
    with pytest.raises(ModelParseError, match="did you mean gplearn"):
        parse_model("x", dialect="gplear")
    assert set(DIALECTS) >= {"sympy", "gplearn", "operon", "pysr", "x0", "x1"}


# --- sympy objects -------------------------------------------------------------------------


def test_sympy_input_drops_assumptions_and_maps_indices():
    a = sp.Symbol("X0", positive=True)
    b = sp.Symbol("X1", real=True)
    expr = parse_model(a * b + 1, dialect="gplearn", feature_names=["p", "q"])
    assert expr == S("p") * S("q") + 1
    assert parse_model(sp.Symbol("t", positive=True) * 2) == 2 * S("t")


def test_sympy_input_whitelist():
    f = sp.Function("os.system")
    with pytest.raises(ModelParseError, match="not allowed"):
        parse_model(f(x))
    with pytest.raises(ModelParseError, match="not allowed"):
        parse_model(sp.Integral(x, x))
    with pytest.raises(ModelParseError, match="non-finite"):
        parse_model(sp.zoo * x)
    with pytest.raises(ModelParseError, match="unknown name"):
        parse_model(x * y, feature_names=["x"])


def test_python_numbers():
    assert parse_model(3) == 3
    assert parse_model(2.5) == sp.Float(2.5)
    for bad in (None, True, [1], b"x", float("nan")):
        with pytest.raises(ModelParseError):
            parse_model(bad)


# --- hostile input -------------------------------------------------------------------------

HOSTILE = [
    ("__import__('os').system('echo pwned')", "attribute"),
    ("__import__('os')", "__import__"),
    ("().__class__.__bases__[0].__subclasses__()", "not allowed"),
    ("x.real", "attribute access"),
    ("lambda: 1", "lambda"),
    ("[x for x in y]", "comprehension"),
    ("{x: 1}", "dict"),
    ("(x, y)", "tuple"),
    ("'abc'", "constant"),
    ("f'{x}'", "string"),
    ("x if y else z", "conditional"),
    ("x < y", "comparison"),
    ("x and y", "boolean"),
    ("x // 2", "FloorDiv"),
    ("x % 2", "Mod"),
    ("x @ y", "MatMult"),
    ("x | y", "unbalanced '|'"),
    ("~x", "Invert"),
    ("(y := 2)", "assignment"),
    ("sin(*x)", "starred"),
    ("sin(x=1)", "keyword"),
    ("eval('1')", "unknown function 'eval'"),
    ("exec('import os')", "unknown function 'exec'"),
    ("open('/etc/passwd')", "unknown function 'open'"),
    ("getattr(x, 'y')", "unknown function 'getattr'"),
    ("sin", "without arguments"),
    ("True", "constant"),
    ("None", "constant"),
    ("1j", "constant"),
    ("x; y", "syntax"),
    ("import os", "syntax"),
    ("", "empty"),
    ("x\x00", "NUL"),
]


@pytest.mark.parametrize("text, fragment", HOSTILE)
def test_hostile_strings_are_rejected(text, fragment):
    with pytest.raises(ModelParseError) as info:
        parse_model(text)
    assert fragment.lower() in str(info.value).lower()


def test_nothing_executes(tmp_path, monkeypatch):
    marker = tmp_path / "pwned"
    monkeypatch.chdir(tmp_path)
    for text in (
        f"__import__('os').system('touch {marker}')",
        f"__import__('pathlib').Path('{marker}').touch()",
        f"open('{marker}', 'w')",
    ):
        with pytest.raises(ModelParseError):
            parse_model(text)
    assert not marker.exists()


@pytest.mark.parametrize(
    "text",
    ["9**9**9", "10**400", "(2*x)**100000", "2**0.5**-2000", "1e400", "9.0**9**9", "x*10**-400"],
)
def test_huge_numbers_fail_fast(text):
    start = time.perf_counter()
    with pytest.raises(ModelParseError, match="double range"):
        parse_model(text)
    assert time.perf_counter() - start < 1.0


def test_huge_integer_literal():
    with pytest.raises(ModelParseError):
        parse_model("1" * 5000)


@pytest.mark.parametrize("text", ["x/0", "1/0*x", "x/(x/0)", "log(0)", "0**-1", "x/(1 - 1)"])
def test_non_finite_intermediates_are_rejected(text):
    with pytest.raises(ModelParseError):
        parse_model(text)


def test_ten_megabyte_string_fails_fast():
    start = time.perf_counter()
    with pytest.raises(ModelParseError, match="characters long"):
        parse_model("x+" * 5_000_000 + "x")
    assert time.perf_counter() - start < 1.0
    assert MAX_CHARS < 10_000_000


@pytest.mark.parametrize(
    "text",
    [
        "-" * 5000 + "x",
        "(" * 300 + "x" + ")" * 300,
        "sin(" * 150 + "x" + ")" * 150,
        "x" + "+x" * 40_000,
        "x" + "**x" * 5000,
    ],
)
def test_deep_or_long_input_is_bounded(text):
    start = time.perf_counter()
    with pytest.raises(ModelParseError):
        parse_model(text)
    assert time.perf_counter() - start < 5.0


def test_long_flat_sums_are_fine():
    expr = parse_model(" + ".join(f"{i}*x" for i in range(1, 2000)))
    assert expr == sum(range(1, 2000)) * x


# --- our own ground truths -----------------------------------------------------------------


def test_all_srsd_truths_parse():
    truths = rows("srsd_feynman.csv")
    assert len(truths) == 120
    for row in truths:
        names = [v.split(":")[0] for v in row["variables"].split(";")]
        expr = parse_model(row["formula"], feature_names=names)
        assert {s.name for s in expr.free_symbols} <= set(names), row["name"]
        parse_model(row["formula_x"])


def test_all_bundled_truths_parse():
    data = pytest.importorskip("srbench_lite.data")
    checked = 0
    for suite in ("feynman", "srsd-easy", "srsd-medium", "srsd-hard", "strogatz", "empirical"):
        try:
            names = data.list_problems(suite)
        except Exception:  # noqa: BLE001 - a suite may be unavailable in this checkout
            continue
        for name in names:
            spec = data.get_spec(name)
            parse_model(spec.formula, feature_names=spec.feature_names)
            checked += 1
    if not checked:
        pytest.skip("no bundled suites available")
