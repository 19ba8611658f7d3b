"""One report document's design: a record, and every choice of how it is printed, whatever the producer.

The development corpus (`corpus.py`) and the perturbation tests (`perturb.py`) describe documents as a
`Design`: the record whose arithmetic holds, the words around the tables (title form, where the agency
is named, the fee sentence, a sentence naming another body), the tables' quirks (`layout.Style`: number
forms, column order, labels, v2019's （六） row in a v2021 table), the pages' quirks (page breaks, missing
rules, no rules, landscape table 4) and the converters' (Markdown, hand-typed text). `render` prints a
design with one producer; `expected_record` and `expected_assumptions` say what a reading must give.
"""

from __future__ import annotations

import copy
import dataclasses
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from nianbao.pipeline import tables as T
from nianbao.pipeline.model import Report

from samplegen.agencies import Agency
from samplegen.layout import (
    CellAlign,
    NumberForm,
    Printed,
    Style,
    applications_grid,
    assemble,
    proactive_grid,
    review_grid,
    t3_rows,
    transpose,
)
from samplegen.records import (
    _APPLICANT_WEIGHTS,
    make_applications,
    make_proactive,
    make_review_litigation,
    split,
)

OTHER_ROWS = ("other_no_correction", "other_fee_unpaid", "other_misc")
# the assumption codes a reading records (issue 12)
ASSUMPTIONS = (
    "agency_from_heading",
    "agency_from_signature",
    "agency_from_metadata",
    "fees_stated_none",
    "other_handling_zero_split",
    "alignment_by_identities",
    "rows_by_order",
)

# ----------------------------------------------------------------------------- records
# new applications a year by size class: smaller than the city's, so that zeros and small counts abound
_VOLUME = {"large": (180, 1400), "medium": (12, 160), "small": (0, 14)}


def corpus_record(
    agency: Agency, year: int, seed: int, fees: Decimal | None, other: str | None = None
) -> Report:
    """A report of `agency` for `year` whose arithmetic holds; `other` (v2021 only) forces the three
    （六）其他处理 rows to be all zero ("zero") or to hold something ("nonzero")."""
    rng = random.Random(f"corpus:{seed}:{agency.id}:{year}")
    template = "v2019" if year <= 2020 else "v2021"
    volume = rng.randint(*_VOLUME[agency.size])
    carried = split(rng, int(volume * rng.uniform(0, 0.05)) + rng.choice((0, 0, 1)), _APPLICANT_WEIGHTS)
    apps = make_applications(rng, agency, template, carried, volume)
    if template == "v2021" and other == "zero":
        for r in OTHER_ROWS:
            for a in T.APPLICANT_PARTS:
                apps["granted"][a] += apps[r][a]
                apps[r][a] = 0
        for r in (*OTHER_ROWS, "granted"):
            apps[r]["total"] = sum(apps[r][a] for a in T.APPLICANT_PARTS)
    elif template == "v2021" and other == "nonzero" and not any(apps[r]["total"] for r in OTHER_ROWS):
        donor = max(T.OUTCOME_ROWS["v2021"], key=lambda r: apps[r]["natural_person"])
        if apps[donor]["natural_person"] == 0:
            raise ValueError("no application to move into （六）其他处理: choose another seed")
        target = rng.choice(OTHER_ROWS)
        for row, d in ((donor, -1), (target, 1)):
            apps[row]["natural_person"] += d
            apps[row]["total"] += d
    return Report(
        agency=agency.name,
        year=year,
        template=template,
        proactive=make_proactive(rng, agency, template),
        applications=apps,
        review_litigation=make_review_litigation(rng, agency, volume),
        processing_fees_yuan=fees if template == "v2021" else None,
    )


# ----------------------------------------------------------------------------- number forms
_FULLWIDTH = str.maketrans("0123456789,.-+", "０１２３４５６７８９，．－＋")


