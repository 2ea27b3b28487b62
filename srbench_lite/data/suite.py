"""The contract of a dataset suite.

A suite is an object with a ``name``, a ``description``, ``specs()`` (its problems, usually
read from a formula table) and ``make_arrays(spec, rng=..., n_samples=..., split=...)`` that
returns the noiseless, split arrays of one problem. The default ``make_arrays`` draws
``n_samples`` rows with ``sample`` and splits them; suites whose data are not i.i.d. draws
(Strogatz trajectories, EmpiricalBench's fixed samples) override it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from srbench_lite.data.problem import Arrays, ProblemSpec
from srbench_lite.data.sampling import normalize_split, split_rows
from srbench_lite.errors import InvalidValueError


class Suite:
    name: str = ""
    description: str = ""
    #: where the suite came from (entry point, table file); set by the registry when empty
    source: str = ""
    #: total rows drawn per problem when the user gives no ``n_samples``
    default_n_samples: int = 10_000
    #: (train, val, test) fractions
    default_split: tuple[float, float, float] = (0.75, 0.0, 0.25)
    #: training rows are capped at this many (SRBench: 10,000); None = no cap
    max_train: int | None = None
    #: keyword options ``make_arrays`` accepts beyond the common ones (e.g. ``data_file``)
    options: tuple[str, ...] = ()
    #: whether its problems have a formula; without one recovery and NED are not applicable
    has_ground_truth: bool = True

    def specs(self) -> list[ProblemSpec]:
        raise NotImplementedError

    def ensure_data(self, names: Sequence[str], **options: Any) -> None:
        """Make sure the data of problems ``names`` can be loaded, before any job starts.

        Suites that generate their data need nothing (the default). A suite that reads files
        (``srbench-blackbox``) fetches what it can and raises a
        :class:`~srbench_lite.errors.SrbenchError` naming what is missing and how to get it.
        ``options`` are those of :attr:`options` (e.g. ``pmlb_cache_dir``).
        """

    def sample(
        self, spec: ProblemSpec, n: int, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        """Draw ``n`` noiseless rows ``(X, y)`` of one problem."""
        raise NotImplementedError

    def make_arrays(
        self,
        spec: ProblemSpec,
        *,
        rng: np.random.Generator,
        n_samples: int | None = None,
        split: float | Sequence[float] | None = None,
        **options: Any,
    ) -> Arrays:
        if options:
            raise InvalidValueError(
                f"problem {spec.name!r} (suite {self.name!r}) does not take "
                + ", ".join(sorted(options))
            )
        n = self.default_n_samples if n_samples is None else n_samples
        X, y = self.sample(spec, n, rng)
        return self.split_arrays(X, y, rng, split)

    def split_arrays(
        self,
        X: np.ndarray,
        y: np.ndarray,
        rng: np.random.Generator,
        split: float | Sequence[float] | None = None,
    ) -> Arrays:
        """Shuffle and split rows with the suite's default split and training cap."""
        parts = normalize_split(self.default_split if split is None else split)
        train, val, test = split_rows(len(y), parts, rng)
        if self.max_train is not None and len(train) > self.max_train:
            train = train[: self.max_train]
        arrays = Arrays(X[train], y[train], X[test], y[test])
        if len(val):
            arrays.X_val, arrays.y_val = X[val], y[val]
        return arrays
