"""Built-in neural engine: Deep Symbolic Regression (RNN policy, risk-seeking policy gradient)."""

from srbench_lite.engines.common.warm_up import compile_kernels
from srbench_lite.methods import MethodSpec


def _factory(**params):
    from srbench_lite.engines.neural import NeuralSRRegressor

    return NeuralSRRegressor(**params)


METHOD = MethodSpec(
    name="neural",
    factory=_factory,
    prepare=compile_kernels,
    budget_param="time_budget_s",
    seed_param="random_state",
    smoke_params={"batch_size": 200, "max_length": 20},
    requires=("torch",),
    install='pip install "srbench-lite[neural]"  (CPU: pip install torch==2.13.0)',
    description=(
        "built-in Deep Symbolic Regression: an LSTM policy trained per problem (torch), "
        "GP-meld, seeds from the GP engine's general screening (no law templates), its "
        "evaluator and finishing stage"
    ),
)
