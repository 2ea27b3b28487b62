"""The screening's prior sets: general rows by default, law templates only in gp-physics."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import srbench_lite
from srbench_lite.engines.gp import GPRegressor
from srbench_lite.engines.gp.library_terms import build_library
from srbench_lite.engines.gp.prior_sets import PRIOR_SETS, resolve_priors
from srbench_lite.engines.gp.priors import GENERAL

ENGINES = Path(srbench_lite.__file__).parent / "engines"
LAW_WORDS = re.compile(r"lorentz|planck|rutherford|bose|gaussian", re.IGNORECASE)


def test_law_names_occur_only_in_the_physics_prior_set():
    hits = sorted(
        str(p.relative_to(ENGINES))
        for p in ENGINES.rglob("*.py")
        if LAW_WORDS.search(p.read_text(encoding="utf-8"))
    )
    assert hits == ["gp/physics_priors.py"], hits


def test_every_row_says_why_and_physics_extends_general():
    physics = PRIOR_SETS["physics"]
    for prior in PRIOR_SETS.values():
        assert all(row["why"] for row in prior.rows()), prior.name
    general_names = {r["name"] for r in GENERAL.rows()}
    physics_names = {r["name"] for r in physics.rows()}
    assert general_names < physics_names
    assert {"bose", "planck", "sech", "Lorentz factor"} <= physics_names - general_names
    assert GENERAL.max_abs_exponent == 4.0 and physics.max_abs_exponent == 6.0


def test_general_library_has_no_law_templates():
    terms = build_library(GENERAL.terms, 4)
    assert ("square", "cos", "x0") not in terms
    assert not any(t[:3] == ("square", "div", "sub") for t in terms)
    physics_terms = build_library(PRIOR_SETS["physics"].terms, 4)
    assert ("square", "cos", "x0") in physics_terms
    assert set(terms) < set(physics_terms)


def test_unknown_prior_set_is_named():
    with pytest.raises(ValueError, match="general, physics"):
        resolve_priors("chemistry")
    with pytest.raises(ValueError, match="'priors' parameter of GPRegressor"):
        GPRegressor(n_iterations=1, priors="chemistry").fit(np.ones((5, 1)), np.arange(5.0))


def test_gp_physics_method_is_registered_with_its_assumption():
    from srbench_lite.methods import get_method

    spec = get_method("gp-physics")
    assert "physics priors" in spec.description
    assert spec.factory().priors == "physics"
    assert get_method("gp").factory().priors == "general"
    assert "no law templates" in get_method("gp").description


def test_screening_uses_only_the_rows_of_its_prior_set():
    from srbench_lite.engines.common.batch import Data
    from srbench_lite.engines.gp.monomial import monomial_candidates
    from srbench_lite.engines.gp.screening import make_targets

    rng = np.random.default_rng(4)
    X = np.column_stack([rng.uniform(1, 5, 300), rng.uniform(1, 2, 300), rng.uniform(3, 10, 300)])
    y = X[:, 0] / (np.exp(X[:, 1] * X[:, 2] / 7) - 1)  # a Bose-shaped target
    data = Data.from_xy(X, y)
    cands = monomial_candidates(data.cols, data.y)
    for name, prior in PRIOR_SETS.items():
        targets, lib = make_targets(data, cands, 30, 50, priors=prior)
        allowed = {t.name for t in prior.transforms}
        assert {t.transform.name for t in targets} <= allowed, name
        assert set(lib) <= set(build_library(prior.terms, 3)), name
        lorentz = any(t.factor and "sqrt" in t.factor for t in targets)
        assert lorentz == (name == "physics"), name  # x1 < x2 on every row: a Lorentz pair


def test_docs_hold_the_prior_table_verbatim():
    from srbench_lite.engines.gp.prior_sets import markdown_table

    doc = (Path(__file__).parents[1] / "docs" / "engine_priors.md").read_text(encoding="utf-8")
    assert markdown_table() in doc
    for prior in PRIOR_SETS.values():
        for row in prior.rows():
            assert f"`{row['name']}`" in doc, row


def test_log_factors_split_off_functions_of_single_variables():
    from srbench_lite.engines.gp.log_factors import log_factors

    rng = np.random.default_rng(0)
    X = rng.uniform(1, 5, size=(400, 4))
    x0, x1, x2, x3 = X.T
    # x1*x3*sin(x0) is a factor: what it leaves, x2² + 4.54, is a library sum
    got = log_factors(list(X.T), x1 * x3 * (x2**2 + 4.54) * np.sin(x0))
    assert got == [("mul", "mul", "x1", "x3", "sin", "x0"), ("sin", "x0")]
    got = log_factors(list(X.T), 1.9 * x1**3 * np.cos(x2) * np.sinh(x0))
    assert ("mul", "cos", "x2", "sinh", "x0") in got
    assert log_factors(list(X.T), (x0 + 1) ** 2 * np.exp(x1**2 / x2))[-1] == (
        "exp", "div", "square", "x1", "x2")
    assert log_factors(list(X.T), x0 * x1 / x2) == []  # a power law: nothing beyond it
    assert log_factors(list(X.T), x0 - x1) == []  # touches 0 (sign changes)
