"""DOCX attachments written with python-docx: merged cells as Word makes them, zip rewritten byte-stable.

The city writes Word heading styles and dated core properties; the format fixtures write plain paragraphs
(a bold title, optionally a CJK base font and small table text) or fill in the official blank template.
"""

from __future__ import annotations

import copy
import datetime as dt
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from io import BytesIO
from typing import Any

from nianbao.pipeline import tables as T
from nianbao.pipeline.model import Report

from samplegen.layout import HEADER_ROWS, SECTION_TITLES, CellAlign, Grid, Printed, place, split_grid_columns

_FIXED_TIME = (2021, 1, 1, 0, 0, 0)


@dataclass
class DocxStyle:
    """How a Word document is written (the defaults are the city's)."""

    headings: bool = True  # title and sections in Word's heading styles (else plain paragraphs)
    title: str = "heading"  # heading | bold (22 pt run) | centered: how a plain-paragraph title looks
    properties: bool = True  # title and fixed dates in docProps/core.xml (else python-docx's defaults)
    font: str | None = None  # the Normal style's font, Latin and East Asian, at 10.5 pt
    table_sizes: dict[str, float] = field(default_factory=dict)  # table key → its text's size in points
    gap_after_table: bool = False  # an empty paragraph after each table
    zip_time: tuple[int, int, int, int, int, int] = _FIXED_TIME  # every zip entry's timestamp
    zip_mode: int = 0o644  # every zip entry's Unix permissions
    # the development corpus's quirks
    borders: bool = True  # tables in "Table Grid" (else no rule at all: text in columns)
    open_rows: dict[str, frozenset[int]] = field(default_factory=dict)  # table → rows without the rule above
    break_before: dict[str, int] = field(default_factory=dict)  # table → the row a new page starts with
    repeat_header: dict[str, int] = field(default_factory=dict)  # table → header rows printed again after it
    cut_labels: bool = False  # a merged label cut by that page break prints half its text on each side
    landscape: tuple[str, ...] = ()  # tables set on a landscape page of their own
    cells: CellAlign | None = None  # paragraph and cell alignment in the tables (None: Word's, left and top)


def _no_rule(cell: Any, side: str) -> None:
    """Take one side's rule off a cell (w:tcBorders/w:<side> w:val=nil)."""
    from docx.oxml.ns import qn

    pr = cell._tc.get_or_add_tcPr()
    borders = pr.find(qn("w:tcBorders"))
    if borders is None:
        borders = pr.makeelement(qn("w:tcBorders"), {})
        pr.append(borders)
    edge = borders.makeelement(qn(f"w:{side}"), {qn("w:val"): "nil"})
    borders.append(edge)


def _table(
    document: Any,
    grid: Grid,
    size: float | None = None,
    borders: bool = True,
    open_rows: frozenset[int] = frozenset(),
    cells: CellAlign | None = None,
    header_rows: int = 0,
) -> None:
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
    from docx.enum.text import WD_PARAGRAPH_ALIGNMENT
    from docx.shared import Pt

    placed = place(grid)
    ncols = max(c + cs for _r, c, _rs, cs, _t in placed)
    table = document.add_table(rows=len(grid), cols=ncols)
    if borders:
        table.style = "Table Grid"
    # table.cell() rescans the whole table each call; take the grid once (spans never overlap, so the
    # corner cells of later merges stay valid while earlier ones are merged)
    grid_cells = table._cells
    for r, c, rs, cs, text in placed:
        cell = grid_cells[r * ncols + c]
        if rs > 1 or cs > 1:
            cell = cell.merge(grid_cells[(r + rs - 1) * ncols + c + cs - 1])
        cell.text = text
        if size:
            for p in cell.paragraphs:
                for run in p.runs:
                    run.font.size = Pt(size)
        if cells is not None:
            header = r < header_rows
            for p in cell.paragraphs:
                p.alignment = getattr(WD_PARAGRAPH_ALIGNMENT, cells.horizontal(text, header).upper())
            top = cells.vertical(header) == "top"
            cell.vertical_alignment = (
                WD_CELL_VERTICAL_ALIGNMENT.TOP if top else WD_CELL_VERTICAL_ALIGNMENT.CENTER
            )
    for r in sorted(open_rows):
        for c in range(ncols):
            _no_rule(grid_cells[r * ncols + c], "top")
            _no_rule(grid_cells[(r - 1) * ncols + c], "bottom")


