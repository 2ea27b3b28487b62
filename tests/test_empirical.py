"""EmpiricalBench (srbench_lite.data.empirical): the PySR paper's 9 laws, generated locally."""

from __future__ import annotations

import csv

import mpmath
import numpy as np
import pytest
from reference_facts import EMPIRICAL, empirical_summary

from srbench_lite.data.empirical import (
    DataFileError,
    EmpiricalSuite,
    evaluate_formula_mpmath,
    load_data_file,
)
from srbench_lite.data.formula import evaluate_formula
from srbench_lite.errors import InvalidValueError, SrbenchError

SUITE = EmpiricalSuite()
SPECS = {spec.name: spec for spec in SUITE.specs()}
PAPER_N = {"hubble": 32, "kepler": 6, "newton": 30, "planck": 100, "leavitt": 26,
           "schechter": 27, "bode": 8, "ideal_gas": 30, "rydberg": 50}  # fmt: skip
LOG_TARGET = {"newton", "planck", "schechter", "bode", "ideal_gas", "rydberg"}
NOISE = {"kepler": ("relative", 0.002), "newton": ("relative", 0.1),
         "planck": ("relative", 0.1), "leavitt": ("absolute", 0.4),
         "schechter": ("relative", 0.2), "ideal_gas": ("relative", 0.1),
         "rydberg": ("relative", 0.01)}  # fmt: skip

#: the paper's files, as small derived facts: kepler and bode whole, the other measurements
#: and the generated draws as their first rows plus statistics (tests/fixtures/README.md)
REFERENCE = EMPIRICAL


def make(name, seed=0, **kwargs):
    return SUITE.make_arrays(SPECS[name], rng=np.random.default_rng(seed), **kwargs)


def test_the_nine_laws_of_the_paper_table():
    assert list(SPECS) == list(PAPER_N)  # tully: excluded from the paper's table
    assert SUITE.name == "empirical" and "intrinsic_noise" in SUITE.options
    assert SPECS["newton"].feature_names == ("r", "m1", "m2")
    assert SPECS["planck"].feature_names == ("nu", "T")
    assert SPECS["rydberg"].feature_names == ("n_1", "n_2")
    for name, spec in SPECS.items():
        law = spec.meta["law"]
        assert spec.formula == (f"log({law})" if name in LOG_TARGET else law)
        assert (spec.meta["noise_kind"], spec.meta["noise_level"]) == NOISE.get(name, ("none", 0))


@pytest.mark.parametrize("name", PAPER_N)
def test_sizes_and_determinism(name):
    a, b, c = make(name, seed=1), make(name, seed=1), make(name, seed=2)
    n_test = 8 if name == "bode" else 1000
    n_feat = SPECS[name].n_features
    assert a.X_train.shape == (PAPER_N[name], n_feat) and a.y_train.shape == (PAPER_N[name],)
    assert a.X_test.shape == (n_test, n_feat) and a.y_test.shape == (n_test,)
    assert a.X_val is None
    for field in ("X_train", "y_train", "X_test", "y_test"):
        assert np.array_equal(getattr(a, field), getattr(b, field))
    if name == "bode":  # fixed inputs, no noise: every seed gives the paper's 8 points
        assert np.array_equal(a.X_train, c.X_train) and np.array_equal(a.y_train, c.y_train)
    else:
        assert not np.array_equal(a.X_train, c.X_train)
        assert not np.array_equal(a.X_test, c.X_test)


@pytest.mark.parametrize("name", PAPER_N)
def test_formula_reproduces_noiseless_target(name):
    spec = SPECS[name]
    arrays = make(name, seed=3, intrinsic_noise=False)
    for X, y in ((arrays.X_train, arrays.y_train), (arrays.X_test, arrays.y_test)):
        assert np.all(np.isfinite(y))
        if name == "planck":
            y_hat = evaluate_formula_mpmath(spec.formula, spec.feature_names, X)
        else:
            y_hat = evaluate_formula(spec.formula, spec.feature_names, X)
        np.testing.assert_allclose(y_hat, y, rtol=1e-12, atol=1e-300)


