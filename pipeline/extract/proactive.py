"""Table 2 (主动公开政府信息情况) → `report.proactive[item][measure]`, values as printed.

The table is several sub-tables (第二十条第（N）项), each with its own header of measures; a value
is read in the column of the nearest header above it.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from decimal import Decimal

from nianbao.pipeline import tables as T
from nianbao.pipeline.extract.cells import Row, match_code, norm_label, split_row
from nianbao.pipeline.model import Report
from nianbao.pipeline.numbers import normalize, parse_amount, parse_change, parse_count

Header = dict[int, tuple[str, str]]  # column index → (measure code, unit)


def _measure_header(row: Row, template_measures: tuple[T.Code, ...]) -> Header | None:
    """Column index → (measure code, unit) when the row is a measure header row."""
    found: Header = {}
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


def _joined(upper: Row, lower: Row) -> Row:
    """Two rows' cells joined column by column, the upper's text first (the lower's cells where the upper
    has none)."""
    out: Row = []
    for k in range(max(len(upper), len(lower))):
        a = upper[k] if k < len(upper) else None
        b = lower[k] if k < len(lower) else None
        out.append(b if a is None else a if b is None else replace(a, text=a.text + b.text))
    return out


def _value(text: str, code: str, unit: str) -> int | Decimal:
    """A printed table 2 value read by its measure's kind (money, signed change, count); ValueError if none."""
    if code in T.MONEY_MEASURES:
        return parse_amount(text, unit)
    if code in T.SIGNED_MEASURES:
        return parse_change(text)
    return parse_count(text)


def _items_named(label: str, items: tuple[T.Code, ...]) -> list[T.Code]:
    """The items a normalised label names, in printed order: one, or more where the rows of items that
    printed nothing (zeros left empty) were set so tight above a row printing values that their labels ran
    into its label (规章 / 行政规范性文件 6 1 218)."""
    found: list[tuple[int, T.Code]] = []
    rest = label
    while (code := match_code(rest, items)) is not None:
        key = max((k for k in code.keys if k and k in rest), key=len)
        at = rest.index(key)
        found.append((at, code))
        rest = rest[:at] + "\0" * len(key) + rest[at + len(key) :]
    return [c for _at, c in sorted(found, key=lambda f: f[0])]


def read_proactive(rows: list[Row], template: str, report: Report) -> None:
    """Fill `report.proactive` from table 2's rows, columns aligned by the nearest measure header."""
    measures = T.PROACTIVE_MEASURES[template]
    layout = T.PROACTIVE_LAYOUT[template]
    header: Header = {}
    in_header = False  # the row above was a header row too: a header set over two lines adds up
    # the lines of the header so far: rows printing no label, and measure header rows (a heading's first
    # line, 本年新, may sit above the line that names another column, 对外公开总数量, and its rest below)
    pieces: list[Row] = []
    for row in rows:
        labelled = bool(row and row[0] and row[0].text.strip())
        h = _measure_header(row, measures)
        pieces = [*pieces, row] if h or not labelled else []
        if h:
            header = {**header, **h} if in_header else h
            in_header = True
            continue
        if in_header and not labelled:
            # no label: the rest of headings wrapped over lines (本年新 / 制作数量), a table read from its
            # words' places giving each line a row; each column's pieces read as one heading
            wrapped = _measure_header(functools.reduce(_joined, pieces), measures) or {}
            if any(col not in header for col in wrapped):
                header = {**header, **{c: m for c, m in wrapped.items() if c not in header}}
                continue
        in_header = False
        label, _values, _idx = split_row(row)
        named = _items_named(norm_label(label), T.PROACTIVE_ITEMS[template])
        if not named or not header:
            continue
        item = named[-1]  # the row whose values these are; the items named before it printed nothing
        where = next(c.loc for c in row if c is not None)  # their empty cells: the label's place
        for empty in named[:-1]:
            if empty.code in report.proactive or empty.code == item.code:
                continue
            for code, _unit in header.values():
                if code in layout[empty.code]:
                    report.proactive.setdefault(empty.code, {})[code] = 0
                    report.provenance[f"proactive.{empty.code}.{code}"] = where
        cols = sorted(header)
        used: set[int] = set()  # the row's cells a measure has taken: none is read for two
        for n, col in enumerate(cols):
            code, unit = header[col]
            if code not in layout[item.code]:
                continue
            cell = row[col] if col < len(row) else None
            if cell is None:
                # a merged value cell under a one-measure header sits left of the header's column
                cands = [c for c in row[len(row) - len(cols) + n :] if c is not None]
                cell = cands[0] if cands else None
            if cell is None or id(cell) in used:
                continue
            used.add(id(cell))
            try:
                value = _value(cell.text, code, unit)
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