@dataclass(frozen=True)
class Numbers:
    """How a document prints its values (every table, one way)."""

    zero: str = "0"  # a zero count: 0, "" (blank), —, -, /, 无
    thousands: bool = False  # 1,234
    fullwidth: bool = False  # １２３４
    change: str = "words"  # words: 增加 231 / 减少 28 | short: 增231 / 减28 | signed: +231 / -28
    yuan_unit: bool = True  # v2019's procurement amount printed with 元
    wan_unit: bool = False  # a 万元 amount printed with 万元

    def form(self) -> NumberForm:
        """The layout's number form."""

        def fmt(kind: str, v: Any) -> str:
            if kind == "count":
                s = self.zero if v == 0 else (f"{v:,}" if self.thousands else str(v))
            elif kind == "change":
                n = abs(v)
                num = f"{n:,}" if self.thousands else str(n)
                if v == 0:
                    s = "0"
                elif self.change == "words":
                    s = f"{'增加' if v > 0 else '减少'} {num}"
                elif self.change == "short":
                    s = f"{'增' if v > 0 else '减'}{num}"
                else:
                    s = f"{'+' if v > 0 else '-'}{num}"
            else:
                s = self.amount(v)
            return s.translate(_FULLWIDTH) if self.fullwidth else s

        return fmt

    def amount(self, v: Decimal, unit: str = "元") -> str:
        """A money value (yuan) as printed under a 元 heading (v2019) — or, when v has a 万元 tag, not."""
        if v == 0:
            return "0"
        q = f"{v:,.2f}" if self.thousands else f"{v:.2f}"
        q = q.rstrip("0").rstrip(".") if "." in q else q
        return q + ("元" if self.yuan_unit else "")


def wan(v: Decimal, thousands: bool = False) -> str:
    """Yuan printed in 万元, exactly (up to six decimals)."""
    q = (Decimal(v) / 10000).normalize()
    s = f"{q:,f}" if thousands else f"{q:f}"
    return s


def number_form(numbers: Numbers, template: str) -> NumberForm:
    """The whole document's number form: v2021's table-2 money column is headed 万元, v2019's 元."""
    base = numbers.form()

    def fmt(kind: str, v: Any) -> str:
        if kind == "amount" and template == "v2021":
            s = "0" if v == 0 else wan(v, numbers.thousands) + ("万元" if numbers.wan_unit else "")
            return s.translate(_FULLWIDTH) if numbers.fullwidth else s
        return base(kind, v)

    return fmt


# ----------------------------------------------------------------------------- titles
TITLE_FORMS = (
    "canonical",  # <agency>2022年政府信息公开工作年度报告
    "year_first",  # 2022年<agency>政府信息公开工作年度报告
    "year_du",  # <agency>2022年度政府信息公开工作年度报告
    "nianbao",  # <agency>2022年政府信息公开工作年报
    "gongzuo",  # <agency>2022年政府信息公开年度工作报告
    "two_lines",  # <agency> / 2022年政府信息公开工作年度报告
    "split",  # 2022年<agency>政府信息公开工作 / 年度报告
    "spaced_year",  # <agency>2 0 2 2 年政府信息公开工作年度报告
    "cn_year",  # <agency>二〇二二年度政府信息公开工作年度报告
)
_CN_DIGITS = "〇一二三四五六七八九"


def title_text(form: str, agency: str | None, year: int) -> str:
    """The title in one of TITLE_FORMS; without the agency when `agency` is None (a line break splits it)."""
    a = agency or ""
    y = f"{year}年"
    if form == "canonical":
        return f"{a}{y}政府信息公开工作年度报告"
    if form == "year_first":
        return f"{y}{a}政府信息公开工作年度报告"
    if form == "year_du":
        return f"{a}{year}年度政府信息公开工作年度报告"
    if form == "nianbao":
        return f"{a}{y}政府信息公开工作年报"
    if form == "gongzuo":
        return f"{a}{y}政府信息公开年度工作报告"
    if form == "two_lines":
        return f"{a}\n{y}政府信息公开工作年度报告" if a else f"{y}政府信息公开工作年度报告"
    if form == "split":
        return f"{y}{a}政府信息公开工作\n年度报告"
    if form == "spaced_year":
        return f"{a}{' '.join(str(year))} 年政府信息公开工作年度报告"
    if form == "cn_year":
        return f"{a}{''.join(_CN_DIGITS[int(d)] for d in str(year))}年度政府信息公开工作年度报告"
    raise ValueError(form)


