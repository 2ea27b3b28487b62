"""Pack token sequences into the flat arrays of the compiled stack machine (:mod:`.stack`).

A token sequence (prefix order) becomes, in postfix order, one opcode and one argument per node:
a variable ``x<i>`` is ``(VAR, i)``; a constant placeholder or a literal is ``(VAL, j)`` where
``j`` indexes the program's *values*: its ``k`` fitted constants first (the k-th ``"c"`` from
the left, or the parameter ``"p<k>"``, is value ``k``), then its literals (right to left).
Every token is looked up once in a table of what it is; a whole batch is then laid out by one
compiled call (:mod:`.pack_kernel`), with no Python loop over tokens.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np

from srbench_lite.engines.common import pack_kernel as pk
from srbench_lite.engines.common.operators import OPS, VAL, VAR
from srbench_lite.engines.common.rules import NICE_MAX, literal_text
from srbench_lite.engines.common.tokens import (
    CONST,
    is_literal,
    is_parameter,
    is_variable,
    literal_value,
    n_constants,
)

__all__ = ["Packed", "pack", "simplify_columns", "token_ids", "token_names"]


class _TokenTable:
    """Token -> row id; per row: kind, opcode, argument (arity, column or parameter index)
    and literal value, as arrays for :func:`.pack_kernel.pack_batch`."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.names: list[str] = []
        self.rows: list[tuple[int, int, int, float]] = []
        self.arrays: tuple[np.ndarray, ...] = ()
        self.order: tuple = ()
        for op in OPS.values():
            self._add(op.name, (pk.OP, op.code, op.arity, 0.0))
        self._add(CONST, (pk.CONST, VAL, 0, 0.0))
        self.learn(literal_text(h / 2) for h in range(-2 * NICE_MAX, 2 * NICE_MAX + 1))

    def _add(self, tok: str, row: tuple[int, int, int, float]) -> None:
        self.ids[tok] = len(self.rows)
        self.names.append(tok)
        self.rows.append(row)
        self.arrays = ()
        self.order = ()

    def learn(self, tokens) -> None:
        """Add the tokens not in the table yet; ``ValueError`` for one that is no token."""
        for tok in set(tokens) - self.ids.keys():
            if is_variable(tok):
                self._add(tok, (pk.VARIABLE, VAR, int(tok[1:]), 0.0))
            elif is_parameter(tok):
                self._add(tok, (pk.PARAMETER, VAL, int(tok[1:]), 0.0))
            elif is_literal(tok):
                self._add(tok, (pk.LITERAL, VAL, 0, literal_value(tok)))
            else:
                raise ValueError(f"unknown token {tok!r}")

    def columns(self) -> tuple[np.ndarray, ...]:
        """``(kind, code, arg, lit)`` arrays."""
        if not self.arrays:
            kind, code, arg, lit = zip(*self.rows, strict=True)
            self.arrays = (
                np.array(kind, dtype=np.int64),
                np.array(code, dtype=np.int64),
                np.array(arg, dtype=np.int64),
                np.array(lit, dtype=np.float64),
            )
        return self.arrays

    def ordering(self) -> tuple:
        """What the compiled simplifier needs beyond :meth:`columns`: each id's rank among the
        token texts in sort order, the id of each opcode's operator, the ids of the folded
        literals (:func:`.rules.literal_text` of ``h / 2`` at ``h + 2 * NICE_MAX``) and the id of
        ``"c"``."""
        if not self.order:
            rank = np.empty(len(self.names), dtype=np.int64)
            rank[sorted(range(len(self.names)), key=self.names.__getitem__)] = np.arange(len(rank))
            op_id = np.full(1 + max(op.code for op in OPS.values()), -1, dtype=np.int64)
            for op in OPS.values():
                op_id[op.code] = self.ids[op.name]
            nice = [self.ids[literal_text(h / 2)] for h in range(-2 * NICE_MAX, 2 * NICE_MAX + 1)]
            self.order = (rank, op_id, np.array(nice, dtype=np.int64), self.ids[CONST])
        return self.order


_TABLE = _TokenTable()


def token_ids(programs: Sequence[Sequence[str]]) -> np.ndarray:
    """The token-table ids of every token of ``programs``, concatenated (new tokens are added
    to the table; ``ValueError`` for one that is no token)."""
    table = _TABLE
    try:
        return np.fromiter(map(table.ids.__getitem__, chain.from_iterable(programs)), np.int64)
    except KeyError:
        table.learn(chain.from_iterable(programs))
        return np.fromiter(map(table.ids.__getitem__, chain.from_iterable(programs)), np.int64)


def token_names() -> list[str]:
    """The token of each id (the table's own list: read it, do not change it)."""
    return _TABLE.names


def simplify_columns() -> tuple:
    """The table as :func:`.simplify_kernel.simplify_batch` takes it: ``kind``, ``code``,
    arity, literal value, rank, operator ids, folded-literal ids, the id of ``"c"``."""
    return _TABLE.columns() + _TABLE.ordering()


@dataclass
class Packed:
    """Many programs in the flat layout the kernels take (see :mod:`.stack`): ``nodes``
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


def pack(programs: Sequence[Sequence[str]], consts: Sequence[Sequence[float] | None]) -> Packed:
    """Pack ``programs`` with their constants (``None``: all ones) for one kernel call;
    ``ValueError`` names a malformed program or a constants vector of the wrong length."""
    consts = list(consts)
    if len(consts) != len(programs):
        raise ValueError(f"{len(programs)} programs but {len(consts)} constant vectors")
    table = _TABLE
    ids = token_ids(programs)
    lengths = np.fromiter(map(len, programs), np.int64, len(programs))
    clens = np.fromiter((-1 if c is None else len(c) for c in consts), np.int64, len(consts))
    given = [c for c in consts if c is not None]
    cvals = np.concatenate(given, dtype=np.float64) if given else np.zeros(0)
    nodes, progs, vals, depth, bad, why = pk.pack_batch(
        ids, lengths, *table.columns(), cvals, clens
    )
    if why == pk.MALFORMED:
        raise ValueError(f"not a single expression: {tuple(programs[bad])!r}")
    if why == pk.WRONG_CONSTANTS:
        k, given_k = n_constants(programs[bad]), len(consts[bad])
        raise ValueError(f"expression has {k} constants but {given_k} were given")
    return Packed(nodes, progs, vals, int(depth))
