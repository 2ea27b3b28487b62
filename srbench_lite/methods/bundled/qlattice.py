"""QLattice (Abzu's feyn), SRBench's settings; academic, personal and non-commercial use only."""

from srbench_lite.methods import MethodSpec


def _factory(**params):
    from srbench_lite.methods.adapters.qlattice import QLatticeRegressor

    return QLatticeRegressor(**params)


METHOD = MethodSpec(
    name="qlattice",
    factory=_factory,
    budget_param="time_budget_s",  # epochs run until the next one would overrun
    seed_param="random_state",
    smoke_params={"n_epochs": 2},
    dialect="x0",
    requires=("feyn",),
    install=(
        "pip install 'srbench-lite[qlattice]'  (or: pip install feyn; community licence: "
        "academic, personal and non-commercial use only)"
    ),
    description=(
        "QLattice (feyn), SRBench settings (200 epochs, max complexity 10, wide parsimony); "
        "licence: academic, personal and non-commercial use only"
    ),
)
