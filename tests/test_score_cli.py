"""``srbench-lite score``: single pairs, batches, and bad usage (exit 2)."""

from __future__ import annotations

import csv
import json

import pytest

from srbench_lite.cli import main


def run(capsys, *argv):
    code = main(["score", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_single_pair_text(capsys):
    code, out, _ = run(capsys, "--model", "2.5*x*y", "--truth", "x*y")
    assert code == 0
    assert "solved:         yes (constant_ratio" in out
    assert "NED:            0.333333" in out
    assert "complexity:     model 4, truth 3" in out


def test_single_pair_shows_form_recovery_and_the_judges(capsys):
    code, out, _ = run(capsys, "--problem", "kepler", "--model", "380*sqrt(a**3)")
    assert code == 0 and "form:           yes (refit of 1 constant" in out
    code, out, _ = run(capsys, "--problem", "kepler", "--model", "380*a**1.4")
    assert "form:           no" in out
    code, out, _ = run(
        capsys, "--model", "(cos(y)**2 + 0.101*sin(y)**2)*sin(x)",
        "--truth", "(cos(y)**2 + 0.1*sin(y)**2)*sin(x)",
    )  # fmt: skip
    assert "solved:         no" in out and "NED:            0 " in out
    assert "judges:         NED is 0" in out


def test_single_pair_json_with_dialect(capsys):
    code, out, _ = run(
        capsys, "--model", "add(mul(X0, X1), 0.5)", "--truth", "m*v",
        "--features", "m,v", "--dialect", "gplearn", "--json",
    )  # fmt: skip
    assert code == 0
    res = json.loads(out)
    assert res["solved"] is True and res["recovery_kind"] == "constant_difference"
    assert res["parsed_model"] == "m*v + 0.5" and res["ned"] == pytest.approx(2 / 3)


def test_problem_supplies_truth_and_features(capsys):
    pytest.importorskip("srbench_lite.data")
    code, out, _ = run(capsys, "--model", "1.5*mu*Nn", "--problem", "feynman-i.12.1", "--json")
    assert code == 0
    res = json.loads(out)
    assert res["truth"] == "Nn*mu" and res["recovery_kind"] == "constant_ratio"


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["--model", "x.y", "--truth", "x"], "attribute access"),
        (["--model", "x", "--truth", "x +"], "invalid syntax"),
        (["--model", "x", "--truth", "x", "--dialect", "gplean"], "did you mean gplearn"),
        (["--model", "q", "--truth", "x", "--features", "x"], "unknown name(s) 'q'"),
        (["--truth", "x"], "--model"),
        (["--model", "x"], "exactly one of --truth"),
        (["--model", "x", "--truth", "x", "--problem", "feynman-i.12.1"], "exactly one"),
        (["--model", "x", "--truth", "x", "--timeout", "0"], "--timeout"),
        (["--pairs", "/nonexistent/pairs.csv"], "does not exist"),
    ],
)
def test_bad_usage_exits_2(capsys, argv, fragment):
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert fragment in err


def test_unknown_problem_exits_2(capsys):
    pytest.importorskip("srbench_lite.data")
    code, _, err = run(capsys, "--model", "x", "--problem", "feynman-i.12.99")
    assert code == 2 and "feynman-i.12" in err


def test_unknown_mode_exits_2(capsys):
    with pytest.raises(SystemExit) as info:
        main(["score", "--model", "x", "--truth", "x", "--mode", "loose"])
    assert info.value.code == 2


def _write_pairs(path, rows, fields):
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def test_batch_csv_and_json(tmp_path, capsys):
    pairs = tmp_path / "pairs.csv"
    _write_pairs(
        pairs,
        [
            {
                "id": "a",
                "model": "X0*X1",
                "truth": "x*y",
                "dialect": "gplearn",
                "feature_names": "x;y",
            },
            {"id": "b", "model": "sin(x)", "truth": "x*y"},
            {"id": "c", "model": "", "truth": "x*y"},
            {"id": "d", "model": "__import__('os')", "truth": "x"},
        ],  # fmt: skip
        ["id", "model", "truth", "dialect", "feature_names"],
    )
    out_csv = tmp_path / "scored.csv"
    code, _, err = run(capsys, "--pairs", str(pairs), "--out", str(out_csv))
    assert code == 0 and "scored 4 pairs (1 solved)" in err
    with out_csv.open() as fh:
        rows = list(csv.DictReader(fh))
    assert [r["id"] for r in rows] == ["a", "b", "c", "d"]
    assert rows[0]["solved"] == "True" and rows[0]["recovery_kind"] == "identical"
    assert rows[1]["recovery_kind"] == "none" and float(rows[1]["ned"]) == pytest.approx(2 / 3)
    assert rows[2]["recovery_kind"] == "error" and float(rows[2]["ned"]) == 1.0
    assert rows[3]["recovery_kind"] == "error" and "__import__" in rows[3]["error"]

    code, out, _ = run(capsys, "--pairs", str(pairs), "--json")
    assert code == 0
    data = json.loads(out)
    assert len(data) == 4 and data[0]["ned"] == 0.0


def test_batch_problem_column(tmp_path, capsys):
    pytest.importorskip("srbench_lite.data")
    pairs = tmp_path / "pairs.csv"
    _write_pairs(pairs, [{"model": "2*mu*Nn", "problem": "feynman-i.12.1"}], ["model", "problem"])
    code, out, _ = run(capsys, "--pairs", str(pairs))
    assert code == 0
    row = next(csv.DictReader(out.splitlines()))
    assert row["recovery_kind"] == "constant_ratio"


def test_batch_bad_file(tmp_path, capsys):
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("model,answer\nx,x\n")
    code, _, err = run(capsys, "--pairs", str(pairs))
    assert code == 2 and "'truth' or 'problem'" in err
    pairs.write_text("model,truth\nx,x +\n")
    code, _, err = run(capsys, "--pairs", str(pairs))
    assert code == 2 and "line 2" in err
    pairs.write_text("model,truth,dialect\nx,x,nope\n")
    code, _, err = run(capsys, "--pairs", str(pairs))
    assert code == 2 and "unknown dialect" in err
