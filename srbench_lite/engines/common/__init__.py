"""Code shared by the built-in engines (``gp``, ``neural``): expression representation and the
one operator table, evaluation (numpy, and the compiled batch evaluator), linear scaling,
constant fitting, hall of fame, and the finishing stage that turns accurate models into their
simplest exact form.

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
from srbench_lite.engines.common.finish import Finished, Finisher, description_length, select
from srbench_lite.engines.common.front import Entry, ParetoFront, select_model
from srbench_lite.engines.common.scaling import linear_scale, nmse
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
    "Finished",
    "Finisher",
    "ParetoFront",
    "cache_clear",
    "description_length",
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
    "score_tokens",
    "select",
    "select_model",
    "subtree_end",
    "subtrees",
    "to_infix",
    "to_sympy",
    "validate",
]
