"""ODE-Strogatz (srbench_lite.data.strogatz): trajectories regenerated with scipy."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from reference_facts import rows

from srbench_lite.data.formula import evaluate_formula, parse_formula
from srbench_lite.data.strogatz import StrogatzSuite
from srbench_lite.errors import InvalidValueError

SUITE = StrogatzSuite()
SPECS = {spec.name: spec for spec in SUITE.specs()}
SYSTEMS = ["bacres", "barmag", "glider", "lv", "predprey", "shearflow", "vdp"]
FIRST = {s: SPECS[f"strogatz_{s}1"] for s in SYSTEMS}  # one spec per system

#: measured max |ours - published| / sd(published state) per system, with ~20 % headroom:
#: the published trajectories come from a coarse fixed-step (0.1) run, ours from DOP853 at 1e-12
#: (lv: one published trajectory crosses the separatrix and ends at another fixed point)
MAX_DEVIATION = {"bacres": 0.13, "barmag": 0.10, "glider": 0.17, "lv": 3.1,
                 "predprey": 0.8, "shearflow": 0.12, "vdp": 0.7}  # fmt: skip


def make(name, seed=0, **kwargs):
    return SUITE.make_arrays(SPECS[name], rng=np.random.default_rng(seed), **kwargs)


def rhs(spec):
    xy = [sp.Symbol("x"), sp.Symbol("y")]
    fx = sp.lambdify(xy, parse_formula(spec.meta["ode_dx"], ("x", "y")), "numpy")
    fy = sp.lambdify(xy, parse_formula(spec.meta["ode_dy"], ("x", "y")), "numpy")
    return fx, fy


def test_the_fourteen_problems():
    assert list(SPECS) == [f"strogatz_{s}{i}" for s in SYSTEMS for i in (1, 2)]
    for name, spec in SPECS.items():
        assert spec.feature_names == ("x", "y") and spec.suite == "strogatz"
        ode = spec.meta["ode_dx"] if name.endswith("1") else spec.meta["ode_dy"]
        assert spec.formula == ode
        assert len(spec.meta["initial_conditions"]) == 4
        assert (spec.meta["t_start"], spec.meta["dt"], spec.meta["n_points"]) == (0, 0.1, 100)
    assert SPECS["strogatz_lv1"].meta["initial_conditions"] == ((1, 3), (4, 1), (8, 2), (3, 3))


@pytest.mark.parametrize("name", list(SPECS))
def test_split_determinism_and_target(name):
    a, b, c = make(name, seed=1), make(name, seed=1), make(name, seed=2)
    assert a.X_train.shape == (300, 2) and a.X_test.shape == (100, 2) and a.X_val is None
    for field in ("X_train", "y_train", "X_test", "y_test"):
        assert np.array_equal(getattr(a, field), getattr(b, field))
    assert not np.array_equal(a.X_train, c.X_train)  # another seed: another shuffle
    # the rows are the trajectory states, all of them, each once
    rows = np.vstack([a.X_train, a.X_test])
    states = SUITE.states(SPECS[name])
    assert np.array_equal(rows[np.lexsort(rows.T)], states[np.lexsort(states.T)])
    for X, y in ((a.X_train, a.y_train), (a.X_test, a.y_test)):
        assert np.all(np.isfinite(y))
        np.testing.assert_array_equal(evaluate_formula(SPECS[name].formula, ("x", "y"), X), y)


def test_n_samples_and_split():
    small = make("strogatz_vdp1", n_samples=100)
    assert (len(small.y_train), len(small.y_test)) == (75, 25)
    three = make("strogatz_vdp2", split=(0.6, 0.2, 0.2))
    assert (len(three.y_train), len(three.y_val), len(three.y_test)) == (240, 80, 80)
    for bad in (401, 1, 0, 2.0, True):
        with pytest.raises(InvalidValueError, match="2..400"):
            make("strogatz_vdp1", n_samples=bad)
    with pytest.raises(InvalidValueError, match="no options"):
        make("strogatz_vdp1", intrinsic_noise=False)


@pytest.mark.parametrize("system", SYSTEMS)
def test_trajectories_start_at_the_ics_and_solve_the_ode(system):
    """An independent integrator (LSODA, 1e-10) agrees with the stored DOP853 states."""
    from scipy.integrate import solve_ivp

    spec = FIRST[system]
    states = SUITE.states(spec)
    ics = np.array(spec.meta["initial_conditions"])
    assert states.shape == (400, 2) and np.array_equal(states[::100], ics)
    fx, fy = rhs(spec)
    t = np.arange(100) * 0.1
    other = np.vstack([
        solve_ivp(lambda _t, u: [fx(*u), fy(*u)], (0, 9.9), ic, method="LSODA", t_eval=t,
                  rtol=1e-10, atol=1e-10).y.T
        for ic in ics
    ])  # fmt: skip
    assert np.max(np.abs(other - states) / states.std(axis=0)) < 1e-6
    np.testing.assert_allclose(SUITE.times(spec)[:101], np.r_[t, 0.0])


def published(system, which=1):
    """Facts of the published trajectory file ``d_<system><which>.txt`` (GPL-3.0, not vendored):
    12 sample rows (start, middle, end of each IC's block) and per-column statistics."""
    sample = [
        r for r in rows("strogatz_samples.csv") if (r["system"], r["file"]) == (system, str(which))
    ]
    index = np.array([int(r["row"]) for r in sample])
    data = np.array([[float(r[c]) for c in ("x", "y", "label")] for r in sample])
    stats = {
        r["column"]: {k: float(r[k]) for k in ("n", "min", "max", "mean", "std")}
        for r in rows("strogatz_moments.csv")
        if (r["system"], r["file"]) == (system, str(which))
    }
    return index, data[:, :2], data[:, 2], stats


def assert_same_stats(values, stats, rtol=1e-12):
    """``values`` (all 400 rows of a column) has the published column's statistics."""
    assert len(values) == stats["n"]
    got = [values.min(), values.max(), values.mean(), values.std()]
    want = [stats["min"], stats["max"], stats["mean"], stats["std"]]
    np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * max(map(abs, want)))