# ----------------------------------------------------------------------------- section 六: the fees
# sentences that say no fee was collected (→ 0, recorded as fees_stated_none)
FEES_NONE = {
    "none_plain": "本年度未收取信息处理费。",
    "none_applicant": "本机关在办理政府信息公开申请过程中，未向申请人收取信息处理费。",
    "none_no_case": "本年度未发生收费情况。",
    "none_any": "本年度依申请公开工作中没有收取任何费用。",
    "none_cites": "按照《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）规定，本年度未收取信息处理费。",
}
# a printed zero (no assumption)
FEES_ZERO = {
    "zero_yuan": "本年度收取信息处理费0元。",
    "zero_wan": "本年度共收取信息处理费0.00万元。",
}
# a printed amount: {yuan} / {wan} / {notices}
FEES_AMOUNT = {
    "amount_yuan": "本年度共收取信息处理费{yuan}元。",
    "amount_wan": "全年收取信息处理费{wan}万元。",
    "amount_notices": "本年度共向申请人发出收费通知{notices}件，收取信息处理费共计{yuan}元。",
    "amount_before": "本年度依法收取{yuan}元信息处理费。",
}
# section 六 that says nothing about fees (→ null)
FEES_UNSTATED = {
    "unstated": "本机关无其他需要报告的事项。",
    "unstated_training": "本年度组织政务公开业务培训3次，参训人员120人次。无其他需要报告的事项。",
}
FEE_TABLE = "table"  # the fee in a small table of its own under 六 (the amount printed; 0 or more)


def fee_forms_for(value: Decimal | None) -> list[str]:
    """The fee forms that print `value` (None: unstated; 0: none or zero; more: an amount)."""
    if value is None:
        return sorted(FEES_UNSTATED)
    if value == 0:
        return [*sorted(FEES_NONE), *sorted(FEES_ZERO), FEE_TABLE]
    return [*sorted(FEES_AMOUNT), FEE_TABLE]


def yuan_text(value: Decimal, thousands: bool = False) -> str:
    """Yuan as a sentence prints it: 1250.5, 12,000."""
    s = f"{value:,f}" if thousands else f"{value:f}"
    return s.rstrip("0").rstrip(".") if "." in s else s


def fee_sentence(form: str, value: Decimal | None, thousands: bool = False) -> str:
    """Section 六's fee sentence in `form`, stating `value` (yuan)."""
    if form in FEES_NONE:
        return FEES_NONE[form]
    if form in FEES_ZERO:
        return FEES_ZERO[form]
    if form in FEES_UNSTATED:
        return FEES_UNSTATED[form]
    assert value is not None
    yuan = yuan_text(value, thousands)
    notices = 1 + int(value) % 7
    return FEES_AMOUNT[form].format(yuan=yuan, wan=wan(value), notices=notices)


