"""Suites and methods plug in the same way: entry points (srbench-lite's own first), a folder
on an environment variable, other packages' entry points; broken ones never hide the others."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from srbench_lite import plugins
from srbench_lite.cli import main
from srbench_lite.data import get_suite, list_problems, list_suites, load_problem
from srbench_lite.data import registry as suite_registry
from srbench_lite.data.registry import ENV_PATH, SuiteUnavailableError
from srbench_lite.errors import UnknownNameError
from srbench_lite.methods import get_method, list_methods
from srbench_lite.methods import registry as method_registry

GOOD = "name,formula,variables\nmy_square,x**2 + 1,x:uniform:-1:1\n"


def _table(folder, name, text):
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text)
    return folder


@pytest.fixture
def fresh_registries():
    suite_registry._catalog.cache_clear()
    method_registry._registry.cache_clear()
    yield
    suite_registry._catalog.cache_clear()
    method_registry._registry.cache_clear()


def test_bundled_plugins_come_from_srbench_lites_own_entry_points():
    assert get_suite("feynman").source == "entry point feynman = srbench_lite.data.feynman:FEYNMAN"
    assert get_method("gp").source == "entry point gp = srbench_lite.methods.bundled.gp:METHOD"
    assert {"smoke", "feynman", "srsd-easy-dummy", "empirical", "strogatz"} <= set(list_suites())


def test_folder_table_is_a_suite(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_PATH, str(_table(tmp_path / "s", "mine.csv", GOOD)))
    assert list_problems("mine") == ["my_square"]
    prob = load_problem("my_square", seed=3)
    assert prob.suite == "mine" and len(prob.y_train) == 7500  # defaults: 10,000 rows, 75/25
    np.testing.assert_allclose(prob.y_test, prob.X_test[:, 0] ** 2 + 1)
    # another seed, another draw; same seed, same arrays
    assert not np.array_equal(load_problem("my_square", seed=4).X_train, prob.X_train)
    np.testing.assert_array_equal(load_problem("my_square", seed=3).X_train, prob.X_train)


@pytest.mark.parametrize(
    "text, sidecar, message",
    [
        ("name,formula\na,x\n", None, "lacks the column(s) variables"),
        ("name,formula,variables\na,x**2,x:unifrom:0:1\n", None, "line 2: variable 'x': unknown law 'unifrom'"),
        ("name,formula,variables\na,x*y,x:uniform:0:1\n", None, "line 2: formula 'x*y': unknown name(s) 'y'"),
        ("name,formula,variables\na,x,x:uniform:0\n", None, "line 2: bad variable spec"),
        ("name,formula,variables\na,x,x:uniform:0:1\na,x,x:uniform:0:1\n", None, "line 3: duplicate name 'a'"),
        ("name,formula,variables\na/b,x,x:uniform:0:1\n", None, "problem name 'a/b'"),
        ("name,formula,variables\nsmoke_linear,x,x:uniform:0:1\n", None, "already used by suite 'smoke'"),
        (GOOD, '{"n_sample": 10}', "unknown setting(s) n_sample (valid: description, n_samples"),
        (GOOD, '{"split": [0.5, 0.6]}', "split fractions must sum to 1"),
        (GOOD, "[1]", "must hold a JSON object"),
    ],
)  # fmt: skip
def test_broken_table_is_unavailable_not_fatal(tmp_path, monkeypatch, capsys, text, sidecar, message):
    folder = _table(tmp_path / "s", "bad.csv", text)
    if sidecar is not None:
        (folder / "bad.json").write_text(sidecar)
    _table(folder, "good.csv", GOOD)
    monkeypatch.setenv(ENV_PATH, str(folder))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert list_problems("good") == ["my_square"]  # the other table still works
        assert "unavailable" in list_suites()["bad"]
        with pytest.raises(SuiteUnavailableError) as info:
            get_suite("bad")
        assert message in str(info.value)
        assert main(["datasets", "--suite", "bad"]) == 2
        assert message in capsys.readouterr().err
        assert main(["datasets"]) == 0  # listing everything still works, with a warning
    assert "suite 'bad'" in capsys.readouterr().err


def test_suite_name_taken_by_bundled_suite_is_ignored(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_PATH, str(_table(tmp_path / "s", "smoke.csv", GOOD)))
    with pytest.warns(UserWarning, match="suite 'smoke' from .*smoke.csv ignored"):
        assert list_problems("smoke")[0] == "smoke_linear"


def test_unknown_suite_names_get_suggestions(tmp_path, capsys):
    with pytest.raises(UnknownNameError, match="did you mean: srsd-easy"):
        list_problems("srsd-esay")
    assert main(["run", "--suite", "smok", "--methods", "linear", "--out", str(tmp_path)]) == 2
    assert "unknown suite 'smok'; did you mean: smoke" in capsys.readouterr().err


@pytest.fixture
def third_party(tmp_path, monkeypatch, fresh_registries):
    """An installed package 'fake-srbl' whose entry points add a suite and a method, and try
    to shadow the bundled smoke suite."""
    site = tmp_path / "site"
    pkg = site / "fake_srbl"
    pkg.mkdir(parents=True)
    (pkg / "lab.csv").write_text(GOOD.replace("my_square", "lab_square"))
    (pkg / "__init__.py").write_text(
        "from importlib.resources import files\n"
        "from srbench_lite.data import TableSuite\n"
        "from srbench_lite.methods import MethodSpec\n"
        "LAB = TableSuite('lab', files('fake_srbl') / 'lab.csv', n_samples=100)\n"
        "SHADOW = TableSuite('smoke', files('fake_srbl') / 'lab.csv')\n"
        "def method():\n"
        "    from srbench_lite.methods.baselines import ConstantRegressor\n"
        "    return MethodSpec(name='lab-constant', factory=ConstantRegressor,\n"
        "                      budget_param=None, seed_param=None)\n"
        "def broken():\n"
        "    raise RuntimeError('boom')\n"
    )
    info = site / "fake_srbl-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: fake-srbl\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(
        "[srbench_lite.suites]\nlab = fake_srbl:LAB\nsmoke = fake_srbl:SHADOW\n"
        "bad-suite = fake_srbl:broken\n\n"
        "[srbench_lite.methods]\nlab-constant = fake_srbl:method\n"
    )
    monkeypatch.syspath_prepend(str(site))
    yield
    for name in [m for m in __import__("sys").modules if m.startswith("fake_srbl")]:
        __import__("sys").modules.pop(name)


def test_other_packages_plug_in_through_entry_points(third_party):
    with pytest.warns(UserWarning, match="suite 'smoke' from entry point smoke = fake_srbl"):
        assert list_problems("lab") == ["lab_square"]
    assert list_problems("smoke")[0] == "smoke_linear"  # the bundled suite wins
    assert len(load_problem("lab_square").y_train) == 75
    assert "RuntimeError: boom" in list_suites()["bad-suite"]
    assert "lab-constant" in list_methods() and get_method("lab-constant").available


def test_missing_package_metadata_is_reported(monkeypatch):
    monkeypatch.setattr(plugins, "entry_points", lambda group: [])
    with pytest.warns(UserWarning, match="reinstall with `pip install -e .`"):
        assert plugins.split_entry_points("srbench_lite.suites") == ([], [])
