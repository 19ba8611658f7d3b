"""The development corpus (tests/files/corpus/) and its goldens (tests/golden/corpus/), from designs.

    cd tests && ../.venv/bin/python -m samplegen.corpus [--only NAME ...] [--root DIR]     (= make corpus)

Each document is a body, a year and a list of quirk options (`QUIRK_HELP` says what each does), printed
by one producer (`design.PRODUCERS`). The record is drawn from the body, the year and the document's
seed (its arithmetic holds); the golden is written from that record — never from an extractor — and the
manifest (tests/files/corpus/manifest.json) says per document: its producer, template, quirks (derived
from the design, not typed by hand), and what a reading must give: the golden, or an error code, the
assumption codes it must record, the findings it must raise and whether it may say `verified`. The
genuine reports of tests/files/real
are listed by reference (producer "real"), with their pdftotext conversions.

Byte-reproducible: reportlab, HTML, DOCX, Markdown and hand-typed text, and pdftotext's output (same
poppler). LibreOffice and Chromium stamp dates and IDs: a committed PDF that is the same document once
those are taken out (`producers.same_pdf`) is kept. Documents whose program is missing are skipped,
naming the Debian packages to install.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import zlib
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from nianbao.pipeline.model import Report

from samplegen import producers
from samplegen.agencies import Agency
from samplegen.design import (
    ASSUMPTIONS,
    FEE_TABLE,
    FEES_NONE,
    FEES_UNSTATED,
    FEES_ZERO,
    PRODUCERS,
    Design,
    Numbers,
    check,
    corpus_record,
    expected_assumptions,
    expected_findings,
    expected_record,
    render,
)
from samplegen.layout import Style

TESTS = Path(__file__).resolve().parents[1]
ROOT = TESTS.parent
FILES = "files/corpus"  # under tests/
GOLDEN = "golden/corpus"
EXT = {
    "reportlab_cid": "pdf",
    "reportlab_ttf": "pdf",
    "libreoffice": "pdf",
    "chromium": "pdf",
    "wps_html": "html",
    "cms_html": "html",
    "docx": "docx",
    "pdftotext": "txt",
    "markdown": "md",
    "handtyped": "txt",
}


# ----------------------------------------------------------------------------- the bodies
@dataclass(frozen=True)
class Body:
    """A publishing body of the corpus: who it is, how busy, and the office whose notices it answers."""

    agency: Agency
    city: str
    office: str


def _body(id_: str, name: str, city: str, level: str, kind: str, size: str, office: str) -> Body:
    return Body(Agency(id_, name, city, level, kind, size), city, office)


_SX, _JX, _HU, _JH, _TZ = "绍兴市", "嘉兴市", "湖州市", "金华市", "台州市"
BODIES = {
    b.agency.id: b
    for b in (
        _body("sx-szf", "绍兴市人民政府", _SX, "municipal", "government", "large", "绍兴市人民政府办公室"),
        _body("sx-mzj", "绍兴市民政局", _SX, "municipal", "department", "medium", "绍兴市人民政府办公室"),
        _body("sx-jyj", "绍兴市教育局", _SX, "municipal", "department", "medium", "绍兴市人民政府办公室"),
        _body(
            "sx-zjj",
            "绍兴市住房和城乡建设局",
            _SX,
            "municipal",
            "department",
            "medium",
            "绍兴市人民政府办公室",
        ),
        _body(
            "sx-kqq", "绍兴市柯桥区人民政府", _SX, "district", "government", "large", "绍兴市人民政府办公室"
        ),
        _body(
            "sx-kqq-jtj",
            "绍兴市柯桥区教育体育局",
            _SX,
            "district",
            "department",
            "small",
            "绍兴市柯桥区人民政府办公室",
        ),
        _body(
            "sx-ycq", "绍兴市越城区人民政府", _SX, "district", "government", "medium", "绍兴市人民政府办公室"
        ),
        _body("jx-czj", "嘉兴市财政局", _JX, "municipal", "department", "small", "嘉兴市人民政府办公室"),
        _body(
            "jx-wjw", "嘉兴市卫生健康委员会", _JX, "municipal", "department", "medium", "嘉兴市人民政府办公室"
        ),
        _body(
            "jx-nhq", "嘉兴市南湖区人民政府", _JX, "district", "government", "medium", "嘉兴市人民政府办公室"
        ),
        _body("jx-jsx", "嘉善县人民政府", "嘉善县", "county", "government", "medium", "嘉兴市人民政府办公室"),
        _body(
            "hu-scjg",
            "湖州市市场监督管理局",
            _HU,
            "municipal",
            "department",
            "medium",
            "湖州市人民政府办公室",
        ),
        _body(
            "hu-rsj",
            "湖州市人力资源和社会保障局",
            _HU,
            "municipal",
            "department",
            "medium",
            "湖州市人民政府办公室",
        ),
        _body(
            "hu-wxq", "湖州市吴兴区人民政府", _HU, "district", "government", "medium", "湖州市人民政府办公室"
        ),
        _body("hu-dqx", "德清县人民政府", "德清县", "county", "government", "medium", "湖州市人民政府办公室"),
        _body(
            "jh-zrzy",
            "金华市自然资源和规划局",
            _JH,
            "municipal",
            "department",
            "large",
            "金华市人民政府办公室",
        ),
        _body(
            "jh-wcq", "金华市婺城区人民政府", _JH, "district", "government", "medium", "金华市人民政府办公室"
        ),
        _body("jh-sthj", "金华市生态环境局", _JH, "municipal", "department", "small", "金华市人民政府办公室"),
        _body(
            "tz-yjglj", "台州市应急管理局", _TZ, "municipal", "department", "small", "台州市人民政府办公室"
        ),
        _body(
            "tz-jjq", "台州市椒江区人民政府", _TZ, "district", "government", "medium", "台州市人民政府办公室"
        ),
        _body(
            "tz-jjq-mzj",
            "台州市椒江区民政局",
            _TZ,
            "district",
            "department",
            "small",
            "台州市椒江区人民政府办公室",
        ),
        _body("tz-jtj", "台州市交通运输局", _TZ, "municipal", "department", "medium", "台州市人民政府办公室"),
    )
}
# the city government's portal, on which a department's report may sit (another body's site)
PORTALS = {city: f"{city}人民政府" for city in (_SX, _JX, _HU, _JH, _TZ)}


# ----------------------------------------------------------------------------- quirk options
_ROWS_SHORT = {"np": "natural_person", "com": "commercial", "res": "research", "wel": "social_welfare"}
_ROWS_SHORT |= {"leg": "legal_services", "oth": "other_org", "tot": "total"}
# label synonyms and re-spacings agencies print (layout.Style.labels keys)
SYNONYMS = {
    "v2019": {
        "proactive.normative_documents": "行政规范性文件",
        "proactive.other_services": "其他对外管理服务",
        "proactive.made": "本年新\n制作数量",
        "proactive.change": "本年增／减",
        "applications.carried_out": "四、结转下年度继续办理的申请数量",
    },
    "v2021": {
        "proactive.normative_documents": "规范性文件",
        "proactive.amount_yuan": "本年收费金额(万元)",
        "applications.received_new": "一、本年新收政府信息公开申请",
        "applications.partially_granted": "（二）部分公开",
        "applications.group.denied": "（三）不予\n公开",
    },
}
SPACED = {
    "proactive.licensing": "行 政 许 可",
    "proactive.penalty": "行 政 处 罚",
    "applications.natural_person": "自 然 人",
    "applications.total": "总  计",
    "applications.handled_total": "（七） 总计",
    "applications.granted": "（一） 予以公开",
    "review_litigation.total": "总 计",
}

QUIRK_HELP = {
    "title=FORM": "the title in design.TITLE_FORMS' FORM",
    "noagency": "the title does not name the body (byline, signature or metadata does)",
    "byline": "the body's name in a line of its own under the title",
    "signature": "the body's name over a date at the end (落款)",
    "meta=K[+K]": "HTML metadata naming the body: 信息来源, 来源, 发布机构, ContentSource, title_tag",
    "portal": "the page sits on the city government's portal (another body in the footer and <title>)",
    "other_body": "sentences naming another body: the notice the report answers, its guidance",
    "fee=FORM": "section 六's fee in design.FEES_* form FORM, or 'table' (a small table row)",
    "fee_thousands": "the fee amount with thousands separators",
    "zero=Z": "zero counts printed as Z: blank, dash (—), slash (/), wu (无)",
    "thousands": "values with thousands separators",
    "fullwidth": "full-width digits",
    "change=C": "table 2's 本年增/减 as short (增3/减3) or signed (+3/-3)",
    "wan_unit": "v2021's 万元 amounts printed with 万元",
    "bare_yuan": "v2019's procurement amount printed without 元",
    "cols=A,B,…": "table 3's applicant columns in this order (np com res wel leg oth tot)",
    "mixed=zero|nonzero": "a v2021 table 3 prints v2019's single （六）其他处理 row (its three rows all 0, or not)",
    "zero_row=ROW": "table 3's row ROW is all zero (its values moved to another outcome row)",
    "synonyms": "label synonyms (规范性文件 / 行政规范性文件, …) and labels broken in the middle",
    "spaced": "labels with spaces inside (行 政 许 可, 总  计, （一） 予以公开)",
    "wrap=ROW[+ROW]": "table 3 row labels broken over two lines",
    "narrow_labels": "table 3's label columns narrow (every long label wraps)",
    "groups_first_only": "table 3's group labels in unmerged cells, the cells below them empty",
    "note_blank": "table 3's top-left 勾稽关系 cell empty",
    "repeat_labels": "table 3's group labels repeated in every row",
    "transposed": "table 3 with the applicants as rows",
    "break=ROW": "a page break before table 3's row ROW",
    "repeat_header": "table 3's header printed again after the page break",
    "cut_label": "a merged label cut by that break prints half its text on each side",
    "open=ROW[+ROW]": "table 3 rows drawn without the rule above them",
    "no_rules": "tables without ruling lines (text positioned in columns)",
    "landscape_t4": "table 4 on a landscape page",
    "pdf:bold/footer/open_sides": "reportlab page quirks (fake bold, page numbers, open table sides)",
    "gbk": "the page in GBK",
    "heading=two|none": "the page's article title in two elements, or only inside the content",
    "md:generic=数据|Column": "a made-up header row (数据1 … / Column1 …) above every table",
    "md:lost_header": "table 3's own header rows lost (columns by identities: alignment_by_identities)",
    "md:repeat_header": "table 3's header rows repeated inside it after the page footer",
    "md:footer_in_table": "the page footer inside table 3 as a row of its own",
    "md:unlabelled": "table 3's continuation lost its label columns (rows by order: rows_by_order)",
    "md:spill=ROW[+ROW]": "a row's label half on a line of its own",
    "md:dropped=ROW": "the converter lost table 3's row ROW (with md:unlabelled: rows cannot be matched → refused)",
    "plain:sep=S": "hand-typed separator: tab, spaces, ideographic (U+3000), bar",
    "plain:no_group_lines": "group labels joined to the row label instead of lines of their own",
    "plain:no_header": "no column header typed (columns by identities: alignment_by_identities)",
    "plain:gb18030": "the file in GB18030",
    "plain:crlf": "Windows line ends",
}


def _rows(arg: str) -> tuple[str, ...]:
    return tuple(arg.split("+"))


def apply_quirk(d: Design, quirk: str) -> None:
    """Switch one quirk option on (see QUIRK_HELP)."""
    key, _, arg = quirk.partition("=")
    if key == "title":
        d.title_form = arg
    elif key == "noagency":
        d.agency_in_title = False
    elif key == "byline":
        d.byline = True
    elif key == "signature":
        d.signature = True
    elif key == "meta":
        d.metadata = _rows(arg)
    elif key == "portal":
        d.portal = PORTALS.get(d.city, d.office)
    elif key == "other_body":
        d.other_body = True
    elif key == "fee":
        d.fee_form = arg
    elif key == "fee_thousands":
        d.fee_thousands = True
    elif key == "zero":
        d.numbers = replace(d.numbers, zero={"blank": "", "dash": "—", "slash": "/", "wu": "无"}[arg])
    elif key == "thousands":
        d.numbers = replace(d.numbers, thousands=True)
    elif key == "fullwidth":
        d.numbers = replace(d.numbers, fullwidth=True)
    elif key == "change":
        d.numbers = replace(d.numbers, change=arg)
    elif key == "wan_unit":
        d.numbers = replace(d.numbers, wan_unit=True)
    elif key == "bare_yuan":
        d.numbers = replace(d.numbers, yuan_unit=False)
    elif key == "cols":
        d.style.column_order = tuple(_ROWS_SHORT[a] for a in arg.split(","))
    elif key == "total_first":
        d.style.total_first = True
    elif key in ("mixed", "zero_row"):
        pass  # record options: see design_for
    elif key == "synonyms":
        d.style.labels.update(SYNONYMS[d.template])
    elif key == "spaced":
        d.style.labels.update(SPACED)
    elif key == "wrap":
        d.style.wrap_rows = _rows(arg)
    elif key == "narrow_labels":
        d.label_width = 0.6
    elif key == "groups_first_only":
        d.style.first_only_groups = True
    elif key == "note_blank":
        d.style.note = ""
    elif key == "repeat_labels":
        d.style.repeat_labels = True
    elif key == "transposed":
        d.transposed = True
    elif key == "break":
        d.t3_break = arg
    elif key == "repeat_header":
        d.t3_repeat_header = True
    elif key == "cut_label":
        d.t3_cut_label = True
    elif key == "open":
        d.open_rows = _rows(arg)
    elif key == "no_rules":
        d.rules = False
    elif key == "landscape_t4":
        d.landscape_t4 = True
    elif key.startswith("pdf:"):
        d.pdf_extra[key[4:]] = True
    elif key == "gbk":
        d.html_encoding = "gbk"
    elif key == "heading":
        d.html_heading = arg
    elif key == "md:generic":
        d.md["generic_header"] = arg + "{n}"
    elif key == "md:lost_header":
        d.md["lost_header"] = ("applications",)
        d.assumes = (*d.assumes, "alignment_by_identities")
    elif key == "md:repeat_header":
        d.md["repeat_header"] = True
    elif key == "md:footer_in_table":
        d.md["footer_in_table"] = True
    elif key == "md:unlabelled":
        d.md["unlabelled_continuation"] = True
        d.assumes = (*d.assumes, "rows_by_order")
    elif key == "md:dropped":
        from samplegen.design import t3_row_index

        d.md["dropped"] = {"applications": tuple(t3_row_index(d, r) for r in _rows(arg))}
    elif key == "md:spill":
        from samplegen.design import t3_row_index

        d.md["spill"] = {"applications": tuple(t3_row_index(d, r) for r in _rows(arg))}
    elif key == "plain:sep":
        d.plain["sep"] = {"tab": "\t", "spaces": "  ", "ideographic": "\u3000", "bar": " | "}[arg]
    elif key == "plain:no_group_lines":
        d.plain["group_lines"] = False
    elif key == "plain:no_header":
        d.plain["header"] = "none"
        d.assumes = (*d.assumes, "alignment_by_identities")
    elif key == "plain:gb18030":
        d.plain["encoding"] = "gb18030"
    elif key == "plain:crlf":
        d.plain["crlf"] = True
    else:
        raise ValueError(f"unknown quirk {quirk!r}")


# ----------------------------------------------------------------------------- the documents
@dataclass(frozen=True)
class Doc:
    """One corpus document: who, which year, how it is printed, by which producer."""

    name: str  # file stem; unique
    producer: str
    body: str | None  # BODIES key (None: an error page)
    year: int
    quirks: tuple[str, ...] = ()
    source: str | None = None  # pdftotext: the corpus document (or real:<stem>) it converts
    hostile: str | None = None  # why a naive reader gets it wrong
    error: str | None = None  # an error page's kind (render_html.error_page_html): expected not_a_report
    refused: str | None = None  # the error code a reading must end in (a document printed from a record that
    # cannot be read back: e.g. tables_not_found)

    @property
    def seed(self) -> int:
        """The document's own seed (from its name: the list's order does not matter)."""
        return zlib.crc32(self.name.encode())

    @property
    def path(self) -> str:
        """Where it is committed, under tests/."""
        return f"{FILES}/{self.producer}/{self.name}.{EXT[self.producer]}"


# the fee forms v2021 documents take in turn (unless a document says which)
FEE_ROTATION = (
    *FEES_NONE,
    "zero_yuan",
    "amount_yuan",
    "unstated",
    "amount_wan",
    "zero_wan",
    "amount_notices",
    FEE_TABLE,
    "amount_before",
    "unstated_training",
)
# money the fee amount forms print (yuan): whole, with fen, small enough to need six decimals in 万元
FEE_AMOUNTS = ("400", "1250.5", "35", "2400", "123.45", "86.4", "12000", "7.5", "3940")
TITLE_ROTATION = ("canonical", "year_first", "canonical", "year_du", "two_lines", "canonical")


def _d(name: str, producer: str, body: str, year: int, quirks: str = "", **kw: Any) -> Doc:
    return Doc(name, producer, body, year, tuple(quirks.split()), **kw)


_O3 = "other_no_correction+other_fee_unpaid"
DOCS: list[Doc] = [
    # --- reportlab, STSong-Light (a CID font the PDF does not embed)
    _d("sx-mzj_2020", "reportlab_cid", "sx-mzj", 2020, "pdf:footer break=rejected_petition repeat_header"),
    _d(
        "sx-kqq_2019",
        "reportlab_cid",
        "sx-kqq",
        2019,
        "title=split thousands pdf:bold wrap=granted+carried_in",
    ),
    _d("jx-czj_2020", "reportlab_cid", "jx-czj", 2020, "noagency signature other_body no_rules"),
    _d(
        "hu-wxq_2021",
        "reportlab_cid",
        "hu-wxq",
        2021,
        "mixed=zero cols=tot,np,com,res,wel,leg,oth pdf:footer",
    ),
    _d(
        "hu-scjg_2022",
        "reportlab_cid",
        "hu-scjg",
        2022,
        "open=denied_third_party+rejected_duplicate narrow_labels",
    ),
    _d(
        "sx-szf_2023",
        "reportlab_cid",
        "sx-szf",
        2023,
        "break=unavailable_needs_creation cut_label pdf:open_sides landscape_t4 title=two_lines",
    ),
    _d(
        "jh-sthj_2022",
        "reportlab_cid",
        "jh-sthj",
        2022,
        "noagency byline title=cn_year zero=dash groups_first_only",
    ),
    _d("tz-jjq_2023", "reportlab_cid", "tz-jjq", 2023, "no_rules fullwidth title=spaced_year"),
    _d(
        "tz-jtj_2021",
        "reportlab_cid",
        "tz-jtj",
        2021,
        "fee=amount_wan wrap=other_fee_unpaid note_blank change=signed",
    ),
    _d("jx-nhq_2024", "reportlab_cid", "jx-nhq", 2024, "cols=np,leg,com,res,wel,oth,tot synonyms pdf:footer"),
    _d(
        "sx-jyj_2022",
        "reportlab_cid",
        "sx-jyj",
        2022,
        "noagency signature other_body fee=none_cites break=denied_admin_query",
    ),
    _d("hu-dqx_2019", "reportlab_cid", "hu-dqx", 2019, "spaced title=gongzuo zero=slash"),
    _d(
        "jx-wjw_2020",
        "reportlab_cid",
        "jx-wjw",
        2020,
        "zero_row=partially_granted open=partially_granted thousands",
        hostile="（一）予以公开 and the all-zero （二）部分公开 share 公开 and no rule parts them: one cell, two labels, "
        "two lines of values",
    ),
    _d(
        "tz-yjglj_2023",
        "reportlab_cid",
        "tz-yjglj",
        2023,
        "mixed=nonzero other_body pdf:footer",
    ),
    # --- reportlab, WenQuanYi Micro Hei embedded
    _d("sx-zjj_2020", "reportlab_ttf", "sx-zjj", 2020, "total_first break=denied_process_info repeat_header"),
    _d("jh-zrzy_2019", "reportlab_ttf", "jh-zrzy", 2019, "thousands no_rules title=year_first"),
    _d(
        "hu-rsj_2021",
        "reportlab_ttf",
        "hu-rsj",
        2021,
        "noagency signature title=nianbao fee=none_no_case pdf:open_sides",
    ),
    _d(
        "jh-wcq_2022",
        "reportlab_ttf",
        "jh-wcq",
        2022,
        "open=carried_in+unavailable_unclear cut_label break=rejected_duplicate",
    ),
    _d("sx-ycq_2023", "reportlab_ttf", "sx-ycq", 2023, "mixed=zero landscape_t4 synonyms"),
    _d(
        "jx-jsx_2024",
        "reportlab_ttf",
        "jx-jsx",
        2024,
        "noagency byline other_body fee=amount_notices narrow_labels",
    ),
    _d(
        "tz-jjq-mzj_2022",
        "reportlab_ttf",
        "tz-jjq-mzj",
        2022,
        "no_rules cols=tot,np,com,res,wel,leg,oth zero=blank repeat_labels",
    ),
    _d(
        "sx-kqq-jtj_2021",
        "reportlab_ttf",
        "sx-kqq-jtj",
        2021,
        "fee=table wrap=denied_state_secret+rejected_petition spaced",
    ),
    _d("hu-wxq_2020", "reportlab_ttf", "hu-wxq", 2020, "groups_first_only note_blank pdf:bold change=short"),
    _d(
        "jx-wjw_2023",
        "reportlab_ttf",
        "jx-wjw",
        2023,
        "mixed=nonzero title=split break=rejected_petition",
    ),
    _d(
        "tz-jtj_2023",
        "reportlab_ttf",
        "tz-jtj",
        2023,
        f"zero_row=other_fee_unpaid open=other_fee_unpaid wrap={_O3} fee=none_applicant",
        hostile="2．…行政机关不再处理其政府信息公开申请 twice: the all-zero row shares its label's tail with the row "
        "above and no rule parts them",
    ),
    _d("sx-mzj_2022", "reportlab_ttf", "sx-mzj", 2022, "fullwidth wan_unit"),
    # --- LibreOffice: python-docx → PDF, Noto Sans CJK embedded
    _d("hu-scjg_2020", "libreoffice", "hu-scjg", 2020, "break=unavailable_not_held repeat_header"),
    _d("jh-wcq_2019", "libreoffice", "jh-wcq", 2019, "no_rules title=year_du"),
    _d("sx-kqq_2021", "libreoffice", "sx-kqq", 2021, "mixed=zero landscape_t4 thousands"),
    _d(
        "jx-czj_2022",
        "libreoffice",
        "jx-czj",
        2022,
        "noagency signature other_body open=granted+rejected_duplicate",
    ),
    _d("tz-jjq_2022", "libreoffice", "tz-jjq", 2022, "cols=np,oth,leg,wel,res,com,tot title=two_lines"),
    _d("hu-dqx_2023", "libreoffice", "hu-dqx", 2023, "break=rejected_publication cut_label fee=none_any"),
    _d("sx-jyj_2024", "libreoffice", "sx-jyj", 2024, "noagency byline title=cn_year groups_first_only"),
    _d("jh-sthj_2021", "libreoffice", "jh-sthj", 2021, "mixed=nonzero zero=wu"),
    _d("tz-yjglj_2020", "libreoffice", "tz-yjglj", 2020, "synonyms narrow_labels"),
    _d("jx-nhq_2023", "libreoffice", "jx-nhq", 2023, "no_rules fee=table wan_unit"),
    # --- Chromium: an HTML page printed to PDF, Noto Sans CJK (radical code points in the text layer)
    _d("sx-szf_2020", "chromium", "sx-szf", 2020, "break=denied_internal_affairs repeat_header thousands"),
    _d("hu-wxq_2019", "chromium", "hu-wxq", 2019, "no_rules title=nianbao"),
    _d("jx-wjw_2021", "chromium", "jx-wjw", 2021, "noagency signature other_body fee=none_plain"),
    _d("tz-jtj_2022", "chromium", "tz-jtj", 2022, "open=partially_granted+unavailable_not_held total_first"),
    _d("sx-zjj_2023", "chromium", "sx-zjj", 2023, "mixed=zero title=split wrap=received_new"),
    _d(
        "jh-zrzy_2024",
        "chromium",
        "jh-zrzy",
        2024,
        "no_rules cols=np,com,res,wel,leg,oth,tot fee=amount_yuan fee_thousands",
    ),
    _d("hu-rsj_2022", "chromium", "hu-rsj", 2022, "noagency byline break=rejected_petition"),
    _d("jx-jsx_2020", "chromium", "jx-jsx", 2020, "synonyms fullwidth title=gongzuo"),
    _d("tz-jjq_2021", "chromium", "tz-jjq", 2021, "mixed=nonzero spaced"),
    # --- WPS / Word "save as web page" articles
    _d("sx-mzj_2021", "wps_html", "sx-mzj", 2021, "gbk fee=none_plain"),
    _d("sx-kqq_2020", "wps_html", "sx-kqq", 2020, "thousands heading=two title=split"),
    _d("jx-czj_2023", "wps_html", "jx-czj", 2023, "noagency meta=信息来源 portal other_body heading=none"),
    _d("hu-scjg_2023", "wps_html", "hu-scjg", 2023, "noagency meta=ContentSource gbk fee=none_any"),
    _d("jh-wcq_2021", "wps_html", "jh-wcq", 2021, "mixed=zero groups_first_only"),
    _d("tz-jjq-mzj_2020", "wps_html", "tz-jjq-mzj", 2020, "open=denied_state_secret zero=blank synonyms"),
    _d("sx-ycq_2022", "wps_html", "sx-ycq", 2022, "noagency signature fullwidth title=year_du"),
    _d("hu-dqx_2022", "wps_html", "hu-dqx", 2022, "transposed fee=zero_wan title=cn_year"),
    _d(
        "jx-nhq_2021",
        "wps_html",
        "jx-nhq",
        2021,
        "noagency meta=title_tag heading=none cols=np,com,res,wel,leg,oth,tot",
    ),
    _d("jh-zrzy_2023", "wps_html", "jh-zrzy", 2023, "mixed=nonzero gbk spaced"),
    _d("tz-yjglj_2019", "wps_html", "tz-yjglj", 2019, "repeat_labels title=spaced_year change=short"),
    _d("sx-jyj_2021", "wps_html", "sx-jyj", 2021, "noagency meta=发布机构 portal wrap=granted+handled_total"),
    _d(
        "hu-rsj_2024",
        "wps_html",
        "hu-rsj",
        2024,
        "fee=table other_body portal",
        hostile="the fee is a row of a small table after table 4, under a sentence that names 信息处理费 without an "
        "amount; the page's <title> and footer name the portal's body",
    ),
    # --- content-system articles, and error pages served with status 200
    _d("jh-sthj_2020", "cms_html", "jh-sthj", 2020, "noagency meta=来源 portal heading=none"),
    _d("tz-jtj_2024", "cms_html", "tz-jtj", 2024, "fee=none_no_case total_first title=split heading=two"),
    _d(
        "sx-kqq-jtj_2023",
        "cms_html",
        "sx-kqq-jtj",
        2023,
        "transposed zero=dash title=gongzuo noagency meta=ContentSource",
    ),
    _d(
        "hu-scjg_2019",
        "cms_html",
        "hu-scjg",
        2019,
        "noagency meta=信息来源+发布机构 repeat_labels zero=slash",
    ),
    _d(
        "tz-jjq-mzj_2024", "cms_html", "tz-jjq-mzj", 2024, "noagency meta=title_tag zero=wu wrap=received_new"
    ),
    Doc("err_notfound", "cms_html", None, 2023, error="notfound"),
    Doc("err_deleted", "cms_html", None, 2022, error="deleted"),
    Doc("err_nginx", "cms_html", None, 2021, error="nginx"),
    # --- python-docx
    _d("hu-wxq_2022", "docx", "hu-wxq", 2022, "noagency signature other_body title=gongzuo"),
    _d("jh-zrzy_2020", "docx", "jh-zrzy", 2020, "thousands synonyms repeat_labels"),
    _d("sx-szf_2021", "docx", "sx-szf", 2021, "mixed=nonzero break=rejected_duplicate repeat_header"),
    _d("jx-wjw_2022", "docx", "jx-wjw", 2022, "transposed title=year_first fee_thousands"),
    _d("tz-jjq-mzj_2023", "docx", "tz-jjq-mzj", 2023, "mixed=zero zero=blank groups_first_only"),
    _d("sx-ycq_2019", "docx", "sx-ycq", 2019, "noagency byline cols=tot,np,com,res,wel,leg,oth"),
    _d("hu-scjg_2024", "docx", "hu-scjg", 2024, "open=unavailable_needs_creation title=nianbao"),
    _d("jx-jsx_2022", "docx", "jx-jsx", 2022, "fullwidth spaced title=two_lines"),
    _d("tz-yjglj_2022", "docx", "tz-yjglj", 2022, "fee=table wrap=other_misc+carried_out title=spaced_year"),
    # --- Markdown from a PDF-to-Markdown converter
    _d(
        "sx-mzj_2019",
        "markdown",
        "sx-mzj",
        2019,
        "md:generic=数据 break=rejected_duplicate md:footer_in_table",
    ),
    _d(
        "hu-dqx_2020",
        "markdown",
        "hu-dqx",
        2020,
        "md:repeat_header break=unavailable_not_held zero=blank title=cn_year",
    ),
    _d(
        "jx-czj_2019",
        "markdown",
        "jx-czj",
        2019,
        "md:lost_header md:generic=数据 total_first",
        hostile="table 3's header is lost under made-up names and 总计 comes first: only the row totals tell the total "
        "column from the others",
    ),
    _d(
        "jh-wcq_2023", "markdown", "jh-wcq", 2023, "md:unlabelled break=unavailable_unclear md:generic=Column"
    ),
    _d("tz-jjq_2024", "markdown", "tz-jjq", 2024, "mixed=zero md:spill=partially_granted+other_handling"),
    _d(
        "sx-zjj_2022",
        "markdown",
        "sx-zjj",
        2022,
        "noagency signature other_body md:footer_in_table break=rejected_petition",
    ),
    _d("jx-nhq_2022", "markdown", "jx-nhq", 2022, "mixed=nonzero md:repeat_header break=denied_admin_query"),
    _d("hu-rsj_2023", "markdown", "hu-rsj", 2023, "fee=amount_wan transposed title=split"),
    _d(
        "jh-zrzy_2021",
        "markdown",
        "jh-zrzy",
        2021,
        "md:lost_header md:generic=Column cols=tot,np,com,res,wel,leg,oth fee=none_cites",
        hostile="table 3's header is lost under Column1 …, the columns are 总计 first: the identities pick the total "
        "column; the fee sentence cites 国办函〔2020〕109号 before saying no fee was collected",
    ),
    _d("tz-jjq-mzj_2021", "markdown", "tz-jjq-mzj", 2021, "md:spill=received_new md:generic=数据 zero=dash"),
    _d("sx-kqq-jtj_2020", "markdown", "sx-kqq-jtj", 2020, "synonyms md:unlabelled break=rejected_petition"),
    _d(
        "jx-jsx_2019",
        "markdown",
        "jx-jsx",
        2019,
        "md:unlabelled break=unavailable_not_held md:dropped=rejected_duplicate",
        refused="tables_not_found",
    ),
    _d(
        "tz-jjq_2020",
        "markdown",
        "tz-jjq",
        2020,
        "md:unlabelled break=rejected_petition md:dropped=other_handling md:generic=Column",
        refused="tables_not_found",
    ),
    # --- typed by hand
    _d("hu-scjg_2021", "handtyped", "hu-scjg", 2021, "plain:sep=tab fee=none_plain title=spaced_year"),
    _d(
        "jh-sthj_2023",
        "handtyped",
        "jh-sthj",
        2023,
        "plain:sep=spaces plain:no_group_lines noagency signature",
    ),
    _d("sx-szf_2019", "handtyped", "sx-szf", 2019, "plain:sep=ideographic plain:gb18030 thousands"),
    _d("tz-jtj_2020", "handtyped", "tz-jtj", 2020, "plain:sep=bar plain:crlf change=signed title=gongzuo"),
    _d("jx-wjw_2024", "handtyped", "jx-wjw", 2024, "mixed=nonzero plain:sep=tab"),
    _d("hu-wxq_2023", "handtyped", "hu-wxq", 2023, "mixed=zero plain:sep=spaces fee=amount_before"),
    _d(
        "sx-ycq_2020",
        "handtyped",
        "sx-ycq",
        2020,
        "plain:no_header plain:sep=spaces total_first",
        hostile="no column header typed and 总计 first; 四、结转下年度继续办理 reads like section 四's heading",
    ),
    _d("jx-jsx_2023", "handtyped", "jx-jsx", 2023, "noagency byline plain:sep=tab fullwidth"),
]
# pdftotext -layout of corpus PDFs and of the genuine reports
DOCS += [
    Doc("sx-mzj_2020", "pdftotext", "sx-mzj", 2020, source="sx-mzj_2020"),
    Doc("tz-jjq_2023", "pdftotext", "tz-jjq", 2023, source="tz-jjq_2023"),
    Doc("sx-jyj_2022", "pdftotext", "sx-jyj", 2022, source="sx-jyj_2022"),
    Doc("hu-wxq_2021", "pdftotext", "hu-wxq", 2021, source="hu-wxq_2021"),
    Doc("jx-jsx_2024", "pdftotext", "jx-jsx", 2024, source="jx-jsx_2024"),
    Doc("jh-zrzy_2019", "pdftotext", "jh-zrzy", 2019, source="jh-zrzy_2019"),
    Doc("hu-scjg_2020", "pdftotext", "hu-scjg", 2020, source="hu-scjg_2020"),
    Doc("jx-nhq_2023", "pdftotext", "jx-nhq", 2023, source="jx-nhq_2023"),
    Doc("jx-wjw_2021", "pdftotext", "jx-wjw", 2021, source="jx-wjw_2021"),
    Doc("tz-jjq_2021", "pdftotext", "tz-jjq", 2021, source="tz-jjq_2021"),
    Doc("06_hongze-qzf-2023", "pdftotext", None, 2023, source="real:06_hongze-qzf-2023"),
    Doc("07_hongze-qzf-2024", "pdftotext", None, 2024, source="real:07_hongze-qzf-2024"),
    Doc("08_huaian-szf-2024", "pdftotext", None, 2024, source="real:08_huaian-szf-2024"),
]
# the genuine reports (tests/files/real, hand-transcribed goldens in tests/golden): listed by reference
REAL = [
    ("06_hongze-qzf-2023", "files/real/06_hongze-qzf-2023.pdf", "golden/06_hongze-qzf-2023.json", None),
    ("07_hongze-qzf-2024", "files/real/07_hongze-qzf-2024.pdf", "golden/07_hongze-qzf-2024.json", None),
    ("08_huaian-szf-2024", "files/real/08_huaian-szf-2024.pdf", "golden/08_huaian-szf-2024.json", None),
    ("hz-yjglj_2020", "files/text/hz-yjglj_2020.txt", "golden/hz-yjglj_2020.json", None),
    ("N1_synthetic-cid-garbled-2023", "files/real/N1_synthetic-cid-garbled-2023.pdf", None, "garbled_text"),
]
REAL_QUIRKS = {
    "06_hongze-qzf-2023": ["wps_export", "t3_split", "framed_body", "title_two_lines", "other_body_named"],
    "07_hongze-qzf-2024": ["wps_export", "t3_split", "title_two_lines", "other_body_named"],
    "08_huaian-szf-2024": [
        "t3_split",
        "t3_label_cut",
        "title_two_lines",
        "other_body_named",
        "fee_amount_yuan",
    ],
    "hz-yjglj_2020": ["pdf_to_markdown", "t3_split", "tab_separated"],
    "N1_synthetic-cid-garbled-2023": ["cid_garbled"],
}
# what a reading of a genuine report must say it assumed: 06 and 07 print the v2019 single （六）其他处理
# row, 0 in every column, in a v2021 table 3
REAL_ASSUMPTIONS = {
    "06_hongze-qzf-2023": ["other_handling_zero_split"],
    "07_hongze-qzf-2024": ["other_handling_zero_split"],
}


# ----------------------------------------------------------------------------- designs
def _fee(doc: Doc, form: str) -> Decimal | None:
    if form in FEES_UNSTATED:
        return None
    if form in FEES_NONE or form in FEES_ZERO:
        return Decimal(0)
    rng = random.Random(doc.seed)
    if form == FEE_TABLE and rng.random() < 0.3:
        return Decimal(0)
    return Decimal(rng.choice(FEE_AMOUNTS))


def _rotation(doc: Doc, kind: str) -> str:
    """The document's turn in a rotation of v2021 fee forms or title forms (documents that do not say)."""
    synthetic = [d for d in DOCS if d.body and d.source is None]
    if kind == "fee":
        v2021 = [d for d in synthetic if d.year >= 2021 and not any(q.startswith("fee=") for q in d.quirks)]
        return FEE_ROTATION[v2021.index(doc) % len(FEE_ROTATION)]
    plain = [d for d in synthetic if not any(q.startswith("title=") for q in d.quirks)]
    return TITLE_ROTATION[plain.index(doc) % len(TITLE_ROTATION)]


