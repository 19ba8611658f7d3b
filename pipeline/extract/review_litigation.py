"""Table 4 (政府信息公开行政复议、行政诉讼情况) → `report.review_litigation[proceeding][outcome]`.

The table is fifteen counts in one row (or a row cut in two by a page break): three proceedings of
five outcomes each, the outcomes in the order the header prints them.
"""

from __future__ import annotations

from dataclasses import replace

from nianbao.pipeline import tables as T
from nianbao.pipeline.extract.cells import Cell, Row, norm_label, split_row
from nianbao.pipeline.model import Report
from nianbao.pipeline.numbers import parse_count


def _outcome_order(rows: list[Row]) -> list[str]:
    """Outcome codes in printed column order, from the header; the template's order if unclear.

    A header line that names all five in five neighbouring columns gives their order. Otherwise the
    header's cells are taken by the column they sit in, leftmost first: where a header spreads one
    proceeding's outcomes over lines (总计 set lower than the others) or a group's heading was read joined
    to the outcome under it (复议后起诉 / 其他结果 → one cell, a line above the other outcomes; 行政复议 /
    结果维持 set flush left, the line under them then naming the other four and a later proceeding's
    结果维持, far right), the columns still say the order; reading the lines one after the other would not."""
    found: dict[str, tuple[int, int]] = {}  # outcome → (column, header line) where first seen
    for line, row in enumerate(_across_page_breaks(rows)):
        in_row: dict[str, int] = {}  # outcome → column, in the line's order
        for column, c in enumerate(row):
            if c is None:
                continue
            lab = norm_label(c.text)
            for o in T.OUTCOMES:
                hit = lab == o.label or (o.code != "total" and any(k in lab for k in o.keys))
                if hit and o.code not in in_row:
                    in_row[o.code] = column
                    found[o.code] = min(found.get(o.code, (column, line)), (column, line))
        columns = list(in_row.values())
        if len(in_row) == len(T.OUTCOMES) and max(columns) - min(columns) == len(T.OUTCOMES) - 1:
            return list(in_row)
    if len(found) == len(T.OUTCOMES):
        return sorted(found, key=lambda o: found[o])
    return list(T.OUTCOME_CODES)


def _across_page_breaks(rows: list[Row]) -> list[Row]:
    """The rows, and before the first row of each page a header goes on to, that row with each cell's text
    joined under the text of the cell in the same place on the row above (结果 | 其他 at one page's foot,
    维持 | 结果 at the next page's top: 结果维持 | 其他结果). Cells of rows from two pages have no common
    index (the two parts of a cut header are tables of different widths); their boxes line up."""
    out: list[Row] = []
    for k, row in enumerate(rows):
        upper = rows[k - 1] if k else []
        pages = {c.loc.page for c in upper if c is not None} | {c.loc.page for c in row if c is not None}
        if len(pages) == 2 and None not in pages:
            joined: Row = []
            for c in row:
                above = next(
                    (u for u in upper if u is not None and c is not None and _same_place(u, c)), None
                )
                joined.append(c if c is None or above is None else replace(c, text=above.text + c.text))
            out.append(joined)
        out.append(row)
    return out


def _same_place(a: Cell, b: Cell) -> bool:
    """Two cells spanning the same width across the page (within two points each side)."""
    if a.loc.bbox is None or b.loc.bbox is None:
        return False
    return abs(a.loc.bbox[0] - b.loc.bbox[0]) <= 2 and abs(a.loc.bbox[2] - b.loc.bbox[2]) <= 2


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
