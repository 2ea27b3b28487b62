"""scikit-learn's common estimator checks over every bundled method whose package is installed.

Each estimator is built through its :class:`MethodSpec` (as the runner builds it) with small,
deterministic settings: a fixed amount of search instead of a wall-clock budget, so refits on
the same data give the same model (several checks compare fits). Checks a method fails for a
reason of its design are declared in :data:`EXPECTED_FAILURES`, each with that reason.
"""

from __future__ import annotations

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from srbench_lite.methods import get_method, list_methods

#: method -> small deterministic settings for the checks (no time budget: fixed work)
CHECK_PARAMS: dict[str, dict] = {
    "constant": {},
    "linear": {},
    "neural": {"time_budget_s": None, "n_iterations": 2, "batch_size": 20, "max_length": 10,
               "gp_generations": 1, "gp_population": 10, "random_state": 0},
    "gplearn": {"population_size": 50, "generations": 2, "random_state": 0},
    "operon": {"population_size": 50, "pool_size": 50, "max_evaluations": 2_000,
               "generations": 5, "random_state": 0},
    "rils-rols": {"max_fit_calls": 200, "random_state": 0},
    "ffx": {},
    "pysr": {"populations": 2, "niterations": 2, "random_state": 0},
    "itea": {"population_size": 20, "generations": 3, "random_state": 0},
    "qlattice": {"n_epochs": 1, "max_complexity": 4, "random_state": 0},
    "bingo": {"population_size": 20, "stack_size": 8, "generations": 10, "random_state": 0},
    "kan": {"hidden": 2, "train_steps": 2, "refit_steps": 2, "max_samples": 100,
            "symbolic_samples": 20, "library": ("x", "x^2", "sin"), "random_state": 0},
    "random-forest": {"n_estimators": 10, "random_state": 0},
    "hist-gb": {"max_iter": 20, "random_state": 0},
    "kernel-ridge": {},
    "mlp": {"random_state": 0},
}  # fmt: skip

_UNPICKLABLE = "the fitted tool model is a C++ object that cannot be pickled ({}); the runner "
_UNPICKLABLE += "never pickles a fitted estimator (a job returns its expression)"

#: methods whose checks run elsewhere or take long
CHECKED_IN = {
    "gp": "tests/test_gp_engine.py::test_sklearn_estimator_checks",
    # the same estimator class with priors="physics": its screening is what differs, and
    # tests/test_gp_priors.py and the physics cases of tests/test_gp_engine.py exercise it
    "gp-physics": "tests/test_gp_engine.py::test_sklearn_estimator_checks",
    # its estimator imports only in its own environment (numpy < 2): fitted there through the
    # runner, its predictions checked against its expression, in tests/test_aifeynman.py
    "aifeynman": "tests/test_aifeynman.py::test_smoke_run_in_its_environment",
    # the same for PS-Tree (its glmnet needs numpy < 2): the checks run in its environment
    "ps-tree": "tests/test_pstree.py::test_sklearn_checks_in_its_environment",
}
#: FFX has no knob to shrink its work: its fits on the checks' data take 3-40 s (~7 min in all)
SLOW = {"ffx"}

#: method -> {check name: why the method fails it by design}
EXPECTED_FAILURES: dict[str, dict[str, str]] = {
    "gplearn": {
        "check_regressors_train": "2 generations of 50 programs (sized for test time) do not "
        "reach R² > 0.5 on the check's 10-feature problem; the real settings do",
    },
    "itea": {
        "check_regressors_train": "SRBench's ITEA settings allow at most 2 IT terms: too few "
        "to reach R² > 0.5 on the check's 10-feature problem",
    },
    "kan": {
        "check_estimators_pickle": "the fitted network holds pykan's symbolic functions, "
        "lambdas that cannot be pickled; the runner never pickles a fitted estimator",
        **dict.fromkeys(
            ["check_regressor_data_not_an_array", "check_supervised_y_2d", "check_regressors_int"],
            "pykan's LBFGS training is not bit-reproducible (two fits on the same data with "
            "the same seed differ after one step: run-to-run floating-point variation that "
            "its 1e-32 tolerances amplify), and these checks compare two fits",
        ),
    },
    "operon": {"check_estimators_pickle": _UNPICKLABLE.format("pyoperon 0.6.2's Operon::Tree")},
    "rils-rols": {"check_estimators_pickle": _UNPICKLABLE.format("rils_rols_cpp.rils_rols")},
}


def _bundled() -> list[str]:
    return [n for n in list_methods() if get_method(n).source.startswith("entry point ")]


def _estimators(slow: bool) -> list:
    out = []
    for name in _bundled():
        if name in CHECKED_IN or (name in SLOW) != slow or not get_method(name).available:
            continue
        est = get_method(name).factory(**CHECK_PARAMS[name])
        _METHOD_OF[id(est)] = name
        out.append(est)
    return out


_METHOD_OF: dict[int, str] = {}  # id of each estimator built above -> its method name


def _expected(estimator) -> dict[str, str]:
    return EXPECTED_FAILURES.get(_METHOD_OF.get(id(estimator), ""), {})


def test_every_bundled_method_is_checked():
    assert sorted(_bundled()) == sorted([*CHECK_PARAMS, *CHECKED_IN])


@parametrize_with_checks(_estimators(slow=False), expected_failed_checks=_expected)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


@pytest.mark.slow
@parametrize_with_checks(_estimators(slow=True), expected_failed_checks=_expected)
def test_sklearn_estimator_checks_slow(estimator, check):
    check(estimator)
