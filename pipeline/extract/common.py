"""From a document's raw tables and text to the canonical record — the part every format shares.

Each format reader (text, pdf, html, docx) turns bytes into a `ParsedDocument`: its body text and its
tables as rows of `Cell`s (None where a merged cell covers the position), each cell with its
`Location`. This module finds tables 2, 3 and 4 by their labels, maps labels to the canonical codes of
`pipeline.tables`, and reads the numbers as printed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from nianbao.pipeline import tables as T
from nianbao.pipeline.errors import ExtractError
from nianbao.pipeline.model import Location, Report
from nianbao.pipeline.numbers import normalize, parse_amount, parse_change, parse_count

# Kangxi radicals (U+2F00–2FD5) fold under NFKC; the CJK Radicals Supplement (U+2E80–2EFF) does not.
# Chromium-printed Noto CJK extracts some characters as these; map them back explicitly.
RADICAL_SUPPLEMENT = {
    "⺀": "冫",
    "⺁": "厂",
    "⺃": "乚",
    "⺅": "亻",
    "⺇": "几",
    "⺈": "𠂊",
    "⺊": "卜",
    "⺋": "㔾",
    "⺌": "小",
    "⺍": "小",
    "⺎": "兀",
    "⺏": "尣",
    "⺐": "尢",
    "⺑": "𡯂",
    "⺒": "巳",
    "⺓": "幺",
    "⺔": "彑",
    "⺖": "忄",
    "⺗": "心",
    "⺘": "扌",
    "⺙": "攵",
    "⺛": "旡",
    "⺜": "日",
    "⺝": "月",
    "⺞": "歺",
    "⺟": "母",
    "⺠": "民",
    "⺡": "氵",
    "⺢": "氺",
    "⺣": "灬",
    "⺤": "爫",
    "⺥": "爫",
    "⺦": "丬",
    "⺧": "牜",
    "⺨": "犭",
    "⺩": "王",
    "⺪": "疋",
    "⺫": "罒",
    "⺬": "示",
    "⺭": "礻",
    "⺮": "竹",
    "⺯": "糹",
    "⺰": "纟",
    "⺱": "罓",
    "⺲": "罒",
    "⺳": "网",
    "⺴": "罓",
    "⺵": "罓",
    "⺶": "羊",
    "⺷": "羊",
    "⺸": "羊",
    "⺹": "耂",
    "⺺": "肀",
    "⺻": "聿",
    "⺼": "月",
    "⺽": "臼",
    "⺾": "艹",
    "⺿": "艹",
    "⻀": "艹",
    "⻁": "虎",
    "⻂": "衤",
    "⻃": "覀",
    "⻄": "西",
    "⻅": "见",
    "⻆": "角",
    "⻇": "角",
    "⻈": "讠",
    "⻉": "贝",
    "⻊": "足",
    "⻋": "车",
    "⻌": "辶",
    "⻍": "辶",
    "⻎": "辶",
    "⻏": "阝",
    "⻐": "金",
    "⻑": "長",
    "⻒": "镸",
    "⻓": "长",
    "⻔": "门",
    "⻕": "阝",
    "⻖": "阝",
    "⻗": "雨",
    "⻘": "青",
    "⻙": "韦",
    "⻚": "页",
    "⻛": "风",
    "⻜": "飞",
    "⻝": "食",
    "⻞": "飠",
    "⻟": "饣",
    "⻠": "饣",
    "⻡": "饣",
    "⻢": "马",
    "⻣": "骨",
    "⻤": "鬼",
    "⻥": "鱼",
    "⻦": "鸟",
    "⻧": "卤",
    "⻨": "麦",
    "⻩": "黄",
    "⻪": "黾",
    "⻫": "齐",
    "⻬": "齐",
    "⻭": "齿",
    "⻮": "齿",
    "⻯": "龙",
    "⻰": "龙",
    "⻱": "龟",
    "⻲": "龟",
    "⻳": "龟",
}
_RADICAL_TABLE = str.maketrans(RADICAL_SUPPLEMENT)


def clean_text(text: str) -> str:
    """NFKC plus the radical-supplement map: what a CJK font's odd code points really say."""
    return unicodedata.normalize("NFKC", text.translate(_RADICAL_TABLE))


@dataclass(frozen=True)
class Cell:
    """One table cell as printed, with where it sits."""

    text: str
    loc: Location


Row = list[Cell | None]


@dataclass
class RawTable:
    """Rows of one printed table (or one page's part of it). `section` is set when the reader knows it."""

    rows: list[Row]
    section: str | None = None