def stable_zip(data: bytes, date_time: tuple[int, ...] = _FIXED_TIME, mode: int = 0o644) -> bytes:
    """Rewrite a zip with fixed timestamps and attributes, so the same content gives the same bytes."""
    src = zipfile.ZipFile(BytesIO(data))
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=date_time)  # type: ignore[arg-type]
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = mode << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def render_docx(doc: Printed, style: DocxStyle | None = None) -> bytes:
    """The report as a Word document: title, section headings and paragraphs, merged-cell tables."""
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Pt

    style = style or DocxStyle()
    document = Document()
    if style.properties:
        props = document.core_properties
        props.author = ""
        props.last_modified_by = ""
        props.title = doc.title
        props.created = dt.datetime(2021, 1, 1)
        props.modified = dt.datetime(2021, 1, 1)
        props.revision = 1
    if style.font:
        normal = document.styles["Normal"]
        normal.font.name = style.font
        normal.font.size = Pt(10.5)
        normal.element.rPr.rFonts.set(qn("w:eastAsia"), style.font)
    if style.headings:
        document.add_heading(doc.title, level=1)
    elif style.title == "bold":
        run = document.add_paragraph().add_run(doc.title)
        run.bold = True
        run.font.size = Pt(22)
    else:
        document.add_paragraph(doc.title).alignment = 1
    # a table on a landscape page takes its section heading along
    turn = {
        n
        for n, block in enumerate(doc.blocks[:-1])
        if block[0] == "h" and doc.blocks[n + 1][0] == "table" and doc.blocks[n + 1][1] in style.landscape
    }
    for n, block in enumerate(doc.blocks):
        if n in turn:
            _orient(document, landscape=True)
        if block[0] == "h":
            if style.headings:
                document.add_heading(block[1], level=2)
            else:
                document.add_paragraph(block[1])
        elif block[0] == "p":
            para = document.add_paragraph(block[1])
            if "center" in block[2:]:
                para.alignment = 1
            elif "right" in block[2:]:
                para.alignment = 2
        else:
            key, grid = block[1], block[2]
            if key in style.landscape and n - 1 not in turn:
                _orient(document, landscape=True)
            parts = [grid]
            if key in style.break_before:
                head = style.repeat_header.get(key, 0)
                parts = list(split_grid_columns(grid, style.break_before[key], style.cut_labels, head))
            open_rows = style.open_rows.get(key, frozenset())
            for n, part in enumerate(parts):
                if n:
                    from docx.enum.text import WD_BREAK

                    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
                    shift = style.break_before[key] - style.repeat_header.get(key, 0)
                    rows = frozenset(r - shift for r in open_rows if r - shift > 0)
                else:
                    rows = frozenset(r for r in open_rows if r < len(part))
                head = HEADER_ROWS.get(key, 0) if not n else style.repeat_header.get(key, 0)
                _table(document, part, style.table_sizes.get(key), style.borders, rows, style.cells, head)
            if key in style.landscape:
                _orient(document, landscape=False)
            if style.gap_after_table:
                document.add_paragraph("")
    buf = BytesIO()
    document.save(buf)
    return stable_zip(buf.getvalue(), style.zip_time, style.zip_mode)


def _orient(document: Any, landscape: bool) -> None:
    """Start a new section (on a new page) in landscape or back in portrait."""
    from docx.enum.section import WD_ORIENT, WD_SECTION

    last = document.sections[-1]
    section = document.add_section(WD_SECTION.NEW_PAGE)
    w, h = last.page_width, last.page_height
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    if (w < h) == landscape:
        section.page_width, section.page_height = h, w


