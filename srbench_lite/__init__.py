"""srbench-lite: an offline benchmark and evaluation harness for symbolic regression.

Public entry points (imported lazily, so ``import srbench_lite`` stays cheap)::

    srbench_lite.load_problem(name, seed=0, noise=0.0)
    srbench_lite.list_problems(suite=None)
    srbench_lite.run_benchmark(suites, methods, seeds=1, time_budget=60, ...)  # -> DataFrame
"""

from __future__ import annotations

__version__ = "0.1.0"

_LAZY = {
    "load_problem": "srbench_lite.data",
    "list_problems": "srbench_lite.data",
    "list_suites": "srbench_lite.data",
    "get_spec": "srbench_lite.data",
    "Problem": "srbench_lite.data",
    "run_benchmark": "srbench_lite.runner",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'srbench_lite' has no attribute {name!r}")


__all__ = ["__version__", *_LAZY]
