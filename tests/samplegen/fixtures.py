"""The format fixtures of tests/files/{pdf,html,docx,text}/ and their goldens, from the records that print them.

    cd tests && ../.venv/bin/python -m samplegen.fixtures [--only NAME ...] [--root DIR]

Each fixture is a record (records.fixture_record), the text and number forms it is printed with, and one of
the shared renderers with the quirks it exercises switched on. Goldens (tests/golden/) are written from the
records, never from an extractor. reportlab, python-docx, HTML and Markdown output is byte-reproducible;
LibreOffice, Chromium and qpdf's AES output is not (dates, IDs, salts), so a committed file that differs
from a new one only there is kept. Fixtures whose program is missing are skipped with the package to install.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from nianbao.pipeline import tables as T
from nianbao.pipeline.model import Report

from samplegen import producers
from samplegen.layout import (
    NumberForm,
    Printed,
    Style,
    applications_grid,
    assemble,
    proactive_grid,
    review_grid,
    split_grid,
)
from samplegen.records import DOC_DRAW, PDF_DRAW, Draw, fixture_record, without_carry_out
from samplegen.render_docx import DocxStyle, fill_template, render_docx
from samplegen.render_html import (
    HtmlStyle,
    portal_article_html,
    portal_listing_html,
    portal_not_found_html,
    print_html,
)
from samplegen.render_pdf import PdfStyle, render_image_only, render_pdf
from samplegen.render_text import TextStyle, render_markdown

TESTS = Path(__file__).resolve().parents[1]
# the official blank v2021 template (tests/test_extract_docx.py reads it from the same place)
T1_TEMPLATE = Path("/work/shared/real-reports/T1_2021-template-blank.docx")
# when the DOCX fixtures were first written: their zip entries keep that time, so their bytes stay as committed
DOCX_ZIP_TIME = (2026, 11, 27, 23, 36, 40)
PASSWORD = "user-pw"


@dataclass
class Fixture:
    """One committed file: where it goes, how it is made, the golden beside it."""

    path: str  # under tests/files/
    build: Callable[[], bytes]
    golden: str | None = None  # tests/golden/<golden>.json, written from record(golden)
    needs: tuple[str, ...] = ()  # programs outside Python
    source: Path | None = None  # a file outside the repository it is made from
    stable: bool = True  # the same bytes every run
    password: str | None = None  # to compare an encrypted fixture's contents


# ----------------------------------------------------------------------------- how numbers are printed
_FULLWIDTH = str.maketrans("0123456789.,+-", "０１２３４５６７８９．，＋－")


def plain(kind: str, v: Any) -> str:
    """Numbers as most reports print them: 增加 231 / 减少 28, amounts in yuan with 元."""
    if kind == "change":
        return f"减少 {-v}" if v < 0 else (f"增加 {v}" if v > 0 else "0")
    if kind == "amount":
        return f"{v.normalize():f}元" if v else "0"
    return str(v)


def fullwidth(kind: str, v: Any) -> str:
    """Full-width digits, blank zeros, 减3 / ＋231 / －28 changes, amounts in 万元 with the unit."""
    if kind == "count":
        return "" if v == 0 else str(v).translate(_FULLWIDTH)
    if kind == "change":
        if v == 0:
            return "0"
        if abs(v) > 20:
            return (f"－{-v}" if v < 0 else f"＋{v}").translate(_FULLWIDTH)
        return f"减{-v}" if v < 0 else f"增{v}"
    return f"{(v / Decimal(10000)).normalize():f}万元"


def varied(kind: str, v: Any) -> str:
    """减28 / +231 changes, thousands separators, amounts with 元 and separators."""
    if kind == "change":
        return f"减{-v}" if v < 0 else (f"+{v}" if v > 0 else "0")
    if kind == "amount":
        return f"{v:,f}".rstrip("0").rstrip(".") + "元" if v else "0"
    return f"{v:,}"


def blank_zeros_wan(kind: str, v: Any) -> str:
    """Zeros left blank in counts; amounts under 万元 without a unit."""
    if kind == "amount":
        return f"{(v / Decimal(10000)).normalize():f}"
    return "" if v == 0 and kind == "count" else str(v)


def pdf_numbers(wan: bool, zero: str = "0") -> NumberForm:
    """减少 28 / +5 changes; amounts in 万元 (two decimals, trailing zeros cut) or as 1,270,084.40; zero counts as `zero`."""

    def form(kind: str, v: Any) -> str:
        if kind == "change":
            return f"减少 {-v}" if v < 0 else (f"+{v}" if v > 0 else "0")
        if kind == "amount":
            return f"{v / 10000:.2f}".rstrip("0").rstrip(".") if wan else f"{v:,.2f}"
        return zero if v == 0 else str(v)

    return form


# ----------------------------------------------------------------------------- text
def doc_text(report: Report, fees_sentence: str | None) -> dict[str, list[str]]:
    """Sections 一, 五 and 六 of the HTML, DOCX and text fixtures."""
    apps, rl = report.applications, report.review_litigation
    suits = rl["litigation_direct"]["total"] + rl["litigation_after_review"]["total"]
    return {
        "一": [
            f"{report.year}年，{report.agency}认真贯彻落实《中华人民共和国政府信息公开条例》，"
            "紧紧围绕中心工作和公众关切，依法、及时、准确地公开政府信息。",
            f"（一）依申请公开。全年共收到政府信息公开申请{apps['received_new']['total']}件，均在法定期限内答复。",
            f"（二）复议诉讼。全年发生政府信息公开行政复议{rl['review']['total']}件，行政诉讼{suits}件。",
        ],
        "五": ["主要问题：主动公开的深度和广度有待进一步提升。改进措施：加强业务培训，规范工作流程。"],
        "六": [fees_sentence or "无。"],
    }


def pdf_text(report: Report, fees_sentence: str) -> dict[str, list[str]]:
    """Sections 一, 五 and 六 of the PDF fixtures."""
    received = report.applications["received_new"]["total"]
    return {
        "一": [
            f"{report.year}年，本机关认真贯彻落实《中华人民共和国政府信息公开条例》，全年共收到政府信息公开申请{received}件，"
            "均在法定期限内答复。进一步规范依申请公开办理流程，加强政府信息管理和平台建设，不断提升政务公开质量。"
        ],
        "五": [
            "存在的主要问题是政策解读形式还不够丰富。下一步，将进一步加强业务培训，提升政务公开工作水平。"
        ],
        "六": [fees_sentence],
    }


PDF_PREAMBLE = (
    "本报告根据《中华人民共和国政府信息公开条例》要求编制，报告中所列数据统计期限自1月1日起至12月31日止。"
)


def standard_title(report: Report) -> str:
    """'<agency><year>年政府信息公开工作年度报告'."""
    return f"{report.agency}{report.year}年政府信息公开工作年度报告"


def tables(report: Report, t2: Style, t3: Style | None = None, t4: Style | None = None) -> dict[str, Any]:
    """The three tables, one each under sections 二, 三 and 四, printed with the given styles."""
    return {
        "二": [("proactive", proactive_grid(report, t2))],
        "三": [("applications", applications_grid(report, t3 or t2))],
        "四": [("review_litigation", review_grid(report, t4 or t2))],
    }


# ----------------------------------------------------------------------------- the records
_D = Decimal
# golden name → seed, agency, year, template, processing fees, value pools
RECORDS: dict[str, tuple[int, str, int, str, Decimal | None, Draw]] = {
    "html_hz-sfj_2020": (11, "杭州市司法局", 2020, "v2019", None, DOC_DRAW),
    "html_hz-mzj_2022_gbk": (22, "杭州市民政局", 2022, "v2021", _D(400), DOC_DRAW),
    "html_hz-scq_2019_fullwidth": (33, "杭州市上城区人民政府", 2019, "v2019", None, DOC_DRAW),
    "html_xh-wjj_2023_split": (44, "杭州市西湖区卫生健康局", 2023, "v2021", _D(0), DOC_DRAW),
    "docx_hz-ghzy_2020": (55, "杭州市规划和自然资源局", 2020, "v2019", None, DOC_DRAW),
    "docx_t1-gongshu_2022": (66, "杭州市拱墅区人民政府", 2022, "v2021", _D(1200), DOC_DRAW),
    "md_hz-czj_2021": (77, "杭州市财政局", 2021, "v2021", _D(0), DOC_DRAW),
    "pdf_rl_v2019_split_repeat": (1, "杭州市测试区民政局", 2020, "v2019", None, PDF_DRAW),
    "pdf_rl_v2021_total_first": (2, "宁波市海曙区人民政府", 2022, "v2021", _D(400), PDF_DRAW),
    "pdf_lo_v2021_docx": (3, "温州市交通运输局", 2023, "v2021", _D("1250.5"), PDF_DRAW),
    "pdf_chromium_v2021_radicals": (4, "宁波市海曙区卫生健康局", 2023, "v2021", _D(0), PDF_DRAW),
}
# amounts a fixture prints in its own way (万元 with a unit, a procurement total with fen)
AMOUNTS = {
    "html_hz-scq_2019_fullwidth": ("procurement", _D("1270100")),
    "docx_hz-ghzy_2020": ("procurement", _D("1270084.4")),
    "docx_t1-gongshu_2022": ("fees", _D("123500")),
}
NOTHING_CARRIED_OUT = {"md_hz-czj_2021"}


@cache
def record(name: str) -> Report:
    """The record a fixture prints, by golden name (the golden is this record)."""
    rec = fixture_record(*RECORDS[name])
    if name in AMOUNTS:
        item, amount = AMOUNTS[name]
        rec.proactive[item]["amount_yuan"] = amount
    return without_carry_out(rec) if name in NOTHING_CARRIED_OUT else rec


# ----------------------------------------------------------------------------- HTML
def _html(
    name: str, title: str, fees: str | None, tabs: dict[str, Any], encoding: str, charset_tag: str
) -> bytes:
    rec = record(name)
    doc = assemble(title, doc_text(rec, fees), tabs)
    style = HtmlStyle(word_export=True, encoding=encoding, charset_tag=charset_tag)
    return portal_article_html(doc, style, site=rec.agency)


def html_sfj() -> bytes:
    """v2019, UTF-8 (http-equiv), Word's full export markup in a portal page."""
    rec = record("html_hz-sfj_2020")
    return _html(
        "html_hz-sfj_2020",
        standard_title(rec),
        None,
        tables(rec, Style(numbers=plain, label_breaks=True)),
        "utf-8",
        '<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />',
    )


