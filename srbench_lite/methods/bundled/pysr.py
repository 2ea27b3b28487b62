"""PySR: multi-population evolutionary search in Julia (SymbolicRegression.jl).

Needs Julia with PySR's packages installed; availability is checked without importing pysr
(importing it would start Julia and may download it).
"""

from srbench_lite.methods import MethodSpec


def _factory(**params):
    from srbench_lite.methods.adapters.pysr import PySRWrapper

    return PySRWrapper(**params)


def _check():
    from srbench_lite.methods.adapters.pysr import julia_problem

    return julia_problem()


METHOD = MethodSpec(
    name="pysr",
    factory=_factory,
    budget_param="time_budget_s",  # PySR's timeout_in_seconds
    seed_param="random_state",  # with deterministic=True, parallelism="serial"
    smoke_params={"populations": 4, "maxsize": 15},
    dialect="pysr",
    requires=("pysr",),
    install=(
        "pip install 'srbench-lite[pysr]' (or: pip install pysr), install Julia "
        "(https://julialang.org), then run `python -m pysr install` once"
    ),
    description="PySR (SymbolicRegression.jl); needs Julia",
    check=_check,
)
