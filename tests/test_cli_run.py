"""``srbench-lite run``: bad input exits 2 before any job; a good run is readable by report."""

from __future__ import annotations

import json
import os

import pytest
from runner_support import write_method

from srbench_lite.cli import main
from srbench_lite.methods.registry import ENV_PATH

BASE = ["run", "--suite", "smoke", "--methods", "constant", "--time-budget", "2"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "--suite", "smoke", "--methods", "constnt"], "did you mean: constant"),
        (["run", "--suite", "smoek", "--methods", "constant"], "did you mean: smoke"),
        (["run", "--suite", "smoke", "--datasets", "smoke_lnear", "--methods", "constant"],
         "smoke_linear"),
        ([*BASE, "--time-budget", "0"], "--time-budget"),
        ([*BASE, "--time-budget", "-5"], "--time-budget"),
        ([*BASE, "--seeds", "0"], "--seeds"),
        ([*BASE, "--noise", "-0.1"], "noise"),
        ([*BASE, "--n-jobs", "0"], "--n-jobs"),
        ([*BASE, "--memory-mb", "0"], "--memory-mb"),
        ([*BASE, "--backend", "dask"], "--scheduler"),
        (["run", "--methods", "constant"], "--suite"),
    ],
)  # fmt: skip
def test_bad_input_exits_2(args, message, tmp_path, capsys):
    out = tmp_path / "run"
    assert main([*args, "--out", str(out)]) == 2
    assert message in capsys.readouterr().err
    assert not (out / "records.jsonl").exists()


def test_unavailable_method_fails_at_selection(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "m"
    write_method(folder, "t-missing")
    text = (
        (folder / "t_missing.py")
        .read_text()
        .replace(
            'description="test method: t-missing"',
            'requires=("surely_missing_pkg_xyz",), install="pip install surely-missing"',
        )
    )
    (folder / "t_missing.py").write_text(text)
    monkeypatch.setenv(ENV_PATH, str(folder))
    out = tmp_path / "run"
    assert main(["run", "--suite", "smoke", "--methods", "constant,t-missing",
                 "--out", str(out)]) == 2  # fmt: skip
    err = capsys.readouterr().err
    assert "t-missing" in err and "surely_missing_pkg_xyz" in err and "pip install" in err
    assert not (out / "records.jsonl").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_out(tmp_path, capsys):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        assert main([*BASE, "--out", str(locked / "run")]) == 2
    finally:
        locked.chmod(0o700)
    assert "cannot write" in capsys.readouterr().err


def test_out_that_is_a_file(tmp_path, capsys):
    target = tmp_path / "file"
    target.write_text("x")
    assert main([*BASE, "--out", str(target)]) == 2
    assert "is a file" in capsys.readouterr().err
    assert main([*BASE, "--out", str(target / "run")]) == 2  # cannot create a folder there
    assert "cannot write" in capsys.readouterr().err


def test_run_then_refuse_then_resume_then_report(tmp_path, capsys):
    out = tmp_path / "run"
    args = ["run", "--suite", "smoke", "--methods", "linear,constant", "--seeds", "1",
            "--time-budget", "5", "--n-jobs", "2", "--out", str(out)]  # fmt: skip
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "8 record(s) written" in text and "ok 8" in text
    assert f"srbench-lite report {out}" in text
    meta = json.loads((out / "run.json").read_text())
    assert meta["command"] and meta["config"]["suites"] == ["smoke"]

    assert main(args) == 2  # a non-empty run directory needs --resume
    assert "--resume" in capsys.readouterr().err

    assert main([*args, "--resume", "--backend", "loky"]) == 0  # the old name: a warning
    captured = capsys.readouterr()
    assert "0 record(s) written" in captured.out
    assert "warning: --backend loky is deprecated" in captured.err
    assert len((out / "records.jsonl").read_text().splitlines()) == 8

    reports = tmp_path / "reports"
    assert main(["report", str(out), "--out", str(reports)]) == 0
    readme = (reports / "README.md").read_text()
    assert "linear" in readme and "constant" in readme
