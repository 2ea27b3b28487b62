"""The report as data: a :class:`Document` of :class:`Section` objects holding blocks, which
:mod:`.markdown` and :mod:`.html` each render in one walk.

Every string in the model is plain text, never markup: the renderers escape all of it (model
strings, error texts, names and commands come from records and ``run.json``, which are
untrusted). A block or section with ``only="markdown"`` or ``only="html"`` appears in that
output alone.

Extension points, for what later reports add:

* **Row groups.** A :class:`Row` may name a ``group``; a table's ``groups`` says how rows of
  that group are marked (a marker after the label cell, a CSS class in HTML) and explained
  (one note under the table). Extra rows -- SRBench's published results beside the run's
  methods, say -- join any table this way, visibly marked.
* **Sections.** A new part of the report (a black-box leaderboard track) is one more
  :class:`Section` of paragraphs, tables and figures; the renderers need no change.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "Block",
    "Callout",
    "Cell",
    "Code",
    "Details",
    "Document",
    "Figure",
    "Items",
    "Links",
    "Paragraph",
    "Row",
    "RowGroup",
    "Section",
    "Table",
]


@dataclass
class Block:
    #: "" (both outputs), "markdown" or "html"
    only: str = field(default="", kw_only=True)


@dataclass
class Paragraph(Block):
    """Text; ``lead`` is shown in bold before it, ``note`` renders it as a side note."""

    text: str
    lead: str = ""
    note: bool = False


@dataclass
class Code(Block):
    """A verbatim block (a command line)."""

    text: str
    lang: str = "sh"


@dataclass
class Items(Block):
    """A list of ``label: value`` lines."""

    items: list[tuple[str, str]]


@dataclass
class Links(Block):
    """Links to files beside the report (relative paths)."""

    lead: str
    links: list[tuple[str, str]]  # (label, href)


@dataclass
class Callout(Block):
    """A warning: a sentence, optionally followed by a list."""

    text: str
    items: list[str] = field(default_factory=list)


@dataclass
class Cell:
    """A table cell: ``text``; ``title`` the full text when ``text`` is cut (an HTML tooltip);
    ``style`` a CSS class for HTML (``better``, ``worse``, ``model``, ``st-error`` ...)."""

    text: str
    title: str = ""
    style: str = ""


@dataclass
class Row:
    cells: list[Cell | str]
    group: str = ""


@dataclass
class RowGroup:
    """How the rows of one group are marked: ``marker`` after the label cell, ``note`` under
    the table (``marker note``), and the CSS class ``group-<name>`` on each HTML row."""

    marker: str
    note: str


@dataclass
class Table(Block):
    headers: list[str]
    rows: list[Row]
    #: one of l / r / c per column (default: first left, the rest right)
    align: str = ""
    groups: dict[str, RowGroup] = field(default_factory=dict)
    #: the column whose cell carries a row group's marker
    label_column: int = 1


@dataclass
class Figure(Block):
    """An image file beside the report (inlined as a data URI in HTML)."""

    filename: str
    alt: str
    wide: bool = False


@dataclass
class Details(Block):
    """Blocks behind a summary line (collapsed in HTML)."""

    summary: str
    blocks: list[Block]


@dataclass
class Section:
    title: str
    blocks: list[Block] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    only: str = ""


@dataclass
class Document:
    title: str
    blocks: list[Block] = field(default_factory=list)  # before the first section
    sections: list[Section] = field(default_factory=list)
