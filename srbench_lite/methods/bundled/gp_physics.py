"""The built-in GP engine with the physics prior set on (templates of AI Feynman laws)."""

from dataclasses import replace

from srbench_lite.methods.bundled.gp import METHOD as GP


def _factory(**params):
    from srbench_lite.engines.gp import GPRegressor

    return GPRegressor(**{"priors": "physics", **params})


METHOD = replace(
    GP,
    name="gp-physics",
    factory=_factory,
    description=(
        "built-in GP with physics priors: gp plus screening templates written for particular "
        "AI Feynman laws (Lorentz factor, Planck/Bose and 1/cosh targets, cos²/sin² and "
        "shifted-Gaussian terms, exponents to ±6); it assumes physics-shaped laws, so its "
        "Feynman figures are not a general engine's"
    ),
)
