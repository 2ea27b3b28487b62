"""Datasets: ground-truth problems generated offline from the tables in ``srbench_lite/datasets/``
(bundled suites) and of plugged-in suites (see ``srbench_lite.data.registry``)."""

from srbench_lite.data.load import load_problem
from srbench_lite.data.problem import Problem, ProblemSpec
from srbench_lite.data.registry import get_spec, get_suite, list_problems, list_suites
from srbench_lite.data.suite import Suite
from srbench_lite.data.suite_params import ParametricSuite
from srbench_lite.data.table_suite import TableSuite

__all__ = [
    "ParametricSuite",
    "Problem",
    "ProblemSpec",
    "Suite",
    "TableSuite",
    "get_spec",
    "get_suite",
    "list_problems",
    "list_suites",
    "load_problem",
]
