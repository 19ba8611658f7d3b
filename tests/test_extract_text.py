"""The plain-text reader: the spec's example and PDF-to-Markdown output; the template decision on small texts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nianbao.pipeline import tables as T
from nianbao.pipeline.errors import ExtractError
from nianbao.pipeline.extract import extract_report, sniff
from nianbao.pipeline.extract.applications import (
    LabelledRows,
    label_applications,
    read_applications,
    template_shown,
)
from nianbao.pipeline.extract.cells import Row
from nianbao.pipeline.extract.report import decide_template
from nianbao.pipeline.extract.sections import group_sections
from nianbao.pipeline.extract.text import parse_text
from nianbao.pipeline.model import Report

FILES = Path(__file__).parent / "files" / "text"
GOLDEN = Path(__file__).parent / "golden"
DOCS = sorted([*FILES.glob("*.txt"), *FILES.glob("*.md")])


def test_fixtures_present() -> None:
    names = {p.name for p in DOCS}
    assert "hz-yjglj_2020.txt" in names and any(n.endswith(".md") for n in names)


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.stem)
def test_text_matches_golden(path: Path) -> None:
    data = path.read_bytes()
    assert sniff(data) == "text"
    report = extract_report(data)
    assert report.canonical() == json.loads((GOLDEN / f"{path.stem}.json").read_text(encoding="utf-8"))
    for table, row, col in T.expected_cells(report.template):
        loc = report.provenance[f"{table}.{row}.{col}"]
        assert loc.line is not None
        # the line number points at the source line that prints the raw value
        line = data.decode("utf-8-sig").splitlines()[loc.line - 1]
        assert loc.raw in line.replace("<br>", "\n").replace("**", "")


def test_markdown_cells() -> None:
    doc = parse_text((FILES / "md_hz-czj_2021.md").read_bytes())
    labels = {c.text for t in doc.tables for r in t.rows for c in r if c is not None}
    assert "本年制\n发件数" in labels  # <br> is a line break inside the cell
    assert not any("**" in s or "<br>" in s for s in labels)
    carried_out = next(r for t in doc.tables for r in t.rows if r and r[0] and "结转下年度" in r[0].text)
    assert len(carried_out) == 10  # trailing blank cells are cells, not padding
    assert "- 2 -" not in doc.text and "|---" not in doc.text


def test_markdown_title_and_fees() -> None:
    report = extract_report((FILES / "md_hz-czj_2021.md").read_bytes())
    assert (report.agency, report.year) == ("杭州市财政局", 2021)
    assert report.processing_fees_yuan == 0
    assert report.narrative["applications_received"]["value"] == report.applications["received_new"]["total"]


def test_escaped_pipe_in_markdown_cell() -> None:
    doc = parse_text("## 三、收到\n|a\\|b|1||\n".encode())
    assert [c.text for c in doc.tables[0].rows[0] if c] == ["a|b", "1", ""]


# ----------------------------------------------------------------------------- the template decision
V2021_T2 = ["信息内容\t本年制发件数\t本年废止件数\t现行有效件数", "规章\t1\t0\t5"]
V2019_T2 = ["信息内容\t本年新制作数量\t本年新公开数量\t对外公开总数量", "规章\t1\t1\t5"]
NEUTRAL_T2 = ["信息内容\t本年处理决定数量", "行政许可\t12"]  # labels both templates print
ZEROS = "\t0" * 7
V2019_OTHER = ["（六）其他处理" + ZEROS]
V2021_OTHER = [
    "（六）其他处理",
    "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请" + ZEROS,
    "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请" + ZEROS,
    "3.其他" + ZEROS,
]


def _tables(t2: list[str], t3: list[str]) -> tuple[list[Row], LabelledRows]:
    """Table 2's rows and table 3 labelled, from a small text report."""
    header = "申请人情况\t自然人\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t总计"
    t3 = [header, "一、本年新收政府信息公开申请数量" + ZEROS, *t3]
    text = "\n".join(["二、主动公开政府信息情况", *t2, "三、收到和处理政府信息公开申请情况", *t3])
    sections = group_sections(parse_text(text.encode()))
    return sections["proactive"], label_applications(sections["applications"])


@pytest.mark.parametrize(
    ("t2", "t3", "template"),
    [
        (V2021_T2, [], "v2021"),
        (V2019_T2, [], "v2019"),
        (V2021_T2, V2019_OTHER, "v2021"),  # table 2's measures outvote a v2021 report's old single row
        (V2019_T2, V2021_OTHER, "v2019"),
        (NEUTRAL_T2, V2021_OTHER, "v2021"),  # table 3's 其他处理 rows break the tie
        (NEUTRAL_T2, V2019_OTHER, "v2019"),
    ],
)
def test_template_decided_from_labels_before_reading(t2: list[str], t3: list[str], template: str) -> None:
    """Table 2's measures decide the template; table 3's 其他处理 rows only break a tie."""
    assert decide_template(*_tables(t2, t3)) == template


