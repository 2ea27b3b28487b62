"""Packaging shim: ship the top-level ``datasets/`` and ``methods/`` folders inside the package.

pyproject.toml holds all metadata; this file only maps the two data folders to
``srbench_lite._tables`` and ``srbench_lite._methods`` so that a non-editable
``pip install .`` still finds them.
"""

from setuptools import find_packages, setup

PACKAGE_DIRS = {"srbench_lite._tables": "datasets", "srbench_lite._methods": "methods"}

setup(
    packages=find_packages(include=["srbench_lite", "srbench_lite.*"]) + list(PACKAGE_DIRS),
    package_dir=PACKAGE_DIRS,
)