# ----------------------------------------------------------------------------- the official blank template
def _grid_tcs(tbl: Any) -> dict[tuple[int, int], Any]:
    """(row, grid column) → w:tc for the cells that start there (vMerge continuations left out)."""
    from docx.oxml.ns import qn

    out: dict[tuple[int, int], Any] = {}
    for r, tr in enumerate(tbl.findall(qn("w:tr"))):
        col = 0
        for tc in tr.findall(qn("w:tc")):
            pr = tc.find(qn("w:tcPr"))
            span = pr.find(qn("w:gridSpan")) if pr is not None else None
            vm = pr.find(qn("w:vMerge")) if pr is not None else None
            if vm is None or vm.get(qn("w:val")) == "restart":
                out[(r, col)] = tc
            col += int(span.get(qn("w:val"))) if span is not None else 1
    return out


def _set_cell(tc: Any, text: str) -> None:
    """Replace a cell's text, keeping its first paragraph's and run's formatting."""
    from docx.oxml.ns import qn

    paras = tc.findall(qn("w:p"))
    for extra in paras[1:]:
        tc.remove(extra)
    p = paras[0]
    runs = p.findall(qn("w:r"))
    model = copy.deepcopy(runs[0]) if runs else None
    for child in list(p):
        if child.tag != qn("w:pPr"):
            p.remove(child)
    run = model if model is not None else p.makeelement(qn("w:r"), {})
    for child in list(run):
        if child.tag != qn("w:rPr"):
            run.remove(child)
    t = run.makeelement(qn("w:t"), {})
    t.text = text
    run.append(t)
    p.append(run)


def _set_paragraph(p: Any, text: str) -> None:
    """Replace a paragraph's text, keeping the first run's formatting."""
    runs = p.runs
    for extra in runs[1:]:
        extra._r.getparent().remove(extra._r)
    if runs:
        runs[0].text = text
    else:
        p.add_run(text)


def fill_template(
    template: bytes, report: Report, doc: Printed, zip_time: tuple[int, ...], zip_mode: int = 0o600
) -> bytes:
    """The official blank v2021 template with its own tables filled in and `doc`'s title and narrative written."""
    import docx

    d = docx.Document(BytesIO(template))
    texts: dict[str, list[str]] = {}
    section = ""
    for block in doc.blocks:
        if block[0] == "h":
            section = block[1][0]
        elif block[0] == "p":
            texts.setdefault(section, []).append(block[1])
    section = ""
    for p in list(d.paragraphs):
        s = p.text.strip()
        if s == "政府信息公开工作年度报告格式模板":
            _set_paragraph(p, doc.title)
        for number, head in SECTION_TITLES.items():
            if s.startswith(head):
                section = number
        if s.startswith("（文字描述"):
            _set_paragraph(p, "".join(texts[section]))
    t2, t3, t4 = (_grid_tcs(t._tbl) for t in d.tables)
    pro = report.proactive
    for row, item in ((2, "rules"), (3, "normative_documents")):
        for col, m in enumerate(("issued", "repealed", "in_force"), start=1):
            _set_cell(t2[(row, col)], str(pro[item][m]))
    for row, item in ((6, "licensing"), (9, "penalty"), (10, "coercion")):
        _set_cell(t2[(row, 1)], str(pro[item]["decisions"]))
    _set_cell(t2[(13, 1)], f"{(Decimal(pro['fees']['amount_yuan']) / 10000).normalize():f}")
    for row, code in enumerate(T.application_row_codes("v2021"), start=3):
        for col, a in enumerate(T.APPLICANT_CODES, start=3):
            _set_cell(t3[(row, col)], str(report.applications[code][a]))
    cells = [(p, o) for p in T.PROCEEDING_CODES for o in T.OUTCOME_CODES]
    for n, (p_code, o_code) in enumerate(cells):
        _set_cell(t4[(3, n)], str(report.review_litigation[p_code][o_code]))
    buf = BytesIO()
    d.save(buf)
    return stable_zip(buf.getvalue(), zip_time, zip_mode)
