"""Methods: the plug-in contract (:class:`MethodSpec`) and the registry that finds them.

See ``docs/adding_a_method.md`` for a complete example.
"""

from __future__ import annotations

from srbench_lite.methods.environment import Environment
from srbench_lite.methods.registry import (
    ENTRY_POINT_GROUP,
    ENV_PATH,
    MethodUnavailableError,
    get_method,
    list_methods,
    method_availability,
    resolve_methods,
)
from srbench_lite.methods.spec import MethodSpec

__all__ = [
    "ENTRY_POINT_GROUP",
    "ENV_PATH",
    "Environment",
    "MethodSpec",
    "MethodUnavailableError",
    "get_method",
    "list_methods",
    "method_availability",
    "resolve_methods",
]
