"""Table 3 (收到和处理政府信息公开申请情况) → `report.applications[row][applicant]`, values as printed.

Two steps. `label_applications` places the rows by their labels alone: the row labels sit in up to
three label columns (三、本年度办理结果 spans many rows; （三）不予公开 spans its eight sub-rows), so a
row's code comes from its own label and the group above it, and the applicant columns come from the
header, which some reports print with 总计 first. What it places already shows the template
(`template_shown`); `read_applications` then reads the numbers for the template decided.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from nianbao.pipeline import tables as T
from nianbao.pipeline.errors import ExtractError
from nianbao.pipeline.extract import align
from nianbao.pipeline.extract.cells import (
    NUMBERING,
    ROW_START,
    SUB_ROW_START,
    Cell,
    Row,
    match_code,
    norm_label,
    split_row,
)
from nianbao.pipeline.extract.glyphs import clean_text
from nianbao.pipeline.model import Location, Report
from nianbao.pipeline.numbers import normalize, parse_count

_GROUPS = (
    ("本年度办理结果", "outcomes"),
    ("不予公开", "denied"),
    ("无法提供", "unavailable"),
    ("不予处理", "rejected"),
    ("其他处理", "other"),
)


def _names_applicant(text: str, applicant: T.Code) -> bool:
    """A header cell naming an applicant column: its label, or the first part of a label wrapped over lines
    (one character only where no other heading begins with it: 总 of 总计, its second line cut off by a
    page break)."""
    lab = norm_label(text)
    key = applicant.label
    if len(lab) == 1 and key.startswith(lab):
        return [h.startswith(lab) for h in _HEADINGS].count(True) == 1
    if len(key) <= 2:
        return lab == key
    return key in lab or (len(lab) >= 2 and key.startswith(lab))


_ORGS = "orgs"  # the 法人或其他组织 heading over the five kinds of organisation
_ORG_KINDS = T.APPLICANT_PARTS[1:]


def _merged(sequences: list[list[str]], preference: tuple[str, ...]) -> list[str]:
    """One order keeping every sequence's own order, the preferred order where they say nothing."""
    items = list(dict.fromkeys(x for seq in sequences for x in seq))
    before = {x: {a for seq in sequences if x in seq for a in seq[: seq.index(x)]} for x in items}
    out: list[str] = []
    while len(out) < len(items):
        ready = [x for x in items if x not in out and before[x] <= set(out)]
        if not ready:  # the sequences contradict each other: the preferred order decides
            ready = [x for x in items if x not in out]
        out.append(min(ready, key=lambda x: preference.index(x) if x in preference else len(preference)))
    return out


def _one_line(line: list[str]) -> list[str]:
    """The applicant columns from a header typed as one line: the template's two header rows one after the
    other (自然人 法人或其他组织 总计, then the five kinds). 法人或其他组织 says where the kinds go; typed
    without it, 自然人 and 总计 before all the kinds are the first row (the kinds go between them, 总计
    first if it comes first); otherwise the words are the columns in order."""
    kinds = [x for x in line if x in _ORG_KINDS]
    top = [x for x in line if x in {"natural_person", "total", _ORGS}]
    if _ORGS not in top:
        first_kind = min(line.index(k) for k in kinds)
        if all(line.index(x) < first_kind for x in ("natural_person", "total")):
            top.insert(top.index("natural_person") + 1, _ORGS)
        else:
            return [x for x in line if x != _ORGS]
    return [k for x in top for k in (kinds if x == _ORGS else [x])]


def _order_by_lines(lines: list[list[str]]) -> list[str] | None:
    """Applicant columns from a header laid out over lines whose words only their places on each line put
    in order (a line's words are in order; lines are not aligned with each other): the five kinds of
    organisation in the order their lines give, where 法人或其他组织 (or the kinds themselves) stand among
    自然人 and 总计 on each line."""
    kinds = _merged([[x for x in line if x in _ORG_KINDS] for line in lines], _ORG_KINDS)
    tops = []
    for line in lines:  # each line's order of 自然人, the organisations, 总计
        top: list[str] = []
        for x in line:
            item = _ORGS if x in _ORG_KINDS else x
            if item in {"natural_person", "total", _ORGS} and (not top or top[-1] != item):
                top.append(item)
        tops.append(top)
    top = _merged([t for t in tops if len(t) > 1], ("natural_person", _ORGS, "total"))
    if _ORGS not in top and "natural_person" in top:  # the heading not read: the kinds follow 自然人
        top.insert(top.index("natural_person") + 1, _ORGS)
    if len(kinds) != len(_ORG_KINDS) or set(top) != {"natural_person", _ORGS, "total"}:
        return None
    return [k for x in top for k in (kinds if x == _ORGS else [x])]


