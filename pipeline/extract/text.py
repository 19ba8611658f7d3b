"""Plain-text reports (as pulled from a PDF, tab-separated table rows) and PDF-to-Markdown output."""

from __future__ import annotations

import re

from nianbao.pipeline.errors import ExtractError
from nianbao.pipeline.extract.cells import Cell, ParsedDocument, RawTable, Row
from nianbao.pipeline.extract.glyphs import clean_text
from nianbao.pipeline.extract.limits import check_text
from nianbao.pipeline.model import Location

_HEADING = re.compile(r"^[#\s*]*(?P<num>[一二三四五六])\s*[、.．]\s*\**(?P<title>.*)$")
_SECTION_BY_NUM = {"二": "proactive", "三": "applications", "四": "review_litigation"}
_PAGE_FOOTER = re.compile(
    r"^\s*(-\s*\d+\s*-|第\s*\d+\s*页(\s*[/共]\s*\d+\s*页?)?|\d+\s*/\s*\d+|Page\s+\d+.*)\s*$", re.I
)
_MD_BREAK = re.compile(r"<br\s*/?>", re.I)  # converters write a cell's line breaks as <br>
_MD_PIPE = re.compile(r"(?<!\\)\|")
_MD_EMPHASIS = re.compile(r"\*\*|__")
_MD_RULE = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


def decode(data: bytes) -> str:
    """Text bytes to str: UTF-8 (with or without BOM), else GB18030."""
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise ExtractError("unsupported_format", "text is neither UTF-8 nor GB18030")


def _cells(line: str, lineno: int) -> Row:
    """A table line's cells: a Markdown row between pipes, else tab-separated; each cell located."""
    if line.lstrip().startswith("|"):
        # a Markdown row: one pipe each side is the frame; every cell between is real (blank means 0)
        s = line.strip()[1:]
        s = s[:-1] if s.endswith("|") and not s.endswith("\\|") else s
        parts = [_MD_BREAK.sub("\n", p).replace("\\|", "|") for p in _MD_PIPE.split(s)]
    else:
        parts = line.rstrip("\n").split("\t")
        while parts and not parts[-1].strip():
            parts.pop()
    return [
        Cell(p.strip(), Location(raw=p.strip(), line=lineno, cell=(lineno, i))) for i, p in enumerate(parts)
    ]


def parse_text(data: bytes) -> ParsedDocument:
    """A plain-text or Markdown report into body text and table rows, split at the numbered headings."""
    check_text(data)  # resource limits (issue 18)
    text = clean_text(decode(data))
    if not text.strip():
        raise ExtractError("empty", "the document has no text")
    body: list[str] = []
    tables: list[RawTable] = []
    section: str | None = None
    current: RawTable | None = None
    for lineno, line in enumerate(text.splitlines(), start=1):
        line = _MD_EMPHASIS.sub("", line)  # Markdown bold around titles, headings and cells
        if _PAGE_FOOTER.match(line) or _MD_RULE.match(line):
            continue
        is_row = "\t" in line or line.lstrip().startswith("|")
        heading = _HEADING.match(line) if not is_row else None
        if heading:
            section = _SECTION_BY_NUM.get(heading.group("num"))
            current = None
        if is_row and section is not None:
            if current is None:
                current = RawTable(rows=[], section=section)
                tables.append(current)
            row = _cells(line, lineno)
            if row:
                current.rows.append(row)
        else:
            body.append(line)
    return ParsedDocument(text="\n".join(body), tables=tables, format="text")
