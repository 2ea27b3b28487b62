"""Misbehaving test methods for the runner tests, written as method files into a folder that
``SRBENCH_LITE_METHODS_PATH`` points at."""

from __future__ import annotations

import textwrap
from pathlib import Path

_TEMPLATE = """
import numpy as np
from srbench_lite.methods import MethodSpec


class Bad:
    def __init__(self, time_budget_s=None, random_state=None):
        self.time_budget_s = time_budget_s
        self.random_state = random_state

    def get_params(self, deep=True):
        return {{"time_budget_s": self.time_budget_s, "random_state": self.random_state}}

    def fit(self, X, y):
        {fit}
        self.mean_ = float(np.mean(y))
        return self

    def predict(self, X):
        {predict}

    def sympy(self):
        {sympy}


METHOD = MethodSpec(name="{name}", factory=Bad, description="test method: {name}")
"""

GOOD_PREDICT = "return np.full(len(X), self.mean_)"
GOOD_SYMPY = "return str(self.mean_)"

BAD_METHODS = {
    "t-hang": dict(fit="import time; time.sleep(10**6)"),
    "t-exit": dict(fit="import os; os._exit(1)"),
    "t-segv": dict(fit="import ctypes; ctypes.string_at(0)"),
    "t-raise": dict(fit="raise RuntimeError('deliberate failure in fit')"),
    "t-nan": dict(predict="return np.full(len(X), np.nan)"),
    "t-shape": dict(predict="return np.zeros((len(X) + 1, 2))"),
    "t-inject": dict(sympy="return \"__import__('os').system('echo pwned')\""),
    "t-noisy": dict(
        fit="print('hello from the method'); import sys; sys.stderr.write('to stderr\\n')"
    ),
}


def write_method(folder: Path, name: str, fit: str = "pass", predict: str = GOOD_PREDICT,
                 sympy: str = GOOD_SYMPY) -> Path:  # fmt: skip
    """Write ``folder/<name>.py`` defining ``METHOD`` named ``name``."""
    folder.mkdir(parents=True, exist_ok=True)
    code = _TEMPLATE.format(name=name, fit=fit, predict=predict, sympy=sympy)
    path = folder / (name.replace("-", "_") + ".py")
    path.write_text(textwrap.dedent(code))
    return path


def write_bad_methods(folder: Path, names=None) -> list[str]:
    names = list(BAD_METHODS) if names is None else list(names)
    for name in names:
        write_method(folder, name, **BAD_METHODS[name])
    return names
