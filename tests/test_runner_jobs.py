"""Job lists: problem selection, seeds, noise levels, bad values (no processes started)."""

from __future__ import annotations

import pytest

from srbench_lite.errors import InvalidValueError, UnknownNameError
from srbench_lite.runner import RunConfig
from srbench_lite.runner.jobs import build_jobs, select_problems


def test_seeds_are_base_plus_index():
    assert RunConfig("smoke", "linear", seeds=3, seed=10).seed_list == [10, 11, 12]
    for bad in (0, -1, 1.5, True):
        with pytest.raises(InvalidValueError, match="--seeds"):
            RunConfig("smoke", "linear", seeds=bad)


def test_problem_selection():
    smoke = select_problems(["smoke"])
    assert len(smoke) == 4 and all(s == "smoke" for s, _ in smoke)
    both = select_problems(["srsd-easy", "smoke"], limit=2)
    assert [s for s, _ in both] == ["srsd-easy", "srsd-easy", "smoke", "smoke"]
    assert select_problems(["smoke"], ["smoke_trig"]) == [("smoke", "smoke_trig")]
    assert select_problems(None, ["smoke_trig"]) == [("smoke", "smoke_trig")]
    with pytest.raises(UnknownNameError, match="smoke_trig"):
        select_problems(["smoke"], ["smoke_trog"])
    with pytest.raises(UnknownNameError, match="srsd-easy"):
        select_problems(["srsd-eazy"])
    with pytest.raises(InvalidValueError):
        select_problems(None, None)
    with pytest.raises(InvalidValueError):
        select_problems(["smoke"], limit=0)


def test_jobs_cross_product():
    jobs = build_jobs([("smoke", "a"), ("smoke", "b")], ["m1", "m2"], [0, 1], [0.0, 0.1])
    assert len(jobs) == 16 and len({j.key for j in jobs}) == 16
    assert jobs[0].job_id == "smoke/a/m1/seed0/noise0"


def test_noise_levels():
    assert RunConfig("smoke", "linear", noise=["0", 0.01, 0.01]).noise == (0.0, 0.01)
    assert RunConfig("smoke", "linear", noise="0,0.1").noise == (0.0, 0.1)
    for bad in (["-0.1"], ["nan"], ["x"], [], ""):
        with pytest.raises(InvalidValueError, match="noise"):
            RunConfig("smoke", "linear", noise=bad)


def test_config_is_validated_once_with_the_option_named():
    ok = RunConfig("smoke,srsd-easy", ["linear", "linear"], n_jobs=-1, params={"linear": {}})
    assert ok.suites == ("smoke", "srsd-easy") and ok.methods == ("linear",) and ok.workers >= 1
    for kwargs, option in [
        ({"time_budget": 0}, "--time-budget"), ({"kill_factor": -1}, "--kill-factor"),
        ({"kill_grace_s": -1}, "--kill-grace"), ({"metric_timeout": float("inf")}, "--metric-timeout"),
        ({"n_jobs": 0}, "--n-jobs"), ({"limit": 0}, "--limit"), ({"memory_mb": 0}, "--memory-mb"),
        ({"seed": -1}, "--seed"), ({"backend": "dask"}, "--scheduler"),
        ({"scheduler": "tcp://h:1"}, "--scheduler"), ({"params": {"gp": {}}}, "'gp'"),
        ({"backend": "slurm"}, "unknown backend 'slurm'"),
    ]:  # fmt: skip
        with pytest.raises((InvalidValueError, UnknownNameError), match=option):
            RunConfig("smoke", "linear", **kwargs)
    with pytest.raises(InvalidValueError, match="--suite"):
        RunConfig(None, "linear")


def test_one_definition_of_the_limits():
    options = RunConfig("smoke", "linear", time_budget=10, kill_factor=2, kill_grace_s=5,
                        metric_timeout=7).job_options(run_id="r1")  # fmt: skip
    assert options.hard_limit_s() == 25 and options.metric_timeout_s == 7
    assert options.hard_limit_text() == "25 s (time budget 10 s x 2 + 5 s grace)"
    assert options.run_id == "r1"


def test_old_backend_names_warn_and_mean_local():
    with pytest.warns(FutureWarning, match="use --backend local"):
        assert RunConfig("smoke", "linear", backend="loky").backend == "local"


def test_method_prepare_runs_once_before_a_long_run_only():
    from srbench_lite.methods import MethodSpec
    from srbench_lite.runner.benchmark import PREPARE_MIN_S, _prepare_methods
    from srbench_lite.runner.config import RunConfig
    from srbench_lite.runner.jobs import Job

    calls = []

    def prepare():
        calls.append(1)

    specs = [MethodSpec(name=n, factory=dict, prepare=prepare) for n in ("a", "b")]
    specs.append(MethodSpec(name="c", factory=dict))
    jobs = [Job("smoke", f"p{i}", m, 0, 0.0) for i in range(3) for m in ("a", "b", "c")]
    # 6 jobs of the two methods sharing one prepare, 2 slots: 3 x budget seconds per slot
    short = PREPARE_MIN_S / 3 - 1
    _prepare_methods(specs, jobs, RunConfig(suites=("smoke",), methods=("a",), time_budget=short, n_jobs=2))
    assert calls == []  # a short run leaves it to the methods
    _prepare_methods(specs, jobs, RunConfig(suites=("smoke",), methods=("a",), time_budget=PREPARE_MIN_S / 3, n_jobs=2))
    assert calls == [1]  # once, for both methods


def test_bundled_engines_compile_their_kernels_before_a_long_run():
    from srbench_lite.engines.common.warm_up import compile_kernels
    from srbench_lite.methods.registry import resolve_methods

    specs = {s.name: s for s in resolve_methods(["gp", "gp-physics", "linear"])}
    assert specs["gp"].prepare is compile_kernels is specs["gp-physics"].prepare
    assert specs["linear"].prepare is None


def test_background_compilation_runs_at_the_lowest_priority():
    import subprocess
    import sys

    code = (
        "import os; from srbench_lite.engines.common.kernels import _lowest_priority; "
        "_lowest_priority(); print(os.nice(0))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "19"


def test_background_compilation_stays_in_its_fits_session():
    # a new session would be a new scheduling autogroup on Linux, where nice does not hold
    import os
    import subprocess
    import sys

    from srbench_lite.engines.common.warm_up import _own_group

    code = "import os; print(os.getsid(0), os.getpgid(0))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, **_own_group())  # fmt: skip
    sid, pgid = map(int, out.stdout.split())
    assert sid == os.getsid(0) and pgid != os.getpgid(0)
