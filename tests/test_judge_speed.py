"""Judging at a fraction of a fit: same verdicts, less time (issue 25, item 5).

The replay test re-judges a committed sample of long models from real runs
(``fixtures/judge_replay.jsonl``: the slowest records of operon, rils-rols, gplearn and gp, with
the verdicts and NED the judges gave before they were made faster) exactly as the runner judges
them, and requires every verdict and NED to be the same.
"""

from __future__ import annotations

import json
import random
import threading
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from srbench_lite.runner.judging import (
    CHECK_ROWS,
    JudgePool,
    ScoreRequest,
    judge,
    judge_pool_size,
    request_from_record,
)

FIXTURE = Path(__file__).parent / "fixtures" / "judge_replay.jsonl"


def _fixture() -> list[dict]:
    return [json.loads(line) for line in FIXTURE.read_text().splitlines() if line.strip()]


def test_fixture_is_a_small_sample_of_long_models():
    rows = _fixture()
    assert FIXTURE.stat().st_size < 200_000
    assert 20 <= len(rows) <= 40
    assert {"operon", "rils-rols", "gplearn", "gp"} <= {r["method"] for r in rows}
    assert all(len(r["expression"]) > 40 for r in rows if r["method"] == "operon")


@pytest.mark.slow
def test_replay_keeps_every_verdict_and_ned():
    from srbench_lite.runner.replay import replay_records

    rows = list(replay_records(_fixture(), timeout_s=120.0))
    assert not [r for r in rows if "skipped" in r]
    differ = {r["job_id"] or r["dataset"]: r["differences"] for r in rows if r["differences"]}
    assert not differ, differ


def test_request_is_the_runners():
    record = {"dataset": "feynman-i.12.1", "seed": 0, "noise": 0.0, "expression": "mu*Nn",
              "true_expression": "Nn*mu"}  # fmt: skip
    request = request_from_record(record)
    assert request.feature_names == ("mu", "Nn")
    assert request.X.shape == (CHECK_ROWS, 2)
    with pytest.raises(ValueError, match="no expression"):
        request_from_record({**record, "expression": None})
    with pytest.raises(ValueError, match="from a file"):
        request_from_record({**record, "data_source": "file"})


def test_judge_gives_the_record_fields():
    X = np.random.default_rng(0).uniform(1, 5, (64, 2))
    out = judge(ScoreRequest("2.0*x*y + 1.0", "x*y", ("x", "y"), X), 60.0)
    assert (out["exact_recovery"], out["recovery_kind"], out["form_recovery"]) == (
        False, "none", False)  # fmt: skip
    assert out["ned"] == 1.0 and out["complexity"] == 6 and out["metric_error"] is None
    assert 0 < out["score_time_s"] < 30


def test_judge_timeout_keeps_the_metric_timeout_semantics():
    # a truth of many trigonometric terms keeps simplify busy far beyond 0.2 s
    truth = " + ".join(f"sin({k}*x)**{k}*cos(y)**{k + 1}" for k in range(1, 9))
    out = judge(ScoreRequest(f"1.1*({truth})", truth, ("x", "y"), None), 0.2)
    assert (out["exact_recovery"], out["recovery_kind"]) == (False, "timeout")
    assert "exceeded the 0.2 s limit" in out["metric_error"]
    assert out.get("ned") is None and out.get("form_recovery") is None
    again = judge(ScoreRequest("x*y", "x*y", ("x", "y"), None), 60.0)  # a new worker
    assert again["recovery_kind"] == "identical" and again["ned"] == 0.0


def test_judge_pool_scores_beside_the_caller():
    delivered, lock = [], threading.Lock()

    def deliver(item):
        with lock:
            delivered.append(item)

    def score(name, request):
        return name, judge(request, 60.0)["recovery_kind"], threading.current_thread().name

    pool = JudgePool(2, score, deliver)
    for i, model in enumerate(["x + y", "2*(x + y)", "x*y"]):
        pool.submit(f"job{i}", ScoreRequest(model, "x + y", ("x", "y"), None))
    pool.close()
    kinds = {name: kind for name, kind, _ in delivered}
    assert kinds == {"job0": "identical", "job1": "constant_ratio", "job2": "none"}
    assert all(thread.startswith("srbench-lite-judge") for _, _, thread in delivered)
    assert judge_pool_size(1) == judge_pool_size(4) == 1 and judge_pool_size(16) == 4


