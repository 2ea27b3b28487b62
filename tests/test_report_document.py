"""The report's section model renders to Markdown and HTML alike: escaping, output-only
blocks, and row groups (how extra, visibly marked rows join a table)."""

from __future__ import annotations

from srbench_lite.report import html, markdown
from srbench_lite.report.document import (
    Callout,
    Cell,
    Details,
    Document,
    Links,
    Paragraph,
    Row,
    RowGroup,
    Section,
    Table,
)

EVIL = "<script>alert(1)</script> *x* | [l](javascript:y)"


def _doc() -> Document:
    table = Table(
        ["#", "method", "score"],
        [
            Row(["1", "gp", "0.9"]),
            Row(["2", Cell(EVIL, title=EVIL, style="model"), "0.5"]),
            Row(["–", "AI Feynman", "0.7"], group="published"),
        ],
        align="llr",
        groups={"published": RowGroup("†", "published result (SRBench 2021), not run here"),
                "unused": RowGroup("‡", "never shown")},
    )  # fmt: skip
    return Document(
        title="Leaderboard: t",
        blocks=[Paragraph(EVIL), Links("Files:", [("a.csv", "a.csv")], only="markdown")],
        sections=[
            Section("Board", [table, Callout("careful", [EVIL])]),
            Section("Only HTML", [Details("2 runs", [Paragraph("inner")])], only="html"),
        ],
    )


def test_markdown():
    text = markdown.render(_doc())
    assert "<script>" not in text and "&lt;script>" in text
    assert r"\*x\*" in text and r"\|" in text and r"[l\](javascript" in text
    assert "| – | AI Feynman † | 0.7 |" in text
    assert "† published result (SRBench 2021), not run here" in text and "‡" not in text
    assert "[a.csv](a.csv)" in text and "Only HTML" not in text
    assert "> [!WARNING]" in text and "## Board" in text


def test_html():
    page = html.render(_doc(), images={})
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert '<tr class="group-published">' in page and "AI Feynman †" in page
    assert "published result (SRBench 2021)" in page and "‡" not in page
    assert 'class="model" title="&lt;script&gt;' in page
    assert "<details><summary>2 runs</summary>" in page and "a.csv" not in page
    assert "Content-Security-Policy" in page
