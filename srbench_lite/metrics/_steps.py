"""A time limit per step *inside* the sandbox worker, so one slow rewrite is skipped instead of
costing the whole verdict.

:func:`step_limit` uses ``SIGALRM`` (POSIX, main thread only; elsewhere it does nothing and the
caller's overall limit -- the sandbox's -- still applies). An interval timer that is already
running (a caller's own backstop) is saved and restored, with the time spent deducted; when it
would fire first, the step runs without a limit of its own so that it does. The exception is a
``BaseException`` so that sympy's ``except Exception`` blocks cannot swallow it.
"""

from __future__ import annotations

import signal
import threading
import time
from contextlib import contextmanager

__all__ = ["StepTimeout", "step_limit"]


class StepTimeout(BaseException):
    """A step ran past its own limit (caught by the step loop, never leaves the worker)."""


def _raise(signum, frame):
    raise StepTimeout


@contextmanager
def step_limit(seconds: float | None):
    """Raise :class:`StepTimeout` in the block after ``seconds`` (None: no limit)."""
    usable = (
        seconds is not None
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return
    remaining, interval = signal.getitimer(signal.ITIMER_REAL)
    if remaining and remaining <= seconds:
        yield  # the outer timer fires first anyway
        return
    try:
        previous = signal.signal(signal.SIGALRM, _raise)
    except ValueError:  # not the main interpreter
        yield
        return
    start = time.monotonic()
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if remaining:
            left = max(remaining - (time.monotonic() - start), 1e-3)
            signal.setitimer(signal.ITIMER_REAL, left, interval)
