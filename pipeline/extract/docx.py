"""DOCX attachments → body text and table grids, merged cells (gridSpan, vMerge, hMerge) read from the XML.

When the document's own tables do not show all of tables 2-4, the pictures drawn in its body (in
document order, at the width the document shows them) are read by OCR and their tables join its own
(`pictures.py`): a Word file whose tables were pasted in as screenshots.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from io import BytesIO
from typing import Any

from nianbao.pipeline.errors import ExtractError
from nianbao.pipeline.extract.cells import Cell, ParsedDocument, RawTable, Row, split_row
from nianbao.pipeline.extract.glyphs import clean_text
from nianbao.pipeline.extract.limits import check_docx, check_table_cells
from nianbao.pipeline.extract.pictures import (
    CSS_DPI,
    MAX_PICTURES,
    PicturePage,
    Shown,
    pictured_tables,
    wanted,
)
from nianbao.pipeline.extract.pictures import picture_pages as shown_pages
from nianbao.pipeline.extract.sections import classify_table
from nianbao.pipeline.model import Location

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CONTAINERS = {W + "sdt", W + "sdtContent", W + "customXml", W + "smartTag", W + "ins"}
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
_BLIP = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"
_IMAGEDATA = "{urn:schemas-microsoft-com:vml}imagedata"
_EMU_PER_INCH = 914_400
_VML_WIDTH = re.compile(r"(?:^|;)\s*width\s*:\s*(\d+(?:\.\d+)?)\s*(pt|px|in|cm|mm)", re.I)
_CSS_PER_UNIT = {"px": 1.0, "pt": CSS_DPI / 72, "in": CSS_DPI, "cm": CSS_DPI / 2.54, "mm": CSS_DPI / 25.4}


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


def _pictures(el: Any) -> list[tuple[str, float | None]]:
    """The pictures drawn in `el`, in document order: (relationship id, width shown in CSS px). A picture's
    DrawingML is read and its VML fallback for older readers skipped (the same picture twice)."""
    out: list[tuple[str, float | None]] = []
    for node in el.iter(_BLIP, _IMAGEDATA):
        if any(a.tag == MC_FALLBACK for a in node.iterancestors()):
            continue
        if node.tag == _BLIP:
            rid = node.get(_R + "embed")
            frame = next((a for a in node.iterancestors() if a.tag in (_WP + "inline", _WP + "anchor")), None)
            extent = frame.find(_WP + "extent") if frame is not None else None
            emu = _int(extent.get("cx") if extent is not None else None, 0)
            shown = emu / _EMU_PER_INCH * CSS_DPI if emu > 0 else None
        else:
            rid = node.get(_R + "id")
            m = _VML_WIDTH.search(node.getparent().get("style", "") if node.getparent() is not None else "")
            shown = float(m.group(1)) * _CSS_PER_UNIT[m.group(2).lower()] if m else None
        if rid:
            out.append((rid, shown))
    return out


class _Reader:
    """Walks the document body in order, collecting paragraphs, tables and the pictures drawn in them."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.tables: list[RawTable] = []
        self.pictures: list[tuple[str, float | None]] = []
        self.index = 0
        self.previous_report = False

    def walk(self, el: Any) -> None:
        """Body-level content: paragraphs, tables, and the containers around them."""
        for child in el:
            if child.tag == W + "p":
                self.lines.append(paragraph_text(child))
                self.pictures += _pictures(child)
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
        self.pictures += _pictures(tbl)  # a picture set in a table's cell (Word's way of placing one)
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


def _open(data: bytes) -> Any:
    """The python-docx Document of these bytes, or the typed reason it cannot be opened."""
    if data.startswith(OLE_MAGIC):
        raise ExtractError(
            "unsupported_format", "legacy Word .doc (OLE2); only .docx, PDF, HTML and text are read"
        )
    check_docx(data)  # resource limits (issue 18): parts, inflated sizes, elements
    try:
        import docx
        from docx.opc.exceptions import PackageNotFoundError

        return docx.Document(BytesIO(data))
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


def parse_docx(data: bytes) -> ParsedDocument:
    """A .docx into its body text (paragraphs in order) and its tables as exact grids; the tables of its
    pictures when its own lack some."""
    document = _open(data)
    reader = _Reader()
    reader.walk(document.element.body)
    text = clean_text("\n".join(line.strip() for line in reader.lines if line.strip()))
    if wanted(reader.tables) and reader.pictures:
        # its own tables lack some of 2-4: the others may be pasted in as pictures (`pictures.py`)
        pictured = pictured_tables(reader.tables, _picture_bytes(document.part, reader.pictures))
        if pictured is not None:
            pictured.text = f"{text}\n{pictured.text}"
            pictured.format = "docx"
            return pictured
    if not text.strip() and not reader.tables:
        raise ExtractError("empty", "the document has no text")
    return ParsedDocument(text=text, tables=reader.tables, format="docx")


def picture_pages(data: bytes) -> list[PicturePage]:
    """The pictures drawn in a Word file's body, each frame as OCR reads it (the page numbers of an OCR'd
    picture's locations count these): what the analysts' site crops its evidence from."""
    document = _open(data)
    reader = _Reader()
    reader.walk(document.element.body)
    return shown_pages(_picture_bytes(document.part, reader.pictures))


def _picture_bytes(part: Any, pictures: list[tuple[str, float | None]]) -> list[Shown]:
    """Each picture's bytes (its image part, by relationship id) with its shown width; a relationship that
    names no image part in the package (a linked picture, a broken id) is no picture."""
    if len(pictures) > MAX_PICTURES:
        raise ExtractError("too_large", f"the document has {len(pictures)} pictures (limit {MAX_PICTURES})")
    out: list[Shown] = []
    for rid, shown in pictures:
        target = part.related_parts.get(rid) if rid in part.rels and not part.rels[rid].is_external else None
        blob = getattr(target, "blob", None)
        if isinstance(blob, bytes):
            out.append((blob, shown))
    return out
