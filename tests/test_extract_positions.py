"""Tables printed without any ruling line (issue 12): columns from the positions of the numbers and header words.

Each case renders a generated record with the generator's reportlab writer while every rule and box it
draws is suppressed, so the page holds the same text in the same places with nothing to follow; the
reading must equal the record.
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any, cast
from unittest import mock

import pytest

from nianbao.pipeline import tables as T
from nianbao.pipeline.extract import extract_report
from nianbao.pipeline.extract.positions import is_number, lines, words

from samplegen.fixtures import ALIGNED

reportlab = pytest.importorskip("reportlab")


def _ruleless_pdf(
    seed: int, year: int, template: str, nothing_to_count: bool = False, zeros_empty: bool = False
) -> tuple[bytes, dict[str, object]]:
    """A rule-less PDF of a generated record; `nothing_to_count`: no application, review or lawsuit all year,
    and every zero count printed as an empty cell (tables 3 and 4 then print no number at all);
    `zeros_empty`: every zero count printed as an empty cell."""
    from reportlab.pdfgen import canvas

    from samplegen.fixtures import pdf_numbers
    from samplegen.layout import Style, printed
    from samplegen.records import fixture_record, narrative_claims
    from samplegen.render_pdf import PdfStyle, render_pdf

    record = fixture_record(seed, "杭州市测试局", year, template, Decimal(0) if template == "v2021" else None)
    style = Style()
    if nothing_to_count:
        record.applications = {r: dict.fromkeys(cols, 0) for r, cols in record.applications.items()}
        record.review_litigation = {p: dict.fromkeys(cols, 0) for p, cols in record.review_litigation.items()}
        # table 2 prints its numbers (a rule-less row with only some cells empty is another matter)
        record.proactive = {
            item: {m: (v or 1) if isinstance(v, int) else v for m, v in measures.items()}
            for item, measures in record.proactive.items()
        }
        style = Style(numbers=pdf_numbers(wan=template == "v2021", zero=""))
    if zeros_empty:
        style = Style(numbers=pdf_numbers(wan=template == "v2021", zero=""))
    doc = printed(record, narrative_claims(record), style, random.Random(seed))
    with (
        mock.patch.object(canvas.Canvas, "line", lambda *a, **k: None),
        mock.patch.object(canvas.Canvas, "rect", lambda *a, **k: None),
    ):
        data = render_pdf(doc, PdfStyle(), list(T.application_row_codes(template)))
    return data, record.canonical()


@pytest.mark.parametrize(
    ("seed", "year", "template"),
    [
        (100, 2020, "v2019"),
        (101, 2022, "v2021"),
        (102, 2023, "v2021"),
        (7, 2019, "v2019"),
        (8, 2024, "v2021"),
    ],
)
def test_a_table_without_rules_reads_exactly(seed: int, year: int, template: str) -> None:
    data, truth = _ruleless_pdf(seed, year, template)
    report = extract_report(data)
    assert report.canonical() == truth
    assert report.reading.details["tables_from_positions"] is True
    loc = report.provenance["applications.received_new.total"]
    assert loc.page is not None and loc.bbox is not None  # every value still points at where it is printed


@pytest.mark.parametrize(("seed", "year", "template"), [(31, 2020, "v2019"), (32, 2022, "v2021")])
def test_a_table_that_prints_no_number_reads_as_its_empty_cells(seed: int, year: int, template: str) -> None:
    """Without rules and without a single number, tables 3 and 4 are still tables: the header's words give the
    columns, the labels the rows, and every cell is printed empty."""
    data, truth = _ruleless_pdf(seed, year, template, nothing_to_count=True)
    report = extract_report(data)
    assert report.canonical() == truth
    assert report.applications["received_new"]["total"] == 0
    assert report.review_litigation["review"]["total"] == 0


def _zeros_empty(seed: int) -> tuple[bytes, dict[str, object]]:
    template = "v2019" if seed % 2 else "v2021"
    return _ruleless_pdf(seed, 2020 if template == "v2019" else 2022, template, zeros_empty=True)


# seeds 20 and 28: table 3's last row on a page (部分公开) prints no value, its label's lines interleaved with
# a group's wrapped label; 40 and 78: the next page begins with such a row (属于国家秘密), with no header
# above it; 47 and 97: table 2's rows each leave a different cell empty (penalty prints its last two values,
# coercion its first two), so only the header's headings say which column a value is in; 136 and 184: the
# page after the break fills only six of table 3's seven columns, and has no header to name them
@pytest.mark.parametrize("seed", [*range(30), 40, 47, 78, 97, 136, 184])
def test_zeros_printed_as_empty_cells_without_rules(seed: int) -> None:
    """Without rules, a row that leaves some cells empty prints fewer values than there are columns, and a
    row of zeros prints none: columns come from where the values and the header's headings sit across the
    table, and a label line a row apart from the others is a row of empty cells."""
    data, truth = _zeros_empty(seed)
    assert extract_report(data).canonical() == truth


@pytest.mark.slow
def test_empty_cells_without_rules_read_exactly() -> None:
    """Over 400 generated layouts (seeds the test above does not use, but for the six it names), every reading
    is exact; and where one is not, no value it gives differs from the record (a row left out makes the
    table incomplete, and it is quarantined; a value in the wrong column is a wrong number no check sees).
    On 2026-12-05 before the fix of that day: 348 of 400 exact, 19 misread."""
    exact, misread = 0, []
    for seed in range(30, 430):
        data, truth = _zeros_empty(seed)
        got = extract_report(data).canonical()
        exact += got == truth
        for table in ("proactive", "applications", "review_litigation"):
            want, read = cast(dict[str, Any], truth[table]), cast(dict[str, Any], got[table])
            misread += [
                (seed, table, row) for row, cells in read.items() if cells not in (None, want.get(row))
            ]
    assert misread == []
    assert exact == 400


def test_numbers_and_lines() -> None:
    assert all(is_number(t) for t in ("0", "1,234", "减少28", "-", "—", "3.5", "１２"))
    assert not any(is_number(t) for t in ("规章", "第二十条", "1.属于国家秘密"))
    chars = [
        {
            "text": ch,
            "x0": 10.0 * i,
            "x1": 10.0 * i + 9,
            "top": 100.0 + (i >= 3) * 20,
            "doctop": 0.0,
            "bottom": 110.0 + (i >= 3) * 20,
            "upright": True,
        }
        for i, ch in enumerate("规章5行政")
    ]
    assert [[w.text for w in line] for line in lines(words(chars))] == [["规章5"], ["行政"]]


def test_a_first_row_whose_label_wraps_around_its_values() -> None:
    """Without rules, table 3's first row printed with its label on two lines and its values between them
    (一、本年新收政府 / 29 2 0 … / 信息公开申请数量): the line above the values is the start of the row's
    label, not a row of empty cells, and not nobody's (the row was lost, and the table with it)."""
    from samplegen import design, perturb

    d = perturb.variant(3868, "v2021", ["thousands_separators", "row_label_wrapped", "rules_removed"])
    got = extract_report(design.render(d, "reportlab_cid")).canonical()
    assert got == design.expected_record(d).canonical()


