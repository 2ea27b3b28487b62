"""Per-method environments: where they live, how they are built, and how a job uses one.

A method whose dependencies clash with srbench-lite's (AI Feynman needs numpy < 2) declares an
:class:`~srbench_lite.methods.environment.Environment`. ``srbench-lite env create METHOD``
builds it once (:func:`create`, in :mod:`.build`); a job of that method then runs its estimator
on the environment's interpreter (:mod:`.client` in the job's child, :mod:`.server` in the
environment), while the data, the expression checks and the scores stay with srbench-lite's
own interpreter. See ``docs/environments.md``.

Nothing here is imported by the job's child unless a job's method has an environment.
"""

from __future__ import annotations

from srbench_lite.environments.build import EnvironmentBuildError, create
from srbench_lite.environments.places import (
    ENV_DIR,
    EnvironmentMissingError,
    env_path,
    environment_name,
    environments_root,
    interpreter,
    list_environments,
    missing_reason,
    remove,
    state,
)

__all__ = [
    "ENV_DIR",
    "EnvironmentBuildError",
    "EnvironmentMissingError",
    "create",
    "env_path",
    "environment_name",
    "environments_root",
    "interpreter",
    "list_environments",
    "missing_reason",
    "remove",
    "state",
]
