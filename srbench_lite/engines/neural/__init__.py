"""Built-in neural engine: Deep Symbolic Regression (an RNN policy trained per problem).

``NeuralSRRegressor`` is imported lazily and imports torch only inside ``fit``, so this package
(and the method listing) works without torch installed.

Modules: ``library`` (tokens), ``constraints`` (prefix-tree state and the DSR constraints),
``policy`` (the torch LSTM, sampling and log-probabilities; imports torch), ``reward`` (reward
and cache over the shared evaluator), ``train`` (risk-seeking policy gradient; imports torch),
``regressor`` (the scikit-learn estimator).
"""

from __future__ import annotations

__all__ = ["NeuralSRRegressor"]


def __getattr__(name: str):
    if name == "NeuralSRRegressor":
        from srbench_lite.engines.neural.regressor import NeuralSRRegressor

        return NeuralSRRegressor
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