def test_a_group_name_set_between_its_empty_rows_is_no_row() -> None:
    """Without rules, zeros printed empty: table 3's row （六）1 prints nothing, and its group's name
    （六）其他处理, set beside the group's rows, lands on row 2's line and is split off as a row of empty cells.
    It is the group's heading (a numbered row follows), not v2019's single （六）其他处理 row of zeros, which
    had taken the place of row 1 (left out, and the table incomplete)."""
    from samplegen import design, perturb

    d = perturb.variant(935072, "v2021", ["rules_removed", "zeros_printed_otherwise", "title_split"])
    got = extract_report(design.render(d, "reportlab_ttf")).canonical()
    assert got == design.expected_record(d).canonical()


def test_a_groups_name_beside_a_row_is_not_its_numbered_label() -> None:
    """Without rules, labels wrapped round their values (reportlab, held out): （二）部分公开（…不计 / 其他情形）
    round 4 0 … 4, and on the values' line 三、本年, the first line of the group's name 三、本年 / 度办理结
    / 果 set further left. The row was taken to begin on its own line (numbered by the group's name) and
    （二）… for a row printing nothing: partially_granted read as blank zeros. A numbered line over values
    beside only a group's name further left, its label going on under them in its column, begins that
    row's label."""
    from samplegen import design, perturb

    d = perturb.variant(169373, "v2021", ["row_label_wrapped", "rules_removed", "title_split"])
    got = extract_report(design.render(d, "reportlab_cid")).canonical()
    assert got == design.expected_record(d).canonical()


def test_a_headings_rest_wrapped_short_of_the_values_is_the_headers() -> None:
    """Without rules, headings flush left over values flush right (reportlab, held out): table 2's 本年新 /
    制发件数, its second line short of the values' columns and one word, was no header line: the heading
    read 本年新 and the rules' issued counts were lost. A line set tight under a header line, each word
    under one of its headings right of the rows' labels, is the header's."""
    from samplegen import design, perturb

    d = perturb.variant(87744, "v2021", ["cells_aligned", "label_synonyms", "rules_removed"])
    got = extract_report(design.render(d, "reportlab_cid")).canonical()
    assert got == design.expected_record(d).canonical()


def test_a_heading_of_two_lines_round_the_others_line_is_the_headers() -> None:
    """Without rules, headings centred (reportlab_ttf, held out): table 2's 本年新 / 制作数量, two lines
    centred on 本年新公开数量's and 对外公开总数量's one, each a single word short of the values' columns:
    neither was a header line, the other headings went to the columns left of theirs, and made was lost.
    Lines set tight over or under the header's, right of the rows' labels, are the header's."""
    from samplegen import design, perturb

    d = perturb.variant(907336, "v2019", ["cells_aligned", "label_synonyms", "rules_removed"])
    got = extract_report(design.render(d, "reportlab_ttf")).canonical()
    assert got == design.expected_record(d).canonical()


def test_a_label_wrapped_round_its_values_at_a_pages_foot_stays_on_that_page() -> None:
    """Without rules, labels wrapped round their values (reportlab, held out): （一） / 度办理结 2 0 … 2 /
    予以公开 at page 1's foot, beside the group's name 三、本年 / 度办理结 / 果. 予以公开, not reaching near
    the values, was carried to page 2 and lost, and granted with it. A row whose label begins on the line
    above, beside only a group's name, keeps the line under its values."""
    from samplegen import design, perturb

    d = perturb.variant(253055, "v2019", ["row_label_wrapped", "rules_removed", "thousands_separators"])
    got = extract_report(design.render(d, "reportlab_cid")).canonical()
    assert got == design.expected_record(d).canonical()


def test_a_table_going_on_without_its_header_keeps_the_labels_edge() -> None:
    """Without rules, zeros printed empty, table 3 breaks after its second row: on the next page only two
    columns print values (自然人 and 总计, 170 pt apart). The columns carried from the page before say where
    the labels end; the two values alone put that edge inside the labels (labels such as 予以公开 were
    taken for header words, and the rows 予以公开 to 属于国家秘密 were lost, and the table with them)."""
    from samplegen import design, perturb

    d = perturb.variant(687088, "v2019", ["zeros_printed_otherwise", "rules_removed", "labels_respaced"])
    got = extract_report(design.render(d, "reportlab_cid")).canonical()
    assert got == design.expected_record(d).canonical()


def test_a_letter_spaced_heading_goes_over_one_column() -> None:
    """Without rules, values flush left, table 3's headings letter-spaced (社 会 公 益 / 组 织, 其 他): a
    heading's pieces go over one column together, by the heading's centre. Each piece went by its own, the
    last ones to the next column, the header named no column right and the applicants were placed by the
    table's sums instead (the values right, the reading not verified)."""
    from samplegen import design, perturb
    from samplegen.expect import assumption_codes

    d = perturb.variant(334348, "v2019", ["cells_aligned", "labels_respaced", "rules_removed"])
    report = extract_report(design.render(d, "reportlab_cid"))
    assert report.canonical() == design.expected_record(d).canonical()
    assert list(assumption_codes(report)) == []


# where a word processor leaves text in its cells (labels, values, vertically, the header rows)
ALIGNMENTS = [
    ("left", "left", "top", "left"),
    ("left", "left", "top", "center"),
    ("left", "center", "top", "center"),
    ("left", "center", "middle", "center"),
    ("left", "right", "middle", "center"),
    ("left", "right", "top", "center"),
    ("center", "left", "middle", "center"),
]


@pytest.mark.parametrize("template", ["v2019", "v2021"])
@pytest.mark.parametrize(("label", "value", "valign", "header"), ALIGNMENTS)
def test_text_set_anywhere_in_its_cell_without_rules(
    template: str, label: str, value: str, valign: str, header: str
) -> None:
    """Without rules, table 2's headings and labels set flush left in their cells (they are body rows, not
    the header), its values centred or flush left or right: a heading owns the values from its left edge to
    the next heading's, and the labels end where a row's first value begins, not half a column's gap before
    it. Before the fix 68 of 120 such layouts read wrong, 28 of them with a value read for another measure
    (flush-right values under flush-left headings read as the next column's)."""
    from samplegen import design, perturb
    from samplegen.layout import CellAlign

    for seed in (3, 5, 8):
        d = perturb.variant(seed, template, ["rules_removed"])
        d.cell_align = CellAlign(label, value, valign, header)
        got = extract_report(design.render(d, "reportlab_cid")).canonical()
        assert got == design.expected_record(d).canonical(), seed


@pytest.mark.slow
def test_text_set_anywhere_in_its_cell_without_rules_over_many_layouts() -> None:
    """Over 200 seeded variants (alignment drawn by the perturbation, rules removed), every reading exact."""
    from samplegen import design, perturb

    wrong = []
    for seed in range(1000, 1200):
        d = perturb.aligned(seed)
        got = extract_report(design.render(d, "reportlab_ttf" if seed % 3 else "reportlab_cid")).canonical()
        if got != design.expected_record(d).canonical():
            wrong.append((seed, d.cell_align))
    assert wrong == []


def _blank_zeros_aligned(seed: int) -> tuple[bytes, dict[str, object]]:
    """A rule-less PDF of a perturbed report whose text sits anywhere in its cells (`cells_aligned`) and
    whose zero counts print as empty cells."""
    from samplegen import design, perturb

    d = perturb.aligned(seed, zero="")
    return design.render(d, "reportlab_ttf"), design.expected_record(d).canonical()


