"""Tables printed without ruling lines: rows and columns from where the words sit on the page.

Some producers set the tables as text positioned in columns, with no rules at all, and a table finder
that follows rules finds nothing. Here a page's characters become words and lines; a *data line* is one
that ends in numbers. Runs of data lines that print the same number of values define value columns (the
median x of each value's position); a row's label is the text left of the first column within the band
between its neighbours (so a label wrapped over two lines, or set beside its values' middle, stays with
its row); the lines just above a run are its header, each word put in the column under which it sits.
The result is the same `RawTable` a ruled table gives, so the table readers see no difference.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
import statistics
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from pdfplumber.utils.text import extract_words

from nianbao.pipeline.extract.cells import (
    GROUP_START,
    ROW_START,
    SUB_ROW_START,
    TOP_ROW_START,
    Cell,
    RawTable,
    Row,
)
from nianbao.pipeline.extract.glyphs import clean_text
from nianbao.pipeline.model import Location
from nianbao.pipeline.numbers import parse_amount, parse_change

_CHANGE_WORDS = ("增加", "减少", "新增", "增", "减")
_FOOTER = re.compile(r"^\s*([-—–－]\s*\d+\s*[-—–－]|第\s*\d+\s*页(\s*[/共]\s*\d+\s*页?)?|\d+\s*/\s*\d+)\s*$")


@dataclass(frozen=True)
class Word:
    """A word on a page: its text and box (top-left origin, points)."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    line: int | None = None  # the text line it came from, for a text document (no page)

    @property
    def x(self) -> float:
        """Horizontal centre."""
        return (self.x0 + self.x1) / 2

    @property
    def y(self) -> float:
        """Vertical centre."""
        return (self.top + self.bottom) / 2


def is_number(text: str) -> bool:
    """A value as table cells print them: a count, a signed change, an amount, or a zero mark."""
    for parse in (parse_change, parse_amount):
        try:
            parse(text)
            return True
        except ValueError:
            continue
    return False


# the first piece of a value wrapped after a thousands separator (1,1 / 14 in a narrow cell: 1,114)
_SEPARATED_PIECE = re.compile(r"\d{1,3}(?:,\d{3})*,\d{0,2}")


def _value_or_piece(text: str) -> bool:
    return is_number(text) or bool(_SEPARATED_PIECE.fullmatch(text))


def words(chars: Sequence[dict[str, Any]]) -> list[Word]:
    """The page's words (characters closer than about a third of their width run together)."""
    found = extract_words(list(chars), x_tolerance=1.5, y_tolerance=2, keep_blank_chars=False)
    return [Word(clean_text(w["text"]), w["x0"], w["x1"], w["top"], w["bottom"]) for w in found]


def lines(ws: list[Word]) -> list[list[Word]]:
    """Words grouped into lines by their vertical centres, each line left to right, lines top to bottom."""
    if not ws:
        return []
    height = statistics.median(w.bottom - w.top for w in ws) or 1.0
    out: list[list[Word]] = []
    for w in sorted(ws, key=lambda w: (w.y, w.x0)):
        if out and abs(statistics.fmean(v.y for v in out[-1]) - w.y) <= 0.45 * height:
            out[-1].append(w)
        else:
            out.append([w])
    return [sorted(line, key=lambda w: w.x0) for line in out]


_UNITS = ("万元", "元", "件", "个", "项", "条")


_BARE_NUMBER = re.compile(r"\d+|[一二三四五六七八九十]+")
_NUMBERING_MARK = re.compile(r"[.．、](?!\d)")


def _joined_changes(line: list[Word]) -> list[Word]:
    """'减少' and '28', or '1193083.07' and '元', set as two words are one value: '减少28', '1193083.07元';
    a row's number set apart from its mark, '1' and '．属于国家秘密' (a label respaced), is one label word
    that begins a row: '1．属于国家秘密'."""
    out: list[Word] = []
    for w in line:
        joins = out and (
            (out[-1].text in _CHANGE_WORDS and is_number(w.text))
            or (w.text in _UNITS and is_number(out[-1].text) and is_number(out[-1].text + w.text))
            or (
                _BARE_NUMBER.fullmatch(out[-1].text) is not None
                and _NUMBERING_MARK.match(w.text) is not None
                and w.x0 - out[-1].x1 < w.bottom - w.top
            )
        )
        if joins:
            prev = out.pop()
            w = Word(prev.text + w.text, prev.x0, w.x1, min(prev.top, w.top), max(prev.bottom, w.bottom))
        out.append(w)
    return out


@dataclass
class _Line:
    words: list[Word]
    values: list[Word]  # the trailing run of numbers

    @property
    def y(self) -> float:
        return statistics.fmean(w.y for w in self.words)

    @property
    def label(self) -> list[Word]:
        """The words that are not its values."""
        return [w for w in self.words if w not in self.values]


def _split(line: list[Word]) -> _Line:
    """A line and the numbers it ends with (a data line when there are any; a page number is none)."""
    ws = _joined_changes(line)
    if _FOOTER.match(" ".join(w.text for w in ws)):
        return _Line(ws, [])
    k = len(ws)
    while k and _value_or_piece(ws[k - 1].text):
        k -= 1
    return _Line(ws, ws[k:])


def _cell(ws: list[Word], page: int) -> Cell:
    """One cell of words: a label set in sub-columns (a group's label beside its rows') reads column by column;
    words closer than most of a character (a letter-spaced 社 会 公 益) are one sub-column."""
    text = "".join(w.text for c in _subcolumns(ws) for line in lines(c) for w in line)
    box = (min(w.x0 for w in ws), min(w.top for w in ws), max(w.x1 for w in ws), max(w.bottom for w in ws))
    raw = " ".join(w.text for w in ws)
    if page == 0:  # a text document: where it is, is its line
        first = min(ws, key=lambda w: (w.top, w.x0))
        return Cell(text, Location(raw=raw, line=first.line, cell=(first.line or 0, int(first.x0))), box[0])
    return Cell(text, Location(raw=raw, page=page, bbox=box), box[0])


def _anchors(ls: list[_Line], data: list[int], n: int) -> list[float]:
    """The value columns' centres: the median place of each value on the lines that print `n`."""
    full = [i for i in data if len(ls[i].values) == n]
    return [statistics.median(ls[i].values[j].x for i in full) for j in range(n)]


def _groups(ls: list[_Line], runs: list[tuple[int, int]]) -> list[tuple[int, int, list[float] | None]]:
    """Runs that are one table, with its value columns (None: each run's own, by the values' order). Runs
    printing different numbers of values (a row's zeros printed as empty cells) are one table when nothing
    but label fragments stands between them and their values fall into columns: places that every line
    fills at most once."""
    out: list[tuple[int, int, list[float] | None]] = []
    for first, last in runs:
        if out and _fragments_only(ls, out[-1][1], first):
            columns = _value_columns(ls, out[-1][0], last)
            if columns is not None:
                out[-1] = (out[-1][0], last, columns)
                continue
        out.append((first, last, None))
    return out


def _fragments_only(ls: list[_Line], a: int, b: int) -> bool:
    """Between lines a and b, only label fragments: lines of at most three words printing no value, set left
    of the values above and below (a header line reaches over them)."""
    edge = min(v.x0 for line in (ls[a], ls[b]) for v in line.values) - 2
    labels = max(_label_end(ls[a], edge), _label_end(ls[b], edge))
    return all(not line.values and _fragment(line, edge, labels) for line in ls[a + 1 : b])


def _value_columns(ls: list[_Line], first: int, last: int) -> list[float] | None:
    """The centres of the value columns of lines first..last: the values' places, clustered (places closer
    than a character are one column) by their centres, or by their left or right edges when the values are
    set flush in their cells (values of different widths then share an edge, not a centre), whichever gives
    the fewest columns; None when a line prints two values in one column, or a label reaches into the
    columns."""
    run = ls[first : last + 1]
    values = [v for line in run for v in line.values]
    char = statistics.median(v.bottom - v.top for v in values)
    # a label may end just short of a value set flush left in its cell (a value's centre a character in)
    edge = min(v.x0 for v in values) - 0.25 * char
    if any(w.x1 > edge for line in run for w in line.words if w not in line.values):
        return None
    best: list[list[Word]] | None = None
    for place in (attrgetter("x"), attrgetter("x0"), attrgetter("x1")):  # centres, left edges, right edges
        clusters: list[list[Word]] = []
        for v in sorted(values, key=place):
            if clusters and place(v) - place(clusters[-1][-1]) <= char:
                clusters[-1].append(v)
            else:
                clusters.append([v])
        column = {id(v): k for k, c in enumerate(clusters) for v in c}
        apart = all(len({column[id(v)] for v in line.values}) == len(line.values) for line in run)
        if apart and (best is None or len(clusters) < len(best)):
            best = clusters
    return None if best is None else [statistics.median(v.x for v in c) for c in best]


def _subcolumns(ws: list[Word]) -> list[list[Word]]:
    """Words in side-by-side sub-columns, left to right (words closer than most of a character are one)."""
    clusters: list[list[Word]] = []
    near = 0.8 * statistics.median(w.bottom - w.top for w in ws) if ws else 0.0
    for w in sorted(ws, key=lambda w: w.x0):
        if clusters and w.x0 < max(v.x1 for v in clusters[-1]) + near:
            clusters[-1].append(w)
        else:
            clusters.append([w])
    return clusters


def _label_end(line: _Line, edge: float) -> float:
    """Where a data line's label ends (a line without one: where the values begin)."""
    return max((w.x1 for w in line.words if w not in line.values), default=edge)


def _fragment(line: _Line, edge: float, labels: float) -> bool:
    """A line of label fragments among data lines: at most three words left of the values, each beginning
    where the labels are (a header's heading begins out over the value columns; a label's piece does not).
    A label wrapped to the full width of its column may end within half a character of where the values
    begin (an OCR'd word's box is a little wider than its ink)."""
    char = statistics.median(w.bottom - w.top for w in line.words)
    return len(line.words) <= 3 and all(
        w.x1 < edge + 0.5 * char and w.x0 <= labels + char for w in line.words
    )


def _runs(ls: list[_Line]) -> list[tuple[int, int]]:
    """(first, last) line indices of each run of data lines printing the same number of values (label-only
    lines inside a run, such as a wrapped label's second line, do not end it; a header line does)."""
    runs: list[tuple[int, int]] = []
    start: int | None = None
    width = 0
    last = -1
    edge = 0.0  # where the current run's values begin
    labels = 0.0  # where its labels end
    for i, line in enumerate(ls):
        n = len(line.values)
        if n == 0:
            if start is not None and _fragment(line, edge, labels):
                continue  # a label fragment: a wrapped label's other line sits left of the values
            if start is not None:
                runs.append((start, last))
                start = None
            continue
        if start is not None and n != width:
            runs.append((start, last))
            start = None
        if start is None:
            start, width = i, n
            edge = min(w.x0 for w in line.values) - 2
            labels = -math.inf
        labels = max(labels, _label_end(line, edge))
        last = i
    if start is not None:
        runs.append((start, last))
    return runs


