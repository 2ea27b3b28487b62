"""Run one job's fit in its own child process, with a hard kill.

Two launchers, same contract (:func:`run_isolated`):

* **forkserver** (POSIX, the default): children fork from a server process that imported
  numpy, sympy, scikit-learn and srbench-lite once (:mod:`.preload`), so a job starts in ~20 ms
  instead of the ~2 s a fresh interpreter needs to import them;
* **subprocess** (portable): ``python -m srbench_lite.runner.child`` per job. Used where the
  forkserver is missing (Windows) and inside daemonic processes (dask's worker processes by
  default), where :mod:`multiprocessing` refuses to start children. ``SRBENCH_LITE_LAUNCHER``
  (``forkserver`` | ``subprocess``) forces one.

The child reports in phases (see :func:`_drive`): set up (data, estimator; up to
``STARTUP_TIMEOUT_S``), READY, then the fit's result (at most ``budget × kill_factor +
kill_grace`` after READY). Its symbolic metrics are the parent's work (:mod:`.judging`).

Either way the child gets its own process group, and the parent kills the whole group when a
limit passes, when the run is interrupted (:func:`kill_all`) and after the child is done
(leftover grandchildren). The child's output goes to a temporary log whose tail is attached
to the record when the child dies or is killed.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import pickle
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from srbench_lite.fit_result import FitResult
from srbench_lite.process_guard import pinned_env
from srbench_lite.runner.child import READY, STARTUP_TIMEOUT_S
from srbench_lite.runner.config import JobOptions
from srbench_lite.runner.jobs import Job

__all__ = ["ChildOutcome", "kill_all", "launcher_name", "run_isolated"]

LAUNCHER_ENV = "SRBENCH_LITE_LAUNCHER"
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])
_POLL_S = 0.25
_TAIL_BYTES = 3000

_lock = threading.Lock()
_context = None
_live: dict[int, Callable[[], None]] = {}
_stop = threading.Event()


@dataclass
class ChildOutcome:
    """How the child ended: ``done`` (sent its fit result), ``timeout`` (killed at the hard
    limit), ``crashed`` (died without a result) or ``interrupted`` (the run was stopped)."""

    kind: str
    result: FitResult | None
    exitcode: int | None
    elapsed_s: float
    log_tail: str = ""
    phase: str = "starting"  # where the child was when it ended: starting|fitting

    def describe_exit(self) -> str:
        code = self.exitcode
        if code is None:
            return "with an unknown exit status"
        if code < 0:
            try:
                sig = signal.Signals(-code)
            except ValueError:
                return f"from signal {-code}"
            what = {
                signal.SIGSEGV: " (segmentation fault)",
                signal.SIGKILL: " (killed: out of memory, or by another process)",
                signal.SIGABRT: " (aborted)",
                signal.SIGBUS: " (bus error)",
                signal.SIGALRM: " (its own hard-limit backstop)",
            }.get(sig, "")
            return f"from signal {sig.name}{what}"
        return f"with exit code {code}"


def launcher_name() -> str:
    """The launcher this process would use now: ``forkserver`` or ``subprocess``."""
    forced = os.environ.get(LAUNCHER_ENV, "").strip().lower()
    if forced in ("forkserver", "subprocess"):
        if forced == "forkserver" and "forkserver" not in mp.get_all_start_methods():
            return "subprocess"
        return forced
    if "forkserver" not in mp.get_all_start_methods():
        return "subprocess"
    if mp.current_process().daemon:
        return "subprocess"  # multiprocessing forbids children of daemonic processes
    if not _main_importable():
        return "subprocess"
    return "forkserver"


def _main_importable() -> bool:
    """False when ``__main__`` came from a path a forkserver child cannot re-import
    (``python - <<EOF``, a deleted script): multiprocessing would fail to start the job."""
    main = sys.modules.get("__main__")
    if main is None or getattr(getattr(main, "__spec__", None), "name", None):
        return True
    path = getattr(main, "__file__", None)
    return path is None or os.path.isfile(path)


def _forkserver_context():
    global _context
    with _lock:
        if _context is None:
            ctx = mp.get_context("forkserver")
            ctx.set_forkserver_preload(["__main__", "srbench_lite.runner.preload"])
            _context = ctx
        return _context


def prestart() -> None:
    """Start the job forkserver now (it imports in the background while the caller goes on),
    so the first job does not wait for it. No-op for the subprocess launcher."""
    if launcher_name() != "forkserver":
        return
    _forkserver_context()
    from multiprocessing import forkserver

    try:
        forkserver.ensure_running()
    except (OSError, ValueError):  # the first job will try again and report the problem
        pass


def _kill_group(pid: int) -> None:
    if hasattr(os, "killpg"):
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError, OSError):
            pass


def _read_tail(path: str | None) -> str:
    """The end of a job's output; for a fatal signal, faulthandler's report without its long
    list of extension modules."""
    if not path:
        return ""
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - 16 * _TAIL_BYTES))
            text = fh.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
    fatal = text.rfind("Fatal Python error")
    if fatal >= 0:
        text = text[fatal:]
    lines = [ln for ln in text.splitlines() if not ln.startswith("Extension modules:")]
    text = "\n".join(lines).strip()
    return ("..." + text[-_TAIL_BYTES:]) if len(text) > _TAIL_BYTES else text


def kill_all() -> None:
    """Stop every running job (an interrupted run): waits stop, children are killed."""
    _stop.set()
    with _lock:
        killers = list(_live.values())
    for kill in killers:
        kill()


def wait_idle(timeout_s: float = 10.0) -> bool:
    """Wait until no job child is tracked (after :func:`kill_all`); False on timeout."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with _lock:
            if not _live:
                return True
        time.sleep(0.05)
    return False