# 6: table 4's single row, headings flush left, values flush right (each read a column to the right); 10:
# （三）不予, the group's name set midway down its rows, was taken for a row and hid row 4 above it; 14:
# （三）不予 | 1．属于国家秘密 at a page's top were taken for the header of a table printing no value; 16: table
# 3's row 部分公开 printing nothing, its label after a piece of the group's name (度办理结（二）…), was taken
# for the rest of the row above, whose values it then took; 42: table 2's headings of one width flush left,
# one value of a row printed (read under the first heading); 70: the fee's change flush right in a cell
# spanning two columns, far from its heading; 54: table 3 goes on over a page whose one data line is its
# last row (（七）总计): the rows above print nothing, their pitch is the numbered labels' and a label
# wrapped over two lines (…重新出具已获 / 取信息) is one row
@pytest.mark.parametrize("seed", [6, 10, 14, 16, 42, 54, 70])
def test_blank_zeros_and_text_not_centred_without_rules(seed: int) -> None:
    data, truth = _blank_zeros_aligned(seed)
    assert extract_report(data).canonical() == truth


@pytest.mark.slow
def test_blank_zeros_and_text_not_centred_without_rules_never_misread() -> None:
    """Over 140 such layouts no value is read for another cell (a row that cannot be placed leaves its table
    incomplete, and the report is quarantined), and every one reads exactly. Measured on 2026-12-05,
    before the fixes for these layouts: 33 exact, 45 with a misread value; after: 136 exact, none misread;
    after the seventeenth session's rules for empty rows (ff40902): 140 exact."""
    exact, misread = 0, []
    for seed in range(140):
        data, truth = _blank_zeros_aligned(seed)
        got = extract_report(data).canonical()
        exact += got == truth
        for table in ("proactive", "applications", "review_litigation"):
            want, read = cast(dict[str, Any], truth[table]), cast(dict[str, Any], got[table])
            for row, cells in read.items():
                if cells is None or want.get(row) is None:
                    continue
                misread += [(seed, table, row, k) for k, v in cells.items() if v != want[row].get(k)]
    assert misread == []
    assert exact == 140


# LibreOffice's and Chromium's prints of such layouts, committed (the programs and their font are not on every
# machine): what each was read wrong for is said beside it in tests/samplegen/fixtures.py (ALIGNED)
@pytest.mark.parametrize("name", sorted(ALIGNED))
def test_text_set_anywhere_in_its_cell_as_word_processors_and_browsers_print_it(name: str) -> None:
    from pathlib import Path

    from samplegen import design, fixtures

    data = (Path(__file__).parent / "files" / "pdf" / name).read_bytes()
    want = design.expected_record(fixtures.aligned_design(name)).canonical()
    assert extract_report(data).canonical() == want


def _rows(lines: list[list[str]]) -> list[list[Any]]:
    from nianbao.pipeline.extract.cells import Cell
    from nianbao.pipeline.model import Location

    return [[Cell(text, Location(raw=text, page=2)) for text in line] for line in lines]


# table 4 as the positional reader gave it from two Chromium prints of a rule-less page, headings flush left
# in their cells: 15 values under a header of three lines
_EMPTY5 = [""] * 5
_OUTCOMES = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
_VALUES = ["", "2", "0", "0", "0", "2", "0", "1", "0", "1", "2", "0", "0", "0", "0", "0"]
# 结果维持 under 行政复议 read into its line; the line under it names the other four and, far right,
# 复议后起诉's 结果维持: the outcomes lie in the columns, not in that line's order
_JOINED_ABOVE = [
    ["", "行政复议结果维持", "", "", "", "", "行政诉讼", *_EMPTY5, *_EMPTY5[:4]],
    [
        "",
        "",
        "结果纠正",
        "其他结果",
        "尚未审结",
        "总计",
        "未经复议直接起诉",
        *_EMPTY5[:4],
        "复议后起诉结果维持",
        "",
        "",
        "",
        "",
    ],
    [
        "",
        *_EMPTY5,
        "结果维持",
        "结果纠正",
        "其他结果",
        "尚未审结",
        "总计",
        "",
        "结果纠正",
        "其他结果",
        "尚未审结",
        "总计",
    ],
    _VALUES,
]
# 结果维 / 结果纠 of the first proceeding read as one cell: its line has four outcomes' columns; the next
# line names all five, side by side, and gives the order
_JOINED_BESIDE = [
    ["", "", "", "", "", "", "未经复议直接起诉", *_EMPTY5[:4], "复议后起诉", "", "", "", ""],
    ["", "结果维结果纠", "其他结果", "尚未审结", "总计", *_EMPTY5, *_EMPTY5, ""],
    ["", *_EMPTY5[:4], *_OUTCOMES, "结果维持", "结果纠正", "其他结果", "尚未审结", "", ""],
    ["", "持正", *_EMPTY5[:4], *_EMPTY5, *_EMPTY5[:4], "总计"],
    _VALUES,
]


@pytest.mark.parametrize("rows", [_JOINED_ABOVE, _JOINED_BESIDE], ids=["joined_above", "joined_beside"])
def test_table_4_outcomes_from_headings_set_flush_left(rows: list[list[str]]) -> None:
    """The outcomes' order comes from a header line naming all five only when they sit side by side; else
    from the columns the headings sit in. Before the fix `joined_above` read 结果维持 last (each proceeding's
    upheld count read as its total, and so on round)."""
    from nianbao.pipeline.extract.review_litigation import read_review_litigation
    from nianbao.pipeline.model import Report

    report = Report(agency="", year=2022, template="v2021")
    read_review_litigation(_rows(rows), report)
    assert report.review_litigation == {
        "review": {"upheld": 2, "corrected": 0, "other": 0, "pending": 0, "total": 2},
        "litigation_direct": {"upheld": 0, "corrected": 1, "other": 0, "pending": 1, "total": 2},
        "litigation_after_review": {"upheld": 0, "corrected": 0, "other": 0, "pending": 0, "total": 0},
    }


def test_table_2_rows_printing_nothing_run_into_the_next_rows_label() -> None:
    """A browser sets rule-less rows tight one under the other, so the label of a row whose zeros print as
    empty cells runs into the next row's (规章 / 行政规范性文件 6 1 218 → 规章行政规范性文件 6 1 218): each item
    the label names before the last printed nothing. Before the fix 规章's row was lost (119 of 120 such
    Chromium prints incomplete)."""
    from nianbao.pipeline.extract.proactive import read_proactive
    from nianbao.pipeline.model import Report

    rows = [
        ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
        ["规章行政规范性文件第二十条第（五）项", "6", "1", "218"],
        ["信息内容", "本年处理决定数量"],
        ["行政许可", "864"],
    ]
    report = Report(agency="", year=2022, template="v2021")
    read_proactive(_rows(rows), "v2021", report)
    assert report.proactive == {
        "rules": {"issued": 0, "repealed": 0, "in_force": 0},
        "normative_documents": {"issued": 6, "repealed": 1, "in_force": 218},
        "licensing": {"decisions": 864},
    }


