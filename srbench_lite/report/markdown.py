"""Render a report :class:`~.document.Document` as GitHub Markdown (``README.md``).

Every text of the model is escaped (:func:`~.format.md`): it can neither open HTML nor break
a table.
"""

from __future__ import annotations

from collections.abc import Sequence

from srbench_lite.report.document import (
    Block,
    Callout,
    Cell,
    Code,
    Details,
    Document,
    Figure,
    Items,
    Links,
    Paragraph,
    Section,
    Table,
)
from srbench_lite.report.format import md

ONLY = "markdown"


def render(doc: Document) -> str:
    out = [f"# {md(doc.title)}", ""]
    out += _blocks(doc.blocks)
    for section in doc.sections:
        out += _section(section, 2)
    return "\n".join(out).rstrip("\n") + "\n"


def _section(section: Section, level: int) -> list[str]:
    if section.only not in ("", ONLY):
        return []
    out = [f"{'#' * level} {md(section.title)}", ""]
    out += _blocks(section.blocks)
    for sub in section.sections:
        out += _section(sub, level + 1)
    return out


def _blocks(blocks: Sequence[Block]) -> list[str]:
    out: list[str] = []
    for block in blocks:
        if block.only in ("", ONLY):
            out += _block(block)
            out.append("")
    return out


def code_block(text: str, lang: str = "sh") -> str:
    fence = "```"
    while fence in text:
        fence += "`"
    return f"{fence}{lang}\n{text}\n{fence}"


def _block(block: Block) -> list[str]:
    if isinstance(block, Paragraph):
        lead = f"**{md(block.lead)}** " if block.lead else ""
        return [lead + md(block.text)]
    if isinstance(block, Code):
        return [code_block(block.text, block.lang)]
    if isinstance(block, Items):
        return [f"- **{md(label)}**: {md(value)}" for label, value in block.items]
    if isinstance(block, Links):
        return [f"{md(block.lead)} " + " · ".join(f"[{md(t)}]({h})" for t, h in block.links)]
    if isinstance(block, Callout):
        return ["> [!WARNING]", f"> {md(block.text)}", *(f"> - {md(i)}" for i in block.items)]
    if isinstance(block, Figure):
        return [f"![{md(block.alt)}]({block.filename})"]
    if isinstance(block, Table):
        return table(block)
    if isinstance(block, Details):
        return [md(block.summary), "", *_blocks(block.blocks)]
    raise TypeError(f"no Markdown for {type(block).__name__}")


def _text(cell: Cell | str) -> str:
    return md(cell.text if isinstance(cell, Cell) else cell)


def table(t: Table) -> list[str]:
    """A GitHub table; rows of a group carry its marker, explained under the table."""
    align = t.align or "l" + "r" * (len(t.headers) - 1)
    sep = [{"r": "---:", "c": ":---:"}.get(a, ":---") for a in align]
    lines = ["| " + " | ".join(md(h) for h in t.headers) + " |", "| " + " | ".join(sep) + " |"]
    for row in t.rows:
        cells = [_text(c) for c in row.cells]
        if row.group in t.groups:
            cells[t.label_column] += f" {md(t.groups[row.group].marker)}"
        lines.append("| " + " | ".join(cells) + " |")
    used = {row.group for row in t.rows if row.group in t.groups}
    notes = [f"{md(g.marker)} {md(g.note)}" for name, g in t.groups.items() if name in used]
    return lines + ([""] + notes if notes else [])
