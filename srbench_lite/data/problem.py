"""The objects every suite produces: a problem's static description and its arrays."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class ProblemSpec:
    """What a dataset table row says about one problem (no arrays yet)."""

    name: str
    suite: str
    feature_names: tuple[str, ...]
    formula: str  #: ground truth, sympy syntax over ``feature_names`` (noiseless target)
    meta: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def n_features(self) -> int:
        return len(self.feature_names)

    @property
    def has_truth(self) -> bool:
        """Whether the problem has a ground-truth formula (black-box datasets have none)."""
        return bool(self.formula)


@dataclass
class Arrays:
    """Noiseless arrays a suite generates for one problem, already split."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    X_val: np.ndarray | None = None
    y_val: np.ndarray | None = None
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class Problem:
    """A loaded problem: what ``srbench_lite.load_problem`` returns."""

    name: str
    suite: str
    feature_names: list[str]
    formula: str  #: the ground truth; "" for a dataset without one (black-box track)
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    X_val: np.ndarray | None = None
    y_val: np.ndarray | None = None
    seed: int = 0
    noise: float = 0.0
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def n_features(self) -> int:
        return len(self.feature_names)

    @property
    def has_truth(self) -> bool:
        """Whether the problem has a ground-truth formula (black-box datasets have none)."""
        return bool(self.formula)

    def sympy(self):
        """The ground truth as a sympy expression over symbols named as the features."""
        from srbench_lite.data.formula import parse_formula
        from srbench_lite.errors import SrbenchError

        if not self.has_truth:
            raise SrbenchError(f"problem {self.name!r} ({self.suite}) has no ground truth")

        return parse_formula(self.formula, self.feature_names)

    def __repr__(self) -> str:
        return (
            f"Problem({self.name!r}, suite={self.suite!r}, n_features={self.n_features}, "
            f"n_train={len(self.y_train)}, n_test={len(self.y_test)}, seed={self.seed}, "
            f"noise={self.noise}, formula={self.formula!r})"
        )