def test_ned_cutoff_is_one_and_only_for_long_models():
    from srbench_lite.metrics.tree_edit import CUTOFF_MIN_NODES, beyond_cutoff, ned_details

    truth = "x0*x1"
    long_model = " + ".join(f"{1 + k / 7:.6f}*x0**{k}*exp(x1/{k + 1})" for k in range(1, 9))
    res = ned_details(long_model, truth, timeout=None)
    assert (res.ned, res.status, res.distance) == (1.0, "cutoff", None)
    assert res.model_nodes >= CUTOFF_MIN_NODES and res.true_nodes == 3
    # the same model against a truth of its own size goes through the whole chain
    assert ned_details(long_model, long_model, timeout=None).ned == 0.0
    assert beyond_cutoff(sp.sympify("2.5*x0*x1 + 1"), 3) is None
    # a model shorter than the cut-off's minimum is judged as before, however small the truth
    assert ned_details("1.5*x0*x1 + 0.3", truth, timeout=None).status == "ok"


def test_faster_nextprime_gives_sympys_primes():
    from sympy.ntheory import generate

    from srbench_lite.metrics._primes import faster_nextprime, nextprime

    rng = random.Random(3)
    for bits in (10, 64, 400, 700):
        n = rng.getrandbits(bits)
        assert nextprime(n) == generate.nextprime(n)
    assert nextprime(100, 3) == generate.nextprime(100, 3)
    import sympy.ntheory

    original = sympy.ntheory.nextprime
    with faster_nextprime():
        assert sympy.ntheory.nextprime is nextprime
        with faster_nextprime():
            pass
        assert sympy.ntheory.nextprime is nextprime
    assert sympy.ntheory.nextprime is original


def test_exact_and_form_share_one_screen():
    from srbench_lite.metrics import _evidence
    from srbench_lite.metrics._evidence import shared_evidence
    from srbench_lite.metrics.form import form_recovery
    from srbench_lite.metrics.recovery import symbolic_recovery

    X = np.random.default_rng(1).uniform(1, 5, (64, 2))
    kw = {"feature_names": ["x", "y"], "X": X, "timeout": None}
    _evidence._SHARED.clear()
    assert not symbolic_recovery("x*y + 0.2*x", "x*y", **kw).solved
    assert len(_evidence._SHARED) == 1
    (screen,) = _evidence._SHARED.values()
    computed = dict(screen.views)
    assert form_recovery("x*y + 0.2*x", "x*y", **kw).recovered is False
    assert list(_evidence._SHARED.values()) == [screen]  # the same object, not a second one
    assert all(screen.views[k] is v for k, v in computed.items())
    args = ((sp.Symbol("a"), sp.Symbol("b")),) * 2
    assert shared_evidence(*args, ["a"], X[:, :1], 1e-3) is shared_evidence(
        *args, ["a"], X[:, :1].copy(), 1e-3)  # fmt: skip


def test_an_aborted_pool_stops_its_judges_at_once():
    import time

    from srbench_lite.sandbox import SandboxError, call_with_timeout, warm_up

    delivered, busy = [], threading.Event()

    def score(name, request):
        warm_up()
        busy.set()
        try:
            call_with_timeout(time.sleep, 60.0, timeout=120.0)  # a judge that takes long
            return name, "finished"
        except SandboxError as exc:
            return name, exc.exc_type

    pool = JudgePool(1, score, delivered.append)
    pool.submit("slow", None)
    pool.submit("queued", None)
    assert busy.wait(120.0)
    time.sleep(0.5)
    start = time.perf_counter()
    pool.close(abort=True)
    assert time.perf_counter() - start < 10.0
    assert delivered == [("slow", "WorkerDied")]  # killed; the queued job was dropped
