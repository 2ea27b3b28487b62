"""The example of docs/adding_a_method.md works as documented."""

from __future__ import annotations

import re
from pathlib import Path

from srbench_lite.cli import main
from srbench_lite.methods.registry import ENV_PATH, get_method
from srbench_lite.runner import run_benchmark

DOC = Path(__file__).resolve().parents[1] / "docs" / "adding_a_method.md"


def _example(name: str = "best-feature") -> str:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)
    (block,) = [b for b in blocks if "METHOD = MethodSpec(" in b and f'"{name}"' in b]
    return block


def test_example_is_about_30_lines():
    assert 25 <= len(_example().strip().splitlines()) <= 50


def test_example_method_runs(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "my-methods"
    folder.mkdir()
    (folder / "best_feature.py").write_text(_example())
    # the registry caches per value of the variable: a fresh folder is a fresh registry
    monkeypatch.setenv(ENV_PATH, str(folder))
    assert get_method("best-feature").available
    assert main(["methods"]) == 0
    assert "best-feature" in capsys.readouterr().out

    frame = run_benchmark(
        "smoke", "best-feature", datasets="smoke_linear", out=tmp_path / "run", time_budget=5
    )
    (row,) = frame.to_dict("records")
    assert row["status"] == "ok", row["error"]
    assert row["method"] == "best-feature" and row["r2_test"] > 0.5
    assert re.fullmatch(r"[-+0-9.e*x ]+", row["expression"])


def test_example_without_expression_runs(tmp_path, monkeypatch):
    folder = tmp_path / "my-methods"
    folder.mkdir()
    (folder / "extra_trees.py").write_text(_example("extra-trees"))
    monkeypatch.setenv(ENV_PATH, str(folder))
    assert not get_method("extra-trees").has_expression
    frame = run_benchmark(
        "smoke", "extra-trees", datasets="smoke_linear", out=tmp_path / "run", time_budget=5
    )
    (row,) = frame.to_dict("records")
    assert row["status"] == "ok", row["error"]
    assert row["has_expression"] is False and row["model_size"] > 50  # leaves of 50 trees
    assert row["r2_test"] == row["r2_test_predict"] > 0.5
