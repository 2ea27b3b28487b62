"""Datasets: ground-truth problems generated offline from the tables in ``datasets/``."""

from srbench_lite.data.problem import Problem, ProblemSpec
from srbench_lite.data.registry import (
    get_spec,
    get_suite,
    list_problems,
    list_suites,
    load_problem,
)

__all__ = [
    "Problem",
    "ProblemSpec",
    "get_spec",
    "get_suite",
    "list_problems",
    "list_suites",
    "load_problem",
]
