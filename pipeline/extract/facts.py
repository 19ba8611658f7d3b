"""What the body text says beside the tables: the title (agency, year), section 六's 信息处理费 and the
totals the narrative states (for the `narrative_consistency` check)."""

from __future__ import annotations

import re
from decimal import Decimal

from nianbao.pipeline.errors import ExtractError
from nianbao.pipeline.extract.glyphs import clean_text
from nianbao.pipeline.numbers import parse_amount

_TITLE = re.compile(
    r"(?P<pre>[^\n]*?)\s*(?P<year>(19|20)\d{2})\s*年\s*度?\s*(?P<post>[^\n]*?)政府信息公开\s*工?作?\s*年\s*度?\s*报\s*告"
)


def read_title(text: str) -> tuple[str, int]:
    """(agency, year) from the report's title: '<agency><year>年政府信息公开工作年度报告' or '<year>年<agency>…'."""
    head = clean_text(text[:3000])
    previous = ""
    for line in head.splitlines():
        line = line.strip().strip("#*").strip()
        m = _TITLE.search(line)
        if m:
            # a breadcrumb trail (当前位置：首页 > … > title) before the title is not the agency
            pre = re.split(r"[>›»|｜]|当前位置:?", m.group("pre"))[-1].strip()
            agency = pre or m.group("post").strip()
            if not agency and previous and len(previous) <= 40 and not re.search(r"[。，,：:；;]", previous):
                agency = previous  # a title set in two lines: the agency above '<year>年…报告'
            agency = re.sub(r"[\s《》]", "", agency).removesuffix("关于")
            if agency:
                return agency, int(m.group("year"))
        if line:
            previous = line
    raise ExtractError("not_a_report", "no title naming an agency and a year (…年政府信息公开工作年度报告)")


_FEES_NONE = re.compile(
    r"(未|没有|无|不)收取[^。；;\n]{0,12}?(信息处理费|处理费)|(信息处理费|处理费)[^。；;\n]{0,8}?(为|共计|合计)?\s*(0|零|无)\s*(元|。|；|$)"
)
_FEES_AMOUNT = re.compile(r"(信息处理费|处理费)[^。；;\n\d]{0,16}?(?P<num>[\d,，.]+)\s*(?P<unit>万元|元)")
_FEES_AMOUNT_BEFORE = re.compile(
    r"收取[^。；;\n\d]{0,12}?(?P<num>[\d,，.]+)\s*(?P<unit>万元|元)[^。；;\n]{0,6}?(信息处理费|处理费)"
)


def read_fees(text: str) -> tuple[Decimal | None, str | None]:
    """信息处理费 stated in section 六 (yuan), with the sentence it came from; (None, None) if unstated."""
    t = clean_text(text)
    m6 = re.search(r"六\s*[、.．]\s*其他需要报告的事项", t)
    scope = t[m6.start() :] if m6 else t
    for pat in (_FEES_AMOUNT, _FEES_AMOUNT_BEFORE):
        m = pat.search(scope)
        if m:
            try:
                return parse_amount(m.group("num").replace("，", ","), m.group("unit")), m.group(0)
            except ValueError:
                pass
    m = _FEES_NONE.search(scope)
    if m:
        return Decimal(0), m.group(0)
    return None, None


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
