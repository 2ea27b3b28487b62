"""The job child's side of a method environment: :class:`RemoteEstimator`, an estimator whose
``fit``, ``predict`` and ``sympy`` run in the environment (:mod:`.server`).

The job's child (:mod:`srbench_lite.runner.fitting`) uses it like any estimator: it loads the
problem itself, hands the arrays over as ``np.save`` bytes, and reads, checks and scores the
expression under srbench-lite's own interpreter, so an environment's job gets the same
records and the same judges as any other. The server is the child's own child, in the
child's process group: the runner's hard limit kills both, and the server exits when the
child dies.
"""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
from typing import TYPE_CHECKING, Any

import numpy as np

from srbench_lite.environments.build import link_package
from srbench_lite.environments.places import (
    EnvironmentMissingError,
    env_path,
    environment_name,
    interpreter,
    missing_reason,
    venv_python,
)
from srbench_lite.environments.server import PROTOCOL, decode_array, encode_array

if TYPE_CHECKING:
    from srbench_lite.methods.spec import MethodSpec

__all__ = ["RemoteError", "RemoteEstimator", "locator", "start_estimator"]


class RemoteError(RuntimeError):
    """The method failed in its environment; the message carries the environment's
    traceback. ``error_kind`` is the record's kind when it is not the phase's own
    (``memory``; ``crash`` when the environment's process died)."""

    def __init__(self, message: str, error_kind: str | None = None):
        super().__init__(message)
        self.error_kind = error_kind


def locator(spec: MethodSpec) -> tuple[str, str]:
    """Where the environment's server finds ``spec``: its entry point value or its file
    (from the registry's ``source``)."""
    source = spec.source or ""
    if source.startswith("entry point ") and " = " in source:
        return ("entry_point", source.split(" = ", 1)[1].strip())
    if source and os.path.isfile(source):
        return ("file", os.path.abspath(source))
    raise EnvironmentMissingError(
        f"method {spec.name!r} declares an environment but was not registered by an entry "
        f"point or a method file (source {source!r}); the environment cannot load it"
    )


def _server_env(folder) -> dict[str, str]:
    """The server's variables: the environment's ``bin`` first on ``PATH`` (a tool that
    calls its own console scripts finds them, as AI Feynman does), none of the parent's
    ``PYTHONPATH``/``PYTHONHOME``."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["PATH"] = os.pathsep.join([str(venv_python(folder).parent), env.get("PATH", "")])
    env["VIRTUAL_ENV"] = str(folder)
    return env


def start_estimator(spec: MethodSpec, **build_kwargs: Any) -> RemoteEstimator:
    """Start ``spec``'s environment and build its estimator there (``build_kwargs``: those of
    :meth:`~srbench_lite.methods.spec.MethodSpec.build`). Raises
    :class:`~srbench_lite.environments.places.EnvironmentMissingError` when the environment is
    not created here, naming the command that creates it."""
    from srbench_lite.methods.registry import ENV_PATH

    python = interpreter(spec)
    if python is None:
        raise EnvironmentMissingError(f"method {spec.name!r} cannot run: {missing_reason(spec)}")
    where = locator(spec)
    link_package(env_path(spec))  # the environment runs this job's srbench-lite
    remote = RemoteEstimator(str(python), environment_name(spec), _server_env(env_path(spec)))
    build = remote.call("build", where, spec.name, build_kwargs, os.environ.get(ENV_PATH, ""))
    remote.versions = dict(build["versions"])
    return remote


class RemoteEstimator:
    """A fitted-model stand-in whose work happens in the environment's server.

    ``predict`` answers for the arrays it is given (sent to the server each time);
    ``sympy`` is the server's ``str(model.sympy())``; ``remote_model_size`` its
    ``model_size``. ``versions`` are the environment's package versions (for the record)."""

    def __init__(self, python: str, env_name: str, env: dict[str, str]):
        self.env_name = env_name
        self.versions: dict[str, str] = {}
        self.fit_time_s: float | None = None
        self._proc = subprocess.Popen(
            [python, "-I", "-m", "srbench_lite.environments.server"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )  # stderr: inherited (the job's log); same process group (killed with the job)

    def call(self, op: str, *args: Any) -> Any:
        """Send one request; return its answer, or raise :class:`RemoteError`."""
        try:
            self._proc.stdin.write(pickle.dumps((op, *args), protocol=PROTOCOL))
            self._proc.stdin.flush()
            answer = pickle.load(self._proc.stdout)
        except (BrokenPipeError, EOFError, OSError, pickle.UnpicklingError) as exc:
            raise RemoteError(self._died(op, exc), error_kind="crash") from None
        if answer[0] == "ok":
            return answer[1]
        _, kind, text = answer
        raise RemoteError(text, error_kind=kind)

    def _died(self, op: str, exc: BaseException) -> str:
        try:
            code = self._proc.wait(timeout=5.0)
        except subprocess.TimeoutExpired:
            code = None
        if code is None:
            how = f"stopped answering ({type(exc).__name__})"
        elif code < 0:
            try:
                how = f"died from signal {signal.Signals(-code).name}"
            except ValueError:
                how = f"died from signal {-code}"
        else:
            how = f"exited with code {code}"
        return f"the process of environment {self.env_name} {how} during {op!r}"

    def fit(self, X, y) -> RemoteEstimator:
        answer = self.call("fit", encode_array(np.asarray(X)), encode_array(np.asarray(y)))
        self.fit_time_s = answer.get("fit_time_s")
        return self

    def predict(self, X) -> np.ndarray:
        return decode_array(self.call("predict", encode_array(np.asarray(X))))

    def sympy(self) -> str:
        return self.call("sympy")

    def remote_model_size(self) -> float | None:
        return self.call("model_size")

    def close(self) -> None:
        """End the server (end of input), killing it if it does not exit promptly."""
        proc = self._proc
        if proc.poll() is not None:
            return
        try:
            proc.stdin.close()
            proc.wait(timeout=5.0)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait()
        finally:
            if proc.stdout is not None:
                proc.stdout.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass
