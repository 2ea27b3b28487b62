"""One safety net (srbench_lite.process_guard) for the job child and the sympy sandbox worker:
both use it, neither repeats it, and it works (parent watch, memory cap, thread pins)."""

from __future__ import annotations

import inspect
import os
import select
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from srbench_lite import _sandbox_worker, process_guard
from srbench_lite.runner import child

ROOT = str(Path(__file__).resolve().parents[1])


def _python(code: str, **kwargs) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, (ROOT, os.environ.get(
        "PYTHONPATH")))))  # fmt: skip
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], env=env, **kwargs)


def test_child_and_sandbox_worker_share_the_safety_net():
    assert child.watch_parent is process_guard.watch_parent
    assert _sandbox_worker.watch_parent is process_guard.watch_parent
    assert child.limit_memory is _sandbox_worker.limit_memory is process_guard.limit_memory
    for module in (child, _sandbox_worker):
        source = inspect.getsource(module)
        for own in ("setrlimit", "os.kill(", "threading.Thread(", "setitimer", "_watch_parent"):
            assert own not in source, (module.__name__, own)


def test_pinned_env():
    env = process_guard.pinned_env({"OMP_NUM_THREADS": "8", "KEEP": "x"})
    assert env["KEEP"] == "x" and all(env[name] == "1" for name in process_guard.THREAD_VARS)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX process tree")
@pytest.mark.parametrize("direct", [True, False], ids=["parent", "ancestor"])
def test_watch_parent_exits_when_the_parent_dies(direct):
    """A watcher of its own parent, or of a further ancestor (a job child under the
    forkserver), exits soon after that process dies, and not before."""
    read, write = os.pipe()  # the watcher holds the write end: EOF here once it is gone
    watcher = """
        import os, time
        from srbench_lite.process_guard import watch_parent
        watch_parent({pid}, exit_code=7, interval_s=0.1)
        time.sleep(60)
    """
    if direct:  # parent -> watcher; the parent prints nothing and sleeps until killed
        parent = _python(
            f"""
            import subprocess, sys, os, time
            subprocess.Popen([sys.executable, "-c", {textwrap.dedent(watcher)!r}
                              .replace("{{pid}}", str(os.getpid()))], pass_fds=({write},))
            time.sleep(60)
            """,
            pass_fds=(write,),
        )
        watched = None
    else:  # an unrelated "parent" process; the watcher is our own child
        parent = _python("import time; time.sleep(60)")
        watched = _python(watcher.replace("{pid}", str(parent.pid)), pass_fds=(write,))
    os.close(write)
    try:
        assert select.select([read], [], [], 1.5)[0] == []  # alive while the parent is
        parent.kill()
        parent.wait()
        assert select.select([read], [], [], 10)[0] == [read] and os.read(read, 1) == b""
        if watched is not None:
            assert watched.wait(timeout=5) == 7
    finally:
        os.close(read)
        parent.kill()
        if watched is not None:
            watched.kill()


@pytest.mark.skipif(sys.platform == "win32" or sys.platform == "darwin", reason="RLIMIT_AS")
def test_limit_memory_caps_the_process():
    proc = _python(
        """
        from srbench_lite.process_guard import limit_memory
        assert limit_memory(400)
        try:
            block = bytearray(800 * 2**20)
        except MemoryError:
            print("capped")
        """,
        stdout=subprocess.PIPE,
        text=True,
    )
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0 and out.strip() == "capped"
    assert process_guard.limit_memory(None) is False and process_guard.limit_memory("") is False


def test_judge_worker_gets_the_jobs_memory_cap():
    """The runner's --memory-mb reaches the sandbox worker that judges a job (it used to cap
    the job's process, which scored its own fit)."""
    import resource
    import threading

    from srbench_lite import sandbox

    seen = {}

    def in_a_new_thread():  # a new thread gets a new worker, started with the cap
        try:
            seen["limit"] = sandbox.call_with_timeout(
                resource.getrlimit, resource.RLIMIT_AS, timeout=120
            )
        finally:
            sandbox.stop_worker()

    sandbox.limit_worker_memory(6000)
    try:
        thread = threading.Thread(target=in_a_new_thread)
        thread.start()
        thread.join()
    finally:
        sandbox.limit_worker_memory(None)
    assert tuple(seen["limit"]) == (6000 * 2**20, 6000 * 2**20)