def html_mzj() -> bytes:
    """v2021, GBK with <meta charset=gbk>, table 2 in 万元 with thousands separators, a fee sentence in 六."""
    rec = record("html_hz-mzj_2022_gbk")
    rest = Style(numbers=plain, label_breaks=True)
    return _html(
        "html_hz-mzj_2022_gbk",
        standard_title(rec),
        "本年度共收取信息处理费400元。",
        tables(rec, Style(thousands=True, label_breaks=True), rest, rest),
        "gbk",
        "<meta charset=gbk>",
    )


def html_scq() -> bytes:
    """v2019, 总计 column first, full-width digits, blank zeros, 万元 amount, gb2312 declared (GB18030 bytes)."""
    rec = record("html_hz-scq_2019_fullwidth")
    fw = Style(numbers=fullwidth, label_breaks=True)
    return _html(
        "html_hz-scq_2019_fullwidth",
        f"{rec.year}年{rec.agency}政府信息公开工作年度报告",
        None,
        tables(rec, fw, Style(numbers=fullwidth, label_breaks=True, total_first=True)),
        "gb18030",
        '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">',
    )


def html_xh_wjj() -> bytes:
    """v2021, table 2 as one table per 第二十条 item, table 3 cut in two by a page break, no fees charged."""
    rec = record("html_xh-wjj_2023_split")
    flat = Style(numbers=plain)
    t2 = proactive_grid(rec, flat)
    t3a, t3b = split_grid(applications_grid(rec, Style(numbers=plain, label_breaks=True)), 13)
    tabs = {
        "二": [("proactive", part) for part in (t2[0:4], t2[4:7], t2[7:11], t2[11:14])],
        "三": [("applications", t3a), ("applications", t3b)],
        "四": [("review_litigation", review_grid(rec, flat))],
    }
    return _html(
        "html_xh-wjj_2023_split",
        standard_title(rec),
        "本年度未收取信息处理费。",
        tabs,
        "utf-8",
        '<meta charset="utf-8">',
    )


# ----------------------------------------------------------------------------- DOCX
@cache
def docx_ghzy() -> bytes:
    """v2019 written from scratch with python-docx: plain paragraphs, 减28 / +231, separators, merged cells."""
    rec = record("docx_hz-ghzy_2020")
    doc = assemble(
        standard_title(rec), doc_text(rec, None), tables(rec, Style(numbers=varied, label_breaks=True))
    )
    style = DocxStyle(
        headings=False,
        title="bold",
        properties=False,
        gap_after_table=True,
        zip_time=DOCX_ZIP_TIME,
        zip_mode=0o600,
    )
    return render_docx(doc, style)


def docx_gongshu() -> bytes:
    """The official blank v2021 template, its own tables filled in, title and narrative written."""
    rec = record("docx_t1-gongshu_2022")
    doc = assemble(standard_title(rec), doc_text(rec, "本年度共收取信息处理费1,200元。"), {})
    return fill_template(T1_TEMPLATE.read_bytes(), rec, doc, DOCX_ZIP_TIME)


def legacy_doc() -> bytes:
    """A legacy Word .doc: an OLE2 compound-file header and UTF-16 text (refused: not DOCX)."""
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + b">\x00\x03\x00\xfe\xff\t\x00" + b"\x00" * 480
    return ole + "政府信息公开工作年度报告".encode("utf-16-le") * 8


# ----------------------------------------------------------------------------- text
def markdown_czj() -> bytes:
    """v2021 as a PDF-to-Markdown converter wrote it: blank zeros, table 3 cut by a page footer."""
    rec = record("md_hz-czj_2021")
    doc = assemble(
        standard_title(rec),
        doc_text(rec, "本年度收取信息处理费0元。"),
        tables(rec, Style(numbers=blank_zeros_wan, label_breaks=True)),
    )
    # a page break after （四）无法提供's first row; another after table 4
    return render_markdown(doc, TextStyle(breaks={"applications": 16}, page_ends=["review_litigation"]))


# ----------------------------------------------------------------------------- PDF
def _pdf_doc(
    name: str,
    title: str,
    fees: str,
    t2: Style,
    t3: Style | None = None,
    t4: Style | None = None,
    lead: list[str] | None = None,
) -> Printed:
    rec = record(name)
    return assemble(title, pdf_text(rec, fees), tables(rec, t2, t3, t4), lead)


def _rl_v2021_doc() -> Printed:
    name = "pdf_rl_v2021_total_first"
    numbers = pdf_numbers(wan=True)
    return _pdf_doc(
        name,
        "宁波市海曙区人民政府\n2022年政府信息公开工作年度报告",
        "本年度共收取信息处理费400元。",
        Style(numbers=numbers),
        Style(numbers=numbers, total_first=True),
        Style(numbers=numbers),
        lead=[PDF_PREAMBLE],
    )


