"""Argument handling shared by the metric functions (parsing, names, sample points)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import sympy as sp

from srbench_lite.errors import InvalidValueError
from srbench_lite.expr import ModelParseError, parse_model


def check_dialect(dialect) -> None:
    """An unknown dialect is a bad option (InvalidValueError), not a bad model."""
    from srbench_lite.expr import _resolve_dialect

    try:
        _resolve_dialect(dialect)
    except ModelParseError as exc:
        raise InvalidValueError(str(exc)) from None


def parse_truth(truth, feature_names: Sequence[str] | None) -> sp.Expr:
    """Ground truths are always plain sympy syntax over the feature names."""
    return parse_model(truth, dialect="sympy", feature_names=feature_names)


def variable_names(feature_names: Sequence[str] | None, *exprs: sp.Expr) -> list[str]:
    """Feature names in column order, or (without them) the free symbols' names sorted."""
    if feature_names is not None:
        names = [str(n) for n in feature_names]
        extra = sorted({s.name for e in exprs for s in e.free_symbols} - set(names))
        return names + extra
    return sorted({s.name for e in exprs for s in e.free_symbols})


def check_timeout(timeout) -> float | None:
    if timeout is None:
        return None
    try:
        value = float(timeout)
    except (TypeError, ValueError):
        raise InvalidValueError(f"timeout must be a number of seconds, got {timeout!r}") from None
    if not value > 0:
        raise InvalidValueError(f"timeout must be positive, got {timeout!r}")
    return value


def user_points(X, feature_names: Sequence[str] | None) -> np.ndarray | None:
    """User sample points (rows over ``feature_names``), validated; None when not given."""
    if X is None:
        return None
    if feature_names is None:
        raise InvalidValueError("X (sample points) needs feature_names to name its columns")
    from srbench_lite.metrics._numeric import as_points

    try:
        return as_points(X, len(feature_names))
    except ValueError as exc:
        raise InvalidValueError(str(exc)) from None
