"""The built-in GP engine (srbench_lite.engines.gp): numpy/numba, no outside tool."""

from srbench_lite.engines.common.warm_up import compile_kernels
from srbench_lite.methods import MethodSpec


def _factory(**params):
    from srbench_lite.engines.gp import GPRegressor

    return GPRegressor(**params)


METHOD = MethodSpec(
    name="gp",
    factory=_factory,
    prepare=compile_kernels,
    budget_param="time_budget_s",
    seed_param="random_state",
    params={},
    smoke_params={"population_size": 32, "n_islands": 2, "time_budget_s": 5.0},
    dialect="x0",
    requires=(),
    description=(
        "built-in GP, general priors only: power-law pass and a screening of transformed "
        "targets against one- and two-variable library terms (no law templates), islands of "
        "age-regularised evolution scored in compiled batches, LM constants, finishing stage "
        "(simplify, snap constants, drop terms), description-length selection"
    ),
)
