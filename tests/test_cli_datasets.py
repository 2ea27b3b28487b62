"""``srbench-lite datasets`` and ``generate``, and the PMLB file layout."""

from __future__ import annotations

import json

import numpy as np
import pytest

from srbench_lite.cli import main
from srbench_lite.data import load_problem


def test_datasets_json_counts(capsys):
    assert main(["datasets", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    count = lambda suite: sum(suite in r["suites"] for r in rows)  # noqa: E731
    assert count("feynman") == 120 and count("feynman-srbench") == 116
    assert (count("srsd-easy"), count("srsd-medium"), count("srsd-hard")) == (30, 40, 50)
    assert count("empirical") == 9 and count("strogatz") == 14
    assert {"name", "suite", "n_features", "formula"} <= set(rows[0])


def test_datasets_table(capsys):
    assert main(["datasets", "--suite", "smoke"]) == 0
    out = capsys.readouterr().out
    assert "smoke_poly" in out and "x0**2 + x0*x1" in out


def test_unknown_suite_exits_2_with_suggestion(capsys):
    assert main(["datasets", "--suite", "feynmann"]) == 2
    err = capsys.readouterr().err
    assert "unknown suite 'feynmann'" in err and "feynman" in err


def test_generate_pmlb_roundtrip(tmp_path, capsys):
    pmlb = pytest.importorskip("pmlb")
    assert main(["generate", "--suite", "smoke", "--out", str(tmp_path), "--seed", "2"]) == 0
    frame = pmlb.fetch_data("smoke_poly", local_cache_dir=str(tmp_path))
    prob = load_problem("smoke_poly", seed=2)
    assert list(frame.columns) == ["x0", "x1", "target"]
    X = np.concatenate([prob.X_train, prob.X_test])
    np.testing.assert_array_equal(frame[["x0", "x1"]].to_numpy(), X)
    # and our loader reads the same files back as a PMLB cache
    again = load_problem("smoke_poly", seed=2, pmlb_cache_dir=tmp_path)
    assert sorted(again.y_train.tolist() + again.y_test.tolist()) == sorted(frame["target"])
    meta = json.loads((tmp_path / "smoke_poly" / "metadata.json").read_text())
    assert meta["formula"] == prob.formula


def test_generate_csv(tmp_path):
    out = tmp_path / "csv"
    args = ["generate", "--suite", "srsd-easy", "--out", str(out), "--format", "csv",
            "--datasets", "feynman-i.12.1", "--n-samples", "100"]  # fmt: skip
    assert main(args) == 0
    folder = out / "feynman-i.12.1"
    assert sorted(p.name for p in folder.iterdir()) == [
        "metadata.json", "test.csv", "train.csv", "val.csv",
    ]  # fmt: skip
    assert len((folder / "train.csv").read_text().splitlines()) == 81  # header + 80 rows


def test_generate_bad_dataset_and_out(tmp_path, capsys):
    assert main(["generate", "--suite", "smoke", "--out", str(tmp_path), "--datasets", "nope"]) == 2
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["generate", "--suite", "smoke", "--out", str(blocker / "sub")]) == 2
    assert "cannot create --out" in capsys.readouterr().err


def test_pmlb_cache_errors(tmp_path):
    from srbench_lite.errors import SrbenchError

    with pytest.raises(SrbenchError, match="no PMLB file"):
        load_problem("smoke_poly", pmlb_cache_dir=tmp_path)
    bad = tmp_path / "smoke_poly"
    bad.mkdir()
    import pandas as pd

    pd.DataFrame({"a": [1.0], "target": [2.0]}).to_csv(
        bad / "smoke_poly.tsv.gz", sep="\t", index=False, compression="gzip"
    )
    with pytest.raises(SrbenchError, match="lacks columns"):
        load_problem("smoke_poly", pmlb_cache_dir=tmp_path)
