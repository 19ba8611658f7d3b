"""Text as a PDF-to-Markdown converter leaves a report: bold headings, pipe tables, page footers between pages."""

from __future__ import annotations

from dataclasses import dataclass, field

from samplegen.layout import Grid, Printed, place


@dataclass
class TextStyle:
    """Where the converted PDF's pages ended."""

    breaks: dict[str, int] = field(default_factory=dict)  # table key → the grid row a page starts with
    page_ends: list[str] = field(default_factory=list)  # table keys a page ends right after
    first_footer: int = 2  # the number printed at the first page end (the title page's footer is lost)


def markdown_table(grid: Grid) -> list[str]:
    """A grid as a converter writes it: merged positions empty, line breaks as <br>, a rule under row 1."""
    placed = place(grid)
    width = max(c + cs for _r, c, _rs, cs, _t in placed)
    cells = [[""] * width for _ in grid]
    for r, c, _rs, _cs, text in placed:
        cells[r][c] = text.replace("\n", "<br>")
    out = ["|" + "|".join(row) + "|" for row in cells]
    out.insert(1, "|" + "|".join(["---"] * width) + "|")
    return out


def render_markdown(doc: Printed, style: TextStyle) -> bytes:
    """The report as Markdown; a table cut by a page keeps every column and gains a rule under its first row."""
    lines = [f"# **{doc.title}**", ""]
    page = style.first_footer
    for block in doc.blocks:
        if block[0] == "h":
            lines += [f"## **{block[1]}**", ""]
        elif block[0] == "p":
            lines += [block[1], ""]
        else:
            key, table = block[1], markdown_table(block[2])
            if key in style.breaks:
                at = style.breaks[key] + 1  # the rule line sits under row 0
                # the converter takes the continuation's first row for a header: a rule goes under it
                table = [*table[:at], "", f"- {page} -", "", table[at], table[1], *table[at + 1 :]]
                page += 1
            lines += [*table, ""]
            if key in style.page_ends:
                lines += [f"- {page} -", ""]
                page += 1
    return "\n".join(lines).encode("utf-8")