# ----------------------------------------------------------------------------- the design
@dataclass
class Design:
    """Everything one document prints, and how."""

    record: Report  # what the document states (the golden, but for v2021's three 其他处理 rows when mixed)
    city: str  # the city the body belongs to (its government's office is "another body")
    office: str  # another body the text names: the government office whose notice the report answers
    seed: int = 0
    # the words around the tables
    title_form: str = "canonical"
    agency_in_title: bool = True
    byline: bool = False  # the agency in a line of its own under the title (the heading block)
    signature: bool = False  # the agency and a date at the end (落款)
    metadata: tuple[str, ...] = ()  # HTML page metadata naming the agency: 信息来源, 来源, 发布机构,
    # ContentSource (<meta name=ContentSource>), title_tag (<title>…_agency</title>)
    portal: str | None = None  # the site is another body's (the city government's portal): its name in the
    # footer's 主办单位 and the <title>
    other_body: bool = False  # sentences naming another body (the office's notice, its guidance)
    fee_form: str = "none_plain"
    fee_thousands: bool = False
    # the tables
    numbers: Numbers = field(default_factory=Numbers)
    style: Style = field(default_factory=Style)  # table 3's quirks (column order, labels, …); numbers above
    transposed: bool = False  # table 3 printed with applicants as rows (HTML, DOCX, Markdown)
    label_width: float = 1.0  # table 3's label columns' width, relative to the usual
    # pages (PDF, DOCX → PDF, HTML → PDF)
    t3_break: str | None = None  # table 3 row a new page starts with
    t3_repeat_header: bool = False
    t3_cut_label: bool = False  # a merged label cut by that break prints half its text on each side
    open_rows: tuple[str, ...] = ()  # table 3 rows printed without the rule above them
    rules: bool = True  # tables without any ruling line when False
    landscape_t4: bool = False
    cell_align: CellAlign | None = None  # where text sits in the tables' cells (None: the producer's default)
    pdf_extra: dict[str, Any] = field(default_factory=dict)  # PdfStyle fields (bold, footer, title_size, …)
    # HTML
    html_encoding: str = "utf-8"
    html_heading: str = "one"  # the chrome's article title: one | two (two elements) | none
    # text conversions
    md: dict[str, Any] = field(default_factory=dict)  # render_text.TextStyle fields
    plain: dict[str, Any] = field(default_factory=dict)  # render_text.PlainStyle fields
    # assumptions a quirk makes unavoidable beyond the ones derived below (alignment_by_identities, rows_by_order)
    assumes: tuple[str, ...] = ()

    @property
    def template(self) -> str:
        """The record's template."""
        return self.record.template

    @property
    def mixed(self) -> str | None:
        """'zero' / 'nonzero' when a v2021 table 3 prints v2019's single 其他处理 row, else None."""
        if not (self.style.other_handling_row and self.template == "v2021"):
            return None
        apps = self.record.applications
        return "nonzero" if any(apps[r][a] for r in OTHER_ROWS for a in T.APPLICANT_CODES) else "zero"

    def replace(self, **changes: Any) -> Design:
        """A copy with some fields changed (the record and styles deep-copied)."""
        out = dataclasses.replace(self, **changes)
        out.record = copy.deepcopy(out.record)
        out.style = copy.deepcopy(out.style)
        return out


def check(d: Design) -> None:
    """Refuse a design no reader could read back: without a printed column header, table 3's five
    法人或其他组织 columns and 自然人 must be in the template's order (only the total's place is for the
    identities to find); the agency must be named somewhere."""
    lost = d.md.get("lost_header") or d.plain.get("header") == "none"
    order = d.style.column_order or (
        ("total", *T.APPLICANT_PARTS) if d.style.total_first else T.APPLICANT_CODES
    )
    if lost and [a for a in order if a != "total"] != list(T.APPLICANT_PARTS):
        raise ValueError(
            f"{d.record.agency} {d.record.year}: a lost header leaves only the total's place to find"
        )
    evidence(d)


def expected_record(d: Design) -> Report:
    """What a reading must give: the record, less v2021's three 其他处理 rows when only their sum is printed."""
    rec = copy.deepcopy(d.record)
    if d.mixed == "nonzero":
        for r in OTHER_ROWS:
            del rec.applications[r]
    return rec


def evidence(d: Design) -> str:
    """Where a reader first finds the agency, in the order title → heading block → signature → metadata."""
    if d.agency_in_title:
        return "title"
    if d.byline:
        return "heading"
    if d.signature:
        return "signature"
    if d.metadata:
        return "metadata"
    raise ValueError(f"{d.record.agency}: the agency is named nowhere")


def expected_assumptions(d: Design) -> list[str]:
    """The assumption codes a reading of this design must record, sorted."""
    out = set(d.assumes)
    where = evidence(d)
    if where != "title":
        out.add(f"agency_from_{where}")
    if d.template == "v2021" and d.fee_form in FEES_NONE:
        out.add("fees_stated_none")
    if d.mixed == "zero":
        out.add("other_handling_zero_split")
    return sorted(out)


def expected_findings(d: Design) -> list[str]:
    """Blocking findings a reading must produce (only template_mixed: every design's arithmetic holds)."""
    return ["template_mixed"] if d.mixed == "nonzero" else []


# ----------------------------------------------------------------------------- the words
def _short(agency: str, city: str) -> str:
    """'绍兴市民政局' → '市民政局', '绍兴市柯桥区人民政府' → '区政府', '…区教育体育局' → '区教育体育局'."""
    rest = agency.removeprefix(city)
    if rest == "人民政府":
        return "市政府"
    if rest.endswith("人民政府"):
        return rest[-5] + "政府"
    for unit in ("区", "县"):
        if unit in rest[:4]:
            return unit + rest[rest.index(unit) + 1 :]
    return "市" + rest