def rl_v2019() -> bytes:
    """reportlab, v2019: fake-bold title and table heads, a framed paragraph, table 3 split twice (where the page
    runs out, then before 信访举报投诉类申请) with its header repeated, zeros printed — in table 3, merged
    label cells, wrapped labels, page numbers."""
    name = "pdf_rl_v2019_split_repeat"
    numbers = pdf_numbers(wan=False)
    doc = _pdf_doc(
        name,
        standard_title(record(name)),
        "本年度无其他需要报告的事项。",
        Style(numbers=numbers, yuan_label=True),
        Style(numbers=pdf_numbers(wan=False, zero="—")),
        Style(numbers=numbers),
        lead=[PDF_PREAMBLE],
    )
    first = pdf_text(record(name), "")["一"][0]
    at = doc.blocks.index(("p", first))
    doc.blocks[at : at + 1] = [("p", first, "framed"), ("p", first[:60])]
    style = PdfStyle(
        footer=True,
        bold=True,
        repeat_header=True,
        break_before="rejected_petition",
        late_break=True,
        title_size=18,
    )
    return render_pdf(doc, style, list(T.application_row_codes("v2019")))


@cache
def rl_v2021() -> bytes:
    """reportlab, v2021: two-line title, 总计 column first, table 3 split twice without its header (where the
    page runs out, then before 另行制作, cutting （四）无法提供 in two), tables 3-4 open at the sides, 万元 amounts,
    table 4 on a /Rotate 90 page."""
    style = PdfStyle(
        footer=True,
        title_size=18,
        open_sides=True,
        cut_labels=True,
        break_before="unavailable_needs_creation",
        late_break=True,
        landscape_review=True,
    )
    return render_pdf(_rl_v2021_doc(), style, list(T.application_row_codes("v2021")))


def lo_docx() -> bytes:
    """LibreOffice's PDF of a python-docx DOCX with merged cells, set in Noto Sans CJK."""
    name = "pdf_lo_v2021_docx"
    numbers = pdf_numbers(wan=True)
    doc = _pdf_doc(
        name,
        standard_title(record(name)),
        "本年度共收取信息处理费1,250.5元。",
        Style(numbers=numbers),
    )
    style = DocxStyle(
        headings=False,
        title="centered",
        properties=False,
        font=producers.CJK_FONT,
        table_sizes={"proactive": 9, "applications": 7.5, "review_litigation": 7},
    )
    return producers.soffice_pdf(render_docx(doc, style), "lo_v2021_docx")


def chromium() -> bytes:
    """Chromium's print of an HTML page in Noto Sans CJK (Type 3 glyphs that extract as radicals)."""
    name = "pdf_chromium_v2021_radicals"
    numbers = pdf_numbers(wan=True)
    doc = _pdf_doc(
        name,
        standard_title(record(name)),
        "本年度未收取信息处理费。",
        Style(numbers=numbers),
    )
    return producers.chromium_pdf(print_html(doc, producers.CJK_FONT))


# rule-less tables whose text sits elsewhere in its cells (perturb.cells_aligned), as LibreOffice prints a DOCX
# and Chromium an HTML page, each read wrong once (tests/test_extract_positions.py); their truth is the
# perturbed design's record, not a golden. In Noto Sans CJK, or in 宋体 (SimSun) as agencies ask for it and a
# machine without it substitutes: WenQuanYi Micro Hei for the CJK text (the face CI installs), a Latin face
# for the digits. file name → (producer, seed of the variant, face asked for[, how a zero prints: "" empty])
SIMSUN = "SimSun"
ALIGNED: dict[str, tuple[str, int, str] | tuple[str, int, str, str]] = {
    # labels wrapped round values set in the middle of tall cells: 2．其他 / 法律行政 / 0 0 0 / 法规禁止 / 公开
    "lo_v2021_aligned_1.pdf": ("libreoffice", 1, producers.CJK_FONT),
    # 2510809.09元, the decimal point's box only its ink: the amount read as 9
    "lo_v2019_aligned_34.pdf": ("libreoffice", 34, producers.CJK_FONT),
    # a row cut by a page break, its label going on under its values; a group's name set tight beside a label
    "lo_v2019_aligned_6_simsun.pdf": ("libreoffice", 6, SIMSUN),
    # table 4's headings flush left in their cells: 结果维持 read into 行政复议's line, the order from a later one
    "chromium_v2019_aligned_36_simsun.pdf": ("chromium", 36, SIMSUN),
    # a group's name beside a label line a little wider than any set beside values
    "chromium_v2021_aligned_9_simsun.pdf": ("chromium", 9, SIMSUN),
    # zeros left empty, values flush left: a label ending just short of a value (its centre a character in)
    # kept the rows printing a different number of values from being one table; a line 开 | 2．其他… (a
    # group's name going on beside a numbered label) was taken for the last line of the label above
    "chromium_v2019_aligned_14_blank.pdf": ("chromium", 14, producers.CJK_FONT, ""),
    # table 4 printing a few values among empty cells, headings stacked over two lines: centred in cells of
    # different widths (a value flush left nearer the narrow 总计's centre than its own heading's), and
    # flush left (a value flush right as near the next heading as its own)
    "chromium_v2021_aligned_1_blank.pdf": ("chromium", 1, producers.CJK_FONT, ""),
    "chromium_v2019_aligned_6_blank.pdf": ("chromium", 6, producers.CJK_FONT, ""),
    # zeros left empty, rows set tight one under the other: a row printing nothing under one whose label
    # stops well short of the values (行政处罚 874 / 行政强制) taken for that label's second line, its value
    # then read as 行政强制's; at a page's top, a row printing nothing (1．属于国家秘密) joined to the next
    "chromium_v2021_aligned_25_blank.pdf": ("chromium", 25, producers.CJK_FONT, ""),
    "chromium_v2019_aligned_36_blank.pdf": ("chromium", 36, producers.CJK_FONT, ""),
    # zeros left empty, labels centred: an empty row's numbered label (5．要求…) taken for the first line of
    # the next row's, whose own number (1．申请人…, longer, so beginning further left) was not seen as one
    "chromium_v2021_aligned_105_blank.pdf": ("chromium", 105, producers.CJK_FONT, ""),
    # zeros left empty, a label wrapped round its values (5．要求 / 行政机关 / 确认或重 1 1 / 新出具已 / …):
    # its first line went to the empty row above, the next group's first line (（六）其 1．申请) to it
    "lo_v2021_aligned_97_blank.pdf": ("libreoffice", 97, producers.CJK_FONT, ""),
    # never read wrong on main, but the first rule for rows set tight broke it: values flush right far from
    # a label wrapped in a narrow column (6．属于 2 2 / 四类过程 / 性信息 at a page's foot), which goes on
    "lo_v2019_aligned_94_blank.pdf": ("libreoffice", 94, producers.CJK_FONT, ""),
    # zeros left empty, table 3's header cut by the page break beside the corner's note (…第四 / 项之和）)
    # and taken for a table of its own; the next page printing nothing but empty rows, and the page after
    # taking a group's name beside a sub-row's label (他处理 | 人无正当) for its header
    "lo_v2021_aligned_13_blank.pdf": ("libreoffice", 13, producers.CJK_FONT, ""),
    # zeros left empty, the first row's label begun above its values (一、本年新收…数 / 1 1 / 量) and, two
    # values far apart putting the labels' edge inside it, taken for the header's last line
    "lo_v2021_aligned_19_blank.pdf": ("libreoffice", 19, producers.CJK_FONT, ""),
    # zeros left empty, values flush left: a label going on over the page break (2．申请 / 人逾期未 / …),
    # its lines a little wider than the labels beside values, taken for the next page's header, and its
    # values given to the row below
    "lo_v2021_aligned_31_blank.pdf": ("libreoffice", 31, producers.CJK_FONT, ""),
    # zeros left empty, in substituted faces: table 3's first page printing one data line, 7 1 8, its label
    # wrapped round it (一、本年新收…数 / 7 1 8 / 量), so that no label said where the labels end and the
    # corner's note was taken for a column heading; every value then went one column to the right
    "lo_v2021_aligned_13_simsun_blank.pdf": ("libreoffice", 13, SIMSUN, ""),
    # zeros left empty, in substituted faces, rows set a line apart: an empty row numbered as a row begins
    # (二、上年结转…) a line under one whose label is numbered too (一、本年新收… 23 1 24) taken for that
    # label's second line, the values then read as 上年结转's
    "chromium_v2021_aligned_1_simsun_blank.pdf": ("chromium", 1, SIMSUN, ""),
    # zeros left empty, labels set small: the ． of 1．属于 boxed by its ink alone began a word of its own,
    # so label lines no longer began with their number; the last page's one data line (（七）总计) had no
    # pitch to find the empty rows round it (3．其他, 四、结转下年度继续办理)
    "lo_v2021_aligned_113_blank.pdf": ("libreoffice", 113, producers.CJK_FONT, ""),
    # zeros left empty, in substituted faces: a group's name beside a sub-row's label on one line ((五)不予处
    # | 3．要求提供公开出版物) taken for the group's name alone, a line from the row above: the row was lost,
    # its label run into the next one's (v2019's 3．要求提供公开出版物, v2021's 5．要求行政机关确认…)
    "chromium_v2019_aligned_26_simsun_blank.pdf": ("chromium", 26, SIMSUN, ""),
    "chromium_v2021_aligned_49_simsun_blank.pdf": ("chromium", 49, SIMSUN, ""),
    # the same, rows set a line apart: an empty row numbered as a row begins, set tight over a data line
    # whose own label is numbered (一、本年新收… over 二、上年结转… 1 1; at a page's top 5．属于三类… over
    # 6．属于四类… 1 1), taken for the first line of that row's label (a label has one number)
    "chromium_v2021_aligned_17_simsun_blank.pdf": ("chromium", 17, SIMSUN, ""),
    "chromium_v2019_aligned_32_simsun_blank.pdf": ("chromium", 32, SIMSUN, ""),
    # the same: four empty rows at a page's foot (1．属于国家秘密 … 4．保护第三方…) carried to the next page
    # were set a line's height above its first line, further than a row's pitch from the rows there, and lost
    "chromium_v2019_aligned_14_simsun_blank.pdf": ("chromium", 14, SIMSUN, ""),
    # the same: table 4's one row of values set flush left under headings stacked and centred (结果维 / 持),
    # each value between two headings' centres; cells from one heading's left edge to the next put every
    # value one column to the left (review.total 2, not litigation_direct.upheld: misread)
    "chromium_v2021_aligned_9_simsun_blank.pdf": ("chromium", 9, SIMSUN, ""),
    # never read wrong on main, but the first rule for lines carried over a page break (set at their own
    # spacing) broke it: the lines carried were one wrapped label (一、本年新收…数 / 量), a line's spacing
    # apart, and went into the next page's first row's label (二、上年结转… 1 1)
    "lo_v2021_aligned_17_simsun_blank.pdf": ("libreoffice", 17, SIMSUN, ""),
    # and the second rule for them (their rows' pitch whenever two carried lines begin a row) broke this:
    # the next page's first line (确) goes on with the last carried label (3．补正 / … / 容仍不明), a line's
    # spacing from it, not a row's pitch (two rows' labels, 2．没有… and 3．补正…, were lost)
    "lo_v2019_aligned_48_simsun_blank.pdf": ("libreoffice", 48, SIMSUN, ""),
    # and the third (a row's pitch below the last carried line) broke this: the last carried row's label is
    # ten lines tall (2．申请人逾期未…), so the next page's first row (3．其他) went a whole row's pitch below
    # its last line and the rows between were lost; it goes as far below as carried rows begin below the
    # line above them
    "lo_v2021_aligned_91_blank.pdf": ("libreoffice", 91, producers.CJK_FONT, ""),
}


