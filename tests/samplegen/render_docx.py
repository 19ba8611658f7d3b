"""DOCX attachments written with python-docx: merged cells as Word makes them, zip rewritten byte-stable."""

from __future__ import annotations

import datetime as dt
import zipfile
from io import BytesIO

from samplegen.layout import Grid, Printed
from samplegen.render_pdf import place

_FIXED_TIME = (2021, 1, 1, 0, 0, 0)


def _table(document: object, grid: Grid) -> None:
    placed = place(grid)
    ncols = max(c + cs for _r, c, _rs, cs, _t in placed)
    table = document.add_table(rows=len(grid), cols=ncols)  # type: ignore[attr-defined]
    table.style = "Table Grid"
    # table.cell() rescans the whole table each call; take the grid once (spans never overlap, so the
    # corner cells of later merges stay valid while earlier ones are merged)
    grid_cells = table._cells
    for r, c, rs, cs, text in placed:
        cell = grid_cells[r * ncols + c]
        if rs > 1 or cs > 1:
            cell = cell.merge(grid_cells[(r + rs - 1) * ncols + c + cs - 1])
        cell.text = text


def stable_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed timestamps and attributes, so the same content gives the same bytes."""
    src = zipfile.ZipFile(BytesIO(data))
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def render_docx(doc: Printed) -> bytes:
    """The report as a Word document: title, section headings and paragraphs, three merged-cell tables."""
    from docx import Document

    document = Document()
    props = document.core_properties
    props.author = ""
    props.last_modified_by = ""
    props.title = doc.title
    props.created = dt.datetime(2021, 1, 1)
    props.modified = dt.datetime(2021, 1, 1)
    props.revision = 1
    document.add_heading(doc.title, level=1)
    for block in doc.blocks:
        if block[0] == "h":
            document.add_heading(block[1], level=2)
        elif block[0] == "p":
            document.add_paragraph(block[1])
        else:
            _table(document, block[2])
    buf = BytesIO()
    document.save(buf)
    return stable_zip(buf.getvalue())
