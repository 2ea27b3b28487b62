"""Imported once by the job forkserver (:mod:`.isolate`) so that forked job children start
with numpy, sympy, scikit-learn, numba and srbench-lite already loaded.

Importing this module is its purpose (it also fits one tiny model to warm caches, and loads
the compiled kernels when numba's disk cache holds them).
"""

from __future__ import annotations

import numpy  # noqa: F401
import sklearn.base  # noqa: F401
import sklearn.linear_model  # noqa: F401
import sympy  # noqa: F401
import threadpoolctl  # noqa: F401

import srbench_lite.data  # noqa: F401
import srbench_lite.expr  # noqa: F401
import srbench_lite.methods  # noqa: F401
import srbench_lite.methods.baselines  # noqa: F401
import srbench_lite.metrics  # noqa: F401
import srbench_lite.runner.child  # noqa: F401

try:  # numba and the kernels' dispatchers: every gp/neural job asks whether they are compiled
    from srbench_lite.engines.common import kernels
except ImportError:  # numba missing: the engines use numpy
    kernels = None


def _warm_up() -> None:
    """Fit the linear baseline on a smoke problem once, so lazy imports and caches are filled
    here instead of in every forked job."""
    from srbench_lite.runner.config import JobOptions
    from srbench_lite.runner.fitting import fit_job
    from srbench_lite.runner.jobs import Job

    try:
        fit_job(Job("smoke", "smoke_linear", "linear", 0, 0.0), JobOptions(1.0))
    except Exception:  # warming up is an optimisation only
        pass


def _load_kernels() -> None:
    """Load the compiled kernels from numba's disk cache when they are there (nothing is
    compiled here), so that each forked job does not spend a quarter of a second of its budget
    loading them."""
    if kernels is None:
        return
    try:
        kernels.load()
    except Exception:  # an optimisation only: a job loads (or compiles) them itself
        pass


_warm_up()
_load_kernels()
