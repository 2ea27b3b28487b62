"""The token library the policy chooses from: operators, variables and the constant placeholder.

Tokens are the strings of :mod:`srbench_lite.engines.common.tokens` (``"add"``, ``"sin"``,
``"x0"``, ``"c"``), so a sampled sequence is directly an expression the shared evaluator
understands. The library only adds integer ids and the per-token arrays the vectorised
sampler and constraints need.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from srbench_lite.engines.common.tokens import ARITY, CONST

__all__ = ["DEFAULT_OPERATORS", "TRIG", "INVERSE_PAIRS", "TokenLibrary"]

#: DSR's Feynman library (Petersen et al. 2021) plus ``square``; ``sub``/``div`` keep short forms.
DEFAULT_OPERATORS: tuple[str, ...] = (
    "add",
    "sub",
    "mul",
    "div",
    "sin",
    "cos",
    "exp",
    "log",
    "sqrt",
    "square",
)

#: trigonometric and hyperbolic operators (DSR does not nest one inside another); the rarer
#: ones (``atan``, ``sinh``, ``cosh``, ``cbrt``, ...) are not in the default library: the
#: policy starts uniform over its tokens, so a caller adds them through ``operators``
TRIG: frozenset[str] = frozenset({"sin", "cos", "tan", "tanh", "atan", "sinh", "cosh"})

#: ``(parent, child)`` pairs that cancel: ``log(exp(u))``, ``sqrt(square(u))``...
INVERSE_PAIRS: frozenset[tuple[str, str]] = frozenset(
    {
        ("exp", "log"),
        ("log", "exp"),
        ("sqrt", "square"),
        ("square", "sqrt"),
        ("inv", "inv"),
        ("neg", "neg"),
        ("cube", "cbrt"),
        ("cbrt", "cube"),
    }
)


@dataclass(frozen=True)
class TokenLibrary:
    """Operators + variables ``x0..x{n-1}`` (+ ``"c"``) with integer ids in that order.

    ``names[i]`` is token ``i``; ``arities[i]`` its number of children. Two extra input-only
    ids follow the tokens: ``empty`` (no parent / no sibling yet) is ``n_tokens``.
    """

    names: tuple[str, ...]
    arities: np.ndarray

    @classmethod
    def build(
        cls,
        n_features: int,
        operators: Sequence[str] = DEFAULT_OPERATORS,
        constants: bool = True,
    ) -> TokenLibrary:
        """A library over ``n_features`` variables; raises ``ValueError`` for unknown operators."""
        if n_features < 1:
            raise ValueError(f"need at least one feature, got n_features={n_features}")
        ops = list(dict.fromkeys(operators))
        unknown = [op for op in ops if op not in ARITY]
        if unknown:
            known = ", ".join(sorted(ARITY))
            raise ValueError(f"unknown operator(s) {', '.join(unknown)}; known: {known}")
        names = tuple(ops) + tuple(f"x{i}" for i in range(n_features))
        if constants:
            names += (CONST,)
        arities = np.array([ARITY.get(t, 0) for t in names], dtype=np.int64)
        return cls(names=names, arities=arities)

    @property
    def n_tokens(self) -> int:
        return len(self.names)

    @property
    def empty(self) -> int:
        """Input id meaning "no parent" or "no sibling"."""
        return len(self.names)

    @property
    def const_id(self) -> int | None:
        return self.names.index(CONST) if CONST in self.names else None

    def ids(self, names: Sequence[str]) -> np.ndarray:
        """Ids of ``names`` that are in the library (unknown names are skipped)."""
        return np.array([self.names.index(n) for n in names if n in self.names], dtype=np.int64)

    def index(self, name: str) -> int:
        return self.names.index(name)

    def decode(self, ids: Sequence[int]) -> tuple[str, ...]:
        """Token strings of a sequence of ids."""
        return tuple(self.names[int(i)] for i in ids)

    def encode(self, tokens: Sequence[str]) -> np.ndarray:
        """Ids of a token sequence; raises ``ValueError`` naming a token not in the library."""
        try:
            return np.array([self.names.index(t) for t in tokens], dtype=np.int64)
        except ValueError:
            missing = [t for t in tokens if t not in self.names]
            raise ValueError(f"token(s) {missing} not in the library {self.names}") from None
