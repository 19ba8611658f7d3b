"""An HTML or DOCX table re-drawn as printed, merged cells and all, the cells a finding names highlighted.

The cells and their positions are the reader's own (`parse_html`, `parse_docx`: the one definition of
what a location's table index and cell mean). A reader's grid puts each cell at its top-left position
and leaves None where a merge covers, which loses the merges' shape, so the spans are read again from
the source (`rowspan`/`colspan`; `gridSpan`/`vMerge`) and used only when they agree with every cell the
reader placed; otherwise each covered position is given to its neighbour (left in the same row, else
above), which draws most printed tables right.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from io import BytesIO
from typing import Any

from nianbao.site.printed import Cell, Grid

Spans = dict[tuple[int, int], tuple[int, int]]  # a cell's top-left position → (rowspan, colspan)
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _digits(value: str | None, limit: int) -> int:
    """A span attribute as the HTML reader takes it: its digits, between 1 and `limit`."""
    try:
        n = int(re.sub(r"[^0-9]", "", value or "1") or "1")
    except ValueError:
        n = 1
    return max(1, min(n, limit))


def html_spans(data: bytes, index: int) -> Spans:
    """The spans of the page's `index`-th <table>, placed as the HTML reader places its cells."""
    import lxml.html

    from nianbao.pipeline.extract.html import decode_html, table_rows

    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", decode_html(data))
    tables = list(lxml.html.document_fromstring(text).iter("table"))
    if index >= len(tables):
        return {}
    trs = table_rows(tables[index])
    taken: set[tuple[int, int]] = set()
    spans: Spans = {}
    for r, tr in enumerate(trs):
        col = 0
        for td in tr.xpath("./td | ./th"):
            while (r, col) in taken:
                col += 1
            rs, cs = _digits(td.get("rowspan"), len(trs) - r), _digits(td.get("colspan"), 1000)
            spans[(r, col)] = (rs, cs)
            taken |= {(r + dr, col + dc) for dr in range(rs) for dc in range(cs)}
            col += cs
    return spans


def _own(el: Any, tag: str, parent: str) -> list[Any]:
    """`el`'s descendants of `tag` whose nearest `parent` ancestor is `el` (not a nested table's)."""
    out = []
    for found in el.iter(W + tag):
        up = found.getparent()
        while up is not None and up.tag != W + parent:
            up = up.getparent()
        if up is el:
            out.append(found)
    return out


def docx_spans(data: bytes, index: int) -> Spans:
    """The spans of the document's `index`-th table (document order), from gridSpan and vMerge."""
    import docx

    tables = list(docx.Document(BytesIO(data)).element.body.iter(W + "tbl"))
    if index >= len(tables):
        return {}
    spans: dict[tuple[int, int], list[int]] = {}
    above: dict[int, tuple[int, int]] = {}  # column → the origin a vertical merge there continues
    for r, tr in enumerate(_own(tables[index], "tr", "tbl")):
        before = tr.find(f"{W}trPr/{W}gridBefore")
        col = int(before.get(W + "val", "0")) if before is not None else 0
        for tc in _own(tr, "tc", "tr"):
            span_el, merge_el = tc.find(f"{W}tcPr/{W}gridSpan"), tc.find(f"{W}tcPr/{W}vMerge")
            span = max(1, int(span_el.get(W + "val", "1"))) if span_el is not None else 1
            merge = None if merge_el is None else merge_el.get(W + "val", "continue")
            if merge is not None and merge != "restart" and col in above:
                origin = above[col]
                spans[origin][0] = r - origin[0] + 1
            else:
                spans[(r, col)] = [1, span]
                for c in range(col, col + span):
                    above[c] = (r, col)
            col += span
    return {k: (v[0], v[1]) for k, v in spans.items()}


def _guess(grid: list[list[Any]]) -> Spans:
    """Spans when the source's cannot be used: a covered position joins its left neighbour if that one
    starts in the same row, else the cell above."""
    owner: dict[tuple[int, int], tuple[int, int]] = {}
    last: dict[tuple[int, int], list[int]] = {}
    for r, row in enumerate(grid):
        for c, cell in enumerate(row):
            if cell is not None:
                owner[(r, c)] = (r, c)
                last[(r, c)] = [r, c]
                continue
            left, up = owner.get((r, c - 1)), owner.get((r - 1, c))
            origin = left if left is not None and left[0] == r else up if up is not None else left
            if origin is not None:
                owner[(r, c)] = origin
                last[origin] = [max(last[origin][0], r), max(last[origin][1], c)]
    return {o: (lr - o[0] + 1, lc - o[1] + 1) for o, (lr, lc) in last.items()}


def source_spans(fmt: str | None, data: bytes, index: int) -> Spans:
    """The table's spans as its source writes them ({} when they cannot be read)."""
    try:
        return docx_spans(data, index) if fmt == "docx" else html_spans(data, index)
    except Exception:  # a damaged document: the caller guesses the spans instead
        return {}


def redraw(
    rows: Iterable[list[Any]], hits: set[tuple[int, ...]], title: str, spans: Spans | None = None
) -> Grid:
    """A reader's table (its `rows` of cells, None where covered) as a printed Grid, cells at `hits` flagged."""
    grid = [list(r) for r in rows]
    placed = [
        (tuple(c.loc.cell), r, i) for r, row in enumerate(grid) for i, c in enumerate(row) if c is not None
    ]
    if spans and all(at in spans for at, _r, _i in placed):
        shape = {(r, i): spans[at] for at, r, i in placed}  # the source's spans, by the grid's own positions
    else:
        shape = _guess(grid)
    covered: set[tuple[int, int]] = set()
    for (r, c), (rs, cs) in shape.items():
        covered |= {(r + dr, c + dc) for dr in range(rs) for dc in range(cs)} - {(r, c)}
    out = Grid("", title)
    for r, row in enumerate(grid):
        cells: list[Cell] = []
        for c, cell in enumerate(row):
            if cell is None:
                if (r, c) not in covered:
                    cells.append(Cell(""))
                continue
            rs, cs = shape.get((r, c), (1, 1))
            at = tuple(cell.loc.cell) if cell.loc.cell else (r, c)
            cells.append(Cell(cell.text, rowspan=rs, colspan=cs, flag="cited" if at in hits else ""))
        out.rows.append(cells)
    return out
