"""Text as converters and people leave a report.

`render_markdown`: a PDF-to-Markdown converter's output (bold headings, pipe tables, page footers between
pages), with the converters' table quirks as options: made-up header names, a header repeated after a
page break, a footer line inside a table, a continuation that lost its label columns, a label spilling
onto a line of its own. `render_plain`: a report typed by hand into a text file, the tables as lines of
a label and its numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from samplegen.layout import Grid, Printed, place

# how many of each table's rows are its header (before the first row of values)
HEADER_ROWS = {"applications": 3, "review_litigation": 3, "proactive": 0}
# how many of each table's columns hold labels
LABEL_COLUMNS = {"applications": 3, "review_litigation": 0, "proactive": 1}


@dataclass
class TextStyle:
    """Where the converted PDF's pages ended, and what the converter did to the tables."""

    breaks: dict[str, int] = field(default_factory=dict)  # table key → the grid row a page starts with
    page_ends: list[str] = field(default_factory=list)  # table keys a page ends right after
    first_footer: int = 2  # the number printed at the first page end (the title page's footer is lost)
    # the development corpus's converter quirks
    generic_header: str | None = None  # "数据{n}" / "Column{n}": a made-up header row above every table
    lost_header: tuple[str, ...] = ()  # tables whose own header rows the converter dropped
    repeat_header: bool = False  # a table cut by a page prints its header rows again after the footer
    footer_in_table: bool = False  # the footer lands between two rows of the table, as a row of its own
    unlabelled_continuation: bool = False  # the rows after a break lost their label columns
    spill: dict[str, tuple[int, ...]] = field(default_factory=dict)  # table → grid rows whose label's second
    # half goes onto a line of its own (empty value cells)
    dropped: dict[str, tuple[int, ...]] = field(default_factory=dict)  # table → grid rows the converter lost


def _cells(grid: Grid) -> list[list[str]]:
    """The grid as a converter flattens it: every position a cell, merged positions empty."""
    placed = place(grid)
    width = max(c + cs for _r, c, _rs, cs, _t in placed)
    cells = [[""] * width for _ in grid]
    for r, c, _rs, _cs, text in placed:
        cells[r][c] = text.replace("\n", "<br>")
    return cells


def _line(row: list[str]) -> str:
    return "|" + "|".join(row) + "|"


def markdown_table(grid: Grid) -> list[str]:
    """A grid as a converter writes it: merged positions empty, line breaks as <br>, a rule under row 1."""
    out = [_line(row) for row in _cells(grid)]
    out.insert(1, "|" + "|".join(["---"] * len(_cells(grid)[0])) + "|")
    return out


