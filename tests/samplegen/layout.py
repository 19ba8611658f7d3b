"""A report as printed, independent of format: title, sections of text, and the three tables as spanned grids.

Every renderer (HTML, PDF, DOCX) draws these same grids, so the quirks of number formatting and table
shape are decided once here and recorded as `Style`.
"""

from __future__ import annotations

import dataclasses
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from nianbao.pipeline import tables as T
from nianbao.pipeline.model import Report

_FULLWIDTH = str.maketrans("0123456789,.-+", "０１２３４５６７８９，．－＋")
# table 2's sub-tables: which 第二十条 item each canonical item sits under (the template's layout)
_ARTICLE_ITEM = {
    "rules": "一",
    "normative_documents": "一",
    "licensing": "五",
    "other_services": "五",
    "penalty": "六",
    "coercion": "六",
    "fees": "八",
    "procurement": "九",
}
# table 3's label groups, by row-code prefix
_T3_GROUPS = {
    "denied": "（三）不予公开",
    "unavailable": "（四）无法提供",
    "rejected": "（五）不予处理",
    "other": "（六）其他处理",
}
T3_BALANCE_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
SECTION_TITLES = {
    "一": "一、总体情况",
    "二": "二、主动公开政府信息情况",
    "三": "三、收到和处理政府信息公开申请情况",
    "四": "四、政府信息公开行政复议、行政诉讼情况",
    "五": "五、存在的主要问题及改进情况",
    "六": "六、其他需要报告的事项",
}
# (kind, value) → printed text, kind being count | change | amount (a Decimal in yuan)
NumberForm = Callable[[str, Any], str]


@dataclass
class Style:
    """The printing quirks of one rendered report."""

    fullwidth: bool = False  # digits printed full-width
    thousands: bool = False  # 1,234
    signed_change: bool = False  # +231 / -28 rather than 增加 231 / 减少 28
    total_first: bool = False  # table 3's 总计 column before 自然人
    repeat_labels: bool = False  # table 3's group labels repeated in every row instead of merged
    dash_zero: bool = False  # table 4's zeros printed as —
    bare_amount: bool = False  # 1270084.40 rather than 1270084.40元 in table 2's money cell
    # quirks only the format fixtures print (tests/files/): the city leaves them off
    numbers: NumberForm | None = None  # the document's own way of printing every value (overrides the above)
    # header labels broken over two lines: 本年新\n制作数量, 商业\n企业, 结果\n维持
    label_breaks: bool = False
    yuan_label: bool = False  # v2019's money column headed 采购总金额（元）
    # quirks only the development corpus prints (tests/files/corpus/)
    column_order: tuple[str, ...] | None = None  # table 3's applicant columns in this order (总计 anywhere;
    # the five 法人或其他组织 columns kept side by side under their spanning header)
    other_handling_row: bool = (
        False  # a v2021 table 3 printing v2019's single （六）其他处理 row (the three rows' sum)
    )
    labels: dict[str, str] = field(
        default_factory=dict
    )  # "table.code" → the label printed instead of the template's
    wrap_rows: tuple[str, ...] = ()  # table 3 row codes whose label is broken over two lines
    first_only_groups: bool = (
        False  # table 3's group labels in unmerged cells: text in the first, the rest empty
    )
    note: str | None = None  # table 3's top-left cell instead of the 勾稽关系 reminder ("" = an empty cell)

    def tags(self) -> list[str]:
        """Names of the quirks that are switched on (for the truth manifest)."""
        defaults = Style()
        return sorted(k for k, v in vars(self).items() if v != getattr(defaults, k))


@dataclass
class Cell:
    """One printed cell: text, spans, and whether it is a header/label cell."""

    text: str
    rowspan: int = 1
    colspan: int = 1
    header: bool = False


Grid = list[list[Cell]]  # each row lists only the cells that start in it (HTML's model)

# a value cell's text: a count, a change (增加 3) or an amount (half- or full-width digits), or a zero printed otherwise
_VALUE = re.compile(r"^(?:(?:增加|减少)?\s*[\d０-９][\d０-９,，.．]*|—|-|/|无)$")
# the header rows of a table, where a table has rows every renderer treats as its header
HEADER_ROWS = {"applications": 3}


