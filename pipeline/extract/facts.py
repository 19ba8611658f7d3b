"""What the body text says beside the tables: the title (year, and the agency where it names one), the issuing
body when the title does not, section 六's 信息处理费, and the totals the narrative states.

The agency is taken, in this order of evidence, from the title, the heading block above it, the signature
at the end (落款: the body's name over a date), then the page's metadata — never from a sentence of the
body, which names other bodies all the time. Whatever is not the title is recorded as an assumption.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from nianbao.pipeline import tables as T
from nianbao.pipeline.errors import ExtractError
from nianbao.pipeline.extract.cells import Cell, RawTable, norm_label, split_row
from nianbao.pipeline.extract.glyphs import clean_text
from nianbao.pipeline.model import Location
from nianbao.pipeline.numbers import parse_amount

_CN_DIGITS = {
    "〇": "0",
    "○": "0",
    "零": "0",
    "一": "1",
    "二": "2",
    "三": "3",
    "四": "4",
    "五": "5",
    "六": "6",
    "七": "7",
    "八": "8",
    "九": "9",
}
_CN_YEAR = re.compile(r"([〇○零一二三四五六七八九]{4})(?=\s*年)")
_SPACED_YEAR = re.compile(r"(?<!\d)((?:\d\s+){3}\d)(?=\s*年)")
# the report's own name: 政府信息公开(工作)(年度)(工作)报告 | 年报, with the letter spacing titles use
_REPORT = r"政\s*府\s*信\s*息\s*公\s*开\s*(?:工\s*作\s*)?(?:年\s*度\s*)?(?:工\s*作\s*)?(?:报\s*告|年\s*报)"
_TITLE = re.compile(r"(?P<pre>[^\n]*?)(?P<year>(?:19|20)\d{2})\s*年\s*度?\s*(?P<post>[^\n]*?)" + _REPORT)
_BREADCRUMB = re.compile(r"[>›»|｜]|当前位置[:：]?|您的位置[:：]?")
_ORG = re.compile(
    r"(人民政府|政府办公室|办公厅|办公室|委员会|管理局|监督局|局|委|厅|院|署|办|中心|所|处|会|馆|队|站|部)$"
)
_SENTENCE = re.compile(r"[。，,；;！？]")
_DATE_TEXT = (
    r"(?:(?:19|20)\d{2}|[〇○零一二三四五六七八九]{4})\s*年\s*[\d〇○零一二三四五六七八九十]{1,3}\s*月"
    r"\s*[\d〇○零一二三四五六七八九十]{1,3}\s*日"
)
_DATE = re.compile(rf"^\s*{_DATE_TEXT}\s*$")
_DATED = re.compile(rf"^(?P<name>\S.*?)\s*{_DATE_TEXT}\s*$")  # a signature's name and date on one line
_META_LABEL = r"发布机构|信息来源|来\s*源|发文机关|发布单位"
# a page's furniture: 发布机构：… (the name ends where the next field's label begins, spaced or not)
_META = re.compile(
    rf"(?:{_META_LABEL})\s*[:：]\s*(?P<name>(?:(?!{_META_LABEL}|发布日期|发布时间|日期|时间|浏览|点击|字号)"
    r"[^\s|｜/，,。:：]){2,40})"
)


@dataclass(frozen=True)
class Agency:
    """The issuing body a document names, and where that was read ('title', 'heading', 'signature', 'metadata')."""

    name: str
    source: str
    raw: str


def normalise_years(line: str) -> str:
    """A line with its years as plain digits: '二〇二二年' → '2022年', '2 0 2 2 年' → '2022年'."""
    line = _CN_YEAR.sub(lambda m: "".join(_CN_DIGITS[c] for c in m.group(1)), line)
    return _SPACED_YEAR.sub(lambda m: re.sub(r"\s", "", m.group(1)), line)


def _clean_name(text: str) -> str:
    return re.sub(r"[\s《》“”\"]", "", text).removesuffix("关于").strip("：:，,。")


def _org_line(line: str) -> bool:
    """A line that is just the name of a body: short, no sentence punctuation, ending like an organisation."""
    s = _clean_name(line)
    return (
        2 < len(s) <= 30 and not _SENTENCE.search(line) and not re.search("[:：]", s) and bool(_ORG.search(s))
    )


def read_title(text: str) -> tuple[Agency | None, int]:
    """The year the title names, and the agency when the title (or the line set above it) names one.

    A title may be set in two lines or split over two elements ('2023 年某某区政府信息公开工作' / '年度报告');
    its year may be letter-spaced or in Chinese numerals.
    """
    lines = [normalise_years(ln.strip().strip("#*").strip()) for ln in clean_text(text[:4000]).splitlines()]
    lines = [ln for ln in lines if ln]
    for i, line in enumerate(lines[:40]):
        m = _TITLE.search(line)
        joined = False
        if not m and i + 1 < len(lines) and len(line) <= 40 and not re.search("[:：]", line):
            m = _TITLE.search(line + lines[i + 1])  # the title split over two lines
            joined = m is not None
        if not m:
            continue
        year = int(m.group("year"))
        pre = _BREADCRUMB.split(m.group("pre"))[-1]
        name = _clean_name(pre) or _clean_name(m.group("post"))
        if name and not _SENTENCE.search(name) and not re.search(r"[:：]|\d", name):
            return Agency(name, "title", m.group(0)), year
        above = lines[i - 1] if i and not joined else ""
        if above and _org_line(above):  # a title set in two lines: the body above '<year>年…报告'
            return Agency(_clean_name(above), "title", above + "\n" + m.group(0)), year
        return None, year
    raise ExtractError("not_a_report", "no title naming a year (…年政府信息公开工作年度报告 or …年报)")


def read_agency(text: str, metadata: dict[str, str] | None = None) -> Agency | None:
    """The issuing body when the title does not name it: the heading block, the signature, the metadata."""
    lines = [ln.strip() for ln in clean_text(text).splitlines() if ln.strip()]
    # the heading block: a body's name alone on the line just above the title or one just under it, before
    # any sentence (a web page's banner further up names the portal, not the report's author)
    title = next((i for i, ln in enumerate(lines[:40]) if _TITLE.search(normalise_years(ln))), None)
    block = (
        [*lines[max(title - 1, 0) : title], *lines[title + 1 : title + 4]] if title is not None else lines[:6]
    )
    for line in block:
        if _SENTENCE.search(line):
            break
        if _org_line(line) and not _TITLE.search(normalise_years(line)):
            return Agency(_clean_name(line), "heading", line)
    # the signature: the last body's name set over a date at the end
    tail = lines[-12:]
    for k in range(len(tail) - 1, -1, -1):
        if k and _DATE.match(tail[k]) and _org_line(tail[k - 1]):
            return Agency(_clean_name(tail[k - 1]), "signature", tail[k - 1] + "\n" + tail[k])
        # the name and the date run into one line (a text layer that joined the signature block)
        joined = _DATED.match(tail[k])
        if joined and _org_line(joined.group("name")):
            return Agency(_clean_name(joined.group("name")), "signature", tail[k])
    # the page's metadata: its meta tags, then what its furniture says above the report (发布机构：…), then
    # its <title> (whose other part is often the portal's name, not the author's)
    for key in ("ContentSource", "发布机构", "信息来源", "来源"):
        value = (metadata or {}).get(key, "")
        name = _clean_name(value)
        if name and _org_line(name) and not _TITLE.search(normalise_years(name)):
            return Agency(name, "metadata", f"{key}: {value}")
    for line in lines[:15]:
        m = _META.search(line)
        if m and _org_line(m.group("name")):
            return Agency(_clean_name(m.group("name")), "metadata", m.group(0))
    value = (metadata or {}).get("title", "")
    # a page title is '<report>_<body>' or '<body> - <site>': the first part that is a body's name
    for part in re.split(r"[_|｜—–-]+", value):
        name = _clean_name(part)
        if name and _org_line(name) and not _TITLE.search(normalise_years(name)):
            return Agency(name, "metadata", f"title: {value}")
    return None


# ----------------------------------------------------------------------------- fees
_FEE = r"(?:信息处理费|处理费|收费|费用)"
_NUMBER = r"(?P<num>[\d,，]+(?:\.\d+)?)\s*(?P<unit>万元|元)"
_FEES_AMOUNT = re.compile(r"(?:信息处理费|处理费)[^。；;\n\d]{0,20}?" + _NUMBER)
_FEES_AMOUNT_BEFORE = re.compile(
    r"收取[^。；;\n\d]{0,12}?" + _NUMBER + r"[^。；;\n]{0,8}?(?:信息处理费|处理费)"
)
_FEES_NONE = re.compile(
    r"(?:未|没有|无|不|均未|并未|从未)[^。；;\n\d]{0,12}?(?:收取|收缴|发生|产生|涉及)[^。；;\n\d]{0,12}?"
    + _FEE
    + r"|(?:未|没有|无)(?:发生|产生)?[^。；;\n\d]{0,6}?"
    + _FEE
    + r"(?:情况|事项)?"
    + r"|(?:信息处理费|处理费)[^。；;\n\d]{0,8}?(?:为|共计|合计|金额)?\s*(?:零|无)"
)
SECTION_SIX = re.compile(r"六\s*[、.．]\s*其他需要报告的事项")
_SECTION_AFTER_SIX = re.compile(r"\n\s*七\s*[、.．]")


# table 3's rows whose labels speak of fees (2．申请人逾期未按收费通知要求缴纳费用…): a line of one is no
# statement about the fees collected (with no section 六 in the text, the scope is the whole text: a scan's
# OCR'd table pages, where 未按收费 read as "no fee collected")
_FEE_ROW_KEYS = tuple(
    dict.fromkeys(
        k for rows in T.APPLICATION_ROWS.values() for c in rows if re.search(_FEE, c.label) for k in c.keys
    )
)


def _fee_row_label(line: str) -> bool:
    """Whether a line is (a piece of) a table-3 row label that speaks of fees."""
    return any(k in norm_label(line) for k in _FEE_ROW_KEYS)


@dataclass(frozen=True)
class Fees:
    """Section 六's 信息处理费 in yuan: as printed (`stated_none`: read from a sentence saying none was collected)."""

    yuan: Decimal
    raw: str
    stated_none: bool = False
    cell: Cell | None = None


