"""The example of docs/adding_a_suite.md works as documented."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from srbench_lite.cli import main
from srbench_lite.data import get_suite, list_problems, load_problem
from srbench_lite.data.formula import evaluate_formula
from srbench_lite.data.registry import ENV_PATH
from srbench_lite.runner import run_benchmark

DOC = Path(__file__).resolve().parents[1] / "docs" / "adding_a_suite.md"


def _block(lang: str) -> str:
    (block,) = re.findall(rf"```{lang}\n(.*?)```", DOC.read_text(), flags=re.S)
    return block


@pytest.fixture
def lab_laws(tmp_path, monkeypatch):
    folder = tmp_path / "my-suites"
    folder.mkdir()
    (folder / "lab-laws.csv").write_text(_block("csv"))
    (folder / "lab-laws.json").write_text(_block("json"))
    # the registry caches per value of the variable: a fresh folder is a fresh registry
    monkeypatch.setenv(ENV_PATH, str(folder))
    return folder


def test_example_table_is_a_suite(lab_laws, capsys):
    suite = get_suite("lab-laws")
    settings = json.loads(_block("json"))
    assert suite.description == settings["description"]
    assert list_problems("lab-laws") == ["pendulum_period", "gas_pressure", "drag_force", "cooling"]
    assert main(["datasets", "--suite", "lab-laws"]) == 0
    assert "2*pi*sqrt(L/g)" in capsys.readouterr().out
    for name in list_problems("lab-laws"):
        prob = load_problem(name, seed=1)
        assert len(prob.y_train) + len(prob.y_test) == settings["n_samples"]
        y = evaluate_formula(prob.formula, prob.feature_names, prob.X_test)
        np.testing.assert_allclose(y, prob.y_test, rtol=1e-12)


def test_example_python_snippet(lab_laws):
    problem = load_problem("pendulum_period", seed=0, noise=0.01)
    assert problem.formula == "2*pi*sqrt(L/g)" and problem.X_train.shape == (1500, 2)


def test_example_suite_runs(lab_laws, tmp_path):
    frame = run_benchmark(
        "lab-laws", "linear", datasets="gas_pressure", out=tmp_path / "run", time_budget=5
    )
    (row,) = frame.to_dict("records")
    assert row["status"] == "ok", row["error"]
    assert row["suite"] == "lab-laws" and row["true_expression"] == "8.314462618*n*T/V"
    assert row["r2_test"] > 0.5