@dataclass(frozen=True)
class CellAlign:
    """Where text sits in a table's cells, as a word processor's user leaves it: every producer draws it its
    own way (reportlab by position, Word's paragraph and cell alignment for LibreOffice, CSS for Chromium).
    The header rows stay in the middle of their cells; `valign` is the body rows'."""

    label: str = "center"  # center | left
    value: str = "center"  # center | left | right
    valign: str = "middle"  # middle | top
    header: str = "center"  # center | left (the header rows' cells)

    def horizontal(self, text: str, header: bool) -> str:
        """A cell's horizontal alignment: the header's, a value's or a label's."""
        return self.header if header else self.value if _VALUE.match(text) else self.label

    def vertical(self, header: bool) -> str:
        """A cell's vertical alignment: top or middle."""
        return "middle" if header else self.valign


def place(grid: Grid) -> list[tuple[int, int, int, int, str]]:
    """Spanned grid → (row, col, rowspan, colspan, text) with absolute column indexes."""
    taken: set[tuple[int, int]] = set()
    out = []
    for r, row in enumerate(grid):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            out.append((r, c, cell.rowspan, cell.colspan, cell.text))
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, c + dc))
            c += cell.colspan
    return out


def split_grid(grid: Grid, at: int) -> tuple[Grid, Grid]:
    """Cut a grid before row `at`, as a page break in an exported document does: spans above are clipped."""
    first = [
        [dataclasses.replace(c, rowspan=min(c.rowspan, at - r)) for c in row]
        for r, row in enumerate(grid[:at])
    ]
    return first, grid[at:]


def from_placed(placed: list[tuple[int, int, int, int, str, bool]]) -> Grid:
    """(row, col, rowspan, colspan, text, header) cells back into a grid (each row lists the cells starting in it)."""
    nrows = max(r + rs for r, _c, rs, _cs, _t, _h in placed)
    grid: Grid = [[] for _ in range(nrows)]
    for r, _c, rs, cs, text, header in sorted(placed, key=lambda x: (x[0], x[1])):
        grid[r].append(Cell(text, rowspan=rs, colspan=cs, header=header))
    return grid


def transpose(grid: Grid) -> Grid:
    """The grid turned over its diagonal: rows become columns (a table 3 printed with applicants as rows)."""
    placed = place(grid)
    flags = [cell.header for row in grid for cell in row]
    return from_placed([(c, r, cs, rs, t, h) for (r, c, rs, cs, t), h in zip(placed, flags, strict=True)])


def split_grid_columns(grid: Grid, at: int, cut: bool = False, head: int = 0) -> tuple[Grid, Grid]:
    """Cut a grid before row `at` keeping every column on both sides, as a table broken by a page prints:
    a merged cell running over the break goes on below as an empty cell (or with the second half of its
    text when `cut`); the first `head` rows are printed again above the continuation."""
    placed = place(grid)
    flags = [cell.header for row in grid for cell in row]
    first: list[tuple[int, int, int, int, str, bool]] = []
    second: list[tuple[int, int, int, int, str, bool]] = []
    for (r, c, rs, cs, text), h in zip(placed, flags, strict=True):
        if r >= at:
            second.append((r - at + head, c, rs, cs, text, h))
        elif r + rs > at:
            half = len(text) // 2
            first.append((r, c, at - r, cs, text[:half] if cut else text, h))
            second.append((head, c, r + rs - at, cs, text[half:] if cut else "", h))
        else:
            first.append((r, c, rs, cs, text, h))
            if r < head:
                second.append((r, c, rs, cs, text, h))
    return from_placed(first), from_placed(second)


@dataclass
class Printed:
    """What a renderer draws: title, then blocks of ('h', text) / ('p', text) / ('table', key, grid)."""

    title: str
    blocks: list[tuple[Any, ...]] = field(default_factory=list)
    table_widths: dict[str, list[float]] = field(default_factory=dict)


def fmt_count(n: int, style: Style) -> str:
    """A count as printed under the style."""
    s = f"{n:,}" if style.thousands else str(n)
    return s.translate(_FULLWIDTH) if style.fullwidth else s


def fmt_change(n: int, style: Style) -> str:
    """A signed change as printed: 增加 231 / 减少 28 / 0, or +231 / -28."""
    if n == 0:
        s = "0"
    elif not style.signed_change:
        s = f"{'增加' if n > 0 else '减少'} {abs(n)}"
    else:
        s = f"{n:+d}"
    return s.translate(_FULLWIDTH) if style.fullwidth else s