def read_fees(text: str, tables: list[RawTable] | None = None) -> Fees | None:
    """The 信息处理费 section 六 states (a sentence, or a small table row), or None when it says nothing of it."""
    t = clean_text(text)
    m6 = SECTION_SIX.search(t)
    scope = t[m6.start() :] if m6 else t
    if m6 and (end := _SECTION_AFTER_SIX.search(scope)):
        scope = scope[: end.start()]
    for pat in (_FEES_AMOUNT, _FEES_AMOUNT_BEFORE):
        for m in pat.finditer(scope):
            try:
                return Fees(parse_amount(m.group("num").replace("，", ","), m.group("unit")), m.group(0))
            except ValueError:
                continue
    none = _FEES_NONE.search("\n".join(ln for ln in scope.splitlines() if not _fee_row_label(ln)))
    if none:
        return Fees(Decimal(0), none.group(0), stated_none=True)
    for table in tables or []:  # a fee in a table row instead of a sentence; the unit in it or its header
        for k, row in enumerate(table.rows):
            label, cells, _ = split_row(row)
            values = [c for c in cells if c.text.strip()]  # (a row of a wider table: its other cells empty)
            if "信息处理费" in norm_label(label) and len(values) == 1:
                header = " ".join(c.text for r in table.rows[max(k - 3, 0) : k] for c in r if c is not None)
                try:
                    return Fees(
                        parse_amount(values[0].text, _unit(label, header)),
                        f"{label} {values[0].text}",
                        cell=values[0],
                    )
                except ValueError:
                    continue
    lines = scope.splitlines()
    for k, line in enumerate(lines):  # the same small table in a text: a line, its header lines above
        fee_row = _FEE_ROW.match(line)
        if fee_row:
            try:
                amount = parse_amount(
                    fee_row.group("num").replace("，", ","), _unit(line, " ".join(lines[max(k - 3, 0) : k]))
                )
            except ValueError:
                continue
            return Fees(amount, line.strip())
    return None