@dataclass(frozen=True)
class Carry:
    """What a page hands the next: the words after the last line a table took (set above the next page's
    first line), and the value columns of the table that reached its foot (a table going on over the page
    break without its header: no row on the next page need fill every column)."""

    words: tuple[Word, ...] = ()
    columns: tuple[float, ...] = ()
    narrow: tuple[tuple[int, float], ...] = ()  # its columns one or two characters wide (`_narrow_columns`)
    extents: tuple[tuple[float, float], ...] = ()  # its headings' extents, where values were placed by them


def tables(
    chars: Sequence[dict[str, Any]], page: int, carried: Carry = Carry(), last: bool = True
) -> tuple[list[RawTable], Carry]:
    """The tables of a page without ruling lines: one RawTable per run of data lines, with its header, and
    one per table that prints no values at all; and what to carry to the next page: the words after the
    last line a table took, as the lines above its first (a table whose header begins at the foot of one
    page and whose rows follow on the next; a table without values that runs on over the page break), and
    the columns of the table at this page's foot.

    `carried` is the previous page's; its words sit above this page's top (negative y), and a run of this
    page with no header above it takes its columns when every value sits under one of them. `last`: no
    page follows, so a table without values that reaches the foot of this one ends there."""
    ws = words(chars)
    above_words = carried.words
    # the carried lines set just above this page's first line, a line's height apart; or, when that line
    # begins a row and so do carried lines after the first (rows of empty cells at a page's foot), as far
    # below the last carried line as those rows' first lines are from the lines just above them, so that
    # the next page's rows find them a row away (the lines of one wrapped label, 一、本年新收…数 / 量, are
    # closer than that; a page whose first line goes on with the last carried label, 3．补正 / … / 容仍不明
    # | 确, stays a line's height from it)
    shift = (
        max(w.bottom for w in above_words)
        - min(w.top for w in ws)
        + statistics.median(w.bottom - w.top for w in ws)
        if above_words and ws
        else 0.0
    )
    carried_lines = lines(list(above_words))
    ys = [statistics.fmean(w.y for w in line) for line in carried_lines]
    into_rows = [ys[k] - ys[k - 1] for k in range(1, len(ys)) if _numbered(carried_lines[k])]
    first_line = lines(ws)[0] if into_rows and ws else []
    if _numbered(first_line):
        shift = ys[-1] - statistics.fmean(w.y for w in first_line) + statistics.median(into_rows)
    above = [Word(w.text, w.x0, w.x1, w.top - shift, w.bottom - shift) for w in above_words]
    before = _Foot(list(carried.columns), dict(carried.narrow), list(carried.extents))
    found, taken, foot = _tables(_lines_of([*above, *ws]), page, not last, before)
    if not found and not any(is_number(w.text) for w in ws):
        foot = before  # a page of empty rows only: the table goes on in its columns
    return found, Carry(
        tuple(w for w in ws if w.top > taken),
        tuple(foot.columns),
        tuple(foot.narrow.items()),
        tuple(foot.extents),
    )


def text_words(text: str) -> list[Word]:
    """The words of text laid out in columns with spaces (`pdftotext -layout`): runs split by two or more
    spaces, each placed at its display column (a CJK character is two columns wide), one line per row."""
    out: list[Word] = []
    for n, line in enumerate(text.splitlines(), start=1):
        col = 0
        for m in re.finditer(r"\S+(?: \S+)*", line.replace("\t", "  ")):
            col = display_width(line[: m.start()])
            width = display_width(m.group(0))
            out.append(Word(m.group(0), float(col), float(col + width), 2.0 * n - 1, 2.0 * n + 1, n))
    return out


