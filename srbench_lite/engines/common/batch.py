"""Score and fit many programs per call: the engines' hot path.

:func:`score_many` gives every program's NMSE under linear scaling (``a * f + b``);
:func:`fit_many` first moves each program's constants by Levenberg-Marquardt. Both take a
:class:`Data` (the rows, laid out once) and reject programs with a non-finite intermediate
value (``loss = inf``), exactly like :func:`.evaluate.evaluate`.

Two interchangeable backends give the same results (to rounding):

* ``numba`` (default when numba imports): the compiled stack machine of :mod:`.kernels`, one
  call for the whole batch, exact forward-mode derivatives for LM;
* ``numpy``: a loop over :func:`.evaluate.evaluate` (one generated numpy expression per
  program) and finite-difference LM (:func:`.constants.polish_constants`).

``SRBENCH_LITE_BACKEND=numpy`` (or :func:`use_backend`) forces the numpy backend. A fit with
a time budget uses :func:`.warm_up.fit_backend`: numpy until the kernels have been compiled
once.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "Batch",
    "Data",
    "Scores",
    "backend",
    "forced_backend",
    "fit_many",
    "score_many",
    "use_backend",
    "values_many",
]

_FORCED: list[str] = []
_NUMBA_OK: bool | None = None


def _numba_available() -> bool:
    global _NUMBA_OK
    if _NUMBA_OK is None:
        try:
            import srbench_lite.engines.common.kernels  # noqa: F401

            _NUMBA_OK = True
        except ImportError:
            _NUMBA_OK = False
    return _NUMBA_OK


def forced_backend() -> str | None:
    """The backend :func:`use_backend` forces now (None outside its ``with`` block)."""
    return _FORCED[-1] if _FORCED else None


def backend() -> str:
    """``"numba"`` or ``"numpy"``: what :func:`score_many` and :func:`fit_many` use now."""
    if _FORCED:
        return _FORCED[-1]
    if os.environ.get("SRBENCH_LITE_BACKEND", "").lower() == "numpy":
        return "numpy"
    return "numba" if _numba_available() else "numpy"


@contextlib.contextmanager
def use_backend(name: str) -> Iterator[None]:
    """Use backend ``name`` (``"numba"`` or ``"numpy"``) inside the ``with`` block."""
    if name not in ("numba", "numpy"):
        raise ValueError(f"unknown backend {name!r}; use 'numba' or 'numpy'")
    if name == "numba" and not _numba_available():
        raise RuntimeError("the numba backend needs numba: pip install numba")
    _FORCED.append(name)
    try:
        yield
    finally:
        _FORCED.pop()


@dataclass(frozen=True)
class Data:
    """Rows to score on: ``XT`` is ``(n_features, n_rows)`` C-contiguous, ``y`` the target."""

    XT: np.ndarray
    y: np.ndarray

    @classmethod
    def from_xy(cls, X, y=None) -> Data:
        """From ``X`` (``n_rows x n_features``) and ``y`` (zeros when omitted)."""
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2:
            raise ValueError(f"X must be 2-D, got shape {X.shape}")
        yv = np.zeros(len(X)) if y is None else np.ascontiguousarray(y, dtype=np.float64)
        return cls(np.ascontiguousarray(X.T), yv)

    @property
    def n(self) -> int:
        return len(self.y)

    @property
    def cols(self) -> list[np.ndarray]:
        """The columns of ``X`` (views), the layout of :func:`.evaluate.evaluate`."""
        return list(self.XT)

    def take(self, rows) -> Data:
        """The subset of rows ``rows`` (indices, mask or slice)."""
        return Data(np.ascontiguousarray(self.XT[:, rows]), np.ascontiguousarray(self.y[rows]))


@dataclass
class Scores:
    """Per program: ``loss`` (NMSE = MSE / var(y), ``inf`` when undefined), scaling ``a, b``,
    and, from :func:`fit_many`, the fitted ``consts`` (a sequence that copies a program's
    constants out of the batch when it is read, so that a large batch costs nothing here)."""

    loss: np.ndarray
    a: np.ndarray
    b: np.ndarray
    consts: Sequence[np.ndarray]


class _BatchConsts(Sequence):
    """The constants of a batch's programs, each read as a copy."""

    def __init__(self, batch: Batch) -> None:
        self._batch = batch

    def __len__(self) -> int:
        return len(self._batch)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self._batch.consts(j) for j in range(len(self))[i]]
        n = len(self)
        if not -n <= i < n:
            raise IndexError(f"program {i} of {n}")
        return self._batch.consts(i % n)


def _consts_list(programs, consts) -> list:
    if consts is None:
        return [None] * len(programs)
    if len(consts) != len(programs):
        raise ValueError(f"{len(programs)} programs but {len(consts)} constant vectors")
    return list(consts)


