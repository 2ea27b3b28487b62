"""Render a report :class:`~.document.Document` as one self-contained HTML page.

Every text of the model goes through :func:`html.escape` (:func:`~.format.esc`); the page
carries a Content-Security-Policy that forbids scripts altogether, and its images are inlined
as ``data:`` URIs, so it loads nothing from outside.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence

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
from srbench_lite.report.format import esc

ONLY = "html"

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2em auto;
max-width:1200px;padding:0 1em;color:#222;line-height:1.45}
h1{border-bottom:2px solid #ddd;padding-bottom:.2em}h2{margin-top:2em;border-bottom:1px solid #eee}
table{border-collapse:collapse;margin:.8em 0;font-size:.88em}
th,td{border:1px solid #ddd;padding:.25em .55em;vertical-align:top}
th{background:#f4f6f8;position:sticky;top:0}td.r,th.r{text-align:right}td.c{text-align:center}
tr:nth-child(even) td{background:#fafbfc}code,pre,td.model{font-family:ui-monospace,Menlo,monospace}
pre{background:#f6f8fa;padding:.6em;overflow-x:auto;white-space:pre-wrap}
.warn{background:#fff8e1;border-left:4px solid #f0ad4e;padding:.5em 1em}
.note{color:#555;font-size:.92em}figure{margin:1em 0;overflow-x:auto}
figure img{max-width:100%}figure.wide img{max-width:none}
.better{color:#1a7f37;font-weight:600}.worse{color:#b42318;font-weight:600}
td.model{max-width:32em;overflow-wrap:anywhere;font-size:.95em}
tr[class^="group-"] td{font-style:italic;background:#f5f3ff}
.st-timeout{color:#b45309}.st-error{color:#b42318}details{margin:1em 0}
"""
#: the page runs no script and loads nothing from outside: images are inlined
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


def render(doc: Document, images: Mapping[str, bytes]) -> str:
    """The page; ``images`` maps a figure's file name to its PNG bytes (a figure without
    bytes is left out)."""
    head = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{esc(CSP)}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(doc.title)}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>{esc(doc.title)}</h1>",
    ]
    body = _blocks(doc.blocks, images)
    for section in doc.sections:
        body += _section(section, 2, images)
    return "\n".join([*head, *body, "</body></html>"]) + "\n"


def _section(section: Section, level: int, images: Mapping[str, bytes]) -> list[str]:
    if section.only not in ("", ONLY):
        return []
    out = [f"<h{level}>{esc(section.title)}</h{level}>", *_blocks(section.blocks, images)]
    for sub in section.sections:
        out += _section(sub, level + 1, images)
    return out


def _blocks(blocks: Sequence[Block], images: Mapping[str, bytes]) -> list[str]:
    return [_block(b, images) for b in blocks if b.only in ("", ONLY)]


def _block(block: Block, images: Mapping[str, bytes]) -> str:
    if isinstance(block, Paragraph):
        lead = f"<b>{esc(block.lead)}</b> " if block.lead else ""
        return f"<p{' class=note' if block.note else ''}>{lead}{esc(block.text)}</p>"
    if isinstance(block, Code):
        return f"<pre>{esc(block.text)}</pre>"
    if isinstance(block, Items):
        lines = "".join(f"<li><b>{esc(k)}</b>: {esc(v)}</li>" for k, v in block.items)
        return f"<ul>{lines}</ul>"
    if isinstance(block, Links):
        links = " · ".join(f'<a href="{esc(h)}">{esc(t)}</a>' for t, h in block.links)
        return f"<p>{esc(block.lead)} {links}</p>"
    if isinstance(block, Callout):
        items = "".join(f"<li>{esc(i)}</li>" for i in block.items)
        return (f'<div class="warn"><b>Warning.</b> {esc(block.text)}'
                f"{f'<ul>{items}</ul>' if items else ''}</div>")  # fmt: skip
    if isinstance(block, Figure):
        payload = images.get(block.filename)
        if payload is None:
            return ""
        uri = "data:image/png;base64," + base64.b64encode(payload).decode("ascii")
        wide = ' class="wide"' if block.wide else ""
        return f'<figure{wide}><img src="{uri}" alt="{esc(block.alt)}"></figure>'
    if isinstance(block, Table):
        return table(block)
    if isinstance(block, Details):
        inner = "\n".join(_blocks(block.blocks, images))
        return f"<details><summary>{esc(block.summary)}</summary>\n{inner}\n</details>"
    raise TypeError(f"no HTML for {type(block).__name__}")


_ALIGN = {"r": "r", "c": "c", "l": ""}


def _cell(cell: Cell | str, align: str, marker: str = "") -> str:
    c = cell if isinstance(cell, Cell) else Cell(str(cell))
    classes = " ".join(x for x in (_ALIGN.get(align, ""), c.style) if x)
    attrs = (f' class="{esc(classes)}"' if classes else "") + (
        f' title="{esc(c.title)}"' if c.title else ""
    )
    return f"<td{attrs}>{esc(c.text)}{esc(marker)}</td>"


def table(t: Table) -> str:
    align = t.align or "l" + "r" * (len(t.headers) - 1)
    head = "".join(
        f'<th class="{_ALIGN[a]}">{esc(h)}</th>' if _ALIGN.get(a) else f"<th>{esc(h)}</th>"
        for h, a in zip(t.headers, align, strict=True)
    )
    body = []
    for row in t.rows:
        group = t.groups.get(row.group)
        cells = "".join(
            _cell(c, a, f" {group.marker}" if group and i == t.label_column else "")
            for i, (c, a) in enumerate(zip(row.cells, align, strict=True))
        )
        cls = f' class="group-{esc(row.group)}"' if group else ""
        body.append(f"<tr{cls}>{cells}</tr>")
    used = {row.group for row in t.rows if row.group in t.groups}
    notes = "".join(
        f"<p class=note>{esc(g.marker)} {esc(g.note)}</p>"
        for name, g in t.groups.items() if name in used
    )  # fmt: skip
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{notes}"