def test_planck_in_mpmath_from_physical_constants():
    """Independent of the table's formula string: Planck's law written out in mpmath."""
    arrays = make("planck", seed=4, intrinsic_noise=False)
    h, k_B, c = mpmath.mpf("6.62607004e-34"), mpmath.mpf("1.38064852e-23"), mpmath.mpf(299792458)
    with mpmath.workdps(50):
        expected = [
            float(mpmath.log(2 * h * nu**3 / c**2 / mpmath.expm1(h * nu / (k_B * T))))
            for nu, T in map(lambda r: map(mpmath.mpf, r), arrays.X_test.tolist())
        ]
    np.testing.assert_allclose(arrays.y_test, expected, rtol=1e-12)
    # the reason for mpmath: float64 cannot evaluate B over these ranges
    with np.errstate(all="ignore"):
        y64 = evaluate_formula(SPECS["planck"].formula, ("nu", "T"), arrays.X_test)
    assert not np.all(np.isfinite(y64))
    assert arrays.y_test.min() < -1300  # B down to ~1e-600


def test_sampling_ranges_and_laws():
    newton = make("newton", n_samples=2000, intrinsic_noise=False).X_train
    assert newton[:, 0].min() >= 3.7e8 and newton[:, 0].max() <= 7.37593e12
    assert newton[:, 1:].min() >= 1.3e22 and newton[:, 1:].max() <= 2e30
    decades = np.log10(newton[:, 1])  # log-uniform: flat in log10 over 8.19 decades
    assert abs(np.mean(decades) - (np.log10(1.3e22) + np.log10(2e30)) / 2) < 0.25
    gas = make("ideal_gas", n_samples=2000).X_train
    assert gas[:, 1].min() >= 300 and gas[:, 1].max() <= 400 and abs(gas[:, 0].mean() - 50.5) < 3
    ryd = make("rydberg", n_samples=2000).X_train
    assert np.array_equal(ryd, np.round(ryd))
    assert set(ryd[:, 0]) == set(range(1, 7))
    assert np.all(ryd[:, 1] > ryd[:, 0]) and ryd[:, 1].max() == 7
    assert len({tuple(r) for r in ryd}) == 21  # every (n_1, n_2) pair with n_1 < n_2 <= 7
    assert np.array_equal(make("bode").X_test[:, 0], [-1000, 0, 1, 2, 3, 4, 5, 6])
    hubble = make("hubble", n_samples=2000).X_train[:, 0]
    assert hubble.min() >= 0.0324 and hubble.max() <= 2.006
    leavitt = make("leavitt", n_samples=2000).X_train[:, 0]
    assert leavitt.min() >= 1.275 and leavitt.max() <= 127.4


def test_golden_values():
    """Seed 0 must keep giving these numbers (uniform draws: no libm in the inputs)."""
    gas = make("ideal_gas", seed=0)
    assert gas.X_train[0].tolist() == [64.05920704482398, 368.84467305709404, 41.050632142331295]


@pytest.mark.parametrize("name", sorted(NOISE))
def test_intrinsic_noise_level(name):
    kind, level = NOISE[name]
    n = 1000 if name == "planck" else 4000
    noisy = make(name, seed=5, n_samples=n, n_test=10)
    clean = make(name, seed=5, n_samples=n, n_test=10, intrinsic_noise=False)
    assert noisy.meta["intrinsic_noise"] == {"kind": kind, "level": level, "applied": True}
    assert np.array_equal(noisy.X_train, clean.X_train)  # inputs are drawn before the noise
    assert np.array_equal(noisy.y_test, clean.y_test)  # test target stays noiseless
    if kind == "absolute":
        eps = (noisy.y_train - clean.y_train) / level
    elif name in LOG_TARGET:  # noise on the raw target, then log
        eps = np.expm1(noisy.y_train - clean.y_train) / level
    else:
        eps = (noisy.y_train / clean.y_train - 1) / level
    assert abs(eps.std() - 1) < 0.1 and abs(eps.mean()) < 4 / np.sqrt(n)


def test_laws_without_intrinsic_noise():
    for name in ("hubble", "bode"):
        arrays = make(name)
        assert not arrays.meta["intrinsic_noise"]["applied"]
        spec = SPECS[name]
        y = evaluate_formula(spec.formula, spec.feature_names, arrays.X_train)
        np.testing.assert_allclose(arrays.y_train, y, rtol=1e-12, atol=1e-15)


