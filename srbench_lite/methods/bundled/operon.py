"""Operon (pyoperon): fast C++ GP with local coefficient optimisation and linear scaling."""

from srbench_lite.methods import MethodSpec


def _factory(**params):
    from srbench_lite.methods.adapters.operon import OperonRegressor

    return OperonRegressor(**params)


METHOD = MethodSpec(
    name="operon",
    factory=_factory,
    budget_param="time_budget_s",  # Operon's wall-clock limit, whole seconds
    seed_param="random_state",
    smoke_params={"population_size": 100, "pool_size": 100, "max_evaluations": 20_000},
    dialect="operon",  # X1, X2 ... are 1-based
    requires=("pyoperon",),
    install="pip install 'srbench-lite[operon]'  (or: pip install pyoperon)",
    description=(
        "Operon GP (pyoperon), SRBench-like settings (pop 500, 5 LM steps, <=500k evaluations); "
        "model printed with 20 decimals"
    ),
)
