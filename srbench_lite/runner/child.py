"""The job's own process: its safety net, its phases, and the two ways it talks to the parent.
Everything that can hang, crash or eat memory happens here, so the parent can kill it.

The work itself is :mod:`.fitting`. Each phase ends in one picklable message to the parent:
READY (set up, about to fit: the parent's hard-limit clock starts), then the fit's
:class:`~srbench_lite.fit_result.FitResult` -- for a successful fit with a ground truth with the
test rows the metrics check on (``check_rows``). The child then exits: the parent scores the
result in its judge pool (:mod:`.judging`), whose long-lived workers keep the truth's canonical
forms from job to job, and the next fit starts at once.

The safety net (:func:`prepare_process`, from :mod:`srbench_lite.process_guard`): thread
variables pinned to 1, BLAS/OpenMP pools limited, its own process group (so the parent can
kill grandchildren too), an optional address space cap, a SIGALRM backstop that ends it a few
seconds after its current phase's limit even if the parent is gone, and a watchdog thread that
exits when the parent dies.

Transports: a forkserver ``Process`` sends over its pipe (:func:`run_in_forkserver_child`);
the portable launcher, ``python -m srbench_lite.runner.child``, reads a pickled ``(job,
options, parent_pid, log_path)`` from stdin and writes pickled messages to stdout (:func:`main`).
"""

from __future__ import annotations

import os
import pickle
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from srbench_lite.process_guard import (
    limit_memory,
    own_process_group,
    pin_threads,
    set_backstop,
    watch_parent,
)
from srbench_lite.runner.fitting import fit_job

if TYPE_CHECKING:
    from srbench_lite.runner.config import JobOptions
    from srbench_lite.runner.jobs import Job

__all__ = ["BACKSTOP_S", "READY", "STARTUP_TIMEOUT_S", "main", "prepare_process",
           "run_in_forkserver_child"]  # fmt: skip

#: seconds a child may take to set up (imports, data, building the estimator) before fitting
STARTUP_TIMEOUT_S = 300.0
#: extra seconds after a phase's limit before the child's own SIGALRM backstop fires
BACKSTOP_S = 5.0
#: message of a child that is set up and about to fit: the parent's hard-limit clock starts
READY = "ready"
#: exit code of a child whose parent died
ORPHAN_EXIT_CODE = 3


def prepare_process(parent_pid: int, hard_limit_s: float, memory_mb: float | None) -> None:
    """The child's safety net (see the module docstring)."""
    pin_threads()
    own_process_group()
    limit_memory(memory_mb)
    set_backstop(STARTUP_TIMEOUT_S + hard_limit_s + BACKSTOP_S)
    watch_parent(parent_pid, exit_code=ORPHAN_EXIT_CODE)


def _phases(job: Job, options: JobOptions, send: Callable[[Any], None]) -> None:
    """Set up, send READY, fit, send the result (with the rows the parent's judge checks on,
    for a result that :meth:`~srbench_lite.fit_result.FitResult.expects_scores`)."""

    def ready() -> None:
        set_backstop(options.hard_limit_s() + BACKSTOP_S)  # now counted from the fit's start
        send(READY)

    result, X_check = fit_job(job, options, ready=ready)
    if result.expects_scores():
        result.check_rows = X_check
    send(result)


def run_in_forkserver_child(conn, job, options, parent_pid: int, log_path: str | None) -> None:
    """Target of the forkserver ``Process``: set up, then send READY and the fit's result
    over ``conn``."""
    _redirect_output(log_path)
    prepare_process(parent_pid, options.hard_limit_s(), options.memory_mb)
    _phases(job, options, conn.send)
    conn.close()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # skip atexit handlers the method may have registered


def _redirect_output(log_path: str | None) -> None:
    """Send the method's stdout/stderr (fds 1 and 2) to the job's log file."""
    if not log_path:
        return
    try:
        fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    except OSError:
        return
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    try:
        import faulthandler

        faulthandler.enable(file=sys.stderr)
    except (RuntimeError, ValueError, OSError):
        pass


def main() -> int:
    """``python -m srbench_lite.runner.child``: pickled request on stdin, messages on stdout."""
    request = pickle.load(sys.stdin.buffer)
    job, options, parent_pid, log_path = request
    reply = os.fdopen(os.dup(1), "wb")
    if log_path:
        _redirect_output(log_path)
    else:
        os.dup2(2, 1)  # nothing but the reply may reach the protocol stream
    prepare_process(parent_pid, options.hard_limit_s(), options.memory_mb)

    def send(message) -> None:
        reply.write(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))
        reply.flush()

    _phases(job, options, send)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