@dataclass
class ParsedDocument:
    """What a format reader hands over: the body text and the tables, in reading order."""

    text: str
    tables: list[RawTable] = field(default_factory=list)
    format: str = "text"
    text_locations: dict[str, Location] = field(default_factory=dict)
    reading: dict[str, Any] = field(default_factory=dict)  # how the reader got there (Reading.details)


# ----------------------------------------------------------------------------- helpers
_NUMBERING = re.compile(r"^(\(?[一二三四五六七八九十]+[)、.]|\(\d+\)|\d+[.、])")
_PUNCT = re.compile(r"[\s“”\"'‘’:：,，。;；()（）\[\]【】<>《》、.·/／*#]")


def norm_label(text: str) -> str:
    """A label reduced to its characters: normalised, numbering and punctuation removed."""
    s = normalize(clean_text(text))
    s = _NUMBERING.sub("", s)
    return _PUNCT.sub("", s)


def _is_value(text: str | None, money: bool = False) -> bool:
    if text is None:
        return False
    try:
        if money:
            parse_amount(text)
        else:
            parse_change(text)
        return True
    except ValueError:
        return False


def split_row(row: Row) -> tuple[str, list[Cell], list[int]]:
    """A row's label (its text cells joined) and its value cells after the last text cell, with indexes."""
    last_label = -1
    for i, c in enumerate(row):
        if c is not None and c.text.strip() and not _is_value(c.text, money=True) and not _is_value(c.text):
            last_label = i
    label = "".join(c.text for c in row[: last_label + 1] if c is not None)
    values = [(i, c) for i, c in enumerate(row) if i > last_label and c is not None]
    return label, [c for _, c in values], [i for i, _ in values]


def classify_table(table: RawTable) -> str | None:
    """Which canonical table a raw table holds, from its labels; None if it shows none of them."""
    blob = norm_label("".join(c.text for row in table.rows for c in row if c is not None))
    if "本年新收" in blob or ("予以公开" in blob and "不予公开" in blob) or "结转下年" in blob:
        return "applications"
    if "结果维持" in blob or "复议后起诉" in blob:
        return "review_litigation"
    if any(k in blob for k in ("第二十条", "规章", "行政许可", "行政处罚", "信息内容")):
        return "proactive"
    return None


def group_sections(doc: ParsedDocument) -> dict[str, list[Row]]:
    """The rows of each canonical table, pages' parts joined; a table without labels continues the last."""
    out: dict[str, list[Row]] = {}
    previous: str | None = None
    for table in doc.tables:
        section = table.section or classify_table(table)
        if section is None:
            # a continuation with no header of its own; a frame around body text has no values
            if previous is None or not any(split_row(r)[1] for r in table.rows):
                continue
            section = previous
        out.setdefault(section, []).extend(table.rows)
        previous = section
    return out


# ----------------------------------------------------------------------------- table 2
def _measure_header(row: Row, template_measures: tuple[T.Code, ...]) -> dict[int, tuple[str, str]] | None:
    """Column index → (measure code, unit) when the row is a measure header row."""
    found: dict[int, tuple[str, str]] = {}
    for i, c in enumerate(row):
        if c is None:
            continue
        lab = norm_label(c.text)
        for m in template_measures:
            if any(k.replace("/", "") in lab for k in m.keys):
                unit = "万元" if "万元" in normalize(c.text) else "元"
                found[i] = (m.code, unit)
                break
    return found or None


def _match(label: str, codes: tuple[T.Code, ...]) -> T.Code | None:
    best: tuple[int, T.Code] | None = None
    for c in codes:
        for k in c.keys:
            if k and k in label and (best is None or len(k) > best[0]):
                best = (len(k), c)
    return best[1] if best else None


def read_proactive(rows: list[Row], template: str, report: Report) -> None:
    """Fill `report.proactive` from table 2's rows, columns aligned by the nearest measure header."""
    measures = T.PROACTIVE_MEASURES[template]
    layout = T.PROACTIVE_LAYOUT[template]
    header: dict[int, tuple[str, str]] = {}
    for row in rows:
        h = _measure_header(row, measures)
        if h:
            header = h
            continue
        label, _values, _idx = split_row(row)
        item = _match(norm_label(label), T.PROACTIVE_ITEMS[template])
        if item is None or not header:
            continue
        cols = sorted(header)
        for n, col in enumerate(cols):
            code, unit = header[col]
            if code not in layout[item.code]:
                continue
            cell = row[col] if col < len(row) else None
            if cell is None:
                # a merged value cell under a one-measure header sits left of the header's column
                cands = [c for c in row[len(row) - len(cols) + n :] if c is not None]
                cell = cands[0] if cands else None
            if cell is None:
                continue
            try:
                if code in T.MONEY_MEASURES:
                    value: int | Decimal = parse_amount(cell.text, unit)
                elif code in T.SIGNED_MEASURES:
                    value = parse_change(cell.text)
                else:
                    value = parse_count(cell.text)
            except ValueError:
                continue
            report.proactive.setdefault(item.code, {})[code] = value
            report.provenance[f"proactive.{item.code}.{code}"] = cell.loc
    # keep the template's measure order
    report.proactive = {
        i: {m: report.proactive[i][m] for m in ms if m in report.proactive.get(i, {})}
        for i, ms in layout.items()
        if i in report.proactive
    }


