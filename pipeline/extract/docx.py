"""DOCX attachments → body text and table grids, merged cells (gridSpan, vMerge, hMerge) read from the XML."""

from __future__ import annotations

import zipfile
import zlib
from io import BytesIO
from typing import Any

from nianbao.pipeline.errors import ExtractError
from nianbao.pipeline.extract.cells import Cell, ParsedDocument, RawTable, Row, split_row
from nianbao.pipeline.extract.glyphs import clean_text
from nianbao.pipeline.extract.limits import check_docx, check_table_cells
from nianbao.pipeline.extract.sections import classify_table
from nianbao.pipeline.model import Location

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CONTAINERS = {W + "sdt", W + "sdtContent", W + "customXml", W + "smartTag", W + "ins"}


def _val(el: Any, path: str, default: str | None = None) -> str | None:
    """The w:val of a child property element (`path` relative to `el`), or default when absent."""
    found = el.find(path)
    if found is None:
        return default
    value: str = found.get(W + "val", "")
    return value


def paragraph_text(p: Any) -> str:
    """A paragraph's text: runs in order, tabs and breaks kept, deleted text and VML fallbacks skipped."""
    out: list[str] = []

    def walk(el: Any) -> None:
        """Append the text of `el`'s children, in order."""
        for child in el:
            tag = child.tag
            if tag == MC_FALLBACK or tag in (W + "del", W + "moveFrom", W + "tbl"):
                continue
            if tag == W + "t":
                out.append(child.text or "")
            elif tag == W + "tab":
                out.append("\t")
            elif tag in (W + "br", W + "cr"):
                out.append("\n")
            elif tag == W + "p":
                out.append("\n")
                walk(child)
            else:
                walk(child)

    walk(p)
    return "".join(out)


def _cell_text(tc: Any) -> str:
    """A cell's paragraphs (and any nested table's) joined by line breaks, blank lines dropped."""
    lines = [
        paragraph_text(p) for p in tc.iter(W + "p") if not any(a.tag == W + "p" for a in p.iterancestors())
    ]
    text = "\n".join(s.strip(" \u3000\u00a0\t") for line in lines for s in line.split("\n"))
    return "\n".join(s for s in text.split("\n") if s)


def _row_cells(tr: Any) -> list[Any]:
    """The w:tc of a row, including those wrapped in content controls or custom XML."""
    out: list[Any] = []
    for child in tr:
        if child.tag == W + "tc":
            out.append(child)
        elif child.tag in _CONTAINERS:
            out.extend(_row_cells(child))
    return out


def _rows(tbl: Any) -> list[Any]:
    """The w:tr of a table, including those wrapped in content controls or custom XML."""
    out: list[Any] = []
    for child in tbl:
        if child.tag == W + "tr":
            out.append(child)
        elif child.tag in _CONTAINERS:
            out.extend(_rows(child))
    return out


def _int(value: str | None, default: int) -> int:
    """A non-negative integer attribute value; `default` when absent or not a number."""
    try:
        return max(0, int(value)) if value is not None else default
    except ValueError:
        return default


def table_grid(tbl: Any, table_index: int) -> list[Row]:
    """The table as a rectangular grid: each cell at its top-left grid column, None where a merge covers."""
    rows = list(_rows(tbl))
    widths = [
        _int(_val(tr, f"{W}trPr/{W}gridBefore"), 0)
        + sum(max(1, _int(_val(tc, f"{W}tcPr/{W}gridSpan"), 1)) for tc in _row_cells(tr))
        for tr in rows
    ]
    check_table_cells(max(widths, default=0) * len(rows))  # before spans spread into a grid (issue 18)
    grid: list[dict[int, Cell | None]] = []
    for r, tr in enumerate(rows):
        row: dict[int, Cell | None] = {}
        col = _int(_val(tr, f"{W}trPr/{W}gridBefore"), 0)
        for c in range(col):
            row[c] = None
        for tc in _row_cells(tr):
            span = max(1, _int(_val(tc, f"{W}tcPr/{W}gridSpan"), 1))
            vmerge = _val(tc, f"{W}tcPr/{W}vMerge")
            hmerge = _val(tc, f"{W}tcPr/{W}hMerge")
            covered = (vmerge is not None and vmerge != "restart") or (
                hmerge is not None and hmerge != "restart"
            )
            cell: Cell | None = None
            if not covered:
                text = _cell_text(tc)
                cell = Cell(text, Location(raw=text, table_index=table_index, cell=(r, col)))
            for dc in range(span):
                row[col + dc] = cell if dc == 0 else None
            col += span
        grid.append(row)
    width = max((max(row) + 1 for row in grid if row), default=0)
    return [[row.get(c) for c in range(width)] for row in grid]


