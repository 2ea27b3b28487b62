"""Per-method environments: the declaration, the folders, ``srbench-lite env``, and a job whose
estimator runs on its environment's interpreter (built offline from this interpreter)."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
import sysconfig
from pathlib import Path

import numpy as np
import pytest

from srbench_lite import environments
from srbench_lite.cli import main
from srbench_lite.environments import build, places
from srbench_lite.environments.server import decode_array, encode_array
from srbench_lite.methods import Environment, get_method
from srbench_lite.methods.registry import ENV_PATH, MethodUnavailableError
from srbench_lite.records import read_records

#: a method file whose estimator writes where it runs into ``where`` (a json file)
_METHOD = """
import json, sys
import numpy as np
from srbench_lite.methods import Environment, MethodSpec


class WhereAmI:
    def __init__(self, where="", crash=False):
        self.where = where
        self.crash = crash

    def get_params(self, deep=True):
        return {{"where": self.where, "crash": self.crash}}

    def fit(self, X, y):
        if self.crash:
            import os; os._exit(7)
        A = np.column_stack([X, np.ones(len(X))])
        self.coef_ = [float(c) for c in np.linalg.lstsq(A, y, rcond=None)[0]]
        with open(self.where, "w") as fh:
            json.dump({{"executable": sys.executable, "numpy": np.__version__}}, fh)
        return self

    def predict(self, X):
        return np.asarray(X) @ np.array(self.coef_[:-1]) + self.coef_[-1]

    def sympy(self):
        terms = [f"{{c!r}}*x{{j}}" for j, c in enumerate(self.coef_[:-1])]
        return " + ".join(terms + [repr(self.coef_[-1])])


METHOD = MethodSpec(
    name="t-env", factory=WhereAmI, budget_param=None, seed_param=None,
    params={{"where": {where!r}}}, requires=("numpy",),
    environment=Environment(system={system!r}, system_hint="install it with the test's hint"),
)
"""


@pytest.fixture
def env_method(tmp_path, monkeypatch):
    """A method ``t-env`` with an environment, its environment folder under ``tmp_path``."""

    def write(system=()):
        folder = tmp_path / "methods"
        folder.mkdir(exist_ok=True)
        where = str(tmp_path / "where.json")
        (folder / "t_env.py").write_text(_METHOD.format(where=where, system=tuple(system)))
        monkeypatch.setenv(ENV_PATH, str(folder))
        return get_method("t-env")

    monkeypatch.setenv(places.ENV_DIR, str(tmp_path / "envs"))
    return write


def _offline_install(env, py, folder, run, uv):
    """Instead of pip (offline tests): the environment sees this interpreter's numpy through a
    .pth file -- only numpy's folder, which the method needs."""
    code = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site = Path(run([py, "-I", "-c", code], "find site-packages").strip())
    (site / "numpy_from_tests.pth").write_text(str(Path(np.__file__).parents[1]) + "\n")


def _fast_venv(base, folder, run, uv):
    run([base, "-m", "venv", "--without-pip", str(folder)], "make the virtual environment")


@pytest.fixture
def offline_build(monkeypatch):
    monkeypatch.setattr(build, "_install", _offline_install)
    monkeypatch.setattr(build, "_make_venv", _fast_venv)


def test_declaration_names_its_environment():
    env = Environment(requirements=("numpy<2", "aifeynman"), python="3.10", system=("gfortran",))
    assert (
        env.digest()
        == Environment(
            requirements=("numpy<2", "aifeynman"), python="3.10", system=("gfortran",), notes="x"
        ).digest()
    )  # notes do not change what gets installed
    assert env.digest() != Environment(requirements=("numpy<1.26", "aifeynman")).digest()
    assert len(env.digest()) == 10
    assert env.constraints() == ["numpy<2"]
    assert Environment(requirements=("a[x] >= 1.0",)).constraints() == ["a>= 1.0"]
    with pytest.raises(ValueError, match="python must be a version like '3.10'"):
        Environment(python="3")
    with pytest.raises(ValueError, match="tuple of strings"):
        Environment(requirements="numpy<2")
    assert Environment(install_env={"B": "1", "A": "2"}).install_env == (("A", "2"), ("B", "1"))