# ----------------------------------------------------------------------------- table 3
_GROUPS = (
    ("本年度办理结果", "outcomes"),
    ("不予公开", "denied"),
    ("无法提供", "unavailable"),
    ("不予处理", "rejected"),
    ("其他处理", "other"),
)


def _applicant_order(rows: list[Row]) -> list[str]:
    """Applicant codes in printed column order, from the header; the template's order if unclear."""
    found: dict[str, int] = {}
    for row in rows:
        label, values, _ = split_row(row)
        if values and _match(norm_label(label), T.APPLICATION_ROWS["v2021"]):
            break
        for i, c in enumerate(row):
            if c is None:
                continue
            lab = norm_label(c.text)
            for a in T.APPLICANTS:
                key = a.label
                hit = lab == key if len(key) <= 2 else key in lab
                if hit and a.code not in found:
                    found[a.code] = i
    if len(found) == len(T.APPLICANTS) and len(set(found.values())) == len(found):
        return sorted(found, key=lambda k: found[k])
    if "total" in found and "natural_person" in found and found["total"] < found["natural_person"]:
        return ["total", *T.APPLICANT_PARTS]
    return list(T.APPLICANT_CODES)


def _application_row(label: str, group: str | None) -> tuple[str | None, str | None]:
    """(row code, group) for a table 3 label, given the group of the rows above."""
    s = norm_label(label)
    for key, g in _GROUPS:
        if key in s:
            group = g
            s = s.replace(key, "")
    s = _NUMBERING.sub("", s)
    number = re.search(r"(\d+)[.、．]", normalize(clean_text(label)))
    # what is left of a group's numbering once its label is taken out: 三、本年度办理结果（六）其他处理 → 六
    s = re.sub(r"^[一二三四五六七八九十\d]+", "", s)
    if not s:
        return ("other_handling" if group == "other" else None), group
    if "总计" in s:
        return "handled_total", group
    rows21 = T.APPLICATION_ROWS["v2021"]
    code = _match(s, rows21)
    if code is not None:
        return code.code, group
    if s in {"其他"} and group == "other":
        return "other_misc", group
    # a sub-row whose label the agency misprinted: its number within the group says which it is
    by_position = [c.code for c in rows21 if c.code.startswith(f"{group}_")] if group else []
    if number and 1 <= int(number.group(1)) <= len(by_position):
        return by_position[int(number.group(1)) - 1], group
    return None, group


def read_applications(rows: list[Row], report: Report) -> str | None:
    """Fill `report.applications` from table 3's rows; returns the template its labels show, if any."""
    order = _applicant_order(rows)
    group: str | None = None
    pending = ""
    shown: str | None = None
    for row in rows:
        label, values, _ = split_row(row)
        if not values:
            # a label with no numbers: a group heading or the first half of a label cut by a break
            if label:
                _, group = _application_row(label, group)
                pending = label
            continue
        code, group = _application_row(label or pending, group)
        if code is None and pending:
            code, group = _application_row(pending + label, group)
        pending = ""
        if code is None:
            continue
        if len(values) > len(order):
            extra = values[: len(values) - len(order)]
            if all(not e.text.strip() for e in extra):
                values = values[len(values) - len(order) :]
        if len(values) != len(order):
            continue
        parsed: dict[str, int] = {}
        for applicant, cell in zip(order, values, strict=True):
            try:
                parsed[applicant] = parse_count(cell.text)
            except ValueError:
                continue
            report.provenance[f"applications.{code}.{applicant}"] = cell.loc
        report.applications[code] = {a: parsed[a] for a in T.APPLICANT_CODES if a in parsed}
        if code in {"other_no_correction", "other_fee_unpaid", "other_misc"}:
            shown = "v2021"
        elif code == "other_handling":
            shown = "v2019"
    return shown


