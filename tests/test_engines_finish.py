"""The finishing stage: from accurate models to the simplest exact form the data support."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from srbench_lite.engines.common.finish import (
    FLOOR,
    Finished,
    Finisher,
    description_length,
    select,
    to_frame,
)
from srbench_lite.engines.common.front import Entry


def _finisher(X, y, names, **kw):
    return Finisher(X, y, names, simplify_timeout=None, **kw)


def test_round_off_residue_and_near_integers_are_snapped():
    rng = np.random.default_rng(0)
    X = rng.uniform(1, 2, size=(300, 2))
    y = X[:, 0] / X[:, 1] ** 2
    # 1.0000000001 * x0 / (2.4e-15 + x1 ** 1.9999999999) + 8.7e-18
    toks = ("div", "x0", "add", "c", "pow", "x1", "c")
    f = _finisher(X, y, ["a", "b"])
    done = f.finish_tokens(toks, [2.4e-15, 1.9999999999], 1.0000000001, 8.7e-18)
    a, b = sp.symbols("a b")
    assert done.expr == a / b**2, done.expr
    assert done.loss < FLOOR and not done.expr.atoms(sp.Float)
    np.testing.assert_allclose(done.predict(X), y, rtol=1e-12)


def test_real_constants_stay_and_constants_are_tied():
    rng = np.random.default_rng(1)
    X = np.column_stack([rng.uniform(3, 5, 400), rng.uniform(0, 1, 400), rng.uniform(1, 3, 400)])
    # sqrt(2/m * (E - U)) written with three unrelated-looking fitted constants
    y = np.sqrt(2 * (X[:, 0] - X[:, 1]) / X[:, 2]) * 1.37
    toks = ("div", "sqrt", "add", "mul", "c", "x0", "mul", "c", "x1", "sqrt", "x2")
    k = 1.37**2 * 2
    f = _finisher(X, y, ["E", "U", "m"])
    done = f.finish_tokens(toks, [k * 0.6, -k * 0.6], 1 / np.sqrt(0.6))
    E, U, m = sp.symbols("E U m")
    ratio = sp.simplify(done.expr / (sp.sqrt(E - U) / sp.sqrt(m)))
    assert ratio.is_number, done.expr
    assert float(ratio) == pytest.approx(1.37 * np.sqrt(2), rel=1e-9)
    assert done.n_params == 1


def test_terms_that_do_not_matter_are_dropped():
    rng = np.random.default_rng(2)
    X = rng.uniform(1, 2, size=(300, 2))
    y = np.exp(-X[:, 0]) * X[:, 1]
    toks = ("add", "mul", "exp", "neg", "x0", "x1", "mul", "c", "sin", "x1")
    done = _finisher(X, y, ["x", "t"]).finish_tokens(toks, [3e-13])
    x, t = sp.symbols("x t")
    assert sp.simplify(done.expr - sp.exp(-x) * t) == 0, done.expr


def test_noise_keeps_a_snap_that_the_data_cannot_refuse():
    rng = np.random.default_rng(3)
    X = rng.uniform(1, 4, size=(2000, 1))
    clean = 3.0 * X[:, 0] ** 2
    y = clean + rng.normal(0, 0.01 * np.std(clean), size=len(clean))
    toks = ("pow", "x0", "c")
    done = _finisher(X, y, ["v"]).finish_tokens(toks, [2.0003], 2.9987)
    v = sp.Symbol("v")
    assert done.expr.atoms(sp.Pow) == {v**2}, done.expr


def test_description_length_prefers_shorter_exact_and_pays_for_terms():
    n = 1000
    assert description_length(1e-30, 5, 0, n) < description_length(1e-25, 9, 1, n)
    assert description_length(1e-4, 5, 1, n) < description_length(0.995e-4, 9, 3, n)
    assert description_length(1e-4, 9, 3, n) < description_length(2e-4, 5, 1, n)


def test_run_select_and_frame():
    rng = np.random.default_rng(4)
    X = rng.uniform(1, 2, size=(200, 2))
    y = 2.5 * X[:, 0] * X[:, 1]
    entries = [
        Entry(("x0",), [], 0.1, a=3.0, b=1.0),
        Entry(("mul", "x0", "x1"), [], 1e-31, a=2.5000000000001, b=0.0),
        Entry(("add", "mul", "x0", "x1", "mul", "c", "x0"), [1e-9], 1e-31, a=2.5, b=0.0),
    ]
    done = _finisher(X, y, ["a", "b"]).run(entries)
    best = select(done)
    a, b = sp.symbols("a b")
    assert sp.simplify(best.expr - sp.Rational(5, 2) * a * b) == 0
    assert select(done, "best").loss <= best.loss
    frame = to_frame(done)
    assert list(frame.columns[:4]) == ["complexity", "loss", "cost", "expression"]
    assert frame["complexity"].is_monotonic_increasing
    with pytest.raises(ValueError, match="unknown selection"):
        select(done, "elbow")
    with pytest.raises(ValueError, match="nothing"):
        select([])


def test_deadline_is_respected_and_something_is_returned():
    import time

    rng = np.random.default_rng(5)
    X = rng.uniform(1, 2, size=(200, 2))
    y = np.sin(X[:, 0]) + X[:, 1]
    entries = [Entry(("add", "sin", "x0", "x1"), [], 0.0)] * 20
    start = time.perf_counter()
    done = Finisher(X, y, ["a", "b"], deadline=start + 0.3).run(entries)
    assert time.perf_counter() - start < 1.5
    assert len(done) >= 1 and isinstance(done[0], Finished)