@cache
def design_for(name: str, producer: str) -> Design:
    """The design of a corpus document (a pdftotext document has its source's)."""
    doc = find(name, producer)
    if doc.source:
        return design_for(doc.source, source_producer(doc.source))
    assert doc.body is not None
    body = BODIES[doc.body]
    opts = dict(q.partition("=")[::2] for q in doc.quirks)
    fee_form = opts.get("fee") or (_rotation(doc, "fee") if doc.year >= 2021 else "none_plain")
    record = corpus_record(body.agency, doc.year, doc.seed, _fee(doc, fee_form), opts.get("mixed"))
    if "zero_row" in opts:
        _zero_row(record, opts["zero_row"])
    d = Design(
        record=record, city=body.city, office=body.office, seed=doc.seed, fee_form=fee_form, style=Style()
    )
    d.style.other_handling_row = "mixed" in opts
    if "title" not in opts:
        d.title_form = _rotation(doc, "title")
    for q in doc.quirks:
        apply_quirk(d, q)
    check(d)
    return d


def _zero_row(record: Report, row: str) -> None:
    """Move table 3's `row` into another outcome row, column by column: it prints all zeros, the sums hold."""
    from nianbao.pipeline import tables as T

    apps = record.applications
    into = "unavailable_not_held" if row != "unavailable_not_held" else "granted"
    for a in T.APPLICANT_PARTS:
        apps[into][a] += apps[row][a]
        apps[row][a] = 0
    for r in (row, into):
        apps[r]["total"] = sum(apps[r][a] for a in T.APPLICANT_PARTS)


