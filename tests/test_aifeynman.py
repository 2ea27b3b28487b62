"""AI Feynman: its declaration, the adapter's budget and model string (here, without the
package), and a smoke run in its environment where that is created."""

from __future__ import annotations

import numpy as np
import pytest

from srbench_lite.environments import places
from srbench_lite.methods import get_method
from srbench_lite.methods.adapters import aifeynman as adapter


def test_declaration():
    spec = get_method("aifeynman")
    env = spec.environment
    assert "numpy<2" in env.constraints() and env.system == ("gfortran",)
    assert ("--no-build-isolation", "--no-deps", "aifeynman==2.0.7") in env.steps
    assert env.python == "3.11" and "apt-get install gfortran" in env.system_hint
    assert spec.budget_param == "time_budget_s" and spec.dialect == "x0"


def test_budget_sets_the_brute_force_limit():
    assert adapter.bf_try_time(None) == 60.0  # SRBench's setting
    assert adapter.bf_try_time(8) == 5.0  # never below a call worth starting
    assert adapter.bf_try_time(26 * 20) == 20.0
    assert adapter.bf_try_time(7200) == 60.0


def test_model_string_is_read_without_eval():
    X = np.array([[0.5, 2.0], [0.25, -1.0]])
    got = adapter._evaluate("0.5 + 2.5*x0 - 1.5*x1", X)
    assert np.allclose(got, 0.5 + 2.5 * X[:, 0] - 1.5 * X[:, 1])
    assert np.allclose(adapter._evaluate("pi*asin(x0)", X), np.pi * np.arcsin(X[:, 0]))
    assert adapter._evaluate("3/2", X).tolist() == [1.5, 1.5]  # a constant, one per row
    with pytest.raises(Exception, match="(?i)unparseable|not allowed|unknown"):
        adapter._evaluate("__import__('os')", X)


@pytest.mark.slow
def test_smoke_run_in_its_environment(tmp_path):
    """Where ``srbench-lite env create aifeynman`` has run: a job fits in the environment
    (numpy 1), and its record carries that environment and its versions."""
    from srbench_lite.records import read_records
    from srbench_lite.runner import run_benchmark

    spec = get_method("aifeynman")
    if places.state(spec) != "created":
        pytest.skip(f"AI Feynman's environment is not created: {places.missing_reason(spec)}")
    run_benchmark("smoke", "aifeynman", datasets="smoke_linear", out=tmp_path / "run",
                  time_budget=20)  # fmt: skip
    (row,) = read_records(tmp_path / "run")
    assert row["status"] == "ok", row["error"]
    assert row["environment"] == places.environment_name(spec)
    assert row["versions"]["numpy"].startswith("1.") and "aifeynman" in row["versions"]
    assert row["expression_mismatch"] is False and row["r2_test"] > 0.9  # 0.985 at 20 s here
