"""The method specs of SRBench's black-box ML baselines (the models are in
:mod:`srbench_lite.methods.blackbox_models`; scikit-learn is imported only when one is built).
"""

from __future__ import annotations

from typing import Any

from srbench_lite.methods.spec import MethodSpec

__all__ = ["baseline_spec"]

#: SMOKE settings: a few seconds on the smoke suite
_SMOKE: dict[str, dict[str, Any]] = {
    "random-forest": {"n_estimators": 10},
    "hist-gb": {"max_iter": 10},
    "kernel-ridge": {},
    "mlp": {"hidden_layer_sizes": (20,), "max_iter": 200},
}
_MEASURES = {
    "random-forest": "nodes of all trees (SRBench's measure)",
    "hist-gb": "nodes of all trees (SRBench's XGB measure)",
    "kernel-ridge": "dual coefficients, one a training row (SRBench's measure)",
    "mlp": "2 x (weights + biases) (SRBench's measure)",
}


def _size(fitted) -> float:
    return fitted.model_size()


def baseline_spec(name: str, description: str) -> MethodSpec:
    """The :class:`~srbench_lite.methods.MethodSpec` of baseline ``name``: no expression, no
    time knob (one fit; the runner's hard kill still applies), its size as SRBench measured
    it."""

    def factory(*, tune: bool = False, random_state: int | None = None, **params: Any):
        from srbench_lite.methods.blackbox_models import BlackboxBaseline

        return BlackboxBaseline(name, params=params, tune=tune, random_state=random_state)

    return MethodSpec(
        name=name,
        factory=factory,
        budget_param=None,
        seed_param=None if name == "kernel-ridge" else "random_state",
        smoke_params=_SMOKE[name],
        description=description,
        has_expression=False,
        model_size=_size,
        model_size_measure=_MEASURES[name],
    )
