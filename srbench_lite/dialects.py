"""Dialects: the output styles of SR tools' model strings.

A dialect says how a tool names variables (by feature name, or by a 0-/1-based index) and
which tool-specific spellings its strings contain. The style is always *named* by the caller,
never guessed: ``X1`` is the first feature to Operon and the second to gplearn.

Every dialect reads ``^`` as power and ``np.``/``numpy.`` function prefixes (ITEA's
``np.cos``), and ``|x|`` as ``Abs(x)``. Index dialects read ``x0``, ``X0``, ``x_0``, ``X_0``,
``x[0]`` and ``x[:, 0]`` (the spellings SRBench's ``clean_pred_model`` renames). The
tool-specific spellings, each with SRBench's reading of it or where we depart from it:

``gpgomea``
    GP-GOMEA prints binary operators infix without spaces: ``((x0*x1)p/(x2+0.5))``,
    ``(x0aqx1)``. ``p/`` (protected division) is read as ``/`` and ``plog`` (protected log) as
    ``log``, as SRBench does; ``aq`` is GP-GOMEA's analytic quotient ``a/sqrt(1 + b**2)`` --
    SRBench replaces it by ``/``, which is a different function.
``feat`` / ``ellyn``
    ``x_0`` names; protected ``sqrt(|x|)``/``log(|x|)`` print their argument between bars,
    which are dropped (read as the plain functions), as SRBench does.
``itea``
    ``x0`` or ``x[:, 0]`` names, ``np.`` prefixes, ``id(u) = u`` and ``sqrtAbs(u)``, read as
    ``sqrt(Abs(u))`` (SRBench reads ``sqrt(u)``; the two agree on positive data).
``bsr``
    square brackets group like parentheses (SRBench deletes them, which changes
    ``2*[x0 + x1]``).
``bingo``
    Bingo's console strings: ``X_0`` names, ``^`` power, products written ``(a)(b)`` and
    ``(|a|)^(b)`` for its safe power. Bingo evaluates ``log`` and ``sqrt`` of the absolute
    value, so they are read as ``log(Abs(u))`` and ``sqrt(Abs(u))`` (SRBench reads the plain
    functions; the two agree where ``u > 0``).
``kan``
    pykan's ``symbolic_formula()`` printed by sympy, over ``x_1, x_2, ...`` (1-based).
``numpy``
    numpy-indexed strings ``x[:, 0]``, ``x[0]``, ``X[:, 0]`` (0-based).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["DIALECTS", "Dialect", "preprocess"]


@dataclass(frozen=True)
class Dialect:
    """A tool's output style.

    ``index_base``: None when variables are feature names, else the index of the first feature
    (``x0``: 0, ``X1``: 1). ``word_operators``: GP-GOMEA's infix ``p/`` and ``aq``.
    ``bars``: ``"abs"`` reads ``|u|`` as ``Abs(u)``, ``"protected"`` drops the bars of a
    protected function's argument (FEAT). ``brackets``: ``[ ]`` group like ``( )`` (BSR).
    ``implicit_product``: ``)(`` is a product (Bingo's ``(a)(b)``). ``abs_functions``: functions
    (``log``, ``sqrt``) the tool applies to the absolute value of their argument (Bingo).
    """

    name: str
    description: str
    index_base: int | None = None
    word_operators: bool = False
    bars: str = "abs"
    brackets: bool = False
    implicit_product: bool = False
    abs_functions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        unknown = set(self.abs_functions) - set(_ABS_READINGS)
        if unknown:
            raise ValueError(
                f"dialect {self.name!r}: abs_functions may hold {', '.join(_ABS_READINGS)}, "
                f"not {', '.join(sorted(unknown))}"
            )


#: function -> its absolute-value reading in the parser's function table
_ABS_READINGS = {"log": "logabs", "sqrt": "sqrtabs"}

DIALECTS: dict[str, Dialect] = {
    d.name: d
    for d in (
        Dialect("sympy", "sympy syntax; names are feature names (x1 is the feature named x1)"),
        Dialect("gplearn", "gplearn prefix style add(mul(X0, X1), 0.5); X0 is the 1st feature", 0),
        Dialect("operon", "Operon infix style with ^; X1 is the 1st feature", 1),
        Dialect("pysr", "PySR default names; x0 is the 1st feature", 0),
        Dialect("dsr", "DSR/uDSR names; x1 is the 1st feature", 1),
        Dialect(
            "gpgomea",
            "GP-GOMEA infix without spaces ((x0p/x1), (x0aqx1), plog); x0 is the 1st feature",
            0,
            word_operators=True,
        ),
        Dialect(
            "feat",
            "FEAT: x_0 names, sqrt(|x_0|) protected functions; x_0 is the 1st",
            0,
            bars="protected",
        ),  # fmt: skip
        Dialect("ellyn", "ellyn/EPLEX: as FEAT", 0, bars="protected"),
        Dialect("itea", "ITEA: np.cos, sqrtAbs, id, x0 or x[:, 0]; x0 is the 1st feature", 0),
        Dialect("bsr", "BSR: [ ] group like ( ); x0 is the 1st feature", 0, brackets=True),
        Dialect(
            "bingo",
            "Bingo: X_0 names, (a)(b) products, ^, log/sqrt of |u|; X_0 is the 1st feature",
            0,
            implicit_product=True,
            abs_functions=("log", "sqrt"),
        ),
        Dialect("kan", "pykan symbolic_formula (sympy syntax); x_1 is the 1st feature", 1),
        Dialect("numpy", "numpy-indexed strings x[:, 0], x[0], X[:, 0]; index 0 is the 1st", 0),
        Dialect("x0", "generic 0-based indices x0/X0/x_0/x[0]", 0),
        Dialect("x1", "generic 1-based indices x1/X1/x_1/x[1]", 1),
    )
}

#: GP-GOMEA's word operators, where an operand ends before them (``x0aqx1``, ``)p/(``)
_OPERAND_END = r"(?<=[\w.)\]])"
_PROTECTED_DIV = re.compile(_OPERAND_END + r"\s*p/")
_ANALYTIC_QUOTIENT = re.compile(_OPERAND_END + r"\s*aq(?=\s*[\w.(\[+-])")
#: Bingo's ``(a)(b)``: a closing parenthesis directly followed by an opening one
_IMPLICIT_PRODUCT = re.compile(r"\)\s*\(")


def _bars(text: str, keep_abs: bool) -> str:
    """``|u|`` -> ``abs(u)`` (or ``(u)``): a bar opens where an operand is expected."""
    if "|" not in text:
        return text
    out: list[str] = []
    depth = 0
    expect_operand = True
    for ch in text:
        if ch == "|":
            if expect_operand:
                out.append("abs(" if keep_abs else "(")
                depth += 1
                continue  # still expecting the operand inside
            if depth == 0:
                raise ValueError("unbalanced '|' (absolute value bars)")
            out.append(")")
            depth -= 1
            expect_operand = False
            continue
        out.append(ch)
        if ch.isspace():
            continue
        expect_operand = ch in "+-*/(,^@["
    if depth:
        raise ValueError("unbalanced '|' (absolute value bars)")
    return "".join(out)


def preprocess(text: str, dialect: Dialect) -> str:
    """The tool-specific spellings of ``dialect`` rewritten to the common syntax that
    :func:`srbench_lite.expr.parse_model` reads (``^`` -> ``**``, bars, word operators).
    Raises ``ValueError`` for unbalanced bars."""
    if dialect.word_operators:
        text = _PROTECTED_DIV.sub("/", text)
        text = _ANALYTIC_QUOTIENT.sub(" @ ", text)
    if dialect.brackets:
        text = text.replace("[", "(").replace("]", ")")
    if dialect.implicit_product:
        text = _IMPLICIT_PRODUCT.sub(")*(", text)
    for name in dialect.abs_functions:
        text = re.sub(rf"(?<![\w.]){name}(?=\s*\()", _ABS_READINGS[name], text)
    text = _bars(text, keep_abs=dialect.bars == "abs")
    return text.replace("^", "**")