def display_width(text: str) -> int:
    """A text's width in a monospaced layout: a CJK character is two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _lines_of(ws: list[Word]) -> list[_Line]:
    return [_split(line) for line in lines(ws)]


def tables_of_words(ws: list[Word], page: int) -> list[RawTable]:
    """Tables from words placed on a page (`page` 0: text lines, located by line number)."""
    return _tables(_lines_of(ws), page, open_end=False)[0]


@dataclass
class _Foot:
    """The value columns of a page's lowest table (when no table without values is below it), and which
    of them are one or two characters wide."""

    columns: list[float]
    narrow: dict[int, float]
    # its headings' extents, where values were placed by the heading they touch (`_column_of`)
    extents: list[tuple[float, float]] = field(default_factory=list)


def _tables(
    ls: list[_Line], page: int, open_end: bool, carried: _Foot | None = None
) -> tuple[list[RawTable], float, _Foot]:
    """The tables of lines, in order; the bottom of the last line one took (-inf when none did); the columns
    of the lowest table (`_Foot`). `carried`: those of the table the page before ended with, for a first run
    with no header."""
    out: list[tuple[int, RawTable]] = []
    taken = -math.inf
    foot = _Foot([], {})
    # tables that print no value at all; a run's header is never taken from their lines
    blank = _blank_tables(ls, page, open_end)
    for start, end, table in blank:
        out.append((start, table))
        taken = max(taken, max(w.bottom for w in ls[end].words))
    previous_end = -1
    for first, last, columns in _groups(ls, _runs(ls)):
        previous_end = max([previous_end, *(end for _s, end, _t in blank if end < first)])
        data = [i for i in range(first, last + 1) if ls[i].values]
        n = len(columns) if columns is not None else len(ls[first].values)
        anchors = columns if columns is not None else _anchors(ls, data, n)
        gap = min((b - a for a, b in itertools.pairwise(anchors)), default=40.0)
        left = anchors[0] - gap / 2
        # the page before's table going on, no header printed again: its values fall under its columns
        before = carried.columns if carried else []
        # (or each touches the heading of a column of its own there: values flush right under centred
        # headings, `_touching`)
        placed = carried.extents if carried and len(carried.extents) == len(before) else []
        going_on = (
            previous_end < 0
            and len(before) >= max(n, 2)
            and (
                _under(before, [ls[i].values for i in data])
                or bool(placed and _touching([ls[i].values for i in data], placed, before))
            )
        )
        if going_on and len(before) > n:
            # the page before's table, going on: its columns, not a few values far apart, say where the
            # labels end (two printed values 170 pt apart would put the edge inside the labels); but not a
            # column of its that this run's labels run across (its row of values without a label, the label
            # put on this page: its header's corner, （本列数据的勾稽关系…）, then headed a column of its own)
            printed = max(
                (w.x1 for i in data for w in ls[i].words if w.x1 < min(v.x0 for v in ls[i].values)),
                default=-math.inf,
            )
            kept = [k for k, a in enumerate(before) if a > printed]
            before, placed = [before[k] for k in kept], [placed[k] for k in kept] if placed else []
            anchors = before
            gap = min(b - a for a, b in itertools.pairwise(anchors))
            left = anchors[0] - gap / 2
        # the labels end past every word set before a row's first value, left of the first column's values
        # (a few values far apart, half a gap to the left, would put the edge inside a label centred in
        # its cell)
        labels_end = max(
            (
                w.x1
                for i in data
                for first_value in [min(v.x0 for v in ls[i].values)]
                for w in ls[i].words
                if w not in ls[i].values and w.x1 < min(first_value, anchors[0])
            ),
            default=-math.inf,
        )
        left = max(left, labels_end)
        rows: list[Row] = []
        label_right = max(
            (w.x1 for i in data for w in ls[i].words if w not in ls[i].values and w.x < left),
            default=-math.inf,
        )
        if label_right == -math.inf:  # no data line prints a label beside its values: labels wrapped round
            # them (一、本年新收…数 / 7 1 8 / 量) end where the label lines set tight above and below end
            label_right = max(
                (
                    w.x1
                    for i in data
                    for j in (i - 1, i + 1)
                    if 0 <= j < len(ls)
                    and _label_only(ls[j], left)
                    and _tight([ls[min(i, j)], ls[max(i, j)]], within=1.0)
                    for w in ls[j].words
                ),
                default=-math.inf,
            )
        # the header: lines between the previous run and this one whose words reach the value columns, or
        # begin right of the rows' labels (a heading set flush left in a wide cell, its value centred; every
        # line, when the rows have no label: table 4's columns begin at the margin, left of its values)
        # (a table going on from the page before in its columns: only lines reaching them, a header printed
        # again; a group's name beside a sub-row's label right of the data lines' labels is no heading)
        head = _head(ls[previous_end + 1 : first], left, math.inf if going_on else label_right)
        heading_left = min(
            (w.x0 for h in head for w in h.words if w.x0 > label_right and w.x < left), default=left
        )
        left = min(left, heading_left)
        # a header naming more columns than any row fills (the others left empty): the header's columns
        header_words = [w for h in head for w in h.words if w.x0 > label_right]
        leaf_spans = _leaf_spans(header_words)
        named = leaves = _cell_centres(leaf_spans)
        # headings set flush in their cells sit side by side on a header line (a line with one word right
        # of the labels, 第二十条第（五）项 across the table, heads no column of its own)
        beside = [[w for w in h.words if w.x0 > label_right] for h in head]
        spans = _leaf_spans([w for ws in beside if len(ws) >= 2 for w in ws])
        if not head and previous_end < 0 and before:  # the page before's table, going on
            named, spans = before, []
        values = [ls[i].values for i in data]
        flush = _flush_columns(spans, values)
        # the header's columns: each value under one of its own (centred headings), else each value within
        # one heading's cell, the cells running from one heading's left edge to the next one's (headings
        # of one width set flush left in their cells, the values flush right or centred: nearer the next
        # heading's centre than their own), or between right edges; else near enough
        named = next(
            (c for c in [named, *flush] if len(c) > n and _under(c, values)),
            next(
                (c for c in [*flush, named] if _fits(c, n, anchors, gap, values)),
                named,
            ),
        )
        extents: tuple[list[tuple[float, float]], str] | None = None
        # a table of one row (table 4) under headings stacked over lines and centred on one another: they
        # are centred in their cells, and values set flush left (or right) sit between two headings'
        # centres, where cells running from one heading's edge to the next (which many rows' values would
        # bear out or not; one row's cannot) put them in the wrong one; each value is then in the column
        # whose heading it touches, or is nearest across (`_column_of`). So is it in a table of many rows
        # whose values the header's columns do not fit, when every value touches the heading of a column of
        # its own (`_touching`: values flush right in cells wider than their headings)
        centred = _heading_extents(header_words, leaf_spans) if leaf_spans else None
        if (
            centred is not None
            and centred[1] == "center"
            and (named != leaves if len(values) == 1 else not _fits(named, n, anchors, gap, values))
            and len(leaves) > n
            and (
                _touching(values, centred[0], leaves)
                if len(values) > 1
                else all(
                    len({_column_of(v, centred[0], "center", leaves) for v in row}) == len(row)
                    for row in values
                )
            )
        ):
            named = leaves
            extents = centred
            anchors = named
            gap = min(b - a for a, b in itertools.pairwise(anchors))
            left = max(labels_end, anchors[0] - gap / 2)
        elif _fits(named, n, anchors, gap, values):
            if named == leaves:  # the header's own columns: each heading's whole width says where it is
                extents = _heading_extents(header_words, leaf_spans)
            anchors = named
            gap = min(b - a for a, b in itertools.pairwise(anchors))
            left = max(labels_end, anchors[0] - gap / 2)
        if going_on and placed and not head and extents is None and anchors == before:
            extents = (placed, "center")  # the page before's values were placed by their headings
        rows += _header(head, left, anchors, page)
        narrow = _narrow_columns(head, anchors, label_right)
        if not head and carried and _same_narrow(anchors, carried):
            narrow = carried.narrow
        ls, data = _overlapping_rows(ls, data, anchors)
        ls, data = _wrapped_values(ls, data, anchors, narrow, going_on=not head)
        # rows printing no value between the header and the first data line (their cells left empty)
        empty, lead = _empty_rows(ls, previous_end, first, head, left)
        rows += [_row(band, [], anchors, page) for band in empty]
        # rows printing no value among the data lines and just after them, a row's pitch from any other row
        data, first, last = _with_empty_rows(ls, data, (previous_end, first, last), left, head)
        first = min(first, lead)  # the first row's label may begin on lines set tight above its values
        if going_on and not head:
            # the rest of the page before's last row's label, over this page's first row (3．要求 0 0 … at
            # page 2's foot, 提供公开 / 出版物 here): a row of its own with its cells empty, which the
            # table's reader joins to the row above as the rest of its label
            rest = _label_rest(ls[previous_end + 1 : first], left, [ls[i] for i in data])
            rows += [_row(rest, [], anchors, page)] if rest else []
        # the data rows: values by nearest column; the label from the band between neighbouring data lines
        ys = [ls[i].y for i in data]
        # between two rows, midway; but where a row's label begins above its values (5．要求 / 行政机关 /
        # 确认或重 1 1), on the line it begins on, which is not the row above's
        bounds = [-1e9 + ys[0], *((a + b) / 2 for a, b in itertools.pairwise(ys)), 1e9 + ys[-1]]
        for k in range(1, len(data)):
            top = _label_top(ls, data[k], data[k - 1], functools.partial(_label_only, left=left))
            # lines reaching up to the row above, none numbered, are the rest of that row's label wrapped
            # round its values (三、本年度办 （一） / 21 1 2 2 26 / 理结果 予以公开), not this row's beginning
            if top < data[k] and (top - 1 > data[k - 1] or _numbered(ls[top].words)):
                bounds[k] = min(bounds[k], (ls[top - 1].y + ls[top].y) / 2)
        labels: list[list[Word]] = []
        for k, i in enumerate(data):
            lo, hi = bounds[k], bounds[k + 1]
            label = [
                w
                for j in range(first, last + 1)
                for w in ls[j].words
                if w.x < left and lo <= w.y < hi and not (j in data and w in ls[j].values)
            ]
            label += [w for w in ls[i].words if w.x < left and w not in label and w not in ls[i].values]
            labels.append(label)
        for k, i in enumerate(data):
            label = _handed_back(labels, k)
            if ls[i].values:
                rows.append(_row(label, ls[i].values, anchors, page, extents))
            else:  # a row of empty cells: each piece of its label a row, as in a table without values
                rows += [_row(piece, [], anchors, page) for piece in _subcolumns(label)]
        taken = max(taken, max(w.bottom for w in ls[last].words))
        if any(c is not None and c.text for r in rows for c in r[:1]) or len(head):
            out.append((first, RawTable(rows=rows)))  # values with neither labels nor a header are no table
        previous_end = last
        foot = (
            _Foot(list(anchors), narrow, extents[0] if extents and extents[1] == "center" else [])
            if all(end < last for _s, end, _t in blank)
            else _Foot([], {})
        )
    return [t for _k, t in sorted(out, key=lambda kt: kt[0])], taken, foot


_SENTENCE = re.compile(r"[。；;]")


def _blank_tables(ls: list[_Line], page: int, open_end: bool) -> list[tuple[int, int, RawTable]]:
    """Tables that print a header and row labels but not one value (an agency with nothing to count leaves
    every cell empty), each with the index of its last line. A header is a line of three or more short words
    set apart (the columns' headings), with the lines set tight under it that reach across to them; its
    value columns are the header's lowest pieces right of every row label; the row labels are the lines
    below that keep left of the columns, up to a numbered heading or a sentence. Each piece of label is a
    row of empty cells (the table readers join a wrapped label's pieces, which begin no row, to the row
    above); a header with no labels under it (table 4's single row) is one row of empty cells. A header
    whose labels run into a line of values is that run's header, not a table of its own. A table still open
    at the foot of the page when another page follows is left to that page (its lines are carried over).
    Each table with the indexes of its first and last lines."""
    out: list[tuple[int, int, RawTable]] = []
    k = 0
    while k < len(ls):
        line = ls[k]
        if not _heading_like(line):
            k += 1
            continue
        block = [k]
        # where the column headings begin: past the first word when that heads the labels under it (信息内容)
        seed_left = line.words[0].x0
        below = ls[k + 1] if k + 1 < len(ls) else None
        if below is not None and not _stop(below) and _overlap(line.words[:1], below.words[:1]):
            seed_left = line.words[1].x0
        elif len(line.words) < 3:
            k += 1  # two words are a header only over a label column and one value column
            continue
        while (
            block[-1] + 1 < len(ls)
            and _tight(ls[block[-1] : block[-1] + 2])
            and not _stop(ls[block[-1] + 1])
            and any(w.x1 > seed_left for w in ls[block[-1] + 1].words)
        ):
            block.append(block[-1] + 1)
        j = block[-1] + 1
        labels: list[int] = []
        while j < len(ls) and not _stop(ls[j]) and all(w.x1 < seed_left for w in ls[j].words):
            if not _FOOTER.match(_text(ls[j])):
                labels.append(j)
            j += 1
        if open_end and all(_FOOTER.match(_text(line)) for line in ls[j:]):
            break  # the table goes on over the page break: the next page reads it with these lines
        if j < len(ls) and ls[j].values:
            k = j  # a run's header (and rows left empty above its first values)
            continue
        if (
            labels
            and j < len(ls)
            and not _stop(ls[j])
            and all(w.x0 > seed_left - 0.5 * (w.bottom - w.top) for w in ls[j].words)
        ):
            # more headings under the columns below the "labels": a header cell's text wrapped beside its
            # headings (the corner's note over table 3's labels), or the last lines of headings stacked
            # under the first column's (其 / 他, the "labels" 人 / 计 ending 自然人 and 总计 left of it): the
            # header going on
            k = j
            continue
        if not labels and (j == len(ls) or not _stop(ls[j])):
            k = j  # a header without labels is a table only when a heading or a sentence follows it
            continue
        label_right = max((w.x1 for i in labels for w in ls[i].words), default=-math.inf)
        above = _head(ls[out[-1][1] + 1 if out else 0 : k], label_right if labels else seed_left)
        head = above + [ls[i] for i in block]
        anchors = _leaf_columns([w for h in head for w in h.words if w.x0 > label_right])
        if len(anchors) < (1 if labels else 3):
            k = j
            continue
        gap = min(
            (b - a for a, b in itertools.pairwise(anchors)),
            default=4 * (line.words[-1].x1 - line.words[-1].x0),
        )
        left = anchors[0] - gap / 2
        rows = _header(head, left, anchors, page)
        # one row per label piece, line by line and left to right: a group's label set beside its rows
        # (三、本年 / 度办理结 / 果) gives pieces that begin no row, which the table readers join to the row above
        bands = [piece for i in labels for piece in _subcolumns(ls[i].words)]
        rows += [_row(band, [], anchors, page) for band in bands] or [_row([], [], anchors, page)]
        start = next((i for i in range(k + 1) if above and ls[i] is above[0]), k)
        out.append((start, (labels or block)[-1], RawTable(rows=rows)))
        k = j
    return out


def _heading_like(line: _Line) -> bool:
    """A line of column headings: short words set apart, no sentence, no number, none numbered as a row
    begins (（三）不予 | 1．属于国家秘密 at a page's top are a table's row labels going on, set flush left);
    two words are a heading over its label column and one value column when labels follow (信息内容 |
    本年处理决定数量)."""
    ws = line.words
    return (
        len(ws) >= 2
        and not line.values
        and all(len(w.text) <= 8 and not _SENTENCE.search(w.text) and not ROW_START.match(w.text) for w in ws)
        and all(b.x0 - a.x1 > 0.5 * (a.bottom - a.top) for a, b in itertools.pairwise(ws))
    )


def _stop(line: _Line) -> bool:
    """Where a table's lines end: a numbered heading, a sentence, or a line of values."""
    text = _text(line)
    return bool(line.values or _SENTENCE.search(text) or _SECTION_HEADING.match(text))


def _leaf_columns(ws: list[Word]) -> list[float]:
    """The centres of a header's columns from its lowest pieces: words with no other word under them across
    their width; pieces less than half a character apart side by side (a heading letter-spaced over lines,
    社 会 / 公 益) are one column."""
    return _cell_centres(_leaf_spans(ws))


def _leaf_spans(ws: list[Word]) -> list[tuple[float, float]]:
    """The extents (left, right) of a header's lowest pieces, left to right (see `_leaf_columns`)."""
    leaves = sorted(
        (
            w
            for w in ws
            if not any(
                v is not w
                and v.top > w.top + 0.5 * (w.bottom - w.top)
                and v.x0 < w.x1 - 1
                and v.x1 > w.x0 + 1
                for v in ws
            )
        ),
        key=lambda w: w.x0,
    )
    columns: list[list[Word]] = []
    for w in leaves:
        near = columns and w.x0 < max(v.x1 for v in columns[-1]) + 0.5 * (w.bottom - w.top)
        if near and not _after_letters(columns[-1], w):
            columns[-1].append(w)
        else:
            columns.append([w])
    # a run of single letters only (headings letter-spaced, the lowest pieces of two stacked side by side:
    # 机 构 服 务 | 他 under 法 律 服 务 / 其) is cut where its spacing widens
    columns = [part for c in columns for part in (_evenly_spaced(c) if _letters(c) else [c])]
    return [(min(w.x0 for w in c), max(w.x1 for w in c)) for c in columns]


def _letters(run: list[Word]) -> bool:
    """Whether a run is single characters only (a heading letter-spaced)."""
    return all(len(w.text) == 1 for w in run)


def _after_letters(run: list[Word], w: Word) -> bool:
    """Whether word `w`, of several characters, follows a run of single letters (a heading letter-spaced) a
    wider step than their own spacing: another heading's piece, however near (社 会 公 益 / 组 织 leave
    组 织 公 益 side by side 2.2 pt apart, and 机构, 法律服务's, 4.7 pt after them, less than half a
    character)."""
    if len(w.text) < 2 or len(run) < 2 or not _letters(run):
        return False
    ordered = sorted(run, key=attrgetter("x0"))
    spacing = max(b.x0 - a.x1 for a, b in itertools.pairwise(ordered))
    return w.x0 - max(v.x1 for v in run) > spacing + 0.1 * (w.bottom - w.top)


def _fits(columns: list[float], n: int, anchors: list[float], gap: float, rows: list[list[Word]]) -> bool:
    """Whether a header's columns, more than the `n` a row fills, hold the rows' values: each of the values'
    columns (`anchors`, `gap` apart) within half that gap of one of them, or each value under one of its
    own."""
    return len(columns) > n and (
        all(min(abs(a - x) for x in columns) < gap / 2 for a in anchors) or _under(columns, rows)
    )


def _flush_cells(spans: list[tuple[float, float]]) -> list[tuple[list[float], list[float]]]:
    """The cells of headings (two or more, left to right) set flush left, then flush right, each as its
    bounds and its centres. Flush left, a heading's cell runs from its left edge to the next heading's, the
    last open to the right; flush right, from the previous heading's right edge to its own, the first open
    to the left. A closed cell is centred midway; the open one half the edges' usual step past its edge."""
    starts, ends = [a for a, _b in spans], [b for _a, b in spans]
    pitch_left = statistics.median(b - a for a, b in itertools.pairwise(starts))
    pitch_right = statistics.median(b - a for a, b in itertools.pairwise(ends))
    return [
        (
            [*starts, math.inf],
            [(a + b) / 2 for a, b in itertools.pairwise(starts)] + [starts[-1] + pitch_left / 2],
        ),
        (
            [-math.inf, *ends],
            [ends[0] - pitch_right / 2] + [(a + b) / 2 for a, b in itertools.pairwise(ends)],
        ),
    ]


def _flush_columns(spans: list[tuple[float, float]], rows: list[list[Word]]) -> list[list[float]]:
    """The columns' centres were the headings set flush left, then were they set flush right
    (`_flush_cells`); each only where every value falls in one heading's cell and no row puts two in one.
    A value set flush in its cell is nearer that cell's centre than the next one's; the open cell's centre
    is where its values sit."""
    if len(spans) < 2:
        return []
    out: list[list[float]] = []
    for bounds, mid in _flush_cells(spans):
        cells = [
            [next((k for k in range(len(spans)) if bounds[k] <= v.x < bounds[k + 1]), -1) for v in row]
            for row in rows
        ]
        if all(-1 not in c and len(set(c)) == len(c) for c in cells):
            # the open cell (it may span columns: the fee's change) is centred where its values sit
            k = len(spans) - 1 if bounds[-1] == math.inf else 0
            xs = [
                v.x for row, c in zip(rows, cells, strict=True) for v, j in zip(row, c, strict=True) if j == k
            ]
            out.append([statistics.median(xs) if j == k and xs else m for j, m in enumerate(mid)])
    return out


def _cell_centres(spans: list[tuple[float, float]]) -> list[float]:
    """Where the columns' cells are centred, from their headings' extents, left to right. A heading centred
    in its cell gives it; headings set flush left (a word processor's default) sit at their cells' left
    edges, and their centres are left of their values', nearer the column before for values set flush
    right. When the headings' left edges (or right edges) keep one pitch exactly while their centres do
    not (headings of different widths in cells of one width), the cells run from one heading's edge to the
    next one's."""
    centres = [(a + b) / 2 for a, b in spans]
    if len(spans) < 3:
        return centres

    def spread(xs: list[float]) -> float:
        steps = [b - a for a, b in itertools.pairwise(xs)]
        return max(steps) - min(steps)

    if spread(centres) < 3.0:
        return centres
    (_l, flush_left), (_r, flush_right) = _flush_cells(spans)
    if spread([a for a, _b in spans]) < 1.5:
        return flush_left
    if spread([b for _a, b in spans]) < 1.5:
        return flush_right
    return centres


def _narrow_columns(head: list[_Line], anchors: list[float], label_right: float) -> dict[int, float]:
    """The value columns one or two characters wide, by their headings: no line of them longer than two
    characters (总 / 计, 自然 / 人, or 总计 beside such), each with its headings' widest line. A heading over
    the headings of more than one column (申请人情况, 法人或其他组织) heads a group, not the column it is
    nearest. A number wider than its column wraps a piece a line (`_wrapped_values`)."""
    words = [w for h in head for w in h.words if w.x0 > label_right]

    def heads_group(w: Word) -> bool:
        under = {
            _nearest(anchors, v.x)
            for v in words
            if v.top > w.top + 0.5 * (w.bottom - w.top) and v.x0 < w.x1 - 1 and v.x1 > w.x0 + 1
        }
        return len(under) > 1

    headings = [w for w in words if not heads_group(w)]
    narrow: dict[int, float] = {}
    for c in range(len(anchors)):
        ws = [w for w in headings if _nearest(anchors, w.x) == c]
        if ws and all(len(w.text) <= 2 for w in ws):
            narrow[c] = max(w.x1 - w.x0 for w in ws)
    return narrow


def _same_narrow(anchors: list[float], carried: _Foot) -> bool:
    """Whether a run with no header of its own goes on in the columns of the table the page before ended
    with, as far as its narrow ones go: as many columns, each narrow one within half its width of where it
    was (the others' centres move with the widths of the numbers each page prints: 78 above, 15 here)."""
    return len(anchors) == len(carried.columns) and all(
        abs(anchors[c] - carried.columns[c]) <= width / 2 for c, width in carried.narrow.items()
    )


def _overlapping_rows(
    ls: list[_Line], data: list[int], anchors: list[float]
) -> tuple[list[_Line], list[int]]:
    """Data lines whose values overlap (each line's values begin higher than the line above's end, by a
    quarter of a character or more), set as the pieces of values wrapped in the middle of their cells,
    are one row's: a value wrapped over two lines prints one piece half a line above the row's line and the
    other half a line below (full-width digits in a column two characters wide: １０ / 一、本年新收… ４ ８ /
    ５３), one of three pieces a line above and below (９ / ８ / ２ in a column one character wide). So the
    lines are as many above the row's line, the middle one, as below it, each pair as far from it and
    printing in the same columns, and no more than two of them begin a row (the row's own label and a
    group's name beside a piece: 三、本年度 / （一）予以公开). No two cells overlap, so two rows' values do
    not, but a face's boxes can be taller than its lines' spacing (rows set tight): rows printing their
    own values, each label numbered, do not make that pattern. Each column's pieces are read top to
    bottom as one value, on the line whose label begins a row (of those, the one printing the most
    values; else the one printing the most). The lines (that line holding the joined values) and the data
    lines left."""
    if len(data) < 2:
        return ls, data
    char = statistics.median(v.bottom - v.top for i in data for v in ls[i].values)
    groups: list[list[int]] = [[data[0]]]
    for i in data[1:]:
        above = ls[groups[-1][-1]]
        if min(v.top for v in ls[i].values) < max(v.bottom for v in above.values) - 0.25 * char:
            groups[-1].append(i)
        else:
            groups.append([i])

    def columns_of(i: int) -> set[int]:
        return {_nearest(anchors, v.x) for v in ls[i].values}

    def y(i: int) -> float:
        return statistics.fmean(v.y for v in ls[i].values)

    def wrapped(g: list[int]) -> bool:
        half = len(g) // 2
        if len(g) % 2 == 0 or sum(_numbered(ls[i].label) for i in g) > 2:
            return False
        r = g[half]
        return all(
            abs((y(r) - y(a)) - (y(b) - y(r))) <= 0.3 * char and columns_of(a) == columns_of(b)
            for a, b in zip(g[:half], reversed(g[half + 1 :]), strict=True)
        )

    groups = [part for g in groups for part in ([g] if wrapped(g) else [[i] for i in g])]
    if all(len(g) == 1 for g in groups):
        return ls, data
    out = list(ls)
    kept: list[int] = []
    for g in groups:
        r = max(g, key=lambda i: (_numbered(ls[i].label), len(ls[i].values)))
        kept.append(r)
        if len(g) > 1:
            out[r] = _row_of_pieces(ls[r], [ls[i] for i in g if i != r], anchors)
    return out, kept


def _row_of_pieces(
    row: _Line, pieces: list[_Line], anchors: list[float], joins: Callable[[int], bool] = lambda c: True
) -> _Line:
    """The row's line holding its own values and the pieces' by column, each column's words read top to
    bottom as one value where `joins` (a column's index) says so."""
    columns: dict[int, list[Word]] = {}
    for v in (v for line in [row, *pieces] for v in line.values):
        columns.setdefault(_nearest(anchors, v.x), []).append(v)
    values: list[Word] = []
    for c, ws in sorted(columns.items()):
        ws.sort(key=lambda w: w.top)
        if joins(c) and len(ws) > 1:
            ws = [
                Word("".join(w.text for w in ws), ws[0].x0, max(w.x1 for w in ws), ws[0].top, ws[-1].bottom)
            ]
        values += ws
    return _Line([*row.label, *values], values)


def _wrapped_values(
    ls: list[_Line], data: list[int], anchors: list[float], narrow: dict[int, float], going_on: bool = False
) -> tuple[list[_Line], list[int]]:
    """The lines with a row's value wrapped over them joined to the row's line: in a column one or two
    characters wide (its headings no longer: 总 / 计, 自然 / 人) a number of more digits is printed a piece a line,
    round the row's line (a cell's text set in its middle: 1 / row / 0) or under it (at its top: row 7 /
    0). A line printing only such pieces, no wider than the column's headings and no row's number beside
    them, a cell's line spacing or less from a row's line and clearly nearer it than any other row's, is
    that row's: each column's pieces are read top to bottom as one value. Every other line is as it was.
    A line whose label begins a row (三、本年度办理) is a row of its own, unless the value set round a row's
    line has its other pieces on a line of no row and none on the row's own line: then its piece is the
    value's first (a group's label set beside the row above its first sub-row); so is it, in a table whose
    values' pieces run above their rows' lines (text set in its cells' middle: pieces joined here, or a
    value joined before round its row's line, `_overlapping_rows`), when the value has a piece of each of
    its columns as far from the row's line on its other side (1 / 3 / 9: 三、本年度 beside the value's
    first digit, its first sub-row's label beside the second; or a group's name, （四）无法提供, beside the
    last digit of its first sub-row's value), or a value on the row's own line as far from it on the other
    side (its first piece taken into the row's line). No piece is joined to a value it would have fitted
    beside on one line. In a run going on from the page before, the pieces near no row at its top are one
    line: the values of that page's last row that did not fit at its foot.
    The lines (a row's line holding its joined values) and the data lines left. `narrow`: the columns one
    or two characters wide (`_narrow_columns`); `going_on`: the run has no header of its own."""
    if not narrow:
        return ls, data
    char = statistics.median(w.bottom - w.top for i in data for w in ls[i].words)

    def pieces_only(line: _Line) -> bool:
        return 0 < len(line.values) < len(anchors) and all(
            _nearest(anchors, v.x) in narrow and v.x1 - v.x0 <= narrow[_nearest(anchors, v.x)] + 0.25 * char
            for v in line.values
        )

    def numbered(i: int) -> bool:
        return any(ROW_START.match(w.text) for w in ls[i].label)

    def value_columns(i: int) -> set[int]:
        return {_nearest(anchors, v.x) for v in ls[i].values}

    # the rows' pitch: the median spacing of the lines whose labels begin a row (numbered), a wrapped
    # value's pieces being a cell's line spacing apart, less than that by the cell's padding
    numbered_ys = [ls[i].y for i in range(data[0], data[-1] + 1) if _numbered(ls[i].label)]
    steps = [b - a for a, b in itertools.pairwise(numbered_ys) if b - a >= 0.5 * char]
    pitch = statistics.median(steps) if len(steps) >= 2 else math.inf

    values_y = {i: statistics.fmean(v.y for v in ls[i].values) for i in data}

    def values_apart(i: int, r: int) -> float:
        return abs(values_y[i] - values_y[r])

    def owner(i: int, rows: list[int]) -> int | None:
        if not rows:  # a run of pieces alone: no row to be part of
            return None
        # how far apart the lines' values are (a group's name on a piece's line, （四）无 set lower than
        # the value's pieces, would draw the line's centre away from them)
        near, *others = sorted(rows, key=lambda r: values_apart(i, r))
        apart = values_apart(i, near)
        if (
            apart <= 1.6 * char
            # a row's pitch away: the next row's values (a row broken by a page, its label on the next)
            and apart < 0.9 * pitch
            and all(apart < 0.85 * values_apart(i, r) for r in others[:1])
            and not chained(i, near)
        ):
            return near
        return None

    def chained(i: int, near: int) -> bool:
        """Whether line `i` has, on its other side from row `near`, a line of pieces in its columns clearly
        nearer than that row: one value's pieces are a cell's line spacing apart, the row's line further off
        is another cell's (１ / ０ at a page's top, the value 10 of the page before's last row, over
        3．危及… ３ a row's padding further down)."""
        side = ls[near].y - ls[i].y
        return any(
            (ls[k].y - ls[i].y) * side < 0
            and (value_columns(k) <= value_columns(i) or value_columns(i) <= value_columns(k))
            and values_apart(i, k) < values_apart(i, near) - 0.15 * char
            for k in pieces
            if k != i
        )

    widest: dict[int, float] = {}
    for v in (v for i in data for v in ls[i].values):
        c = _nearest(anchors, v.x)
        widest[c] = max(widest.get(c, 0.0), v.x1 - v.x0)

    def breaks(i: int, r: int) -> bool:
        """Whether each of line `i`'s pieces and row `r`'s value in its column (where it prints one) could
        be one value broken where its column ends: the upper word and the lower's first character would
        not fit on one line as wide as the widest word the column prints. A value printed ７ over １ in a
        column printing １２ on one line is two rows' values (a row broken by a page: 三、本年度办 （一）
        予以公开 ５６ ７ / 理结果 ２２ １, （二）部分公开 on the next page), not 71."""
        for v in ls[i].values:
            c = _nearest(anchors, v.x)
            beside = [w for w in ls[r].values if _nearest(anchors, w.x) == c]
            if not beside:
                continue
            upper, lower = (beside[0], v) if ls[i].y > ls[r].y else (v, beside[0])
            first = (lower.x1 - lower.x0) / max(len(lower.text), 1)
            if (upper.x1 - upper.x0) + first <= widest[c] + 0.1 * first:
                return False
        return True

    candidates = [i for i in data if pieces_only(ls[i])]
    pieces = [i for i in candidates if not numbered(i)]
    rows = [i for i in data if i not in pieces]
    joined: dict[int, list[int]] = {}
    for i in pieces:
        if (near := owner(i, rows)) is not None and breaks(i, near):
            joined.setdefault(near, []).append(i)

    # the table sets its cells' text in their middle when a value's pieces run above a row's line: pieces
    # joined here, or a value joined before from pieces round its row's line (`_overlapping_rows`: its word
    # begins above the line's other words)
    def risen(line: _Line) -> bool:
        top = statistics.median(w.top for w in line.words)
        return any(v.top < top - 0.4 * char for v in line.values)

    centred = any(ls[k].y < ls[r].y for r, wrapped in joined.items() for k in wrapped) or any(
        risen(ls[i]) for i in data
    )
    if not centred:
        # a value of three pieces or more set at its cell's top (一、本年新收… １ over １ over ４): each line
        # of pieces under a row's last piece, in its columns, a cell's line spacing under it and clearly
        # nearer it than any row (the next row is a padding further), is the row's too
        used = {j for wrapped in joined.values() for j in wrapped}
        for wrapped in joined.values():
            while True:
                k = max(wrapped, key=lambda j: values_y[j])  # the value's lowest piece so far
                under = next((j for j in pieces if j > k and j not in used), None)  # the next line of pieces
                if under is None or not (
                    value_columns(under) <= value_columns(k)
                    and values_apart(under, k) <= 1.6 * char
                    and all(values_apart(under, k) < values_apart(under, r) - 0.15 * char for r in rows)
                    and breaks(under, k)
                ):
                    break
                wrapped.append(under)
                used.add(under)

    def mirrored(i: int, r: int) -> bool:
        """Whether each of line `i`'s pieces has a piece of the same column as far from row `r`'s line on its
        other side among its pieces: a value of three pieces or more centred on the row (1 / 3 / 9), or of
        two set half a line above and below it, the row's line printing none of it (９ / ４ beside a value
        １ / ０ / １ centred on the row's line, the lower pieces beside a group's name, （四）无)."""
        mirror = 2 * ls[r].y - ls[i].y
        return all(
            any(abs(ls[k].y - mirror) < 0.3 * char and c in value_columns(k) for k in joined[r])
            for c in value_columns(i)
        )

    def halved(i: int, r: int) -> bool:
        """Whether each of line `i`'s pieces has, on row `r`'s own line, a value of its column set as far
        from the line's other words on the other side: a value wrapped round the row's line, one piece
        taken into that line (its centre nearer it) and the other onto a group's name beside it
        (1．本机关不掌握… with １８ half a line above, ４ half a line below beside （四）无法)."""
        base = statistics.median(w.y for w in ls[r].words)
        return all(
            abs(v.y - base) >= 0.3 * char
            and any(
                _nearest(anchors, u.x) == _nearest(anchors, v.x)
                and abs((u.y - base) + (v.y - base)) < 0.3 * char
                for u in ls[r].values
            )
            for v in ls[i].values
        )

    def straddled(i: int, r: int) -> bool:
        """Whether line `i`'s pieces have their mirror on the other side of row `r`'s line: a line that
        begins a row too, printing pieces of just those columns as far from the row's values, where the row
        prints none (a value wrapped round its row's line whose two pieces both fell beside groups' names:
        三、本年度办 ２ over 1．本机关不掌握… １６ ４ …, （四）无法 ２ under it)."""
        if value_columns(i) & value_columns(r):
            return False
        mirror = 2 * values_y[r] - values_y[i]
        return any(
            numbered(k) and value_columns(k) == value_columns(i) and abs(values_y[k] - mirror) < 0.3 * char
            for k in candidates
            if k not in (i, r)
        )

    def beside_group(i: int, taken: set[int]) -> int | None:
        """The row whose values line `i`, which begins a row, prints pieces of (see above), if any; `taken`:
        the lines found to be pieces already, no rows another line's pieces could be nearer to."""
        near = owner(i, [r for r in rows if r != i and r not in taken])
        if near is None or not breaks(i, near):
            return None
        if (
            (
                near in joined
                and value_columns(i) <= {c for k in joined[near] for c in value_columns(k)}
                and (not value_columns(i) & value_columns(near) or (centred and mirrored(i, near)))
            )
            or (centred and halved(i, near))
            or straddled(i, near)
        ):
            return near
        return None

    # one at a time, the search going round again without each line found (三、本年度 法提供 １, the first
    # piece of the row under it, between that row and （四）无 ０, the last piece of the row above); a line
    # other lines' pieces were joined to is a row
    taken: set[int] = set()
    while found := next(
        (
            (i, r)
            for i in candidates
            if numbered(i)
            and i not in taken
            and i not in joined
            and (r := beside_group(i, taken)) is not None
        ),
        None,
    ):
        i, r = found
        joined.setdefault(r, []).append(i)
        taken.add(i)
    # a run with no header of its own (a table going on from the page before) that begins with lines of
    # pieces near no row, each a line under the one before and printing in its columns: the values of the
    # page before's last row that did not fit at its foot, wrapped (（一）予以公开 １９ １ … at page 1's
    # foot, １５ / ０ and １８ / ２ at page 2's top). Joined, they are one line without a label, which the
    # row at the page before's foot takes up (`applications._unsplit`).
    lead = [i for i in pieces if i < min(rows, default=-1) and owner(i, rows) is None]
    if (
        going_on
        and len(lead) >= 2
        and lead == data[: len(lead)]
        and all(
            ls[b].y - ls[a].y <= 1.5 * char and value_columns(b) <= value_columns(a) and breaks(b, a)
            for a, b in itertools.pairwise(lead)
        )
    ):
        joined[lead[0]] = lead[1:]
    if not joined:
        return ls, data
    out = list(ls)
    for r, wrapped in joined.items():
        out[r] = _row_of_pieces(ls[r], [ls[i] for i in wrapped], anchors, joins=narrow.__contains__)
    gone = {i for wrapped in joined.values() for i in wrapped}
    return out, [i for i in data if i not in gone]


def _with_empty_rows(
    ls: list[_Line], data: list[int], span: tuple[int, int, int], left: float, head: list[_Line]
) -> tuple[list[int], int, int]:
    """The run's rows, and its first and last line: its data lines, and the label lines among and just after
    them that are a row of their own, every cell empty (a row of zeros printed as blanks): set left of the
    values, at least most of a row's pitch from every other row (a wrapped label's line, or a group's label
    between two rows, is closer to one); a line that begins a row (二、…, 3．…) needs only to be more than a
    line's spacing from every other, or only that from rows whose labels begin with their own number. After
    the last data line, such rows follow one another a row's pitch apart; so do they above the first when no
    header is (a table's rows going on from the page before).
    The pitch: the data lines' spacing, or for one data line its distance from the header's last line, or
    without a header the spacing of the numbered label lines above it (down to it, when they are few).
    `span`: the line the run may reach back to (the previous run's last, or -1), its first and its last."""
    previous_end, first, last = span
    char = statistics.median(w.bottom - w.top for i in data for w in ls[i].words)
    # a page going on without a header whose one data line is its last row (（七）总计): the pitch of the
    # numbered label lines above it, each a row printing nothing
    numbered = [
        ls[i].y
        for i in range(previous_end + 1, first)
        if not ls[i].values and ROW_START.match(_text(ls[i])) and all(w.x1 < left for w in ls[i].words)
    ]
    steps = [b - a for a, b in itertools.pairwise(numbered) if b - a >= 1.5 * char]
    # (with fewer than two such steps, the data line's own distance from them: 3．其他 / （七）总计)
    reaching = [b - a for a, b in itertools.pairwise([*numbered, ls[data[0]].y]) if b - a >= 1.5 * char]
    if len(data) >= 2:
        pitch = statistics.median(ls[b].y - ls[a].y for a, b in itertools.pairwise(data))
    elif head:
        pitch = ls[data[0]].y - head[-1].y
    elif len(steps) >= 2:
        pitch = statistics.median(steps)
    elif reaching:
        pitch = statistics.median(reaching)
    else:
        return data, first, last

    label_only = functools.partial(_label_only, left=left)

    def alone(i: int, rows: list[int]) -> bool:
        line = ls[i]
        if line.values or not label_only(line) or _leads_into(ls, i, data, char, label_only):
            return False
        if _group_name_beside(ls, i, char, label_only):
            return False
        apart = min(abs(line.y - ls[j].y) for j in rows)
        if apart >= 0.75 * pitch or not _numbered(line.words):
            return apart >= 0.75 * pitch
        # numbered: more than a line's spacing from every row, or only a line's spacing from rows whose own
        # labels are numbered too (rows set tight: 一、本年新收… 23 1 24 over 二、上年结转…; a label has one
        # number)
        near = [j for j in rows if abs(line.y - ls[j].y) < 1.5 * char]
        return all(_numbered(ls[j].label) and not _beside_group(line, ls[j]) for j in near)

    rows = list(data)
    rows += [i for i in range(data[0] + 1, last) if alone(i, data)]
    # the last row's label going on under its values, line set tight under line (a label wrapped round
    # values set at the top or in the middle of its cell): its own, not carried to the next page, where it
    # would be taken for nobody's or for the first row's label; so is it when the row's label begins on the
    # line above, beside only a group's name on the values' line, and goes on under them ((一) / 度办理结
    # 2 0 … 2 / 予以公开 at a page's foot: `_leads_into`)
    round_values = (
        last in data and last - 1 > previous_end and _leads_into(ls, last - 1, data, char, label_only)
    )
    while (
        last + 1 < len(ls)
        and label_only(ls[last + 1])
        and _tight([ls[last], ls[last + 1]], within=1.0)
        and not _numbered(ls[last + 1].words)
        and (_may_wrap(ls[last], ls[last + 1], left, char) or round_values)
    ):
        last += 1
        round_values = False
    # after the last data line: label lines, each within a row's pitch of the row above. Those alone are
    # rows of empty cells; the fragments among them (a group's label wrapped beside them) do not end the
    # search, and those under an empty row are its label's (its wrapped lines at a page's foot, which would
    # otherwise be carried to the next page and taken for its first row's label)
    j, added = last + 1, False
    while j < len(ls) and label_only(ls[j]) and ls[j].y - max(ls[max(rows)].y, ls[last].y) <= 1.25 * pitch:
        if alone(j, rows):
            rows.append(j)
            added = True
        if added:
            last = j
        j += 1
    # above the first data line of a run without a header (the page before printed it): the same, upwards;
    # fragments above the topmost such row stay out (they are the page before's, or nobody's)
    if not head:
        # a line of value pieces joined to the row under it (`_wrapped_values`: a number printed a digit a
        # line round the row's line) is that row's: what is above the row is looked for past it
        def above(i: int) -> int:
            j = i - 1
            while j > previous_end and ls[j].values and j not in data:
                j -= 1
            return j

        first = first if first in data else data[0]
        top = _label_top(ls, first, previous_end, label_only)
        j = above(first)
        if (
            j > previous_end
            and label_only(ls[j])
            and _tight([ls[j], ls[first]])
            and _may_wrap(ls[j], ls[first], left, char)
            and not _same_numbering(ls[j].words, ls[first].label)
        ):
            first = j  # the first row's label begins on a line set tight above its values
        first = min(first, top)
        below, j = first, above(first)
        # each line within a row's pitch of the one below it (a label wrapped over two lines spans more)
        while j > previous_end and label_only(ls[j]) and ls[below].y - ls[j].y <= 1.25 * pitch:
            # the last line of the label above (…重新出具已获 / 取信息; 需要另行 / 制作 in a taller face)
            wrapped = (
                j - 1 > previous_end
                and label_only(ls[j - 1])
                and not _numbered(ls[j].words)  # (开 | 2．其他… begins a row)
                and _next_line(ls[j - 1], ls[j], char)
            )
            if alone(j, rows) and not wrapped and not _group_name_beside(ls, j, char, label_only):
                rows.append(j)
                first = j
            below, j = j, j - 1
    return sorted(rows), first, last


def _beside_group(line: _Line, row: _Line) -> bool:
    """A sub-row's numbered label line set less than a character above a data line (the two overlap) whose
    own label is only a group's name, further left (2．没有现成信息需要另行 over （四）无法提供 2 0 0 … , 制作
    under it): the group's name, set midway down its rows, landed on this row's line, and the line above
    begins the row's own label. A line a whole line above (3．其他 over （七）总计 1 1) is a row of its own."""
    own = row.label
    return (
        0 < row.y - line.y < min(w.bottom - w.top for w in line.words)
        and bool(own)
        and bool(GROUP_START.match(own[0].text))
        and not any(SUB_ROW_START.match(w.text) for w in own[1:])
        and bool(SUB_ROW_START.match(_text(line)))
        and max(w.x1 for w in own) <= min(w.x0 for w in line.words)
    )


def _label_only(line: _Line, left: float) -> bool:
    """A line of labels only: no value (`_stop`), no sentence or heading, left of the values (a label line
    wider than any beside a value may end a little past the edge those set), no page footer."""
    return not _stop(line) and all(w.x < left for w in line.words) and not _FOOTER.match(_text(line))


def _may_wrap(line: _Line, below: _Line, left: float, char: float) -> bool:
    """Whether a line's label may go on on the line below it: it has none beside its values (a label wrapped
    round them); it begins a numbered row and the line below begins none (3．补正 / 后申请内…: table 3's
    rows all begin with their number); or it reaches within three characters of where the values begin (a
    wrapped line stops short of its cell's edge by up to a character that did not fit, narrower digits, and
    the padding on both sides of the edge). A label that stops shorter had room for more (行政处罚 under
    信息内容, rows set tight one under the other: the next line, 行政强制, is a row of its own)."""
    label = line.label
    if not label or (_numbered(label) and not _numbered(below.words)):
        return True
    return max(w.x1 for w in label) >= left - 3 * char


def _leads_into(
    ls: list[_Line], i: int, data: list[int], char: float, label_only: Callable[[_Line], bool]
) -> bool:
    """Line i, numbered, begins the label of the data line below it: a label wrapped round values set in
    the middle of a tall cell (2．其他 / 法律行政 / 0 0 0 / 法规禁止 / 公开). Label lines set tight one under
    the other run from it down to that data line, none of them, nor the data line's label, numbered in its
    column or right of it (a group's name set beside them, further left, does not count; a data line whose
    label is all further left, （六）其他处理, is a row of its own)."""
    mark = next((w for w in ls[i].words if ROW_START.match(w.text)), None)
    if mark is None:
        return False
    column = mark.x0 - char
    sub_row = bool(SUB_ROW_START.match(mark.text))

    # (a label numbered as a sub-row like it begins another row wherever it sits: labels centred in their
    # cells begin further left the longer they are)
    def numbered(ws: list[Word]) -> bool:
        return any(
            ROW_START.match(w.text) and (w.x0 >= column or (sub_row and SUB_ROW_START.match(w.text)))
            for w in ws
        )

    j = i + 1
    while j < len(ls) and _tight([ls[j - 1], ls[j]], within=1.0):
        if j in data:  # its label, if it prints one, goes on in the same column, unnumbered
            own = ls[j].label
            if own and all(w.x1 <= column + char for w in own) and j + 1 < len(ls):
                # only a group's name beside the values (三、本年 under （二）部分公开…不计): the label goes on
                # under them, tight, in its column (其他情形）)
                below = ls[j + 1]
                return (
                    label_only(below)
                    and _tight([ls[j], below], within=1.0)
                    and not numbered(below.words)
                    and any(w.x0 >= column for w in below.words)
                )
            return not numbered(own) and (not own or any(w.x0 >= column for w in own))
        if ls[j].values or not label_only(ls[j]) or numbered(ls[j].words):
            return False
        j += 1
    return False


def _next_line(upper: _Line, lower: _Line, char: float) -> bool:
    """Two label lines set at a cell's own line spacing: less than one and a half characters apart, or, in a
    face with tall ascent and descent, less than two with no more than a character's height between them."""
    pitch = lower.y - upper.y
    return pitch < 1.5 * char or (pitch < 2 * char and _tight([upper, lower], within=1.0))


def _label_top(ls: list[_Line], i: int, previous_end: int, label_only: Callable[[_Line], bool]) -> int:
    """The line the label of data line i begins on, when it begins above it: a label wrapped round values set
    in the middle of its cell (3．补正 / 后申请内 / 0 0 0 / 容仍不明 / 确), up to its numbered first line. The
    lines above are set tight one under the other in the label's column (not a group's name beside it),
    and the data line's own label, if any, is not numbered (a row whose label begins beside its values)."""
    own = ls[i].label
    if _numbered(own):
        return i
    span = (min(w.x0 for w in own), max(w.x1 for w in own)) if own else None
    k = i
    while k - 1 > previous_end and label_only(ls[k - 1]) and _tight([ls[k - 1], ls[k]], within=1.0):
        words = ls[k - 1].words
        if span is not None and not any(w.x0 < span[1] and w.x1 > span[0] for w in words):
            break  # another column's line: a group's name beside the label
        k -= 1
        span = span or (min(w.x0 for w in words), max(w.x1 for w in words))
        if ROW_START.match(_text(ls[k])):
            break  # the label's numbered first line
    return k


def _group_name_beside(ls: list[_Line], j: int, char: float, label_only: Callable[[_Line], bool]) -> bool:
    """Line j is a group's name set beside its rows, not a row: it is numbered as a group (（三）不予) and
    sits within a line's spacing of a label line numbered as a sub-row (4．保护…), under it or over it, or
    set tight against a label line right of it (出版物 / （五）不): the group's name set midway down its rows,
    beside one of their labels wrapped over lines. A line that also prints a sub-row's label right of the
    group's name (（五）不予处 | 3．要求提供公开出版物) is that row's."""
    if not GROUP_START.match(_text(ls[j])) or any(SUB_ROW_START.match(w.text) for w in ls[j].words[1:]):
        return False
    if _wrapped_beside(ls, j, char):
        return True
    right = max(w.x1 for w in ls[j].words)

    def gap(a: int, b: int) -> float:
        upper, lower = ls[min(a, b)], ls[max(a, b)]
        return min(w.top for w in lower.words) - max(w.bottom for w in upper.words)

    def own_spacing_apart(k: int) -> bool:
        """The name's own next line (其他处理 under （六）, nothing beside either) set clearly tighter
        against it than line k: k is another row's, a row's padding away, not a line of the cell beside."""
        o = 2 * j - k
        return (
            0 <= o < len(ls)
            and label_only(ls[o])
            and not _numbered(ls[o].words)
            and max(w.x1 for w in ls[o].words) <= right + char
            and gap(j, k) > gap(j, o) + 0.25 * char
        )

    return any(
        0 <= k < len(ls)
        and label_only(ls[k])
        and (
            (abs(ls[j].y - ls[k].y) < 1.5 * char and bool(SUB_ROW_START.match(_text(ls[k]))))
            or (
                _tight([ls[min(j, k)], ls[max(j, k)]])
                and any(w.x0 >= right for w in ls[k].words)
                and not own_spacing_apart(k)
            )
        )
        for k in (j - 1, j + 1)
    )


def _wrapped_beside(ls: list[_Line], j: int, char: float) -> bool:
    """Line j prints, right of its group's name, the rest of a sub-row's label wrapped: a word numbered as
    nothing that begins no further left than a sub-row's numbered first line set a line's spacing above it
    (1．本机关不掌 / （四）无法 握相关政府信息: the group's name, set midway down its rows, landed on the
    line of its first row's label going on)."""
    group, *rest = ls[j].words
    return any(
        not ROW_START.match(w.text)
        and w.x0 >= group.x1
        and any(
            SUB_ROW_START.match(u.text)
            and 0 < ls[j].y - ls[k].y < 1.5 * char
            and u.x0 - 0.5 * char <= w.x0 < u.x1
            for k in (j - 1, j - 2)
            if k >= 0
            for u in ls[k].label
        )
        for w in rest
    )


def _empty_rows(
    ls: list[_Line], previous_end: int, first: int, head: list[_Line], left: float
) -> tuple[list[list[Word]], int]:
    """The labels of rows that print no value, set between a run's header and its first data line: label
    lines a row's padding apart from the first data line, lines set tight one under the other making one
    row; and the line the first data line's label begins on (label lines set tight above it are the start
    of its own label: a label wrapped around its values, unless both begin with a number: a label has one,
    一、本年新收… over 二、上年结转… 1 1 is a row of its own)."""
    if not head:
        return [], first
    after = max(i for i in range(previous_end + 1, first) if any(ls[i] is h for h in head))
    # label lines as the rows' labels are taken: by each word's centre (a wrapped label's widest line,
    # 一、本年新收政府信息公开申请数 over 36 6 … / 量, may end a little past the edge the values set)
    pre = [i for i in range(after + 1, first) if _label_only(ls[i], left)]
    bands: list[list[int]] = []
    for i in pre:
        if bands and bands[-1][-1] == i - 1 and _tight([ls[i - 1], ls[i]]):
            bands[-1].append(i)
        else:
            bands.append([i])
    lead = first
    if (
        bands
        and bands[-1][-1] == first - 1
        and _tight([ls[first - 1], ls[first]])
        and not _same_numbering(ls[bands[-1][0]].words, ls[first].label)
    ):
        lead = bands.pop()[0]
    return [[w for i in band for w in ls[i].words] for band in bands], lead


def _label_rest(above: list[_Line], left: float, data: list[_Line]) -> list[Word]:
    """The words of the lines above a table's first row on a page it goes on to, when they are the rest of
    a label the page before broke: lines of labels only, set tight one under the other, the first not
    beginning a row (no （二）, 2．), within the rows' label columns (not a running head at the margin)."""
    if not above or not all(_label_only(line, left) for line in above) or not _tight(above, within=1.0):
        return []
    char = statistics.median(w.bottom - w.top for line in above for w in line.words)
    labels = [w.x0 for line in data for w in line.label]
    if (
        _numbered(above[0].words)
        or not labels
        or min(w.x0 for line in above for w in line.words) < min(labels) - char
    ):
        return []
    return [w for line in above for w in line.words]


def _same_numbering(upper: Sequence[Word], lower: Sequence[Word]) -> bool:
    """Both lines begin with a sub-row's number (5．属于… over 6．属于… 1 1), or both with a row's (一、… over
    二、…): two rows, not one label over two lines (a group's name, （三）不予, over 1．属于… may be). Either
    one's number may follow a group's name, or a piece of it, set on its line (3．危及… over （三）不予
    4．保护… 1 1; 公开 5．属于… over 6．属于… 1 1)."""
    first = next((w for w in upper if ROW_START.match(w.text)), None)
    for pattern in (SUB_ROW_START, TOP_ROW_START):
        if first is not None and pattern.match(first.text) and any(pattern.match(w.text) for w in lower):
            return True
    return False


def _numbered(ws: Sequence[Word]) -> bool:
    """Whether any of these words is numbered as a row begins (（二）…, 2．…, 二、…)."""
    return any(ROW_START.match(w.text) for w in ws)


def _text(line: _Line) -> str:
    return "".join(w.text for w in line.words)


def _head(between: list[_Line], left: float, labels: float = math.inf) -> list[_Line]:
    """A run's header: the lines just above it that reach into its value columns (past `left`) or, of two words
    or more, have a word beginning right of the rows' labels (past `labels`, where they end; every line
    when the rows have no label), up to a sentence or a numbered heading (四、…情况) or the previous run, at
    most twelve (a header of cells wrapped over lines is tall). A line numbered as a row begins is none."""
    out: list[_Line] = []
    for line in reversed(between):
        text = _text(line)
        if "。" in text or _SECTION_HEADING.match(text) or line.values or len(out) == 12:
            break
        if ROW_START.match(text):
            continue  # a row's label begun above its values (一、本年新收…数 / 1 1 / 量), never a heading
        # beside the labels: a line of two words or more, none numbered as a row begins (not a sub-row's
        # label right of its group's, nor a wrapped label's last line)
        beside = labels == -math.inf or (len(line.words) >= 2 and not _numbered(line.words))
        # reaching them by more than half a character: a label line a little wider than those beside
        # values ends just past the edge they set (人逾期未 over 2．申请)
        if any(w.x1 > left + 0.5 * (w.bottom - w.top) or (beside and w.x0 > labels) for w in line.words):
            out.insert(0, line)
    # a heading's piece short of the values set tight under or over a header line, right of the rows'
    # labels: a heading's rest wrapped under it (本年新 / 制发件数 set flush left over values flush right),
    # or a heading of two lines centred on the others' one (本年新 / 制作数量 round 本年新公开数量's line)
    if labels == math.inf or not out:
        return out

    def piece(line: _Line) -> bool:
        text = _text(line)
        return (
            not any(line is h for h in out)
            and not _numbered(line.words)
            and not line.values
            and "。" not in text
            and all(w.x0 > labels for w in line.words)
        )

    k = next(j for j, line in enumerate(between) if line is out[-1])  # the header's last line
    while k + 1 < len(between) and piece(between[k + 1]) and _tight([between[k], between[k + 1]]):
        k += 1
        out.append(between[k])
    k = next(j for j, line in enumerate(between) if line is out[0])  # its first
    while k - 1 >= 0 and piece(between[k - 1]) and _tight([between[k - 1], between[k]]) and len(out) < 12:
        k -= 1
        out.insert(0, between[k])
    return out


_SECTION_HEADING = re.compile(r"^[一二三四五六七八九十]+[、.．].{4,}情况$")


def _handed_back(labels: list[list[Word]], k: int) -> list[Word]:
    """Row k's label, after handing back to the row above the lines that end that row's label: where values
    sit on a row's first line (top-aligned cells), the band between data lines cuts a wrapped label, and
    its last lines (信息 / 2．没有现成…) fall to the next row. A row's label starts at its first line that
    begins a row (（二）…, 2．…); what lies above that line and does not begin a row is the row above's.
    Rows whose label never begins with such a line keep their band."""

    def gives_back(m: int) -> list[Word]:
        if m + 1 >= len(labels):
            return []
        starts = [w.top for w in labels[m + 1] if ROW_START.match(w.text)]
        if not starts:
            return []
        return [w for w in labels[m + 1] if w.bottom <= min(starts) + 0.5 and not ROW_START.match(w.text)]

    taken = gives_back(k)
    return [w for w in labels[k] if w not in (gives_back(k - 1) if k else [])] + taken


def _header(head: list[_Line], left: float, anchors: list[float], page: int) -> list[Row]:
    """Header rows, one per line, a header cell wrapped over lines joined into its first line (结果维 / 持):
    the parts sit in one column, one under the other at a cell's line spacing, with no blank line between
    them (a line of another column's text may sit between: 自然 / 和)商业企 / 人)."""
    spans = _leaf_spans([w for line in head for w in line.words if w.x >= left])
    cells = _cell_centres(spans)
    # headings set flush left (or right) in cells of one width, as the header's lowest pieces show: each
    # heading in the cell it sits in, one cell a column (its centre nearer the column before's values)
    centres = [(a + b) / 2 for a, b in spans]
    flush = len(cells) == len(anchors) and cells != centres
    flush_side = ""  # set when the headings are found flush in cells of many widths
    # as many headings as columns, a column's values nearer another heading's centre than their own's but
    # each within its own heading's cell were the headings set flush left (or right): 本年新 / 制作数量 and
    # 本年新 / 公开数量 flush left, their values flush right, the first column's under the second heading's
    # left edge
    # (the headings stacked over lines show how they are set: flush, not centred on one another)
    if (
        not flush
        and len(spans) == len(anchors) >= 2
        and any(_nearest(centres, a) != k for k, a in enumerate(anchors))
    ):
        _extents, set_as = _heading_extents([w for line in head for w in line.words if w.x >= left], spans)
        for side, (bounds, _mid) in zip(("left", "right"), _flush_cells(spans), strict=True):
            if set_as in (side, "") and all(bounds[k] <= a < bounds[k + 1] for k, a in enumerate(anchors)):
                flush_side = side
                break

    def columns(ws: list[Word]) -> list[list[Word]]:
        if flush_side:  # each word in the cell its flush edge is in (cells of many widths)
            out: list[list[Word]] = [[] for _ in anchors]
            for w in ws:
                out[_column_of(w, spans, flush_side, anchors)].append(w)
            return out
        return _columns(ws, cells) if flush else _heading_columns(ws, anchors)

    grid = [
        [[w for w in line.words if w.x < left], *columns([w for w in line.words if w.x >= left])]
        for line in head
    ]
    for c in range(1, len(anchors) + 1):
        last: int | None = None  # the header line holding the column's latest piece
        for k in range(len(grid)):
            piece = grid[k][c]
            if not piece:
                continue
            upper = grid[last][c] if last is not None else []
            if (
                last is not None
                and _tight(head[last : k + 1])
                and _close(upper, piece, page)
                and _overlap(upper, piece)
                and _one_column(upper, anchors, c - 1)
                and _one_column(piece, anchors, c - 1)
            ):
                grid[last][c], grid[k][c] = upper + piece, []
            else:
                last = k
    blank = Cell("", Location(raw="", page=page))
    return [[_cell(c, page) if c else blank for c in row] for row in grid if any(row)]


def _close(upper: list[Word], lower: list[Word], page: int) -> bool:
    """Two pieces set at a cell's own line spacing: less than half a character apart on a page; on a text
    laid out in lines (page 0), where every line is rounded to a row, at most one row apart."""
    char = statistics.median(w.bottom - w.top for w in upper + lower)
    gap = min(w.top for w in lower) - max(w.bottom for w in upper)
    return gap <= (char if page == 0 else 0.5 * char)


def _tight(run: list[_Line], within: float = 0.6) -> bool:
    """Lines set one right under the other: no blank line's space anywhere between the first and the last
    (no gap over `within` of a character's height; a face with tall ascent and descent, Noto Sans CJK in a
    word processor, leaves 0.8 between the lines of one cell)."""
    char = statistics.median(w.bottom - w.top for line in run for w in line.words)
    return all(
        min(w.top for w in b.words) - max(w.bottom for w in a.words) <= within * char
        for a, b in itertools.pairwise(run)
    )


def _under(columns: list[float], rows: list[list[Word]]) -> bool:
    """Whether every value sits under one of the columns (within half the narrowest gap between them) and no
    row puts two under the same one: rows that each leave different cells empty (one prints its first two
    values, the next its last two) have no column in common by the values' order, only by the header."""
    half = min(b - a for a, b in itertools.pairwise(columns)) / 2
    for values in rows:
        taken = set()
        for v in values:
            j = _nearest(columns, v.x)
            if abs(columns[j] - v.x) >= half or j in taken:
                return False
            taken.add(j)
    return True


def _one_column(ws: list[Word], anchors: list[float], column: int) -> bool:
    """Words that stay over one column: no other column's values sit under them, and no wider than about a
    column and a half (a heading spanning several columns, such as 法人或其他组织 or 未经复议直接起诉, is)."""
    x0, x1 = min(w.x0 for w in ws), max(w.x1 for w in ws)
    gaps = [abs(anchors[j] - anchors[column]) for j in (column - 1, column + 1) if 0 <= j < len(anchors)]
    return not any(x0 < a < x1 for j, a in enumerate(anchors) if j != column) and (
        not gaps or x1 - x0 <= 1.6 * max(gaps)
    )


def _overlap(a: list[Word], b: list[Word]) -> bool:
    """Two pieces of text set in the same cell, one under the other: centred on the same x, flush left, or
    the shorter within the longer's width (a converter's layout rounds a centred line's place)."""
    a0, a1 = min(w.x0 for w in a), max(w.x1 for w in a)
    b0, b1 = min(w.x0 for w in b), max(w.x1 for w in b)
    char = statistics.median(w.bottom - w.top for w in a + b)
    (s0, s1), (l0, l1) = sorted([(a0, a1), (b0, b1)], key=lambda r: r[1] - r[0])
    return (
        abs((a0 + a1) / 2 - (b0 + b1) / 2) <= 0.6 * char
        or abs(a0 - b0) <= 0.3 * char
        or (s0 >= l0 - char and s1 <= l1 + char)
    )


def _columns(values: list[Word], anchors: list[float]) -> list[list[Word]]:
    """Words put in the value column each sits under (the nearest column centre)."""
    cols: list[list[Word]] = [[] for _ in anchors]
    for w in values:
        cols[_nearest(anchors, w.x)].append(w)
    return cols


def _heading_columns(ws: list[Word], anchors: list[float]) -> list[list[Word]]:
    """A header line's words put over the value columns, a heading letter-spaced into single characters
    (社 会 公 益: less than half a character apart) as one: by the nearest column centre (a heading centred over its
    values), unless that sets two headings over one column. Headings set flush left in their cells (a word
    processor's default) sit left of their values' centres, often nearer the column before; then each
    heading owns the columns from its left edge to the next heading's, or, flush right, from the previous
    heading's right edge to its own, whichever puts exactly one column under every heading."""
    headings: list[list[Word]] = []
    for w in sorted(ws, key=lambda w: w.x0):
        last = headings[-1][-1] if headings else None
        # single characters set less than half a character apart (neighbouring headings in narrow cells
        # are as close: 社会公益组 | 法律服务机 | 其)
        if (
            last is not None
            and len(w.text) == len(last.text) == 1
            and w.x0 < last.x1 + 0.5 * (w.bottom - w.top)
        ):
            headings[-1].append(w)
        else:
            headings.append([w])
    headings = [part for h in headings for part in _evenly_spaced(h)]
    spans = [(min(w.x0 for w in h), max(w.x1 for w in h)) for h in headings]
    out: list[list[Word]] = [[] for _ in anchors]
    nearest = [_nearest(anchors, (a + b) / 2) for a, b in spans]
    owners = nearest
    if len(set(nearest)) < len(nearest):
        (starts, _l), (ends, _r) = _flush_cells(spans)

        def owns(k: int, a: float, flush_left: bool) -> bool:
            return starts[k] <= a < starts[k + 1] if flush_left else ends[k] < a <= ends[k + 1]

        for flush_left in (True, False):
            owned = [[j for j, a in enumerate(anchors) if owns(k, a, flush_left)] for k in range(len(spans))]
            if all(len(o) == 1 for o in owned):
                owners = [o[0] for o in owned]
                break
    for h, j in zip(headings, owners, strict=True):
        out[j].extend(h)
    return out


def _evenly_spaced(chars: list[Word]) -> list[list[Word]]:
    """A run of single characters set less than half a character apart, cut where its spacing widens: a
    heading's letters are evenly spaced (to a hundredth of a point), so in a run with two gaps or more at
    its narrowest spacing, a gap wider than that by a twentieth of a character is between two headings (法 律
    服 务 2.2 pt apart, 3.8 pt, 其; Chromium's 社 会 公 益 1.9 pt apart, 3.4 pt, 法 律 服 务, 3.4 pt, 其;
    WeasyPrint's 2.21 pt apart, 3.13 pt between cells)."""
    if len(chars) < 3:
        return [chars]
    gaps = [b.x0 - a.x1 for a, b in itertools.pairwise(chars)]
    letter = min(gaps) + 0.05 * (chars[0].bottom - chars[0].top)
    if sum(g <= letter for g in gaps) < 2:
        return [chars]
    out = [[chars[0]]]
    for gap, w in zip(gaps, chars[1:], strict=True):
        if gap > letter:
            out.append([w])
        else:
            out[-1].append(w)
    return out


def _heading_extents(
    ws: list[Word], spans: list[tuple[float, float]]
) -> tuple[list[tuple[float, float]], str]:
    """Each header column's heading across its whole width: its lowest piece and the pieces stacked over
    it, centred on it or flush with it left or right (结果维 / 持); a heading reaching over another
    column's lowest piece heads a group of columns (行政诉讼, 未经复议直接起诉), not this one, however it
    happens to be set over it. And how the stacks are set: "left" when most share their left edge and not
    their centre (a word processor's default), "right" or "center" likewise; "" when no heading is stacked
    over lines (or no way of setting them is most), which says nothing."""
    out = []
    sides: list[str] = []
    for k, (lo, hi) in enumerate(spans):
        left, right = lo, hi
        others = spans[:k] + spans[k + 1 :]
        for w in ws:
            near = 0.25 * (w.bottom - w.top)
            centred = abs((w.x0 + w.x1) / 2 - (lo + hi) / 2) <= near
            flush = "left" if abs(w.x0 - lo) <= near else "right" if abs(w.x1 - hi) <= near else ""
            if any(w.x0 < b - 1 and w.x1 > a + 1 for a, b in others):
                continue
            if (centred or flush) and w.x0 < hi and w.x1 > lo:
                if w.x1 - w.x0 > hi - lo + near:  # a wider piece over it: how the two are set
                    sides.append("center" if centred else flush)
                left, right = min(left, w.x0), max(right, w.x1)
        out.append((left, right))
    side = max(("left", "right", "center"), key=sides.count) if sides else ""
    return out, side if sides.count(side) > len(sides) / 2 else ""


def _touching(rows: list[list[Word]], extents: list[tuple[float, float]], anchors: list[float]) -> bool:
    """Whether every value touches (overlaps across) the heading of the column `_column_of` puts it in, and
    no row puts two in one: values flush right in cells wider than their centred headings (3 under 商业 /
    企业 reaching past its right edge, nearer 科研机构's centre than its own) are placed by their headings,
    not by the nearest centre."""
    for row in rows:
        columns = [_column_of(v, extents, "center", anchors) for v in row]
        if len(set(columns)) < len(columns) or any(
            max(extents[j][0] - v.x1, v.x0 - extents[j][1]) > 0 for v, j in zip(row, columns, strict=True)
        ):
            return False
    return True


def _column_of(w: Word, extents: list[tuple[float, float]], side: str, anchors: list[float]) -> int:
    """The column a value sits in by its headings' extents: with headings set flush left, the cell from one
    heading's left edge to the next one's; flush right, between right edges; centred, the heading it
    touches or is nearest to across (then the nearest centre)."""
    near = 0.25 * (w.bottom - w.top)
    if side == "left":
        return max((j for j, (lo, _hi) in enumerate(extents) if lo <= w.x0 + near), default=0)
    if side == "right":
        return min((j for j, (_lo, hi) in enumerate(extents) if hi >= w.x1 - near), default=len(extents) - 1)
    apart = [max(lo - w.x1, w.x0 - hi, 0.0) for lo, hi in extents]
    return min(range(len(extents)), key=lambda j: (apart[j], abs(anchors[j] - w.x)))


def _nearest(anchors: list[float], x: float) -> int:
    """The index of the column centre nearest to x."""
    return min(range(len(anchors)), key=lambda j: abs(anchors[j] - x))


def _row(
    label: list[Word],
    values: list[Word],
    anchors: list[float],
    page: int,
    extents: tuple[list[tuple[float, float]], str] | None = None,
) -> Row:
    """A row: its label cell, then one cell per value column (an empty cell where nothing sits under it).

    A row printing one value per column takes them in order, wherever the line set them (a converter's
    layout shifts a line now and then); a row with fewer puts each under the column it sits in by the
    header's headings where their extents are known (`extents`: each heading's width, and how they are set
    in their cells; a value set flush left or right can sit nearer the next column's centre than its own),
    else under the nearest column centre.
    """
    if len(values) == len(anchors):
        cols = [[w] for w in values]
    elif extents is not None and extents[1] and len(extents[0]) == len(anchors):
        cols = [[] for _ in anchors]
        for w in values:
            cols[_column_of(w, extents[0], extents[1], anchors)].append(w)
    else:
        cols = _columns(values, anchors)
    row: Row = [_cell(label, page) if label else Cell("", Location(raw="", page=page))]
    row += [_cell(c, page) if c else Cell("", Location(raw="", page=page)) for c in cols]
    return row
