"""Number formatting for report cells, and escaping of untrusted text for Markdown and HTML."""

from __future__ import annotations

import html
import math
import re
from typing import Any

import pandas as pd


def missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA


def fmt_count(x: Any) -> str:
    """A count, or ``–`` where there is none (a published row has no runs)."""
    return "–" if missing(x) else str(int(x))


def fmt_pct(x: Any) -> str:
    return "–" if missing(x) else f"{100 * float(x):.1f}"


def fmt_r2(x: Any) -> str:
    """R² with enough digits to tell 0.999 from 0.9999 (``1`` when exact)."""
    if missing(x):
        return "–"
    x = float(x)
    if not math.isfinite(x):
        return "−∞" if x < 0 else "∞"
    if x >= 1.0:
        return "1"
    if x >= 0.99:
        digits = min(12, math.ceil(-math.log10(1.0 - x) + 1e-9) + 1)
        return f"{x:.{digits}f}"
    return f"{x:.3f}"


def fmt_num(x: Any, spec: str = ".3g") -> str:
    if missing(x):
        return "–"
    x = float(x)
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    return format(x, spec)


def fmt_size(x: Any) -> str:
    """A model size: 4 significant digits, whole numbers from 10,000 up (``1,263,510``)."""
    if missing(x) or not math.isfinite(float(x)) or float(x) < 1e4:
        return fmt_num(x, ".4g")
    return f"{float(x):,.0f}"


def fmt_p(p: Any) -> str:
    if missing(p):
        return "–"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def fmt_seconds(x: Any) -> str:
    if missing(x):
        return "–"
    return f"{x:.0f}" if x >= 100 else f"{x:.3g}"


_MD_SPECIAL = re.compile(r"([\\`*_|~])")
_MD_LINK = re.compile(r"\]([(\[:])")  # what would close a link text: ](, ][, ]:


def md(text: Any) -> str:
    """Escape untrusted text for a Markdown table cell or paragraph: no HTML (``<`` and ``&``
    are entities), no markup (emphasis, code, links, table pipes), no heading, quote or link
    reference (a leading ``#``, ``>`` or ``[``)."""
    s = "" if missing(text) else str(text)
    s = " ".join(s.split())  # newlines would end a table row
    s = _MD_SPECIAL.sub(r"\\\1", s).replace("&", "&amp;").replace("<", "&lt;")
    s = _MD_LINK.sub(r"\\]\1", s)
    return "\\" + s if s[:1] in ("#", ">", "[") else s


def esc(text: Any) -> str:
    """Escape untrusted text for HTML (element content and attribute values)."""
    return html.escape("" if missing(text) else str(text), quote=True)


def truncate(text: Any, limit: int) -> tuple[str, str]:
    """``(shown, full)``: the text cut to ``limit`` characters (with …), and the whole text."""
    s = "" if missing(text) else str(text)
    return (s if len(s) <= limit else s[: limit - 1] + "…", s)