def _converted(key: str, grid: Grid, style: TextStyle, page: int) -> tuple[list[str], int]:
    """One table with the converter's quirks; returns its lines and the next page number."""
    cells = _cells(grid)
    width = len(cells[0])
    head = HEADER_ROWS.get(key, 0)
    labels = LABEL_COLUMNS.get(key, 0)
    rule = "|" + "|".join(["---"] * width) + "|"
    rows: list[list[str]] = []
    spill = set(style.spill.get(key, ()))
    dropped = set(style.dropped.get(key, ()))
    for n, row in enumerate(cells):
        if (key in style.lost_header and n < head) or n in dropped:
            continue
        if n in spill:
            # the label cell's text is cut: its second half on a line of its own under the row
            at = max(i for i in range(labels) if row[i]) if any(row[:labels]) else 0
            text = row[at].replace("<br>", "")
            first, second = text[: len(text) // 2], text[len(text) // 2 :]
            rows.append([*row[:at], first, *row[at + 1 :]])
            rows.append(["" if i != at else second for i in range(width)])
            continue
        rows.append(row)
    # where the page break falls, counted in the rows kept
    brk = style.breaks.get(key)
    kept_before = None
    if brk is not None:
        kept = [
            n for n in range(len(cells)) if not (key in style.lost_header and n < head) and n not in dropped
        ]
        kept_before = sum(1 for n in kept if n < brk) + sum(1 for s in spill if s < brk)
    lines: list[str] = []
    if style.generic_header:
        lines += [_line([style.generic_header.format(n=i + 1) for i in range(width)]), rule]
        body = rows
    else:
        lines += [_line(rows[0]), rule]
        body = rows[1:]
        if kept_before is not None:
            kept_before -= 1
    for n, row in enumerate(body):
        if kept_before is not None and n == kept_before:
            footer = f"- {page} -"
            page += 1
            if style.footer_in_table:
                lines.append(_line([footer] + [""] * (width - 1)))
            elif style.generic_header or style.repeat_header or style.unlabelled_continuation:
                lines.append(footer)
            else:
                # as the fixtures' converter: the continuation's first row taken for a header, a rule under it
                lines += ["", footer, "", _line(row), rule]
                continue
            if style.repeat_header and key not in style.lost_header:
                lines += [_line(r) for r in cells[:head]]
        if kept_before is not None and n >= kept_before and style.unlabelled_continuation:
            row = row[labels:]
        lines.append(_line(row))
    return lines, page


def render_markdown(doc: Printed, style: TextStyle) -> bytes:
    """The report as Markdown; a table cut by a page keeps every column and gains a rule under its first row."""
    lines = [f"# **{t}**" for t in doc.title.split("\n")] + [""]
    page = style.first_footer
    quirky = (
        style.generic_header
        or style.lost_header
        or style.repeat_header
        or style.footer_in_table
        or style.unlabelled_continuation
        or style.spill
        or style.dropped
    )
    for block in doc.blocks:
        if block[0] == "h":
            lines += [f"## **{block[1]}**", ""]
        elif block[0] == "p":
            lines += [block[1], ""]
        else:
            key = block[1]
            if quirky:
                table, page = _converted(key, block[2], style, page)
            else:
                table = markdown_table(block[2])
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


# ----------------------------------------------------------------------------- typed by hand
@dataclass
class PlainStyle:
    """How a person typed the report into a text file."""

    sep: str = "\t"  # between a row's label and its numbers, and between numbers: tab, spaces, U+3000
    group_lines: bool = (
        True  # table 3's group labels (三、本年度办理结果, （三）不予公开 …) on lines of their own
    )
    header: str = "lines"  # lines: the header words as typed lines | none: no column header at all
    encoding: str = "utf-8"  # or gb18030
    crlf: bool = False  # Windows line ends


def _typed_rows(key: str, grid: Grid, style: PlainStyle) -> list[str]:
    """A table as typed lines: a row's label (its label cells joined) then its values; groups on their own."""
    placed = place(grid)
    width = max(c + cs for _r, c, _rs, cs, _t in placed)
    head = HEADER_ROWS.get(key, 0)
    labels = LABEL_COLUMNS.get(key, 0)
    at: dict[tuple[int, int], str] = {(r, c): t.replace("\n", "") for r, c, _rs, _cs, t in placed}
    out: list[str] = []
    if key == "applications" and style.header == "lines":
        words = [at[(r, c)] for r in range(head) for c in range(labels, width) if at.get((r, c))]
        note = at.get((0, 0), "")
        out += [note] if note else []
        # the typist keeps 法人或其他组织 (it says where the five kinds stand) and drops the 申请人情况 banner
        out.append(style.sep.join(w for w in words if w != "申请人情况"))
    elif key == "review_litigation" and style.header == "lines":
        for r in range(head):
            out.append(style.sep.join(at[(r, c)] for c in range(width) if at.get((r, c))))
    for r in range(head, len(grid)):
        texts = [at.get((r, c), "") for c in range(width)]
        label_parts = [t for t in texts[:labels] if t]
        values = texts[labels:]
        if key == "proactive" and not any(values) and label_parts:
            out.append(label_parts[0])  # a 第二十条 heading
            continue
        if style.group_lines and len(label_parts) > 1:
            out += label_parts[:-1]
            label_parts = label_parts[-1:]
        words = ["".join(label_parts), *values] if labels else values
        if key == "proactive":
            words = [w for w in words if w]
        out.append(style.sep.join(w if w else "0" for w in words))
    return out


def render_plain(doc: Printed, style: PlainStyle) -> bytes:
    """The report as a hand-typed text file."""
    lines = [*doc.title.split("\n"), ""]
    for block in doc.blocks:
        if block[0] == "h":
            lines.append(block[1])
        elif block[0] == "p":
            lines.append(("　　" if not block[2:] else "") + block[1])
        else:
            lines += _typed_rows(block[1], block[2], style)
    text = "\n".join(lines) + "\n"
    if style.crlf:
        text = text.replace("\n", "\r\n")
    return text.encode(style.encoding)
