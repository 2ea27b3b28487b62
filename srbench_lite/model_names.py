"""How the names in a model resolve: features, feature indices and the constants pi and E.

Part of :mod:`srbench_lite.expr` (whose docstring states the rules): :class:`Names` resolves
every name of one parse call, and collects the unknown ones so that a single error can list
them all, with did-you-mean hints.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

import sympy as sp

from srbench_lite.dialects import Dialect
from srbench_lite.model_functions import FUNCTIONS, ModelParseError

__all__ = ["CONSTANTS", "INDEX_NAME", "SUBSCRIPT_BASES", "Names", "feature_list"]

#: a name that is a feature index in an index dialect (``x0``, ``X1``, ``x_1``)
INDEX_NAME = re.compile(r"[xX]_?(\d+)\Z")
#: the names an index subscript may follow (``x[0]``, ``X[:, 0]``)
SUBSCRIPT_BASES = frozenset({"x", "X"})
#: named constants (a feature of the same name wins)
CONSTANTS = {"pi": sp.pi, "E": sp.E}


class Names:
    """Resolves variable names (and index subscripts) for one parse call; ``renamed`` maps
    the placeholders of keyword feature names (``lambda``) back to them."""

    def __init__(self, dialect: Dialect, feature_names: Sequence[str] | None, renamed: dict):
        self.dialect = dialect
        self.features = None if feature_names is None else [str(n) for n in feature_names]
        self.feature_set = None if self.features is None else set(self.features)
        self.renamed = renamed  # placeholder -> keyword feature name
        self.unknown: list[str] = []

    def by_index(self, index: int, token: str) -> sp.Symbol:
        """The feature at dialect index ``index`` (``token``: the text, for errors)."""
        i = index - self.dialect.index_base
        if self.features is None:
            if i < 0:
                raise ModelParseError(
                    f"variable {token!r}: index below {self.dialect.index_base} in the "
                    f"{self.dialect.name!r} dialect ({self.dialect.description})"
                )
            return sp.Symbol(f"x{i}")
        if not 0 <= i < len(self.features):
            lo = self.dialect.index_base
            hi = lo + len(self.features) - 1
            raise ModelParseError(
                f"variable {token!r} is out of range for {len(self.features)} features in the "
                f"{self.dialect.name!r} dialect (valid: {lo}..{hi})"
            )
        return sp.Symbol(self.features[i])

    def name(self, raw: str) -> sp.Expr:
        """What the name ``raw`` stands for (an unknown one is noted, see :meth:`check_unknown`)."""
        name = self.renamed.get(raw, raw)
        if self.dialect.index_base is not None:
            m = INDEX_NAME.match(name)
            if m:  # in an index dialect an index-style name is an index, by declaration
                return self.by_index(int(m.group(1)), name)
        if self.feature_set is not None and name in self.feature_set:
            return sp.Symbol(name)  # a feature name wins over the constants pi and E
        if name in CONSTANTS:
            return CONSTANTS[name]
        if name.startswith("__"):
            raise ModelParseError(f"name {name!r} is not allowed")
        if name in FUNCTIONS:
            raise ModelParseError(f"function {name!r} used without arguments")
        if self.feature_set is not None:
            self.unknown.append(name)
        return sp.Symbol(name)

    def check_unknown(self) -> None:
        """Raise :class:`ModelParseError` listing every unknown name seen, if any."""
        if not self.unknown:
            return
        names = sorted(set(self.unknown))
        hints = []
        for n in names:
            close = difflib.get_close_matches(n, self.features or [], n=3, cutoff=0.6)
            if close:
                hints.append(f"{n!r} (did you mean {', '.join(map(repr, close))}?)")
        msg = f"unknown name(s) {', '.join(map(repr, names))}: not among the feature names "
        msg += feature_list(self.features or [])
        if self.dialect.index_base is None and any(INDEX_NAME.match(n) for n in names):
            msg += "; index-style names need an index dialect (gplearn, operon, pysr, x0, x1)"
        if hints:
            msg += "; " + "; ".join(hints)
        raise ModelParseError(msg)


def feature_list(features: Sequence[str]) -> str:
    """The feature names as a short bracketed list (the first 30)."""
    shown = ", ".join(features[:30])
    return f"[{shown}{', ...' if len(features) > 30 else ''}]"
