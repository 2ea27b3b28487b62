"""Pack token sequences into the flat arrays of the compiled stack machine (:mod:`.kernels`).

A token sequence (prefix order) becomes, in postfix order, one opcode and one argument per node:
a variable ``x<i>`` is ``(VAR, i)``; a constant placeholder or a literal is ``(VAL, j)`` where
``j`` indexes the program's *values*: its ``k`` fitted constants first (the k-th ``"c"`` from
the left, or the parameter ``"p<k>"``, is value ``k``), then its literals. The encoding of
each distinct token sequence is computed once and cached, as raw ``int64`` bytes, so that
packing a batch joins bytes instead of building Python lists.
"""

from __future__ import annotations

from array import array
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

_I64 = np.dtype(np.int64)
_NO_LITERALS = np.zeros(0)
_NO_LITERALS.flags.writeable = False


@dataclass(frozen=True)
class Encoded:
    """One program: postfix ``code``/``arg`` (``int64`` bytes), its literal values, and
    ``info``: ``int64`` bytes of (number of nodes, constants, values, stack depth)."""

    code: bytes
    arg: bytes
    literals: np.ndarray
    n_consts: int
    depth: int
    info: bytes


# token -> (kind, opcode or index, arity or literal value); kinds:
_OP, _CONST, _LEAF, _LITERAL = 0, 1, 2, 3
_TOKENS: dict[str, tuple[int, int, float]] = {
    op.name: (_OP, op.code, op.arity) for op in OPS.values()
}
_TOKENS[CONST] = (_CONST, VAL, 0)


def _token(tok: str) -> tuple[int, int, float]:
    """What a token is (looked up in a table filled as tokens are met)."""
    hit = _TOKENS.get(tok)
    if hit is not None:
        return hit
    if is_variable(tok):
        hit = (_LEAF, VAR, int(tok[1:]))
    elif is_parameter(tok):
        hit = (_LEAF, VAL, int(tok[1:]))
    elif is_literal(tok):
        hit = (_LITERAL, VAL, literal_value(tok))
    else:
        raise ValueError(f"unknown token {tok!r}")
    if len(_TOKENS) < 10_000:
        _TOKENS[tok] = hit
    return hit


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
        kind, c, x = _TOKENS.get(tok) or _token(tok)
        code.append(c)
        if kind == _OP:
            if height < x:
                raise ValueError(f"not a single expression: {key!r}")
            arg.append(0)
            height -= x - 1
            continue
        if kind == _CONST:
            ci -= 1
            arg.append(ci)
        elif kind == _LEAF:
            arg.append(x)
        else:
            arg.append(k + len(literals))
            literals.append(x)
        height += 1
        if height > depth:
            depth = height
    if height != 1:
        raise ValueError(f"not a single expression: {key!r}")
    info = array("q", (len(code), k, k + len(literals), depth)).tobytes()
    lits = np.array(literals, dtype=np.float64) if literals else _NO_LITERALS
    out = Encoded(array("q", code).tobytes(), array("q", arg).tobytes(), lits, k, depth, info)
    if len(_CACHE) >= _CACHE_MAX:
        _CACHE.clear()
    _CACHE[key] = out
    return out


@dataclass
class Packed:
    """Many programs in the flat layout the kernels take (see :mod:`.kernels`): ``nodes``
    ``(2, n_nodes)`` (code, arg), ``progs`` ``(4, n_programs)`` (start, length, first value,
    number of constants), ``vals``, and the deepest stack any program needs.

    Columns of ``progs`` may be selected (:meth:`take`): the kernels then run on those
    programs only, reading the same ``nodes`` and ``vals``."""

    nodes: np.ndarray
    progs: np.ndarray
    vals: np.ndarray
    depth: int

    def take(self, which) -> Packed:
        """The programs ``which`` (indices), with a copy of the values (so that a fit of the
        subset leaves this batch's constants alone)."""
        progs = np.ascontiguousarray(self.progs[:, np.asarray(which, dtype=np.int64)])
        return Packed(self.nodes, progs, self.vals.copy(), self.depth)

    def consts(self, i: int) -> np.ndarray:
        """The (possibly refitted) constants of program ``i`` (a copy)."""
        v0, k = int(self.progs[2, i]), int(self.progs[3, i])
        return self.vals[v0 : v0 + k].copy()

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
    parts: list = []
    for e, c in zip(encs, consts, strict=True):
        if c is None:
            parts.append(np.ones(e.n_consts))
        elif len(c) != e.n_consts:
            raise ValueError(f"expression has {e.n_consts} constants but {len(c)} were given")
        else:
            parts.append(c)
        if e.literals.size:
            parts.append(e.literals)
    vals = np.concatenate(parts, dtype=np.float64) if parts else np.zeros(0)
    info = np.frombuffer(b"".join([e.info for e in encs]), dtype=_I64).reshape(n, 4)
    progs = np.zeros((4, n), dtype=np.int64)
    length, n_vals = info[:, 0], info[:, 2]
    np.cumsum(length[:-1], out=progs[0, 1:])
    progs[1] = length
    np.cumsum(n_vals[:-1], out=progs[2, 1:])
    progs[3] = info[:, 1]
    nodes = np.empty((2, int(length.sum())), dtype=np.int64)
    nodes[0] = np.frombuffer(b"".join([e.code for e in encs]), dtype=_I64)
    nodes[1] = np.frombuffer(b"".join([e.arg for e in encs]), dtype=_I64)
    depth = int(info[:, 3].max()) if n else 1
    return Packed(nodes, progs, vals, depth)