def test_no_label_shows_a_template() -> None:
    """Neither table's labels show a template: the tables are not the template's."""
    with pytest.raises(ExtractError) as e:
        decide_template(*_tables(NEUTRAL_T2, []))
    assert e.value.code == "tables_not_found"


def test_template_shown_by_table_three() -> None:
    """Only the rows one template alone has show it."""
    assert template_shown(_tables(V2021_T2, V2021_OTHER)[1]) == "v2021"
    assert template_shown(_tables(V2021_T2, V2019_OTHER)[1]) == "v2019"
    assert template_shown(_tables(V2021_T2, [])[1]) is None


def test_a_zero_v2019_other_row_in_a_v2021_table_fills_its_three_rows_and_says_so() -> None:
    """Issue 12: the v2019 single 其他处理 row, 0 in every column, stands for the three v2021 rows: all 0."""
    _t2, labelled = _tables(V2021_T2, V2019_OTHER)
    assert [code for code, _cells in labelled.rows] == ["received_new", "other_handling"]
    report = Report(agency="x", year=2022, template="v2021")
    read_applications(labelled, "v2021", report)
    assert list(report.applications) == [
        "received_new",
        "other_no_correction",
        "other_fee_unpaid",
        "other_misc",
    ]
    assert all(
        v == 0
        for row in ("other_no_correction", "other_fee_unpaid", "other_misc")
        for v in report.applications[row].values()
    )
    assert report.reading.assumed() == ["other_handling_zero_split"]
    assert report.warnings == []


def test_a_non_zero_v2019_other_row_in_a_v2021_table_is_not_split() -> None:
    """A non-zero single 其他处理 row cannot be split: the three rows stay unknown, the printed row is kept."""
    _t2, labelled = _tables(V2021_T2, ["（六）其他处理\t2\t0\t0\t0\t1\t0\t3"])
    report = Report(agency="x", year=2022, template="v2021")
    read_applications(labelled, "v2021", report)
    assert list(report.applications) == ["received_new"]
    assert report.reading.details["other_handling_printed"]["total"] == 3
    assert report.reading.assumed() == []


# ----------------------------------------------------------------------------- table 3 without its labels
MD = (FILES / "md_hz-czj_2021.md").read_text(encoding="utf-8")
_HEADER = MD.splitlines()[30:34]  # the applicant header: 申请人情况 / 自然人 … 总计 / 商业企业 …


def _md_without_header() -> str:
    """Table 3 whose header names no applicant column (a converter dropped the header rows)."""
    lines = MD.splitlines()
    return "\n".join([*lines[:30], "||||||||||", "|---|---|---|---|---|---|---|---|---|---|", *lines[34:]])


def _total_first(line: str) -> str:
    """A table 3 row with its last value cell (总计) moved in front of the six applicant cells."""
    cells = line.split("|")[1:-1]
    if len(cells) != 10 or not line.startswith("|"):
        return line
    labels, values = cells[:3], cells[3:]
    return "|" + "|".join([*labels, values[-1], *values[:-1]]) + "|"


def _table3_lines(text: str) -> tuple[list[str], int, int]:
    lines = text.splitlines()
    start = next(i for i, s in enumerate(lines) if "三、收到和处理" in s)
    end = next(i for i, s in enumerate(lines) if "四、政府信息公开行政复议" in s)
    return lines, start, end


def test_unnamed_columns_taken_in_template_order_and_recorded() -> None:
    expected = extract_report(MD.encode()).applications
    report = extract_report(_md_without_header().encode())
    assert report.applications == expected
    (assumed,) = [a for a in report.reading.assumptions if a["what"] == "alignment_by_identities"]
    assert assumed["applicants"] == list(T.APPLICANT_CODES)


def test_unnamed_columns_with_total_first_found_by_the_rows_sums() -> None:
    expected = extract_report(MD.encode()).applications
    lines, start, end = _table3_lines(_md_without_header())
    moved = [*lines[:start], *(_total_first(s) for s in lines[start:end]), *lines[end:]]
    report = extract_report("\n".join(moved).encode())
    assert report.applications == expected
    (assumed,) = [a for a in report.reading.assumptions if a["what"] == "alignment_by_identities"]
    assert assumed["applicants"] == ["total", *T.APPLICANT_PARTS]