# perturbed variants (perturb.variant) as Chromium or LibreOffice print them, each read wrong once
# (tests/test_extract_pdf.py); their truth is the variant's record and assumptions, not a golden. file name →
# (producer, template, seed, perturbations[, the face LibreOffice or Chromium is asked for: Noto Sans CJK
# unless named])
VARIANTS: dict[str, tuple[str, str, int, list[str]] | tuple[str, str, int, list[str], str]] = {
    # WeasyPrint breaks a row whose cells do not fit across the page: table 3's （二）部分公开 row printed its
    # values at the foot of page 1 beside no label and its two-line label at the top of page 2 beside
    # blank cells (no rule above them); the values had no label to be placed by (tables_not_found)
    "weasyprint_v2019_variant_179619.pdf": ("weasyprint", "v2019", 179619, ["title_split"]),
    # the same break through （一）予以公开 with 总计 set first and its digits full-width: the row's values on
    # page 1 but 总计's, set lower in its cell, which went to page 2 with 三、本年度办理结果 (the group's name
    # centred in its merged cell): 25 was read as no value of any row
    "weasyprint_v2019_variant_75838.pdf": (
        "weasyprint",
        "v2019",
        75838,
        ["columns_reordered", "fullwidth_digits"],
    ),
    # rule-less, zeros printed empty, full-width digits: table 4's one row prints only 2 (under 未经复议直接
    # 起诉's 结果维持, flush left) and its total; the group heading 未经复议直接起诉, centred by chance over
    # 结果纠正's lowest piece (正), was taken for part of that column's heading, whose cell then began where
    # 结果维持's does: upheld read as corrected
    "weasyprint_v2021_variant_46629.pdf": (
        "weasyprint",
        "v2021",
        46629,
        ["fullwidth_digits", "rules_removed", "zeros_printed_otherwise"],
    ),
    # rule-less, labels wrapped: （四）无法提供, set midway down its group, landed on the line of 2．没有现成
    # 信息需要另行 / 制作's values, that label's first line set just above it; the line was taken for a row
    # printing nothing (a numbered label a line's spacing from a numbered row) and the values for the
    # group's: unavailable_needs_creation read as zeros
    "weasyprint_v2019_variant_930859.pdf": (
        "weasyprint",
        "v2019",
        930859,
        ["row_label_wrapped", "rules_removed", "thousands_separators"],
    ),
    # rule-less, labels respaced: （二）部分公开's values at page 1's foot, its label at page 2's top, over
    # 1 ．属于国家秘密 (its number a word of its own): that row's label was taken to go on up through
    # （二）'s lines, not to begin with its number, and the two rows read as one (partially_granted zeros)
    "weasyprint_v2019_variant_632094.pdf": (
        "weasyprint",
        "v2019",
        632094,
        ["labels_respaced", "title_split", "rules_removed"],
    ),
    # rule-less, zeros printed empty: at page 2's top, rows printing nothing (1．… 2．… 3．危及…) over
    # （三）不予 4．保护… 1 1; 3．危及…, reaching near the values, was taken for the first line of that row's
    # label (whose own number sits after the group's name), and its row was lost
    "weasyprint_v2019_variant_476791.pdf": (
        "weasyprint",
        "v2019",
        476791,
        ["rules_removed", "fee_rephrased", "zeros_printed_otherwise"],
    ),
    # the same, full-width digits a digit a line in the narrow columns: the first row on page 2 that prints
    # values (1．本机关不掌握… 10 1 11) prints their first digits a line above it; that line, joined to the
    # row, was still searched upwards from, and 8．属于行政查询事项 (printing nothing) taken for its label
    "weasyprint_v2021_variant_895216.pdf": (
        "weasyprint",
        "v2021",
        895216,
        ["zeros_printed_otherwise", "fullwidth_digits", "rules_removed"],
    ),
    # the same, a digit a line in columns one character wide: 139 printed 1 / 3 / 9 centred on （一）予以公开's
    # line, its first digit beside the group's name (三、本年度), whose numbered line was taken for a row of
    # its own printing only that digit, and the value read as 39 (total 161 as 61: the row still adds up)
    "weasyprint_v2021_variant_705232.pdf": (
        "weasyprint",
        "v2021",
        705232,
        ["fullwidth_digits", "rules_removed"],
    ),
    # rule-less, full-width digits in columns two characters wide (自然 / 人, 总计 on one line), set in their
    # cells' middle: 1094 printed １０ half a line above 一、本年新收…'s line and ９４ half a line below, the
    # pieces taken for rows without labels (tables_not_found); the same with values flush right, and a
    # row's label wrapped round its values line, its first line holding 总计's first piece (（二）部分公开)
    "weasyprint_v2021_variant_718646.pdf": (
        "weasyprint",
        "v2021",
        718646,
        ["title_split", "rules_removed", "fullwidth_digits"],
    ),
    "weasyprint_v2019_variant_673139.pdf": (
        "weasyprint",
        "v2019",
        673139,
        ["rules_removed", "cells_aligned", "fullwidth_digits"],
    ),
    # the same seed as v2021 prints it: 982 a digit a line in 自然人 (one character wide) and 17 and 1046
    # two lines each in 其他 and 总计, all centred on 一、本年新收…'s line: five lines whose values overlap
    "weasyprint_v2021_variant_673139.pdf": (
        "weasyprint",
        "v2021",
        673139,
        ["rules_removed", "cells_aligned", "fullwidth_digits"],
    ),
    # the same, 162 a digit a line centred on 1．本机关不掌握…'s line, its last digit beside the group's name
    # set below it (（四）无 / 法提供): that numbered line was taken for a row of its own, 162 read as 16
    "weasyprint_v2021_variant_344239.pdf": (
        "weasyprint",
        "v2021",
        344239,
        ["rules_removed", "fullwidth_digits"],
    ),
    # rule-less, labels wrapped, zeros printed as dashes: （一）予以公开's label wrapped round its values
    # beside its group's (三、本年度办 （一） / 21 1 - - 2 2 26 / 理结果 予以公开), then （二）部分公开's
    # values at the page's foot, its label on the next page: the label's last line, set tight over those
    # values, was taken for the beginning of their label, and they were read as 予以公开's (granted 6, not 21)
    "weasyprint_v2019_variant_607275.pdf": (
        "weasyprint",
        "v2019",
        607275,
        ["row_label_wrapped", "zeros_printed_otherwise", "rules_removed"],
    ),
    # rule-less, full-width digits in columns two characters wide (自然 / 人, 其 / 他, 总计 on one line), set
    # at their cells' top: 1052 printed １０ on 一、本年新收…'s line and ５２ under it; only columns one
    # character wide were known to wrap, so the line of pieces was taken for a row without a label
    # (tables_not_found)
    "weasyprint_v2019_variant_851832.pdf": (
        "weasyprint",
        "v2019",
        851832,
        ["fullwidth_digits", "rules_removed", "cells_aligned"],
    ),
    # rule-less, headings letter-spaced by Chromium with a space between letters (held out, 500-700): 社会公益
    # (1.9 pt), 3.4 pt, 法律服务 (1.9 pt), 3.4 pt, 其 were one heading over three columns, no applicant
    # column after 科研机构 was named, and the values were aligned by the identities alone (an assumption)
    "chromium_v2021_variant_380850.pdf": (
        "chromium",
        "v2021",
        380850,
        ["labels_respaced", "agency_to_signature", "rules_removed"],
    ),
    # rule-less, headings letter-spaced (held out, 2,600-3,200): 法 律 服 务 2.2 pt apart and 其 (of 其 / 他,
    # a column one character wide) 3.8 pt after 务, both under half a character, made one heading 法律服务其;
    # neither column was named, and the values were aligned by the identities alone (an assumption)
    "weasyprint_v2019_variant_948560.pdf": (
        "weasyprint",
        "v2019",
        948560,
        ["labels_respaced", "rules_removed", "zeros_printed_otherwise"],
    ),
    # rule-less, columns reordered (总计 second), set in their cells' middle (held out, 2,600-3,200): the
    # group heading 申请人情况 centred nearest 总计's column made it no narrow one, so 总计's 24 (２ above
    # the row's line, ４ under it) left a line of pieces without a label (tables_not_found)
    "weasyprint_v2021_variant_887223.pdf": (
        "weasyprint",
        "v2021",
        887223,
        ["fullwidth_digits", "rules_removed", "columns_reordered"],
    ),
    # rule-less, full-width digits with thousands separators, set in their cells' middle (held out,
    # 2,000-2,600): 405 printed ４ beside 三、本年度, ０ on （一）予以公开's line, ５ under it; the only other
    # value with a piece above its row (９ / ５ / ０) was joined before by `_overlapping_rows`, so the table
    # was not known to be centred, ４ stayed a row of its own, and 405 was read as 05: a misread (5)
    "weasyprint_v2021_variant_288520.pdf": (
        "weasyprint",
        "v2021",
        288520,
        ["thousands_separators", "rules_removed", "fullwidth_digits"],
    ),
    # rule-less, full-width digits with thousands separators in narrow columns, set in their cells' middle:
    # 1,114 printed １，１ half a line above 一、本年新收…'s line and １４ half a line below; a word ending
    # in its separator was no value, so its line was none, and the pieces below were taken for rows
    # without labels (tables_not_found)
    "weasyprint_v2021_variant_910351.pdf": (
        "weasyprint",
        "v2021",
        910351,
        ["rules_removed", "fullwidth_digits", "thousands_separators"],
    ),
    # table 3's header cut by a page break, columns reordered: 总计's and 自然人's cells go on at the next
    # page's top with no rule above them, the other headings' cells under a rule 1.9 pt below that top;
    # the rule closing the open tops stopped at 总计, 自然人's heading fell out of the grid, the columns were
    # taken by the identities alone and 商业企业's and 社会公益组织's values swapped (both add up the same)
    "weasyprint_v2019_variant_887410.pdf": (
        "weasyprint",
        "v2019",
        887410,
        ["fullwidth_digits", "agency_to_signature", "columns_reordered"],
    ),
    # rule-less, full-width digits, set in their cells' middle (held out, 3,200-3,800): （二）部分公开's row
    # broken by the page, its values 22 / 1 / 23 at page 1's foot beside 理结果, under （一）予以公开's
    # 56 / 7 / 67, in columns two characters wide; they were taken for pieces of those wrapped, and 5622,
    # 71 and 6723 were read (a misread), though 商业企业's column prints １２ on one line
    "weasyprint_v2019_variant_516533.pdf": (
        "weasyprint",
        "v2019",
        516533,
        ["zeros_printed_otherwise", "fullwidth_digits", "rules_removed"],
    ),
    # rule-less, full-width digits, set in their cells' middle (held out, 1,400-2,000): （一）予以公开's row
    # broken by the page, its short values at page 1's foot, 150 and 182 wrapped (１５ / ０, １８ / ２) at
    # page 2's top near no row (tables_not_found); and 184 printed １８ half a line above 1．本机关不掌握…'s
    # line, ４ half a line below beside （四）无法, a line of its own (read 18)
    "weasyprint_v2019_variant_512077.pdf": (
        "weasyprint",
        "v2019",
        512077,
        ["rules_removed", "fullwidth_digits", "title_split"],
    ),
    # rule-less, full-width digits, set in their cells' middle (held out, 3,800-4,400): 130 printed
    # １ / ３ / ０ round 1．本机关不掌握…'s line, ０ beside （四）无, and under it 三、本年度 法提供 printed
    # １, the first piece of the next row's 14; while that line counted as a row, ０'s line was as near it
    # as its own row's and 130 was read 13 (a misread; refused before 26e3727 joined the pieces at page 2's
    # top)
    "weasyprint_v2021_variant_818955.pdf": (
        "weasyprint",
        "v2021",
        818955,
        ["fullwidth_digits", "agency_to_signature", "rules_removed"],
    ),
    # rule-less, labels wrapped, set in their cells' middle (held out, a new series of seeds, 0-600):
    # 1．本机关不掌 / 握相关政府信息 round its values, the group's name （四）无法 on the label's second line;
    # that line, numbered, was taken for a row printing nothing, and the label's rest for its: the row's
    # 2 … 2 left out and unavailable_not_held read as blank zeros (a misread)
    "weasyprint_v2019_variant_19214.pdf": (
        "weasyprint",
        "v2019",
        19214,
        ["row_label_wrapped", "rules_removed"],
    ),
    # rule-less, zeros printed empty (the same series): （二）部分公开's values 6 … 6 at page 1's foot beside
    # 理结果, a row's pitch under （一）予以公开's 15 … 17, its label at page 2's top; in columns two
    # characters wide they were taken for pieces of those wrapped, and 156 and 176 were read (a misread)
    "weasyprint_v2019_variant_596842.pdf": (
        "weasyprint",
        "v2019",
        596842,
        ["rules_removed", "title_split", "zeros_printed_otherwise"],
    ),
    # rule-less, full-width digits (the same series): 一、本年新收…'s 总计 12 broken by the page, １ / ２ at
    # page 2's top; ２, a row's pitch above 二、上年结转…, was taken for the first piece of that row's 1: 1
    # and 21 were read (a misread)
    "weasyprint_v2019_variant_630190.pdf": (
        "weasyprint",
        "v2019",
        630190,
        ["agency_to_signature", "fullwidth_digits", "rules_removed"],
    ),
    # rule-less, full-width digits, labels wrapped (the same series, every variant printed without rules):
    # 2．其他法律行政法规禁止公开's 10 broken by the page, １ / ０ at page 2's top, ０ a row's padding over
    # 3．危及…'s ３: ０ was taken for the first piece of that row's 3 (03), and 1 was read for 10
    "weasyprint_v2021_variant_478734.pdf": (
        "weasyprint",
        "v2021",
        478734,
        ["fullwidth_digits", "row_label_wrapped", "rules_removed"],
    ),
    # rule-less, labels respaced, zeros printed empty (the same): 社 会 公 益 / 组 织 letter-spaced leave 组
    # 织 公 益 side by side, and 法律服务's 机构 less than half a character after them was taken into their
    # column: six applicant columns, and table 3's first rows were lost
    "weasyprint_v2019_variant_734262.pdf": (
        "weasyprint",
        "v2019",
        734262,
        ["labels_respaced", "rules_removed", "zeros_printed_otherwise"],
    ),
    # rule-less, text set anywhere in its cells, zeros printed empty (the same): values flush right under
    # centred headings, past their right edges (3 under 商业 / 企业, nearer 科研机构's centre), on two pages:
    # five value columns were made of seven, and table 3 was lost
    "weasyprint_v2019_variant_400674.pdf": (
        "weasyprint",
        "v2019",
        400674,
        ["cells_aligned", "rules_removed", "zeros_printed_otherwise"],
    ),
    # rule-less, text set anywhere, labels renamed (the same): table 2's headings flush left (本年新 /
    # 制作数量, 本年新 / 公开数量), its values flush right, the first column's under the second heading's
    # left edge: the headings went to the wrong columns, and the rules' row was lost
    "weasyprint_v2019_variant_385650.pdf": (
        "weasyprint",
        "v2019",
        385650,
        ["cells_aligned", "label_synonyms", "rules_removed"],
    ),
    # rule-less, zeros printed empty (the same): at page 2's top, rows printing nothing, 公开 5．属于… (the
    # group's name's rest on its line) over 6．属于… 1 1: taken for the first line of 6．'s label, and
    # denied_third_party's row lost
    "weasyprint_v2019_variant_434982.pdf": (
        "weasyprint",
        "v2019",
        434982,
        ["fee_rephrased", "rules_removed", "zeros_printed_otherwise"],
    ),
    # rule-less, labels wrapped, zeros printed empty (the same): v2019's （六） / 其他处理, a row printing
    # nothing, a row's padding under 5．要求…'s last line: taken for a group's name set beside that row, its
    # label joined to （七）总计's, and other_handling lost
    "weasyprint_v2019_variant_755518.pdf": (
        "weasyprint",
        "v2019",
        755518,
        ["row_label_wrapped", "rules_removed", "zeros_printed_otherwise"],
    ),
    # rule-less, applicant columns reordered (the same): 自然人 总计 科研机构 社会公益组织 商业企业 … on one
    # header line, each over its column; taken for the template's two header rows typed as one (总计 put
    # last), the rows' sums then overruled it: read right, but as an assumption, not verified
    "weasyprint_v2019_variant_413468.pdf": (
        "weasyprint",
        "v2019",
        413468,
        ["columns_reordered", "rules_removed"],
    ),
    # rule-less, columns reordered, labels respaced (held out, 1,200-1,800): headings and values flush left
    # in cells of many widths, 总 / 计's narrow; once 社 会 公 益 / 组 织 was its own column, 社 went to 总计's
    # cell by the nearest middle (计社, 会公益织): 总计 and 自然人 swapped (a misread made by this change, found
    # held out and fixed before it was committed)
    "weasyprint_v2019_variant_643005.pdf": (
        "weasyprint",
        "v2019",
        643005,
        ["columns_reordered", "labels_respaced", "rules_removed"],
    ),
    # rule-less, full-width digits, set in their cells' middle (held out, 1,200-1,800): 120 printed １ / ２
    # / ０ round 1．本机关不掌握…'s line, ０ on the line of （四）无, set lower than the pieces; that line's
    # centre, drawn down by the group's name, was as near the next row as this one, and 12 was read (132
    # as 13)
    "weasyprint_v2021_variant_429215.pdf": (
        "weasyprint",
        "v2021",
        429215,
        ["fullwidth_digits", "rules_removed", "title_split"],
    ),
    # rule-less, zeros printed blank (held out, 2,400-2,800): （三）不予公开's first two sub-rows at a
    # page's foot print nothing; the row above's label wrapped under its values, and the next row was
    # measured from the values' line (a row's pitch and a half off), not the label's last: both rows lost
    "weasyprint_v2019_variant_461985.pdf": (
        "weasyprint",
        "v2019",
        461985,
        ["labels_respaced", "rules_removed", "zeros_printed_otherwise"],
    ),
    # rule-less, full-width digits (held out, 2,400-2,800): 1．本机关不掌握…'s total, ２２ in a narrow
    # column, printed ２ / ２ round the row's line, each piece on the line of a group's name (三、本年度办
    # above, （四）无法 below), the row itself printing none in that column: both lines taken for rows, 0 read
    "weasyprint_v2019_variant_293555.pdf": (
        "weasyprint",
        "v2019",
        293555,
        ["fullwidth_digits", "rules_removed", "title_split"],
    ),
    # rule-less, labels respaced (held out, 2,400-2,800): 社 会 公 益 | 法 律 服 务 | 其 letter-spaced 2.21 pt
    # apart, 3.13 pt between cells, a widening under a tenth of a character: one heading over three
    # columns, the columns then placed by the table's identities (an assumption)
    "weasyprint_v2019_variant_258562.pdf": (
        "weasyprint",
        "v2019",
        258562,
        ["labels_respaced", "rules_removed"],
    ),
    # rule-less, labels respaced, zeros blank (held out, 0-1,200): only 自然人 and 总计 print values, so the
    # header's lowest pieces name the columns; 机 构 服 务 他 (法律服务机构's and 其他's, side by side) ran
    # together as one, 其他 joined 总计, and table 3 was lost
    "weasyprint_v2019_variant_427207.pdf": (
        "weasyprint",
        "v2019",
        427207,
        ["labels_respaced", "rules_removed", "zeros_printed_otherwise"],
    ),
    # rule-less (held out, 2,400-2,800): 一、本年新收…'s values at page 1's foot, its label wrapped onto page
    # 2's top; page 1's table, a row without a label, took its header's corner (（本列数据的勾稽关系…）) for a
    # column, and page 2's rows, their labels across that column, were read without them: refused
    "weasyprint_v2019_variant_818642.pdf": (
        "weasyprint",
        "v2019",
        818642,
        ["agency_to_signature", "row_label_wrapped", "rules_removed"],
    ),
    # table 3's header alone at the foot of a page, its rows on the next (no header repeated): the header,
    # naming no table, was dropped and the columns taken in the template's order, an assumption
    "chromium_v2021_variant_44494.pdf": (
        "chromium",
        "v2021",
        44494,
        ["title_split", "thousands_separators", "agency_to_signature"],
    ),
    # table 3's header cut by a page break (总计 first, 自然人 last): its top rows at the page's foot, 计 of
    # 总计 clipped from the text layer, the organisations' row at the top of the next page; the header's
    # cells were placed by their index in rows of different widths, and the columns were taken in the
    # template's order: 其他's values read as 自然人's
    "chromium_v2019_variant_738974.pdf": (
        "chromium",
        "v2019",
        738974,
        ["agency_to_signature", "zeros_printed_otherwise", "columns_reordered"],
    ),
    # rule-less, table 3's headings stacked (自然 / 人, 总 / 计 beside the corner's note, 其 / 他 under the
    # first heading of a line of five): 人 | 计 were taken for row labels under a header of a table
    # printing no value, 自然人 and 总计 were lost and the columns assumed in the template's order
    "chromium_v2021_variant_85316.pdf": ("chromium", "v2021", 85316, ["columns_reordered", "rules_removed"]),
    # rule-less, full-width digits in columns one character wide (总 / 计 stacked): 10 printed 1 / 0 round
    # the row's line (text in the cell's middle), the pieces taken for rows without labels (tables_not_found)
    "chromium_v2021_variant_386010.pdf": (
        "chromium",
        "v2021",
        386010,
        ["fullwidth_digits", "columns_reordered", "rules_removed"],
    ),
    # the same with text at the cell's top: 70 printed 7 on the row's line, 0 under it, and on the page
    # after, the table going on without its header, 11 as 1 / 1 round （七）总计
    "chromium_v2021_variant_742298.pdf": (
        "chromium",
        "v2021",
        742298,
        ["cells_aligned", "rules_removed", "fullwidth_digits"],
    ),
    # LibreOffice, rule-less: table 2's heading 本年新 / 制作数量 wrapped over two lines, each line a header
    # row, neither naming 本年新制作数量: the column went unread (规章's and 行政规范性文件's 0 absent)
    "libreoffice_v2019_variant_166604.pdf": (
        "libreoffice",
        "v2019",
        166604,
        ["rules_removed", "label_synonyms", "labels_respaced"],
    ),
    # LibreOffice, ruled: table 4's header cut by a page break (结果 | 其他 | 尚未 | 总计 at one page's foot,
    # 维持 | 结果 | 审结 under them on the next): the outcomes taken by column index across the two pages'
    # rows of different widths, 总计 third, and 复议后起诉's 1 0 1 0 2 misread (其他结果 0, 总计 1)
    "libreoffice_v2019_variant_211113.pdf": (
        "libreoffice",
        "v2019",
        211113,
        ["label_synonyms", "labels_respaced"],
    ),
    # Chromium, ruled: table 4's row of values, every zero printed blank, drawn 3 pt tall (a row with no text
    # in it); pdfplumber's 3-pt snap took its two rules for one and the row was lost (all 15 cells absent)
    "chromium_v2021_variant_832682.pdf": (
        "chromium",
        "v2021",
        832682,
        ["zeros_printed_otherwise", "cells_aligned", "row_label_wrapped"],
    ),
    # Chromium, ruled, zeros printed as '/': table 4's column rules (368.25 and 369.0) were snapped with
    # table 3's above them to 365.3, and a '/' set flush right in its cell fell into the next ('' and
    # '/ /'): the row refused, all 15 cells absent
    "chromium_v2021_variant_181159.pdf": (
        "chromium",
        "v2021",
        181159,
        ["cells_aligned", "zeros_printed_otherwise"],
    ),
    # Chromium, no rules, full-width digits in a narrow 总计 column, a number a digit a line: 41's 4 beside
    # the group's label 三、本年度办理 (a row of its own: 予以公开 read 1), and on the next page (no header)
    # the narrow columns not carried because the first column's centre moved 4 pt (16, 85 and 15 lost
    # their digits to rows of no label: tables_not_found)
    "chromium_v2019_variant_952639.pdf": (
        "chromium",
        "v2019",
        952639,
        ["row_label_wrapped", "fullwidth_digits", "rules_removed"],
    ),
    "chromium_v2021_variant_445721.pdf": (
        "chromium",
        "v2021",
        445721,
        ["rules_removed", "fullwidth_digits", "zeros_printed_otherwise"],
    ),
    # Chromium, the agency named only in the signature, its date in full-width digits: pdfium set each
    # character on a line of its own, and each digit was dropped as a page number before the pieces were
    # joined (年月日 is no date: the agency was not read)
    "chromium_v2019_variant_476784.pdf": (
        "chromium",
        "v2019",
        476784,
        ["title_split", "fullwidth_digits", "agency_to_signature"],
    ),
    # WeasyPrint, rule-less: （一）'s label wrapped under its values (三、本年度办 （一） 34 2 … / 理结果 予以公开,
    # a line's spacing under it, nearly a row's pitch in this tight table): 予以公开 beside blank cells read
    # as a row's whole label, a row of zeros printed blank (granted 0; 34 2 … placed nowhere)
    "weasyprint_v2019_variant_51093.pdf": (
        "weasyprint",
        "v2019",
        51093,
        ["cells_aligned", "row_label_wrapped", "rules_removed"],
    ),
    # LibreOffice, rule-less, v2019 table 2's first sub-table: 本年新 / 制作数量 and 本年新 / 公开数量 wrapped
    # round 对外公开总数量 on the line between; 制作数量 alone named nothing (rules, normative_documents:
    # only their totals read)
    "libreoffice_v2019_variant_151726.pdf": (
        "libreoffice",
        "v2019",
        151726,
        ["cells_aligned", "label_synonyms", "rules_removed"],
    ),
    # WeasyPrint, rule-less, text at its cells' top, full-width digits: values of three digits wrapped over
    # three lines in narrow columns (１ / １ / ４ beside 一、本年新收…, and （七）总计's): the third line, a
    # cell's line spacing under the second and a padding nearer it than the next row, was a row without a
    # label (refused: a row printing no label the template has no place for)
    "weasyprint_v2021_variant_85248.pdf": (
        "weasyprint",
        "v2021",
        85248,
        ["cells_aligned", "fullwidth_digits", "rules_removed"],
    ),
    # WeasyPrint, rule-less, text in its cells' middle, full-width digits: 1．本机关不掌握… printing ９ / ４
    # half a line above and below its line and １ / ０ / １ centred on it, the lower pieces on （四）无's line:
    # that line's ４ and １ were left out as the group's (94 read 9, 101 read 10: a misread)
    "weasyprint_v2021_variant_115494.pdf": (
        "weasyprint",
        "v2021",
        115494,
        ["agency_to_signature", "fullwidth_digits", "rules_removed"],
    ),
    # LibreOffice, rule-less, in WenQuanYi Micro Hei (CI's face): a row broken by a page, its values and its
    # label's first line (3．要求 / 1．信访) on page 2's last line and the rest of its label (提供公开 / 出版物)
    # at page 3's top, over the first row there; those lines were taken for nobody's, and a label 3．要求 is
    # like no template row's: the row was lost (rejected_publication, rejected_petition absent)
    "libreoffice_v2021_variant_5186_wqy.pdf": (
        "libreoffice",
        "v2021",
        5186,
        ["cells_aligned", "label_synonyms", "rules_removed"],
        producers.WQY_FONT,
    ),
    "libreoffice_v2021_variant_880701_wqy.pdf": (
        "libreoffice",
        "v2021",
        880701,
        ["agency_to_signature", "columns_reordered", "rules_removed"],
        producers.WQY_FONT,
    ),
    # the same, asked for in 宋体 (SimSun: WenQuanYi substituted, a Latin face for the digits): the one row
    # under table 3's header at page 1's foot, its label wrapped round its values (一、本年新收政府信息公开
    # 申请数 / 36 6 … / 量); the label's widest line ended 2 pt past the edge the values set and was taken for
    # no label line: received_new's label was 量 and the row was lost
    "libreoffice_v2021_variant_709303_simsun.pdf": (
        "libreoffice",
        "v2021",
        709303,
        ["cells_aligned", "label_synonyms", "rules_removed"],
        SIMSUN,
    ),
}