def test_core_requirements_leave_extras_out():
    reqs = build.core_requirements()
    assert any(r.startswith("numpy") for r in reqs)
    assert not any("extra" in r for r in reqs)


def test_missing_environment_is_refused_before_the_run(env_method, tmp_path):
    spec = env_method()
    assert places.state(spec) == "missing" and places.interpreter(spec) is None
    reason = spec.missing()
    assert "srbench-lite env create t-env" in reason and places.environment_name(spec) in reason
    from srbench_lite.runner import run_benchmark

    with pytest.raises(MethodUnavailableError, match="srbench-lite env create t-env"):
        run_benchmark("smoke", "t-env", datasets="smoke_linear", out=tmp_path / "run")
    (places.env_path(spec) / "bin").mkdir(parents=True)  # a half-built folder is not used
    assert places.state(spec) == "incomplete" and "half built" in spec.missing()


def test_missing_environment_in_the_job_is_a_setup_error(env_method):
    from srbench_lite.runner.config import JobOptions
    from srbench_lite.runner.fitting import fit_job
    from srbench_lite.runner.jobs import Job

    env_method()
    options = JobOptions(time_budget_s=5, methods_path=str(Path(get_method("t-env").source).parent))
    result, _ = fit_job(Job("smoke", "smoke_linear", "t-env", 0, 0.0), options)
    assert (result.status, result.error_kind) == ("error", "setup")
    assert "srbench-lite env create t-env" in result.error


