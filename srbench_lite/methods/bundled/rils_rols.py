"""RILS-ROLS: iterated local search with ordinary least squares (rils-rols)."""

from srbench_lite.methods import MethodSpec


def _factory(**params):
    from srbench_lite.methods.adapters.rils_rols import RilsRolsRegressor

    return RilsRolsRegressor(**params)


METHOD = MethodSpec(
    name="rils-rols",
    factory=_factory,
    budget_param="time_budget_s",  # the tool's max_time, whole seconds
    seed_param="random_state",
    smoke_params={"max_fit_calls": 2_000},
    dialect="x0",
    requires=("rils_rols", "rils_rols_cpp"),
    install="pip install 'srbench-lite[rils-rols]'  (or: pip install rils-rols)",
    description="RILS-ROLS (rils-rols): iterated local search + OLS; constants printed to 6 decimals",
)
