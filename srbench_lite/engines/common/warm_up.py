"""When the compiled kernels are ready, and compiling them without slowing the fits.

A fit with a time budget asks :func:`fit_backend` which backend to use: ``"numba"`` once the
kernels are in numba's disk cache, else ``"numpy"`` while one background process compiles them
(:mod:`.kernels`) at the lowest CPU priority; a long run compiles them up front instead
(:func:`compile_kernels`, the built-in methods' ``MethodSpec.prepare``).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import time

from srbench_lite.engines.common.batch import backend, forced_backend

__all__ = ["compile_kernels", "fit_backend"]

_WARMING: list[subprocess.Popen] = []
_STALE_LOCK_S = 300.0


def _warm_up_lock(kernels_file: str) -> str:
    """The lock file that lets one process at a time compile this installation's kernels."""
    tag = hashlib.sha1(os.path.abspath(kernels_file).encode()).hexdigest()[:12]
    return os.path.join(tempfile.gettempdir(), f"srbench-lite-kernels-{tag}.lock")


def _claim(lock: str) -> bool:
    """Create ``lock`` unless another process holds it (a lock older than 5 min is stale)."""
    for _ in range(2):
        try:
            os.close(os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            return True
        except FileExistsError:
            try:
                if time.time() - os.path.getmtime(lock) < _STALE_LOCK_S:
                    return False
                os.unlink(lock)
            except OSError:
                return False
        except OSError:  # no writable temp dir: compile anyway
            return True
    return False


def _own_group() -> dict:
    """Popen arguments for a process group of its own (a job's hard kill does not stop the
    compilation) in the *same session*: on Linux a new session is a new scheduling autogroup,
    which gets a whole core whatever its nice value, so the low priority would not hold."""
    if sys.version_info >= (3, 11):
        return {"process_group": 0}
    return {"preexec_fn": os.setpgrp} if hasattr(os, "setpgrp") else {}


def fit_backend() -> str:
    """The backend for a whole fit with a time budget: ``"numba"`` when its kernels are
    compiled (in this process or in numba's disk cache); otherwise ``"numpy"``, while one
    background process compiles them for later fits (a first compilation takes longer than a
    short budget) at the lowest CPU priority, so that it does not slow the fits beside it. A
    lock file in the temp dir keeps concurrent jobs from compiling twice. (A long run compiles
    them before its first job: :func:`compile_kernels`.)"""
    name = backend()
    if name != "numba" or forced_backend() is not None:
        return name
    from srbench_lite.engines.common import kernels

    if kernels.compiled():
        return "numba"
    if _WARMING and _WARMING[-1].poll() is None:
        return "numpy"
    lock = _warm_up_lock(kernels.__file__)
    if _claim(lock):
        _WARMING.append(
            subprocess.Popen(
                [sys.executable, "-m", "srbench_lite.engines.common.kernels", lock],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                **_own_group(),
            )
        )
    return "numpy"


def compile_kernels() -> None:
    """Compile the kernels into numba's disk cache now (in a child process, at normal
    priority), unless they are compiled already or numba is missing: the runner's
    ``MethodSpec.prepare`` of the built-in engines, before a long run."""
    if backend() != "numba":
        return
    from srbench_lite.engines.common import kernels

    if not kernels.compiled():
        print("compiling the engines' numba kernels once (about 20 s)...", file=sys.stderr)
        subprocess.run(
            [sys.executable, "-m", "srbench_lite.engines.common.kernels"],
            stdin=subprocess.DEVNULL,
            check=False,
        )