_OPENINGS = (
    "{year}年，{me}深入贯彻落实《中华人民共和国政府信息公开条例》，坚持以公开为常态、不公开为例外，"
    "依法、及时、准确公开政府信息，持续提升政务公开质效。",
    "{year}年，{me}认真落实政务公开各项工作要求，紧紧围绕中心工作和公众关切，不断深化重点领域信息公开，"
    "切实保障人民群众的知情权、参与权、表达权和监督权。",
    "{year}年，在上级部门的指导下，{me}扎实推进政府信息公开工作，健全公开机制，规范依申请公开办理，"
    "政务公开工作取得新成效。",
)


def narrative(d: Design, rng: random.Random) -> dict[str, list[str]]:
    """Sections 一, 五 and 六: the opening, the received total, review/litigation, problems, the fee."""
    rec = d.record
    me = _short(rec.agency, d.city) if d.agency_in_title else "本机关"
    received = rec.applications["received_new"]["total"]
    rl = rec.review_litigation
    suits = rl["litigation_direct"]["total"] + rl["litigation_after_review"]["total"]
    one = [
        _OPENINGS[rng.randrange(len(_OPENINGS))].format(year=rec.year, me=me),
        f"（一）主动公开。全年通过政府信息公开专栏主动公开政府信息{rng.randint(120, 4800)}条，"
        f"发布政策解读{rng.randint(2, 30)}篇。",
        f"（二）依申请公开。全年共收到政府信息公开申请{received}件，均在法定期限内答复。",
    ]
    if rl["review"]["total"] or suits:
        one.append(
            f"（三）复议诉讼。全年发生政府信息公开行政复议{rl['review']['total']}件，行政诉讼{suits}件。"
        )
    else:
        one.append("（三）复议诉讼。全年未发生因政府信息公开引起的行政复议、行政诉讼案件。")
    five = [
        "存在的主要问题：政策解读的形式还不够丰富，依申请公开答复的规范化水平有待提升。"
        "改进措施：加强业务培训，完善工作机制，推动政务公开工作提质增效。"
    ]
    if d.other_body:
        five.append(f"下一步，{me}将在{d.office}的指导下，进一步抓好政务公开各项工作。")
    if d.template == "v2021" and d.fee_form == FEE_TABLE:
        six = ["本年度政府信息公开信息处理费收取情况如下："]
    elif d.template == "v2021":
        six = [fee_sentence(d.fee_form, rec.processing_fees_yuan, d.fee_thousands)]
        if d.fee_form not in FEES_UNSTATED:
            six.append("本机关无其他需要报告的事项。")
    else:
        six = ["无。"]
    return {"一": one, "五": five, "六": six}


def fee_grid(d: Design) -> list[list[Any]]:
    """Section 六's small table: the fee in a row of its own."""
    from samplegen.layout import Cell

    value = d.record.processing_fees_yuan or Decimal(0)
    unit_wan = d.numbers.wan_unit
    printed = "0" if value == 0 else wan(value) if unit_wan else yuan_text(value, d.fee_thousands)
    head = "收取金额（万元）" if unit_wan else "收取金额（元）"
    return [
        [Cell("项目", header=True), Cell(head, header=True)],
        [Cell("信息处理费", header=True), Cell(printed)],
    ]


def signature_lines(d: Design) -> list[str]:
    """The 落款: the body's name over the date."""
    day = 10 + d.seed % 18
    return [d.record.agency, f"{d.record.year + 1}年1月{day}日"]


def table_style(d: Design) -> Style:
    """The layout style: the design's table quirks with its number form."""
    return dataclasses.replace(d.style, numbers=number_form(d.numbers, d.template))


