"""Pack token sequences into the flat arrays of the compiled stack machine (:mod:`.kernels`).

A token sequence (prefix order) becomes, in postfix order, one opcode and one argument per node:
a variable ``x<i>`` is ``(VAR, i)``; a constant placeholder or a literal is ``(VAL, j)`` where
``j`` indexes the program's *values*: its ``k`` fitted constants first (the k-th ``"c"`` from
the left, or the parameter ``"p<k>"``, is value ``k``), then its literals. The encoding of each distinct token sequence is
computed once and cached.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from srbench_lite.engines.common.operators import OPS, VAL, VAR
from srbench_lite.engines.common.tokens import (
    CONST,
    is_literal,
    is_parameter,
    is_variable,
    literal_value,
    n_constants,
)

__all__ = ["Encoded", "Packed", "encode", "pack"]


@dataclass(frozen=True)
class Encoded:
    """One program: postfix ``code``/``arg``, its literal values, constants count, stack depth."""

    code: tuple[int, ...]
    arg: tuple[int, ...]
    literals: tuple[float, ...]
    n_consts: int
    depth: int


_CACHE: dict[tuple[str, ...], Encoded] = {}
_CACHE_MAX = 200_000


def encode(tokens: Sequence[str]) -> Encoded:
    """The (cached) postfix encoding of a prefix token sequence; ``ValueError`` if malformed."""
    key = tuple(tokens)
    hit = _CACHE.get(key)
    if hit is not None:
        return hit
    k = n_constants(key)
    code: list[int] = []
    arg: list[int] = []
    literals: list[float] = []
    ci = k
    depth = 0
    height = 0
    for tok in reversed(key):
        op = OPS.get(tok)
        if op is not None:
            if height < op.arity:
                raise ValueError(f"not a single expression: {key!r}")
            code.append(op.code)
            arg.append(0)
            height -= op.arity - 1
            continue
        if tok == CONST:
            ci -= 1
            code.append(VAL)
            arg.append(ci)
        elif is_variable(tok):
            code.append(VAR)
            arg.append(int(tok[1:]))
        elif is_parameter(tok):
            code.append(VAL)
            arg.append(int(tok[1:]))
        elif is_literal(tok):
            code.append(VAL)
            arg.append(k + len(literals))
            literals.append(literal_value(tok))
        else:
            raise ValueError(f"unknown token {tok!r}")
        height += 1
        depth = max(depth, height)
    if height != 1:
        raise ValueError(f"not a single expression: {key!r}")
    out = Encoded(tuple(code), tuple(arg), tuple(literals), k, depth)
    if len(_CACHE) >= _CACHE_MAX:
        _CACHE.clear()
    _CACHE[key] = out
    return out


@dataclass
class Packed:
    """Many programs in the flat layout the kernels take (see :mod:`.kernels`)."""

    code: np.ndarray
    arg: np.ndarray
    start: np.ndarray
    length: np.ndarray
    vals: np.ndarray
    vstart: np.ndarray
    nconst: np.ndarray
    depth: int

    def consts(self, p: int) -> np.ndarray:
        """The (possibly refitted) constants of program ``p``."""
        v0 = int(self.vstart[p])
        return self.vals[v0 : v0 + int(self.nconst[p])].copy()


def pack(programs: Sequence[Sequence[str]], consts: Sequence[Sequence[float] | None]) -> Packed:
    """Pack ``programs`` with their constants (``None``: all ones) for one kernel call."""
    encs = [encode(t) for t in programs]
    n = len(encs)
    length = np.fromiter((len(e.code) for e in encs), dtype=np.int64, count=n)
    start = np.zeros(n, dtype=np.int64)
    if n:
        np.cumsum(length[:-1], out=start[1:])
    code = np.fromiter((c for e in encs for c in e.code), dtype=np.int64, count=int(length.sum()))
    arg = np.fromiter((a for e in encs for a in e.arg), dtype=np.int64, count=len(code))
    vals_list: list[float] = []
    vstart = np.empty(n, dtype=np.int64)
    nconst = np.empty(n, dtype=np.int64)
    for p, (e, c) in enumerate(zip(encs, consts, strict=True)):
        vstart[p] = len(vals_list)
        nconst[p] = e.n_consts
        if c is None:
            vals_list.extend([1.0] * e.n_consts)
        else:
            if len(c) != e.n_consts:
                raise ValueError(f"expression has {e.n_consts} constants but {len(c)} were given")
            vals_list.extend(c)
        vals_list.extend(e.literals)
    vals = np.array(vals_list, dtype=np.float64)
    depth = max((e.depth for e in encs), default=1)
    return Packed(code, arg, start, length, vals, vstart, nconst, depth)