def _unlabel(text: str, labels: tuple[str, ...]) -> str:
    """Rows whose label cells are blanked, as when a page break loses a table's label columns."""
    out = []
    for line in text.splitlines():
        if any(label in line for label in labels):
            cells = line.split("|")
            line = "|".join(["", "", "", "", *cells[4:]])
        out.append(line)
    return "\n".join(out)


def test_rows_without_labels_placed_by_order_when_the_identities_hold() -> None:
    expected = extract_report(MD.encode())
    report = extract_report(_unlabel(MD, ("2．没有现成信息", "3．补正后申请内容")).encode())
    assert report.applications == expected.applications
    (assumed,) = [a for a in report.reading.assumptions if a["what"] == "rows_by_order"]
    assert assumed["rows"] == ["unavailable_needs_creation", "unavailable_unclear"]
    assert "alignment_by_identities" not in report.reading.assumed()


def test_rows_without_labels_refused_when_the_count_does_not_fit() -> None:
    text = _unlabel(MD, ("2．没有现成信息", "3．补正后申请内容"))
    text = "\n".join(s for s in text.splitlines() if "1．信访举报投诉类申请" not in s)
    with pytest.raises(ExtractError) as err:
        extract_report(text.encode())
    assert err.value.code == "tables_not_found" and "cannot be placed" in str(err.value)


def test_rows_without_labels_refused_when_placed_they_break_the_identities() -> None:
    text = _unlabel(MD, ("2．没有现成信息",)).replace("|31|7|1|||1|40|", "|31|7|1|||1|41|")
    text = text.replace("（七）总计||177|148|7|3|2|6|343|", "（七）总计||177|148|7|3|2|6|344|")
    with pytest.raises(ExtractError) as err:
        extract_report(text.encode())
    assert err.value.code == "tables_not_found" and "identities do not hold" in str(err.value)


def _with_header(cells: str) -> str:
    lines = MD.splitlines()
    return "\n".join([*lines[:30], cells, "|---|---|---|---|---|---|---|---|---|---|", *lines[34:]])


def test_two_header_rows_typed_as_one_line_keep_total_last() -> None:
    """自然人 总计 商业企业 …: the template's two header rows flattened; 总计 is still the last column."""
    report = extract_report(
        _with_header("|||自然人|总计|商业企业|科研机构|社会公益组织|法律服务机构|其他|").encode()
    )
    assert report.applications == extract_report(MD.encode()).applications
    assert "alignment_by_identities" not in report.reading.assumed()


def test_a_header_that_misplaces_total_is_overruled_by_the_rows_sums() -> None:
    """A header naming 总计 first over rows printed in the template's order: the rows' sums decide."""
    report = extract_report(
        _with_header("|||总计|自然人|商业企业|科研机构|社会公益组织|法律服务机构|其他|").encode()
    )
    assert report.applications == extract_report(MD.encode()).applications
    (assumed,) = [a for a in report.reading.assumptions if a["what"] == "alignment_by_identities"]
    assert assumed["applicants"] == list(T.APPLICANT_CODES)


def test_a_header_is_kept_where_the_rows_do_not_say_otherwise() -> None:
    """A row whose printed 总计 is not its sum (the source's arithmetic) stays as printed, in the header's order."""
    text = MD.replace("|（一）予以公开||2|31||1|1||35|", "|（一）予以公开||2|31||1|1||36|")
    report = extract_report(text.encode())
    assert report.applications["granted"] == {
        **extract_report(MD.encode()).applications["granted"],
        "total": 36,
    }
    assert "alignment_by_identities" not in report.reading.assumed()


def test_no_printed_value_is_read_for_two_measures() -> None:
    """Hand-typed text whose table 2 rows leave out their zeros (`其他对外管理服务事项<TAB>0<TAB>674` under three
    measures) cannot say which measure is missing; a value may go to one measure, never to two (674 was
    read as both 本年增/减 and 处理决定数量: the fallback for a merged cell took a cell already taken)."""
    from samplegen import design, perturb

    d = perturb.variant(1, "v2019", ["zeros_printed_otherwise", "fee_rephrased", "thousands_separators"])
    report = extract_report(design.render(d, "handtyped"))
    for item, measures in report.proactive.items():
        where = [report.provenance[f"proactive.{item}.{m}"] for m in measures]
        assert len({(w.line, w.cell, w.raw) for w in where}) == len(where), (item, measures)
    assert "decisions" not in report.proactive["other_services"]  # its row printed two values for three