def test_table_2_headings_wrapped_round_another_columns_heading() -> None:
    """Two headings wrapped over two lines (本年新 / 制作数量) round a third set on one line between them
    (对外公开总数量, centred in its cell), as LibreOffice prints a rule-less v2019 table: each line a row, the
    headings' first lines above the row naming the third. Before the fix only the line right above a
    wrapped heading's rest was joined to it (制作数量 alone names nothing): the sub-table's two rows, 规章
    and 规范性文件, were read under 对外公开总数量 only, their other values absent."""
    from nianbao.pipeline.extract.proactive import read_proactive
    from nianbao.pipeline.model import Report

    rows = [
        ["", "", "第二十条第（一）项", ""],
        ["", "本年新", "本年新", ""],
        ["信息内容", "", "", "对外公开总数量"],
        ["", "制作数量", "公开数量", ""],
        ["规章", "0", "0", "3"],
        ["规范性文件", "7", "1", "57"],
    ]
    report = Report(agency="", year=2020, template="v2019")
    read_proactive(_rows(rows), "v2019", report)
    assert report.proactive == {
        "rules": {"made": 0, "published": 0, "total_public": 3},
        "normative_documents": {"made": 7, "published": 1, "total_public": 57},
    }


@pytest.mark.parametrize("label", ["三、本年度办理", "结果"])
def test_a_run_whose_only_line_prints_a_narrow_piece_is_left_as_it_is(label: str) -> None:
    """A run of one line printing a single digit in a column one character wide (a page going on, the
    narrow columns carried, every other cell of the row left empty): there is no row for the digit to be a
    piece of, so the line stays as it was (the search for the nearest row had none to sort and raised)."""
    from nianbao.pipeline.extract.positions import Word, _split, _wrapped_values

    line = _split([Word(label, 56.0, 120.0, 100.0, 110.0), Word("4", 396.0, 404.0, 100.0, 110.0)])
    assert [w.text for w in line.values] == ["4"]  # a data line, its one value in the narrow column
    out, data = _wrapped_values([line], [0], [300.0, 400.0], {1: 8.5})
    assert out == [line] and data == [0]


def test_a_group_heading_over_one_columns_piece_does_not_widen_that_column() -> None:
    """Table 4 rule-less, its outcomes stacked over two lines (结果纠 / 正) under the group heading
    未经复议直接起诉, which happens to be centred on 正: the heading reaches over its neighbours' pieces, so
    it heads the group, not 结果纠正's column. Before the fix that column's extent began at the group's
    left edge, where 结果维持's does, and a value set flush left under 结果维持 was read as 结果纠正's."""
    from nianbao.pipeline.extract.positions import Word, _column_of, _heading_extents, _leaf_spans

    def w(text: str, x0: float, top: float) -> Word:
        return Word(text, x0, x0 + 8.5 * len(text), top, top + 10)

    header = [
        w("行政诉讼", 228.1, 410),
        Word("未经复议直接起诉", 228.1, 296.1, 423, 433),
        *(w(t, x, 436) for t, x in [("结果维", 228.1), ("结果纠", 259.1), ("其他结", 290.1)]),
        *(w(t, x, 446) for t, x in [("持", 228.1), ("正", 259.1), ("果", 290.1)]),
    ]
    spans = _leaf_spans(header)
    extents, side = _heading_extents(header, spans)
    assert [(round(a), round(b)) for a, b in extents] == [(228, 254), (259, 285), (290, 316)]
    assert side == "left"
    value = w("2", 228.1, 459)
    assert _column_of(value, extents, side, [232.0, 263.0, 294.0]) == 0


def test_a_rows_number_set_apart_from_its_mark_still_begins_the_row() -> None:
    """A label respaced after its number (1 ．属于国家秘密) is two words; the row's number is one with its
    mark again, so the label begins a row. Before the fix the line was taken to go on from the label lines
    above it. A decimal split the same way (1 .5) is not a row's number and stays as it was."""
    from nianbao.pipeline.extract.positions import Word, _numbered, _split

    line = _split([Word("1", 194.0, 199.0, 80.0, 90.0), Word("．属于国家秘密", 202.0, 261.0, 80.0, 90.0)])
    assert [w.text for w in line.words] == ["1．属于国家秘密"] and _numbered(line.label)
    far = _split([Word("1", 194.0, 199.0, 80.0, 90.0), Word("．属于国家秘密", 230.0, 289.0, 80.0, 90.0)])
    assert [w.text for w in far.words] == ["1", "．属于国家秘密"]
    decimal = _split([Word("1", 194.0, 199.0, 80.0, 90.0), Word(".5", 201.0, 207.0, 80.0, 90.0)])
    assert [w.text for w in decimal.words] == ["1", ".5"]


def _words_line(label: str, values: list[tuple[str, float]], top: float) -> Any:
    """A line as `_split` makes it: `label` at the margin (none when empty), then each (text, x0) value,
    full-width digits 8.5 pt a character, 10 pt tall."""
    from nianbao.pipeline.extract.positions import Word, _split

    ws = [Word(label, 56.0, 56.0 + 8.5 * len(label), top, top + 10)] if label else []
    ws += [Word(t, x0, x0 + 8.5 * len(t), top, top + 10) for t, x0 in values]
    return _split(ws)


def test_values_wrapped_half_a_line_round_a_row_are_that_rows() -> None:
    """Full-width digits wrapping in columns two characters wide, set in their cells' middle: 1053 prints
    １０ half a line above the row's line and ５３ half a line below, and so does 1228 under 总计, whose
    heading fits on one line (so it is no narrow column). The three lines' values overlap, which no two
    rows' do: one row, each column's pieces read top to bottom. Before, the pieces were rows without a
    label (tables_not_found)."""
    from nianbao.pipeline.extract.positions import _overlapping_rows

    anchors = [327.0, 354.0, 381.0, 500.0]
    ls = [
        _words_line("", [("１０", 319.0), ("１０", 346.0), ("１２", 492.0)], 98.0),
        _words_line("一、本年新收政府信息公开申请数量", [("４", 378.0)], 103.0),
        _words_line("", [("５３", 319.0), ("１", 355.0), ("２８", 492.0)], 108.0),
        _words_line(
            "二、上年结转政府信息公开申请数量", [("４８", 319.0), ("１", 355.0), ("０", 378.0)], 121.0
        ),
    ]
    out, data = _overlapping_rows(ls, [0, 1, 2, 3], anchors)
    assert data == [1, 3]
    assert [w.text for w in out[1].values] == ["１０５３", "１０１", "４", "１２２８"]
    assert out[1].label[0].text.startswith("一、") and out[3] is ls[3]


def test_rows_a_line_apart_are_never_joined() -> None:
    """Rows set a line apart (sub-rows at their tightest): their values touch but do not overlap, so each
    stays a row of its own."""
    from nianbao.pipeline.extract.positions import _overlapping_rows

    ls = [
        _words_line("1．属于国家秘密", [("２", 319.0), ("２", 492.0)], 100.0),
        _words_line("2．其他法律行政法规禁止公开", [("１０", 319.0), ("１１", 492.0)], 110.0),
    ]
    assert _overlapping_rows(ls, [0, 1], [327.0, 500.0]) == (ls, [0, 1])


