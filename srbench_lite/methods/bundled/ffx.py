"""FFX: Fast Function Extraction (pathwise elastic net over generated bases)."""

from srbench_lite.methods import MethodSpec


def _factory(**params):
    from srbench_lite.methods.adapters.ffx import FFXExpressionRegressor

    return FFXExpressionRegressor(**params)


METHOD = MethodSpec(
    name="ffx",
    factory=_factory,
    budget_param=None,  # no time knob; its run length is fixed by the data, the hard kill bounds it
    seed_param=None,  # deterministic
    dialect="x0",
    requires=("ffx",),
    install="pip install 'srbench-lite[ffx]'  (or: pip install ffx)",
    description="FFX (ffx): deterministic pathwise elastic net over hinge/log/abs/power bases",
)