def _program(producer: str) -> str:
    """The program a PDF producer needs on the machine (LibreOffice's is soffice)."""
    return {"libreoffice": "soffice"}.get(producer, producer)


def _needs(producer: str, face: str | None) -> tuple[str, ...]:
    """What a print of `producer` in `face` needs on the machine: its program, and WenQuanYi Micro Hei when
    the text is set in it (WeasyPrint's face; another face than Noto Sans CJK asked for, that one or a
    substitute). Noto Sans CJK `producers.missing` looks for with LibreOffice's or Chromium's program."""
    wqy = producer == "weasyprint" or face not in (None, producers.CJK_FONT)
    return (_program(producer), "wqy") if wqy else (_program(producer),)


def variant_design(name: str) -> Any:
    """The perturbed variant a VARIANTS fixture prints (a Design)."""
    from samplegen import perturb

    _producer, template, seed, names = VARIANTS[name][:4]
    return perturb.variant(seed, template, names)


def _variant(name: str) -> Fixture:
    from samplegen import design

    producer, face = VARIANTS[name][0], next(iter(VARIANTS[name][4:]), None)
    return Fixture(
        f"pdf/{name}",
        lambda: design.render(variant_design(name), producer, font=face),
        needs=_needs(producer, face),
        stable=False,
    )