def printed_design(d: Design) -> Printed:
    """The document as blocks: title, lead (byline, the notice it answers), the six sections, the signature."""
    rng = random.Random(f"words:{d.seed}")
    rec = d.record
    style = table_style(d)
    t3 = applications_grid(rec, style)
    if d.transposed:
        t3 = transpose(t3)
    tables: dict[str, list[tuple[str, Any]]] = {
        "二": [("proactive", proactive_grid(rec, style))],
        "三": [("applications", t3)],
        "四": [("review_litigation", review_grid(rec, style))],
    }
    if d.template == "v2021" and d.fee_form == FEE_TABLE:
        tables["六"] = [("fees", fee_grid(d))]
    lead: list[str] = []
    if d.other_body:
        lead.append(
            f"本报告根据《中华人民共和国政府信息公开条例》和《{d.office}关于做好{rec.year}年度政府信息公开"
            "工作年度报告编制发布工作的通知》要求编制。报告中所列数据的统计期限自1月1日起至12月31日止。"
        )
    title = title_text(d.title_form, rec.agency if d.agency_in_title else None, rec.year)
    doc = assemble(title, narrative(d, rng), tables)
    blocks: list[tuple[Any, ...]] = []
    if d.byline:
        blocks.append(("p", rec.agency, "center"))
    blocks += [("p", p) for p in lead]
    blocks += doc.blocks
    if d.signature:
        blocks += [("p", line, "right") for line in signature_lines(d)]
    doc.blocks = blocks
    widths = doc.table_widths["applications"]
    doc.table_widths["applications"] = [w * d.label_width for w in widths[:3]] + widths[3:]
    doc.table_widths["fees"] = [1.0, 1.0]
    return doc


def t3_row_index(d: Design, code: str) -> int:
    """A table 3 row's index in its printed grid (three header rows first)."""
    return 3 + t3_rows(d.record, d.style).index(code)


# ----------------------------------------------------------------------------- producers
# producer → (what it is, the programs it needs outside Python, whether its bytes are reproducible)
PRODUCERS: dict[str, tuple[str, tuple[str, ...], bool]] = {
    "reportlab_cid": ("reportlab, STSong-Light: a CID font named, not embedded", (), True),
    "reportlab_ttf": ("reportlab, WenQuanYi Micro Hei subset and embedded", ("wqy",), True),
    "libreoffice": (
        "python-docx → LibreOffice PDF export, Noto Sans CJK embedded",
        ("soffice", "qpdf"),
        False,
    ),
    "chromium": (
        "an HTML page printed by headless Chromium, Noto Sans CJK (radical code points)",
        ("chromium", "qpdf"),
        False,
    ),
    "weasyprint": (
        "the page Chromium prints, printed by WeasyPrint instead (a producer the readers were not tuned"
        " on), WenQuanYi Micro Hei",
        ("weasyprint", "wqy"),
        False,
    ),
    "wps_html": ("a WPS/Word 'save as web page' article: nested p/span, &nbsp;, mso styles", (), True),
    "cms_html": ("a content system's article page: plain paragraphs and bordered tables", (), True),
    "docx": ("python-docx with merged cells", (), True),
    "pdftotext": ("poppler's pdftotext -layout of one of the corpus PDFs", ("pdftotext",), True),
    "markdown": ("a PDF-to-Markdown converter's pipe tables", (), True),
    "handtyped": ("a report typed by hand into a text file", (), True),
}
PURE_PYTHON = ("reportlab_cid", "reportlab_ttf", "wps_html", "cms_html", "docx", "markdown", "handtyped")


def _pdf_style(d: Design, font: str) -> Any:
    from samplegen.render_pdf import PdfStyle

    return PdfStyle(
        font=font,
        rules=d.rules,
        open_rows=d.open_rows,
        break_before=d.t3_break,
        late_break=d.t3_break is not None,
        repeat_header=d.t3_repeat_header,
        cut_labels=d.t3_cut_label,
        landscape_review=d.landscape_t4,
        **({"cells": d.cell_align} if d.cell_align else {}),
        **d.pdf_extra,
    )


def _docx_style(d: Design, font: str | None) -> Any:
    from samplegen.render_docx import DocxStyle

    return DocxStyle(
        headings=False,
        title="centered",
        properties=False,
        font=font,
        table_sizes={"proactive": 9, "applications": 7.5, "review_litigation": 7},
        borders=d.rules,
        open_rows={"applications": frozenset(t3_row_index(d, r) for r in d.open_rows)},
        break_before={"applications": t3_row_index(d, d.t3_break)} if d.t3_break else {},
        repeat_header={"applications": 3} if d.t3_repeat_header else {},
        cut_labels=d.t3_cut_label,
        landscape=("review_litigation",) if d.landscape_t4 else (),
        cells=d.cell_align,
    )


