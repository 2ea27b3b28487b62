"""GPRegressor: scikit-learn contract, determinism, the front, the smoke problems."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

import srbench_lite
from srbench_lite.engines.gp import GPRegressor
from srbench_lite.metrics import symbolic_recovery


def _tiny() -> GPRegressor:
    return GPRegressor(
        time_budget_s=None,
        n_iterations=2,
        population_size=8,
        n_islands=2,
        n_extra_targets=0,
        random_state=0,
        simplify_timeout_s=0.2,
    )


# Every check applies (the dict of expected failures is empty on purpose).
@parametrize_with_checks([_tiny()], expected_failed_checks=lambda est: {})
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def test_same_seed_and_generations_give_the_same_run():
    rng = np.random.default_rng(0)
    X = rng.uniform(-2, 2, size=(120, 3))
    y = X[:, 0] * np.cos(X[:, 1]) + X[:, 2]
    kw = dict(
        time_budget_s=None,
        n_iterations=4,
        population_size=24,
        n_islands=2,
        early_stop_loss=None,
        simplify_timeout_s=None,
    )
    a = GPRegressor(random_state=7, **kw).fit(X, y)
    b = GPRegressor(random_state=7, **kw).fit(X, y)
    assert [e.tokens for e in a.front_] == [e.tokens for e in b.front_]
    assert a.equations_["expression"].tolist() == b.equations_["expression"].tolist()
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    c = GPRegressor(random_state=8, **kw).fit(X, y)
    assert [e.tokens for e in c.front_] != [e.tokens for e in a.front_]


def test_front_is_a_pareto_front_and_selection_is_on_it():
    rng = np.random.default_rng(1)
    X = rng.uniform(1, 3, size=(200, 2))
    y = np.exp(-X[:, 0]) * X[:, 1] + 0.3 * X[:, 0]
    m = GPRegressor(time_budget_s=None, n_iterations=6, random_state=0).fit(X, y)
    eq = m.equations_
    assert list(eq.columns[:4]) == ["complexity", "loss", "cost", "expression"]
    assert eq["complexity"].is_monotonic_increasing
    assert eq["loss"].is_monotonic_decreasing
    assert m.n_iterations_ <= 6
    assert m.sympy(0) == eq["model"].iloc[0].expr
    pred = m.predict(X)
    assert np.isfinite(pred).all()
    assert {str(s) for s in m.sympy().free_symbols} <= {"x0", "x1"}


def test_bad_parameters_are_named():
    X = np.ones((5, 1))
    with pytest.raises(ValueError, match="'time_budget_s' and 'n_iterations' parameters"):
        GPRegressor(time_budget_s=None).fit(X, X[:, 0])
    with pytest.raises(ValueError, match="'operators' parameter of GPRegressor"):
        GPRegressor(n_iterations=1, operators=("add", "foo")).fit(X, X[:, 0])
    with pytest.raises(ValueError, match="'model_selection' parameter"):
        GPRegressor(n_iterations=1, model_selection="elbow").fit(X, X[:, 0])
    with pytest.raises(ValueError, match="'population_size' parameter"):
        GPRegressor(n_iterations=1, population_size=0).fit(X, X[:, 0])
    with pytest.raises(ValueError, match="NaN"):
        GPRegressor(n_iterations=1).fit(np.array([[1.0], [np.nan], [2.0]]), [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="infinity"):
        GPRegressor(n_iterations=1).fit(np.ones((3, 1)), [1.0, np.inf, 3.0])


def test_budget_includes_the_finishing_stage():
    import time

    rng = np.random.default_rng(9)
    X = rng.uniform(-2, 2, size=(2000, 4))
    y = np.sin(X[:, 0] * X[:, 1]) + np.exp(X[:, 2]) / (1 + X[:, 3] ** 2)
    start = time.perf_counter()
    GPRegressor(time_budget_s=3.0, random_state=0).fit(X, y)
    assert time.perf_counter() - start < 3.6


def _recovers(
    X: np.ndarray, y: np.ndarray, truth: str, generations: int, priors: str = "general"
) -> tuple[bool, str]:
    """Fit gp for a few generations; (solved against ``truth`` over x0, x1, ..., the model)."""
    m = GPRegressor(
        time_budget_s=None, n_iterations=generations, random_state=0, priors=priors
    ).fit(X, y)
    names = [f"x{i}" for i in range(X.shape[1])]
    return symbolic_recovery(m.sympy(), truth, feature_names=names, X=X).solved, m.expression_


def test_transformed_target_recovers_a_relativistic_law():
    # y = m / sqrt(1 - v²/c²): the screening finds (m / y)² = 1 - v²/c² before any evolution
    rng = np.random.default_rng(3)
    X = np.column_stack([rng.uniform(1, 5, 300), rng.uniform(1, 2, 300), rng.uniform(3, 10, 300)])
    y = X[:, 0] / np.sqrt(1 - X[:, 1] ** 2 / X[:, 2] ** 2)
    m = GPRegressor(time_budget_s=None, n_iterations=3, random_state=0).fit(X, y)
    assert symbolic_recovery(m.sympy(), "x0/sqrt(1 - x1**2/x2**2)").solved, m.expression_


def test_lorentz_factor_target_recovers_a_boosted_difference():
    # y = (x - u t) / sqrt(1 - u²/c²): y * sqrt(1 - u²/c²) is a two-term sum of library terms
    rng = np.random.default_rng(4)
    X = np.column_stack([rng.uniform(5, 10, 300), rng.uniform(1, 2, 300),
                         rng.uniform(1, 2, 300), rng.uniform(3, 10, 300)])
    y = (X[:, 0] - X[:, 1] * X[:, 2]) / np.sqrt(1 - X[:, 1] ** 2 / X[:, 3] ** 2)
    truth = "(x0 - x1*x2)/sqrt(1 - x1**2/x3**2)"
    solved, expr = _recovers(X, y, truth, generations=3, priors="physics")
    assert solved, expr


def test_shifted_gaussian_is_screened():
    # y = exp(-((x0 - x1)/x2)²/2) / (sqrt(2 pi) x2): log(y x2) is one ((x - y)/z)² library term
    rng = np.random.default_rng(5)
    X = rng.uniform(1, 3, size=(300, 3))
    y = np.exp(-(((X[:, 0] - X[:, 1]) / X[:, 2]) ** 2) / 2) / (np.sqrt(2 * np.pi) * X[:, 2])
    truth = "exp(-((x0 - x1)/x2)**2/2)/(sqrt(2*pi)*x2)"
    solved, expr = _recovers(X, y, truth, generations=3, priors="physics")
    assert solved, expr


def test_lorentz_factors_only_for_pairs_ordered_on_every_row():
    from srbench_lite.engines.gp.physics_priors import lorentz_factors

    rng = np.random.default_rng(0)
    v, c, m = rng.uniform(1, 2, 50), rng.uniform(3, 10, 50), rng.uniform(1, 5, 50)
    got = lorentz_factors([m, v, c])
    root = ("sqrt", "sub", "1", "square", "div", "x1", "x2")
    assert got == [("inv", *root), root]  # m overlaps both ranges: no pair with it
    assert lorentz_factors([m, rng.uniform(1, 5, 50)]) == []


@pytest.mark.parametrize("name", srbench_lite.list_problems("smoke"))
def test_smoke_problems_are_recovered(name):
    p = srbench_lite.load_problem(name)
    m = GPRegressor(time_budget_s=None, n_iterations=60, random_state=0).fit(p.X_train, p.y_train)
    result = symbolic_recovery(m.sympy(), p.formula)
    assert result.solved, (name, m.expression_)


@pytest.mark.parametrize(
    "law, truth",
    [
        (lambda X: np.arcsin(X[:, 0] / (X[:, 1] * X[:, 2])), "asin(x0/(x1*x2))"),  # sin(y) target
        (lambda X: np.log(2.5 * X[:, 0] * X[:, 1] / X[:, 2] ** 2), "log(x0*x1/x2**2)"),  # e^y
        (lambda X: X[:, 0] * np.tanh(X[:, 1] / X[:, 2]), "x0*tanh(x1/x2)"),  # atanh(y/M)
        (lambda X: np.arctan(X[:, 0] / X[:, 1]), "atan(x0/x1)"),  # tan(y)
        (lambda X: np.sinh(X[:, 0] * X[:, 2]) / X[:, 1], "sinh(x0*x2)/x1"),  # asinh(y*M)
        (lambda X: X[:, 1] * np.cosh(X[:, 0] / X[:, 2]), "x1*cosh(x0/x2)"),  # acosh(y/M)
        (lambda X: np.cbrt(X[:, 0] * X[:, 1] + X[:, 2]), "(x0*x1 + x2)**(1/3)"),  # y**3
    ],
)
def test_transformed_targets_cover_inverse_function_laws(law, truth):
    rng = np.random.default_rng(4)
    X = np.column_stack([rng.uniform(1, 2, 300), rng.uniform(2, 4, 300), rng.uniform(1, 3, 300)])
    solved, model = _recovers(X, law(X), truth, generations=2)
    assert solved, model


def test_few_noisy_rows_select_the_law_not_an_interpolant():
    # six points of a power law with 0.5 % noise: cross-validation keeps the two-constant form
    rng = np.random.default_rng(5)
    X = rng.uniform(0.5, 9.0, size=(6, 1))
    y = 365.25 * X[:, 0] ** 1.5 * (1 + 0.005 * rng.normal(size=6))
    m = GPRegressor(time_budget_s=None, n_iterations=20, random_state=0).fit(X, y)
    assert m.best_.complexity <= 6, m.expression_
    Xt = np.linspace(0.5, 12, 50)[:, None]
    np.testing.assert_allclose(m.predict(Xt), 365.25 * Xt[:, 0] ** 1.5, rtol=0.05)


def test_numpy_fallback_backend_recovers_a_law():
    from srbench_lite.engines.common.batch import use_backend

    rng = np.random.default_rng(6)
    X = rng.uniform(1, 3, size=(200, 3))
    y = 1.5 * X[:, 0] * X[:, 1] / X[:, 2] ** 2
    with use_backend("numpy"):
        m = GPRegressor(time_budget_s=None, n_iterations=2, random_state=0).fit(X, y)
    assert symbolic_recovery(m.sympy(), "x0*x1/x2**2").solved, m.expression_


def test_sign_factor_splits_off_the_variable_that_sets_the_sign():
    from srbench_lite.engines.gp.monomial import sign_factor

    rng = np.random.default_rng(7)
    X = rng.uniform(1, 3, size=(256, 4))
    y = X[:, 1] * np.cos(X[:, 2]) / (4 * np.pi * X[:, 0] * X[:, 3] ** 2)  # cos θ crosses 0
    assert sign_factor(list(X.T), y) == ("div", "x1", "mul", "x0", "square", "x3")
    assert sign_factor(list(X.T), np.abs(y) + 1) is None  # one sign: nothing to split
    both = np.cos(X[:, 2]) * np.sin(2 * X[:, 1])  # the sign depends on two variables
    assert sign_factor(list(X.T), both) is None


def test_planck_inverse_undoes_a_over_expm1():
    from srbench_lite.engines.gp.physics_priors import PHYSICS, planck_inverse

    A = np.geomspace(1e-3, 40, 200)
    np.testing.assert_allclose(planck_inverse(A / np.expm1(A)), A, rtol=1e-10)
    assert PHYSICS.transform("planck").apply(np.array([0.5, 1.2])) is None  # outside (0, 1)


@pytest.mark.parametrize(
    "law, truth, priors",
    [
        # Planck's law: A / (e^A - 1) over its low-A limit, A = x0*x1/(2*pi*x2) (scale found)
        (
            lambda X: (
                X[:, 0]
                * X[:, 1] ** 3
                / (np.pi**2 * np.expm1(X[:, 0] * X[:, 1] / (2 * np.pi * X[:, 2])))
            ),
            "x0*x1**3/(pi**2*(exp(x0*x1/(2*pi*x2)) - 1))",
            "physics",
        ),
        # 1/cosh: n/(e^A + e^-A), A = x1*x2/4 (scale found)
        (
            lambda X: X[:, 0] / (np.exp(X[:, 1] * X[:, 2] / 4) + np.exp(-X[:, 1] * X[:, 2] / 4)),
            "x0/(exp(x1*x2/4) + exp(-x1*x2/4))",
            "physics",
        ),
        # sign set by one variable: x1*cos(x2)/x0**2
        (lambda X: X[:, 1] * np.cos(X[:, 2] + 0.5) / X[:, 0] ** 2, "x1*cos(x2 + 1/2)/x0**2",
         "general"),
        # a cosine of a product
        (lambda X: 2 * X[:, 0] * (1 - np.cos(X[:, 1] * X[:, 2])), "2*x0*(1 - cos(x1*x2))",
         "general"),
    ],
)
def test_screening_seeds_planck_sech_sign_and_product_laws(law, truth, priors):
    rng = np.random.default_rng(8)
    X = rng.uniform(1, 5, size=(300, 3))
    solved, model = _recovers(X, law(X), truth, generations=3, priors=priors)
    assert solved, model


def test_screening_finds_a_variable_plus_a_power_law_under_a_clean_factor():
    # y over the clean factor x0/x5 is x1 plus a power law
    rng = np.random.default_rng(9)
    X = rng.uniform(1, 3, size=(300, 6))
    y = X[:, 0] * (X[:, 1] + X[:, 2] * X[:, 3] / X[:, 4] ** 2) / X[:, 5]
    solved, model = _recovers(X, y, "x0*(x1 + x2*x3/x4**2)/x5", generations=3)
    assert solved, model


def test_power_law_exponents_reach_fifth_powers():
    # G**4 m1**2 m2**2 (m1 + m2) / (c**5 r**5): the clean factor needs c**-5 and r**-5
    from srbench_lite.engines.gp.monomial import clean_factor

    rng = np.random.default_rng(10)
    G, c, m1, m2, r = rng.uniform(1, 2, size=(5, 256))
    y = G**4 * (m1 * m2) ** 2 * (m1 + m2) / (c**5 * r**5)
    fac = clean_factor([G, c, m1, m2, r], y, 0.08, max_abs_exp=6.0)  # the physics priors' cap
    assert fac is not None and fac.count("5") == 2 and "x1" in fac and "x4" in fac, fac
    general = clean_factor([G, c, m1, m2, r], y, 0.08)  # general: |exponent| <= 4
    assert general is None or "5" not in general, general


def test_screening_seeds_a_constant_plus_a_power_law():
    # sqrt(1 + 2*e**2*E*L**2/(m*Z**2)): y**2 - 1 is a power law; the shifted target seeds it
    rng = np.random.default_rng(11)
    X = rng.uniform(1, 3, size=(300, 5))
    y = np.sqrt(1 + 2 * X[:, 0] ** 2 * X[:, 1] * X[:, 2] ** 2 / (X[:, 3] * X[:, 4] ** 2))
    solved, model = _recovers(X, y, "sqrt(1 + 2*x0**2*x1*x2**2/(x3*x4**2))", generations=2)
    assert solved, model
