"""``NeuralSRRegressor`` end to end on small problems (CPU, a few seconds each)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("torch")

from srbench_lite.engines.neural import NeuralSRRegressor  # noqa: E402
from srbench_lite.metrics import symbolic_recovery  # noqa: E402


def _data(n: int = 200, seed: int = 0):
    rng = np.random.default_rng(seed)
    return rng.uniform(0.5, 3.0, (n, 3))


def test_finds_x0_times_x1_within_a_few_iterations():
    X = _data()
    y = X[:, 0] * X[:, 1]
    model = NeuralSRRegressor(
        n_iterations=8, time_budget_s=None, batch_size=500, random_state=0, simplify_timeout_s=None
    ).fit(X, y)
    assert symbolic_recovery(model.sympy(), "x0*x1", timeout=None).solved, model.sympy()
    assert model.n_iterations_ <= 8
    np.testing.assert_allclose(model.predict(X), y, rtol=1e-8)
    eq = model.equations_
    assert list(eq.columns[:4]) == ["complexity", "loss", "cost", "expression"]
    assert eq["loss"].is_monotonic_decreasing and eq["complexity"].is_monotonic_increasing


def test_same_seed_and_iteration_budget_give_the_same_model():
    X = _data(seed=1)
    y = np.sin(X[:, 0]) + X[:, 2] ** 2
    kw = dict(n_iterations=4, time_budget_s=None, batch_size=200, simplify_timeout_s=None)
    a = NeuralSRRegressor(random_state=3, **kw).fit(X, y)
    b = NeuralSRRegressor(random_state=3, **kw).fit(X, y)
    c = NeuralSRRegressor(random_state=4, **kw).fit(X, y)
    assert a.search_info_["history"] == b.search_info_["history"]
    assert a.equations_["expression"].tolist() == b.equations_["expression"].tolist()
    assert str(a.sympy()) == str(b.sympy())
    assert a.search_info_["history"] != c.search_info_["history"]


def test_fit_leaves_torch_threads_and_rng_alone():
    import torch

    before = torch.get_num_threads()
    state = torch.random.get_rng_state()
    X = _data(50)
    NeuralSRRegressor(
        n_iterations=1, time_budget_s=None, batch_size=50, random_state=0, simplify_timeout_s=None
    ).fit(X, X[:, 0])
    assert torch.get_num_threads() == before
    assert torch.equal(torch.random.get_rng_state(), state)


def test_time_budget_bounds_the_search():
    X = _data(100)
    model = NeuralSRRegressor(
        time_budget_s=1.0, batch_size=100, random_state=0, simplify_timeout_s=None
    ).fit(X, np.exp(X[:, 0]) * X[:, 2] + X[:, 1])
    assert model.stop_reason_ in ("time", "early_stop")
    assert model.n_iterations_ >= 1


@pytest.mark.parametrize(
    "params, match",
    [
        ({"n_iterations": None, "time_budget_s": None}, "'time_budget_s' and 'n_iterations'"),
        ({"epsilon": 0.0}, "'epsilon' parameter"),
        ({"model_selection": "nope"}, "'model_selection' parameter"),
        ({"operators": ("add", "nope")}, "'operators' parameter"),
    ],
)
def test_bad_parameters_are_named(params, match):
    with pytest.raises(ValueError, match=match):
        NeuralSRRegressor(**params).fit(_data(20), np.ones(20))


def test_non_finite_data_is_rejected_with_a_message():
    X = _data(20)
    y = X[:, 0].copy()
    y[3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        NeuralSRRegressor(n_iterations=1, time_budget_s=None).fit(X, y)
    X[2, 1] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        NeuralSRRegressor(n_iterations=1, time_budget_s=None).fit(X, X[:, 0])