def fmt_money(v: Decimal, unit: str, style: Style) -> str:
    """Money in yuan printed in the column's unit (元 or 万元), exactly."""
    if not isinstance(v, Decimal):
        v = Decimal(str(v))
    if unit == "万元":
        q = (v / 10000).normalize()
        s = f"{q:f}"
        return s.translate(_FULLWIDTH) if style.fullwidth else s
    s = f"{v:,.2f}" if style.thousands else f"{v:.2f}"
    if v == 0:
        s = "0"
    if style.fullwidth:
        s = s.translate(_FULLWIDTH)
    return f"{s}元" if not style.bare_amount and v != 0 else s


def printed_label(style: Style, table: str, code: str, template: str) -> str:
    """A code's label as this document prints it: the template's, or the style's own (a synonym, spaced, …)."""
    return style.labels.get(f"{table}.{code}", T.label_of(table, code, template))


def _halves(label: str) -> str:
    """A label broken in the middle (after its numbering when that is the first half)."""
    half = len(label) // 2
    return label[:half] + "\n" + label[half:]


def _two_lines(label: str, style: Style, wanted: bool) -> str:
    """A header label broken in the middle when the style breaks labels (and this one is long enough)."""
    if not (style.label_breaks and wanted):
        return label
    half = len(label) // 2
    return label[:half] + "\n" + label[half:]


# ----------------------------------------------------------------------------- the three tables
def proactive_grid(report: Report, style: Style) -> Grid:
    """Table 2 as the template lays it out: a 第二十条 heading row, a measure header row, item rows."""
    layout = T.PROACTIVE_LAYOUT[report.template]
    grid: Grid = []
    article = None
    for item, measures in layout.items():
        if _ARTICLE_ITEM[item] != article:
            article = _ARTICLE_ITEM[item]
            grid.append([Cell(f"第二十条第（{article}）项", colspan=4, header=True)])
            head = [Cell("信息内容", header=True)]
            for m in measures:
                label = printed_label(style, "proactive", m, report.template)
                if style.yuan_label and label == "采购总金额":
                    label += "（元）"
                label = _two_lines(label, style, len(label) > 4 and "（" not in label)
                head.append(Cell(label, header=True))
            if len(measures) < 3:
                head[-1].colspan = 4 - len(measures)
            grid.append(head)
        row = [Cell(printed_label(style, "proactive", item, report.template), header=True)]
        for m in measures:
            v = report.proactive[item][m]
            if style.numbers:
                kind = "amount" if m in T.MONEY_MEASURES else "change" if m in T.SIGNED_MEASURES else "count"
                row.append(Cell(style.numbers(kind, Decimal(v) if kind == "amount" else v)))
            elif m in T.MONEY_MEASURES:
                unit = "万元" if "万元" in T.label_of("proactive", m, report.template) else "元"
                row.append(Cell(fmt_money(Decimal(v), unit, style)))
            elif m in T.SIGNED_MEASURES:
                row.append(Cell(fmt_change(int(v), style)))
            else:
                row.append(Cell(fmt_count(int(v), style)))
        if len(measures) < 3:
            row[-1].colspan = 4 - len(measures)
        grid.append(row)
    return grid


def _count(n: int, style: Style) -> str:
    return style.numbers("count", n) if style.numbers else fmt_count(n, style)


def _group_of(row: str, template: str) -> str | None:
    prefix = row.split("_", 1)[0]
    if prefix == "other" and template == "v2019":
        return None
    return prefix if prefix in _T3_GROUPS else None


def _applicant_order(style: Style) -> list[str]:
    """Table 3's applicant columns left to right."""
    if style.column_order:
        order = list(style.column_order)
        orgs = [i for i, a in enumerate(order) if a in T.APPLICANT_PARTS[1:]]
        if sorted(order) != sorted(T.APPLICANT_CODES) or orgs != list(range(orgs[0], orgs[0] + 5)):
            raise ValueError(f"not a table 3 column order: {order}")
        return order
    return ["total", *T.APPLICANT_PARTS] if style.total_first else list(T.APPLICANT_CODES)


def t3_rows(report: Report, style: Style) -> list[str]:
    """Table 3's printed rows: the template's, or v2019's single 其他处理 row in a v2021 table."""
    rows = list(T.application_row_codes(report.template))
    if style.other_handling_row and report.template == "v2021":
        at = rows.index("other_no_correction")
        rows[at : at + 3] = ["other_handling"]
    return rows