def _header_rows(rows: list[Row]) -> list[Row]:
    """Table 3's rows above its first data row."""
    for k, row in enumerate(rows):
        label, values, _ = split_row(row)
        if any(v.text.strip() for v in values) and match_code(norm_label(label), T.APPLICATION_ROWS["v2021"]):
            return rows[:k]
    return rows


_HEADINGS = (*(norm_label(a.label) for a in T.APPLICANTS), "法人或其他组织", "申请人情况")


def _stacked(header: list[Row]) -> list[Row]:
    """A text header whose words a layout set one under another (社会 / 公益 / 组织): each piece joined to
    an unfinished heading on the lines just above when together they begin one of table 3's headings (the
    nearest across the line if several could), so that each stack becomes one cell on the line it starts.
    A layout shifts whole lines sideways, so where a piece sits only breaks ties. Rows whose cells do not
    know their text line are as they were."""
    if not all(
        c.x is not None and c.loc.line is not None
        for r in header
        for c in r
        if c is not None and c.text.strip()
    ):
        return header
    stacks: list[list[Cell]] = []  # each stack's pieces, top to bottom
    starts: list[int] = []  # the header row each stack starts on
    for k, row in enumerate(header):
        previous: Cell | None = None  # the piece just before on the same line (自 然: letter-spaced)
        for c in row:
            if c is None or not c.text.strip() or c.x is None or c.loc.line is None:
                continue
            line, x = c.loc.line, c.x
            open_ = [
                n
                for n, st in enumerate(stacks)
                if (0 < line - (st[-1].loc.line or 0) <= 3 or st[-1] is previous)
                and norm_label("".join(p.text for p in st)) not in _HEADINGS
                and any(h.startswith(norm_label("".join(p.text for p in st) + c.text)) for h in _HEADINGS)
            ]
            if open_:
                stacks[min(open_, key=lambda n: abs((stacks[n][0].x or 0.0) - x))].append(c)
            else:
                stacks.append([c])
                starts.append(k)
            previous = c
    out: list[Row] = [[] for _ in header]
    for st, k in zip(stacks, starts, strict=True):
        out[k].append(Cell("".join(c.text for c in st), st[0].loc, st[0].x))
    return [r for r in out if r]


def _column_places(header: list[Row]) -> Callable[[int, Cell], float]:
    """Where a header cell's column sits, for ordering the columns: its index in the row, or, when the
    header's rows are of different widths (a header cut by a page break: its top rows a table of their
    own at the page's foot, the rest at the top of the next page), the middle of its box across the page
    (the pages' columns line up; their indexes do not)."""
    widths = {len(r) for r in header}
    boxed = all(c.loc.bbox is not None for r in header for c in r if c is not None and c.text.strip())
    if len(widths) <= 1 or not boxed:
        return lambda i, _c: i
    return lambda i, c: i if c.loc.bbox is None else (c.loc.bbox[0] + c.loc.bbox[2]) / 2


