"""The DOCX reader: merged cells from the XML, the official v2021 template, refusals."""

from __future__ import annotations

import json
from io import BytesIO
from pathlib import Path

import docx
import pytest

from nianbao.pipeline import tables as T
from nianbao.pipeline.errors import ExtractError
from nianbao.pipeline.extract import extract_report, sniff
from nianbao.pipeline.extract.applications import label_applications, read_applications, template_shown
from nianbao.pipeline.extract.docx import parse_docx
from nianbao.pipeline.extract.proactive import read_proactive
from nianbao.pipeline.extract.report import build_report, decide_template
from nianbao.pipeline.extract.review_litigation import read_review_litigation
from nianbao.pipeline.extract.sections import group_sections
from nianbao.pipeline.model import Report

FILES = Path(__file__).parent / "files" / "docx"
GOLDEN = Path(__file__).parent / "golden"
T1 = Path("/work/shared/real-reports/T1_2021-template-blank.docx")
DOCS = sorted(FILES.glob("docx_*.docx"))
needs_t1 = pytest.mark.skipif(not T1.exists(), reason="the shared real-reports folder is not mounted")


def test_fixtures_present() -> None:
    assert len(DOCS) >= 2


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.stem)
def test_docx_matches_golden(path: Path) -> None:
    data = path.read_bytes()
    assert sniff(data) == "docx"
    report = extract_report(data)
    assert report.canonical() == json.loads((GOLDEN / f"{path.stem}.json").read_text(encoding="utf-8"))
    assert report.format == "docx"
    assert report.warnings == []


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.stem)
def test_every_cell_has_provenance(path: Path) -> None:
    report = extract_report(path.read_bytes())
    doc = parse_docx(path.read_bytes())
    grid = {
        (c.loc.table_index, c.loc.cell): c.text
        for t in doc.tables
        for r in t.rows
        for c in r
        if c is not None
    }
    for table, row, col in T.expected_cells(report.template):
        loc = report.provenance[f"{table}.{row}.{col}"]
        assert grid[(loc.table_index, loc.cell)] == loc.raw


def test_grid_against_python_docx_cells() -> None:
    """Where python-docx repeats a merged cell, the grid has None; elsewhere the same text."""
    data = (FILES / "docx_hz-ghzy_2020.docx").read_bytes()
    doc = parse_docx(data)
    for index, table in enumerate(docx.Document(BytesIO(data)).tables):
        rows = doc.tables[index].rows
        cells = [row.cells for row in table.rows]
        for r, row in enumerate(cells):
            for c, cell in enumerate(row):
                left = c > 0 and row[c - 1]._tc is cell._tc
                above = r > 0 and cells[r - 1][c]._tc is cell._tc
                got = rows[r][c]
                if left or above:
                    assert got is None, (index, r, c)
                else:
                    assert got is not None and got.text == cell.text.strip(), (index, r, c)


def test_labels_with_line_breaks() -> None:
    doc = parse_docx((FILES / "docx_hz-ghzy_2020.docx").read_bytes())
    labels = {c.text for t in doc.tables for r in t.rows for c in r if c is not None}
    assert "本年新\n制作数量" in labels and "结果\n维持" in labels


@needs_t1
def test_t1_grid_is_exact() -> None:
    doc = parse_docx(T1.read_bytes())
    assert [len(t.rows) for t in doc.tables] == [14, 28, 4]
    t3 = doc.tables[1].rows
    assert all(len(r) == 10 for r in t3)
    assert t3[5][0] is not None and t3[5][0].text == "三、本年度办理结果"
    assert all(r[0] is None for r in t3[6:27])  # vMerge continuation
    assert t3[3][1] is None and t3[3][2] is None  # gridSpan
    assert t3[2][4] is not None and t3[2][4].text == "商业\n企业"
    assert t3[1][3].text == "自然人" and t3[2][3] is None
    assert t3[3][3].loc.cell == (3, 3) and t3[3][3].loc.table_index == 1


@needs_t1
def test_t1_labels_map_every_code() -> None:
    """Every label of the official template's tables maps to its canonical code via the table readers."""
    doc = parse_docx(T1.read_bytes())
    sections = group_sections(doc)
    assert set(sections) == set(T.TABLE_NAMES)
    labelled = label_applications(sections["applications"])
    assert template_shown(labelled) == "v2021"
    assert decide_template(sections["proactive"], labelled) == "v2021"
    report = Report(agency="x", year=2022, template="v2021")
    read_applications(labelled, "v2021", report)
    assert report.warnings == []
    assert list(report.applications) == list(T.application_row_codes("v2021"))
    assert all(list(v) == list(T.APPLICANT_CODES) for v in report.applications.values())
    assert report.provenance["applications.received_new.natural_person"].cell == (3, 3)
    assert report.provenance["applications.carried_out.total"].cell == (27, 9)
    read_review_litigation(sections["review_litigation"], report)
    assert {p: list(o) for p, o in report.review_litigation.items()} == {
        p: list(T.OUTCOME_CODES) for p in T.PROCEEDING_CODES
    }
    assert report.provenance["review_litigation.litigation_after_review.total"].cell == (3, 14)
    read_proactive(sections["proactive"], "v2021", report)
    assert {i: list(m) for i, m in report.proactive.items()} == {
        i: list(m) for i, m in T.PROACTIVE_LAYOUT["v2021"].items()
    }


@needs_t1
def test_blank_template_is_not_a_report() -> None:
    """The blank template has the tables but no agency and year: it is not a report."""
    with pytest.raises(ExtractError) as e:
        extract_report(T1.read_bytes())
    assert e.value.code == "not_a_report"


def test_legacy_doc_is_not_docx() -> None:
    """The DOCX reader itself refuses a legacy .doc; `extract_report` converts it first (tests/test_legacy.py)."""
    data = (FILES / "refuse_legacy.doc").read_bytes()
    with pytest.raises(ExtractError) as e:
        parse_docx(data)
    assert e.value.code == "unsupported_format"


def test_truncated_docx_refused() -> None:
    data = (FILES / "refuse_truncated.docx").read_bytes()
    for read in (extract_report, parse_docx):
        with pytest.raises(ExtractError) as e:
            read(data)
        assert e.value.code == "truncated"


def test_docx_without_tables() -> None:
    d = docx.Document()
    d.add_paragraph("杭州市某局2022年政府信息公开工作年度报告")
    d.add_paragraph("一、总体情况")
    buf = BytesIO()
    d.save(buf)
    with pytest.raises(ExtractError) as e:
        build_report(parse_docx(buf.getvalue()))
    assert e.value.code == "tables_not_found"


def test_empty_docx() -> None:
    buf = BytesIO()
    docx.Document().save(buf)
    with pytest.raises(ExtractError) as e:
        parse_docx(buf.getvalue())
    assert e.value.code == "empty"
