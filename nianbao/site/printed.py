"""A report's three tables as the template prints them: headings, labels and merged cells.

Each table becomes a `Grid`: rows of `Cell`s with their spans, each value cell carrying its canonical
reference (`applications.granted.total`) and value, so a page can flag the cells a finding names and a test
can read every number back. Every label and heading is the template's own, from `nianbao.pipeline.tables`;
the only thing taken from the warehouse is which family each table 3 row belongs to (`curated.dim_code`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from markupsafe import Markup, escape

from nianbao.pipeline import tables as T

Values = Mapping[str, Mapping[str, Any]]  # row code → column code → value (a record's table, or a rollup's)


@dataclass
class Cell:
    """One printed cell: a label or heading (`head`), or a value with its reference."""

    text: str
    rowspan: int = 1
    colspan: int = 1
    head: bool = False
    ref: str | None = None  # table.row.column of a value cell
    value: Any = None  # the canonical value (JSON-able): 件, yuan for money, signed for change
    scale: int = 1  # the value is printed divided by this (money under a 万元 heading)
    flag: str = ""  # why the cell is highlighted (the checks that name it), empty when it is not


@dataclass
class Grid:
    """One table: its title and rows of cells (a cell covered by a merge is simply absent)."""

    table: str
    title: str
    rows: list[list[Cell]] = field(default_factory=list)

    def cells(self) -> list[Cell]:
        """Every cell, row by row."""
        return [c for row in self.rows for c in row]


def shown(value: Any, scale: int = 1) -> str:
    """A canonical value as printed: counts as integers, money in the unit of its heading, None as —."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int) and scale == 1:
        return str(value)
    d = Decimal(str(value)) / scale
    text = format(d.normalize(), "f") if d == d.to_integral_value() else format(d, "f").rstrip("0")
    return text.rstrip(".") if "." in text else text


def _value(table: str, row: str, col: str, values: Values, scale: int = 1) -> Cell:
    v = (values.get(row) or {}).get(col)
    return Cell(shown(v, scale), ref=f"{table}.{row}.{col}", value=v, scale=scale)


def _spread(cells: list[Cell], width: int) -> list[Cell]:
    """Cells filling `width` columns: the last one spans what is left (a section with fewer measures)."""
    if cells:
        cells[-1].colspan = width - (len(cells) - 1)
    return cells


def unit_scale(label: str) -> int:
    """10000 when the heading prints the amount in 万元 (values are stored in yuan)."""
    return 10000 if "万元" in label else 1


def proactive(template: str, values: Values) -> Grid:
    """Table 2: one sub-table per 第二十条 heading, its items by its measures."""
    layout = T.PROACTIVE_LAYOUT[template]
    items = {c.code: c.label for c in T.PROACTIVE_ITEMS[template]}
    measures = {c.code: c.label for c in T.PROACTIVE_MEASURES[template]}
    width = 1 + max(len(ms) for ms in layout.values())
    grid = Grid("proactive", T.TABLE_LABELS["proactive"])
    for heading, codes in T.PROACTIVE_SECTIONS:
        present = [c for c in codes if c in layout]
        if not present:
            continue
        grid.rows.append([Cell(heading, colspan=width, head=True)])
        heads = [Cell(measures[m], head=True) for m in layout[present[0]]]
        grid.rows.append([Cell(T.PROACTIVE_ITEM_HEADER, head=True), *_spread(heads, width - 1)])
        for item in present:
            cells = [_value("proactive", item, m, values, unit_scale(measures[m])) for m in layout[item]]
            grid.rows.append([Cell(items[item], head=True), *_spread(cells, width - 1)])
    return grid


