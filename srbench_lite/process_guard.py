"""The safety net of a worker process: what a job's child (:mod:`srbench_lite.runner.child`)
and the sympy sandbox worker (:mod:`srbench_lite._sandbox_worker`) set up before their work.

* :func:`pin_threads` / :func:`pinned_env`: every thread-count variable (:data:`THREAD_VARS`)
  at 1 and BLAS/OpenMP pools limited, so ``--n-jobs`` is the number of busy cores;
* :func:`own_process_group`: a process group of its own, so the parent can kill grandchildren;
* :func:`limit_memory`: an address-space cap (POSIX ``RLIMIT_AS``);
* :func:`set_backstop`: a SIGALRM that ends the process at a deadline, even when the parent
  that should have killed it is gone;
* :func:`watch_parent`: a daemon thread that exits the process when its parent dies.

Nothing here imports the rest of the package: the sandbox worker loads it before sympy.
"""

from __future__ import annotations

import os
import signal
import threading
import time

__all__ = [
    "THREAD_VARS",
    "limit_memory",
    "own_process_group",
    "pin_threads",
    "pinned_env",
    "set_backstop",
    "watch_parent",
]

THREAD_VARS = (
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "BLIS_NUM_THREADS",
)


def pinned_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """``base`` (default ``os.environ``) with every thread-count variable set to 1."""
    env = dict(os.environ if base is None else base)
    env.update({name: "1" for name in THREAD_VARS})
    return env


def pin_threads() -> None:
    """Set every thread-count variable to 1 in this process and limit the thread pools that
    are already loaded to one thread (threadpoolctl, when installed)."""
    os.environ.update({name: "1" for name in THREAD_VARS})
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    except Exception:  # threadpoolctl is a scikit-learn dependency; absence is harmless
        pass


def own_process_group() -> None:
    """Make this process the leader of a new process group (POSIX; a no-op elsewhere)."""
    if hasattr(os, "setpgid"):
        try:
            os.setpgid(0, 0)
        except OSError:
            pass


def limit_memory(memory_mb: float | str | None) -> bool:
    """Cap this process's address space at ``memory_mb`` MiB (``None``, 0 or ``""``: no cap).
    Returns whether a cap was set (False where the platform has no ``RLIMIT_AS``)."""
    if not memory_mb:
        return False
    try:
        import resource

        limit = int(float(memory_mb) * 2**20)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):  # platform dependent (no resource on Windows)
        return False
    return True


def set_backstop(seconds: float) -> None:
    """End this process ``seconds`` from now by SIGALRM's default action (terminate), unless
    called again first (which moves the deadline). A no-op without ``setitimer``."""
    if hasattr(signal, "setitimer"):
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        signal.setitimer(signal.ITIMER_REAL, seconds)


def _parent_gone(parent_pid: int, direct: bool) -> bool:
    if direct:  # our own parent: once it dies we are re-parented (no pid-reuse confusion)
        return os.getppid() != parent_pid
    try:  # an ancestor (the forkserver sits between a job and the run): probe its pid
        os.kill(parent_pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # pid reused by another user's process: the parent is gone
        return True
    except OSError:
        return False
    return False


def watch_parent(
    parent_pid: int, *, exit_code: int = 3, interval_s: float = 1.0
) -> threading.Thread:
    """Start a daemon thread that ends this process (``os._exit(exit_code)``, no cleanup)
    within ``interval_s`` of ``parent_pid``'s death, even while the main thread is stuck in a
    long computation. ``parent_pid`` may be this process's parent or a further ancestor."""
    direct = os.getppid() == parent_pid

    def watch() -> None:
        while True:
            time.sleep(interval_s)
            if _parent_gone(parent_pid, direct):
                os._exit(exit_code)

    thread = threading.Thread(target=watch, daemon=True, name="srbench-lite-parent-watch")
    thread.start()
    return thread