def test_env_cli_errors(env_method, capsys):
    env_method(system=("no-such-command-srbench",))
    assert main(["env", "create", "t-envv"]) == 2
    assert "did you mean: t-env" in capsys.readouterr().err
    assert main(["env", "create", "linear"]) == 2
    assert "declares no environment" in capsys.readouterr().err
    assert main(["env", "create", "t-env"]) == 1
    err = capsys.readouterr().err
    assert "no-such-command-srbench" in err and "install it with the test's hint" in err
    assert main(["env", "list", "--json"]) == 0
    rows = {r["method"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["t-env"]["state"] == "missing" and "aifeynman" in rows
    assert main(["env", "remove", "t-env"]) == 0
    assert "no environment on disk" in capsys.readouterr().out


def test_missing_python_version_names_the_fix():
    with pytest.raises(build.EnvironmentBuildError, match=r"no Python 3\.99 found.*--python"):
        build.find_python("3.99")
    with pytest.raises(build.EnvironmentBuildError, match="the environment needs 3.99"):
        build.find_python("3.99", explicit=sys.executable)


def test_environment_sees_srbench_lite_but_not_our_packages(env_method, monkeypatch, capsys):
    """The link makes srbench-lite importable there; this interpreter's site-packages (our
    numpy 2, say) stay out of its path."""
    monkeypatch.setattr(build, "_install", lambda *args: None)
    monkeypatch.setattr(build, "_make_venv", _fast_venv)
    monkeypatch.setattr(build, "_probe", lambda py, run: {"python": "x"})
    spec = env_method()
    folder = environments.create(spec)
    assert places.state(spec) == "created"
    code = "import sys, srbench_lite; print(srbench_lite.__file__); print(sys.path)"
    out = subprocess.run([str(places.venv_python(folder)), "-I", "-c", code],
                         capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert str(folder / build.LINK_DIR) in out.splitlines()[0]
    assert sysconfig.get_paths()["purelib"] not in out.splitlines()[1]
    assert json.loads((folder / places.MARKER).read_text())["method"] == "t-env"
    assert main(["env", "remove", "t-env"]) == 0 and not folder.exists()


def test_a_job_runs_on_its_environments_interpreter(
    env_method, offline_build, tmp_path, monkeypatch
):
    from srbench_lite.runner import run_benchmark

    monkeypatch.setenv("SRBENCH_LITE_LAUNCHER", "subprocess")  # the job sees this env folder
    spec = env_method()
    assert main(["env", "create", "t-env"]) == 0
    assert spec.missing() is None
    folder = places.env_path(spec)
    run_benchmark("smoke", ["t-env", "linear"], datasets="smoke_linear", out=tmp_path / "run",
                  time_budget=5)  # fmt: skip
    rows = {r["method"]: r for r in read_records(tmp_path / "run")}
    row = rows["t-env"]
    assert row["status"] == "ok", row["error"]
    where = json.loads((tmp_path / "where.json").read_text())
    assert where["executable"] == str(places.venv_python(folder))  # not this interpreter
    assert row["environment"] == places.environment_name(spec)
    assert row["versions"]["numpy"] == where["numpy"]  # the environment's own versions
    assert row["exact_recovery"] and row["recovery_kind"] == rows["linear"]["recovery_kind"]
    assert set(row) == set(rows["linear"])  # same record schema
    assert rows["linear"]["environment"] is None

    run_benchmark("smoke", "t-env", datasets="smoke_linear", out=tmp_path / "crash",
                  time_budget=5, params={"t-env": {"crash": True}})  # fmt: skip
    (crash,) = read_records(tmp_path / "crash")
    assert (crash["status"], crash["error_kind"]) == ("error", "crash")
    assert "exited with code 7 during 'fit'" in crash["error"]


def test_data_cross_as_portable_arrays():
    X = np.arange(6.0).reshape(3, 2)
    data = encode_array(X)
    assert data.startswith(b"\x93NUMPY") and np.array_equal(decode_array(data), X)
    request = pickle.dumps(("fit", data, encode_array(X[:, 0])), protocol=4)
    assert b"numpy" not in request  # no numpy object pickle: numpy 1 reads it too


def test_docs_example_declares_an_environment(tmp_path, monkeypatch):
    import re

    doc = Path(__file__).resolve().parents[1] / "docs" / "adding_a_method.md"
    blocks = re.findall(r"```python\n(.*?)```", doc.read_text(), flags=re.S)
    (block,) = [b for b in blocks if 'name="old-tool"' in b]
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "old_tool.py").write_text(block)
    monkeypatch.setenv(ENV_PATH, str(tmp_path / "m"))
    monkeypatch.setenv(places.ENV_DIR, str(tmp_path / "envs"))
    spec = get_method("old-tool")
    assert spec.environment.python == "3.10" and spec.environment.constraints() == [
        "numpy<2", "old-sr-tool==1.4"]  # fmt: skip
    assert "srbench-lite env create old-tool" in spec.missing()


def test_a_stale_link_follows_the_running_package(env_method, offline_build, tmp_path):
    """An environment made from another checkout (its link points elsewhere) serves this
    package once a job starts it: the link is re-pointed, atomically, before the server."""
    from srbench_lite.environments.client import start_estimator

    spec = env_method()
    folder = environments.create(spec, echo=lambda _: None)
    link = folder / build.LINK_DIR / "srbench_lite"
    other = tmp_path / "other-checkout" / "srbench_lite"
    other.mkdir(parents=True)
    link.unlink()
    link.symlink_to(other, target_is_directory=True)
    remote = start_estimator(spec)
    try:
        assert link.resolve() == Path(environments.__file__).resolve().parents[1]
    finally:
        remote.close()
    assert sorted(p.name for p in link.parent.iterdir()) == ["srbench_lite"]  # no temp left


def test_a_second_create_waits_for_the_first(env_method, monkeypatch, tmp_path):
    """Two `env create` of one environment take turns on its lock: the second waits, then
    finds it created and builds nothing."""
    import threading

    spec = env_method()
    started, release, builds, said = threading.Event(), threading.Event(), [], []

    def slow_build(spec, folder, python, echo):
        builds.append(folder)
        started.set()
        release.wait(10)
        folder.mkdir(parents=True)
        places.venv_python(folder).parent.mkdir(parents=True)
        places.venv_python(folder).write_text("")
        (folder / places.MARKER).write_text(json.dumps({"method": spec.name}))
        return folder

    monkeypatch.setattr(build, "_build", slow_build)
    first = threading.Thread(target=environments.create, args=(spec,), kwargs={"echo": said.append})
    first.start()
    assert started.wait(10)
    second = threading.Thread(target=environments.create, args=(spec,), kwargs={"echo": said.append})
    second.start()
    for _ in range(100):
        if any("waiting for another" in s for s in said):
            break
        threading.Event().wait(0.05)
    release.set()
    first.join(10)
    second.join(10)
    assert len(builds) == 1
    assert any("waiting for another" in s for s in said)
    assert any("already created" in s for s in said)