_FEE_ROW = re.compile(r"^[\s|｜]*(?:信息)?处理费[\s|｜]+(?P<num>[\d,，]+(?:\.\d+)?)\s*(?:万元|元)?[\s|｜]*$")


def _unit(line: str, header: str) -> str:
    """The money unit a fee row is in: its own, else its header's (收取金额（万元）), else 元."""
    for text in (line, header):
        if "万元" in text:
            return "万元"
        if "元" in text:
            return "元"
    return "元"


def fees_location(fees: Fees, located: Location | None) -> Location:
    """Where the fees were printed: the table cell, the located sentence, or just the sentence."""
    if fees.cell is not None:
        return fees.cell.loc
    return located or Location(raw=fees.raw)


# ----------------------------------------------------------------------------- narrative claims
_CLAIMS = {
    "applications_received": re.compile(
        r"(收到|受理|新收)[^。；;，,\n]{0,14}?(政府)?信息公开申请\s*(共计?|合计)?\s*(?P<n>\d[\d,]*)\s*件"
    ),
    "review": re.compile(r"行政复议(案件|申请)?\s*(共计?)?\s*(?P<n>\d[\d,]*)\s*(件|起)"),
    "litigation": re.compile(r"行政诉讼(案件)?\s*(共计?)?\s*(?P<n>\d[\d,]*)\s*(件|起)"),
}


def read_narrative(text: str) -> dict[str, dict[str, object]]:
    """Totals the narrative states (for `narrative_consistency`): claim → {value, raw}."""
    t = clean_text(text)
    out: dict[str, dict[str, object]] = {}
    for claim, pat in _CLAIMS.items():
        m = pat.search(t)
        if m:
            out[claim] = {"value": int(m.group("n").replace(",", "")), "raw": m.group(0)}
    return out
