"""Real rows from files (``run --data-dir``, ``--pmlb-cache`` for ground-truth suites): every
file here is written by the test into tmp_path; nothing is downloaded."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd
import pytest

from srbench_lite.cli import main
from srbench_lite.data import load_problem
from srbench_lite.data.data_files import MAX_TRAIN, DataFileError, find_data_file
from srbench_lite.data.pmlb_io import write_pmlb
from srbench_lite.records import job_key, read_records
from srbench_lite.report.build import build_report
from srbench_lite.runner.config import JobOptions
from srbench_lite.runner.fitting import fit_job
from srbench_lite.runner.jobs import Job, data_sources

#: a few (distance, velocity) rows in the layout of Hubble's 1929 table
HUBBLE = "D,v\n0.032,170\n0.034,290\n0.214,-130\n0.263,-70\n0.275,-185\n0.45,200\n0.5,290\n"
RUN = ["run", "--methods", "constant", "--time-budget", "2", "--no-progress"]


def _write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _feynman_rows(n, seed=0):
    """Rows of feynman_I_6_2a (f = exp(-theta**2/2)/sqrt(2*pi)), as SRBench's file holds."""
    theta = np.random.default_rng(seed).uniform(1, 3, n)
    return theta[:, None], np.exp(-(theta**2) / 2) / np.sqrt(2 * np.pi)


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_empirical_data_dir_run_resume_and_report(tmp_path, capsys):
    data = tmp_path / "data"
    hubble = _write(data / "hubble.csv", HUBBLE)
    out = tmp_path / "run"
    base = [*RUN, "--suite", "empirical", "--datasets", "hubble,kepler", "--out", str(out)]
    assert main([*base, "--data-dir", str(data)]) == 0
    records = {r["dataset"]: r for r in read_records(out)}
    assert records["hubble"]["data_source"] == "file"
    assert records["hubble"]["data_sha256"] == _sha(hubble)
    assert records["hubble"]["n_train"] == records["hubble"]["n_test"] == 7  # train = test
    assert records["kepler"]["data_source"] == "generated"
    assert records["kepler"]["data_sha256"] is None and records["kepler"]["n_test"] == 1000
    config = json.loads((out / "run.json").read_text())["config"]
    assert config["data_dir"].endswith("data")

    # resumed without --data-dir: hubble's file record is not its generated job
    assert main([*base, "--resume"]) == 0
    again = read_records(out)
    assert len(again) == 3
    assert sorted(r["data_source"] for r in again if r["dataset"] == "hubble") == [
        "file", "generated",
    ]  # fmt: skip
    assert len({job_key(r) for r in again}) == 3
    # with it again: every job (file and generated) is done
    assert main([*base, "--data-dir", str(data), "--resume"]) == 0
    assert len(read_records(out)) == 3

    readme = (build_report([out], tmp_path / "rep").out_dir / "README.md").read_text()
    line = next(x for x in readme.splitlines() if "Data rows" in x)
    assert "real rows read from files for 1 of 2 problems (hubble)" in line
    assert "hubble also have records of generated rows" in line


def test_feynman_srbench_reads_pmlb_cache(tmp_path):
    cache = tmp_path / "pmlb"
    X, y = _feynman_rows(200)
    path = write_pmlb(cache, "feynman_I_6_2a", X, y, ["theta"])
    out = tmp_path / "run"
    args = [*RUN, "--suite", "feynman-srbench", "--datasets", "feynman_I_6_2a,feynman_I_12_1",
            "--pmlb-cache", str(cache), "--out", str(out)]  # fmt: skip
    assert main(args) == 0
    records = {r["dataset"]: r for r in read_records(out)}
    file_job = records["feynman_I_6_2a"]
    assert file_job["status"] == "ok" and file_job["data_source"] == "file"
    assert file_job["data_sha256"] == _sha(path)
    assert (file_job["n_train"], file_job["n_test"]) == (150, 50)  # SRBench's 75/25
    assert records["feynman_I_12_1"]["data_source"] == "generated"
    assert records["feynman_I_12_1"]["n_train"] == 10_000
    report = build_report([out], tmp_path / "rep", n_boot=20, published="srbench-2021")
    readme = (report.out_dir / "README.md").read_text()
    conditions = readme[readme.index("Conditions vs. the published results") :]
    row = next(x for x in conditions.splitlines() if x.startswith("| data rows"))
    assert "real rows read from files for 1 of 2 problems (feynman\\_I\\_6\\_2a)" in row


