"""The dataset layer: suites, formulas, determinism, noise, splits, bad input."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from srbench_lite.data import get_spec, list_problems, list_suites, load_problem
from srbench_lite.data.formula import evaluate_formula, evaluate_formula_mpmath, parse_formula
from srbench_lite.data.sampling import draw, normalize_split, numeric_formula
from srbench_lite.errors import InvalidValueError, UnknownNameError

EXPECTED_COUNTS = {
    "smoke": 4,
    "feynman": 120,
    "feynman-srbench": 116,
    "srsd-easy": 30,
    "srsd-medium": 40,
    "srsd-hard": 50,
    "srsd-easy-dummy": 30,
    "srsd-medium-dummy": 40,
    "srsd-hard-dummy": 50,
    "empirical": 9,
    "strogatz": 14,
    "srbench-blackbox": 122,
    "random-law": 100,  # the default suite (seed 0); tests/test_random_law.py tests the rest
}
#: every problem with a ground truth (srbench-blackbox's real datasets have none; they are
#: read from PMLB files, tested in tests/test_blackbox.py)
ALL = [name for name in list_problems() if get_spec(name).has_truth]


def test_suite_sizes():
    assert {s: len(list_problems(s)) for s in list_suites()} == EXPECTED_COUNTS
    assert len(ALL) == len(set(ALL)) == sum(EXPECTED_COUNTS.values()) - 116 - 122


def test_srbench_feynman_excludes():
    excluded = set(list_problems("feynman")) - set(list_problems("feynman-srbench"))
    assert excluded == {"feynman_I_26_2", "feynman_I_30_5", "feynman_II_11_17", "feynman_test_10"}
    assert not get_spec("feynman_II_11_17").meta["in_pmlb"]  # not in PMLB at all


@pytest.mark.parametrize("name", ALL)
def test_formula_parses_over_features(name):
    spec = get_spec(name)
    expr = parse_formula(spec.formula, spec.feature_names)
    assert {s.name for s in expr.free_symbols} <= set(spec.feature_names)
    # feature names never turn into sympy objects (gamma function, imaginary unit, E ...)
    assert all(type(s) is sp.Symbol for s in expr.free_symbols)
    assert not expr.has(sp.I, sp.zoo, sp.nan)


def test_name_clashes_stay_symbols():
    expr = parse_formula("gamma*beta + I*E + lamda", ["gamma", "beta", "I", "E", "lamda"])
    assert expr.free_symbols == {sp.Symbol(n) for n in ("gamma", "beta", "I", "E", "lamda")}
    with pytest.raises(ValueError, match="not among the feature names"):
        parse_formula("x0 + z", ["x0"])


@pytest.mark.parametrize("name", ALL)
def test_formula_reproduces_noiseless_target(name):
    prob = load_problem(name, intrinsic_noise=False)
    spec = get_spec(name)
    splits = [(prob.X_train, prob.y_train), (prob.X_test, prob.y_test)]
    if prob.X_val is not None:
        splits.append((prob.X_val, prob.y_val))
    for X, y in splits:
        assert X.shape == (len(y), prob.n_features) and np.all(np.isfinite(y))
        if spec.meta.get("target_precision") == "mpmath":
            continue  # checked at high precision below
        y_hat = evaluate_formula(numeric_formula(spec), prob.feature_names, X)
        np.testing.assert_allclose(y_hat, y, rtol=1e-9, atol=0)


@pytest.mark.parametrize("name", ALL)
def test_formula_matches_at_high_precision(name):
    """An independent check: the literal formula evaluated in mpmath (50 digits) on 20 rows."""
    prob = load_problem(name, intrinsic_noise=False)
    exact = evaluate_formula_mpmath(prob.formula, prob.feature_names, prob.X_test[:20], dps=50)
    np.testing.assert_allclose(exact, prob.y_test[:20], rtol=1e-9, atol=0)


def test_same_seed_identical_other_seed_different():
    a = load_problem("feynman_I_12_1", seed=3)
    b = load_problem("feynman_I_12_1", seed=3)
    c = load_problem("feynman_I_12_1", seed=4)
    for field in ("X_train", "y_train", "X_test", "y_test"):
        assert np.array_equal(getattr(a, field), getattr(b, field))
    assert not np.array_equal(a.X_train, c.X_train)


def test_known_values_are_stable_across_versions():
    """Golden values: seed 0 must give these numbers on any machine and in any later version."""
    prob = load_problem("smoke_linear", seed=0)
    assert prob.X_train.shape == (150, 2) and prob.X_test.shape == (50, 2)
    assert prob.X_train[0].tolist() == [-2.6853908548120993, -2.6208044496534755]
    assert load_problem("feynman-i.12.1").X_train[0].tolist() == [
        0.5909353124893388, 0.3400621202903109,
    ]  # fmt: skip


def test_srbench_noise_convention():
    clean = load_problem("feynman_I_12_1", seed=1)
    noisy = load_problem("feynman_I_12_1", seed=1, noise=0.1)
    assert np.array_equal(clean.X_train, noisy.X_train)
    assert np.array_equal(clean.y_test, noisy.y_test)  # test target stays noiseless
    resid = noisy.y_train - clean.y_train
    rms = np.sqrt(np.mean(clean.y_train**2))
    assert abs(resid.std() / (0.1 * rms) - 1) < 0.05
    assert abs(resid.mean()) < 0.05 * 0.1 * rms


def test_default_splits():
    feyn = load_problem("feynman_I_6_2a")
    assert len(feyn.y_train) == 10_000 and len(feyn.y_test) == 25_000 and feyn.X_val is None
    srsd = load_problem("feynman-i.12.1")
    assert (len(srsd.y_train), len(srsd.y_val), len(srsd.y_test)) == (8000, 1000, 1000)
    custom = load_problem("smoke_poly", n_samples=100, split=(0.5, 0.2, 0.3))
    assert (len(custom.y_train), len(custom.y_val), len(custom.y_test)) == (50, 20, 30)
    assert len(load_problem("smoke_poly", split=0.5).y_test) == 100


def test_srsd_validity_filter():
    info = np.finfo(np.float32)
    for name in ("feynman-ii.24.17", "feynman-iii.15.12", "feynman-i.41.16"):
        prob = load_problem(name)
        y = np.concatenate([prob.y_train, prob.y_val, prob.y_test])
        assert np.all(np.isfinite(y)) and np.all(np.abs(y) <= info.max)
        assert np.all(np.abs(y) >= info.tiny)


def test_dummy_variants():
    for name in list_problems("srsd-easy-dummy"):
        spec, base = get_spec(name), get_spec(name.removesuffix("-dummy"))
        n_dummy = spec.n_features - base.n_features
        assert 1 <= n_dummy <= 3
        assert spec.feature_names == tuple(f"x{i}" for i in range(spec.n_features))
        used = {s.name for s in parse_formula(spec.formula, spec.feature_names).free_symbols}
        assert not used & {f"x{i}" for i in spec.meta["dummy_columns"]}
    prob = load_problem("feynman-i.12.1-dummy")
    dummies = prob.X_train[:, prob.meta["dummy_columns"]]
    assert np.all(np.isfinite(dummies)) and dummies.std(axis=0).min() > 0


def test_sampling_laws():
    rng = np.random.default_rng(0)
    ints = draw("randint", 1, 5, 5000, rng)
    assert set(np.unique(ints)) == {1.0, 2.0, 3.0, 4.0}  # high exclusive
    logu = draw("log_uniform", 0.01, 100, 20000, rng)
    assert logu.min() >= 0.01 and logu.max() <= 100
    assert abs(np.mean(np.log10(logu))) < 0.05  # uniform in log10 over [-2, 2]
    pm = draw("log_uniform_pm", 0.1, 10, 2000, rng)
    assert 0.4 < np.mean(pm > 0) < 0.6 and np.all(np.abs(pm) >= 0.1)
    assert np.all(draw("log_uniform_neg", 1e-3, 1e-1, 100, rng) < 0)
    with pytest.raises(ValueError, match="unknown sampling law"):
        draw("gaussian", 0, 1, 3, rng)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"seed": -1}, "seed"),
        ({"seed": 1.5}, "seed"),
        ({"seed": True}, "seed"),
        ({"noise": -0.1}, "noise"),
        ({"noise": float("nan")}, "noise"),
        ({"noise": "0.1"}, "noise"),
        ({"n_samples": 0}, "n_samples"),
        ({"n_samples": 10.5}, "n_samples"),
        ({"split": (0.5, 0.6)}, "sum to 1"),
        ({"split": 1.0}, "split"),
        ({"data_file": "x.csv", "n_samples": 100}, "cannot be combined with n_samples"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(InvalidValueError, match=match):
        load_problem("smoke_linear", **kwargs)


def test_unknown_problem_suggests_close_names():
    with pytest.raises(UnknownNameError, match="feynman_I_6_2a") as info:
        load_problem("feynman_I_6_2x")
    assert "did you mean" in str(info.value)
    with pytest.raises(UnknownNameError, match="srsd-easy"):
        list_problems("srsd-eazy")


def test_normalize_split():
    assert normalize_split(0.75) == (0.75, 0.0, 0.25)
    assert normalize_split((0.8, 0.2)) == (0.8, 0.0, 0.2)
    with pytest.raises(InvalidValueError):
        normalize_split((0.5, 0.2, 0.2, 0.1))