def t3_value(report: Report, row: str, applicant: str) -> int:
    """A table 3 value as printed: v2019's 其他处理 row in a v2021 report is the three rows' sum."""
    if row == "other_handling" and report.template == "v2021":
        return sum(
            report.applications[r][applicant]
            for r in ("other_no_correction", "other_fee_unpaid", "other_misc")
        )
    return int(report.applications[row][applicant])


def applications_grid(report: Report, style: Style) -> Grid:
    """Table 3: header two rows deep under the 勾稽关系 note, label columns merged (or repeated)."""
    order = _applicant_order(style)
    template = report.template
    lab = style.labels.get
    note = T3_BALANCE_NOTE if style.note is None else style.note
    grid: Grid = [
        [
            Cell(note, rowspan=3, colspan=3, header=True),
            Cell(lab("applications.header.applicants", "申请人情况"), colspan=7, header=True),
        ]
    ]
    second: list[Cell] = []
    for a in order:
        if a == "natural_person" or a == "total":
            second.append(Cell(printed_label(style, "applications", a, template), rowspan=2, header=True))
        elif a == order[[x in T.APPLICANT_PARTS[1:] for x in order].index(True)]:
            second.append(Cell(lab("applications.header.org", "法人或其他组织"), colspan=5, header=True))
    grid.append(second)
    parts = [printed_label(style, "applications", a, template) for a in order if a in T.APPLICANT_PARTS[1:]]
    grid.append([Cell(_two_lines(p, style, len(p) == 4), header=True) for p in parts])
    rows = t3_rows(report, style)
    mixed = "other_handling" in rows and template == "v2021"
    outcomes = [r for r in rows if r not in {"received_new", "carried_in", "handled_total", "carried_out"}]
    outcomes_label = lab("applications.group.outcomes", "三、本年度办理结果")
    seen_groups: set[str] = set()
    for r in rows:
        label = printed_label(style, "applications", r, "v2019" if r == "other_handling" else template)
        if r in style.wrap_rows:
            label = _halves(label)
        line: list[Cell] = []
        if r in {"received_new", "carried_in", "carried_out"}:
            line.append(Cell(label, colspan=3, header=True))
        else:
            if style.repeat_labels:
                line.append(Cell(outcomes_label, header=True))
            elif style.first_only_groups:
                line.append(Cell(outcomes_label if r == outcomes[0] else "", header=True))
            elif r == outcomes[0]:
                line.append(Cell(outcomes_label, rowspan=len(outcomes) + 1, header=True))
            group = None if mixed and r == "other_handling" else _group_of(r, template)
            if group is None:
                line.append(Cell(label, colspan=2, header=True))
            else:
                members = [x for x in outcomes if _group_of(x, template) == group]
                group_label = lab(f"applications.group.{group}", _T3_GROUPS[group])
                if style.repeat_labels:
                    line.append(Cell(group_label, header=True))
                elif style.first_only_groups:
                    line.append(Cell(group_label if group not in seen_groups else "", header=True))
                elif group not in seen_groups:
                    line.append(Cell(group_label, rowspan=len(members), header=True))
                seen_groups.add(group)
                line.append(Cell(label, header=True))
        line += [Cell(_count(t3_value(report, r, a), style)) for a in order]
        grid.append(line)
    return grid


def review_grid(report: Report, style: Style) -> Grid:
    """Table 4: header three rows deep (行政复议 | 行政诉讼 → 直接起诉 | 复议后起诉 → outcomes), one value row."""
    outcome_labels = [printed_label(style, "review_litigation", o, report.template) for o in T.OUTCOME_CODES]
    outcome_labels = [_two_lines(o, style, len(o) == 4) for o in outcome_labels]
    grid: Grid = [
        [Cell("行政复议", colspan=5, header=True), Cell("行政诉讼", colspan=10, header=True)],
        [Cell(o, rowspan=2, header=True) for o in outcome_labels]
        + [Cell("未经复议直接起诉", colspan=5, header=True), Cell("复议后起诉", colspan=5, header=True)],
        [Cell(o, header=True) for o in outcome_labels * 2],
    ]
    values = []
    for p in T.PROCEEDING_CODES:
        for o in T.OUTCOME_CODES:
            v = report.review_litigation[p][o]
            values.append(Cell("—" if style.dash_zero and v == 0 else _count(v, style)))
    grid.append(values)
    return grid