class Batch:
    """Programs with their constants, laid out once for several calls (packed for the kernels
    on the numba backend): score them, fit the constants of a subset, read constants back.

    The backend is fixed when the batch is made. ``ValueError`` when a constant vector does not
    match its program."""

    def __init__(
        self,
        programs: Sequence[Sequence[str]],
        consts: Sequence[Sequence[float] | None] | None = None,
    ) -> None:
        cl = _consts_list(programs, consts)
        self.programs = list(programs)
        self.backend = backend()
        self.packed = None
        self._consts: list[np.ndarray] = []
        if self.backend == "numba" and self.programs:
            from srbench_lite.engines.common.program import pack

            self.packed = pack(self.programs, cl)
        else:
            from srbench_lite.engines.common.tokens import n_constants

            for t, c in zip(self.programs, cl, strict=True):
                k = n_constants(t)
                if c is not None and len(c) != k:
                    raise ValueError(f"expression has {k} constants but {len(c)} were given")
                self._consts.append(np.ones(k) if c is None else np.array(c, dtype=np.float64))

    def __len__(self) -> int:
        return len(self.programs)

    @classmethod
    def _of(cls, programs: list, backend_name: str, packed, consts: list) -> Batch:
        out = cls.__new__(cls)
        out.programs, out.backend, out.packed, out._consts = programs, backend_name, packed, consts
        return out

    def take(self, which: Sequence[int]) -> Batch:
        """The programs ``which`` (indices) as a batch with its own copy of the constants."""
        progs = [self.programs[i] for i in which]
        if self.packed is not None:
            return Batch._of(progs, self.backend, self.packed.take(which), [])
        return Batch._of(progs, self.backend, None, [self._consts[i].copy() for i in which])

    def n_consts(self) -> list[int]:
        """Each program's number of fitted constants."""
        if self.packed is not None:
            return self.packed.progs[3].tolist()
        return [len(c) for c in self._consts]

    def consts(self, i: int) -> np.ndarray:
        """The (possibly refitted) constants of program ``i`` (a copy)."""
        return self.packed.consts(i) if self.packed is not None else self._consts[i].copy()

    def score(self, data: Data, *, scale: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(loss, a, b)``: NMSE of each program (with the best ``a*f+b`` when ``scale``)."""
        n = len(self.programs)
        if self.packed is not None:
            from srbench_lite.engines.common import kernels

            P, out = self.packed, np.empty((3, n))
            kernels.score_batch(P.nodes, P.progs, P.vals, data.XT, data.y, P.depth, scale, out)
            return out[0], out[1], out[2]
        from srbench_lite.engines.common.constants import score_tokens

        def one(t, c, cols, y):
            return score_tokens(t, c, cols, y, scale=scale)

        return self._numpy_loop(data, one)

    def fit(
        self, data: Data, *, iters: int = 10, scale: bool = True
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Levenberg-Marquardt on each program's constants (``iters`` steps at most, in place:
        constants only change when the loss on ``data`` improves); ``(loss, a, b)`` after."""
        n = len(self.programs)
        if self.packed is not None:
            from srbench_lite.engines.common.fit_kernel import fit_batch

            P, out = self.packed, np.empty((3, n))
            fit_batch(
                P.nodes, P.progs, P.vals, data.XT, data.y, P.depth, int(iters), scale, out
            )
            return out[0], out[1], out[2]
        from srbench_lite.engines.common.constants import polish_constants

        def one(t, c, cols, y):
            return polish_constants(t, c, cols, y, iters=iters, scale=scale)

        return self._numpy_loop(data, one, keep=True)

    def values(self, data: Data) -> tuple[np.ndarray, np.ndarray]:
        """``(values, ok)`` as :func:`values_many`."""
        n = len(self.programs)
        out = np.zeros((n, data.n))
        if self.packed is not None:
            from srbench_lite.engines.common import kernels

            P = self.packed
            return out, kernels.eval_batch(P.nodes, P.progs, P.vals, data.XT, P.depth, out)
        from srbench_lite.engines.common.evaluate import evaluate

        ok = np.zeros(n, dtype=bool)
        cols = data.cols
        for p, (t, c) in enumerate(zip(self.programs, self._consts, strict=True)):
            v = evaluate(t, cols, c)
            if v is not None:
                out[p], ok[p] = v, True
        return out, ok

    def _numpy_loop(self, data: Data, one, keep: bool = False):
        """The numpy backend: ``one(tokens, consts, cols, y) -> ConstantFit`` per program;
        ``keep``: store the returned constants."""
        n = len(self.programs)
        cols = data.cols
        loss, a, b = np.empty(n), np.empty(n), np.empty(n)
        var = _yy(data.y) / data.n
        for p, (t, c) in enumerate(zip(self.programs, self._consts, strict=True)):
            fit = one(t, c, cols, data.y)
            loss[p], a[p], b[p] = fit.loss / var, fit.a, fit.b
            if keep:
                self._consts[p] = np.array(fit.consts, dtype=np.float64)
        return loss, a, b


def score_many(
    programs: Sequence[Sequence[str]],
    consts: Sequence[Sequence[float] | None] | None,
    data: Data,
    *,
    scale: bool = True,
) -> Scores:
    """NMSE of each program (with the best ``a*f+b`` when ``scale``) on ``data``."""
    batch = Batch(programs, consts)
    loss, a, b = batch.score(data, scale=scale)
    return Scores(loss, a, b, _BatchConsts(batch))


def fit_many(
    programs: Sequence[Sequence[str]],
    consts: Sequence[Sequence[float] | None] | None,
    data: Data,
    *,
    iters: int = 10,
    scale: bool = True,
) -> Scores:
    """Levenberg-Marquardt on each program's constants (``iters`` steps at most), then its
    NMSE; constants only change when the loss improves."""
    batch = Batch(programs, consts)
    loss, a, b = batch.fit(data, iters=iters, scale=scale)
    return Scores(loss, a, b, _BatchConsts(batch))


def values_many(
    programs: Sequence[Sequence[str]], consts: Sequence[Sequence[float] | None] | None, data: Data
) -> tuple[np.ndarray, np.ndarray]:
    """``(values, ok)``: each program's values on every row (``n_programs x n_rows``) and
    whether they are all finite (rows of a failed program are undefined)."""
    return Batch(programs, consts).values(data)


def _yy(y: np.ndarray) -> float:
    """The kernels' normaliser: ``sum((y - mean)**2)``, or ``sum(y**2)``/1 for a constant y."""
    yc = y - y.mean()
    yy = float(yc @ yc)
    if yy > 0:
        return yy
    yy = float(y @ y)
    return yy if yy > 0 else 1.0
