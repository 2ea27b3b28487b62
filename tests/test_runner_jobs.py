"""Job lists: problem selection, seeds, noise levels, bad values (no processes started)."""

from __future__ import annotations

import pytest

from srbench_lite.errors import InvalidValueError, UnknownNameError
from srbench_lite.runner.jobs import build_jobs, check_noise, derive_seeds, select_problems


def test_seeds_are_base_plus_index():
    assert derive_seeds(3, 10) == [10, 11, 12]
    for bad in (0, -1, 1.5, True):
        with pytest.raises(InvalidValueError):
            derive_seeds(bad)


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
    assert check_noise(["0", 0.01, 0.01]) == [0.0, 0.01]
    for bad in (["-0.1"], ["nan"], ["x"], []):
        with pytest.raises(InvalidValueError):
            check_noise(bad)
