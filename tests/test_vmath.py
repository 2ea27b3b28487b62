"""The kernels' vector math agrees with the C library (numpy) to 2 ulp, falls back to it outside
the fast formulas' ranges, and keeps the kernels' conventions for out-of-domain input."""

import numpy as np
import pytest

vm = pytest.importorskip("srbench_lite.engines.common.vmath")


def _ulp(got: np.ndarray, want: np.ndarray) -> float:
    return float(np.max(np.abs(got - want) / np.spacing(np.abs(want))))


def _apply(name: str, x: np.ndarray) -> np.ndarray:
    u = x.copy()
    if name in ("exp", "log"):
        getattr(vm, "v" + name)(u, len(u), np.empty(len(u)))
    else:
        getattr(vm, "v" + name)(u, len(u))
    return u


RANGES = {
    "exp": [(-700.0, 700.0), (-2.0, 2.0), (-708.0, -700.0)],
    "log": [(1e-300, 1e-290), (0.5, 2.0), (1.0, 1e300)],
    "sin": [(-10.0, 10.0), (-1e5, 1e5), (-1e-8, 1e-8)],
    "cos": [(-10.0, 10.0), (-1e5, 1e5), (-1e-8, 1e-8)],
}


@pytest.mark.parametrize("name", sorted(RANGES))
def test_fast_path_within_two_ulp(name):
    rng = np.random.default_rng(0)
    ref = getattr(np, name)
    for lo, hi in RANGES[name]:
        for _ in range(50):
            x = rng.uniform(lo, hi, 257)
            if name == "log" and hi / lo > 1e3:
                x = np.exp(rng.uniform(np.log(lo), np.log(hi), 257))
            assert _ulp(_apply(name, x), ref(x)) <= 2.0, (name, lo, hi)


def test_fallbacks_keep_the_kernel_conventions():
    x = np.array([1.0, 800.0, -800.0, np.nan])
    np.testing.assert_array_equal(_apply("exp", x)[:3], [np.e, np.inf, 0.0])
    assert not np.isfinite(_apply("exp", x)[3])  # nan in, non-finite out: the program fails
    got = _apply("log", np.array([np.e, 0.0, -1.0, 5e-324]))
    assert got[0] == pytest.approx(1.0, rel=1e-15)
    assert np.isnan(got[1]) and np.isnan(got[2])
    assert got[3] == np.log(5e-324)  # subnormal input: the C library's result
    big = np.array([1e6, 3.0, np.inf])
    np.testing.assert_array_equal(_apply("sin", big)[:2], np.sin(big[:2]))
    assert np.isnan(_apply("cos", big)[2])


def _pow(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    v = y.copy()
    vm.vpow(x.copy(), v, len(v), np.empty(len(v)), np.empty(len(v)))
    return v


def test_pow_fast_and_special_cases():
    rng = np.random.default_rng(1)
    x = rng.uniform(0.1, 10.0, 300)
    y = rng.uniform(-4.0, 4.0, 300)
    want = x**y
    # exp(y log x): the error grows with |y log x| (here at most ~10): a few ulp
    assert _ulp(_pow(x, y), want) <= 2.0 + 4.0 * np.max(np.abs(y * np.log(x)))
    np.testing.assert_array_equal(_pow(x, np.full(300, 2.0)), x * x)
    got = _pow(np.array([-2.0, -2.0, 0.0, 4.0]), np.array([2.0, 0.5, -1.0, 0.5]))
    assert got[0] == 4.0 and np.isnan(got[1]) and got[2] == np.inf and got[3] == 2.0
    # a result beyond the double range: the C library's inf
    assert _pow(np.array([10.0, 2.0]), np.array([400.0, 3.0]))[0] == np.inf