def find(name: str, producer: str) -> Doc:
    """The document of that name and producer."""
    for d in DOCS:
        if d.name == name and d.producer == producer:
            return d
    raise KeyError(f"{producer}/{name}")


def source_producer(name: str) -> str:
    """The producer of the PDF a pdftotext document converts."""
    for d in DOCS:
        if d.name == name and EXT[d.producer] == "pdf":
            return d.producer
    raise KeyError(name)


# ----------------------------------------------------------------------------- what the manifest says
def quirk_tags(d: Design, producer: str) -> list[str]:
    """The document's quirks, named from its design (what the generator was told to print)."""
    tags: list[str] = []
    if d.title_form != "canonical":
        tags.append(f"title_{d.title_form}")
    if not d.agency_in_title:
        tags.append("agency_not_in_title")
    tags += [t for t, on in (("agency_byline", d.byline), ("agency_signature", d.signature)) if on]
    tags += [f"agency_meta_{m}" for m in d.metadata]
    if d.portal:
        tags.append("portal_site")
    if d.other_body:
        tags.append("other_body_named")
    if d.template == "v2021":
        tags.append(f"fee_{d.fee_form}")
    n = d.numbers
    default = Numbers()
    if n.zero != default.zero:
        tags.append("zero_" + {"": "blank", "—": "dash", "/": "slash", "无": "wu"}[n.zero])
    tags += [t for t, on in (("thousands", n.thousands), ("fullwidth", n.fullwidth)) if on]
    if n.change != default.change:
        tags.append(f"change_{n.change}")
    s = d.style
    if s.column_order or s.total_first:
        order = s.column_order or ("total",)
        tags.append("total_first" if order[0] == "total" else "columns_reordered")
    if d.mixed:
        tags.append(f"template_mixed_{d.mixed}")
    if any(
        k.startswith(("proactive.normative", "proactive.other", "applications.received_new"))
        for k in s.labels
    ):
        tags.append("label_synonyms")
    if "proactive.licensing" in s.labels:
        tags.append("labels_spaced")
    if s.wrap_rows or d.label_width < 1:
        tags.append("labels_wrapped")
    if s.first_only_groups or s.note == "":
        tags.append("empty_label_cells")
    if s.repeat_labels:
        tags.append("labels_repeated")
    if d.transposed:
        tags.append("t3_transposed")
    pdf = EXT[producer] == "pdf" or producer == "pdftotext"
    paged = pdf or producer in ("docx", "markdown")
    if d.t3_break and paged:
        tags.append("t3_split")
        if d.t3_repeat_header and producer != "markdown":
            tags.append("t3_header_repeated")
        if d.t3_cut_label and producer not in ("markdown", "docx"):
            tags.append("t3_label_cut")
    if producer == "pdftotext" and d.t3_break:
        if d.pdf_extra.get("footer"):
            tags.append("footer_in_table")
        if d.t3_repeat_header:
            tags.append("header_repeated_in_table")
    if d.open_rows and producer not in ("markdown", "handtyped", "cms_html"):
        tags.append("row_rules_missing")
    if not d.rules and pdf:
        tags.append("no_rules")
    if d.landscape_t4 and producer in ("reportlab_cid", "reportlab_ttf", "libreoffice", "pdftotext"):
        tags.append("landscape_t4")
    if producer in ("reportlab_cid", "reportlab_ttf"):
        tags += [f"pdf_{k}" for k in sorted(d.pdf_extra)]
    if producer in ("wps_html", "cms_html"):
        if d.html_encoding != "utf-8":
            tags.append(d.html_encoding)
        if d.html_heading != "one":
            tags.append(f"page_title_{d.html_heading}")
    if producer == "markdown":
        md = d.md
        tags += [
            t for k, t in (("generic_header", "generic_headers"), ("lost_header", "header_lost")) if md.get(k)
        ]
        if md.get("repeat_header") and d.t3_break:
            tags.append("header_repeated_in_table")
        if md.get("footer_in_table") and d.t3_break:
            tags.append("footer_in_table")
        if md.get("unlabelled_continuation") and d.t3_break:
            tags.append("continuation_unlabelled")
        if md.get("spill"):
            tags.append("labels_shredded")
        if md.get("dropped"):
            tags.append("row_lost")
    if producer == "handtyped":
        p = d.plain
        sep = p.get("sep", "\t")
        tags.append({"\t": "sep_tab", "  ": "sep_spaces", "\u3000": "sep_ideographic", " | ": "sep_bar"}[sep])
        tags += [t for k, t in (("crlf", "crlf"), ("encoding", "gb18030")) if p.get(k)]
        if p.get("group_lines", True):
            tags.append("labels_shredded")
        if p.get("header") == "none":
            tags.append("header_lost")
    return sorted(set(tags))


