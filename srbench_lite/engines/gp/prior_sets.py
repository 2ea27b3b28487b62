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


def markdown_table() -> str:
    """The rows of the general and physics sets as one Markdown table (docs/engine_priors.md
    holds it verbatim: ``python -m srbench_lite.engines.gp.prior_sets`` prints it)."""
    general, physics = PRIOR_SETS["general"], PRIOR_SETS["physics"]
    seen = {(r["kind"], r["name"]) for r in general.rows()}
    lines = ["| kind | row | why | `gp`, `neural` | `gp-physics` |", "|---|---|---|---|---|"]
    for r in general.rows():
        if r["kind"] == "power law":
            cap = "\\|e\\| ≤ {:g}"
            lines.append(f"| power law | `exponents` | steps of 1/2 "
                         f"| {cap.format(general.max_abs_exponent)} "
                         f"| {cap.format(physics.max_abs_exponent)} |")
        else:
            lines.append(f"| {r['kind']} | `{r['name']}` | {r['why']} | yes | yes |")
    for r in physics.rows():
        if (r["kind"], r["name"]) not in seen:
            lines.append(f"| {r['kind']} | `{r['name']}` | {r['why']} | no | yes |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown_table(), end="")
