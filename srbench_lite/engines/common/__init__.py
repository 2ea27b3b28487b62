"""Code shared by the built-in engines (``gp``, ``neural``): expression representation,
evaluation, linear scaling, constant fitting, hall of fame and final simplification.

See ``README.md`` in this folder for the API. The representation is a **prefix token sequence**
(:mod:`.tokens`) with a separate constants vector for the ``"c"`` placeholders.
"""

from srbench_lite.engines.common.constants import (
    ConstantFit,
    fit_constants,
    polish_constants,
    score_tokens,
)
from srbench_lite.engines.common.evaluate import (
    cache_clear,
    columns,
    compile_tokens,
    evaluate,
    evaluate_unchecked,
)
from srbench_lite.engines.common.expression import from_sympy, to_sympy
from srbench_lite.engines.common.front import Entry, ParetoFront, select_model, to_dataframe
from srbench_lite.engines.common.scaling import linear_scale, nmse
from srbench_lite.engines.common.simplify import simplify_expr, snap_numbers
from srbench_lite.engines.common.snap import prune_terms, snap_constants
from srbench_lite.engines.common.tokens import (
    ARITY,
    BINARY,
    CONST,
    UNARY,
    complexity,
    is_literal,
    is_variable,
    n_constants,
    subtree_end,
    subtrees,
    to_infix,
    validate,
)

__all__ = [
    "ARITY",
    "BINARY",
    "CONST",
    "UNARY",
    "ConstantFit",
    "Entry",
    "ParetoFront",
    "cache_clear",
    "columns",
    "compile_tokens",
    "complexity",
    "evaluate",
    "evaluate_unchecked",
    "fit_constants",
    "from_sympy",
    "is_literal",
    "is_variable",
    "linear_scale",
    "n_constants",
    "nmse",
    "polish_constants",
    "prune_terms",
    "score_tokens",
    "select_model",
    "simplify_expr",
    "snap_constants",
    "snap_numbers",
    "subtree_end",
    "subtrees",
    "to_dataframe",
    "to_infix",
    "to_sympy",
    "validate",
]
