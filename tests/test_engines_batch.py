"""Batch scoring and fitting: both backends agree with the reference evaluator and each other."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from srbench_lite.engines.common import ARITY, columns, evaluate, n_constants
from srbench_lite.engines.common.batch import (
    Batch,
    Data,
    backend,
    fit_many,
    score_many,
    use_backend,
    values_many,
)
from srbench_lite.engines.common.operators import OPS
from srbench_lite.engines.common.scaling import linear_scale

BACKENDS = ["numpy"] + (["numba"] if backend() == "numba" else [])


def _random(rng, depth, d):
    if depth == 0 or rng.random() < 0.25:
        r = rng.random()
        if r < 0.55:
            return [f"x{rng.integers(d)}"]
        if r < 0.85:
            return ["c"]
        return [str(rng.choice(["1", "2", "0.5", "-1", "pi"]))]
    op = str(rng.choice(sorted(ARITY)))
    out = [op]
    for _ in range(ARITY[op]):
        out += _random(rng, depth - 1, d)
    return out


def _population(seed=0, n=300, d=3):
    rng = np.random.default_rng(seed)
    progs = [tuple(_random(rng, 4, d)) for _ in range(n)]
    consts = [rng.uniform(-2, 2, n_constants(t)) for t in progs]
    return progs, consts


@pytest.mark.parametrize("name", BACKENDS)
def test_score_many_matches_evaluate_and_linear_scaling(name):
    rng = np.random.default_rng(1)
    X = rng.uniform(-3, 3, size=(80, 3))
    y = X[:, 0] * X[:, 1] - np.sin(X[:, 2])
    progs, consts = _population()
    data = Data.from_xy(X, y)
    with use_backend(name):
        s = score_many(progs, consts, data)
        vals, ok = values_many(progs, consts, data)
    cols = columns(X)
    for p, (t, c) in enumerate(zip(progs, consts, strict=True)):
        want = evaluate(t, cols, c)
        assert (want is not None) == ok[p] == np.isfinite(s.loss[p]), t
        if want is None:
            continue
        # 1-ulp differences of libm functions grow in ill-conditioned programs
        np.testing.assert_allclose(vals[p], want, rtol=1e-7, atol=1e-12)
        a, b, mse = linear_scale(want, y)
        assert s.loss[p] == pytest.approx(mse / np.var(y), rel=1e-6, abs=1e-9), t


@pytest.mark.parametrize("name", BACKENDS)
def test_every_operator_agrees_with_numpy_and_sympy(name):
    rng = np.random.default_rng(2)
    X = rng.uniform(0.2, 0.95, size=(30, 2))  # inside every operator's domain (asin, cbrt)
    data = Data.from_xy(X)
    progs = [(op, "x0", "x1") if o.arity == 2 else (op, "x0") for op, o in OPS.items()]
    with use_backend(name):
        vals, ok = values_many(progs, None, data)
    assert ok.all()
    a, b = sp.symbols("a b", real=True)
    for p, (op, o) in enumerate(OPS.items()):
        args = (X[:, 0], X[:, 1]) if o.arity == 2 else (X[:, 0],)
        want = o.numpy(*args)
        np.testing.assert_allclose(vals[p], want, rtol=1e-14, err_msg=op)
        syms = (a, b)[: o.arity]
        f = sp.lambdify(syms, o.sympy(*syms), "numpy")
        np.testing.assert_allclose(f(*args), want, rtol=1e-14, err_msg=op)
        folded = [o.value(*(float(v[i]) for v in args)) for i in range(3)]
        np.testing.assert_allclose(folded, want[:3], rtol=1e-14, err_msg=op)


@pytest.mark.parametrize("name", BACKENDS)
def test_non_finite_intermediates_are_rejected(name):
    X = np.array([[0.0, 1.0], [2.0, 1.0], [-1.0, 3.0]])
    data = Data.from_xy(X, X[:, 1])
    progs = [
        ("div", "x0", "div", "x0", "0"),  # x / (x / 0): numpy says 0 on finite rows
        ("log", "x0"),
        ("sqrt", "x0"),
        ("exp", "mul", "1000", "x1"),
        ("pow", "x0", "0.5"),
        ("cbrt", "x0"),  # sympy's real x**(1/3): undefined for x < 0, as sqrt
        ("atan", "exp", "mul", "1000", "x1"),  # atan(inf) is finite: its input is checked
        ("cosh", "mul", "1000", "x1"),
        ("add", "x0", "x1"),
    ]
    with use_backend(name):
        s = score_many(progs, None, data)
    assert list(np.isfinite(s.loss)) == [False] * 8 + [True]


@pytest.mark.parametrize("name", BACKENDS)
def test_fit_many_recovers_constants(name):
    rng = np.random.default_rng(3)
    X = rng.uniform(0.5, 2.0, size=(60, 2))
    y = 3.0 * np.exp(-0.7 * X[:, 0]) + 2.0 * np.sin(1.3 * X[:, 1])
    progs = [
        ("add", "exp", "mul", "c", "x0", "mul", "c", "sin", "mul", "c", "x1"),
        ("mul", "c", "x0"),
        ("x0",),
    ]
    starts = [np.array([-0.5, 1.5, 1.2]), np.array([2.0]), np.zeros(0)]
    data = Data.from_xy(X, y)
    with use_backend(name):
        before = score_many(progs, starts, data)
        fit = fit_many(progs, starts, data, iters=60)
    assert fit.loss[0] < 1e-12
    np.testing.assert_allclose(fit.consts[0], [-0.7, 2.0 / 3.0, 1.3], rtol=1e-5)
    assert np.all(fit.loss <= before.loss + 1e-15)
    assert fit.consts[2].size == 0


@pytest.mark.parametrize("name", BACKENDS)
def test_a_batch_fits_a_subset_and_leaves_itself_alone(name):
    rng = np.random.default_rng(7)
    X = rng.uniform(0.5, 2.0, size=(60, 3))
    y = 1.7 * X[:, 0] * X[:, 1] - np.sin(X[:, 2])
    progs, consts = _population(8, 120)
    data = Data.from_xy(X, y)
    with use_backend(name):
        batch = Batch(progs, consts)
        loss, a, b = batch.score(data)
        ref = score_many(progs, consts, data)
        which = [i for i in range(len(progs)) if len(consts[i]) and i % 3][:40]
        sub = batch.take(which)
        lf, af, bf = sub.fit(data, iters=6)
        want = fit_many([progs[i] for i in which], [consts[i] for i in which], data, iters=6)
        again, _, _ = sub.score(data)  # the fitted constants stayed in the subset
        after, _, _ = batch.score(data)
    assert sub.backend == batch.backend == name and len(sub) == len(which)
    np.testing.assert_array_equal(loss, ref.loss)
    np.testing.assert_array_equal(after, loss)  # the parent batch is unchanged
    assert batch.n_consts() == [len(c) for c in consts]
    for j, i in enumerate(which):
        np.testing.assert_array_equal(batch.consts(i), consts[i])
        np.testing.assert_array_equal(sub.consts(j), want.consts[j])
    np.testing.assert_array_equal(lf, want.loss)
    np.testing.assert_array_equal(af, want.a)
    fin = np.isfinite(lf)
    np.testing.assert_allclose(again[fin], lf[fin], rtol=1e-9, atol=1e-14)
    assert np.all(lf[fin] <= loss[which][fin] + 1e-15)
    with pytest.raises(ValueError, match="2 constants but 1"):
        with use_backend(name):
            Batch([("add", "c", "mul", "c", "x0")], [[1.0]])


def test_packing_matches_a_direct_encoding():
    pytest.importorskip("numba")
    from srbench_lite.engines.common.operators import VAL, VAR
    from srbench_lite.engines.common.program import pack

    progs = [("mul", "c", "add", "x1", "c"), ("add", "pi", "p1"), ("x0",), ("sub", "2", "c")]
    P = pack(progs, [[2.0, 3.0], [5.0, 6.0], [], None])
    add, mul, sub = OPS["add"].code, OPS["mul"].code, OPS["sub"].code
    want = [
        [(VAL, 1), (VAR, 1), (add, 0), (VAL, 0), (mul, 0)],
        [(VAL, 1), (VAL, 2), (add, 0)],
        [(VAR, 0)],
        [(VAL, 0), (VAL, 1), (sub, 0)],
    ]
    assert P.nodes.T.tolist() == [list(n) for w in want for n in w]
    assert P.progs.T.tolist() == [[0, 5, 0, 2], [5, 3, 2, 2], [8, 1, 5, 0], [9, 3, 5, 1]]
    np.testing.assert_array_equal(P.vals, [2.0, 3.0, 5.0, 6.0, np.pi, 1.0, 2.0])
    assert P.depth == 2
    for bad, match in (
        ((("add", "x0"),), "single expression"),
        (((),), "single expression"),
        ((("foo",),), "unknown token"),
    ):
        with pytest.raises(ValueError, match=match):
            pack(bad, [None])
    with pytest.raises(ValueError, match="1 constants but 2"):
        pack([("x0",), ("add", "c", "x0")], [None, [1.0, 2.0]])


def test_backends_give_the_same_losses():
    if "numba" not in BACKENDS:
        pytest.skip("numba not installed")
    rng = np.random.default_rng(4)
    X = rng.uniform(-2, 2, size=(50, 3))
    y = X[:, 0] ** 2 + X[:, 1]
    progs, consts = _population(5, 200)
    data = Data.from_xy(X, y)
    out = {}
    for name in BACKENDS:
        with use_backend(name):
            out[name] = score_many(progs, consts, data).loss
    fin = np.isfinite(out["numpy"])
    assert (fin == np.isfinite(out["numba"])).all()
    np.testing.assert_allclose(out["numba"][fin], out["numpy"][fin], rtol=1e-6, atol=1e-10)


def test_bad_batches_are_named():
    data = Data.from_xy(np.ones((4, 1)), np.arange(4.0))
    with pytest.raises(ValueError, match="2 constants but 1"):
        score_many([("add", "c", "mul", "c", "x0")], [[1.0]], data)
    with pytest.raises(ValueError, match="1 programs but 2"):
        score_many([("x0",)], [[], []], data)
    with pytest.raises(ValueError, match="unknown backend"):
        with use_backend("cuda"):
            pass


@pytest.mark.skipif(backend() != "numba", reason="needs numba")
def test_one_background_compilation_across_processes(monkeypatch, tmp_path):
    """Concurrent job processes (each with its own ``_WARMING``) start one compilation, not one
    each; a stale lock (a compile that died) is taken over."""
    import os
    import time

    from srbench_lite.engines.common import kernels, warm_up

    started = []

    class FakePopen:
        def __init__(self, argv, **kwargs):
            started.append(argv)

        def poll(self):
            return None

    monkeypatch.setattr(kernels, "compiled", lambda: False)
    monkeypatch.setattr(warm_up.subprocess, "Popen", FakePopen)
    monkeypatch.setattr(warm_up.tempfile, "gettempdir", lambda: str(tmp_path))
    for _ in range(3):  # three job processes, each starting with an empty list
        monkeypatch.setattr(warm_up, "_WARMING", [])
        assert warm_up.fit_backend() == "numpy"
    assert len(started) == 1
    lock = started[0][-1]
    assert os.path.exists(lock) and os.path.dirname(lock) == str(tmp_path)

    old = time.time() - 2 * warm_up._STALE_LOCK_S
    os.utime(lock, (old, old))
    monkeypatch.setattr(warm_up, "_WARMING", [])
    assert warm_up.fit_backend() == "numpy"
    assert len(started) == 2


@pytest.mark.skipif(backend() != "numba", reason="needs numba")
def test_kernels_load_only_what_is_compiled(monkeypatch):
    """``kernels.load`` (the job forkserver's) never compiles: without the compiled record it
    runs nothing; with it, every kernel is then ready in the process."""
    from srbench_lite.engines.common import kernels

    ran = []
    monkeypatch.setattr(kernels, "_call_each", lambda: ran.append(1))
    monkeypatch.setattr(kernels, "compiled", lambda: False)
    assert kernels.load() is False and not ran
    monkeypatch.setattr(kernels, "compiled", lambda: True)
    assert kernels.load() is True and ran == [1]
    monkeypatch.undo()
    kernels.warm_up()  # compiles here if nothing did yet (then the record exists)
    assert kernels.load() is True
    assert all(f.signatures for f in kernels.KERNELS)
