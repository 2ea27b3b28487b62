"""``load_problem``: one problem's arrays, seeded and reproducible."""

from __future__ import annotations

import math
import numbers
import os
import zlib
from collections.abc import Sequence

import numpy as np

from srbench_lite.data.problem import Problem
from srbench_lite.data.registry import get_spec, problem_suite
from srbench_lite.errors import InvalidValueError, SrbenchError


def problem_seed(name: str, seed: int, stream: int = 0) -> np.random.SeedSequence:
    """The seed sequence of one problem: same (name, seed) → same arrays on any machine."""
    return np.random.SeedSequence([int(seed), zlib.crc32(name.encode("utf-8")), stream])


def _check_seed(seed: object) -> int:
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or int(seed) < 0:
        raise InvalidValueError(f"seed must be a non-negative integer, got {seed!r}")
    return int(seed)


def _check_noise(noise: object) -> float:
    if isinstance(noise, bool) or not isinstance(noise, numbers.Real) or not math.isfinite(noise):
        raise InvalidValueError(f"noise must be a finite number >= 0, got {noise!r}")
    if noise < 0:
        raise InvalidValueError(f"noise must be >= 0 (a fraction of RMS(y)), got {noise!r}")
    return float(noise)


def _check_n_samples(n_samples: object) -> int | None:
    if n_samples is None:
        return None
    if isinstance(n_samples, bool) or not isinstance(n_samples, numbers.Integral) or n_samples < 4:
        raise InvalidValueError(f"n_samples must be an integer >= 4 or None, got {n_samples!r}")
    return int(n_samples)


def add_noise(y: np.ndarray, level: float, rng: np.random.Generator) -> np.ndarray:
    """SRBench's convention: Gaussian noise with sd = level × RMS(y)."""
    if level == 0:
        return y
    sd = level * float(np.sqrt(np.mean(np.square(y))))
    return y + rng.normal(0.0, sd, size=y.shape)


def load_problem(
    name: str,
    *,
    seed: int = 0,
    noise: float = 0.0,
    n_samples: int | None = None,
    split: float | Sequence[float] | None = None,
    data_file: str | os.PathLike | None = None,
    pmlb_cache_dir: str | os.PathLike | None = None,
    intrinsic_noise: bool = True,
) -> Problem:
    """Generate (or read) one problem's arrays.

    Args:
        name: a problem name from ``list_problems()``.
        seed: same seed → bit-identical arrays; another seed → another draw and split.
        noise: SRBench noise level: Gaussian noise with sd = noise × RMS(y_train) is added to
            the training target only (validation and test targets stay noiseless).
        n_samples: total rows to draw before splitting (suite default when None);
            EmpiricalBench: training rows (its test set is a separate 1000-row draw);
            Strogatz: a random subset of the 400 trajectory rows.
        split: train fraction, (train, test) or (train, val, test) fractions; suite default
            when None (SRBench 75/25 with at most 10,000 training rows; SRSD 80/10/10;
            EmpiricalBench takes no split).
        data_file: a file of real rows to use instead of generated ones (a CSV, or PMLB's
            ``.tsv.gz``; :mod:`srbench_lite.data.data_files`): the problem's features by name
            and ``target`` (or the output's name). Split as the suite splits its rows, at
            most 10,000 training rows; EmpiricalBench's historical tables: train = test =
            all rows. ``noise`` is added to its training target as to generated rows.
        pmlb_cache_dir: the local PMLB cache (``<dir>/<name>/<name>.tsv.gz``). Suites of
            real data (``srbench-blackbox``) read their datasets there with
            ``pmlb.fetch_data`` (default: ``$SRBENCH_LITE_PMLB_CACHE``, see
            :mod:`srbench_lite.data.pmlb_cache`); a ground-truth suite reads the file there
            instead of generating, as a ``data_file``.
        intrinsic_noise: EmpiricalBench only: keep the PySR paper's relative noise on the
            training target (default) or switch it off.
    """
    spec = get_spec(name)
    suite = problem_suite(name)
    seed = _check_seed(seed)
    noise = _check_noise(noise)
    n_samples = _check_n_samples(n_samples)
    rng = np.random.default_rng(problem_seed(name, seed))
    reads_pmlb = "pmlb_cache_dir" in suite.options  # a suite of PMLB files finds its cache
    if pmlb_cache_dir is not None and not reads_pmlb:  # the PMLB file is the data file
        from srbench_lite.data.pmlb_io import pmlb_path

        if data_file is not None:
            raise InvalidValueError("give data_file or pmlb_cache_dir, not both")
        data_file = pmlb_path(pmlb_cache_dir, name)
        if not data_file.is_file():
            raise SrbenchError(f"no PMLB file for {name!r}: expected {data_file}")
    own_reader = "data_file" in suite.options  # EmpiricalBench reads its historical tables
    options = {}
    if data_file is not None and own_reader:
        options["data_file"] = data_file
    if not intrinsic_noise and "intrinsic_noise" in suite.options:
        options["intrinsic_noise"] = False  # a no-op for suites without intrinsic noise
    if reads_pmlb:
        options["pmlb_cache_dir"] = pmlb_cache_dir
    if data_file is not None and not own_reader:
        from srbench_lite.data.data_files import arrays_from_file

        if not spec.has_truth:
            raise InvalidValueError(
                f"{name} (suite {suite.name}) is real data without a ground truth, read from "
                "the PMLB cache (pmlb_cache_dir); data_file replaces a ground-truth problem's rows"
            )
        if options or n_samples is not None:
            what = ", ".join([*options, *(["n_samples"] if n_samples is not None else [])])
            raise InvalidValueError(
                f"{name}: a data file's rows are all used (split as the suite splits); "
                f"data_file cannot be combined with {what}"
            )
        arrays = arrays_from_file(spec, suite, data_file, rng, split)
    else:
        arrays = suite.make_arrays(spec, rng=rng, n_samples=n_samples, split=split, **options)
    noise_rng = np.random.default_rng(problem_seed(name, seed, stream=1))
    y_train = add_noise(arrays.y_train, noise, noise_rng)
    return Problem(
        name=spec.name,
        suite=spec.suite,
        feature_names=list(arrays.meta.pop("feature_names", spec.feature_names)),
        formula=spec.formula,
        X_train=arrays.X_train,
        y_train=y_train,
        X_test=arrays.X_test,
        y_test=arrays.y_test,
        X_val=arrays.X_val,
        y_val=arrays.y_val,
        seed=seed,
        noise=noise,
        meta={**spec.meta, **arrays.meta},
    )
