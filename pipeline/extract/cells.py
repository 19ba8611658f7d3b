"""What every format reader hands over — cells, rows, tables, the document — and how a row's label is read.

Each format reader (text, pdf, html, docx) turns bytes into a `ParsedDocument`: its body text and its
tables as rows of `Cell`s (None where a merged cell covers the position), each cell with its
`Location`. The table readers then see a row as a label (its text cells) and the values after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
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
