"""Adapters for third-party symbolic-regression tools.

Each module wraps one tool as a method-contract estimator (see
:mod:`srbench_lite.methods.spec`) and holds the code that turns the tool's fitted model into a
sympy expression. The tool itself is imported only inside ``fit`` (and similar), so these
modules import -- and their conversion code can be tested -- without the tool installed.
"""
