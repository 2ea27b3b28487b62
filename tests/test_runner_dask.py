"""The dask backend gives the same records as the local one (timings aside)."""

from __future__ import annotations

import pytest

from srbench_lite.errors import InvalidValueError, SrbenchError
from srbench_lite.records import read_records
from srbench_lite.runner import RunConfig, execute_run
from srbench_lite.runner.backends import connect

distributed = pytest.importorskip("distributed")

TIMING = (
    "setup_time_s",
    "fit_time_s",
    "predict_time_s",
    "score_time_s",
    "wall_time_s",
    "started_at",
    "finished_at",
    "run_id",
)


def _comparable(records):
    rows = [{k: v for k, v in r.items() if k not in TIMING} for r in records]
    return sorted(rows, key=lambda r: r["job_id"])


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=False,
        protocol="tcp://",
        host="127.0.0.1",
        dashboard_address=":0",
    ) as c:
        yield c


def test_dask_matches_local(tmp_path, cluster):
    kwargs = dict(time_budget=5, seeds=1, noise=[0.01])
    local = RunConfig("smoke", "linear,constant", out=tmp_path / "local", n_jobs=2, **kwargs)
    dask = RunConfig("smoke", "linear,constant", out=tmp_path / "dask", backend="dask",
                     scheduler=cluster.scheduler_address, **kwargs)  # fmt: skip
    local, dask = execute_run(local), execute_run(dask)
    assert len(local.records) == len(dask.records) == 8
    assert _comparable(read_records(tmp_path / "dask")) == _comparable(
        read_records(tmp_path / "local")
    )
    assert {r["status"] for r in dask.records} == {"ok"}


def test_dask_needs_a_scheduler_and_a_live_one(tmp_path):
    with pytest.raises(InvalidValueError, match="--scheduler"):
        RunConfig("smoke", "constant", out=tmp_path / "a", backend="dask")
    with pytest.raises(SrbenchError, match="cannot connect"):
        connect("tcp://127.0.0.1:1", timeout_s=2)


@pytest.mark.slow
def test_dask_worker_processes_use_the_subprocess_launcher(tmp_path):
    """Dask's worker processes are daemonic: jobs start with ``python -m`` there."""
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=":0"
    ) as c:
        with distributed.Client(c) as client:
            assert set(client.run(_launcher).values()) == {"subprocess"}
        config = RunConfig("smoke", "linear", out=tmp_path / "p", backend="dask",
                           scheduler=c.scheduler_address)  # fmt: skip
        run = execute_run(config)
    assert [r["status"] for r in run.records] == ["ok"] * 4


def _launcher() -> str:
    from srbench_lite.runner.isolate import launcher_name

    return launcher_name()
