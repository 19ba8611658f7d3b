"""What every format reader hands over — cells, rows, tables, the document — and how a row's label is read.

Each format reader (text, pdf, html, docx) turns bytes into a `ParsedDocument`: its body text and its
tables as rows of `Cell`s (None where a merged cell covers the position), each cell with its
`Location`. The table readers then see a row as a label (its text cells) and the values after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from nianbao.pipeline import tables as T
from nianbao.pipeline.extract.glyphs import clean_text
from nianbao.pipeline.model import Location
from nianbao.pipeline.numbers import normalize, parse_amount, parse_change


@dataclass(frozen=True)
class Cell:
    """One table cell as printed, with where it sits; `x`, where known, is its left edge across the page
    (points, or display columns of a text line laid out with spaces), for ordering header words whose
    columns a grid does not give."""

    text: str
    loc: Location
    x: float | None = None


Row = list[Cell | None]


@dataclass
class RawTable:
    """Rows of one printed table (or one page's part of it). `section` is set when the reader knows it."""

    rows: list[Row]
    section: str | None = None


@dataclass
class ParsedDocument:
    """What a format reader hands over: the body text and the tables, in reading order."""

    text: str
    tables: list[RawTable] = field(default_factory=list)
    format: str = "text"
    text_locations: dict[str, Location] = field(default_factory=dict)
    reading: dict[str, Any] = field(default_factory=dict)  # how the reader got there (Reading.details)
    metadata: dict[str, str] = field(default_factory=dict)  # the page's own: ContentSource, 发布机构, title
    # other readings of the same bytes (tables by the words' positions); the report builder keeps the one
    # whose tables are most complete and whose arithmetic holds best
    alternatives: list[ParsedDocument] = field(default_factory=list)


NUMBERING = re.compile(r"^(\(?[一二三四五六七八九十]+[)、.]|\(\d+\)|\d+[.、])")
_PUNCT = re.compile(r"[\s“”\"'‘’:：,，。;；()（）\[\]【】<>《》、.·/／*#]")


def norm_label(text: str) -> str:
    """A label reduced to its characters: normalised, numbering and punctuation removed."""
    s = normalize(clean_text(text))
    s = NUMBERING.sub("", s)
    return _PUNCT.sub("", s)


def is_value(text: str | None, money: bool = False) -> bool:
    """True when the text reads as a number (a signed count, or money when `money`)."""
    if text is None:
        return False
    try:
        if money:
            parse_amount(text)
        else:
            parse_change(text)
        return True
    except ValueError:
        return False


def split_row(row: Row) -> tuple[str, list[Cell], list[int]]:
    """A row's label (its text cells joined) and its value cells after the last text cell, with indexes."""
    last_label = -1
    for i, c in enumerate(row):
        if c is not None and c.text.strip() and not is_value(c.text, money=True) and not is_value(c.text):
            last_label = i
    label = "".join(c.text for c in row[: last_label + 1] if c is not None)
    values = [(i, c) for i, c in enumerate(row) if i > last_label and c is not None]
    return label, [c for _, c in values], [i for i, _ in values]


def match_code(label: str, codes: tuple[T.Code, ...]) -> T.Code | None:
    """The code whose longest key occurs in a normalised label, or None."""
    best: tuple[int, T.Code] | None = None
    for c in codes:
        for k in c.keys:
            if k and k in label and (best is None or len(k) > best[0]):
                best = (len(k), c)
    return best[1] if best else None


# a label line that begins a row of its own: （二）…, 2．…, 二、…
ROW_START = re.compile(
    r"^\s*(?:[（(][一二三四五六七八九十\d]+[)）]|\d+\s*[.．、]|[一二三四五六七八九十]+\s*[、.．])"
)
# of those, one numbered as a group (（三）不予公开) and one numbered as a group's sub-row (4．保护…)
GROUP_START = re.compile(r"^\s*[（(][一二三四五六七八九十]+[)）]")
SUB_ROW_START = re.compile(r"^\s*\d+\s*[.．、]")
# and one of the table's own rows (一、本年新收…, 二、…)
TOP_ROW_START = re.compile(r"^\s*[一二三四五六七八九十]+\s*[、.．]")


def unstacked(row: Row) -> list[Row]:
    """A row that is several printed rows (the rule between them was not drawn, so one cell holds a number
    from each): one row per stacked number, each value cell's lines in turn.

    Only when every value cell holds the same number of lines, each a number. The label's lines go with
    them when the lines that begin a row (（二）…, 2．…) are as many as the rows; otherwise the rows keep no
    label and are placed by their order (the table readers decide whether they may be).
    """
    _label, values, where = split_row(row)
    lines = [[ln for ln in c.loc.raw.splitlines() if ln.strip()] for c in values]
    k = len(lines[0]) if lines else 0
    if k < 2 or any(len(ls) != k for ls in lines) or not all(is_value(ln) for ls in lines for ln in ls):
        return [row]
    first = where[0]
    heads = [c for c in row[:first] if c is not None]
    own = heads[-1] if heads else None  # the label cell the stacked rows share
    parts: list[str] = []
    for ln in own.loc.raw.splitlines() if own is not None else []:
        if parts and not ROW_START.match(ln):
            parts[-1] += ln.strip()
        elif ln.strip():
            parts.append(ln.strip())
    out: list[Row] = []
    for n in range(k):
        cells: Row = [None] * len(row)
        for i, c in enumerate(row[:first]):
            if c is not None and c is not own and n == 0:
                cells[i] = c  # a group's label beside the stack stays with its first row
        if own is not None:
            text = clean_text(parts[n]) if len(parts) == k else ""
            cells[row.index(own)] = Cell(text, replace(own.loc, raw=text), own.x)
        for i, c, ls in zip(where, values, lines, strict=True):
            cells[i] = Cell(clean_text(ls[n]).strip(), replace(c.loc, raw=ls[n]), c.x)
        out.append(cells)
    return out
