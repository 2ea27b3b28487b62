"""The fit skeleton shared by the built-in engines (``srbench_lite.engines.base``): one parameter
table and message format, one ``Budget``, one set of fitted attributes, one ``predict``."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import numpy as np
import pytest

import srbench_lite
from srbench_lite.engines.base import EngineRegressor
from srbench_lite.engines.common.budget import Budget
from srbench_lite.engines.common.finish import Finished, Finisher
from srbench_lite.engines.common.front import Entry
from srbench_lite.engines.gp import GPRegressor
from srbench_lite.engines.neural.regressor import NeuralSRRegressor

ENGINES = [GPRegressor, NeuralSRRegressor]

#: the fitted attributes of every built-in engine (besides scikit-learn's n_features_in_)
FITTED = {
    "best_", "expression_", "equations_", "front_", "n_iterations_", "n_evaluations_",
    "stop_reason_", "search_info_", "y_mean_", "fit_time_s_", "n_features_in_",
}  # fmt: skip


def _data(n: int = 30):
    rng = np.random.default_rng(0)
    X = rng.uniform(0.5, 3.0, (n, 2))
    return X, X[:, 0] * X[:, 1]


# (engine, parameters, the bad parameter, what the message says is valid: text or its parts)
BAD = [
    (GPRegressor, {"population_size": 0}, "population_size", "an int in the range [1, inf)"),
    (GPRegressor, {"population_size": 2.5}, "population_size", "an int in the range"),
    (GPRegressor, {"n_islands": -1}, "n_islands", "an int in the range [1, inf)"),
    (GPRegressor, {"subsample": "all"}, "subsample", "an int in the range"),
    (GPRegressor, {"n_extra_targets": -1}, "n_extra_targets", "[0, inf)"),
    (GPRegressor, {"early_stop_loss": -1.0}, "early_stop_loss", "or None"),
    (GPRegressor, {"priors": "chemistry"}, "priors", ("'general'", "'physics'", "Priors")),
    (GPRegressor, {"operators": ("add", "foo")}, "operators", "operator names among {abs,"),
    (GPRegressor, {"operators": ()}, "operators", "a non-empty tuple"),
    (GPRegressor, {"model_selection": "elbow"}, "model_selection", "'mdl'"),
    (GPRegressor, {"time_budget_s": 0}, "time_budget_s", "range (0.0, inf) or None"),
    (GPRegressor, {"n_iterations": -1}, "n_iterations", "[0, inf) or None"),
    (GPRegressor, {"simplify_timeout_s": -2.0}, "simplify_timeout_s", "[0.0, inf) or None"),
    (GPRegressor, {"random_state": "seed"}, "random_state", "RandomState"),
    (NeuralSRRegressor, {"epsilon": 0.0}, "epsilon", "range (0.0, 1.0]"),
    (NeuralSRRegressor, {"batch_size": 1}, "batch_size", "[2, inf)"),
    (NeuralSRRegressor, {"cell": "transformer"}, "cell", "'lstm'"),
    (NeuralSRRegressor, {"screening_seeds": "yes"}, "screening_seeds", "bool"),
    (NeuralSRRegressor, {"operators": ["add", "nope"]}, "operators", "operator names among"),
    (NeuralSRRegressor, {"model_selection": "nope"}, "model_selection", "'mdl'"),
    (NeuralSRRegressor, {"n_iterations": 1.5}, "n_iterations", "[0, inf) or None"),
    (NeuralSRRegressor, {"simplify_timeout_s": "2"}, "simplify_timeout_s", "or None"),
]


@pytest.mark.parametrize(
    "engine, params, name, valid", BAD, ids=[f"{b[0].__name__}-{b[2]}" for b in BAD]
)
def test_bad_parameters_get_one_message_format(engine, params, name, valid):
    X, y = _data()
    with pytest.raises(ValueError) as err:
        engine(**{"n_iterations": 1, **params}).fit(X, y)
    msg = str(err.value)
    pattern = rf"^The '{name}' parameter of {engine.__name__} must be .+\. Got .+ instead\.$"
    assert re.match(pattern, msg, re.S), msg
    for part in (valid,) if isinstance(valid, str) else valid:  # (sets print in any order)
        assert part in msg, msg
    assert f"Got {params[name]!r} instead" in msg, msg


@pytest.mark.parametrize("engine", ENGINES)
def test_a_search_needs_a_bound(engine):
    X, y = _data()
    with pytest.raises(ValueError, match=rf"'time_budget_s' and 'n_iterations' parameters of "
                       rf"{engine.__name__} must not both be None.+Got None and None instead"):  # fmt: skip
        engine(time_budget_s=None, n_iterations=None).fit(X, y)


@pytest.mark.parametrize("engine", ENGINES)
def test_every_parameter_has_a_row_in_the_table(engine):
    params = set(inspect.signature(engine.__init__).parameters) - {"self"}
    assert params == set(engine._parameter_constraints)


def test_the_same_idea_has_the_same_parameter_name():
    shared = {"time_budget_s", "n_iterations", "operators", "model_selection",
              "simplify_timeout_s", "random_state"}  # fmt: skip
    for engine in ENGINES:
        assert shared <= set(engine().get_params())
    assert set(EngineRegressor._parameter_constraints) == shared


def test_the_engines_share_fit_predict_and_sympy():
    for engine in ENGINES:
        for name in ("fit", "predict", "sympy", "_validate_params"):
            assert getattr(engine, name) is getattr(EngineRegressor, name), (engine, name)
        assert len(inspect.getsource(engine._search).splitlines()) < 60
    assert len(inspect.getsource(EngineRegressor.fit).splitlines()) < 40


def test_gp_and_neural_have_the_same_fitted_attributes():
    pytest.importorskip("torch")
    X, y = _data(60)
    kw = {"time_budget_s": None, "n_iterations": 2, "random_state": 0, "simplify_timeout_s": None}
    gp = GPRegressor(population_size=8, n_islands=2, n_extra_targets=0, **kw).fit(X, y)
    nn = NeuralSRRegressor(batch_size=20, max_length=10, gp_generations=1, **kw).fit(X, y)
    for est in (gp, nn):
        fitted = {k for k in vars(est) if k.endswith("_") and not k.startswith("_")}
        assert fitted == FITTED, (type(est).__name__, fitted ^ FITTED)
        assert est.stop_reason_ in ("iterations", "time", "early_stop")
        assert 1 <= est.n_iterations_ <= 2 and est.n_evaluations_ > 0
        assert est.front_ and est.y_mean_ == pytest.approx(float(np.mean(y)))
    assert len(nn.search_info_["history"]) == nn.n_iterations_
    assert gp.search_info_["children"] > 0


def test_predict_gives_the_training_mean_where_the_model_is_undefined():
    X, y = _data(40)
    m = GPRegressor(time_budget_s=None, n_iterations=1, population_size=8, n_islands=2,
                    n_extra_targets=0, simplify_timeout_s=None, random_state=0).fit(X, y)  # fmt: skip
    m.best_ = Finished.from_entry(Entry(("log", "x0"), np.zeros(0), 0.0), ["x0", "x1"])
    Xn = np.array([[2.0, 1.0], [-1.0, 1.0], [0.0, 1.0]])
    out = m.predict(Xn)
    assert out[0] == pytest.approx(np.log(2.0))
    assert out[1] == out[2] == m.y_mean_
    assert np.isfinite(out).all()


def test_budget_owns_every_fraction():
    b = Budget(20.0, start=100.0)
    assert b.reserve_s == 4.0  # a fifth
    assert Budget(1.0).reserve_s == 0.5  # at most half
    assert Budget(4.0).reserve_s == 1.0  # at least a second
    assert Budget(300.0).reserve_s == 10.0  # at most ten seconds
    assert b.search_deadline == 100.0 + 20.0 - 4.0
    assert b.finish_deadline == pytest.approx(100.0 + 0.97 * 20.0)
    assert b.end == 120.0
    none = Budget(None)
    assert none.reserve_s == 0.0 and none.end is None
    assert none.search_deadline is none.finish_deadline is none.search_seconds() is None
    assert none.screening_deadline(None) is None
    # a search that starts after the search deadline still gets min_search_share
    assert Budget(10.0, start=0.0).search_seconds() == pytest.approx(0.05 * 10.0)
    import time

    now = time.perf_counter()
    by = Budget(10.0).screening_deadline(now + 8.0)
    assert now + 0.25 * 8.0 - 0.1 < by <= time.perf_counter() + 0.25 * 8.0
    assert inspect.signature(Finisher).parameters["ranking_share"].default == Budget.ranking_share


def test_budget_fractions_live_only_in_budget():
    """No engine module writes a share of the time budget as a bare number."""
    root = Path(srbench_lite.__file__).parent / "engines"
    pattern = re.compile(r"\b0\.(97|25|05|15)\s*\*|\*\s*0\.(97|25|05|15)\b|0\.2 \* budget")
    hits = [
        f"{p.relative_to(root)}:{i}"
        for p in root.rglob("*.py")
        if p.name != "budget.py"
        for i, line in enumerate(p.read_text().splitlines(), 1)
        if pattern.search(line) and ("budget" in line or "deadline" in line or "left" in line)
    ]
    assert not hits, hits


def test_one_search_config_and_one_lm_rows_default():
    from srbench_lite.engines.gp import evolution, screening, search, targets

    assert search.SearchConfig is evolution.SearchConfig
    assert not hasattr(evolution, "EvolutionConfig")
    assert evolution.SearchConfig(operators=("add",)).lm_rows == targets.LM_ROWS == 64
    for fn in (targets.Scorer, targets.Target, screening.make_targets):
        assert inspect.signature(fn).parameters["lm_rows"].default == targets.LM_ROWS


def test_class_names_are_unique_where_they_clashed():
    root = Path(srbench_lite.__file__).parent
    where: dict[str, list[str]] = {}
    for p in root.rglob("*.py"):
        for node in ast.walk(ast.parse(p.read_text())):
            if isinstance(node, ast.ClassDef):
                where.setdefault(node.name, []).append(str(p.relative_to(root)))
    for name in ("Library", "Batch", "ScreeningLibrary", "TokenLibrary", "SampleBatch"):
        assert len(where.get(name, [])) <= 1, (name, where[name])
