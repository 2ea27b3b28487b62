"""The method plug-in contract: one :class:`MethodSpec` per method.

A method is a scikit-learn regressor (``__init__`` only stores parameters, ``fit(X, y)``
returns ``self``, fitted attributes end in ``_``) with one extra method, ``sympy()``, that
returns the fitted expression -- a sympy expression or a string. The runner fits on plain
numpy arrays, so variables are column indices: ``x0, x1, ...`` by default; a method whose
tool prints another style (gplearn's ``X0``, operon's 1-based ``X1``) names it in
:attr:`MethodSpec.dialect` and the runner maps it to the problem's feature names with
:func:`srbench_lite.expr.parse_model` (never ``eval``).

Each method module (bundled ones live in ``srbench_lite/methods/bundled/``; a user's in a folder
of ``SRBENCH_LITE_METHODS_PATH``; a package's behind an entry point in ``srbench_lite.methods``)
declares ``METHOD = MethodSpec(...)``. Import heavy packages inside the factory, not at the
top of the file: listing methods must stay cheap and must work when a tool is missing.

A model without a symbolic expression (a random forest, an MLP: SRBench's black-box
baselines) declares ``has_expression=False`` and needs no ``sympy()``: the runner scores its
``predict()``, records no expression and no symbolic metric (recovery and NED are "not
applicable"), and records the size its ``model_size`` callable measures (``None``: not
applicable). For a method with an expression the model size is its expression's complexity.

A method whose dependencies clash with srbench-lite's declares an
:class:`~srbench_lite.methods.environment.Environment` (``environment=``): its estimator then
runs in a virtual environment of its own, built by ``srbench-lite env create NAME``, and its
``requires`` are the modules of that environment (see ``docs/environments.md``).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from srbench_lite.methods.environment import Environment

__all__ = ["EXPRESSION_SIZE", "MethodSpec"]

#: the model size of a method with an expression
EXPRESSION_SIZE = "nodes of the expression (SRBench's complexity)"


@dataclass(frozen=True)
class MethodSpec:
    """Everything the runner needs to know about a method, declared rather than guessed.

    ``factory(**params)`` builds an unfitted estimator. ``budget_param`` names the estimator
    parameter that receives the per-job time budget in seconds (``None``: the method has no
    time knob and is bounded only by the runner's hard kill). ``seed_param`` names the
    parameter that receives the job's seed (``None``: deterministic or unseedable).
    ``smoke_params`` are small settings for tests and ``--smoke`` runs. ``requires`` lists the
    importable modules the method needs; ``install`` says how to get them. ``check`` may
    return a reason the method cannot run even though its modules import (PySR without Julia).

    ``has_expression=False`` declares a model without a symbolic expression (no ``sympy()``):
    it is judged on ``predict()`` alone and its size is ``model_size(fitted_estimator)`` (a
    number, or ``None`` when not applicable), described in words by ``model_size_measure``.

    ``environment`` (an :class:`~srbench_lite.methods.environment.Environment`): the method
    runs in its own virtual environment; ``requires`` then names modules of that environment,
    and the method is available once the environment is created.

    ``prepare()``: one-time set-up that the runner does in its own process before a *long*
    local run (the method's jobs plan at least a minute per job slot), so that no job fits
    while it happens; shorter runs leave it to the method (the built-in engines compile their
    numba kernels: up front for a long run, in a low-priority background process otherwise).
    """

    name: str
    factory: Callable[..., Any]
    budget_param: str | None = "time_budget_s"
    seed_param: str | None = "random_state"
    params: Mapping[str, Any] = field(default_factory=dict)
    smoke_params: Mapping[str, Any] = field(default_factory=dict)
    dialect: str = "x0"
    requires: tuple[str, ...] = ()
    install: str = ""
    description: str = ""
    check: Callable[[], str | None] | None = None
    source: str = ""
    has_expression: bool = True
    model_size: Callable[[Any], float | None] | None = None
    model_size_measure: str = ""
    environment: Environment | None = None
    prepare: Callable[[], None] | None = None

    def __post_init__(self) -> None:
        if self.has_expression and self.model_size is not None:
            raise ValueError(
                f"method {self.name!r}: model_size is for has_expression=False; a method with "
                "an expression is measured by its expression's complexity"
            )
        if not self.model_size_measure:
            measure = (EXPRESSION_SIZE if self.has_expression
                       else "not applicable" if self.model_size is None else "")  # fmt: skip
            object.__setattr__(self, "model_size_measure", measure)

    def missing(self) -> str | None:
        """Why the method cannot run here, or ``None`` when it can."""
        if self.environment is not None:  # its modules live in its environment
            from srbench_lite.environments.places import missing_reason

            reason = missing_reason(self)
            if reason:
                return reason
            return self._checked()
        absent = [m for m in self.requires if _find_spec(m) is None]
        if absent:
            how = f"; install with: {self.install}" if self.install else ""
            return f"missing package {', '.join(absent)}{how}"
        return self._checked()

    def _checked(self) -> str | None:
        """What the method's own ``check`` says (None: no check, or nothing wrong)."""
        if self.check is not None:
            try:
                return self.check()
            except Exception as exc:  # a broken check must not break `methods`
                return f"availability check failed: {type(exc).__name__}: {exc}"
        return None

    @property
    def available(self) -> bool:
        return self.missing() is None

    def build(
        self,
        *,
        time_budget_s: float | None = None,
        seed: int | None = None,
        smoke: bool = False,
        overrides: Mapping[str, Any] | None = None,
    ):
        """An unfitted estimator with the job's budget and seed put where the method says."""
        kwargs: dict[str, Any] = dict(self.params)
        if smoke:
            kwargs.update(self.smoke_params)
        if overrides:
            kwargs.update(overrides)
        if self.budget_param is not None and time_budget_s is not None:
            kwargs[self.budget_param] = time_budget_s
        if self.seed_param is not None and seed is not None:
            kwargs[self.seed_param] = seed
        return self.factory(**kwargs)


def _find_spec(module: str):
    try:
        return importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
