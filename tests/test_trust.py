"""Trust: the judged expression is the model that predicted, and every run says exactly what
produced it without a path of the machine that made it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from runner_support import write_method

import srbench_lite.provenance as provenance
from srbench_lite.methods.registry import ENV_PATH
from srbench_lite.records import read_records
from srbench_lite.report import build_report
from srbench_lite.runner import run_benchmark

FAST = dict(time_budget=1.0, kill_factor=1.0, kill_grace_s=5.0, metric_timeout=30.0)
#: smoke_linear's truth, so predict() is perfect while sympy() says something else
TRUE_PREDICT = "return 2.5 * X[:, 0] - 1.5 * X[:, 1] + 0.5"


@pytest.fixture
def methods_dir(tmp_path, monkeypatch):
    folder = tmp_path / "methods"
    write_method(folder, "t-liar", predict=TRUE_PREDICT, sympy='return "0"')
    write_method(folder, "t-honest", predict=TRUE_PREDICT, sympy='return "2.5*x0 - 1.5*x1 + 0.5"')
    write_method(folder, "t-nowhere", sympy='return "sqrt(-1 - x0**2)"')
    write_method(folder, "t-raise", fit="raise RuntimeError('deliberate failure in fit')")
    monkeypatch.setenv(ENV_PATH, str(folder))
    return folder


def _machine_paths() -> list[str]:
    """Absolute paths that must never appear in a record, run.json or report."""
    import site

    paths = [
        sys.prefix,
        sys.base_prefix,
        os.getcwd(),
        os.path.expanduser("~"),
        *site.getsitepackages(),
    ]
    return sorted({p for p in paths if len(p) > 1}, key=len, reverse=True)


def test_mismatch_flag_in_record_and_report(methods_dir, tmp_path):
    out = tmp_path / "run"
    run_benchmark(
        "smoke", ["t-liar", "t-honest", "t-nowhere"], datasets="smoke_linear", out=out, **FAST
    )
    rec = {r["method"]: r for r in read_records(out)}
    liar, honest, nowhere = rec["t-liar"], rec["t-honest"], rec["t-nowhere"]

    assert liar["status"] == "ok" and liar["expression"] == "0"
    assert liar["r2_test_predict"] == pytest.approx(1.0)
    assert liar["r2_test"] < 0.5  # the expression's own R², which the leaderboard uses
    assert liar["expression_mismatch"] is True and liar["expression_rel_diff"] > 0.5
    assert liar["exact_recovery"] is False

    assert honest["status"] == "ok" and honest["expression_mismatch"] is False
    assert honest["expression_rel_diff"] < 1e-12
    assert honest["r2_test"] == pytest.approx(honest["r2_test_predict"])
    assert honest["exact_recovery"] is True

    # an expression that cannot be evaluated anywhere is the method's error; the run goes on
    assert nowhere["status"] == "error" and nowhere["error_kind"] == "expression"
    assert "not finite on any test row" in nowhere["error"]

    result = build_report([out], tmp_path / "report")
    readme = (result.out_dir / "README.md").read_text()
    assert "expr ≠ predict" in readme
    assert "in 1 successful runs the printed expression disagreed" in readme
    summary = (result.out_dir / "summary.csv").read_text()
    assert "n_mismatch" in summary


def test_no_machine_paths_and_provenance(methods_dir, tmp_path, monkeypatch):
    out = tmp_path / "run"
    monkeypatch.chdir(tmp_path)
    run_benchmark("smoke", ["t-raise", "linear"], datasets="smoke_linear", out=out,
                  command=[os.path.join(sys.prefix, "bin", "run-benchmark"), "--out", str(out)],
                  **FAST)  # fmt: skip
    meta = json.loads((out / "run.json").read_text())
    assert meta["command"] == ["run-benchmark", "--out", "run"]  # as typed, paths relative
    assert meta["code"]["source"] in ("git checkout", "installed package")
    assert "numpy" in meta["versions"] and "srbench_lite" in meta["versions"]
    rec = {r["method"]: r for r in read_records(out)}
    assert "deliberate failure in fit" in rec["t-raise"]["error"]
    assert 'File "' in rec["t-raise"]["error"]  # the traceback is kept, with portable paths

    report = build_report([out], tmp_path / "report", command="srbench-lite report run")
    texts = {p.name: p.read_text() for p in [out / "run.json", out / "records.jsonl"]}
    texts.update(
        {
            p.name: p.read_text()
            for p in report.out_dir.iterdir()
            if p.suffix in (".md", ".html", ".csv")
        }
    )
    for name, text in texts.items():
        for path in _machine_paths():
            assert path not in text, f"{name} contains the machine path {path}"
        assert "site-packages" not in text, name


def test_uncommitted_code_is_said_in_run_json_and_report(tmp_path, monkeypatch):
    dirty = {"source": "git checkout", "git_commit": "0123456789abcdef", "git_dirty": True,
             "git_changed": [" M srbench_lite/engines/gp/search.py"], "git_n_changed": 1}  # fmt: skip
    monkeypatch.setattr(provenance, "code_state", lambda: dirty)
    out = tmp_path / "run"
    run_benchmark("smoke", ["constant"], datasets="smoke_linear", out=out, **FAST)
    assert json.loads((out / "run.json").read_text())["code"] == dirty
    report = build_report([out], tmp_path / "report")
    for name in ("README.md", "index.html"):
        text = (report.out_dir / name).read_text()
        assert "came from uncommitted code" in text and "0123456789ab + uncommitted" in text
        assert "gp/search.py" in text


def _git(repo, *args):
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def test_code_state_reads_a_checkout(tmp_path):
    repo = tmp_path / "repo"
    (repo / "pkg").mkdir(parents=True)
    (repo / "pkg" / "a.py").write_text("x = 1\n")
    _git(repo, "init", "-q")
    _git(repo, "-c", "user.email=t@t", "-c", "user.name=t", "add", ".")
    _git(repo, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "first")
    clean = provenance.code_state(repo / "pkg")
    assert clean["source"] == "git checkout" and len(clean["git_commit"]) == 40
    assert clean["git_dirty"] is False and clean["git_n_changed"] == 0
    (repo / "pkg" / "a.py").write_text("x = 2\n")
    (repo / "pkg" / "new.py").write_text("")
    state = provenance.code_state(repo / "pkg")
    assert state["git_dirty"] is True and state["git_n_changed"] == 2
    assert any("pkg/a.py" in c for c in state["git_changed"])
    assert provenance.code_state(tmp_path / "elsewhere")["source"] == "installed package"


def test_scrub_paths():
    import sysconfig

    site = sysconfig.get_paths()["purelib"]
    text = (f'File "{site}/ffx/core.py", line 3\n  File "{sysconfig.get_paths()["stdlib"]}/json/'
            f'decoder.py", line 9\n x0/x1 and /data/sets/feynman/I_6_2.tsv')  # fmt: skip
    out = provenance.scrub_paths(text)
    assert 'File "ffx/core.py"' in out and 'File "<python>/json/decoder.py"' in out
    assert "x0/x1" in out and ".../feynman/I_6_2.tsv" in out and "/data/sets" not in out
    # a traceback from a method's own environment (another interpreter's site-packages)
    env = "/home/u/.cache/srbench-lite/envs/ps-tree-74eaa88bde/lib/python3.11/site-packages"
    assert provenance.scrub_paths(f'File "{env}/pstree/tree.py", line 1') == (
        'File "pstree/tree.py", line 1'
    )
    assert provenance.command_as_typed(["/opt/venv/bin/srbench-lite", "run"]) == [
        "srbench-lite",
        "run",
    ]


def test_float32_rounding_is_not_a_mismatch():
    """Operon predicts in float32: cos(12150.5*x) then differs in the third digit. That is
    rounding, not another model; a printed 0 for a fitted law is not."""
    import numpy as np
    import sympy as sp

    from srbench_lite.metrics import evaluate_expression
    from srbench_lite.metrics.agreement import expression_agreement

    X = np.random.default_rng(0).uniform(1, 5, (500, 1))
    expr = sp.sympify("cos(12150.5123*x0) + x0")
    v64 = evaluate_expression(expr, ["x0"], X)
    v32 = evaluate_expression(expr, ["x0"], X.astype(np.float32))
    as_float32_tool = expression_agreement(v64, v32, X[:, 0], v32)
    assert 1e-4 < as_float32_tool["expression_rel_diff"] < 1e-2
    assert as_float32_tool["expression_mismatch"] is False
    printed_zero = expression_agreement(0 * v64, v64, X[:, 0], 0 * v64)
    assert printed_zero["expression_mismatch"] is True
    off_by_1pct = expression_agreement(1.01 * v64, v64, X[:, 0], 1.01 * v32)
    assert off_by_1pct["expression_mismatch"] is True
    assert expression_agreement(v64, None, X[:, 0])["expression_mismatch"] is None
