"""The built-in GP engine with the physics prior set on (templates of AI Feynman laws)."""

from srbench_lite.methods import MethodSpec


def _factory(**params):
    from srbench_lite.engines.gp import GPRegressor

    return GPRegressor(**{"priors": "physics", **params})


METHOD = MethodSpec(
    name="gp-physics",
    factory=_factory,
    budget_param="time_budget_s",
    seed_param="random_state",
    params={},
    smoke_params={"population_size": 32, "n_islands": 2, "time_budget_s": 5.0},
    dialect="x0",
    requires=(),
    description=(
        "built-in GP with physics priors: gp plus screening templates written for particular "
        "AI Feynman laws (Lorentz factor, Planck/Bose and 1/cosh targets, cos²/sin² and "
        "shifted-Gaussian terms, exponents to ±6); it assumes physics-shaped laws, so its "
        "Feynman figures are not a general engine's"
    ),
)
