"""Bingo (NASA's bingo-nasa): GP with local constant optimisation, SRBench's settings."""

from srbench_lite.methods import MethodSpec


def _factory(**params):
    from srbench_lite.methods.adapters.bingo import BingoRegressor

    return BingoRegressor(**params)


METHOD = MethodSpec(
    name="bingo",
    factory=_factory,
    budget_param="time_budget_s",  # Bingo's max_time, less a share for its final refit
    seed_param="random_state",
    smoke_params={"population_size": 100, "stack_size": 16},
    dialect="bingo",  # X_0 names, (a)(b) products, log/sqrt of |u|
    requires=("bingo", "mpi4py"),
    install="pip install 'srbench-lite[bingo]'  (or: pip install bingo-nasa mpich)",
    description=(
        "Bingo (bingo-nasa), SRBench settings (pop 500, stack 24, age-fitness EA, LM constants); "
        "log/sqrt read with their absolute value"
    ),
)
