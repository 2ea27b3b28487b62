"""The per-step time limit inside the sandbox worker."""

from __future__ import annotations

import signal
import time

import pytest

from srbench_lite.metrics._steps import StepTimeout, step_limit

pytestmark = pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="POSIX timers")


def _spin(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def test_a_step_is_cut_off():
    start = time.monotonic()
    with pytest.raises(StepTimeout), step_limit(0.2):
        _spin(5)
    assert time.monotonic() - start < 2
    assert not issubclass(StepTimeout, Exception)  # sympy's "except Exception" cannot hide it


def test_quick_step_and_no_limit():
    with step_limit(1.0):
        _spin(0.01)
    with step_limit(None):
        _spin(0.01)
    assert signal.getitimer(signal.ITIMER_REAL)[0] == 0


def test_an_outer_timer_is_restored():
    fired = []
    previous = signal.signal(signal.SIGALRM, lambda *a: fired.append(True))
    try:
        signal.setitimer(signal.ITIMER_REAL, 1.0)
        with pytest.raises(StepTimeout), step_limit(0.1):
            _spin(5)
        remaining = signal.getitimer(signal.ITIMER_REAL)[0]
        assert 0 < remaining < 1.0
        _spin(remaining + 0.2)
        assert fired  # the caller's own backstop still fires
        # an outer timer that fires first is left alone
        signal.setitimer(signal.ITIMER_REAL, 0.1)
        with step_limit(5.0):
            _spin(0.3)
        assert len(fired) == 2
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
