"""KAN: the symbolic formula of a Kolmogorov-Arnold network (pykan), pykan's own recipe."""

from srbench_lite.methods import MethodSpec


def _factory(**params):
    from srbench_lite.methods.adapters.kan import KANRegressor

    return KANRegressor(**params)


METHOD = MethodSpec(
    name="kan",
    factory=_factory,
    budget_param="time_budget_s",  # training, symbolic search and refit each get a share
    seed_param="random_state",
    smoke_params={"train_steps": 5, "refit_steps": 5, "max_samples": 200, "symbolic_samples": 50},
    dialect="kan",  # x_1, x_2 ... are 1-based
    requires=("kan", "torch"),
    install="pip install 'srbench-lite[kan]'  (or: pip install pykan torch)",
    description=(
        "KAN (pykan): a [n, 5, 1] Kolmogorov-Arnold network trained, pruned and made symbolic "
        "with pykan's auto_symbolic (its tutorial's recipe)"
    ),
)
