"""Every compiled (numba) kernel in one place, and their compilation.

The kernels: :func:`eval_batch` and :func:`score_batch` (the stack machine, :mod:`.stack`),
:func:`fit_batch` (constant fitting, :mod:`.fit_kernel`), :func:`pack_batch` (packing,
:mod:`.pack_kernel`) and :func:`simplify_batch` (token simplification, :mod:`.simplify_kernel`). numba compiles each one on its first call (seconds) and caches it on disk
(``cache=True``). :func:`warm_up` compiles them all on a tiny batch, then leaves a stamp file
beside numba's cache; :func:`compiled` reads it, so that a fit with a short time budget only
uses the kernels once they are ready (:func:`.warm_up.fit_backend`).

``python -m srbench_lite.engines.common.kernels [LOCK]`` runs :func:`warm_up`, then deletes the
file ``LOCK`` (the lock :func:`.warm_up.fit_backend` took to start this compilation in the
background). Imported only where numba is available (:mod:`.batch` decides).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
from pathlib import Path

import numba
import numpy as np

from srbench_lite.engines.common import (
    derivatives,
    fit_kernel,
    opcodes,
    operators,
    pack_kernel,
    simplify_kernel,
    simplify_nodes,
    stack,
    vmath,
)
from srbench_lite.engines.common.fit_kernel import fit_batch
from srbench_lite.engines.common.pack_kernel import pack_batch
from srbench_lite.engines.common.program import pack, simplify_columns, token_ids
from srbench_lite.engines.common.simplify_kernel import simplify_batch
from srbench_lite.engines.common.stack import eval_batch, score_batch

__all__ = [
    "KERNELS", "compiled", "eval_batch", "fit_batch", "load", "pack_batch", "score_batch",
    "simplify_batch", "warm_up",
]  # fmt: skip

KERNELS = (eval_batch, score_batch, fit_batch, pack_batch, simplify_batch)
#: the modules whose source is compiled into the kernels (defined or inlined there)
_SOURCES = (
    operators, opcodes, vmath, stack, derivatives, fit_kernel, pack_kernel, simplify_nodes,
    simplify_kernel,
)  # fmt: skip
_STAMP_PREFIX = "srbench-lite-kernels-"


def _stamp_file() -> Path:
    """Where :func:`warm_up` records that the kernels of the current sources are cached: a file
    in numba's cache folder (``stats.cache_path``), named for numba's and Python's versions and
    each source file's size and modification time (what numba's cache checks, per file)."""
    h = hashlib.sha1(f"{numba.__version__} {sys.version_info[:2]}".encode())
    for module in _SOURCES:
        st = os.stat(module.__file__)
        h.update(f"|{module.__name__} {st.st_mtime_ns} {st.st_size}".encode())
    return Path(eval_batch.stats.cache_path) / f"{_STAMP_PREFIX}{h.hexdigest()[:16]}.ok"


def compiled() -> bool:
    """Whether every kernel can run without compiling first: compiled in this process, or
    compiled by :func:`warm_up` (here or in another process) for the current sources."""
    if all(f.signatures for f in KERNELS):
        return True
    try:
        return _stamp_file().exists()
    except OSError:
        return False


def _call_each() -> None:
    """Run every kernel once on a tiny batch (compiling it, or loading it from the disk cache)."""
    P = pack([("add", "x0", "c")], [[1.0]])
    X = np.ones((1, 4))
    y = np.arange(4.0)
    eval_batch(P.nodes, P.progs, P.vals, X, P.depth, np.empty((1, 4)))
    score_batch(P.nodes, P.progs, P.vals, X, y, P.depth, True, np.empty((3, 1)))
    fit_batch(P.nodes, P.progs, P.vals.copy(), X, y, P.depth, 2, True, np.empty((3, 1)))
    one = np.ones(1, dtype=np.int64)
    simplify_batch(token_ids([("neg", "x0")]), 2 * one, np.zeros(0), *simplify_columns(), True)


def load() -> bool:
    """Load every kernel from numba's disk cache into this process if :func:`compiled` says
    they are there (a fraction of a second; never a compilation); returns whether it did. The
    job forkserver calls it, so that forked jobs start with the machine code in memory."""
    if not compiled():
        return False
    _call_each()
    return True


def warm_up() -> None:
    """Compile (and cache on disk) every kernel on a tiny batch, then record it (see
    :func:`compiled`); the record is skipped where numba's cache folder is not writable."""
    _call_each()
    with contextlib.suppress(OSError):
        stamp = _stamp_file()
        for old in stamp.parent.glob(f"{_STAMP_PREFIX}*.ok"):  # stamps of edited sources
            old.unlink(missing_ok=True)
        tmp = stamp.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(f"{numba.__version__}\n")
        os.replace(tmp, stamp)


def _lowest_priority() -> None:
    """Run this process at the lowest CPU priority: a background compilation must not slow the
    fits beside it (their budgets are wall-clock). (It is started in its fit's session:
    :func:`.warm_up.fit_backend`.)"""
    with contextlib.suppress(OSError, AttributeError):
        os.nice(19)


if __name__ == "__main__":  # python -m srbench_lite.engines.common.kernels [LOCK]: build the cache
    if len(sys.argv) > 1:  # started by a fit (warm_up.fit_backend): yield the CPU to the fits
        _lowest_priority()
    try:
        warm_up()
    finally:  # release the lock file that warm_up.fit_backend took for this compilation
        if len(sys.argv) > 1:
            with contextlib.suppress(OSError):
                os.unlink(sys.argv[1])
