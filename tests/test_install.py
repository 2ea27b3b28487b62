"""A regular (non-editable) install finds every table and every method.

Builds the wheel from this checkout without network (``--no-build-isolation``), unpacks it with
``pip install --target`` into a fresh folder and runs a checker from outside the checkout with
that folder first on ``sys.path``; the dependencies come from the running environment.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from blackbox_support import write_synthetic

ROOT = Path(__file__).resolve().parents[1]

CHECK = r"""
import json, sys
from importlib.resources import files
import srbench_lite
from srbench_lite.data import get_suite, list_problems, list_suites, load_problem
from srbench_lite.methods import get_method, list_methods

suites = {name: len(list_problems(name)) for name in list_suites()}
first = {name: load_problem(list_problems(name)[0], n_samples=None).n_features
         for name in suites if name != "feynman"}  # feynman draws 100,000 rows; -srbench is enough
data_files = sorted(p.name for p in files("srbench_lite.datasets").iterdir()
                    if p.name.endswith((".csv", ".md")))
print(json.dumps({
    "module": srbench_lite.__file__,
    "suites": suites,
    "sources": sorted({get_suite(s).source.split(" = ")[0] for s in suites}),
    "methods": {m: get_method(m).source for m in list_methods()},
    "loaded": first,
    "data_files": data_files,
}))
"""


def _setuptools_version() -> tuple[int, ...]:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return tuple(int(p) for p in version("setuptools").split(".")[:2])
    except (PackageNotFoundError, ValueError):
        return (0,)


@pytest.mark.slow
@pytest.mark.skipif(_setuptools_version() < (77,), reason="building offline needs setuptools>=77")
def test_wheel_install_finds_tables_and_methods(tmp_path):
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    # build from a clean copy: setuptools' build/ folder must not end up in the checkout
    src, wheels, target = tmp_path / "src", tmp_path / "wheels", tmp_path / "site"
    skip = shutil.ignore_patterns(".*", "build", "dist", "results", "reports", "__pycache__",
                                  "*.egg-info")  # fmt: skip
    shutil.copytree(ROOT, src, ignore=skip)
    subprocess.run([*pip, "wheel", str(src), "--no-deps", "--no-build-isolation", "-w",
                    str(wheels)], check=True)  # fmt: skip
    (wheel,) = wheels.glob("srbench_lite-*.whl")
    subprocess.run([*pip, "install", "--no-deps", "--target", str(target), str(wheel)], check=True)
    # the black-box suite reads PMLB files: a SYNTHETIC one with its first dataset's shape
    cache = tmp_path / "pmlb"
    write_synthetic(cache, "1027_ESL")
    env = {**os.environ, "PYTHONPATH": str(target), "SRBENCH_LITE_PMLB_CACHE": str(cache),
           "SRBENCH_LITE_OFFLINE": "1"}  # fmt: skip
    env.pop("SRBENCH_LITE_METHODS_PATH", None)
    env.pop("SRBENCH_LITE_SUITES_PATH", None)
    out = subprocess.run([sys.executable, "-c", CHECK], cwd=tmp_path, env=env, check=True,
                         capture_output=True, text=True).stdout  # fmt: skip
    got = json.loads(out)
    assert Path(got["module"]).is_relative_to(target)  # the installed copy, not the checkout
    assert got["suites"]["feynman"] == 120 and got["suites"]["srsd-hard-dummy"] == 50
    assert len(got["suites"]) == 13 and set(got["loaded"]) == set(got["suites"]) - {"feynman"}
    assert got["suites"]["srbench-blackbox"] == 122 and got["loaded"]["srbench-blackbox"] == 4
    assert got["sources"] == ["entry point " + s for s in sorted(got["suites"])]
    assert set(got["methods"]) >= {"constant", "linear", "gp", "neural", "gplearn", "operon",
                                   "ffx", "rils-rols", "pysr", "random-forest", "hist-gb",
                                   "kernel-ridge", "mlp"}  # fmt: skip
    assert all(src.startswith("entry point ") for src in got["methods"].values())
    expected = sorted(p.name for p in (ROOT / "srbench_lite" / "datasets").iterdir()
                      if p.suffix in (".csv", ".md"))  # fmt: skip
    assert got["data_files"] == expected