def _applicant_order(rows: list[Row]) -> tuple[list[str], bool]:
    """Applicant codes in printed column order, and whether the header named them all; the template's order
    (for the identities to confirm) when it did not.

    In a grid the header cells' column indexes give the order. Where cells know where they sit across a line
    (text laid out over several lines), each line's words are in order but the lines are not aligned with
    one another, so the lines' orders are combined as the template's two header rows are built.
    """
    found: dict[str, float] = {}
    # each header line's names in order; whether placed across it; whether printed in the columns' own cells
    lines: list[tuple[list[str], bool, bool]] = []
    header = _stacked(_header_rows(rows))
    place = _column_places(header)
    for row in header:
        line: list[tuple[float, str]] = []
        cells: list[int] = []  # the index of the cell each applicant is named in
        for i, c in enumerate(row):
            if c is None:
                continue
            if "法人或其他组织" in norm_label(c.text):
                line.append((c.x if c.x is not None else i, _ORGS))
            for a in T.APPLICANTS:
                if _names_applicant(c.text, a):
                    found.setdefault(a.code, place(i, c))
                    line.append((c.x if c.x is not None else i, a.code))
                    cells.append(i)
        if line:
            # typed text: words placed across a line but lines not aligned; on a page the columns are the grid's
            placed = all(
                c.x is not None and c.loc.page is None for c in row if c is not None and c.text.strip()
            )
            # on a page, each name in a cell of its own: the column it is printed over (a Markdown row is
            # no such grid: the template's two header rows may be typed as one, 自然人 总计 商业企业 …)
            columned = len(set(cells)) == len(cells) and all(
                (c := row[i]) is not None and c.loc.page is not None for i in cells
            )
            lines.append(([code for _x, code in sorted(line)], placed, columned))
    if len(found) == len(T.APPLICANTS):
        single = next(
            ((ln, columned) for ln, _p, columned in lines if len(set(ln) - {_ORGS}) == len(T.APPLICANTS)),
            None,
        )
        if single is not None:  # the whole header on one line: in the columns' cells, or typed as one
            return [x for x in single[0] if x != _ORGS] if single[1] else _one_line(single[0]), True
        laid_out = [ln for ln, placed, _c in lines if placed]
        if len(laid_out) > 1:
            by_lines = _order_by_lines(laid_out)
            if by_lines is not None:
                return by_lines, True
        elif len(set(found.values())) == len(found):
            return sorted(found, key=lambda k: found[k]), True
    if "total" in found and "natural_person" in found and found["total"] < found["natural_person"]:
        return ["total", *T.APPLICANT_PARTS], True
    return list(T.APPLICANT_CODES), False


def _application_row(label: str, group: str | None) -> tuple[str | None, str | None]:
    """(row code, group) for a table 3 label, given the group of the rows above."""
    s = norm_label(label)
    for key, g in _GROUPS:
        if key in s:
            group = g
            s = s.replace(key, "")
    s = NUMBERING.sub("", s)
    number = re.search(r"(\d+)[.、．]", normalize(clean_text(label)))
    # what is left of a group's numbering once its label is taken out: 三、本年度办理结果（六）其他处理 → 六
    s = re.sub(r"^[一二三四五六七八九十\d]+", "", s)
    if not s:
        return ("other_handling" if group == "other" else None), group
    if "总计" in s:
        return "handled_total", group
    rows21 = T.APPLICATION_ROWS["v2021"]
    code = match_code(s, rows21)
    if code is not None:
        return code.code, group
    if s in {"其他"} and group == "other":
        return "other_misc", group
    # a sub-row whose label the agency misprinted: its number within the group says which it is
    by_position = [c.code for c in rows21 if c.code.startswith(f"{group}_")] if group else []
    if number and 1 <= int(number.group(1)) <= len(by_position):
        return by_position[int(number.group(1)) - 1], group
    return None, group


@dataclass(frozen=True)
class LabelledRows:
    """Table 3 as its labels place it: the applicant columns, and each readable row's code and value cells.

    `applicants` are in printed column order (`named`: the header said so; else the template's order,
    which the identities must confirm); each row has one value cell per applicant. A row of values with no
    label at all (a continuation that lost its label columns) has the code None until its place in the
    template is known. Rows whose label names no code, or whose width fits no applicant header, are left out.
    """

    applicants: list[str]
    rows: list[tuple[str | None, list[Cell]]]
    named: bool = True


# table 3's rows of both templates in printed order: v2019's single （六）其他处理 before v2021's three
_ALL_ROWS = (
    *T.APPLICATION_ROWS["v2021"][: T.application_row_codes("v2021").index("other_no_correction")],
    next(c for c in T.APPLICATION_ROWS["v2019"] if c.code == "other_handling"),
    *T.APPLICATION_ROWS["v2021"][T.application_row_codes("v2021").index("other_no_correction") :],
)
_GROUP_WORDS = tuple(k for k, _g in _GROUPS)
# a row's numbering (（二）, 2．) anywhere in a label
_ROW_MARK = re.compile(r"[（(][一二三四五六七八九十\d]+[)）]|\d+\s*[.．、]")


