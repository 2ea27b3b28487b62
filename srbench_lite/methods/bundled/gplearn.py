"""gplearn's SymbolicRegressor (SRBench's settings), run within the job's time budget."""

from srbench_lite.methods import MethodSpec


def _factory(**params):
    from srbench_lite.methods.adapters.gplearn import GplearnRegressor

    return GplearnRegressor(**params)


METHOD = MethodSpec(
    name="gplearn",
    factory=_factory,
    budget_param="time_budget_s",  # warm-started generation chunks, stopped before overrunning
    seed_param="random_state",
    smoke_params={"population_size": 200, "generations": 10},
    dialect="x0",
    requires=("gplearn",),
    install="pip install 'srbench-lite[gplearn]'  (or: pip install gplearn)",
    description=(
        "gplearn GP, SRBench settings (pop 1000, <=500 generations, MAE, parsimony 0.001); "
        "protected sqrt/log read with their absolute value, div as plain division"
    ),
)