def applications(template: str, values: Values, families: Mapping[str, str]) -> Grid:
    """Table 3: the two-row applicant header, and the rows under their printed groups.

    `families` maps each row code to its outcome family (curated.dim_code.group_code): the rows of a
    family with more than one row hang under the family's printed label.
    """
    applicants = T.APPLICANTS
    grid = Grid("applications", T.TABLE_LABELS["applications"])
    parts = [c for c in applicants if c.code not in ("natural_person", "total")]
    grid.rows.append(
        [
            Cell(T.APPLICATIONS_IDENTITY, rowspan=3, colspan=3, head=True),
            Cell(T.APPLICANT_HEADER, colspan=len(applicants), head=True),
        ]
    )
    grid.rows.append(
        [
            Cell(applicants[0].label, rowspan=2, head=True),
            Cell(T.APPLICANT_GROUP, colspan=len(parts), head=True),
            Cell(applicants[-1].label, rowspan=2, head=True),
        ]
    )
    grid.rows.append([Cell(c.label, head=True) for c in parts])
    rows = T.APPLICATION_ROWS[template]
    outcome = [c.code for c in rows if c.code in T.OUTCOME_ROWS[template] or c.code == "handled_total"]
    size: dict[str, int] = {}
    for code in outcome:
        size[families.get(code, code)] = size.get(families.get(code, code), 0) + 1
    seen: set[str] = set()
    for c in rows:
        label: list[Cell] = []
        if c.code not in outcome:
            label.append(Cell(c.label, colspan=3, head=True))
        else:
            if c.code == outcome[0]:
                label.append(Cell(T.APPLICATION_GROUPS["outcomes"], rowspan=len(outcome), head=True))
            family = families.get(c.code, c.code)
            if size[family] > 1 and family in T.APPLICATION_GROUPS:
                if family not in seen:
                    label.append(Cell(T.APPLICATION_GROUPS[family], rowspan=size[family], head=True))
                label.append(Cell(c.label, head=True))
            else:
                label.append(Cell(c.label, colspan=2, head=True))
            seen.add(family)
        grid.rows.append([*label, *(_value("applications", c.code, a.code, values) for a in applicants)])
    return grid


def review_litigation(values: Values) -> Grid:
    """Table 4: 行政复议 and 行政诉讼 (direct, after review) over their outcomes, one row of values."""
    review, *litigation = T.PROCEEDINGS
    width = len(T.OUTCOMES)
    grid = Grid("review_litigation", T.TABLE_LABELS["review_litigation"])
    grid.rows.append(
        [
            Cell(review.label, rowspan=2, colspan=width, head=True),
            Cell(T.LITIGATION_GROUP, colspan=width * len(litigation), head=True),
        ]
    )
    # 行政诉讼·未经复议直接起诉: the part after the group's name is what its own header cell prints
    grid.rows.append([Cell(p.label.split("·")[-1], colspan=width, head=True) for p in litigation])
    grid.rows.append([Cell(o.label, head=True) for _ in T.PROCEEDINGS for o in T.OUTCOMES])
    grid.rows.append(
        [_value("review_litigation", p.code, o.code, values) for p in T.PROCEEDINGS for o in T.OUTCOMES]
    )
    return grid


def printed_tables(
    template: str,
    tables: Mapping[str, Values],
    families: Mapping[str, str],
    flags: Mapping[str, str] | None = None,
) -> list[Grid]:
    """Tables 2, 3 and 4 of a report (or of a rollup) as printed, cells named in `flags` flagged."""
    grids = [
        proactive(template, tables.get("proactive") or {}),
        applications(template, tables.get("applications") or {}, families),
        review_litigation(tables.get("review_litigation") or {}),
    ]
    for grid in grids:
        for cell in grid.cells():
            if cell.ref and flags and cell.ref in flags:
                cell.flag = flags[cell.ref]
    return grids


def grid_html(grid: Grid, year: int | None = None) -> Markup:
    """A grid as the site's `<table class="printed">`, every text escaped; value cells carry `data-year`
    and `data-cell` (and `data-scale`) when `year` is given, for the page's script.

    Written out here rather than as a template macro: an agency page prints three of these a year, ~200
    cells each, and the macro's per-cell attribute lookups and escapes were half of a site's build.
    """
    out = ['<table class="printed">\n<caption>', escape(grid.title), "</caption>\n"]
    for row in grid.rows:
        out.append("<tr>")
        for c in row:
            tag = "th" if c.head else "td"
            out.append("<" + tag)
            if c.rowspan > 1:
                out.append(f' rowspan="{c.rowspan}"')
            if c.colspan > 1:
                out.append(f' colspan="{c.colspan}"')
            if c.ref and year:
                out.append(f' data-year="{escape(year)}" data-cell="{escape(c.ref)}"')
                if c.scale > 1:
                    out.append(f' data-scale="{c.scale}"')
            if c.flag:
                out.append(f' class="flag" title="{escape(c.flag)}"')
            out.append(f">{escape(c.text)}</{tag}>")
        out.append("</tr>\n")
    out.append("</table>\n")
    return Markup("".join(out))