# a row's number as OCR may give it, the small mark lost: 1属于国家秘密 (1．), 二)部分公开 (（二）), or both
# brackets before the label of a row or group numbered so (六其他处理 over 七总计, v2019's rows; 三不予公开);
# no line of a table 3 label wrapped over lines begins so
_NUMBER_MARK_LOST = r"\d{1,2}(?=[\u4e00-\u9fff])"
_GROUP_MARK_LOST = "[一二三四五六七](?=予以公开|部分公开|不予公开|无法提供|不予处理|其他处理|总计)"
_MARK_LOST = re.compile(rf"^\s*(?:{_NUMBER_MARK_LOST}|[一二三四五六七八九十]+[)）]|{_GROUP_MARK_LOST})")
# the same after a piece of a group's name set beside the row: （三）不予公开 1属于国家秘密 read as 三不予公开1属于…
_MARK_LOST_WITHIN = re.compile(rf"(?<=[\u4e00-\u9fff)）]){_NUMBER_MARK_LOST}")


def _numbers(label: str) -> bool:
    """A label that begins with a row's number, its mark printed or lost (（二）…, 2．…, 1属于…)."""
    return bool(ROW_START.match(label) or _MARK_LOST.match(label))


def _begins_row(label: str) -> bool:
    """A label that begins a row: numbered at its start (（二）…, 2．…, or so read with the mark lost:
    1属于…), or a row's whole label with its number lost (上年结转政府信息公开申请数量, which OCR read without
    its 二、; not a group's name, 其他处理, which may be the rest of （六）'s), or after a piece of a group's
    name that a layout set flush left beside its rows (三、本年 / 度办理结 / 果 wrapped beside them gives
    度办理结（二）部分公开…, the piece read first as it sits further left)."""
    if _numbers(label) or _whole_row_label(label):
        return True
    mark = _ROW_MARK.search(label) or _MARK_LOST_WITHIN.search(label)
    if mark is None or mark.start() == 0:
        return False
    piece = norm_label(label[: mark.start()]).lstrip("一二三四五六七八九十")  # （三） read as 三
    return bool(piece) and any(piece in name for name in _GROUP_WORDS)


WHOLE_LABEL = 0.8  # (上年结转… read without its number: 1.0; a wrapped label's last line: under 0.5)


def _whole_row_label(label: str) -> bool:
    """A label of four characters or more that is one of the template's rows' own (a piece of a group's
    name is not)."""
    piece = norm_label(label)
    if len(piece) < 4 or any(piece in name for name in _GROUP_WORDS):
        return False
    return any(align.whole_label(label, c) >= WHOLE_LABEL for c in _ALL_ROWS)


def _awaits_text(label: str) -> bool:
    """A row's label that is its number and nothing of its own: （一）, or 三、本年度办（一）理结果 (a piece of
    its group's name set beside it); the row's words are on the lines below. A group's whole name after the
    number is a row's whole label (v2019's （六）其他处理)."""
    marks = list(_ROW_MARK.finditer(label))
    if not marks:
        return False
    rest = norm_label(label[marks[-1].end() :])
    return not rest or (rest not in _GROUP_WORDS and any(rest in name for name in _GROUP_WORDS))


def _heading_only(label: str, after: list[str]) -> bool:
    """A group's name and nothing more, printing nothing, with one of its numbered rows (2．…) next: the
    group's heading set beside its rows, not a row of zeros printed as blanks (v2019's （六）其他处理 is
    followed by （七）总计)."""
    following = next((x for x in after if x), "")
    return norm_label(label) in _GROUP_WORDS and bool(SUB_ROW_START.match(following))


def _group_named(text: str) -> str | None:
    s = norm_label(text)
    return next((g for k, g in reversed(_GROUPS) if k in s), None)


_APPLICANT_WORDS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "总计")


