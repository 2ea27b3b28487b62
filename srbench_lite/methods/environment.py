"""What a method declares when its dependencies cannot live beside srbench-lite's own:
an :class:`Environment` (``MethodSpec(environment=...)``).

A method with an environment runs its estimator in a virtual environment of its own, built
once by ``srbench-lite env create METHOD`` (:mod:`srbench_lite.environments`): the job's child
still loads the data, reads the expression and scores it under srbench-lite's interpreter,
and only the estimator (build, fit, predict, ``sympy()``) runs on the environment's
interpreter. So AI Feynman's ``numpy<2`` never meets srbench-lite's numpy 2.

The declaration names its environment: :meth:`Environment.digest` is a short hash of every
field that changes what gets installed, and the environment's folder is
``<method>-<digest>``, so editing the declaration means a new environment (the old one is
left as it is; ``srbench-lite env remove`` deletes it).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["Environment"]

_PYTHON = re.compile(r"^3\.\d{1,2}$")


@dataclass(frozen=True)
class Environment:
    """A method's own virtual environment.

    ``requirements``: pip requirement strings (``"numpy<2"``, ``"aifeynman==2.0.7"``, a path
    or URL), installed in one resolve together with srbench-lite's own core dependencies, so
    that a pin like ``numpy<2`` wins over srbench-lite's ``numpy>=1.24``.
    ``steps``: later ``pip install`` argument lists, one per step, run in order after the
    first resolve (two-step installs, e.g. ``("--no-build-isolation", "--no-deps",
    "aifeynman")`` for a package whose build needs numpy without declaring it); each step is
    constrained by the version pins of ``requirements``.
    ``python``: the ``"3.X"`` version the environment needs (``None``: the interpreter that
    runs srbench-lite). ``system``: commands that must be on ``PATH`` to build or run the
    method (``("gfortran",)``), and ``system_hint`` how to get them
    (``"apt-get install gfortran"``). ``install_env``: environment variables for the install
    commands, as ``(name, value)`` pairs or a dict (``{"SETUPTOOLS_USE_DISTUTILS": "stdlib"}``
    for a package built with ``numpy.distutils``). ``notes``: anything a user should know (licences,
    download sizes); it does not change the environment's name.
    """

    requirements: tuple[str, ...] = ()
    steps: tuple[tuple[str, ...], ...] = ()
    python: str | None = None
    system: tuple[str, ...] = ()
    system_hint: str = ""
    install_env: tuple[tuple[str, str], ...] = ()
    notes: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        put = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731 (frozen)
        put("requirements", _strings("requirements", self.requirements))
        put("steps", tuple(_strings("steps", step) for step in self.steps))
        put("system", _strings("system", self.system))
        pairs = (
            self.install_env.items() if isinstance(self.install_env, Mapping) else self.install_env
        )
        put("install_env", tuple(sorted((str(k), str(v)) for k, v in pairs)))
        if any(not step for step in self.steps):
            raise ValueError("Environment: an install step needs at least one pip argument")
        if self.python is not None and not _PYTHON.match(str(self.python)):
            raise ValueError(
                f"Environment: python must be a version like '3.10', got {self.python!r}"
            )

    def declaration(self) -> dict:
        """The fields that decide what gets installed, as plain JSON-able values."""
        return {
            "requirements": list(self.requirements),
            "steps": [list(step) for step in self.steps],
            "python": self.python,
            "system": list(self.system),
            "install_env": dict(self.install_env),
        }

    def digest(self) -> str:
        """A stable 10-character hash of :meth:`declaration` (the folder's suffix)."""
        text = json.dumps(self.declaration(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]

    def constraints(self) -> list[str]:
        """The version pins among ``requirements`` (``numpy<2``), without extras, as pip
        constraint lines: later install steps keep them."""
        out = []
        for req in self.requirements:
            match = _PINNED.match(req)
            if match:
                out.append(match.group("name") + match.group("spec").strip())
        return out


#: a requirement ``name[extras] <specifier>`` (not a path, URL or bare name)
_PINNED = re.compile(
    r"^\s*(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(?P<spec>(==|!=|<=|>=|<|>|~=).*)$"
)


def _strings(what: str, values) -> tuple[str, ...]:
    if isinstance(values, str):
        raise ValueError(
            f"Environment: {what} must be a tuple of strings, got the string {values!r}"
        )
    out = tuple(values)
    bad = [v for v in out if not isinstance(v, str) or not v.strip()]
    if bad:
        raise ValueError(f"Environment: {what} must hold non-empty strings, got {bad!r}")
    return out
