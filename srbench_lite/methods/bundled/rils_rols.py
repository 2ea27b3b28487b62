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
    # rils-rols 1.6 ships only an sdist whose setup.py imports pybind11 without declaring it
    # as a build requirement: pip's isolated build fails, so it is installed in two steps
    install="pip install pybind11 setuptools wheel && pip install --no-build-isolation rils-rols",
    description="RILS-ROLS (rils-rols): iterated local search + OLS; constants printed to 6 decimals",
)