def test_a_value_of_three_pieces_centred_on_its_row_begins_beside_the_groups_name() -> None:
    """Columns one character wide (自 / 然 / 人, 总 / 计): 139 prints 1 / 3 / 9 centred on （一）予以公开's
    line, its 1 beside the group's name 三、本年度 a line above. That line begins a row, but in a table
    whose values run above their rows' lines, with a piece of each of its columns as far below the row
    as it is above, it is the value's first piece. Before, it was a row printing only that digit, and
    139 was read as 39 (161 as 61: the row still added up)."""
    from nianbao.pipeline.extract.positions import _wrapped_values

    anchors = [350.0, 380.0, 496.0]
    narrow = {0: 8.5, 2: 8.5}
    ls = [
        _words_line("", [("４", 346.0), ("４", 492.0)], 86.0),
        _words_line(
            "一、本年新收政府信息公开申请数量", [("１", 346.0), ("２５", 372.0), ("５", 492.0)], 96.0
        ),
        _words_line("", [("７", 346.0), ("７", 492.0)], 106.0),
        _words_line("三、本年度", [("１", 346.0), ("１", 492.0)], 142.0),
        _words_line("办理结果 （一）予以公开", [("３", 346.0), ("１６", 372.0), ("６", 492.0)], 152.0),
        _words_line("", [("９", 346.0), ("１", 492.0)], 162.0),
    ]
    out, data = _wrapped_values(ls, list(range(6)), anchors, narrow)
    assert data == [1, 4]
    assert [w.text for w in out[1].values] == ["４１７", "２５", "４５７"]
    assert [w.text for w in out[4].values] == ["１３９", "１６", "１６１"]


def test_a_line_of_values_that_would_have_fitted_beside_the_row_above_is_no_wrap_of_them() -> None:
    """A row broken by a page (WeasyPrint 516533, held out): （二）部分公开's values 22 / 1 / 23 at page
    1's foot beside 理结果 (the rest of 三、本年度办理结果), its label on page 2. In columns two
    characters wide they looked like the pieces of 56 / 7 / 67 above wrapped: 5622, 71, 6723 were read
    (a misread). But 商业企业's column prints １２ on one line, so ７ and １ would have fitted on one:
    no wrap broke them, and the line is a row of its own. A value that did wrap (１８ / ４ in a column
    whose widest word is two characters) is still joined."""
    from nianbao.pipeline.extract.positions import _wrapped_values

    anchors = [327.0, 349.0, 404.0, 498.0]
    narrow = {0: 17.0, 1: 17.0, 3: 17.0}
    ls = [
        _words_line(
            "一、本年新收政府信息公开申请数量",
            [("１８", 319.0), ("１２", 341.0), ("１", 400.0), ("２０", 490.0)],
            100.0,
        ),
        _words_line("", [("４", 319.0), ("２", 490.0)], 110.0),
        _words_line(
            "三、本年度办 （一）予以公开",
            [("５６", 319.0), ("７", 341.0), ("２", 400.0), ("６７", 490.0)],
            130.0,
        ),
        _words_line("理结果", [("２２", 319.0), ("１", 341.0), ("２３", 490.0)], 140.0),
    ]
    out, data = _wrapped_values(ls, list(range(4)), anchors, narrow)
    assert data == [0, 2, 3]
    assert [w.text for w in out[0].values] == ["１８４", "１２", "１", "２０２"]
    assert out[2] is ls[2] and out[3] is ls[3]


def test_a_value_wrapped_round_its_row_with_one_piece_on_the_rows_line_is_joined() -> None:
    """Set in their cells' middle (WeasyPrint 512077, held out): 184 prints １８ half a line above
    1．本机关不掌握…'s line and ４ half a line below, beside the group's name （四）无法 set lower than its
    first sub-row. Lines are made by centres, so １８ went into the row's line and ４ onto the name's, a
    line beginning a row: 18 was read, and the row did not add up. A piece as far under the row's line as
    a value of its column on that line rises above it is that value's last. A numbered line whose pieces
    mirror nothing on the row's line stays a row."""
    from nianbao.pipeline.extract.positions import Word, _split, _wrapped_values

    anchors = [327.0, 349.0, 404.0, 498.0]
    narrow = {0: 17.0, 1: 17.0, 3: 17.0}
    row = _words_line("1．本机关不掌握相关政府信息", [("３", 341.0), ("１", 400.0)], 210.0)
    row = _split(
        [*row.words, Word("１８", 319.0, 336.0, 205.0, 215.0), Word("１９", 490.0, 507.0, 205.0, 215.0)]
    )
    ls = [
        _words_line(
            "8．属于行政查询事项", [("８", 319.0), ("２", 341.0), ("１", 400.0), ("１１", 490.0)], 192.0
        ),
        row,
        _words_line("（四）无法", [("４", 319.0), ("３", 490.0)], 215.0),
        _words_line("2．没有现成信息需要另行制作", [("１４", 319.0), ("２", 400.0), ("１６", 490.0)], 228.0),
    ]
    out, data = _wrapped_values(ls, list(range(4)), anchors, narrow)
    assert data == [0, 1, 3]
    assert [w.text for w in out[1].values] == ["１８４", "３", "１", "１９３"]
    level = _words_line(
        "1．本机关不掌握相关政府信息", [("１８", 319.0), ("３", 341.0), ("１", 400.0), ("１９", 490.0)], 210.0
    )
    out, data = _wrapped_values([ls[0], level, *ls[2:]], list(range(4)), anchors, narrow)
    assert data == [0, 1, 2, 3]


def test_a_line_found_to_be_pieces_is_no_row_for_the_next_lines_pieces() -> None:
    """Columns one character wide, set in their cells' middle (WeasyPrint 818955, held out): 130 prints
    １ / ３ / ０ round 1．本机关不掌握…'s line, its ０ beside the group's name （四）无; under it 三、本年度
    法提供 prints １, the first piece of 14 on 2．没有现成…'s line. Both lines begin rows; while 三、本年度's
    line counted as a row, ０'s line was as near it as its own row's, so it stayed a row and 130 was read
    13 (a misread). Found to be pieces, 三、本年度's line is no row, and ０ is 130's."""
    from nianbao.pipeline.extract.positions import Word, _split, _wrapped_values

    def line(label: str, label_top: float, values: list[tuple[str, float, float]]) -> Any:
        ws = [Word(label, 100.0, 100.0 + 8.5 * len(label), label_top, label_top + 10)] if label else []
        return _split([*ws, *(Word(t, x0, x0 + 8.5, top, top + 10) for t, x0, top in values)])

    anchors = [350.0, 370.0, 393.0, 497.0]
    narrow = {0: 8.5, 1: 17.0, 3: 8.5}
    ls = [
        line(
            "8．属于行政查询事项", 212.8, [("７", 346.0, 212.8), ("１", 366.0, 212.8), ("８", 493.0, 212.8)]
        ),
        line("", 0.0, [("１", 346.0, 225.8), ("１", 493.0, 225.8)]),
        line(
            "1．本机关不掌握相关政府信息",
            235.7,
            [("３", 346.0, 235.7), ("１", 389.0, 235.7), ("７", 493.0, 235.7)],
        ),
        line("（四）无", 248.7, [("０", 346.0, 245.7), ("０", 493.0, 245.7)]),
        line("三、本年度 法提供", 257.1, [("１", 346.0, 258.6), ("１", 493.0, 258.6)]),
        line(
            "2．没有现成信息需要另行制作",
            263.6,
            [("４", 346.0, 268.6), ("３", 366.0, 263.6), ("１", 389.0, 263.6), ("８", 493.0, 268.6)],
        ),
        line(
            "3．补正后申请内容仍不明确",
            281.6,
            [("５", 346.0, 281.6), ("２", 366.0, 281.6), ("７", 493.0, 281.6)],
        ),
    ]
    out, data = _wrapped_values(ls, list(range(7)), anchors, narrow)
    assert data == [0, 2, 5, 6]
    assert [w.text for w in out[2].values] == ["１３０", "１", "１７０"]
    assert [w.text for w in out[5].values] == ["１４", "３", "１", "１８"]


