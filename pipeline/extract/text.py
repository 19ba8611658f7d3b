"""Plain-text reports (as pulled from a PDF, tab-separated table rows) and PDF-to-Markdown output."""

from __future__ import annotations

import re

from nianbao.pipeline.errors import ExtractError
from nianbao.pipeline.extract import positions
from nianbao.pipeline.extract.cells import Cell, ParsedDocument, RawTable, Row, is_value, split_row
from nianbao.pipeline.extract.glyphs import clean_text
from nianbao.pipeline.extract.limits import check_text
from nianbao.pipeline.extract.sections import group_sections
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


# what separates a typed row's cells when there is no tab: a bar, ideographic spaces, or two spaces or more
_STRONG_SEPARATOR = re.compile(r"\s*[|｜]\s*|\u3000+|[ \u00a0]{2,}")
_CHANGE_WORDS = frozenset({"增加", "减少", "增", "减", "新增"})
_UNITS = frozenset({"万元", "元", "件", "个", "项", "条"})


def _typed_parts(line: str) -> list[str]:
    """A typed row without tabs into its cells: split at bars, ideographic spaces or runs of spaces, and
    within each piece the words before the first number (a label) kept as one cell and each number as one.

    A change word before its number (增加 28) stays with it; a piece whose words come back after its
    numbers is text, one cell.
    """
    text = line.strip()
    parts = [p.strip() for p in _STRONG_SEPARATOR.split(text)]
    if text.startswith(("|", "｜")):
        parts = parts[1:]
    if text.endswith(("|", "｜")) and len(parts) > 1:
        parts = parts[:-1]
    # a line without numbers is a header: its words, however spaced, are each a cell (社会 法律)
    header = not any(is_value(w) or is_value(w, money=True) for w in text.split())
    if len(parts) > 1:
        return [cell for p in parts for cell in (_words(p, header) if p else [p])]
    return _words(text, header=True)


def _words(piece: str, header: bool = False) -> list[str]:
    """One piece of a typed line as cells: its label, then each number. Without numbers, a header line's
    words are each a cell; any other piece stays whole."""
    words = piece.split()
    first = next((i for i, w in enumerate(words) if is_value(w) or is_value(w, money=True)), None)
    if first is None:
        return (words or [piece]) if header else [piece]
    if first > 0 and words[first - 1] in _CHANGE_WORDS:
        first -= 1
    label = " ".join(words[:first])
    values: list[str] = []
    for w in words[first:]:
        if values and values[-1] in _CHANGE_WORDS:
            values[-1] += " " + w
        elif values and w in _UNITS and (is_value(values[-1] + w) or is_value(values[-1] + w, money=True)):
            values[-1] += w  # 1,193,083.07 元
        elif is_value(w) or is_value(w, money=True) or w in _CHANGE_WORDS:
            values.append(w)
        else:
            return [piece]
    return [label, *values] if label else values


def _cells(line: str, lineno: int) -> Row:
    """A table line's cells: a Markdown row between pipes, tab-separated, or typed; each cell located."""
    if line.lstrip().startswith("|") and _MD_PIPE.search(line.strip()[1:]):
        # a Markdown row: one pipe each side is the frame; every cell between is real (blank means 0)
        s = line.strip()[1:]
        s = s[:-1] if s.endswith("|") and not s.endswith("\\|") else s
        parts = [_MD_BREAK.sub("\n", p).replace("\\|", "|") for p in _MD_PIPE.split(s)]
    elif "\t" in line:
        parts = line.rstrip("\n").split("\t")
        while parts and not parts[-1].strip():
            parts.pop()
    else:
        # typed: each cell also says where it starts on the line (display columns), for a header laid out
        # over several lines whose words only their places put in order
        cells: Row = []
        at = 0
        for i, p in enumerate(_typed_parts(line)):
            found = line.find(p.split()[0], at) if p.strip() else -1
            x = float(positions.display_width(line[:found])) if found >= 0 else None
            at = found + len(p) if found >= 0 else at
            cells.append(Cell(p.strip(), Location(raw=p.strip(), line=lineno, cell=(lineno, i)), x))
        return cells
    return [
        Cell(p.strip(), Location(raw=p.strip(), line=lineno, cell=(lineno, i))) for i, p in enumerate(parts)
    ]


_TABLE3_ROWS = re.compile(
    r"本年新收|上年结转|本年度办理结果|结转下年"
)  # numbered like headings, inside table 3
_SECTION_TITLES = (("主动公开", "proactive"), ("复议", "review_litigation"), ("诉讼", "review_litigation"))


def _section_of(heading: re.Match[str]) -> str | None:
    """The table section a numbered heading opens: from its title's words, else from its number."""
    title = heading.group("title")
    for word, section in _SECTION_TITLES:
        if word in title:
            return section
    if "申请" in title and heading.group("num") != "一":
        return "applications"
    return _SECTION_BY_NUM.get(heading.group("num"))


def _is_prose(line: str, has_values: bool) -> bool:
    """A sentence, not a table line: it ends a clause, or runs long without a number."""
    return "。" in line or (not has_values and len("".join(line.split())) > 60)


def parse_text(data: bytes) -> ParsedDocument:
    """A plain-text or Markdown report into body text and table rows, split at the numbered headings.

    Table lines are Markdown rows, tab-separated, or typed (cells apart by bars, ideographic spaces, runs
    of spaces, or a label then numbers); inside a table section a label on its own line (（三）不予公开)
    is a row too. Text with no tab or pipe rows may instead be laid out in columns (`pdftotext -layout`):
    that reading by the words' positions is offered beside the typed one, and the report builder keeps
    whichever the tables' own arithmetic supports.
    """
    check_text(data)  # resource limits (issue 18)
    text = clean_text(decode(data))
    if not text.strip():
        raise ExtractError("empty", "the document has no text")
    body: list[str] = []
    tables: list[RawTable] = []
    section: str | None = None
    current: RawTable | None = None
    typed = False
    for lineno, line in enumerate(text.splitlines(), start=1):
        line = _MD_EMPHASIS.sub("", line)  # Markdown bold around titles, headings and cells
        if _PAGE_FOOTER.match(line) or _MD_RULE.match(line):
            continue
        explicit = "\t" in line or line.lstrip().startswith("|")
        row = _cells(line, lineno) if line.strip() and (explicit or section is not None) else []
        has_values = bool(row) and bool(split_row(row)[1])
        heading = _HEADING.match(line) if not explicit and not has_values else None
        if heading and not (section == "applications" and _TABLE3_ROWS.search(heading.group("title"))):
            section = _section_of(heading)
            current = None
            body.append(line)
            continue
        if section is not None and row and (explicit or not _is_prose(line, has_values)):
            if current is None:
                current = RawTable(rows=[], section=section)
                tables.append(current)
            current.rows.append(row)
            typed = typed or not explicit
            if not has_values and not explicit:
                body.append(line)  # a label line is text too
        else:
            body.append(line)
    doc = ParsedDocument(text="\n".join(body), tables=tables, format="text")
    if typed or len(group_sections(doc)) < 3:
        # no tabs or pipes: the text may be laid out in columns with spaces (`pdftotext -layout`)
        laid_out = positions.tables_of_words(positions.text_words(text), 0)
        if laid_out:
            doc.alternatives.append(
                ParsedDocument(
                    text=doc.text, tables=laid_out, format="text", reading={"tables_from_positions": True}
                )
            )
    return doc