def test_sizes_options():
    arrays = make("newton", n_samples=7, n_test=11)
    assert arrays.X_train.shape == (7, 3) and arrays.X_test.shape == (11, 3)
    bode = make("bode", n_samples=5)
    assert len(bode.y_train) == 5 and len(bode.y_test) == 8
    assert set(bode.X_train[:, 0]) <= set(bode.X_test[:, 0])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_samples": 9, "name": "bode"}, "1..8"),
        ({"n_test": 5, "name": "bode"}, "fixed set"),
        ({"n_samples": 0}, ">= 1"),
        ({"n_samples": 2.5}, "integer"),
        ({"n_test": True}, "integer"),
        ({"split": 0.75}, "no split"),
        ({"intrinsic_noise": "no"}, "True or False"),
        ({"bogus": 1}, "no option"),
    ],
)
def test_bad_options(kwargs, match):
    name = kwargs.pop("name", "newton")
    with pytest.raises(InvalidValueError, match=match):
        make(name, **kwargs)


@pytest.mark.parametrize("name", ["newton", "planck", "schechter", "ideal_gas", "rydberg"])
def test_laws_match_the_papers_generated_data(name):
    """The paper's own draws (raw target with relative noise): target/law - 1 ~ level * N(0,1).

    Its first 10 draws per law: each within 4 noise sd of the law, their mean within 4
    standard errors of 0 and their spread of the stated level."""
    spec = SPECS[name]
    with open(REFERENCE / f"{name}_generated.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    X = np.array([[float(r[f]) for f in spec.feature_names] for r in rows])
    with mpmath.workdps(50):  # planck's targets go down to 1e-599: read them as mpf
        log_target = np.array([float(mpmath.log(mpmath.mpf(r["target"]))) for r in rows])
    log_law = evaluate_formula_mpmath(f"log({spec.meta['law']})", spec.feature_names, X)
    rel = np.expm1(log_target - log_law)
    level = NOISE[name][1]
    assert empirical_summary()[f"{name}_generated.csv"]["n_rows"] == PAPER_N[name]
    assert len(rows) == 10 and np.max(np.abs(rel)) < 4 * level
    assert abs(rel.mean()) < 4 * level / np.sqrt(len(rel)) and 0.3 < rel.std() / level < 2


def _leavitt_law(log_p: float) -> float:
    P = np.array([[10.0**log_p]])
    return float(evaluate_formula(SPECS["leavitt"].formula, ["P"], P)[0])


def test_historical_laws_are_close_to_the_measurements():
    kepler = load_data_file(SPECS["kepler"], REFERENCE / "kepler.csv")  # all 6 planets
    law = evaluate_formula(SPECS["kepler"].formula, ["a"], kepler.X_train)
    assert np.max(np.abs(law / kepler.y_train - 1)) < 0.01
    bode = load_data_file(SPECS["bode"], REFERENCE / "bode.csv")  # all 8 bodies
    law = evaluate_formula(SPECS["bode"].formula, ["n"], bode.X_train)
    assert np.max(np.abs(law - bode.y_train)) < 0.06  # log scale: within 6 %
    # leavitt: 5 sample rows, and the 26 rows' moments (the law is affine in log10 P)
    leavitt = load_data_file(SPECS["leavitt"], REFERENCE / "leavitt.csv")
    resid = leavitt.y_train - evaluate_formula(SPECS["leavitt"].formula, ["P"], leavitt.X_train)
    assert np.max(np.abs(resid)) < 3 * 0.4
    facts = empirical_summary()["leavitt.csv"]
    slope, intercept = _leavitt_law(1) - _leavitt_law(0), _leavitt_law(0)
    assert _leavitt_law(2) == pytest.approx(intercept + 2 * slope)
    M, log_p = facts["columns"]["M"], facts["columns"]["logP"]
    mean = M["mean"] - slope * log_p["mean"] - intercept
    var = M["std"] ** 2 - 2 * slope * facts["cov"]["logP,M"] + slope**2 * log_p["std"] ** 2
    assert facts["n_rows"] == PAPER_N["leavitt"]
    assert abs(mean) < 0.1 and np.sqrt(var) < 0.4  # the generator's noise bounds it
    hubble = empirical_summary()["hubble.csv"]  # the synthetic range is the measured one
    D = hubble["columns"]["D"]
    assert D["min"] == pytest.approx(0.0324, abs=1e-4) and D["max"] == pytest.approx(
        2.006, abs=1e-3
    )
    assert hubble["n_rows"] == PAPER_N["hubble"]


def test_data_file_loads_historical_measurements():
    hubble = make("hubble", data_file=REFERENCE / "hubble.csv")  # columns D, v: target = last
    assert hubble.X_train.shape == (5, 1) and hubble.meta["target_column"] == "v"
    assert np.array_equal(hubble.X_train, hubble.X_test)
    assert np.array_equal(hubble.y_train, hubble.y_test)
    assert hubble.y_train[0] == pytest.approx(-17.679365017757164)
    kepler = make("kepler", data_file=str(REFERENCE / "kepler.csv"))
    assert kepler.y_train.tolist() == [87.77, 224.7, 365.25, 686.95, 4332.62, 10759.2]
    bode = make("bode", data_file=REFERENCE / "bode.csv")  # log-target: log applied
    assert bode.X_train[:, 0].tolist() == [-1000, 0, 1, 2, 3, 4, 5, 6]
    np.testing.assert_allclose(np.exp(bode.y_train), [0.39, 0.72, 1, 1.52, 2.77, 5.2, 9.58, 19.22])
    leavitt = make("leavitt", data_file=REFERENCE / "leavitt.csv")  # logP -> P = 10**logP
    assert leavitt.X_train[0, 0] == pytest.approx(10**0.10551558752997603)
    assert leavitt.meta["target_column"] == "M"


def test_data_file_through_load_problem():
    from srbench_lite.data import load_problem

    prob = load_problem("kepler", data_file=REFERENCE / "kepler.csv", noise=0.01)
    assert prob.meta["data"] == "data_file" and len(prob.y_test) == 6
    assert prob.y_test.tolist() == [87.77, 224.7, 365.25, 686.95, 4332.62, 10759.2]
    assert not np.array_equal(prob.y_train, prob.y_test)  # SRBench noise: train only


def write(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_data_file_target_column_and_transform(tmp_path):
    path = write(tmp_path, "target,n,comment\n2.0,1,x\n4.0,2,y\n")  # 'target' wins over last
    arrays = make("bode", data_file=path)
    assert arrays.X_train[:, 0].tolist() == [1, 2]
    np.testing.assert_allclose(arrays.y_train, np.log([2.0, 4.0]))
    ryd = make("rydberg", data_file=write(tmp_path, "n_2, n_1, lam\n3,2,6.56e-7\n", "r.csv"))
    assert ryd.X_train.tolist() == [[2.0, 3.0]]  # columns reordered as the features
    np.testing.assert_allclose(ryd.y_train, [np.log(6.56e-7)])


@pytest.mark.parametrize(
    "name, text, match",
    [
        ("hubble", None, "not found"),
        ("hubble", "dist,v\n1,2\n", "lacks column.*D"),
        ("leavitt", "period,M\n1,2\n", r"lacks column.*P \(or 10\*\*logP\)"),
        ("newton", "r,m1,F\n1,2,3\n", "lacks column.*m2"),
        ("hubble", "speed,D\n1,2\n", "no target column.*'target' or 'v'"),
        ("hubble", "D,v\n1,abc\n2,3\n", "non-numeric.*line.*2"),
        ("hubble", "D,v\n1,\n", "missing or non-numeric"),
        ("bode", "n,target\n1,0.5\n2,-1\n", "<= 0"),
        ("hubble", "D,v\n", "at least one row"),
    ],
)
def test_data_file_errors(tmp_path, name, text, match):
    path = tmp_path / "missing.csv" if text is None else write(tmp_path, text)
    with pytest.raises(DataFileError, match=match) as info:
        make(name, data_file=path)
    assert isinstance(info.value, SrbenchError)


def test_data_file_rejects_sampling_options(tmp_path):
    path = write(tmp_path, "D,v\n1,2\n")
    with pytest.raises(InvalidValueError, match="all rows"):
        make("hubble", data_file=path, n_samples=10)