def test_pieces_at_the_top_of_a_page_going_on_are_one_line() -> None:
    """A row broken by the page (WeasyPrint 512077, held out): （一）予以公开's short values at page 1's
    foot, 150 and 182 wrapped (１５ / ０, １８ / ２) at page 2's top, near no row. In a run going on from
    the page before (no header of its own) they are joined into one line without a label, for the row at
    the page before's foot; before, they were two lines of pieces without a label and the table was not
    found. Under a header of the run's own they are left as they are."""
    from nianbao.pipeline.extract.positions import _wrapped_values

    anchors = [327.0, 349.0, 404.0, 498.0]
    narrow = {0: 17.0, 1: 17.0, 3: 17.0}
    ls = [
        _words_line("", [("１５", 319.0), ("１８", 490.0)], 56.0),
        _words_line("", [("０", 319.0), ("２", 490.0)], 66.0),
        _words_line("（二）部分公开", [("７１", 319.0), ("４", 341.0), ("７５", 490.0)], 84.0),
        _words_line("1．属于国家秘密", [("２", 319.0), ("２", 490.0)], 102.0),
    ]
    out, data = _wrapped_values(ls, list(range(4)), anchors, narrow, going_on=True)
    assert data == [0, 2, 3]
    assert [w.text for w in out[0].values] == ["１５０", "１８２"] and not out[0].label
    assert _wrapped_values(ls, list(range(4)), anchors, narrow) == (ls, list(range(4)))


def test_a_value_joined_round_its_row_before_shows_the_table_is_centred() -> None:
    """The same three pieces (405: ４ beside 三、本年度, ０ on （一）予以公开's line, ５ under it) in a table
    whose only other value with a piece above its row's line, 950, was joined before, by
    `_overlapping_rows` (its word begins a line above its row's other words): that value shows the table
    sets its cells' text in their middle as well as a piece joined here. Before, ４ stayed a row of its
    own and 405 was read as 05 (WeasyPrint 288520, held out)."""
    from nianbao.pipeline.extract.positions import Word, _split, _wrapped_values

    anchors = [341.0, 365.0, 489.0]
    narrow = {0: 8.5, 2: 17.0}
    joined = _words_line("一、本年新收政府信息公开申请数量", [("５７", 357.0), ("１０", 485.0)], 100.0)
    joined = _split([*joined.words, Word("９５０", 337.0, 345.5, 90.0, 120.0)])
    ls = [
        joined,
        _words_line("三、本年度", [("４", 337.0)], 146.0),
        _words_line("办理结果 （一）予以公开", [("０", 337.0), ("１８", 357.0), ("４４", 485.0)], 156.0),
        _words_line("", [("５", 337.0), ("２", 485.0)], 166.0),
    ]
    out, data = _wrapped_values(ls, list(range(4)), anchors, narrow)
    assert data == [0, 2]
    assert [w.text for w in out[2].values] == ["４０５", "１８", "４４２"]


def test_a_heading_over_several_columns_headings_does_not_widen_the_column_it_is_nearest() -> None:
    """Columns reordered, 总计 second: the group heading 申请人情况, over 自然人 and 总计 (and the rest), is
    centred nearest 总计's column, and its five characters made that column no narrow one. A heading with
    headings of more than one column under it heads a group, not a column; a heading stacked a piece a
    line (自然 / 人) is still its column's. Before, 总计's value wrapped ２ / ０ / ４ was rows of pieces
    without a label (WeasyPrint 887223, held out, tables_not_found)."""
    from nianbao.pipeline.extract.positions import _narrow_columns

    anchors = [350.0, 370.0, 400.0, 440.0]
    head = [
        _words_line("", [("申请人情况", 346.0)], 50.0),
        _words_line("", [("自然", 342.0), ("法人或其他组织", 380.0)], 60.0),
        _words_line("", [("人", 346.0), ("总计", 362.0), ("法律服务", 383.0), ("科研机构", 423.0)], 70.0),
    ]
    narrow = _narrow_columns(head, anchors, label_right=200.0)
    assert narrow == {0: 17.0, 1: 17.0}


def test_a_letter_spaced_heading_stops_where_its_even_spacing_does() -> None:
    """Headings letter-spaced into single characters (法 律 服 务, 2.2 pt apart) and, beside them in a
    column one character wide, 其 (of 其 / 他) 3.8 pt after 务: both gaps are under half a character, so
    the five were one heading, 法律服务其, and neither column was named (the values were aligned by the
    identities alone: WeasyPrint 948560 and 457192, held out). A heading's letters are evenly spaced; a
    gap clearly wider than the run's letter spacing is between two headings."""
    from nianbao.pipeline.extract.positions import Word, _heading_columns

    def headings(chars: str, x0s: list[float], anchors: list[float]) -> list[str]:
        line = [Word(t, x0, x0 + 8.5, 694.1, 704.1) for t, x0 in zip(chars, x0s, strict=True)]
        return ["".join(w.text for w in col) for col in _heading_columns(line, anchors)]

    x0s = [390.0, 400.7, 432.1, 442.8, 453.6, 464.3, 476.6]
    assert headings("社会法律服务其", x0s, [394.0, 436.0, 481.0, 497.0]) == ["社会", "法律服务", "其", ""]
    # one heading, evenly set
    assert headings("社会公益", [390.0, 400.7, 411.4, 422.1], [406.0, 450.0]) == ["社会公益", ""]
    # Chromium letter-spaces with a space between letters (1.9 pt) and cells 3.4 pt apart: three headings
    # in one run, cut wherever the spacing widens (Chromium 380850, held out)
    x0s = [437.5, 447.9, 458.3, 468.7, 480.6, 491.0, 501.4, 511.8, 523.7]
    anchors = [441.0, 484.0, 527.0]
    assert headings("社会公益法律服务其", x0s, anchors) == ["社会公益", "法律服务", "其"]


def test_rows_set_tighter_than_their_faces_boxes_are_not_joined() -> None:
    """A face whose boxes are taller than the rows' spacing (tall ascent and descent, rows set tight) makes
    each row's values overlap the next's; rows printing their own values do not make a wrapped value's
    pattern (pieces above and below in the same columns, none of those on the middle line), so each stays
    a row of its own."""
    from nianbao.pipeline.extract.positions import Word, _overlapping_rows, _split

    def tall(label: str, values: list[str], top: float) -> Any:
        ws = [Word(label, 56.0, 160.0, top, top + 14)]
        ws += [
            Word(t, x0, x0 + 8.5, top, top + 14) for t, x0 in zip(values, (320.0, 350.0, 490.0), strict=False)
        ]
        return _split(ws)

    ls = [
        tall("1．属于国家秘密", ["2", "0", "2"], 100.0),
        tall("2．其他法律行政法规禁止公开", ["1", "1", "2"], 110.0),
        tall("3．危及“三安全一稳定”", ["3", "0", "3"], 120.0),
    ]
    assert _overlapping_rows(ls, [0, 1, 2], [324.0, 354.0, 494.0]) == (ls, [0, 1, 2])


