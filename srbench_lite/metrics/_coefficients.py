"""Coefficient comparison: ``m = t``, ``t - m = c`` or ``m = k t`` with constants equal to a
relative tolerance, for models whose constants are combined differently from the truth's.

A model printed expanded -- ``1.5*(a*x + 1)`` as ``1.086e23*x + 1.5`` -- rounds to constants
that are no longer exactly proportional, so the exact steps of
:mod:`srbench_lite.metrics.recovery` cannot prove it. Here both sides (unrounded) are written
as numerator/denominator, cross-multiplied, expanded into polynomials over common generators
and compared coefficient by coefficient. Non-polynomial atoms (``cos(d*k)``, ``sqrt(...)``,
``exp(...)``, ``log(...)``) of the model are first matched to the truth's, recursively:

* same function, arguments equal (``cos(1.5*x)`` vs ``cos(3*x/2)``), or opposite for an odd
  function (``asin(-u)`` is ``-asin(u)``);
* ``exp(a)`` vs ``exp(b)`` with ``a - b`` a constant ``c``: the atom is ``exp(c)*exp(b)``;
* ``log(a)`` vs ``log(b)`` with ``a = k*b``, ``k > 0``: the atom is ``log(k) + log(b)``;
* ``a**p`` vs ``b**q`` with ``p = q`` and ``a = k*b``: the atom is ``k**p * b**q``, ``k > 0``
  when ``p`` is not an integer (a constant factored out of a radical: ``sqrt(1.01 - 1.01*x)``
  is ``sqrt(1.01)*sqrt(1 - x)``).
"""

from __future__ import annotations

import sympy as sp

__all__ = ["agree"]

#: deepest recursion into atoms' arguments
MAX_DEPTH = 6
#: largest number of monomials compared
MAX_TERMS = 6_000
#: odd functions: f(-u) = -f(u)
_ODD = (sp.sin, sp.tan, sp.asin, sp.atan, sp.sinh, sp.tanh, sp.asinh, sp.atanh)


def _nonpolynomial_atoms(expr: sp.Expr) -> set[sp.Expr]:
    """Outermost sub-expressions that are not polynomial: function calls, non-integer powers."""
    out, stack = set(), [expr]
    while stack:
        e = stack.pop()
        if isinstance(e, sp.Function) or (e.is_Pow and not e.exp.is_Integer):
            out.add(e)
        elif e.is_Add or e.is_Mul or e.is_Pow:
            stack.extend(e.args)
    return out


def _number(expr: sp.Expr) -> complex | None:
    try:
        return complex(sp.N(expr))
    except (TypeError, ValueError):
        return None


def _close_numbers(a: sp.Expr, b: sp.Expr, rtol: float) -> bool:
    x, y = _number(a), _number(b)
    if x is None or y is None:
        return False
    return abs(x - y) <= rtol * max(abs(x), abs(y))


def _positive_real(value: sp.Expr) -> bool:
    v = _number(value)
    return v is not None and v.real > 0 and abs(v.imag) <= 1e-12 * v.real


def _atom_as(a: sp.Expr, b: sp.Expr, rtol: float, depth: int) -> sp.Expr | None:
    """The model's atom ``a`` written with the truth's atom ``b`` (None: no such relation)."""
    if a == b:
        return b
    if a.is_Pow and b.is_Pow:
        if a.exp.is_number and b.exp.is_number:
            same_exp = _close_numbers(a.exp, b.exp, rtol)
        else:
            same_exp = agree(b.exp, a.exp, "equal", rtol, depth + 1)[0]
        if not same_exp:
            return None
        if agree(b.base, a.base, "equal", rtol, depth + 1)[0]:
            return b
        holds, k = agree(b.base, a.base, "constant_ratio", rtol, depth + 1)
        if holds and (b.exp.is_Integer or _positive_real(k)):
            return sp.Pow(k, b.exp) * b
        return None
    if not (isinstance(a, sp.Function) and a.func == b.func and len(a.args) == len(b.args)):
        return None
    if all(agree(y, x, "equal", rtol, depth + 1)[0] for x, y in zip(a.args, b.args, strict=True)):
        return b
    if isinstance(a, _ODD):  # f(-u) = -f(u)
        holds, k = agree(b.args[0], a.args[0], "constant_ratio", rtol, depth + 1)
        if holds and _close_numbers(k, sp.Integer(-1), rtol):
            return -b
    if isinstance(a, sp.exp):
        holds, c = agree(b.args[0], a.args[0], "constant_difference", rtol, depth + 1)
        if holds:  # truth - model = c: exp(model) = exp(-c) exp(truth)
            return sp.exp(-c) * b
    if isinstance(a, sp.log):
        holds, k = agree(b.args[0], a.args[0], "constant_ratio", rtol, depth + 1)
        if holds and _positive_real(k):
            return sp.log(k) + b
    return None


def _terms(exprs: list[sp.Expr]) -> list[dict] | None:
    try:
        polys, _ = sp.parallel_poly_from_expr(exprs)
        out = [dict(p.terms()) for p in polys]
    except (sp.PolificationFailed, sp.GeneratorsNeeded):
        out = [{(): e} for e in exprs]
    if sum(len(t) for t in out) > MAX_TERMS:
        return None
    return out


def _largest(terms: dict) -> tuple:
    return max(terms, key=lambda k: abs(_number(terms[k]) or 0.0))


def agree(t: sp.Expr, m: sp.Expr, kind: str, rtol: float, depth: int = 0):
    """Does ``m = t`` / ``t - m = c`` / ``m = k t`` hold with constants equal to ``rtol``?

    ``kind`` is ``"equal"``, ``"constant_difference"`` or ``"constant_ratio"``. Returns
    ``(holds, value)`` where ``value`` is ``c`` or ``k`` (0 for ``equal``), taken from the
    largest coefficient; a monomial present on one side only fails. See the module docstring.
    """
    if depth > MAX_DEPTH:
        return False, None
    t_atoms, m_atoms = _nonpolynomial_atoms(t), _nonpolynomial_atoms(m)
    mapping = {}
    for a in m_atoms - t_atoms:
        for b in t_atoms - m_atoms:
            replacement = _atom_as(a, b, rtol, depth)
            if replacement is not None:
                mapping[a] = replacement
                break
        else:
            return False, None  # an atom of the model has no counterpart in the truth
    if mapping:
        m = m.xreplace(mapping)
    tn, td = sp.fraction(sp.together(t))
    mn, md = sp.fraction(sp.together(m))
    terms = _terms([tn * md, mn * td, td * md])
    if terms is None:
        return False, None
    ta, ma, dd = terms
    value = sp.Integer(0)
    if kind == "constant_ratio":  # mn td = k tn md
        lead = _largest(ta)
        value = ma.get(lead, sp.Integer(0)) / ta[lead]
        if value == 0:
            return False, None
        left, right = ma, {k: value * v for k, v in ta.items()}
    elif kind == "constant_difference":  # tn md - mn td = c td md
        lead = _largest(dd)
        value = (ta.get(lead, 0) - ma.get(lead, 0)) / dd[lead]
        right = dict(ma)
        for k, v in dd.items():
            right[k] = right.get(k, 0) + value * v
        left = ta
    else:
        left, right = ta, ma
    zero = sp.Integer(0)
    for mono in set(left) | set(right):
        if not _close_numbers(left.get(mono, zero), right.get(mono, zero), rtol):
            return False, None
    return True, value