def reference_scheme(spec, substeps=1):
    """The published run's scheme (found by fitting it, reproduces it to ~1e-14): per step of
    0.1, x advances by forward Euler while y takes a Bogacki-Shampine (ode3) step in which x
    moves at its step-start rate. ``substeps`` > 1 refines the step, sampling the same grid."""
    fx, fy = rhs(spec)
    ics = np.array(spec.meta["initial_conditions"])
    x, y, h = ics[:, 0].copy(), ics[:, 1].copy(), 0.1 / substeps
    out = [ics]
    for i in range(99 * substeps):
        kx, k1 = fx(x, y), fy(x, y)
        k2 = fy(x + h / 2 * kx, y + h / 2 * k1)
        k3 = fy(x + 3 * h / 4 * kx, y + 3 * h / 4 * k2)
        x, y = x + h * kx, y + h * (2 / 9 * k1 + k2 / 3 + 4 / 9 * k3)
        if (i + 1) % substeps == 0:
            out.append(np.column_stack([x, y]))
    return np.stack(out, axis=1).reshape(-1, 2)  # (IC, time) order as the published files


@pytest.mark.parametrize("system", SYSTEMS)
def test_cross_check_with_published_trajectories(system):
    """The published files through their samples and statistics: the scheme that made them,
    run from our table's ICs, regenerates them; everything over all 400 rows uses it."""
    spec1, spec2 = SPECS[f"strogatz_{system}1"], SPECS[f"strogatz_{system}2"]
    index, ref, label1, stats1 = published(system, 1)
    index2, ref2, label2, stats2 = published(system, 2)
    # 1. our table's ICs are the published ones (first row of each 100-row block)
    ics = np.array(spec1.meta["initial_conditions"])
    np.testing.assert_array_equal(ics, ref[index % 100 == 0])
    np.testing.assert_allclose(ics, ref2[index2 % 100 == 0], rtol=1e-15)  # predprey: 1 ulp
    # 2. our formulas are the published targets: label = formula at the published state
    for spec, X, label in ((spec1, ref, label1), (spec2, ref2, label2)):
        y = evaluate_formula(spec.formula, ("x", "y"), X)
        assert np.max(np.abs(y - label)) <= 1e-12 * np.abs(label).max()
    # 3. table ICs + ODEs + grid regenerate the published states exactly with their scheme:
    #    at the sample rows, and in every column's statistics, labels included
    scheme = reference_scheme(spec1)
    scale = np.abs(scheme).max(axis=0)
    assert np.max(np.abs(scheme[index] - ref) / scale) < 1e-12
    for stats, spec in ((stats1, spec1), (stats2, spec2)):
        assert_same_stats(scheme[:, 0], stats["x"])
        assert_same_stats(scheme[:, 1], stats["y"])
        assert_same_stats(evaluate_formula(spec.formula, ("x", "y"), scheme), stats["label"])
    # 4. our accurate states vs the published coarse ones: approximate agreement (measured)
    sd = np.array([stats1["x"]["std"], stats1["y"]["std"]])
    ours = SUITE.states(spec1)
    deviation = np.abs(ours - scheme) / sd
    assert np.max(deviation) < MAX_DEVIATION[system]
    assert np.median(deviation) < 0.15
    # 5. ... and the gap is the scheme's step error: refining it converges to our states
    err20, err50 = (np.max(np.abs(reference_scheme(spec1, k) - ours) / sd) for k in (20, 50))
    assert err50 < 0.03 and err50 < 0.5 * err20  # first order: ~0.4 for 2.5x smaller steps


def test_lv_published_run_crossed_a_separatrix():
    """Why lv deviates most: from (8, 2) the ODE goes to (3, 0), the coarse run to (0, 2)."""
    ours = SUITE.states(FIRST["lv"])
    index, ref, _, _ = published("lv")
    np.testing.assert_allclose(ours[299], [3, 0], atol=1e-3)
    np.testing.assert_allclose(ref[index == 299][0], [0, 2], atol=1e-2)
