"""ITEA: Interaction-Transformation Evolutionary Algorithm (itea, Python), SRBench's settings."""

from srbench_lite.methods import MethodSpec


def _factory(**params):
    from srbench_lite.methods.adapters.itea import ITEARegressor

    return ITEARegressor(**params)


METHOD = MethodSpec(
    name="itea",
    factory=_factory,
    budget_param="time_budget_s",  # generations run until the next one would overrun
    seed_param="random_state",
    smoke_params={"population_size": 100, "generations": 20},
    dialect="itea",
    requires=("itea",),
    install="pip install 'srbench-lite[itea]'  (or: pip install itea)",
    description=(
        "ITEA (itea, the Python port of SRBench's Haskell ITEA), SRBench settings (pop 1000, "
        "<=500 generations, exponents [-1, 1], <=2 terms)"
    ),
)
