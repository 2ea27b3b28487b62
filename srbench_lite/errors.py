"""Exceptions with messages a user can act on."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class SrbenchError(Exception):
    """Base class: a problem the user can fix (bad name, bad value, bad file)."""


class UnknownNameError(SrbenchError, KeyError):
    """An unknown problem, suite or method name; the message lists the closest valid names."""

    def __init__(self, kind: str, name: str, valid: Iterable[str]):
        self.kind, self.name = kind, name
        self.valid = sorted(valid)
        self.suggestions = difflib.get_close_matches(name, self.valid, n=5, cutoff=0.5)
        super().__init__(self.message())

    def message(self) -> str:
        msg = f"unknown {self.kind} {self.name!r}"
        if self.suggestions:
            msg += "; did you mean: " + ", ".join(self.suggestions) + "?"
        elif len(self.valid) <= 30:
            msg += "; valid: " + ", ".join(self.valid)
        return msg

    def __str__(self) -> str:  # KeyError would otherwise repr() the message
        return self.message()


class InvalidValueError(SrbenchError, ValueError):
    """A parameter value outside its allowed range (seed, noise, n_samples, budget ...)."""