def golden_json(report: Report) -> str:
    """A golden file's text: the canonical record, one key per line."""
    return json.dumps(report.canonical(), ensure_ascii=False, indent=1) + "\n"


def entry(doc: Doc, sha: str | None) -> dict[str, Any]:
    """The manifest's entry of a synthetic document (or a conversion of a genuine one)."""
    out: dict[str, Any] = {
        "id": f"{doc.producer}/{doc.name}",
        "path": f"tests/{doc.path}",
        "producer": doc.producer,
    }
    if doc.error:
        out |= {"template": None, "agency": None, "year": None, "quirks": [f"error_page_{doc.error}"]}
        out |= {"golden": None, "error": "not_a_report", "assumptions": [], "expect_findings": []}
    elif doc.refused:
        d = design_for(doc.name, doc.producer)
        out |= {"template": d.template, "agency": d.record.agency, "year": d.record.year}
        out |= {"quirks": quirk_tags(d, doc.producer), "golden": None, "error": doc.refused}
        out |= {"assumptions": [], "expect_findings": []}
    elif doc.source and doc.source.startswith("real:"):
        stem = doc.source[5:]
        golden = json.loads((TESTS / "golden" / f"{stem}.json").read_text(encoding="utf-8"))
        out |= {"template": golden["template"], "agency": golden["agency"], "year": golden["year"]}
        out |= {
            "quirks": sorted(["pdftotext_of_real", *REAL_QUIRKS[stem]]),
            "source": f"tests/files/real/{stem}.pdf",
        }
        out |= {
            "golden": f"tests/golden/{stem}.json",
            "error": None,
            "assumptions": REAL_ASSUMPTIONS.get(stem, []),
            "expect_findings": [],
        }
    else:
        d = design_for(doc.name, doc.producer)
        golden_doc = find(doc.source, source_producer(doc.source)) if doc.source else doc
        out |= {"template": d.template, "agency": d.record.agency, "year": d.record.year}
        quirks = quirk_tags(d, doc.producer)
        if doc.source:
            out["source"] = f"tests/{golden_doc.path}"
        out["quirks"] = quirks + (["hostile"] if doc.hostile else [])
        out |= {"golden": f"tests/{GOLDEN}/{golden_doc.name}.json", "error": None}
        out |= {"assumptions": expected_assumptions(d), "expect_findings": expected_findings(d)}
    out["verified"] = _verified(out)
    if doc.hostile:
        out["hostile"] = doc.hostile
    out["sha256"] = sha
    return out


