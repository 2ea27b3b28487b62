"""Screening priors: which transforms, library terms and factors the screening tries.

A :class:`Priors` is a set of rows of the typed tables (:mod:`.transforms`,
:mod:`.library_terms`) plus rules that propose extra factors ``M`` of ``y`` from the data,
and the largest power-law exponent the power-law pass considers. :data:`GENERAL` is the
default of both engines: every row is justified by a shape of law, none by a particular law.
Domain priors (:mod:`.physics_priors`) are more rows behind their own method name
(``gp-physics``), so a leaderboard says which method carried them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from srbench_lite.engines.gp import library_terms, transforms
from srbench_lite.engines.gp.library_terms import TermFamily
from srbench_lite.engines.gp.transforms import Transform

__all__ = ["GENERAL", "MECHANISMS", "FactorRule", "Priors"]

Tokens = tuple[str, ...]


#: what every prior set's screening does besides its rows (name, why it is general)
MECHANISMS: tuple[tuple[str, str], ...] = (
    ("power-law factors", "y divided by its best power laws, by the variables with strong "
     "exponents, and by each variable's own power: laws of the form P(x) * g(x)"),
    ("clean factor", "the variables whose log-log exponents are near integers: P(x) * g(rest) "
     "when the rest enter through a sum or a function"),
    ("sign factor", "when one variable alone sets the sign of y: g(x_j) * P(others)"),
    ("function factors", "log|y| as a sum of log|x_i|, log|f(x_j)| (f a unary function) and "
     "library terms: y = P(x) * f(x_j) * exp(t(x)) * g(rest)"),
    ("two-part sums", "a library term (or a variable) plus a power law of what it leaves"),
    ("shifted power law", "a constant plus a power law (1 + P) under the root and reciprocal "
     "transforms"),
)


@dataclass(frozen=True)
class FactorRule:
    """Proposes factors ``M`` (token sequences over ``x0..``) from the columns of ``X``:
    screening then also tries targets ``T(y / M)``."""

    name: str
    find: Callable[[list[np.ndarray]], list[Tokens]]
    why: str


@dataclass(frozen=True)
class Priors:
    """One prior set of the screening (see the module docstring)."""

    name: str
    description: str
    transforms: tuple[Transform, ...] = transforms.GENERAL
    terms: tuple[TermFamily, ...] = library_terms.GENERAL
    factors: tuple[FactorRule, ...] = field(default=())
    max_abs_exponent: float = 4.0

    def extended(
        self,
        name: str,
        description: str,
        *,
        transforms: tuple[Transform, ...] = (),
        terms: tuple[TermFamily, ...] = (),
        factors: tuple[FactorRule, ...] = (),
        max_abs_exponent: float | None = None,
    ) -> Priors:
        """These rows plus more (a domain's prior set is the general one, extended)."""
        return Priors(
            name,
            description,
            self.transforms + transforms,
            self.terms + terms,
            self.factors + factors,
            self.max_abs_exponent if max_abs_exponent is None else max_abs_exponent,
        )

    def transform(self, name: str) -> Transform:
        """The transform row called ``name``."""
        return transforms.by_name(self.transforms, name)

    def rows(self) -> list[dict]:
        """One dict per row (kind, name, why): what this prior set assumes, for docs (the
        screening's fixed mechanisms first, then the table rows)."""
        out = [{"kind": "mechanism", "name": n, "why": w} for n, w in MECHANISMS]
        out += [{"kind": "transform", "name": t.name, "why": t.why} for t in self.transforms]
        out += [{"kind": "library", "name": f.name, "why": f.why} for f in self.terms]
        out += [{"kind": "factor", "name": f.name, "why": f.why} for f in self.factors]
        out.append({"kind": "power law", "name": "exponents",
                    "why": f"|exponent| <= {self.max_abs_exponent:g}, in steps of 1/2"})
        return out


GENERAL = Priors(
    "general",
    "general shapes only: the inverses of the operator table's functions, sums of up to three "
    "one- and two-variable library terms, power laws with |exponent| <= 4",
)
