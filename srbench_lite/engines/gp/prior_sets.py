"""The named prior sets of the screening: ``general`` (the default) and ``physics``."""

from __future__ import annotations

from srbench_lite.engines.gp.physics_priors import PHYSICS
from srbench_lite.engines.gp.priors import GENERAL, Priors

__all__ = ["PRIOR_SETS", "resolve_priors"]

PRIOR_SETS: dict[str, Priors] = {GENERAL.name: GENERAL, PHYSICS.name: PHYSICS}


def resolve_priors(priors: str | Priors) -> Priors:
    """A prior set by name (or the :class:`Priors` itself); a ``ValueError`` naming the known
    sets otherwise."""
    if isinstance(priors, Priors):
        return priors
    if isinstance(priors, str) and priors in PRIOR_SETS:
        return PRIOR_SETS[priors]
    raise ValueError(f"priors={priors!r}; use one of {', '.join(PRIOR_SETS)} or a Priors object")