def _verified(e: dict[str, Any]) -> bool | None:
    """reading.verified a reading must give: nothing assumed beyond the printed labels and every blocking
    identity of the record holding (None where no record is expected)."""
    from samplegen.identities import blocking_failures

    if e["golden"] is None:
        return None
    rec = json.loads((ROOT / e["golden"]).read_text(encoding="utf-8"))
    return not e["assumptions"] and not blocking_failures(rec)


def real_entries() -> list[dict[str, Any]]:
    """The genuine reports, by reference."""
    out = []
    for stem, path, golden, error in REAL:
        data = (TESTS / path).read_bytes()
        rec = json.loads((TESTS / golden).read_text(encoding="utf-8")) if golden else None
        out.append(
            {
                "id": f"real/{stem}",
                "path": f"tests/{path}",
                "producer": "real",
                "template": rec["template"] if rec else None,
                "agency": rec["agency"] if rec else None,
                "year": rec["year"] if rec else None,
                "quirks": sorted(REAL_QUIRKS[stem]),
                "golden": f"tests/{golden}" if golden else None,
                "error": error,
                "assumptions": REAL_ASSUMPTIONS.get(stem, []),
                "expect_findings": [],
                "sha256": hashlib.sha256(data).hexdigest(),
            }
        )
        out[-1]["verified"] = _verified(out[-1])
    return out