def _transposed(rows: list[Row]) -> list[Row]:
    """Table 3 as the template sets it: a table printed the other way round (one row per applicant, one
    column per outcome) is turned, so that each printed column becomes a row; others are as they were."""
    split = [split_row(r) for r in rows]
    labels = [norm_label(label) for label, values, _ in split if any(v.text.strip() for v in values)]
    by_applicant = sum(1 for lab in labels if any(lab.endswith(w) for w in _APPLICANT_WORDS))
    by_outcome = sum(1 for lab in labels if align.likeness(lab, _ALL_ROWS[0]) >= 0.8 or "予以公开" in lab)
    if by_applicant < 4 or by_outcome:
        return rows
    width = max(len(r) for r in rows)
    blank = Cell("", rows[0][0].loc if rows[0] and rows[0][0] else Location(raw=""))
    grid = [[c if c is not None else blank for c in r] + [blank] * (width - len(r)) for r in rows]
    return [[grid[i][k] for i in range(len(grid))] for k in range(width)]


def _page_of(row: Row) -> int | None:
    """The page a row is printed on (its first located cell's), None when the document has no pages."""
    return next((c.loc.page for c in row if c is not None and c.loc is not None and c.loc.page), None)


def _joined_pairs(rows: list[Row], join: Callable[[Row, Row], Row | None]) -> list[Row]:
    """The rows, each two neighbours that `join` makes one row (it says None otherwise) replaced by it."""
    out: list[Row] = []
    k = 0
    while k < len(rows):
        if k + 1 < len(rows) and (joined := join(rows[k], rows[k + 1])) is not None:
            out.append(joined)
            k += 2
            continue
        out.append(rows[k])
        k += 1
    return out


def _unsplit(rows: list[Row]) -> list[Row]:
    """A row a page break split between its label and its values made one again: the last row of a page
    printing values beside no label, and the next page's first row printing a row's label (（二）…) beside
    blank cells, or the other way round. Word and WeasyPrint break a row whose label wraps over several
    lines across the page, its values set at the top of the cells on the first page (or its label's
    lines carried to the next)."""
    return _joined_pairs(rows, _split_row)


def _split_row(a: Row, b: Row) -> Row | None:
    """The one row `a` (the foot of a page) and `b` (the head of the next) are, if a page break split it:
    one half prints a row's label (（二）…), the other none, and no column prints a value in both (each
    cell's text went to one page or the other: its values on the first, or some of them, set lower in
    their cells, on the next)."""
    page_a, page_b = _page_of(a), _page_of(b)
    if page_a is None or page_b is None or page_b <= page_a:
        return None
    (label_a, values_a, _), (label_b, values_b, _) = split_row(a), split_row(b)
    if _no_row_label(label_a) and _begins_row(label_b):
        first, label = next(c for c in b if c is not None), label_a + label_b
    elif _no_row_label(label_b) and _begins_row(label_a):
        first, label = next(c for c in a if c is not None), label_b + label_a
    else:
        return None
    # the halves' value columns counted from the right (one may have a blank column more on its left,
    # the cell beside a group's name)
    n = min(len(values_a), len(values_b))
    if any(v.text.strip() for v in [*values_a[: len(values_a) - n], *values_b[: len(values_b) - n]]):
        return None
    pairs = list(zip(values_a[len(values_a) - n :], values_b[len(values_b) - n :], strict=True))
    printed = [(bool(x.text.strip()), bool(y.text.strip())) for x, y in pairs]
    if any(x and y for x, y in printed) or not any(x or y for x, y in printed):
        return None  # a column printed in both halves (two rows), or nothing printed at all
    # a piece of a group's name beside the row (办理结果, set in the column left of the rows' labels) goes
    # first, as on one line: 办理结果（二）部分公开…
    return [Cell(label, first.loc), *(x if x.text.strip() else y for x, y in pairs)]


_SECTION_MARK = re.compile(r"\s*[一二三四五六七八九十]+\s*[、.．]")  # 三、 (a section), not （三） (a row)


def _no_row_label(label: str) -> bool:
    """Nothing, or only a group's name or a piece of it (办理结果, wrapped beside its rows; 三、本年度办理结果,
    the heading its （一）… rows are under): no row's label. （三）不予公开 begins the denied rows."""
    piece = norm_label(label)
    if not piece:
        return True
    if not any(piece in name for name in _GROUP_WORDS):
        return False
    return not _begins_row(label) or _SECTION_MARK.match(label) is not None


