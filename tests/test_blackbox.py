"""The black-box suite: SRBench's 122 PMLB datasets read with the real loader from a local
cache of SYNTHETIC files in PMLB's layout (tests/blackbox_support.py), SRBench's split, and
the offline path (nothing is ever downloaded here)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import numpy as np
import pytest
from blackbox_support import shape_of, write_synthetic

from srbench_lite.cli import main
from srbench_lite.data import get_spec, get_suite, list_problems, load_problem, pmlb_cache
from srbench_lite.data.blackbox import feature_names
from srbench_lite.data.pmlb_cache import DataUnavailableError, ensure_cached
from srbench_lite.errors import SrbenchError
from srbench_lite.published import blackbox_datasets

SUITE = "srbench-blackbox"


@pytest.fixture(autouse=True)
def _offline(monkeypatch):
    """No test may download: every test runs as if the machine were offline."""
    monkeypatch.setenv(pmlb_cache.ENV_OFFLINE, "1")
    monkeypatch.delenv(pmlb_cache.ENV_CACHE, raising=False)


@pytest.fixture
def cache(tmp_path):
    folder = tmp_path / "pmlb"
    write_synthetic(folder, "1027_ESL", columns=["in1", "in2", "in3", "in4"])
    write_synthetic(folder, "192_vineyard", seed=1)
    return folder


# --- the suite --------------------------------------------------------------------------------


def test_suite_lists_srbench_datasets_without_truth():
    names = list_problems(SUITE)
    published = blackbox_datasets()
    assert names == [d.name for d in published] and len(names) == 122
    for d in published:
        spec = get_spec(d.name)
        assert not spec.has_truth and spec.formula == ""
        assert spec.n_features == d.n_features and spec.meta["n_rows"] == d.n_rows
    suite = get_suite(SUITE)
    assert not suite.has_ground_truth and suite.max_train == 10_000
    assert suite.default_split == (0.75, 0.0, 0.25)


# --- the real loader on PMLB-layout files -----------------------------------------------------


def test_real_loader_reads_the_cache(cache, monkeypatch):
    import pmlb

    calls = []
    real = pmlb.fetch_data
    monkeypatch.setattr(pmlb, "fetch_data", lambda *a, **k: calls.append((a, k)) or real(*a, **k))
    X, y = write_synthetic(cache, "1027_ESL", seed=5, columns=["in1", "in2", "in3", "in4"])
    prob = load_problem("1027_ESL", seed=3, pmlb_cache_dir=cache)
    assert calls == [(("1027_ESL",), {"local_cache_dir": str(cache)})]
    assert (len(prob.y_train), len(prob.y_test)) == (366, 122)  # 75/25 of 488
    assert prob.feature_names == ["in1", "in2", "in3", "in4"] and prob.formula == ""
    assert not prob.has_truth and prob.meta["columns"] == ["in1", "in2", "in3", "in4"]
    # every row once, as in the file (the file stores 17 significant digits)
    rows = np.vstack([prob.X_train, prob.X_test])
    order = np.lexsort(rows.T[::-1])
    np.testing.assert_allclose(rows[order], X[np.lexsort(X.T[::-1])], rtol=1e-15)
    np.testing.assert_allclose(
        np.sort(np.concatenate([prob.y_train, prob.y_test])), np.sort(y), rtol=1e-15
    )
    with pytest.raises(SrbenchError, match="no ground truth"):
        prob.sympy()


def test_seed_rules(cache):
    a = load_problem("1027_ESL", seed=0, pmlb_cache_dir=cache)
    b = load_problem("1027_ESL", seed=0, pmlb_cache_dir=cache)
    c = load_problem("1027_ESL", seed=1, pmlb_cache_dir=cache)
    np.testing.assert_array_equal(a.X_train, b.X_train)
    assert not np.array_equal(a.X_train, c.X_train)  # another seed: another split
    noisy = load_problem("1027_ESL", seed=0, noise=0.1, pmlb_cache_dir=cache)
    np.testing.assert_array_equal(noisy.y_test, a.y_test)  # noise on the training target only
    assert not np.array_equal(noisy.y_train, a.y_train)
    sub = load_problem("1027_ESL", seed=0, n_samples=100, pmlb_cache_dir=cache)
    assert (len(sub.y_train), len(sub.y_test)) == (75, 25)


def test_environment_variable_names_the_cache(cache, monkeypatch):
    monkeypatch.setenv(pmlb_cache.ENV_CACHE, str(cache))
    assert load_problem("192_vineyard").X_train.shape == (39, 2)  # 75 % of 52 rows
    assert pmlb_cache.cache_dir() == cache
    assert pmlb_cache.cache_dir("elsewhere").name == "elsewhere"  # the argument wins
    monkeypatch.delenv(pmlb_cache.ENV_CACHE)
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache.parent / "xdg"))
    assert pmlb_cache.cache_dir() == cache.parent / "xdg" / "srbench-lite" / "pmlb"


def test_training_rows_capped_at_10000(tmp_path):
    name = "1199_BNG_echoMonths"
    n_rows, _ = shape_of(name)
    write_synthetic(tmp_path, name)
    prob = load_problem(name, pmlb_cache_dir=tmp_path)
    assert len(prob.y_train) == 10_000 and len(prob.y_test) == n_rows - round(0.75 * n_rows)


def test_feature_names_fall_back_to_x_names():
    assert feature_names(["a", "b_2"]) == ["a", "b_2"]
    # the parser keeps a feature named like a function or constant a plain symbol
    assert feature_names(["sin", "pi"]) == ["sin", "pi"]
    for bad in (["a", "a"], ["lambda", "b"], ["my col", "b"], ["1x", "b"], ["a", "x-y"]):
        assert feature_names(bad) == ["x0", "x1"], bad


def test_bad_files(tmp_path):
    from srbench_lite.data.pmlb_io import write_pmlb

    write_pmlb(tmp_path, "192_vineyard", np.zeros((52, 3)), np.zeros(52), ["a", "b", "c"])
    with pytest.raises(SrbenchError, match="3 feature column.*has 2"):
        load_problem("192_vineyard", pmlb_cache_dir=tmp_path)
    path = tmp_path / "1027_ESL" / "1027_ESL.tsv.gz"
    path.parent.mkdir()
    path.write_bytes(b"not gzip")
    with pytest.raises(SrbenchError, match="cannot read"):
        load_problem("1027_ESL", pmlb_cache_dir=tmp_path)


# --- offline ----------------------------------------------------------------------------------


def test_missing_dataset_offline_names_it_and_how_to_fetch(cache):
    with pytest.raises(DataUnavailableError) as info:
        load_problem("1028_SWD", pmlb_cache_dir=cache)
    text = str(info.value)
    assert "1028_SWD" in text and "pmlb.fetch_data" in text and "--pmlb-cache" in text
    assert ensure_cached(["1027_ESL", "192_vineyard"], cache) == []  # all there: nothing to do


def test_availability_check_fails_fast_without_network(cache, monkeypatch):
    """The real check (no forced offline): a host that does not answer makes it give up at
    once, and the message says PMLB cannot be reached."""
    monkeypatch.delenv(pmlb_cache.ENV_OFFLINE)
    closed = ("127.0.0.1", 9)  # the discard port: refused on any test machine
    monkeypatch.setattr(pmlb_cache, "PMLB_HOST", closed)
    assert not pmlb_cache.network_available(closed, timeout=2.0)
    with pytest.raises(DataUnavailableError, match="cannot be reached") as info:
        ensure_cached(["1028_SWD", "1029_LEV"], cache)
    assert "1028_SWD, 1029_LEV" in str(info.value)


def test_many_missing_datasets_get_a_suite_wide_hint(tmp_path):
    with pytest.raises(DataUnavailableError) as info:
        ensure_cached(list_problems(SUITE), tmp_path)
    text = str(info.value)
    assert "122 dataset(s)" in text and "and 110 more" in text
    assert "list_problems('srbench-blackbox')" in text


def test_download_failure_is_reported(cache, monkeypatch):
    import pmlb

    monkeypatch.delenv(pmlb_cache.ENV_OFFLINE)
    monkeypatch.setattr(pmlb_cache, "network_available", lambda *a, **k: True)

    def fail(name, local_cache_dir=None):
        raise ValueError("Dataset not found in PMLB.")

    monkeypatch.setattr(pmlb, "fetch_data", fail)
    with pytest.raises(DataUnavailableError, match="downloading PMLB dataset '1028_SWD'"):
        ensure_cached(["1028_SWD"], cache)


def test_run_with_an_empty_cache_offline_exits_2_before_any_job(tmp_path, capsys):
    empty, out = tmp_path / "empty", tmp_path / "run"
    empty.mkdir()
    code = main(["run", "--suite", SUITE, "--datasets", "1027_ESL,1028_SWD", "--pmlb-cache",
                 str(empty), "--methods", "linear", "--out", str(out)])  # fmt: skip
    assert code == 2 and not out.exists()
    err = capsys.readouterr().err
    assert "1027_ESL, 1028_SWD" in err and "pmlb.fetch_data" in err and "--pmlb-cache" in err


def test_offline_cli_answers_in_seconds(tmp_path):
    """As a user runs it: a fresh process, no cache, no network (the real check, against a
    host that answers nothing); the hang guard is generous, the point is that it returns."""
    env = {**os.environ, pmlb_cache.ENV_CACHE: str(tmp_path / "empty")}
    env.pop(pmlb_cache.ENV_OFFLINE, None)
    code = (
        "import sys; from srbench_lite.data import pmlb_cache; "
        "pmlb_cache.PMLB_HOST = ('127.0.0.1', 9); from srbench_lite.cli import main; "
        "sys.exit(main(['run', '--suite', 'srbench-blackbox', '--datasets', '1027_ESL', "
        f"'--methods', 'linear', '--out', {str(tmp_path / 'run')!r}]))"
    )
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "1027_ESL" in done.stderr and "cannot be reached" in done.stderr
    assert time.perf_counter() - start < 120


def test_pmlb_cache_flag_needs_a_suite_that_reads_it(tmp_path, capsys):
    code = main(["run", "--suite", "smoke", "--methods", "linear", "--pmlb-cache",
                 str(tmp_path), "--out", str(tmp_path / "run")])  # fmt: skip
    assert code == 2 and "--pmlb-cache" in capsys.readouterr().err