def test_pieces_of_three_and_of_two_centred_on_one_row_are_its_values() -> None:
    """982 printed a digit a line in a column one character wide and 1046 two lines in 总计, both centred
    on the row's line: five lines whose values overlap, as many above the row's line as below, each pair
    as far from it and printing in the same columns. One row; before, a group of more than three lines was
    left as rows without labels."""
    from nianbao.pipeline.extract.positions import _overlapping_rows

    anchors = [355.0, 400.0, 485.0]
    ls = [
        _words_line("", [("９", 351.0)], 146.0),
        _words_line("", [("１０", 477.0)], 151.0),
        _words_line("一、本年新收政府信息公开申请数量", [("８", 351.0), ("３２", 392.0)], 156.0),
        _words_line("", [("４６", 477.0)], 161.0),
        _words_line("", [("２", 351.0)], 166.0),
    ]
    out, data = _overlapping_rows(ls, list(range(5)), anchors)
    assert data == [2]
    assert [w.text for w in out[2].values] == ["９８２", "３２", "１０４６"]


def test_columns_two_characters_wide_wrap_their_values_too() -> None:
    """Full-width digits in columns two characters wide, set at their cells' top: 1052 prints １０ on
    一、本年新收…'s line and ５２ under it, 1130 under 总计 (its heading on one line, two characters) the
    same. Headings no line of which is longer than two characters make a column narrow (商业 / 企业 too), as
    those stacked a character a line do; a heading with a longer line (社会公益 / 组织) does not. Before,
    only those stacked a character a line were narrow, and the line of pieces was a row without a label
    (tables_not_found)."""
    from nianbao.pipeline.extract.positions import _narrow_columns, _wrapped_values

    anchors = [327.0, 354.0, 383.0, 478.0, 500.0]
    head = [
        _words_line(
            "", [("自然", 316.0), ("商业", 343.0), ("社会公益", 366.0), ("其", 474.0), ("总计", 492.0)], 60.0
        ),
        _words_line("", [("人", 316.0), ("企业", 343.0), ("组织", 366.0), ("他", 474.0)], 70.0),
    ]
    narrow = _narrow_columns(head, anchors, label_right=200.0)
    assert sorted(narrow) == [0, 1, 3, 4] and narrow[0] == narrow[4] == 17.0 and narrow[3] == 8.5
    ls = [
        _words_line(
            "一、本年新收政府信息公开申请数量",
            [("１０", 319.0), ("３９", 346.0), ("２", 380.0), ("２", 474.0), ("１１", 492.0)],
            100.0,
        ),
        _words_line("", [("５２", 319.0), ("３", 474.0), ("３０", 492.0)], 110.0),
        _words_line(
            "二、上年结转政府信息公开申请数量",
            [("４７", 319.0), ("２", 355.0), ("０", 380.0), ("０", 474.0), ("５０", 492.0)],
            123.0,
        ),
    ]
    out, data = _wrapped_values(ls, [0, 1, 2], anchors, narrow)
    assert data == [0, 2]
    assert [w.text for w in out[0].values] == ["１０５２", "３９", "２", "２３", "１１３０"]
    assert out[2] is ls[2]


def test_a_line_of_values_a_rows_pitch_under_a_row_is_the_next_rows() -> None:
    """A row broken by a page (WeasyPrint 596842, held out): （二）部分公开's values ６ … ６ at page 1's
    foot beside 理结果 (the rest of 三、本年度办理结果), its label on page 2, a row's pitch (13 pt, the
    spacing of the numbered rows above) under （一）予以公开's １５ … １７. In columns two characters wide
    they looked like those values' last pieces wrapped: 156 and 176 were read (a misread). A wrapped
    value's pieces are a cell's line spacing apart, less than the rows' pitch: the same piece 10 pt under
    its row is still joined."""
    from nianbao.pipeline.extract.positions import _wrapped_values

    anchors = [327.0, 349.0, 404.0, 498.0]
    narrow = {0: 17.0, 1: 17.0, 3: 17.0}

    def table(piece_top: float) -> list[Any]:
        return [
            _words_line(
                "一、本年新收政府信息公开申请数量",
                [("６１", 319.0), ("３", 341.0), ("１", 400.0), ("６５", 490.0)],
                100.0,
            ),
            _words_line("二、上年结转政府信息公开申请数量", [], 113.0),
            _words_line(
                "三、本年度办 （一）予以公开", [("１５", 319.0), ("１", 341.0), ("１７", 490.0)], 126.0
            ),
            _words_line("", [("６", 319.0), ("６", 490.0)], piece_top),
        ]

    ls = table(139.0)
    assert _wrapped_values(ls, [0, 2, 3], anchors, narrow) == (ls, [0, 2, 3])
    ls = table(136.0)
    out, data = _wrapped_values(ls, [0, 2, 3], anchors, narrow)
    assert data == [0, 2]
    assert [w.text for w in out[2].values] == ["１５６", "１", "１７６"]


def test_a_groups_name_on_the_line_of_a_wrapped_labels_rest_is_no_row() -> None:
    """Text set in its cells' middle (WeasyPrint 19214, held out): 1．本机关不掌 / 握相关政府信息 wraps round
    its values, and the group's name （四）无法, set midway down its rows, lands on the label's second line.
    That line, numbered, was taken for a row printing nothing and the label's rest for its: the row's
    values were left out and unavailable_not_held read as blank zeros. A group's name beside the rest of a
    sub-row's label (a word numbered as nothing, no further left than that label's first line a line's
    spacing above) is no row; the group's own label set apart on its line (（四） 无法提供, the word left
    of where the sub-rows' labels begin) still is one."""
    from nianbao.pipeline.extract.positions import Word, _group_name_beside, _label_only, _split

    def line(words: list[tuple[str, float]], top: float, values: tuple[float, ...] = ()) -> Any:
        ws = [Word(t, x0, x0 + 8.5 * len(t), top, top + 8.5) for t, x0 in words]
        ws += [Word("0", x0, x0 + 4.5, top + 1, top + 9.5) for x0 in values]
        return _split(ws)

    def label_only(ln: Any) -> bool:
        return _label_only(ln, left=316.0)

    values = (321.0, 344.0, 495.0)
    ls = [
        line([("理结果", 86.0), ("1．本机关不掌", 197.0)], 197.3, values),
        line([("（四）无法", 145.0), ("握相关政府信息", 197.0)], 207.3),
        line([("提供", 145.0), ("2．没有现成信息需要另行制作", 197.0)], 220.3, values),
    ]
    assert _group_name_beside(ls, 1, 8.5, label_only)
    ls[1] = line([("（四）", 145.0), ("无法提供", 172.0)], 207.3)
    assert not _group_name_beside(ls, 1, 8.5, label_only)


def test_pieces_a_line_apart_at_a_pages_top_are_one_value_not_the_next_rows() -> None:
    """A row broken by the page (WeasyPrint 478734, held out): 2．其他法律…'s 10 printed １ / ０ at page 2's
    top, a cell's line spacing apart, and ０ a row's padding over 3．危及…'s ３. ０ was nearest that row and
    was taken for its value's first piece (03, read as 3), and 1 was read for 10. A piece with a piece of
    its columns on its other side clearly nearer than the row is that value's: both lead the page and are
    one line for the row at the page before's foot."""
    from nianbao.pipeline.extract.positions import _wrapped_values

    anchors = [350.0, 380.0, 496.0]
    narrow = {0: 8.5, 2: 8.5}
    ls = [
        _words_line("", [("１", 346.0), ("１", 492.0)], 56.0),
        _words_line("", [("０", 346.0), ("０", 492.0)], 66.0),
        _words_line("3．危及“三安全一稳定”", [("３", 346.0), ("０", 376.0), ("３", 492.0)], 79.0),
        _words_line("4．保护第三方合法权益", [("２", 346.0), ("０", 376.0), ("２", 492.0)], 102.0),
    ]
    out, data = _wrapped_values(ls, list(range(4)), anchors, narrow, going_on=True)
    assert data == [0, 2, 3]
    assert [w.text for w in out[0].values] == ["１０", "１０"] and not out[0].label
    assert out[2] is ls[2]


