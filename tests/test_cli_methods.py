"""``srbench-lite methods``: every method with availability, reason and install hint."""

from __future__ import annotations

import json

from runner_support import write_method

from srbench_lite.cli import main
from srbench_lite.methods.registry import ENV_PATH


def _missing_method(folder):
    write_method(folder, "t-absent")
    path = folder / "t_absent.py"
    path.write_text(path.read_text().replace(
        'description="test method: t-absent"',
        'requires=("surely_missing_pkg_xyz",), install="pip install surely-missing"',
    ))  # fmt: skip


def test_methods_table(tmp_path, monkeypatch, capsys):
    _missing_method(tmp_path / "m")
    monkeypatch.setenv(ENV_PATH, str(tmp_path / "m"))
    assert main(["methods"]) == 0
    out = capsys.readouterr().out
    lines = {ln.split()[0]: ln for ln in out.splitlines() if ln and not ln.startswith(" ")}
    assert lines["linear"].split()[1] == "yes" and lines["constant"].split()[1] == "yes"
    assert lines["t-absent"].split()[1] == "no"
    assert "surely_missing_pkg_xyz" in out and "pip install surely-missing" in out
    assert "methods available" in out


def test_methods_json(tmp_path, monkeypatch, capsys):
    _missing_method(tmp_path / "m")
    monkeypatch.setenv(ENV_PATH, str(tmp_path / "m"))
    assert main(["methods", "--json"]) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["constant"]["available"] is True and rows["constant"]["reason"] == ""
    assert rows["t-absent"]["available"] is False
    assert "surely_missing_pkg_xyz" in rows["t-absent"]["reason"]
    assert rows["t-absent"]["install"] == "pip install surely-missing"