class _Reader:
    """Walks the document body in order, collecting paragraphs and tables."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.tables: list[RawTable] = []
        self.index = 0
        self.previous_report = False

    def walk(self, el: Any) -> None:
        """Body-level content: paragraphs, tables, and the containers around them."""
        for child in el:
            if child.tag == W + "p":
                self.lines.append(paragraph_text(child))
            elif child.tag == W + "tbl":
                self.table(child)
            elif child.tag in _CONTAINERS or child.tag == W + "tc":
                self.walk(child)

    def table(self, tbl: Any) -> None:
        """A data table becomes a RawTable; a layout table (one holding tables) is read as body content."""
        index = self.index
        self.index += 1
        if tbl.find(f".//{W}tbl") is not None:
            for tr in _rows(tbl):
                for tc in _row_cells(tr):
                    self.walk(tc)
            return
        rows = [r for r in table_grid(tbl, index) if any(c is not None for c in r)]
        if not rows:
            return
        raw = RawTable(rows=rows)
        has_values = any(split_row(r)[1] for r in rows)
        if classify_table(raw) is not None or (self.previous_report and has_values):
            self.previous_report = True
        else:
            self.previous_report = False
            self.lines.extend(
                " ".join(c.text.replace("\n", " ") for c in r if c is not None and c.text) for r in rows
            )
        self.tables.append(raw)


def parse_docx(data: bytes) -> ParsedDocument:
    """A .docx into its body text (paragraphs in order) and its tables as exact grids."""
    if data.startswith(OLE_MAGIC):
        raise ExtractError(
            "unsupported_format", "legacy Word .doc (OLE2); only .docx, PDF, HTML and text are read"
        )
    check_docx(data)  # resource limits (issue 18): parts, inflated sizes, elements
    try:
        import docx
        from docx.opc.exceptions import PackageNotFoundError

        document = docx.Document(BytesIO(data))
    except zipfile.BadZipFile as e:
        raise ExtractError("truncated", f"a Word document whose ZIP container is damaged: {e}") from e
    except (zlib.error, EOFError) as e:
        raise ExtractError("truncated", f"a Word document whose parts cannot be decompressed: {e}") from e
    except (KeyError, PackageNotFoundError, ValueError) as e:
        raise ExtractError("unsupported_format", f"not a Word document: {e}") from e
    except Exception as e:  # lxml.etree.XMLSyntaxError and the like: a damaged document part
        if type(e).__name__ == "XMLSyntaxError" and "Resource limit exceeded" in str(e):
            # lxml's own bound (a text node over 10 MB, a tree too deep): a limit, not damage
            raise ExtractError("too_large", f"a Word document's XML is over the parser's limit: {e}") from e
        if type(e).__name__ == "XMLSyntaxError":
            raise ExtractError("truncated", f"a Word document whose XML is damaged: {e}") from e
        raise
    reader = _Reader()
    reader.walk(document.element.body)
    text = clean_text("\n".join(line.strip() for line in reader.lines if line.strip()))
    if not text.strip() and not reader.tables:
        raise ExtractError("empty", "the document has no text")
    return ParsedDocument(text=text, tables=reader.tables, format="docx")