def page_meta(d: Design, doc: Printed) -> Any:
    """An HTML page's chrome: its site, <title>, info line and meta tags, naming the agency where designed."""
    from samplegen.render_html import PageMeta

    rec = d.record
    site = d.portal or rec.agency
    title = doc.title.replace("\n", "")
    info = [("发布日期", f"{rec.year + 1}-01-{10 + d.seed % 18:02d}")]
    for key in ("信息来源", "来源", "发布机构"):
        if key in d.metadata:
            info.append((key, rec.agency))
    meta = {"ArticleTitle": title, "PubDate": info[0][1]}
    if "ContentSource" in d.metadata:
        meta["ContentSource"] = rec.agency
    if "title_tag" in d.metadata:
        title_tag = f"{title}_{rec.agency}"
    elif d.portal:
        title_tag = f"{title}_{d.portal}"
    else:
        title_tag = title
    charset = {"utf-8": None, "gbk": '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'}
    return PageMeta(
        site=site,
        title_tag=title_tag,
        info=info,
        meta=meta,
        heading=d.html_heading,
        encoding=d.html_encoding,
        charset_tag=charset.get(d.html_encoding),
    )


def render(
    d: Design, producer: str, source_pdf: Callable[[], bytes] | None = None, font: str | None = None
) -> bytes:
    """The document's bytes as `producer` makes it (pdftotext converts `source_pdf()`); `font`: the face
    LibreOffice and Chromium set the text in (Noto Sans CJK unless named)."""
    from samplegen import producers, render_docx, render_html, render_pdf, render_text

    doc = printed_design(d)
    rows = t3_rows(d.record, d.style)
    if producer in ("reportlab_cid", "reportlab_ttf"):
        font = render_pdf.FONT if producer == "reportlab_cid" else render_pdf.TTF_FONT
        return render_pdf.render_pdf(doc, _pdf_style(d, font), rows)
    if producer == "libreoffice":
        return producers.soffice_pdf(
            render_docx.render_docx(doc, _docx_style(d, font or producers.CJK_FONT)), "report"
        )
    if producer == "docx":
        return render_docx.render_docx(doc, _docx_style(d, None))
    if producer in ("chromium", "weasyprint"):
        opts = render_html.PrintOptions(
            rules=d.rules,
            open_rows={"applications": frozenset(t3_row_index(d, r) for r in d.open_rows)},
            break_before={"applications": t3_row_index(d, d.t3_break)} if d.t3_break else {},
            repeat_header={"applications": 3} if d.t3_repeat_header else {},
            title_lines=True,
            cells=d.cell_align,
        )
        if producer == "weasyprint":
            return producers.weasyprint_pdf(render_html.print_html(doc, font or producers.WQY_FONT, opts))
        return producers.chromium_pdf(render_html.print_html(doc, font or producers.CJK_FONT, opts))
    if producer == "wps_html":
        open_rows = {"applications": frozenset(t3_row_index(d, r) for r in d.open_rows)}
        return render_html.web_article_html(doc, render_html.wps_section(doc, open_rows), page_meta(d, doc))
    if producer == "cms_html":
        content = render_html.cms_section(doc, with_title=d.html_heading == "none")
        return render_html.web_article_html(doc, content, page_meta(d, doc))
    if producer == "markdown":
        md = dict(d.md)
        if d.t3_break and "breaks" not in md:
            md["breaks"] = {"applications": t3_row_index(d, d.t3_break)}
        return render_text.render_markdown(doc, render_text.TextStyle(**md))
    if producer == "handtyped":
        return render_text.render_plain(doc, render_text.PlainStyle(**d.plain))
    if producer == "pdftotext":
        if source_pdf is None:
            raise ValueError("pdftotext converts a PDF: pass source_pdf")
        return producers.pdftotext_layout(source_pdf())
    raise ValueError(f"unknown producer {producer}")
