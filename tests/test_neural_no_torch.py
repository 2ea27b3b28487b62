"""Without torch, the package, the neural engine's modules and the method listing still work."""

from __future__ import annotations

import json
import subprocess
import sys

CODE = r"""
import json, sys

class NoTorch:  # hide torch: find_spec and import both fail as if it were not installed
    def find_spec(self, name, path=None, target=None):
        if name == "torch" or name.startswith("torch."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, NoTorch())
import srbench_lite
import srbench_lite.engines.neural as neural
from srbench_lite.engines.neural import constraints, library, reward
from srbench_lite.methods import get_method, list_methods, method_availability
spec = get_method("neural")
rows = {r["name"]: r for r in method_availability()}
try:
    neural.NeuralSRRegressor().fit([[1.0], [2.0]], [1.0, 2.0])
    fit_error = None
except ImportError as exc:
    fit_error = str(exc)
print(json.dumps({"torch_loaded": "torch" in sys.modules, "listed": "neural" in list_methods(), "missing": spec.missing(),
                  "available": rows["neural"]["available"], "fit_error": fit_error}))
"""


def test_package_and_method_listing_work_without_torch():
    out = subprocess.run(
        [sys.executable, "-c", CODE], capture_output=True, text=True, timeout=120, check=True
    )
    res = json.loads(out.stdout.strip().splitlines()[-1])
    assert res["torch_loaded"] is False
    assert res["listed"] is True
    assert res["available"] is False
    assert "torch" in res["missing"] and "pip install" in res["missing"]
    assert res["fit_error"] is not None  # fit needs torch and says so by ImportError