# ----------------------------------------------------------------------------- writing
def needs(doc: Doc) -> tuple[str, ...]:
    """Programs outside Python the document needs (a conversion: its source's too)."""
    own = PRODUCERS[doc.producer][1]
    if doc.source and not doc.source.startswith("real:"):
        return own + needs(find(doc.source, source_producer(doc.source)))
    return own


def build(doc: Doc, root: Path) -> bytes:
    """The document's bytes (a conversion reads its source as committed under root, else as generated)."""
    if doc.error:
        from samplegen.render_html import error_page_html

        return error_page_html(doc.error, PORTALS[_SX] if doc.error != "nginx" else "")
    if doc.source:
        if doc.source.startswith("real:"):
            return producers.pdftotext_layout(
                (TESTS / "files" / "real" / f"{doc.source[5:]}.pdf").read_bytes()
            )
        else:
            src_path = root / find(doc.source, source_producer(doc.source)).path
        return render(design_for(doc.name, doc.producer), "pdftotext", source_pdf=src_path.read_bytes)
    return render(design_for(doc.name, doc.producer), doc.producer)


def _write(path: Path, data: bytes) -> str:
    if path.exists() and path.read_bytes() == data:
        return "unchanged"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return "written"


def write_doc(doc: Doc, root: Path) -> tuple[str, str | None]:
    """Write one document and its golden under root; returns what happened and the file's sha256."""
    if doc.body and not doc.source and not doc.refused:
        rec = expected_record(design_for(doc.name, doc.producer))
        _write(root / GOLDEN / f"{doc.name}.json", golden_json(rec).encode("utf-8"))
    path = root / doc.path
    lacking = producers.missing(needs(doc))
    if lacking:
        sha = hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None
        return f"skipped: needs {', '.join(lacking)} ({producers.CORPUS_APT_INSTALL})", sha
    data = build(doc, root)
    stable = PRODUCERS[doc.producer][2]
    if (
        EXT[doc.producer] == "pdf"
        and not stable
        and path.exists()
        and producers.same_pdf(data, path.read_bytes())
    ):
        return "kept (the same document; only dates and IDs differ)", hashlib.sha256(
            path.read_bytes()
        ).hexdigest()
    said = _write(path, data)
    return said, hashlib.sha256(data).hexdigest()


