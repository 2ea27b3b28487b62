"""Entry point of the sandbox worker process (``python -m srbench_lite._sandbox_worker``).

Reads length-prefixed pickles ``(function, args, kwargs)`` from stdin and writes
``("ok", result)`` or ``("err", exception type name, message)`` to stdout until stdin closes;
its first message is ``("ready",)``, once sympy is imported. Only the parent process
(:mod:`srbench_lite.sandbox`) talks to it.
"""

from __future__ import annotations

import os
import pickle
import struct
import sys
import warnings

from srbench_lite.process_guard import limit_memory, watch_parent

_HEADER = struct.Struct("<Q")
#: caps the worker's address space (MiB, POSIX) when set
MEMORY_ENV = "SRBENCH_LITE_SANDBOX_MAX_MEMORY_MB"


def _read_exact(stream, n: int) -> bytes | None:
    data = stream.read(n)
    return data if len(data) == n else None


def main() -> int:
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    sys.stdout = sys.stderr  # nothing but replies may reach the protocol stream
    inp = sys.stdin.buffer
    warnings.simplefilter("ignore")
    limit_memory(os.environ.get(MEMORY_ENV))
    watch_parent(os.getppid(), exit_code=0)  # exit when the parent dies, even mid-call
    import sympy  # the heavy import, once, before the greeting

    # a first simplify fills sympy's caches and lazy imports (about 1 s cold): start-up, not
    # the first caller's time limit
    x = sympy.Symbol("x", positive=True)
    sympy.simplify(sympy.sin(x) ** 2 + sympy.cos(x) ** 2 + sympy.log(x * sympy.exp(x)) / (x + 1))

    def send(reply) -> None:
        data = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
        out.write(_HEADER.pack(len(data)) + data)
        out.flush()

    send(("ready",))

    while True:
        head = _read_exact(inp, _HEADER.size)
        if head is None:
            return 0
        payload = _read_exact(inp, _HEADER.unpack(head)[0])
        if payload is None:
            return 0
        try:
            fn, args, kwargs = pickle.loads(payload)
            reply = ("ok", fn(*args, **kwargs))
            data = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
        except RecursionError:
            data = pickle.dumps(("err", "RecursionError", "expression too deeply nested for sympy"))
        except MemoryError:
            data = pickle.dumps(("err", "MemoryError", "out of memory"))
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the parent
            data = pickle.dumps(("err", type(exc).__name__, str(exc)[:2000]))
        out.write(_HEADER.pack(len(data)) + data)
        out.flush()


if __name__ == "__main__":
    sys.exit(main())
