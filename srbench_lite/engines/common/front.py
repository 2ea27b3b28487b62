"""Hall of fame (best loss at each complexity) and PySR-style model selection."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from srbench_lite.engines.common.evaluate import evaluate_unchecked
from srbench_lite.engines.common.expression import to_sympy
from srbench_lite.engines.common.tokens import to_infix

__all__ = ["Entry", "ParetoFront", "select_model"]


@dataclass
class Entry:
    """One model ``a * f(x; consts) + b`` with ``f`` given by prefix ``tokens``.

    ``loss`` is whatever the engine minimises (the built-in engines use NMSE = MSE / var(y));
    ``complexity`` defaults to the number of tokens.
    """

    tokens: tuple[str, ...]
    consts: np.ndarray
    loss: float
    complexity: int = 0
    a: float = 1.0
    b: float = 0.0
    meta: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.tokens = tuple(self.tokens)
        self.consts = np.asarray(self.consts, dtype=np.float64)
        if not self.complexity:
            self.complexity = len(self.tokens)

    def predict(self, X) -> np.ndarray:
        """``a * f(X) + b`` (numpy semantics: inf/nan where the expression is undefined)."""
        return self.a * evaluate_unchecked(self.tokens, X, self.consts) + self.b

    def sympy(self, feature_names: Sequence[str] | None = None):
        """The sympy expression, scaling included."""
        return to_sympy(self.tokens, self.consts, feature_names, a=self.a, b=self.b)

    def infix(self, feature_names: Sequence[str] | None = None) -> str:
        """Readable string without sympy (scaling included when not the identity)."""
        text = to_infix(self.tokens, self.consts, feature_names)
        if self.a != 1.0:
            text = f"{self.a!r} * {text}"
        if self.b != 0.0:
            text = f"{text} + {self.b!r}"
        return text


class ParetoFront:
    """Best entry at each complexity; ``entries()`` keeps only the non-dominated ones.

    ``update`` accepts a candidate when its loss beats the stored one at its complexity
    (strictly, by a relative ``1e-12``, so the first of equals stays). ``max_complexity``
    rejects larger candidates.
    """

    def __init__(self, max_complexity: int | None = None) -> None:
        self.max_complexity = max_complexity
        self.best: dict[int, Entry] = {}

    def __len__(self) -> int:
        return len(self.entries())

    def would_accept(self, loss: float, complexity: int) -> bool:
        """Whether a candidate with this loss and complexity would enter the hall of fame."""
        if not math.isfinite(loss):
            return False
        if self.max_complexity is not None and complexity > self.max_complexity:
            return False
        cur = self.best.get(complexity)
        return cur is None or loss < cur.loss - 1e-12 * abs(cur.loss)

    def accept_mask(self, loss: np.ndarray, complexity: np.ndarray) -> np.ndarray:
        """:meth:`would_accept` for many candidates at once (boolean array)."""
        loss = np.asarray(loss, dtype=np.float64)
        complexity = np.asarray(complexity, dtype=np.int64)
        if not loss.size:
            return np.zeros(0, dtype=bool)
        bar = np.full(int(complexity.max()) + 1, np.inf)
        for c, e in self.best.items():
            if c < len(bar):
                bar[c] = e.loss - 1e-12 * abs(e.loss)
        ok = np.isfinite(loss) & (loss < bar[complexity])
        if self.max_complexity is not None:
            ok &= complexity <= self.max_complexity
        return ok

    def update(self, entry_or_tokens, consts=None, loss: float | None = None, **kw) -> bool:
        """Offer ``Entry`` (or ``tokens, consts, loss, a=, b=, complexity=``); True if stored."""
        if isinstance(entry_or_tokens, Entry):
            entry = entry_or_tokens
        else:
            if loss is None:
                raise ValueError("loss is required")
            entry = Entry(
                tuple(entry_or_tokens),
                np.asarray(consts if consts is not None else (), dtype=np.float64),
                float(loss),
                **kw,
            )
        if not self.would_accept(entry.loss, entry.complexity):
            return False
        self.best[entry.complexity] = entry
        return True

    def merge(self, entries: Iterable[Entry]) -> None:
        """Offer many entries."""
        for e in entries:
            self.update(e)

    def entries(self) -> list[Entry]:
        """Non-dominated entries by increasing complexity (each strictly better than the last)."""
        out: list[Entry] = []
        for c in sorted(self.best):
            e = self.best[c]
            if not out or e.loss < out[-1].loss:
                out.append(e)
        return out


def select_model(
    entries: Sequence[Entry],
    *,
    method: str = "score",
    tolerance: float = 1.5,
    abs_tol: float = 1e-12,
) -> Entry:
    """Pick one front member.

    * ``"best"``: lowest loss.
    * ``"score"`` (PySR's ``model_selection="best"``): among entries whose loss is at most
      ``tolerance * min_loss + abs_tol``, the one with the largest score
      ``-d log(loss) / d complexity`` relative to the previous front member.
    * ``"parsimony"``: the simplest entry whose loss is at most ``tolerance * min_loss + abs_tol``.
    """
    ents = sorted(entries, key=lambda e: e.complexity)
    if not ents:
        raise ValueError("empty front: nothing to select")
    best = min(ents, key=lambda e: e.loss)
    if method == "best":
        return best
    limit = tolerance * best.loss + abs_tol
    ok = [e for e in ents if e.loss <= limit]
    if method == "parsimony":
        return ok[0]
    if method != "score":
        raise ValueError(f"unknown selection method {method!r}; use best, score or parsimony")
    floor = 1e-300
    scores = []
    prev_loss, prev_c = None, None
    for e in ents:
        if prev_loss is None:
            s = 0.0
        else:
            s = -(math.log(max(e.loss, floor)) - math.log(max(prev_loss, floor))) / max(
                e.complexity - prev_c, 1
            )
        scores.append((s, e))
        prev_loss, prev_c = e.loss, e.complexity
    cand = [(s, e) for s, e in scores if e.loss <= limit]
    return max(cand, key=lambda t: (t[0], -t[1].complexity))[1]