# ----------------------------------------------------------------------------- narrative
_OPENINGS = (
    "{year}年，{short}深入贯彻落实《中华人民共和国政府信息公开条例》，紧紧围绕中心工作和公众关切，"
    "依法、及时、准确公开政府信息，持续提升政务公开质效。",
    "{year}年，{short}坚持以公开为常态、不公开为例外，健全政务公开工作机制，"
    "不断深化重点领域信息公开，切实保障人民群众的知情权、参与权、表达权和监督权。",
)
_WORK = (
    "（一）主动公开。全年通过门户网站主动公开政府信息{posts}条，及时发布政策文件、工作动态和重点领域信息，"
    "同步做好政策解读{interp}篇。",
    "（二）依申请公开。{applications}严格按照法定时限和程序答复，答复文书规范统一。",
    "（三）政府信息管理。健全信息发布审查机制，动态更新政府信息公开指南和主动公开目录。",
    "（四）平台建设。加强政府网站和政务新媒体管理，确保平台安全平稳运行。",
    "（五）监督保障。将政务公开工作纳入年度考核，组织开展业务培训{training}次。",
)
_PROBLEMS = (
    "{year}年工作中仍存在一些不足：一是政策解读的形式还不够丰富；二是依申请公开答复的规范化水平有待提升。"
    "下一步，将持续加强业务培训，完善工作机制，推动政务公开工作提质增效。"
)


def short_name(agency: str) -> str:
    """'杭州市应急管理局' → '市应急管理局', '杭州市西湖区人民政府' → '西湖区政府'."""
    s = agency.removeprefix("杭州市")
    if s == "人民政府":
        return "市政府"
    return s.replace("人民政府", "政府") if s.endswith("人民政府") else "市" + s


def narrative(report: Report, claims: dict[str, int], rng: random.Random) -> dict[str, list[str]]:
    """Section texts: 一 (states the totals of `claims`), 五, 六 (fees sentence under v2021)."""
    short = short_name(report.agency)
    received = claims["applications_received"]
    apps = f"全年共收到政府信息公开申请{received}件，均在法定期限内办结。"
    if "review" in claims:
        apps += f"因政府信息公开被申请行政复议{claims['review']}件，被提起行政诉讼{claims['litigation']}件。"
    else:
        apps += "全年未发生因政府信息公开引起的行政复议、行政诉讼案件。"
    one = [_OPENINGS[rng.randrange(len(_OPENINGS))].format(year=report.year, short=short)]
    one += [
        w.format(
            posts=rng.randint(300, 6000),
            interp=rng.randint(2, 40),
            applications=apps,
            training=rng.randint(1, 8),
        )
        for w in _WORK
    ]
    five = [_PROBLEMS.format(year=report.year)]
    if report.template == "v2021":
        fees = report.processing_fees_yuan or Decimal(0)
        six = [
            "本年度未收取信息处理费。" if fees == 0 else f"本年度共收取信息处理费{fees}元。",
            "本机关无其他需要报告的事项。",
        ]
    else:
        six = ["无。"]
    return {"一": one, "五": five, "六": six}


def assemble(
    title: str,
    paragraphs: dict[str, list[str]],
    tables: dict[str, list[tuple[str, Grid]]],
    lead: list[str] | None = None,
) -> Printed:
    """Title, then the six sections in the template's order: heading, paragraphs, tables (key, grid)."""
    out = Printed(title=title)
    out.blocks += [("p", p) for p in lead or []]
    for number, heading in SECTION_TITLES.items():
        out.blocks.append(("h", heading))
        out.blocks += [("p", p) for p in paragraphs.get(number, [])]
        out.blocks += [("table", key, grid) for key, grid in tables.get(number, [])]
    out.table_widths = {
        "proactive": [1.6, 1, 1, 1],
        "applications": [0.55, 0.75, 2.1, 0.62, 0.62, 0.62, 0.62, 0.62, 0.62, 0.62],
        "review_litigation": [1.0] * 15,
    }
    return out


def printed(report: Report, claims: dict[str, int], style: Style, rng: random.Random) -> Printed:
    """The whole report as blocks, in the six-section order of the template."""
    tables = {
        "二": [("proactive", proactive_grid(report, style))],
        "三": [("applications", applications_grid(report, style))],
        "四": [("review_litigation", review_grid(report, style))],
    }
    title = f"{report.agency}{report.year}年政府信息公开工作年度报告"
    return assemble(title, narrative(report, claims, rng), tables)