# ----------------------------------------------------------------------------- table 4
def _outcome_order(rows: list[Row]) -> list[str]:
    seen: list[str] = []
    for row in rows:
        for c in row:
            if c is None:
                continue
            lab = norm_label(c.text)
            for o in T.OUTCOMES:
                hit = lab == o.label or (o.code != "total" and any(k in lab for k in o.keys))
                if hit and o.code not in seen:
                    seen.append(o.code)
        if len(seen) == len(T.OUTCOMES):
            return seen
    return list(T.OUTCOME_CODES)


def read_review_litigation(rows: list[Row], report: Report) -> None:
    """Fill `report.review_litigation` from table 4's fifteen counts."""
    outcomes = _outcome_order(rows)
    values: list[Cell] = []
    for row in rows:
        _label, vals, _ = split_row(row)
        if len(vals) >= 15 or (values and len(values) + len(vals) <= 15):
            values.extend(vals)
        if len(values) >= 15:
            break
    values = values[-15:] if len(values) >= 15 else values
    for n, cell in enumerate(values):
        proceeding = T.PROCEEDING_CODES[n // 5]
        outcome = outcomes[n % 5]
        try:
            v = parse_count(cell.text)
        except ValueError:
            continue
        report.review_litigation.setdefault(proceeding, {})[outcome] = v
        report.provenance[f"review_litigation.{proceeding}.{outcome}"] = cell.loc
    report.review_litigation = {
        p: {o: report.review_litigation[p][o] for o in T.OUTCOME_CODES if o in report.review_litigation[p]}
        for p in T.PROCEEDING_CODES
        if p in report.review_litigation
    }


# ----------------------------------------------------------------------------- text
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


# ----------------------------------------------------------------------------- assembly
def decide_template(rows: dict[str, list[Row]], shown_by_t3: str | None) -> str:
    """v2019 or v2021 from the tables' own labels (table 2's measures, table 3's 其他处理 rows)."""
    blob = norm_label("".join(c.text for r in rows.get("proactive", []) for c in r if c is not None))
    votes = {"v2019": 0, "v2021": 0}
    # table 2's measures define the template; table 3's 其他处理 rows only break a tie (some v2021
    # reports still print the v2019 single （六）其他处理 row)
    if any(k in blob for k in ("新制作", "新公开", "采购", "上一年项目")):
        votes["v2019"] += 2
    if any(k in blob for k in ("制发", "废止", "现行有效", "收费金额")):
        votes["v2021"] += 2
    if shown_by_t3:
        votes[shown_by_t3] += 1
    if votes["v2019"] == votes["v2021"]:
        raise ExtractError("tables_not_found", "cannot tell the template version from the tables' labels")
    return max(votes, key=lambda k: votes[k])


def build_report(doc: ParsedDocument) -> Report:
    """The canonical record of a parsed document, or ExtractError naming what is missing."""
    agency, year = read_title(doc.text)
    sections = group_sections(doc)
    missing = [name for name in T.TABLE_NAMES if name not in sections]
    if len(missing) == 3:
        if "政府信息公开" not in doc.text:
            raise ExtractError("not_a_report", "no 政府信息公开 report text in the document")
        raise ExtractError("tables_not_found", "none of tables 2, 3, 4 was found")
    if missing:
        raise ExtractError(
            "tables_not_found", "missing " + ", ".join(f"{m} ({T.TABLE_LABELS[m]})" for m in missing)
        )
    # table 3 is read once; its rows (with table 2's labels) then decide the template
    report = Report(agency=agency, year=year, template="v2021", format=doc.format)
    report.reading.details = dict(doc.reading)
    template = decide_template(sections, read_applications(sections["applications"], report))
    report.template = template
    read_proactive(sections["proactive"], template, report)
    valid_rows = set(T.application_row_codes(template))
    for extra in [r for r in report.applications if r not in valid_rows]:
        report.warnings.append({"kind": "row_not_in_template", "row": extra, "template": template})
        del report.applications[extra]
    report.applications = {
        r: report.applications[r] for r in T.application_row_codes(template) if r in report.applications
    }
    read_review_litigation(sections["review_litigation"], report)
    if template == "v2021":
        fees, raw = read_fees(doc.text)
        report.processing_fees_yuan = fees
        if raw is not None:
            report.provenance["processing_fees_yuan"] = doc.text_locations.get("fees", Location(raw=raw))
    report.narrative = read_narrative(doc.text)
    lo, hi = T.TEMPLATE_YEARS[template]
    if not lo <= year <= hi:
        report.warnings.append({"kind": "template_year", "template": template, "year": year})
    return report