def aligned_design(name: str) -> Any:
    """The rule-less variant an ALIGNED fixture prints, text where `cells_aligned` draws it (a Design)."""
    from samplegen import perturb

    spec = ALIGNED[name]
    return perturb.aligned(spec[1], spec[3] if len(spec) > 3 else None)


def _aligned(name: str) -> Fixture:
    from samplegen import design

    producer, font = ALIGNED[name][0], ALIGNED[name][2]
    return Fixture(
        f"pdf/{name}",
        lambda: design.render(aligned_design(name), producer, font=font),
        needs=_needs(producer, font),
        stable=False,
    )


FIXTURES: list[Fixture] = [
    Fixture("pdf/rl_v2019_split_repeat.pdf", rl_v2019, "pdf_rl_v2019_split_repeat"),
    Fixture("pdf/rl_v2021_total_first.pdf", rl_v2021, "pdf_rl_v2021_total_first"),
    Fixture("pdf/lo_v2021_docx.pdf", lo_docx, "pdf_lo_v2021_docx", needs=("soffice", "qpdf"), stable=False),
    Fixture(
        "pdf/chromium_v2021_radicals.pdf",
        chromium,
        "pdf_chromium_v2021_radicals",
        needs=("chromium", "qpdf"),
        stable=False,
    ),
    Fixture(
        "pdf/refuse_encrypted.pdf",
        lambda: producers.qpdf_encrypt(rl_v2021(), PASSWORD, "owner-pw"),
        needs=("qpdf",),
        stable=False,
        password=PASSWORD,
    ),
    Fixture("pdf/refuse_truncated.pdf", lambda: rl_v2021()[: len(rl_v2021()) * 2 // 3]),
    Fixture("pdf/refuse_no_text_layer.pdf", lambda: render_image_only(_rl_v2021_doc(), 2)),
    Fixture("html/html_hz-sfj_2020.html", html_sfj, "html_hz-sfj_2020"),
    Fixture("html/html_hz-mzj_2022_gbk.html", html_mzj, "html_hz-mzj_2022_gbk"),
    Fixture("html/html_hz-scq_2019_fullwidth.html", html_scq, "html_hz-scq_2019_fullwidth"),
    Fixture("html/html_xh-wjj_2023_split.html", html_xh_wjj, "html_xh-wjj_2023_split"),
    Fixture("html/refuse_404.html", portal_not_found_html),
    Fixture("html/refuse_listing.html", lambda: portal_listing_html("杭州市林业水利局")),
    Fixture("docx/docx_hz-ghzy_2020.docx", docx_ghzy, "docx_hz-ghzy_2020"),
    Fixture("docx/docx_t1-gongshu_2022.docx", docx_gongshu, "docx_t1-gongshu_2022", source=T1_TEMPLATE),
    Fixture("docx/refuse_legacy.doc", legacy_doc),
    Fixture(
        "docx/doc_hz-ghzy_2020.doc",
        lambda: producers.soffice_doc(docx_ghzy(), "doc_hz-ghzy_2020"),
        "docx_hz-ghzy_2020",
        needs=("soffice",),
        stable=False,
    ),
    Fixture("docx/refuse_truncated.docx", lambda: docx_ghzy()[: len(docx_ghzy()) // 2]),
    Fixture("text/md_hz-czj_2021.md", markdown_czj, "md_hz-czj_2021"),
    *[_aligned(name) for name in ALIGNED],
    *[_variant(name) for name in VARIANTS],
]


# ----------------------------------------------------------------------------- writing
def golden_json(report: Report) -> str:
    """A golden file's text: the canonical record, one key per line (as the city's truth)."""
    return json.dumps(report.canonical(), ensure_ascii=False, indent=1) + "\n"


def _write(path: Path, data: bytes) -> str:
    if path.exists() and path.read_bytes() == data:
        return "unchanged"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return "written"


def write_fixture(fx: Fixture, root: Path) -> str:
    """Write one fixture and its golden under root (files/…, golden/…); returns what happened, in a few words."""
    if fx.golden:
        _write(root / "golden" / f"{fx.golden}.json", golden_json(record(fx.golden)).encode("utf-8"))
    lacking = producers.missing(fx.needs)
    if lacking:
        return f"skipped: needs {', '.join(lacking)} ({producers.APT_INSTALL})"
    if fx.source and not fx.source.exists():
        return f"skipped: {fx.source} is not here"
    data = fx.build()
    path = root / "files" / fx.path
    if not fx.stable and path.exists() and path.suffix != ".pdf":
        return "kept (made by a program that dates its output; delete it to make it anew)"
    if not fx.stable and path.exists() and producers.same_pdf(data, path.read_bytes(), fx.password):
        return "kept (the same document; only dates, IDs or salts differ)"
    return _write(path, data)


def main(argv: list[str] | None = None) -> int:
    """Command line entry: write the fixtures (all, or --only these names) and say what happened to each."""
    ap = argparse.ArgumentParser(prog="python -m samplegen.fixtures", description=__doc__.splitlines()[0])
    ap.add_argument("--root", type=Path, default=TESTS, help="where files/ and golden/ are (default: tests/)")
    ap.add_argument("--only", nargs="+", metavar="NAME", help="file names, e.g. rl_v2021_total_first.pdf")
    args = ap.parse_args(argv)
    chosen = [f for f in FIXTURES if not args.only or Path(f.path).name in args.only]
    if args.only and len(chosen) != len(args.only):
        known = ", ".join(Path(f.path).name for f in FIXTURES)
        ap.error(f"unknown fixture among {args.only}; known: {known}")
    for fx in chosen:
        print(f"{fx.path}: {write_fixture(fx, args.root)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