def _rejoined(rows: list[Row], width: int) -> list[Row]:
    """A row whose values a layout broke over two lines (5 1 / 其他情形） 0 0 0 0 6) made one again: a row
    short of values followed by one that does not begin a row and holds exactly the rest."""

    def join(a: Row, b: Row) -> Row | None:
        label, values, _ = split_row(a)
        if not 0 < len(values) < width:
            return None
        rest, more, _ = split_row(b)
        if len(values) + len(more) != width or ROW_START.match(rest):
            return None
        head = Cell(label + rest, a[0].loc if a[0] is not None else Location(raw=label + rest))
        return [head, *values, *more]

    return _joined_pairs(rows, join)


def _wrapped_round(rows: list[Row]) -> list[Row]:
    """A row's label wrapped round its values, read as two rows (a scan's grid missed the cell's middle, or
    split it there): a label that begins a row beside blank cells (2．申请人逾期未按收费通知要求缴纳费用、
    行政机) and, on the same page right under it, the rest of a label that begins none beside printed
    values (关不再处理其政府信息公开申请 2 0 0 0 0 0 2) are one row. Without it the first was read as a row
    of zeros printed blank, and the values were left to the next row's place or to none."""

    def join(a: Row, b: Row) -> Row | None:
        if _page_of(a) != _page_of(b):
            return None
        (label_a, values_a, _), (label_b, values_b, _) = split_row(a), split_row(b)
        if not (
            label_a
            and label_b
            and _begins_row(label_a)
            and not _begins_row(label_b)
            and not any(v.text.strip() for v in values_a)
            and any(v.text.strip() for v in values_b)
        ):
            return None
        first = next(c for c in a if c is not None)
        return [Cell(label_a + label_b, first.loc), *values_b]

    return _joined_pairs(rows, join)


def label_applications(rows: list[Row]) -> LabelledRows:
    """Table 3's raw rows placed by their labels: which column is which applicant, which row which code.

    Every row that prints values is matched to the template's rows all at once (`align.align`): the
    labels most alike in total, in the template's order, the label lines printed just before a row (a
    wrapped label's first part, a group's label) tried with it, and a row of the group a label named
    favoured. A row whose label is like no template row's is left out; a row with no label at all waits
    to be placed by its order (`read_applications`).
    """
    rows = _unsplit(_transposed(rows))
    order, named = _applicant_order(rows)
    rows = _wrapped_round(_rejoined(rows, len(order)))
    printed: list[align.Printed] = []
    cells: list[list[Cell]] = []
    group: str | None = None
    before: list[str] = []
    split = [split_row(r) for r in rows]
    labels = [label for label, _v, _i in split]
    for k, (label, values, _) in enumerate(split):
        # the row above printed its number and nothing of its own (三、本年度办（一） 34 2 … / 理结果 予以公开):
        # the label line under it is the rest of its label, though it reads as a row's whole label
        awaited = bool(printed) and not before and _awaits_text(printed[-1].own) and not _numbers(label)
        if (
            not any(v.text.strip() for v in values)
            and label
            and printed
            and (not _begins_row(label) or awaited)
        ):
            values = []  # blank cells beside the rest of a label cut by a page break: no row of its own
        elif not any(v.text.strip() for v in values) and _heading_only(label, labels[k + 1 :]):
            values = []  # a group's name set beside its rows (（六）其他处理 between 1． and 2．): no row
        if not values:
            # a label with no numbers: a group heading, the first part of a wrapped label, a header; or,
            # when it does not begin a row (no （二） or 2．), the rest of the row above's label (a group's
            # name only when the row above printed nothing but its number: （六） / 其他处理)
            continues = label and printed and not before and (not _begins_row(label) or awaited)
            if continues and (not _group_named(label) or not norm_label(printed[-1].own)):
                printed[-1] = replace(printed[-1], own=printed[-1].own + label)
            elif label:
                group = _group_named(label) or group
                before.append(label)
            continue
        group = _group_named(label) or group
        if not label and not before and not any(v.text.strip() for v in values):
            continue
        if len(values) > len(order):
            extra = values[: len(values) - len(order)]
            if all(not e.text.strip() for e in extra):
                values = values[len(values) - len(order) :]
        if len(values) == len(order):
            printed.append(align.Printed(label, "".join(before[-2:]), group))
            cells.append(values)
        before = []
    favoured = {
        (i, j): 0.1
        for i, p in enumerate(printed)
        for j, c in enumerate(_ALL_ROWS)
        if p.group and c.code.startswith(f"{p.group}_")
    }
    codes = align.align(printed, _ALL_ROWS, _GROUP_WORDS, favoured)
    placed: list[tuple[str | None, list[Cell]]] = []
    for p, code, values in zip(printed, codes, cells, strict=True):
        if code is None and (p.own or p.before):
            continue  # a label like no row of the template's
        placed.append((code, values))
    return LabelledRows(order, placed, named)