def test_file_rows_split_capped_and_noised(tmp_path):
    X, y = _feynman_rows(14_000)
    path = tmp_path / "feynman_I_6_2a.csv"
    pd.DataFrame({"theta": X[:, 0], "f": y}).to_csv(path, index=False)  # output name: f
    clean = load_problem("feynman_I_6_2a", seed=3, data_file=path)
    assert len(clean.y_train) == MAX_TRAIN and len(clean.y_test) == 3500  # 75/25, then cap
    assert clean.meta["target_column"] == "f" and clean.meta["data_sha256"] == _sha(path)
    rows = dict(zip(X[:, 0].tolist(), y.tolist(), strict=True))
    assert [rows[t] for t in clean.X_test[:, 0]] == clean.y_test.tolist()  # the file's rows
    noisy = load_problem("feynman_I_6_2a", seed=3, noise=0.1, data_file=path)
    np.testing.assert_array_equal(noisy.X_train, clean.X_train)
    np.testing.assert_array_equal(noisy.y_test, clean.y_test)  # test target stays clean
    sd = np.std(noisy.y_train - clean.y_train)
    rms = np.sqrt(np.mean(clean.y_train**2))
    assert sd == pytest.approx(0.1 * rms, rel=0.05)  # SRBench: sd = level x RMS(y_train)
    # EmpiricalBench's table: noise on the training copy only
    hubble = load_problem("hubble", noise=0.1, data_file=_write(tmp_path / "h.csv", HUBBLE))
    assert not np.array_equal(hubble.y_train, hubble.y_test)
    assert hubble.y_test.tolist() == [170, 290, -130, -70, -185, 200, 290]


def test_job_reads_the_file_and_noise_in_its_child_process_code(tmp_path):
    path = _write(tmp_path / "hubble.csv", HUBBLE)
    job = Job("empirical", "hubble", "linear", 0, 0.5, str(path), _sha(path))
    result, _ = fit_job(job, JobOptions(2.0))
    assert result.status == "ok" and (result.n_train, result.n_test) == (7, 7)
    assert result.r2_train != pytest.approx(result.r2_test)  # train target noised, test not
    changed = Job("empirical", "hubble", "linear", 0, 0.0, str(path), "0" * 64)
    result, _ = fit_job(changed, JobOptions(2.0))
    assert result.status == "error" and result.error_kind == "setup"
    assert "changed since the run started" in result.error


def test_resume_keys_differ_by_source():
    generated = Job("empirical", "hubble", "linear", 0, 0.0)
    from_file = Job("empirical", "hubble", "linear", 0, 0.0, "/d/hubble.csv", "ab" * 32)
    other_file = Job("empirical", "hubble", "linear", 0, 0.0, "/d/hubble.csv", "cd" * 32)
    assert len({generated.key, from_file.key, other_file.key}) == 3
    # a record written before data files existed: generated rows
    old_record = {"suite": "empirical", "dataset": "hubble", "method": "linear", "seed": 0,
                  "noise": 0.0}  # fmt: skip
    assert job_key(old_record) == generated.key
    assert job_key({**old_record, "data_source": "file", "data_sha256": "ab" * 32}) == from_file.key


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("hubble.csv", "dist,v\n1,2\n2,3\n3,4\n4,5\n", "lacks column(s) D"),
        ("hubble.csv", "D,v\n1,2\n2,abc\n3,4\n4,5\n", "non-numeric values (line(s) 3)"),
        ("hubble.csv", "D,v\n1,2\n2,3\n", "has 2 data row(s); a run needs at least 4"),
        ("kepler.csv", "a,P\n1,365\n", "has 1 data row(s)"),
        ("hubble.csv", "speed,D\n1,2\n2,3\n3,4\n4,5\n", "no target column"),
    ],
)
def test_bad_files_exit_2_before_any_job(tmp_path, capsys, name, text, message):
    data = tmp_path / "data"
    _write(data / name, text)
    out = tmp_path / "run"
    args = [*RUN, "--suite", "empirical", "--data-dir", str(data), "--out", str(out)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and name in err
    assert not (out / "records.jsonl").exists()


def test_bad_ground_truth_files_and_folders(tmp_path, capsys):
    cache = tmp_path / "pmlb"
    X, y = _feynman_rows(20)
    write_pmlb(cache, "feynman_I_6_2a", X, y, ["x"])  # wrong feature name
    pairs = [("feynman-srbench", "feynman_I_6_2a")]
    with pytest.raises(DataFileError, match=r"lacks columns \['theta'\]"):
        data_sources(pairs, pmlb_cache=cache)
    base = [*RUN, "--suite", "feynman-srbench", "--datasets", "feynman_I_6_2a"]
    out = str(tmp_path / "run")
    assert main([*base, "--data-dir", str(tmp_path / "nowhere"), "--out", out]) == 2
    assert "--data-dir must be an existing folder" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main([*base, "--data-dir", str(tmp_path / "empty"), "--out", out]) == 2
    assert "holds no file for any selected ground-truth problem" in capsys.readouterr().err
    assert main([*base, "--pmlb-cache", str(tmp_path / "empty"), "--out", out]) == 2
    assert "holds no PMLB file for any selected problem" in capsys.readouterr().err
    # two files for one problem: which one is meant is unclear
    _write(tmp_path / "two" / "hubble.csv", HUBBLE)
    write_pmlb(tmp_path / "two", "hubble", np.ones((4, 1)), np.ones(4), ["D"])
    with pytest.raises(DataFileError, match="several data files"):
        find_data_file("hubble", tmp_path / "two")


def test_data_file_is_for_ground_truth_problems_only(tmp_path):
    path = _write(tmp_path / "x.csv", "x0,target\n1,2\n2,3\n3,4\n4,5\n")
    with pytest.raises(DataFileError, match="lacks columns"):
        load_problem("smoke_linear", data_file=path)
    with pytest.raises(Exception, match="without a ground truth"):
        load_problem("1027_ESL", data_file=path)
