"""Killable sympy work: a reusable worker process, killed and restarted on timeout.

``sympy.simplify`` (and ``factor``, ``is_constant`` ...) can run for minutes on unlucky input,
and SIGALRM only works on the main thread of the main interpreter. So the judges
(:mod:`srbench_lite.metrics`) and the engines' model tidying run their sympy steps through
:func:`call_with_timeout`, which runs them in a child process:

* one worker per calling thread, started on first use with ``python -m
  srbench_lite._sandbox_worker`` (a fresh interpreter: no ``fork`` of a threaded parent, no
  re-import of the caller's ``__main__``, allowed inside daemonic pool workers), which imports
  sympy once and then serves any number of calls -- a call costs a pickle round trip, not an
  interpreter start;
* a call's ``timeout`` counts from the moment the worker is ready: the interpreter's start-up
  (up to :data:`STARTUP_TIMEOUT_S`, longer on a loaded machine) is waited for separately, so a
  2 s limit is 2 s of sympy, not 2 s minus an interpreter start;
* calls are length-prefixed pickles over the child's stdin/stdout; a reader thread in the parent
  feeds a queue, so the parent waits with a timeout on any thread;
* on timeout the worker is killed (the call raises :class:`SandboxTimeout`) and the next call
  starts a new one; if the worker dies (killed for memory, segfault) the call raises
  :class:`SandboxError` and the next call starts a new one.

``timeout=None`` runs the function in the calling process without a limit. If a worker process
cannot be started at all (a sandbox without ``subprocess``), calls fall back to in-process
execution, limited by SIGALRM on the main thread and unlimited elsewhere (a warning says so).
``SRBENCH_LITE_SANDBOX_MAX_MEMORY_MB`` caps the worker's address space (POSIX) if set.
"""

from __future__ import annotations

import atexit
import importlib
import os
import pickle
import queue
import signal
import struct
import subprocess
import sys
import threading
import warnings
from collections.abc import Callable
from pathlib import Path

__all__ = [
    "STARTUP_TIMEOUT_S",
    "SandboxError",
    "SandboxTimeout",
    "call_with_timeout",
    "limit_worker_memory",
    "ready",
    "shutdown_workers",
    "start",
    "stop_worker",
    "warm_up",
]

_HEADER = struct.Struct("<Q")
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[1])
#: seconds a new worker may take to start (interpreter + sympy import) before a call gives up
STARTUP_TIMEOUT_S = 120.0


class SandboxTimeout(TimeoutError):
    """The sandboxed step ran past its wall-clock limit."""


class SandboxError(RuntimeError):
    """The sandboxed step failed in the worker (an exception, or the worker died)."""

    def __init__(self, message: str, exc_type: str = "SandboxError"):
        super().__init__(message)
        self.exc_type = exc_type


#: the address-space cap (MB) of workers started from now on (:func:`limit_worker_memory`)
_memory_mb: float | None = None


def limit_worker_memory(memory_mb: float | None) -> None:
    """Cap the address space of sandbox workers started from now on at ``memory_mb`` MB (the
    runner passes ``--memory-mb``, so judging a job is capped as its fit is); ``None``: only
    ``SRBENCH_LITE_SANDBOX_MAX_MEMORY_MB``, if set. Workers already running keep their cap."""
    global _memory_mb
    _memory_mb = memory_mb


class _Worker:
    def __init__(self) -> None:
        env = dict(os.environ)
        if _memory_mb:
            env["SRBENCH_LITE_SANDBOX_MAX_MEMORY_MB"] = str(int(_memory_mb))
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (_PACKAGE_ROOT, env.get("PYTHONPATH", "")) if p
        )
        env.setdefault("OMP_NUM_THREADS", "1")
        env.setdefault("OPENBLAS_NUM_THREADS", "1")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "srbench_lite._sandbox_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            close_fds=True,
        )
        self.replies: queue.Queue = queue.Queue()
        self.reader = threading.Thread(target=self._read, daemon=True, name="srbl-sandbox-reader")
        self.reader.start()
        self.ready = False
        self.modules: set[str] = set()

    def wait_ready(self, timeout: float) -> None:
        """Wait for the worker's start-up greeting (sent once sympy is imported)."""
        if self.ready:
            return
        try:
            reply = self.replies.get(timeout=timeout)
        except queue.Empty:
            self.kill()
            raise SandboxTimeout(f"sandbox worker did not start within {timeout:g} s") from None
        if reply[0] != "ready":
            self.kill()
            raise SandboxError(f"sandbox worker failed to start (exit code {self.proc.poll()})")
        self.ready = True

    def _read(self) -> None:
        stream = self.proc.stdout
        try:
            while True:
                head = stream.read(_HEADER.size)
                if len(head) < _HEADER.size:
                    break
                (n,) = _HEADER.unpack(head)
                payload = stream.read(n)
                if len(payload) < n:
                    break
                self.replies.put(pickle.loads(payload))
        except (OSError, ValueError, pickle.UnpicklingError):
            pass
        self.replies.put(("eof",))

    def alive(self) -> bool:
        return self.proc.poll() is None

    def call(self, fn: Callable, args: tuple, kwargs: dict, timeout: float):
        self.wait_ready(max(STARTUP_TIMEOUT_S, timeout))
        module = getattr(fn, "__module__", None)
        if module and module not in self.modules:  # its import is start-up too, not the call's
            self.modules.add(module)
            self._send_and_wait(_import, (module,), {}, STARTUP_TIMEOUT_S)
        return self._send_and_wait(fn, args, kwargs, timeout)

    def _send_and_wait(self, fn: Callable, args: tuple, kwargs: dict, timeout: float):
        payload = pickle.dumps((fn, args, kwargs), protocol=pickle.HIGHEST_PROTOCOL)
        try:
            self.proc.stdin.write(_HEADER.pack(len(payload)) + payload)
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            self.kill()
            raise SandboxError(f"sandbox worker is gone: {exc}") from None
        try:
            reply = self.replies.get(timeout=timeout)
        except queue.Empty:
            self.kill()
            raise SandboxTimeout(f"sympy step exceeded the {timeout:g} s limit") from None
        if reply[0] == "ok":
            return reply[1]
        if reply[0] == "err":
            raise SandboxError(reply[2], reply[1])
        self.kill()
        code = self.proc.poll()
        raise SandboxError(f"sandbox worker died (exit code {code})", "WorkerDied")

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover - kill is not ignorable
            pass
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass


_local = threading.local()
_all_workers: set[_Worker] = set()
_registry_lock = threading.Lock()
_spawn_failed = False


def _get_worker() -> _Worker | None:
    global _spawn_failed
    worker = getattr(_local, "worker", None)
    if worker is not None and worker.alive():
        return worker
    if worker is not None:
        worker.kill()
        with _registry_lock:
            _all_workers.discard(worker)
    if _spawn_failed:
        return None
    try:
        worker = _Worker()
    except OSError as exc:
        _spawn_failed = True
        warnings.warn(
            f"cannot start the sandbox worker process ({exc}); running sympy in-process",
            RuntimeWarning,
            stacklevel=3,
        )
        return None
    _local.worker = worker
    with _registry_lock:
        _all_workers.add(worker)
    return worker


def _run_inline(fn: Callable, args: tuple, kwargs: dict, timeout: float | None):
    use_alarm = (
        timeout is not None
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    if timeout is not None and not use_alarm:
        warnings.warn(
            "no worker process and not on the main thread: the step runs without a time limit",
            RuntimeWarning,
            stacklevel=3,
        )
    if not use_alarm:
        return fn(*args, **kwargs)

    def _alarm(signum, frame):
        raise SandboxTimeout(f"sympy step exceeded the {timeout:g} s limit")

    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        return fn(*args, **kwargs)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def call_with_timeout(fn: Callable, *args, timeout: float | None = 30.0, **kwargs):
    """Run module-level ``fn(*args, **kwargs)`` in the worker, at most ``timeout`` seconds.

    Raises :class:`SandboxTimeout` on timeout and :class:`SandboxError` when ``fn`` raised (the
    original exception type name is in ``.exc_type``) or the worker died. The worker's
    start-up is not counted in ``timeout`` (see the module docstring).
    """
    if timeout is None:
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            raise SandboxError(str(exc), type(exc).__name__) from exc
    timeout = float(timeout)
    if not timeout > 0:
        raise ValueError(f"timeout must be positive, got {timeout!r}")
    worker = _get_worker()
    if worker is None:
        try:
            return _run_inline(fn, args, kwargs, timeout)
        except SandboxTimeout:
            raise
        except Exception as exc:
            raise SandboxError(str(exc), type(exc).__name__) from exc
    return worker.call(fn, args, kwargs, timeout)


def _import(module: str) -> None:
    importlib.import_module(module)


def start() -> None:
    """Start this thread's worker without waiting for it (its start-up then overlaps the
    caller's work, e.g. an engine's search before its finishing stage)."""
    _get_worker()


def ready() -> bool:
    """Whether this thread's worker has finished starting, without waiting for it (a caller
    with a deadline can skip an optional step rather than wait for a start-up)."""
    worker = getattr(_local, "worker", None)
    if worker is None or not worker.alive():
        return False
    if not worker.ready:
        try:
            reply = worker.replies.get_nowait()
        except queue.Empty:
            return False
        if reply[0] != "ready":
            worker.kill()
            return False
        worker.ready = True
    return True


def warm_up(timeout: float = STARTUP_TIMEOUT_S) -> None:
    """Start this thread's worker now (imports sympy there) so the first call is fast."""
    worker = _get_worker()
    if worker is not None:
        worker.wait_ready(timeout)


def stop_worker() -> None:
    """Kill this thread's worker, if any (a thread that is done with sympy work; the next call
    on this thread starts a new one)."""
    worker = getattr(_local, "worker", None)
    if worker is None:
        return
    _local.worker = None
    with _registry_lock:
        _all_workers.discard(worker)
    worker.kill()


def shutdown_workers() -> None:
    """Kill every worker this process started (they are restarted on demand)."""
    with _registry_lock:
        workers = list(_all_workers)
        _all_workers.clear()
    for worker in workers:
        worker.kill()
    if getattr(_local, "worker", None) is not None:
        _local.worker = None


atexit.register(shutdown_workers)