# a row only one template has shows that template: v2019's single （六）其他处理, v2021's three sub-rows
_ONLY_IN = {
    code: template
    for template in T.TEMPLATES
    for code in T.application_row_codes(template)
    if not all(code in T.application_row_codes(t) for t in T.TEMPLATES)
}


def template_shown(table: LabelledRows) -> str | None:
    """The template table 3's rows show (the last 其他处理 row decides), or None if they show none."""
    shown: str | None = None
    for code, _values in table.rows:
        shown = _ONLY_IN.get(code, shown) if code else shown
    return shown


OTHER_V2021 = ("other_no_correction", "other_fee_unpaid", "other_misc")


def _by_order(
    rows: list[tuple[str | None, list[Cell]]], template: str
) -> tuple[list[tuple[str, list[Cell]]], list[str]]:
    """Rows without labels placed by their order: each run between two labelled rows takes the template rows
    missing between them, when there are exactly as many. The rows placed, and the codes placed by order."""
    order = T.application_row_codes(template)
    present = {c for c, _v in rows if c}
    out: list[tuple[str, list[Cell]]] = []
    by_order: list[str] = []
    k = 0
    while k < len(rows):
        code, values = rows[k]
        if code is not None:
            out.append((code, values))
            k += 1
            continue
        run_end = k
        while run_end < len(rows) and rows[run_end][0] is None:
            run_end += 1
        before = next((c for c, _v in reversed(out)), None)
        after = next((c for c, _v in rows[run_end:] if c), None)
        lo = order.index(before) + 1 if before in order else 0
        hi = order.index(after) if after in order else len(order)
        gap = [c for c in order[lo:hi] if c not in present]
        if len(gap) == run_end - k:
            out += [(c, v) for c, (_n, v) in zip(gap, rows[k:run_end], strict=True)]
            by_order += gap
        else:
            raise ExtractError(
                "tables_not_found",
                f"table 3: {run_end - k} rows print no label and the template "
                f"misses {len(gap)} rows there ({', '.join(gap) or 'none'}): they cannot be placed",
            )
        k = run_end
    return out, by_order


