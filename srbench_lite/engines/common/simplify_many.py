"""Simplify many token sequences at once: one compiled call (:mod:`.simplify_kernel`) under
the numba backend, the Python rules (:mod:`.rules`) otherwise; the same output either way."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np

from srbench_lite.engines.common.batch import backend
from srbench_lite.engines.common.rules import Simplifier, simplify_tokens

__all__ = ["BatchSimplifier", "simplify_all"]

Pair = tuple[tuple[str, ...], np.ndarray]


class BatchSimplifier:
    """A :class:`.rules.Simplifier` (one search's own: it remembers each sequence's rewrite and
    replays it on new constant values) that also simplifies a list of programs at once
    (:meth:`many`): the sequences it has not seen go through the compiled rules in one call
    under the numba backend, and their rewrites are remembered as the Python rules' are. A
    single program (``__call__``) takes the Python path, which costs less for one."""

    def __init__(self, strip_scaling: bool = False) -> None:
        self.strip_scaling = strip_scaling
        self.python = Simplifier(strip_scaling=strip_scaling)

    def __call__(self, tokens: tuple[str, ...], consts) -> Pair:
        return self.python(tokens, consts)

    def many(self, programs: Sequence[tuple[str, ...]], consts: Sequence) -> list[Pair]:
        """The simplified ``(tokens, consts)`` of every program, in order."""
        py = self.python
        if backend() != "numba" or len(programs) < 4:
            return [py(t, c) for t, c in zip(programs, consts, strict=True)]
        out: list[Pair | None] = [py.replay(t, c) for t, c in zip(programs, consts, strict=True)]
        todo = [i for i, o in enumerate(out) if o is None]
        if todo:
            progs = [programs[i] for i in todo]
            done = _compiled(progs, [consts[i] for i in todo], self.strip_scaling, py)
            for i, pair in zip(todo, done, strict=True):
                out[i] = pair
        return out  # type: ignore[return-value]


@cache
def _origin(code: int):
    """The Python rules' origin of a kernel's origin code (``simplify_nodes.chain``)."""
    k, chain_bits = divmod(code, 64)
    origin = k
    for i in range(chain_bits.bit_length() - 2, -1, -1):  # the earliest operation first
        origin = ("inv" if (chain_bits >> i) & 1 else "neg", origin)
    return origin


def simplify_all(
    programs: Sequence[tuple[str, ...]], consts: Sequence, *, strip_scaling: bool = False
) -> list[Pair]:
    """:func:`.rules.simplify_tokens` of every program (nothing remembered): one compiled call
    under the numba backend."""
    if backend() != "numba":
        return [
            simplify_tokens(t, c, strip_scaling=strip_scaling)
            for t, c in zip(programs, consts, strict=True)
        ]
    return _compiled(programs, consts, strip_scaling, None)


def _compiled(
    programs: Sequence[tuple[str, ...]], consts: Sequence, strip: bool, memory: Simplifier | None
) -> list[Pair]:
    """The compiled rules on ``programs``; with a ``memory``, in the order the Python rules
    would see them: a sequence seen earlier in this batch replays that rewrite if it was
    remembered, a program left to Python goes through ``memory``, and new rewrites are
    remembered."""
    from srbench_lite.engines.common.program import simplify_columns, token_ids, token_names
    from srbench_lite.engines.common.simplify_kernel import simplify_batch

    ids = token_ids(programs)
    lengths = np.fromiter(map(len, programs), np.int64, len(programs))
    cvals = np.concatenate([np.asarray(c, dtype=np.float64) for c in consts] or [np.zeros(0)])
    out_ids, out_len, out_c, out_org, out_clen, redo = simplify_batch(
        ids, lengths, cvals, *simplify_columns(), strip
    )
    names = token_names()
    toks = list(map(names.__getitem__, out_ids.tolist()))
    orgs = out_org.tolist()
    redo_l = redo.tolist()
    ends = np.cumsum(out_len).tolist()
    cends = np.cumsum(out_clen).tolist()
    out: list[Pair] = []
    seen: set[tuple[str, ...]] = set()
    s = k = 0
    for p, prog in enumerate(programs):
        e, ce = ends[p], cends[p]
        replayed = None
        if memory is not None:
            replayed = memory.replay(prog, consts[p]) if prog in seen else None
            seen.add(prog)
        if replayed is not None:
            out.append(replayed)
        elif redo_l[p]:
            if memory is None:
                out.append(simplify_tokens(prog, consts[p], strip_scaling=strip))
            else:
                out.append(memory(prog, consts[p]))
        else:
            t = tuple(toks[s:e])
            out.append((t, out_c[k:ce].copy()))
            o = orgs[k:ce]
            if memory is not None and (not o or min(o) >= 0):
                memory.remember(prog, t, tuple(map(_origin, o)))
        s, k = e, ce
    return out
