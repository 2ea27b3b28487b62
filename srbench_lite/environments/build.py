"""Build a method's environment: ``srbench-lite env create METHOD`` (:func:`create`).

Steps, each logged to ``<env>/create.log``:

1. check the system commands the declaration needs (``gfortran``), naming the install hint;
2. find the declared Python (``pythonX.Y`` on ``PATH``, uv's or pyenv's, or ``--python``);
3. make a virtual environment: ``uv venv`` when uv is on ``PATH``, else ``python -m venv``;
4. install srbench-lite's core dependencies (read from its installed metadata, extras left
   out) and the method's requirements in one resolve, so a pin like ``numpy<2`` wins;
5. run the declaration's later install steps, constrained by its version pins;
6. make srbench-lite importable there without the parent's site-packages: a folder in the
   environment holding a link ``srbench_lite -> <this package>``, put on ``sys.path`` by a
   ``.pth`` file (the parent's numpy never shadows the environment's);
7. check that the environment imports srbench-lite and numpy, then write the marker.

Two ``create`` calls for one environment (two shells, two runs of a script) take turns on a
lock file beside it: the second waits, then finds the environment created. The link of step 6
follows the package: every job that starts the environment's server re-points it at the
srbench-lite running the job (:func:`link_package`), so an environment made from one checkout
serves another's code; a copy (where links are not allowed) is refreshed by ``create --force``.

A failure raises :class:`EnvironmentBuildError` with the end of the log; the folder stays
without its marker (never used; the next ``create`` starts it again).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from srbench_lite.environments.places import (
    LOG,
    MARKER,
    env_path,
    environment_name,
    state,
    venv_python,
)
from srbench_lite.errors import SrbenchError

if TYPE_CHECKING:
    from srbench_lite.methods.spec import MethodSpec

__all__ = ["EnvironmentBuildError", "core_requirements", "create", "find_python", "link_package"]

#: the distribution whose core dependencies every environment gets
DIST = "srbench-lite"
#: the folder (inside an environment) that holds the link to this package
LINK_DIR = "srbench-lite-link"
PTH_FILE = "srbench_lite_link.pth"
_TAIL_LINES = 40
_PROBE_S = 30


class EnvironmentBuildError(SrbenchError):
    """An environment could not be built: a missing command or Python, or a failed install."""


def core_requirements() -> list[str]:
    """srbench-lite's own dependencies, without extras, from its installed metadata."""
    from importlib.metadata import PackageNotFoundError, requires

    try:
        reqs = requires(DIST) or []
    except PackageNotFoundError:
        raise EnvironmentBuildError(
            f"the {DIST} distribution is not installed (its metadata lists the dependencies "
            "an environment needs); install it with `pip install -e .` or `pip install .`"
        ) from None
    return [r for r in reqs if not re.search(r"\bextra\s*==", r)]


def find_python(version: str | None, explicit: str | None = None) -> str:
    """An interpreter for ``version`` (``"3.10"``; None: the one running srbench-lite).
    ``explicit`` (``--python``) is checked, not trusted. Raises naming what was tried."""
    if explicit:
        found = _version_of(explicit)
        if found is None:
            raise EnvironmentBuildError(f"--python {explicit!r} does not run")
        if version and found != version:
            raise EnvironmentBuildError(
                f"--python {explicit!r} is Python {found}; the environment needs {version}"
            )
        return explicit
    if version is None:
        return sys.executable
    tried = []
    for candidate in _candidates(version):
        tried.append(candidate)
        if _version_of(candidate) == version:
            return candidate
    raise EnvironmentBuildError(
        f"no Python {version} found (tried: {', '.join(tried) or 'nothing'}); install one "
        f"(`uv python install {version}`, `pyenv install {version}`, or your system's "
        f"package) or pass --python /path/to/python{version}"
    )


