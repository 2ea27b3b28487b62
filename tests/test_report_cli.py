"""``srbench-lite report``: every artifact written, untrusted strings escaped, bad input handled."""

from __future__ import annotations

import csv
import shutil
import sys
from pathlib import Path

import pytest

from srbench_lite.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
PLOTS = ("recovery.png", "r2.png", "pareto.png", "fit_time.png", "heatmap_smoke.png")
ARTIFACTS = ("README.md", "index.html", "summary.csv", "ranking.csv", "pairwise.csv", *PLOTS)


def make_run(root: Path, truncate: bool = False) -> Path:
    run = root / "fixture-run"
    run.mkdir(parents=True)
    shutil.copy(FIXTURES / "records_small.jsonl", run / "records.jsonl")
    shutil.copy(FIXTURES / "run.json", run / "run.json")
    if truncate:
        with open(run / "records.jsonl", "a") as f:
            f.write('{"dataset": "smoke_trig", "suite": "smo')
    return run


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("report")
    run = make_run(root, truncate=True)
    out = root / "out"
    had_pyplot = "matplotlib.pyplot" in sys.modules
    assert main(["report", str(run), "--out", str(out), "--name", "fixture"]) == 0
    if not had_pyplot:
        assert "matplotlib.pyplot" not in sys.modules  # no global figure state
    return out, str(run)


def test_writes_every_artifact(report):
    out, _ = report
    for name in ARTIFACTS:
        path = out / name
        assert path.is_file() and path.stat().st_size > 0, name
    for name in PLOTS:
        assert (out / name).read_bytes()[:8] == PNG_MAGIC


def test_summary_csv(report):
    out, _ = report
    with open(out / "summary.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 6  # 3 methods x 1 suite x 2 noise levels
    row = next(r for r in rows if r["method"] == "operon" and float(r["noise"]) == 0)
    assert float(row["recovery_rate"]) == 0.5 and float(row["accuracy_rate"]) == 0.75
    assert float(row["ned_mean"]) == pytest.approx(0.35) and row["n_error"] == "1"


def test_model_strings_are_escaped_in_html(report):
    out, _ = report
    page = (out / "index.html").read_text()
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(&#x27;xss&#x27;)&lt;/script&gt;" in page
    assert "&lt;b&gt;bad&lt;/b&gt;" in page and "<b>bad" not in page  # an error text
    assert "Content-Security-Policy" in page
    # self-contained: plots inlined, nothing loaded from elsewhere
    assert page.count('src="data:image/png;base64,') == len(PLOTS)
    assert "http://" not in page and "https://" not in page


def test_readme_states_runs_rules_and_plots(report):
    out, run = report
    text = (out / "README.md").read_text()
    assert text.startswith("# Leaderboard: fixture")
    assert "srbench-lite report" in text and "--time-budget 10" in text  # both commands
    assert "timed out or raised an error" in text and "NED = 1" in text
    assert "half-written last line" in text  # the truncated line is reported
    assert "**Seeds**: 0" in text and "**Time budget**: 10 s per fit" in text
    assert "numpy 2.4.6" in text
    for name in PLOTS:
        assert f"]({name})" in text
    assert "<script" not in text


def test_report_carries_no_absolute_path_of_this_machine(report):
    # the fixture's run and out dirs are absolute temp paths, typed as such on the command line
    out, run = report
    root = str(Path(run).parent)
    for name in ("README.md", "index.html"):
        text = (out / name).read_text()
        assert root not in text, name
        assert "srbench-lite report" in text


def test_default_out_is_reports_name(tmp_path, monkeypatch, capsys):
    run = make_run(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["report", str(run)]) == 0
    assert (tmp_path / "reports" / "fixture-run" / "README.md").is_file()
    assert "wrote" in capsys.readouterr().out


def test_empty_run_dir_exits_2_with_a_message(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["report", str(tmp_path / "empty"), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "no records to report" in err and "Traceback" not in err


def test_bad_name_exits_2(tmp_path, capsys):
    assert main(["report", str(make_run(tmp_path)), "--name", "../x"]) == 2
    assert "--name" in capsys.readouterr().err


def test_out_that_is_a_file_exits_2(tmp_path, capsys):
    target = tmp_path / "file"
    target.write_text("x")
    assert main(["report", str(make_run(tmp_path)), "--out", str(target)]) == 2
    assert "is a file" in capsys.readouterr().err
