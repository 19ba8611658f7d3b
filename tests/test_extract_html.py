"""The HTML reader: Word-exported article pages, encodings, merged cells, site chrome, refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nianbao.pipeline.errors import ExtractError
from nianbao.pipeline.extract import extract_report, sniff
from nianbao.pipeline.extract.html import declared_charset, decode_html, parse_html
from nianbao.pipeline.extract.report import build_report
from nianbao.pipeline.tables import expected_cells

FILES = Path(__file__).parent / "files" / "html"
GOLDEN = Path(__file__).parent / "golden"
PAGES = sorted(p for p in FILES.glob("html_*.html"))


def test_fixtures_present() -> None:
    assert len(PAGES) >= 4


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_page_matches_golden(page: Path) -> None:
    data = page.read_bytes()
    assert sniff(data) == "html"
    report = extract_report(data)
    assert report.canonical() == json.loads((GOLDEN / f"{page.stem}.json").read_text(encoding="utf-8"))
    assert report.format == "html"
    assert report.warnings == []


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_every_cell_has_provenance(page: Path) -> None:
    report = extract_report(page.read_bytes())
    doc = parse_html(page.read_bytes())
    grid = {
        (c.loc.table_index, c.loc.cell): c.text
        for t in doc.tables
        for r in t.rows
        for c in r
        if c is not None
    }
    for table, row, col in expected_cells(report.template):
        loc = report.provenance[f"{table}.{row}.{col}"]
        # the location points at the very cell of the document's grid that holds the raw text
        assert grid[(loc.table_index, loc.cell)] == loc.raw


def test_gbk_page_is_really_gbk() -> None:
    data = (FILES / "html_hz-mzj_2022_gbk.html").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert declared_charset(data) == "gb18030"
    assert "杭州市民政局" in decode_html(data)


def test_undeclared_gbk_is_detected() -> None:
    page = (FILES / "html_hz-mzj_2022_gbk.html").read_bytes().replace(b"<meta charset=gbk>", b"")
    assert declared_charset(page) is None
    report = extract_report(page)
    assert report.agency == "杭州市民政局"
    assert report.processing_fees_yuan == 400


def test_mislabelled_utf8_page() -> None:
    page = (FILES / "html_hz-sfj_2020.html").read_bytes().replace(b"charset=utf-8", b"charset=gb2312")
    assert declared_charset(page) == "gb18030"
    assert extract_report(page).agency == "杭州市司法局"


def test_http_equiv_gb2312_declared() -> None:
    data = (FILES / "html_hz-scq_2019_fullwidth.html").read_bytes()
    assert declared_charset(data) == "gb18030"


def test_body_text_reading_order() -> None:
    doc = parse_html((FILES / "html_hz-mzj_2022_gbk.html").read_bytes())
    text = doc.text
    order = [
        "杭州市民政局2022年政府信息公开工作年度报告",
        "一、总体情况",
        "共收到政府信息公开申请",
        "二、主动公开",
        "三、收到和处理",
        "四、政府信息公开行政复议",
        "五、存在的主要问题",
        "六、其他需要报告的事项",
        "本年度共收取信息处理费400元",
    ]
    positions = [text.index(s) for s in order]
    assert positions == sorted(positions)
    # report tables' cells stay out of the body text; scripts, titles and links too
    assert "本年新收" not in text and "var articleTitle" not in text and "互动交流" not in text


def test_merged_cells_expand_to_none() -> None:
    doc = parse_html((FILES / "html_hz-sfj_2020.html").read_bytes())
    t3 = next(t for t in doc.tables if any(c is not None and "本年新收" in c.text for r in t.rows for c in r))
    width = len(t3.rows[0])
    assert width == 10 and all(len(r) == width for r in t3.rows)
    assert (
        t3.rows[0][0] is not None and t3.rows[0][1] is None and t3.rows[2][2] is None
    )  # rowspan=3 colspan=3
    assert t3.rows[5][0] is not None and "本年度办理结果" in t3.rows[5][0].text
    assert all(r[0] is None for r in t3.rows[6:25])  # 三、本年度办理结果 spans the 20 outcome rows (v2019)
    assert t3.rows[25][0] is not None and "结转下年度" in t3.rows[25][0].text
    labels = [c.text for r in t3.rows for c in r if c is not None]
    assert "商业\n企业" in labels  # <br> inside a label is kept as a line break


def test_fullwidth_total_first_blank_zero() -> None:
    report = extract_report((FILES / "html_hz-scq_2019_fullwidth.html").read_bytes())
    loc = report.provenance["applications.received_new.total"]
    assert loc.cell == (3, 3)  # the 总计 column printed first
    assert report.proactive["procurement"]["amount_yuan"] == 1270100
    blanks = [k for k, v in report.provenance.items() if v.raw == ""]
    assert blanks  # blank cells were read, as 0


@pytest.mark.parametrize("name", ["refuse_404.html", "refuse_listing.html"])
def test_not_a_report(name: str) -> None:
    data = (FILES / name).read_bytes()
    assert sniff(data) == "html"
    with pytest.raises(ExtractError) as e:
        extract_report(data)
    assert e.value.code == "not_a_report"


def test_article_without_tables() -> None:
    page = (FILES / "html_hz-sfj_2020.html").read_text(encoding="utf-8")
    cut = page[: page.index("<table class=MsoNormalTable")] + "</div></div></body></html>"
    with pytest.raises(ExtractError) as e:
        build_report(parse_html(cut.encode("utf-8")))
    assert e.value.code == "tables_not_found"


def test_rowspan_past_the_end_and_bad_spans() -> None:
    page = (
        "<html><body><p>某局2021年政府信息公开工作年度报告</p><table>"
        "<tr><td rowspan=9>a</td><td colspan='x'>b</td></tr><tr><td>c</td></tr></table></body></html>"
    )
    doc = parse_html(page.encode())
    rows = doc.tables[0].rows
    assert [[c.text if c else None for c in r] for r in rows] == [["a", "b"], [None, "c"]]


def test_empty_page() -> None:
    with pytest.raises(ExtractError) as e:
        parse_html(b"<html><body> </body></html>")
    assert e.value.code == "empty"