def _candidates(version: str) -> list[str]:
    out = [sys.executable]
    on_path = shutil.which(f"python{version}")
    if on_path:
        out.append(on_path)
    uv = shutil.which("uv")
    if uv:
        found = _run_quiet([uv, "python", "find", version])
        if found:
            out.append(found)
    pyenv_root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    for folder in sorted((pyenv_root / "versions").glob(f"{version}.*"), reverse=True):
        out.append(str(folder / "bin" / f"python{version}"))
    return list(dict.fromkeys(out))


def _run_quiet(cmd: Sequence[str]) -> str | None:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=_PROBE_S)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def _version_of(python: str) -> str | None:
    return _run_quiet([python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"])


def create(
    spec: MethodSpec,
    *,
    python: str | None = None,
    force: bool = False,
    echo: Callable[[str], None] = print,
) -> Path:
    """Build ``spec``'s environment (see the module docstring) and return its folder; an
    environment that is already created is kept unless ``force``. ``python`` is the
    interpreter to use (default: found for the declared version). ``echo`` gets progress."""
    folder = env_path(spec)
    with _creation_lock(folder, echo):
        if state(spec) == "created" and not force:
            echo(f"{spec.name}: environment already created: {folder}")
            return folder
        return _build(spec, folder, python, echo)


@contextlib.contextmanager
def _creation_lock(folder: Path, echo: Callable[[str], None]):
    """Hold ``<root>/.<env name>.lock`` while building ``folder`` (POSIX ``flock``; where
    there is none, no lock). A second ``create`` waits for the first, saying so."""
    try:
        import fcntl
    except ImportError:  # Windows: no flock; concurrent creates are the user's to avoid
        yield
        return
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.parent / f".{folder.name}.lock", "w", encoding="utf-8") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            echo(f"  waiting for another `env create` of {folder.name} to finish ...")
            fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _build(spec: MethodSpec, folder: Path, python: str | None, echo: Callable[[str], None]) -> Path:
    """:func:`create`'s steps 1-7, under the lock."""
    env = spec.environment
    missing = [cmd for cmd in env.system if shutil.which(cmd) is None]
    if missing:
        hint = f"; install with: {env.system_hint}" if env.system_hint else ""
        raise EnvironmentBuildError(
            f"method {spec.name!r} needs the system command(s) {', '.join(missing)} on "
            f"PATH to build its environment{hint}"
        )
    base = find_python(env.python, python)
    if folder.exists():
        shutil.rmtree(folder)  # a half-built (or forced) environment starts again
    folder.mkdir(parents=True)
    log = folder / LOG
    started = time.time()
    run = _Runner(log, echo, {**_build_env(folder), **dict(env.install_env)})
    uv = shutil.which("uv")
    _make_venv(base, folder, run, uv)
    py = str(venv_python(folder))
    _install(env, py, folder, run, uv)
    _link_package(py, folder, run)
    versions = _probe(py, run)
    marker = {
        "method": spec.name,
        "name": environment_name(spec),
        "declaration": env.declaration(),
        "python": versions.get("python"),
        "versions": versions,
        "base_python": base,
        "installer": "uv" if uv else "pip",
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "build_seconds": round(time.time() - started, 1),
    }
    (folder / MARKER).write_text(json.dumps(marker, indent=1) + "\n", "utf-8")
    echo(f"{spec.name}: environment created in {marker['build_seconds']:g} s: {folder}")
    return folder


def _make_venv(base: str, folder: Path, run: _Runner, uv: str | None) -> None:
    """Step 3: a virtual environment in ``folder`` from the interpreter ``base``."""
    if uv:
        run([uv, "venv", "--python", base, str(folder)], "make the virtual environment (uv)")
    else:
        run([base, "-m", "venv", str(folder)], "make the virtual environment")


def _install(env, py: str, folder: Path, run: _Runner, uv: str | None) -> None:
    """Steps 4 and 5: srbench-lite's core dependencies with the method's requirements (one
    resolve), then the later steps, each constrained by the requirements' version pins."""
    pip = [uv, "pip", "install", "--python", py] if uv else [py, "-m", "pip", "install"]
    first = core_requirements() + list(env.requirements)
    run(pip + first, "install srbench-lite's core dependencies and the method's requirements")
    constraints = folder / "constraints.txt"
    constraints.write_text("".join(f"{line}\n" for line in env.constraints()), "utf-8")
    pins = ["-c", str(constraints)] if env.constraints() else []
    for i, step in enumerate(env.steps, 1):
        run(pip + pins + list(step), f"install step {i} of {len(env.steps)}")


def _build_env(folder: Path) -> dict[str, str]:
    """The build's environment variables: the venv's ``bin`` first on ``PATH``, no
    ``PYTHONPATH``/``PYTHONHOME`` (they would leak the parent's packages in)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["VIRTUAL_ENV"] = str(folder)
    env["PATH"] = os.pathsep.join([str(venv_python(folder).parent), env.get("PATH", "")])
    return env


class _Runner:
    """Runs one build command, its output appended to the log; raises on failure."""

    def __init__(self, log: Path, echo: Callable[[str], None], env: dict[str, str]):
        self.log, self.echo, self.env = log, echo, env

    def __call__(self, cmd: Sequence[str], what: str) -> str:
        self.echo(f"  {what} ...")
        with open(self.log, "a", encoding="utf-8") as fh:
            fh.write(f"\n$ {' '.join(cmd)}\n")
            fh.flush()
            try:
                done = subprocess.run(
                    list(cmd), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                    env=self.env, check=False,
                )  # fmt: skip
            except OSError as exc:
                fh.write(f"{exc}\n")
                raise EnvironmentBuildError(f"{what} failed: {exc}") from None
            fh.write(done.stdout)
        if done.returncode != 0:
            raise EnvironmentBuildError(
                f"{what} failed (exit code {done.returncode}); the end of {self.log}:\n"
                + self.tail()
            )
        return done.stdout

    def tail(self) -> str:
        lines = self.log.read_text("utf-8", errors="replace").splitlines()
        return "\n".join(lines[-_TAIL_LINES:])


def _link_package(py: str, folder: Path, run: _Runner) -> None:
    """Make ``import srbench_lite`` in the environment load this very package, and nothing
    else of the parent's: ``<env>/srbench-lite-link/srbench_lite`` links to the package (a
    copy where links are not allowed) and a ``.pth`` file in the environment's
    site-packages adds that folder to ``sys.path``."""
    link_package(folder)
    code = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site = Path(run([py, "-I", "-c", code], "find the environment's site-packages").strip())
    (site / PTH_FILE).write_text(f"{folder / LINK_DIR}\n", "utf-8")


def link_package(folder: Path) -> None:
    """Point ``<folder>/srbench-lite-link/srbench_lite`` at the srbench-lite package running
    now (a link, replaced atomically when it points elsewhere; a copy where links are not
    allowed, made once). Cheap when the link is right already: jobs call it before each
    start of the environment's server."""
    import srbench_lite

    package = Path(srbench_lite.__file__).resolve().parent
    link_dir = folder / LINK_DIR
    target = link_dir / "srbench_lite"
    if target.is_symlink():
        if target.resolve() == package:
            return
    elif target.exists():
        return  # a copy: refreshed by `env create --force`
    link_dir.mkdir(exist_ok=True)
    tmp = link_dir / f".srbench_lite.{os.getpid()}"
    try:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        tmp.symlink_to(package, target_is_directory=True)
        os.replace(tmp, target)
    except OSError:  # no symlinks (Windows without the privilege): a copy
        with contextlib.suppress(OSError):
            tmp.unlink()
        shutil.copytree(package, target, ignore=shutil.ignore_patterns("__pycache__"))


def _probe(py: str, run: _Runner) -> dict[str, str]:
    """Import srbench-lite and numpy in the environment; their versions and Python's."""
    out = run([py, "-I", "-m", "srbench_lite.environments.server", "--probe"],
              "check that the environment imports srbench-lite and numpy")  # fmt: skip
    try:
        return json.loads(out.strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise EnvironmentBuildError(
            f"the environment's check printed no versions:\n{out}"
        ) from None
