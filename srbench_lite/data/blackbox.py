"""``srbench-blackbox``: the 122 real-world PMLB regression datasets of SRBench's black-box track.

The problems have no ground truth: a method is judged by its test R² and its model size
(recovery and NED are not applicable). Their names and sizes come from SRBench's published
results (:func:`srbench_lite.published.blackbox_datasets`); the data are PMLB's own files,
read with PMLB's loader ``pmlb.fetch_data(name, local_cache_dir=DIR)`` from the local cache
(:mod:`srbench_lite.data.pmlb_cache`), downloaded into it when the machine is online.

SRBench's protocol: the rows (NaN rows dropped, as pmlb does) are shuffled by the job's seed
and split 75/25; the training rows are then capped at 10,000 (SRBench draws its 10,000 with
replacement, we keep the first 10,000 shuffled rows: no duplicates). ``n_samples`` takes a
random subset of the rows before the split. The features are named after the file's columns
when every name is a plain identifier the expression parser keeps as a symbol, else
``x0, x1, ...``; ``problem.meta["columns"]`` keeps the file's names either way.
"""

from __future__ import annotations

import keyword
import os
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from srbench_lite.data.problem import Arrays, ProblemSpec
from srbench_lite.data.suite import Suite
from srbench_lite.errors import InvalidValueError

NAME = "srbench-blackbox"
TARGET = "target"
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


@lru_cache(maxsize=1)
def _specs() -> tuple[ProblemSpec, ...]:
    from srbench_lite.published import blackbox_datasets

    return tuple(
        ProblemSpec(
            d.name,
            NAME,
            tuple(f"x{i}" for i in range(d.n_features)),
            "",  # no ground truth
            {"n_rows": d.n_rows, "source": "PMLB", "ground_truth": False},
        )
        for d in blackbox_datasets()
    )


def feature_names(columns: Sequence[str]) -> list[str]:
    """The file's column names when each one parses back to a plain symbol of that name (no
    keyword, function or constant of the parser, no repeat); otherwise ``x0, x1, ...``."""
    from srbench_lite.expr import ModelParseError, parse_model

    names = [str(c) for c in columns]
    generic = [f"x{i}" for i in range(len(names))]
    if len(set(names)) != len(names):
        return generic
    for name in names:
        if not _IDENTIFIER.match(name) or keyword.iskeyword(name):
            return generic
        try:
            parsed = parse_model(name, dialect="sympy", feature_names=names)
        except ModelParseError:
            return generic
        if not (parsed.is_Symbol and parsed.name == name):
            return generic
    return names


class BlackboxSuite(Suite):
    """SRBench's black-box track: PMLB files, 75/25 split, at most 10,000 training rows."""

    name = NAME
    description = (
        "SRBench black-box track: 122 real-world PMLB regression datasets without ground "
        "truth (judged by R² and model size); read from the local PMLB cache (--pmlb-cache)"
    )
    default_n_samples = None  # every row of the file
    default_split = (0.75, 0.0, 0.25)
    max_train = 10_000
    options = ("pmlb_cache_dir",)
    has_ground_truth = False

    def specs(self) -> list[ProblemSpec]:
        return list(_specs())

    def ensure_data(self, names: Sequence[str], *, pmlb_cache_dir=None) -> None:
        from srbench_lite.data.pmlb_cache import cache_dir, ensure_cached

        ensure_cached(list(names), cache_dir(pmlb_cache_dir), suite=self.name)

    def make_arrays(
        self,
        spec: ProblemSpec,
        *,
        rng: np.random.Generator,
        n_samples: int | None = None,
        split=None,
        pmlb_cache_dir: str | os.PathLike | None = None,
        **options: Any,
    ) -> Arrays:
        from srbench_lite.data.pmlb_cache import cache_dir, fetch_frame

        if options:
            raise InvalidValueError(
                f"suite {self.name!r} has no option(s) {sorted(options)}; valid: "
                + ", ".join(self.options)
            )
        folder = cache_dir(pmlb_cache_dir)
        frame = fetch_frame(spec.name, folder, suite=self.name)
        if TARGET not in frame.columns:
            raise InvalidValueError(
                f"PMLB file of {spec.name!r} in {str(folder)!r} has no {TARGET!r} column "
                f"(columns: {', '.join(map(str, frame.columns))})"
            )
        columns = [str(c) for c in frame.columns if c != TARGET]
        if len(columns) != spec.n_features:
            raise InvalidValueError(
                f"PMLB file of {spec.name!r} in {str(folder)!r} has {len(columns)} feature "
                f"column(s); SRBench's {spec.name} has {spec.n_features}"
            )
        try:
            X = frame[columns].to_numpy(dtype=float)
            y = frame[TARGET].to_numpy(dtype=float)
        except (TypeError, ValueError) as exc:
            raise InvalidValueError(
                f"PMLB file of {spec.name!r} has non-numeric values: {exc}"
            ) from None
        if n_samples is not None:
            if n_samples > len(y):
                raise InvalidValueError(f"n_samples={n_samples} but {spec.name} has {len(y)} rows")
            keep = np.sort(rng.permutation(len(y))[:n_samples])
            X, y = X[keep], y[keep]
        arrays = self.split_arrays(X, y, rng, split)
        arrays.meta.update(
            feature_names=feature_names(columns),
            columns=columns,
            n_rows=len(y),
            data_source=f"PMLB {spec.name}",
        )
        return arrays


BLACKBOX = BlackboxSuite()
