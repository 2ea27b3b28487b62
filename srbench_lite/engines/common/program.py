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
from itertools import chain

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
    """Many programs in the flat layout the kernels take (see :mod:`.kernels`): ``nodes``
    ``(2, n_nodes)`` (code, arg), ``progs`` ``(4, n_programs)`` (start, length, first value,
    number of constants), ``vals``, and the deepest stack any program needs."""

    nodes: np.ndarray
    progs: np.ndarray
    vals: np.ndarray
    depth: int

    def all_consts(self) -> list[np.ndarray]:
        """The (possibly refitted) constants of every program (copies)."""
        vals = self.vals
        return [
            vals[v0 : v0 + k].copy()
            for v0, k in zip(self.progs[2].tolist(), self.progs[3].tolist(), strict=True)
        ]


def pack(programs: Sequence[Sequence[str]], consts: Sequence[Sequence[float] | None]) -> Packed:
    """Pack ``programs`` with their constants (``None``: all ones) for one kernel call."""
    encs = [encode(t) for t in programs]
    n = len(encs)
    progs = np.empty((4, n), dtype=np.int64)
    length = [len(e.code) for e in encs]
    progs[1] = length
    progs[0, 0:1] = 0
    if n > 1:
        np.cumsum(progs[1, :-1], out=progs[0, 1:])
    nodes = np.empty((2, sum(length)), dtype=np.int64)
    nodes[0] = list(chain.from_iterable(e.code for e in encs))
    nodes[1] = list(chain.from_iterable(e.arg for e in encs))
    vals_list: list[float] = []
    vstart: list[int] = []
    for e, c in zip(encs, consts, strict=True):
        vstart.append(len(vals_list))
        if c is None:
            vals_list.extend([1.0] * e.n_consts)
        else:
            if len(c) != e.n_consts:
                raise ValueError(f"expression has {e.n_consts} constants but {len(c)} were given")
            vals_list.extend(c)
        vals_list.extend(e.literals)
    progs[2] = vstart
    progs[3] = [e.n_consts for e in encs]
    vals = np.array(vals_list, dtype=np.float64)
    depth = max((e.depth for e in encs), default=1)
    return Packed(nodes, progs, vals, depth)
