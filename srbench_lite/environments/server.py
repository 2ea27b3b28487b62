"""The estimator's side of a job in a method environment, run on the environment's
interpreter: ``python -I -m srbench_lite.environments.server``.

It serves one job's estimator to the job's child (:mod:`.client`): requests are pickled
tuples on stdin, each answered on stdout by ``("ok", value)`` or ``("error", kind, text)``.
Both directions carry plain Python values only -- strings, numbers, dicts, and arrays as
``np.save`` bytes -- never a numpy object pickle, so a numpy-1 environment and a numpy-2
parent read each other. Requests, in order:

* ``("build", locator, name, build_kwargs, methods_path)``: load the method's
  :class:`~srbench_lite.methods.spec.MethodSpec` (``locator``: ``("entry_point", "mod:attr")``
  or ``("file", path)``), build the estimator; answers the environment's package versions;
* ``("fit", X, y)``; ``("predict", X)`` (answers the predictions); ``("sympy",)`` (answers
  ``str(model.sympy())``); ``("model_size",)`` (a model without an expression).

The method's own output goes to stderr (the job's log). The process exits on end of input,
or when the job's child that started it dies. ``--probe`` prints the versions as JSON (the
check at the end of ``srbench-lite env create``).
"""

from __future__ import annotations

import io
import json
import os
import pickle
import sys
import time
import traceback
from typing import Any

__all__ = ["decode_array", "encode_array", "main"]

#: the pickle protocol of both directions (readable by every supported Python)
PROTOCOL = 4
#: exit code when the job's child that started the server is gone
ORPHAN_EXIT_CODE = 3


def encode_array(values) -> bytes:
    """An array as ``np.save`` bytes (no pickled objects: numpy 1 and 2 both read it)."""
    import numpy as np

    buf = io.BytesIO()
    np.save(buf, np.asarray(values), allow_pickle=False)
    return buf.getvalue()


def decode_array(data: bytes):
    """The array :func:`encode_array` wrote."""
    import numpy as np

    return np.load(io.BytesIO(data), allow_pickle=False)


def versions(requires: tuple[str, ...] = ()) -> dict[str, str]:
    """Python's, srbench-lite's, numpy's (...) and the method's package versions here."""
    from srbench_lite.records import package_versions

    return dict(package_versions(tuple(requires)))


def _load_spec(locator: tuple[str, str], name: str):
    from pathlib import Path

    from srbench_lite.methods.registry import _accept, _load_file

    kind, where = locator
    if kind == "file":
        return _load_file(Path(where))
    if kind == "entry_point":
        from importlib.metadata import EntryPoint

        ep = EntryPoint(name=name, value=where, group="srbench_lite.methods")
        return _accept(ep.load(), f"entry point {name} = {where}")
    raise ValueError(f"unknown method locator {locator!r}")


class _Session:
    """One job's estimator and the answers to its requests."""

    def __init__(self) -> None:
        self.spec = None
        self.model = None

    def build(self, locator, name: str, kwargs: dict[str, Any], methods_path: str) -> dict:
        from srbench_lite.methods.registry import ENV_PATH

        os.environ[ENV_PATH] = methods_path
        self.spec = _load_spec(tuple(locator), name)
        self.model = self.spec.build(**kwargs)
        return {"versions": versions(tuple(self.spec.requires)), "executable": sys.executable}

    def fit(self, X: bytes, y: bytes) -> dict:
        start = time.perf_counter()
        fitted = self.model.fit(decode_array(X), decode_array(y))
        if fitted is not None:
            self.model = fitted
        return {"fit_time_s": time.perf_counter() - start}

    def predict(self, X: bytes) -> bytes:
        return encode_array(self.model.predict(decode_array(X)))

    def sympy(self) -> str:
        return str(self.model.sympy())

    def model_size(self) -> float | None:
        if self.spec.model_size is None:
            return None
        size = self.spec.model_size(self.model)
        return None if size is None else float(size)


def _error(exc: BaseException) -> tuple:
    kind = "memory" if isinstance(exc, MemoryError) else None
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)[-8:])
    return ("error", kind, f"{type(exc).__name__}: {exc}\n(in the method's environment)\n{text}")


def serve(requests, reply) -> None:
    """Answer requests from ``requests`` on ``reply`` until end of input."""
    session = _Session()
    handlers = {"build": session.build, "fit": session.fit, "predict": session.predict,
                "sympy": session.sympy, "model_size": session.model_size}  # fmt: skip
    while True:
        try:
            request = pickle.load(requests)
        except EOFError:
            return
        op, args = request[0], request[1:]
        try:
            if op not in handlers:
                raise ValueError(f"unknown request {op!r}")
            answer: tuple = ("ok", handlers[op](*args))
        except BaseException as exc:  # every failure is the job's, reported to its child
            answer = _error(exc)
        reply.write(pickle.dumps(answer, protocol=PROTOCOL))
        reply.flush()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv == ["--probe"]:
        import numpy  # noqa: F401 (the environment must have it)

        print(json.dumps(versions()))
        return 0
    import faulthandler

    from srbench_lite.process_guard import pin_threads, watch_parent

    reply = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # the method's prints go to the job's log, never into the replies
    faulthandler.enable()  # a crash of the method's native code says where, in the log
    pin_threads()
    watch_parent(os.getppid(), exit_code=ORPHAN_EXIT_CODE)
    serve(sys.stdin.buffer, reply)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # skip atexit handlers the method may have registered


if __name__ == "__main__":
    sys.exit(main())