def reset() -> None:
    """Allow jobs again after :func:`kill_all` (a new run in the same process)."""
    _stop.clear()


def run_isolated(job: Job, options: JobOptions) -> ChildOutcome:
    """Fit ``job`` in a child process; kill it at ``options.hard_limit_s()`` after the fit
    starts."""
    fd, log_path = tempfile.mkstemp(prefix="srbench-lite-job-", suffix=".log")
    os.close(fd)
    try:
        if launcher_name() == "forkserver":
            outcome = _run_forkserver(job, options, log_path)
        else:
            outcome = _run_subprocess(job, options, log_path)
        if outcome.kind != "done" or outcome.result is None:
            outcome.log_tail = _read_tail(log_path)
        return outcome
    finally:
        try:
            os.unlink(log_path)
        except OSError:
            pass


_NOTHING = object()
_EOF = object()


def _drive(receive, options: JobOptions, launched: float) -> ChildOutcome:
    """Follow a child through its phases -- starting, fitting -- each with its own deadline.
    ``receive(timeout)`` returns a message, ``_NOTHING`` or ``_EOF`` (child gone)."""
    phase, since = "starting", launched
    limits = {"starting": STARTUP_TIMEOUT_S, "fitting": options.hard_limit_s()}
    out = ChildOutcome("crashed", None, None, 0.0)
    fit_started = None
    while True:
        remaining = limits[phase] - (time.perf_counter() - since)
        if remaining <= 0:
            out.kind = "timeout"
            break
        if _stop.is_set():
            out.kind = "interrupted"
            break
        message = receive(min(remaining, _POLL_S))
        if message is _NOTHING:
            continue
        if message is _EOF:
            break
        if phase == "starting" and message == READY:
            phase, since = "fitting", time.perf_counter()
            fit_started = since
        elif isinstance(message, FitResult):
            # a result (from "starting": the job failed while setting up)
            out.kind, out.result = "done", message
            out.elapsed_s = time.perf_counter() - (fit_started or launched)
            break
        else:
            break  # out of protocol: treat as a crash
    if out.kind != "done":
        out.elapsed_s = time.perf_counter() - (fit_started or launched)
    out.phase = phase
    return out


def _run_forkserver(job: Job, options: JobOptions, log_path: str) -> ChildOutcome:
    from multiprocessing.connection import wait

    from srbench_lite.runner.child import run_in_forkserver_child

    ctx = _forkserver_context()
    reader, writer = ctx.Pipe(duplex=False)
    proc = ctx.Process(
        target=run_in_forkserver_child,
        args=(writer, job, options, os.getpid(), log_path),
        name=f"srbench-lite-job-{job.method}",
        daemon=False,
    )
    if _stop.is_set():
        return ChildOutcome("interrupted", None, None, 0.0)
    launched = time.perf_counter()
    proc.start()
    writer.close()

    def kill() -> None:
        _kill_group(proc.pid)
        try:
            proc.kill()
        except (OSError, ValueError, AttributeError):
            pass

    def receive(timeout: float):
        ready = wait([reader, proc.sentinel], timeout=timeout)
        if not ready:
            return _NOTHING
        if reader in ready or reader.poll(0):
            try:
                return reader.recv()
            except (EOFError, OSError, pickle.UnpicklingError, AttributeError):
                return _EOF
        return _EOF  # the process ended with nothing left in the pipe

    with _lock:
        _live[proc.pid] = kill
    try:
        outcome = _drive(receive, options, launched)
        if outcome.kind == "done":
            proc.join(timeout=2.0)
        kill()  # the child (if still there) and any grandchildren it left behind
        proc.join(timeout=5.0)
        outcome.exitcode = proc.exitcode
        return outcome
    finally:
        with _lock:
            _live.pop(proc.pid, None)
        reader.close()
        try:
            proc.close()
        except ValueError:
            pass


def _run_subprocess(job: Job, options: JobOptions, log_path: str) -> ChildOutcome:
    import queue

    env = pinned_env()
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_PACKAGE_ROOT, env.get("PYTHONPATH")) if p)
    request = pickle.dumps((job, options, os.getpid(), log_path), protocol=4)
    if _stop.is_set():
        return ChildOutcome("interrupted", None, None, 0.0)
    launched = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "srbench_lite.runner.child"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        start_new_session=True,
    )

    def kill() -> None:
        _kill_group(proc.pid)
        try:
            proc.kill()
        except OSError:
            pass

    messages: queue.Queue = queue.Queue()

    def read() -> None:
        stream = proc.stdout
        try:
            while True:
                messages.put(pickle.load(stream))
        except (EOFError, OSError, ValueError, pickle.UnpicklingError, AttributeError):
            pass
        messages.put(_EOF)

    def receive(timeout: float):
        try:
            return messages.get(timeout=timeout)
        except queue.Empty:
            return _NOTHING

    with _lock:
        _live[proc.pid] = kill
    reader = threading.Thread(target=read, daemon=True, name="srbench-lite-job-reader")
    reader.start()
    try:
        try:
            proc.stdin.write(request)
            proc.stdin.close()
        except OSError:
            pass
        outcome = _drive(receive, options, launched)
        if outcome.kind == "done":
            try:
                proc.wait(timeout=2.0)
            except subprocess.TimeoutExpired:
                pass
        kill()
        proc.wait(timeout=5.0)
        reader.join(timeout=5.0)
        outcome.exitcode = proc.returncode
        return outcome
    finally:
        with _lock:
            _live.pop(proc.pid, None)
        try:
            proc.stdout.close()
        except OSError:
            pass