def _parse(rows: list[tuple[str, list[Cell]]], applicants: list[str]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for code, values in rows:
        parsed: dict[str, int] = {}
        for applicant, cell in zip(applicants, values, strict=True):
            try:
                parsed[applicant] = parse_count(cell.text)
            except ValueError:
                continue
        out[code] = parsed
    return out


def _total_position(rows: list[tuple[str, list[Cell]]], width: int) -> dict[int, int]:
    """For each column, how many rows print in it the sum of their other columns (rows of zeros tell nothing)."""
    holds = dict.fromkeys(range(width), 0)
    for _code, cells in rows:
        try:
            values = [parse_count(c.text) for c in cells]
        except ValueError:
            continue
        total = sum(values)
        if len(values) != width or total == 0:
            continue
        for p, v in enumerate(values):
            holds[p] += 2 * v == total
    return holds


def _align_total(rows: list[tuple[str, list[Cell]]], table: LabelledRows) -> list[str]:
    """The applicant columns in printed order, 总计 where the rows' own sums put it.

    The six applicant columns cannot be told apart by arithmetic, so their order is the header's (or the
    template's when the header names none); only 总计's place is decided by the rows: the header's when as
    many rows add up there as anywhere, else the column where most rows do (the template's last place, then
    the first, before any other, when rows such as 1 0 0 0 0 0 1 add up in more than one).
    """
    width = len(table.applicants)
    if width != len(T.APPLICANT_CODES):
        return table.applicants
    parts = [a for a in table.applicants if a != "total"] if table.named else list(T.APPLICANT_PARTS)
    printed = table.applicants.index("total") if table.named else width - 1
    holds = _total_position(rows, width)
    best = max(holds.values())
    # on a tie the header's place, then the template's (last), then 总计 first, then the leftmost
    at = next(p for p in (printed, width - 1, 0, *range(width)) if holds[p] == best)
    return [*parts[:at], "total", *parts[at:]]


def _columns_hold(table: dict[str, dict[str, int]], template: str) -> bool:
    """Table 3's column identities: every outcome row sums to 总计, and 新收 + 结转 = 总计 + 结转下年."""
    outcomes = T.OUTCOME_ROWS[template]
    need = [*outcomes, "received_new", "carried_in", "handled_total", "carried_out"]
    if any(r not in table or len(table[r]) < len(T.APPLICANT_CODES) for r in need):
        return False
    return all(
        table["handled_total"][a] == sum(table[o][a] for o in outcomes)
        and table["received_new"][a] + table["carried_in"][a]
        == table["handled_total"][a] + table["carried_out"][a]
        for a in T.APPLICANT_CODES
    )


def read_applications(table: LabelledRows, template: str, report: Report) -> None:
    """Fill `report.applications` from table 3's labelled rows in the template's row order; others are warned of.

    Columns the header does not name are taken in the template's order, or with 总计 first, whichever the
    rows' own totals confirm (an assumption, recorded). Rows without labels are placed by order only where
    the count fits and the table's identities then hold (recorded); otherwise the table is refused.

    A v2021 report that still prints the v2019 single （六）其他处理 row: when it is 0 in every column, the
    three v2021 rows it stands for are exactly 0 (counts that sum to 0) and are filled, the assumption
    recorded; otherwise they stay unknown and the printed row is kept in the reading for `template_mixed`.
    """
    rows, by_order = _by_order(table.rows, template)
    applicants = _align_total(rows, table)
    if applicants != table.applicants or not table.named:
        report.reading.assume(
            "alignment_by_identities",
            "table 3's header does not name its applicant columns"
            if not table.named
            else "table 3's header places 总计 where the rows do not add up to it",
            applicants=list(applicants),
        )
    values = _parse(rows, applicants)
    for code, cells in rows:
        for applicant, cell in zip(applicants, cells, strict=True):
            if applicant in values[code]:
                report.provenance[f"applications.{code}.{applicant}"] = cell.loc
        report.applications[code] = {a: values[code][a] for a in T.APPLICANT_CODES if a in values[code]}
    if by_order:
        if not _columns_hold(report.applications, template):
            raise ExtractError(
                "tables_not_found",
                f"table 3: rows {', '.join(by_order)} print no label, and placed "
                "by their order the table's own identities do not hold",
            )
        report.reading.assume(
            "rows_by_order",
            "table 3 rows printed without labels were placed by their order; "
            "the count fits and the table's identities hold",
            rows=by_order,
        )
    valid_rows = T.application_row_codes(template)
    mixed = report.applications.get("other_handling")
    if template == "v2021" and mixed is not None and not any(r in report.applications for r in OTHER_V2021):
        if mixed and all(v == 0 for v in mixed.values()) and len(mixed) == len(T.APPLICANT_CODES):
            for row in OTHER_V2021:
                report.applications[row] = dict(mixed)
                for a in mixed:
                    report.provenance[f"applications.{row}.{a}"] = report.provenance[
                        f"applications.other_handling.{a}"
                    ]
            report.reading.assume(
                "other_handling_zero_split",
                "a v2021 table 3 prints the v2019 single （六）其他处理 "
                "row, 0 in every column: its three v2021 rows are 0",
            )
        else:
            report.reading.details["other_handling_printed"] = dict(mixed)
        del report.applications["other_handling"]
    for extra in [r for r in report.applications if r not in valid_rows]:
        # the dropped row's provenance is kept: it still says where the printed row sits
        report.warnings.append({"kind": "row_not_in_template", "row": extra, "template": template})
    report.applications = {r: report.applications[r] for r in valid_rows if r in report.applications}