def test_a_word_after_letters_spaced_wider_than_they_are_is_another_headings() -> None:
    """Headings letter-spaced (WeasyPrint 734262, held out): 社 会 公 益 over 组 织 leave 组 织 公 益 side by
    side 2.2 pt apart as the header's lowest pieces, and 法律服务's 机构 4.7 pt after them, less than half a
    character: it was taken into their column, and the header named six applicant columns of seven. A word
    of several characters after letters, a wider step than their own spacing, begins a column; letters at
    uneven steps (组 织 centred under 社 会 公 益) still go over one."""
    from nianbao.pipeline.extract.positions import Word, _leaf_spans

    def word(text: str, x0: float, top: float) -> Any:
        return Word(text, x0, x0 + 8.5 * len(text), top, top + 10.0)

    upper = [word("社", 394.7, 696.0), word("会", 405.4, 696.0), word("公", 416.1, 696.0)]
    upper += [word("益", 426.8, 696.0), word("法律服务", 440.0, 696.0)]
    lower = [word("组", 394.7, 706.0), word("织", 405.4, 706.0), word("机构", 440.0, 706.0)]
    assert _leaf_spans(upper + lower) == [(394.7, 435.3), (440.0, 457.0)]
    centred = [word("组", 398.9, 706.0), word("织", 408.0, 706.0)]
    assert len(_leaf_spans(upper[:4] + centred)) == 1


def test_headings_flush_left_over_values_flush_right_name_their_own_columns() -> None:
    """Table 2 set as a word processor may (WeasyPrint 385650, held out): headings flush left in their cells
    (本年新 / 制作数量, 本年新 / 公开数量, 对外公开总数量), values flush right, the first column's values under
    the second heading's left edge. Each heading went to the column whose values' centre it was nearest:
    本年新 / 公开数量 to the first, and the rules' row was lost with the header. As many headings as columns,
    each column's values within one heading's cell set flush left, name the columns in order."""
    from nianbao.pipeline.extract.positions import Word, _header, _split

    def line(words: list[tuple[str, float]], top: float) -> Any:
        return _split([Word(t, x0, x0 + 8.5 * len(t), top, top + 8.5) for t, x0 in words])

    head = [
        line([("信息内容", 86.1), ("本年新", 214.2), ("本年新", 326.9), ("对外公开总数量", 399.4)], 403.7),
        line([("制作数量", 214.2), ("公开数量", 326.9)], 413.6),
    ]
    rows = _header(head, 214.2, [321.6, 394.0, 507.0], 1)
    assert [[c.text for c in r] for r in rows] == [
        ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"]
    ]
    # cells of many widths, headings and values flush left (WeasyPrint 643005, columns reordered): 社, the
    # first letter of 社 会 公 益 / 组 织 in a wide cell, is nearer the middle of 总 / 计's narrow cell
    # before it than its own cell's; each word goes to the cell its left edge is in
    head = [
        line(
            [("总", 317.1), ("社", 334.0), ("会", 344.7), ("公", 355.4), ("益", 366.2), ("商业", 379.4)],
            717.2,
        ),
        line([("计", 317.1), ("组", 334.0), ("织", 344.7), ("企业", 379.4)], 723.7),
    ]
    rows = _header(head, 311.0, [319.5, 336.4, 381.7], 1)
    assert [[c.text for c in r] for r in rows] == [["", "总计", "社会公益组织", "商业企业"]]


def test_values_each_touching_their_own_heading_are_placed_by_it() -> None:
    """Values flush right under centred headings narrower than their cells (WeasyPrint 400674, held out): 3
    reaches past 商业 / 企业's right edge, nearer 科研机构's centre than its own; every value touches the
    heading of a column of its own, so each is placed by it. A value touching none is not."""
    from nianbao.pipeline.extract.positions import Word, _touching

    extents = [(322.3, 339.3), (347.7, 364.7), (375.8, 392.8), (400.8, 434.8), (439.8, 473.8)]
    leaves = [(a + b) / 2 for a, b in extents]

    def value(text: str, x1: float) -> Any:
        return Word(text, x1 - 4.7 * len(text), x1, 698.3, 706.8)

    rows = [
        [value("52", 340.7), value("3", 368.7), value("1", 474.9)],
        [value("25", 340.7), value("1", 368.7)],
    ]
    assert _touching(rows, extents, leaves)
    assert not _touching([[value("52", 340.7), value("3", 371.0)]], extents, leaves)


def test_two_lines_each_with_a_sub_rows_number_are_two_rows() -> None:
    """Rows printing nothing at a page's top (WeasyPrint 434982, held out): 公开 5．属于三类内部事务信息 (the
    rest of the group's name （三）不予公开 on the line) over 6．属于四类过程性信息 1 1. The upper line was
    taken for the first line of 6．'s label, its number not being its first word, and 5．'s row was lost.
    Both lines carry a sub-row's number: two rows, wherever on its line the number is."""
    from nianbao.pipeline.extract.positions import Word, _same_numbering

    def words(*texts: tuple[str, float]) -> list[Any]:
        return [Word(t, x0, x0 + 8.5 * len(t), 100.0, 108.5) for t, x0 in texts]

    assert _same_numbering(
        words(("公开", 144.7), ("5．属于三类内部事务信息", 196.8)), words(("6．属于四类", 196.8))
    )
    assert not _same_numbering(words(("（三）不予", 144.7)), words(("1．属于国家秘密", 196.8)))


def test_a_rows_label_wrapped_in_the_groups_column_is_no_groups_name_beside() -> None:
    """v2019's （六） / 其他处理, a row printing nothing, its label wrapped, a row's padding (4.5 pt) under
    5．要求行政机关确认… / 具已获取信息 (WeasyPrint 755518, held out): taken for a group's name set tight
    against the label right of it, it was no row, its label went to （七）总计's and other_handling was lost.
    Its own next line is tighter against it (1.5 pt): the label line right of it is another row's. A
    group's name set as tight against that label as against its own next line (出版物 / （五）不 / 予处理)
    is still beside it."""
    from nianbao.pipeline.extract.positions import Word, _group_name_beside, _label_only, _split

    def line(words: list[tuple[str, float]], top: float, values: tuple[float, ...] = ()) -> Any:
        ws = [Word(t, x0, x0 + 8.5 * len(t), top, top + 8.5) for t, x0 in words]
        ws += [Word("3", x0, x0 + 4.5, top, top + 8.5) for x0 in values]
        return _split(ws)

    def label_only(ln: Any) -> bool:
        return _label_only(ln, left=316.0)

    ls = [
        line([("5．要求行政机关确认或重新出", 197.0)], 262.1),
        line([("具已获取信息", 197.0)], 272.1),
        line([("（六）", 144.7)], 285.1),
        line([("其他处理", 144.7)], 295.1),
        line([("（七）总计", 144.7)], 308.0, (321.3, 495.2)),
    ]
    assert not _group_name_beside(ls, 2, 8.5, label_only)
    ls[2] = line([("（五）不", 144.7)], 282.1)
    ls[3] = line([("予处理", 144.7)], 292.1)
    assert _group_name_beside(ls, 2, 8.5, label_only)
