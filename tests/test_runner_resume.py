"""--resume after a kill: only the missing jobs run, nothing is duplicated."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter

from runner_support import write_method

from srbench_lite.methods.registry import ENV_PATH
from srbench_lite.records import job_key, read_records
from srbench_lite.runner import RunConfig, execute_run


def test_resume_after_truncated_last_line(tmp_path):
    out = tmp_path / "run"
    first = execute_run(RunConfig("smoke", "linear,constant", out=out, time_budget=5, n_jobs=2))
    resume = RunConfig("smoke", "linear,constant", out=out, time_budget=5, resume=True)
    assert len(first.records) == 8
    path = out / "records.jsonl"
    lines = path.read_bytes().split(b"\n")[:-1]
    # keep 5 complete records and half of the 6th: a SIGKILL in the middle of a write
    path.write_bytes(b"\n".join(lines[:5]) + b"\n" + lines[5][: len(lines[5]) // 2])
    lost = {job_key(__import__("json").loads(x)) for x in lines[5:]}

    again = execute_run(resume)
    assert again.n_skipped == 5 and len(again.records) == 3
    assert {job_key(r) for r in again.records} == lost
    keys = Counter(job_key(r) for r in read_records(out))
    assert len(keys) == 8 and set(keys.values()) == {1}

    third = execute_run(resume)
    assert third.records == [] and third.n_skipped == 8


def test_sigkilled_run_resumes_without_loss_or_duplicates(tmp_path, monkeypatch):
    folder = tmp_path / "methods"
    write_method(folder, "t-slow", fit="import time; time.sleep(0.6)")
    monkeypatch.setenv(ENV_PATH, str(folder))
    env = dict(os.environ)
    out = tmp_path / "run"
    cmd = [sys.executable, "-m", "srbench_lite.cli", "run", "--suite", "smoke",
           "--methods", "t-slow,constant", "--time-budget", "5", "--out", str(out)]  # fmt: skip
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while len(read_records(out)) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    done = read_records(out)
    assert 3 <= len(done) < 8

    again = execute_run(RunConfig("smoke", "t-slow,constant", time_budget=5, out=out,
                                  resume=True))  # fmt: skip
    assert len(again.records) == 8 - len(done)
    keys = Counter(job_key(r) for r in read_records(out))
    assert len(keys) == 8 and set(keys.values()) == {1}