def manifest(shas: dict[str, str | None]) -> dict[str, Any]:
    """The corpus manifest: every document and what a reading of it must give."""
    docs = [entry(d, shas.get(f"{d.producer}/{d.name}")) for d in DOCS] + real_entries()
    return {
        "schema": "nianbao.corpus/1",
        "about": "issue 12's development corpus: documents of many producers with quirks, each with what a "
        "reading must give (golden record or error code, assumption codes, blocking findings); written by "
        "tests/samplegen/corpus.py (make corpus), never by an extractor",
        "assumption_codes": list(ASSUMPTIONS),
        "producers": {p: about for p, (about, _needs, _stable) in PRODUCERS.items()}
        | {"real": "genuine reports"},
        "documents": docs,
    }


def write_manifest(root: Path, shas: dict[str, str | None]) -> str:
    """tests/files/corpus/manifest.json (sha256 of documents not rebuilt are read from disk)."""
    for d in DOCS:
        key = f"{d.producer}/{d.name}"
        if key not in shas:
            p = root / d.path
            shas[key] = hashlib.sha256(p.read_bytes()).hexdigest() if p.exists() else None
    text = json.dumps(manifest(shas), ensure_ascii=False, indent=1) + "\n"
    return _write(root / FILES / "manifest.json", text.encode("utf-8"))


def main(argv: list[str] | None = None) -> int:
    """Command line entry: write the corpus (all, or --only these names) and say what happened to each."""
    ap = argparse.ArgumentParser(prog="python -m samplegen.corpus", description=__doc__.splitlines()[0])
    ap.add_argument("--root", type=Path, default=TESTS, help="where files/ and golden/ are (default: tests/)")
    ap.add_argument("--only", nargs="+", metavar="NAME", help="document ids (producer/name) or names")
    args = ap.parse_args(argv)
    chosen = [
        d for d in DOCS if not args.only or d.name in args.only or f"{d.producer}/{d.name}" in args.only
    ]
    if args.only and not chosen:
        ap.error(f"no document among {args.only}")
    shas: dict[str, str | None] = {}
    for doc in chosen:
        said, sha = write_doc(doc, args.root)
        shas[f"{doc.producer}/{doc.name}"] = sha
        print(f"{doc.producer}/{doc.name}: {said}", file=sys.stderr)
    print(f"manifest.json: {write_manifest(args.root, shas)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
