"""PDF reports: pypdfium2 reads every page, pdfplumber's table finder runs only on the pages with tables.

pypdfium2 pulls a page's text in a few milliseconds; pdfminer (under pdfplumber) costs 40-300 ms a page
just to parse. So the body text comes from pdfium, the pages that hold tables 2-4 are located by their
headings and labels in that text, and those pages' chars and ruling paths, read by pdfium
(`pdfium_page.PdfiumPage`), go through pdfplumber's `TableFinder`. pdfplumber's own reading (pdfminer)
of those pages is the fallback when that finds fewer than three tables.

pdfium never sees a system font (`pdffonts`), so what it reads does not depend on the machine. A page
whose glyph boxes still come out degenerate (an embedded font with empty outlines, text objects pdfium
cannot place) is read wholly by pdfminer instead, and the report's `reading` says which pages and why.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import re
import threading
from bisect import bisect_left
from dataclasses import dataclass
from io import BytesIO
from typing import Any

import pdfplumber
import pypdfium2 as pdfium
from pdfplumber.table import TableFinder, merge_edges
from pdfplumber.utils.text import extract_text

from nianbao.pipeline.errors import ExtractError
from nianbao.pipeline.extract import positions
from nianbao.pipeline.extract.cells import Cell, ParsedDocument, RawTable, Row
from nianbao.pipeline.extract.facts import read_fees
from nianbao.pipeline.extract.glyphs import clean_text
from nianbao.pipeline.extract.limits import check_pages, check_pdf
from nianbao.pipeline.extract.pdfium_page import PdfiumPage, check_page
from nianbao.pipeline.extract.sections import all_sections, sections_found
from nianbao.pipeline.model import Location

# pdfminer logs a warning for every odd object; a report's oddities are not our log's business
logging.getLogger("pdfminer").setLevel(logging.ERROR)

_FOOTER = re.compile(
    r"^\s*([-—–－]\s*\d+\s*[-—–－]|第\s*\d+\s*页(\s*[/共]\s*\d+\s*页?)?|\d+\s*/\s*\d+|\d{1,3})\s*$"
)
_HEADING_START = re.compile(
    r"^\s*([一二三四五六七八九十]+\s*[、.．]|[（(][一二三四五六七八九十]+[）)]|\d+\s*[.、．])"
)
_NO_JOIN_AFTER = ("。", "：", ":", "；", ";", "！", "？")

# what puts a page in the table zone: headings and labels of tables 2-4
_TABLE_START = re.compile(r"二[、.．]主动公开政府信息情况|第二十条")
_TABLE_ANY = re.compile(
    r"第二十条|本年新收|上年结转|不予公开|无法提供|不予处理|结转下年|复议后起诉|申请人情况"
)
_SECTION_FIVE = re.compile(r"五\s*[、.．]\s*存在的?主要问题")
_TABLE_END = re.compile(r"结果维持|复议后起诉|尚未审结")
_TABLE_HEAD = re.compile(r"第二十条|主动公开政府信息情况|收到和处理|申请人情况|行政复议|勾稽")

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u2e80-\u2fdf]")
_JUNK = re.compile(r"[\u0080-\u024f\ufffd\ufffe\uffff\ue000-\uf8ff\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass
class _PageText:
    """One page's text lines as pdfium reads them, with each line's box (top-left origin)."""

    number: int
    lines: list[tuple[str, tuple[float, float, float, float]]]


def _check_whole(data: bytes) -> None:
    """Refuse a cut-off file before any parser sees it."""
    end = data.rfind(b"%%EOF")
    if end == -1 or len(data[end + 5 :].strip(b"\r\n\t \x00")) > 1024:
        raise ExtractError("truncated", "the PDF ends without %%EOF: the file was cut off")


def _open_pdfium(data: bytes) -> pdfium.PdfDocument:
    """The pdfium document, or the refusal that says why it cannot be opened."""
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        msg = str(e).lower()
        if "password" in msg or "security" in msg:
            raise ExtractError("encrypted", "the PDF is encrypted and needs a password to open") from e
        raise ExtractError("truncated", f"the PDF cannot be parsed ({e})") from e


def _page_lines(page: pdfium.PdfPage, textpage: pdfium.PdfTextPage, number: int) -> _PageText:
    """A page's lines (footers dropped) with their boxes.

    Footers are told on whole lines, once pdfium's pieces of a line are joined: a page whose every
    character pdfium sets on a line of its own (Chromium) would otherwise lose each digit as a page
    number (a signature's date 2021年1月10日 read 年月日)."""
    height = page.get_height()
    raw = textpage.get_text_range()
    n = textpage.count_chars()
    lines: list[tuple[str, tuple[float, float, float, float]]] = []
    pos = 0
    for line in raw.split("\r\n"):
        end = pos + len(line)
        if line.strip() and len(raw) == n:
            a = textpage.get_charbox(pos)
            b = textpage.get_charbox(end - 1)
            lo, hi = min(a[1], b[1]), max(a[3], b[3])
            box = (min(a[0], b[0]), height - hi, max(a[2], b[2]), height - lo)
            if lines and _same_line(lines[-1][1], box):  # pdfium broke a line where its font changed
                prev, pbox = lines.pop()
                line, box = prev + line, (pbox[0], min(pbox[1], box[1]), box[2], max(pbox[3], box[3]))
            lines.append((line, box))
        elif line.strip():
            lines.append((line, (0.0, 0.0, 0.0, 0.0)))
        pos = end + 2
    return _PageText(number, [(line, box) for line, box in lines if not _FOOTER.match(line)])


def _same_line(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    """Two pieces of text on one line, the second just after the first (less than two characters apart): one
    lies within the other's height (a full stop's box is low and short)."""
    size = max(a[3] - a[1], b[3] - b[1], 1.0)
    within = any(
        p[1] >= q[1] - 0.3 * size and p[3] <= q[3] + 0.3 * size and p[3] - p[1] > 0
        for p, q in ((a, b), (b, a))
    )
    return within and a[2] - 1 <= b[0] < a[2] + 2 * size


def _runs_on(pages: list[_PageText]) -> list[tuple[str, bool]]:
    """Each line's text, and whether it runs on: it reaches the page's right margin, ends no clause, and the
    next line on its page follows at a paragraph's line spacing (a table's last row, its value flush right
    at the margin, does not run on into the signature set well below it)."""
    out: list[tuple[str, bool]] = []
    for page in pages:
        right = max((b[2] for _, b in page.lines), default=0.0)
        for k, (line, box) in enumerate(page.lines):
            text = clean_text(line).rstrip()
            size = max(box[3] - box[1], 6.0)  # the line's height: about one character's width
            below = page.lines[k + 1][1] if k + 1 < len(page.lines) else None
            apart = below is not None and below[3] > 0 and below[1] - box[3] > 1.5 * size
            full = (
                right > 0 and box[2] >= right - 1.6 * size and not text.endswith(_NO_JOIN_AFTER) and not apart
            )
            out.append((text, full))
    return out


def _reflow(lines: list[tuple[str, bool]]) -> str:
    """Lines joined into paragraphs: a line that runs on takes the next one, unless that one is a heading."""
    out: list[str] = []
    runs_on = False
    for text, full in lines:
        if runs_on and not _HEADING_START.match(text):
            out[-1] += text.lstrip()
        else:
            out.append(text)
        runs_on = full
    return "\n".join(out)


def _body_text(pages: list[_PageText]) -> str:
    """The pages' lines reflowed: a line that runs to the right margin continues on the next one."""
    return _reflow(_runs_on(pages))


def _garbled(text: str) -> bool:
    """True when the text layer is not Chinese at all: glyph codes or bytes read through a Latin font."""
    if "(cid:" in text:
        return True
    visible = re.sub(r"\s", "", text)
    cjk = len(_CJK.findall(visible))
    junk = len(_JUNK.findall(visible))
    return cjk < 20 and junk > max(cjk, len(visible) // 10)


def _table_pages(pages: list[_PageText]) -> list[int]:
    """1-based numbers of the pages that hold tables 2-4: from the first table heading to section 五."""
    texts = ["".join(clean_text(s) for s, _ in p.lines).replace(" ", "") for p in pages]
    hits = [i for i, t in enumerate(texts) if _TABLE_ANY.search(t)]
    if not hits:
        return [p.number for p in pages]
    n = len(pages)
    starts = [i for i, t in enumerate(texts) if _TABLE_START.search(t)]
    first = starts[0] if starts else hits[0]
    ends = [i for i in range(first, n) if _TABLE_END.search(texts[i])]
    last = ends[-1] if ends else max([h for h in hits if h >= first], default=first)
    fives = [i for i in range(last, n) if _SECTION_FIVE.search(texts[i])]
    last = fives[0] if fives else min(last + 1, n - 1)
    return [p.number for p in pages[first : last + 1]]


def _cell_text(text: str | None) -> str | None:
    """A cell's text with wrapped lines joined and odd code points mapped back."""
    if text is None:
        return None
    return clean_text(re.sub(r"\s*\n\s*", "", text)).strip()


def _is_prose(row: Row) -> bool:
    """A row that is one line of body text: a bordered text frame reported as a table."""
    cells = [c for c in row if c is not None]
    if len(cells) != 1 or not cells[0].text:
        return False  # a row with cells of its own (even empty ones) is a table row
    t = cells[0].text
    return not _TABLE_HEAD.search(t) and (t.endswith("。") or len(t) >= 16)


def _trim_prose(rows: list[Row]) -> list[Row]:
    """Drop body-text rows before and after the table proper."""
    start = 0
    while start < len(rows) and _is_prose(rows[start]):
        start += 1
    end = len(rows)
    while end > start and _is_prose(rows[end - 1]):
        end -= 1
    return rows[start:end]


def _edge(x0: float, top: float, x1: float, bottom: float) -> dict[str, Any]:
    """A synthesized ruling edge (passed to pdfplumber as an explicit line)."""
    o = "h" if top == bottom else "v"
    return {
        "x0": x0,
        "x1": x1,
        "top": top,
        "bottom": bottom,
        "width": x1 - x0,
        "height": bottom - top,
        "orientation": o,
        "object_type": "line_edge",
    }


def _open_ends(v: list[dict[str, Any]], h: list[dict[str, Any]], tol: float = 2.0) -> list[dict[str, Any]]:
    """Rules a partly ruled table leaves out: unclosed tops/bottoms of column rules, open left/right sides."""
    # a row of column rules whose top (bottom) no horizontal rule closes: a table continued on a new page
    # without its top rule; open sides are closed only between rows whose interior column rules show
    # that they belong to one table
    out: list[dict[str, Any]] = []
    for key in ("top", "bottom"):
        loose: dict[int, list[float]] = {}
        for e in v:
            y, x = e[key], e["x0"]
            if not any(abs(g["top"] - y) <= tol and g["x0"] - tol <= x <= g["x1"] + tol for g in h):
                loose.setdefault(round(y), []).append(x)
        for y, xs in loose.items():
            if len(xs) >= 3:
                # across every column rule ending there (the loose ones among them): one a short rule nearby
                # happens to close (a header cell's bottom just under a continued table's top) is still a
                # column of the row
                row = [e["x0"] for e in v if abs(e[key] - y) <= tol]
                out.append(_edge(min(row), y, max(row), y))
    rows = h + out
    for side in ("x0", "x1"):
        ends: dict[int, list[dict[str, Any]]] = {}
        for e in rows:
            x, y = e[side], e["top"]
            if not any(abs(g["x0"] - x) <= tol and g["top"] - tol <= y <= g["bottom"] + tol for g in v):
                ends.setdefault(round(x), []).append(e)
        for x, group in ends.items():
            group.sort(key=lambda e: e["top"])
            for a, b in itertools.pairwise(group):
                lo, hi = min(a["x0"], a["x1"]), max(a["x0"], a["x1"])
                if any(
                    g["top"] <= a["top"] + tol
                    and g["bottom"] >= b["top"] - tol
                    and lo + tol < g["x0"] < hi - tol
                    for g in v
                ):
                    out.append(_edge(float(x), a["top"], float(x), b["top"]))
    return out


SNAP = 3.0  # pdfplumber's default: rules this close (or closer) count as one


def _collapsed_row_gap(edges: list[dict[str, Any]]) -> float | None:
    """The space between the two rules of the narrowest row whose cells are all empty and shrunk to a few
    points (Chromium draws a table row with nothing in it ~3 pt tall), when pdfplumber's snap would merge
    those rules and lose the row; None when there is no such row.

    Such a row shows as cell borders (at least three vertical rules at one height, none of them taller than
    the row) between two horizontal rules: a double border drawn as two close lines has no cell borders
    between them."""
    short: dict[tuple[float, float], set[int]] = {}
    for e in edges:
        if e["orientation"] == "v" and 1.0 < e["bottom"] - e["top"] <= SNAP + 2.0:
            short.setdefault((round(e["top"], 1), round(e["bottom"], 1)), set()).add(round(e["x0"]))
    if not short:  # most pages
        return None
    tops = sorted(e["top"] for e in edges if e["orientation"] == "h" and e["x1"] - e["x0"] > 2)
    gaps = []
    for (top, bottom), xs in short.items():
        if len(xs) < 3:
            continue
        near = [y for y in tops if top - 1.0 <= y <= bottom + 1.0]
        widest = max((b - a for a, b in itertools.pairwise(near)), default=0.0)
        if 1.0 < widest <= SNAP:
            gaps.append(widest)
    return min(gaps, default=None)


def _closing_lines(edges: list[dict[str, Any]]) -> dict[str, Any]:
    """Table settings adding the rules that partly ruled tables leave out (see `_open_ends`), and keeping
    apart the rules of a row collapsed to a few points (`_collapsed_row_gap`)."""
    gap = _collapsed_row_gap(edges)
    settings: dict[str, Any] = {} if gap is None else {"snap_y_tolerance": gap - 0.5}
    # rules drawn in pieces (cell by cell) count as one
    edges = merge_edges(list(edges), SNAP, SNAP, SNAP, SNAP)
    v = [e for e in edges if e["orientation"] == "v" and e["bottom"] - e["top"] > 2]
    h = [e for e in edges if e["orientation"] == "h" and e["x1"] - e["x0"] > 2]
    extra = _open_ends(v, h) if v and h else []
    if not extra:
        return settings
    return {
        **settings,
        "explicit_vertical_lines": [e for e in extra if e["orientation"] == "v"],
        "explicit_horizontal_lines": [e for e in extra if e["orientation"] == "h"],
    }


def _extract(table: Any, chars: list[dict[str, Any]]) -> list[list[str | None]]:
    """`Table.extract()` of pdfplumber (a char belongs to the cell holding its centre), rows found by bisection."""
    x0, top, x1, bottom = table.bbox
    mids = sorted(
        ((c["top"] + c["bottom"]) / 2, (c["x0"] + c["x1"]) / 2, n)
        for n, c in enumerate(chars)
        if x0 <= (c["x0"] + c["x1"]) / 2 < x1 and top <= (c["top"] + c["bottom"]) / 2 < bottom
    )
    keys = [m[0] for m in mids]
    out: list[list[str | None]] = []
    for row in table.rows:
        lo, hi = bisect_left(keys, row.bbox[1]), bisect_left(keys, row.bbox[3])
        in_row = mids[lo:hi]
        cells: list[str | None] = []
        for cell in row.cells:
            if cell is None:
                cells.append(None)
                continue
            picked = sorted(n for v, h, n in in_row if cell[0] <= h < cell[2] and cell[1] <= v < cell[3])
            cells.append(extract_text([chars[n] for n in picked]))
        out.append(cells)
    return out


@dataclass
class _Band:
    """What pdfplumber's `TableFinder` reads of a page, with only the rules of one band of it (`_bands`)."""

    page: Any
    edges: list[dict[str, Any]]

    @property
    def bbox(self) -> Any:
        return self.page.bbox

    @property
    def chars(self) -> Any:
        return self.page.chars

    def extract_words(self, **kwargs: Any) -> Any:
        return self.page.extract_words(**kwargs)


def _bands(edges: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """A page's rules in bands, top to bottom, each apart from the next by more than twice the snap.

    pdfplumber snaps rules by their position alone, over the whole page: the columns of a table further
    down (368.25 and 369.0, one cell's border) were moved to 365.3, the mean of them and the rules of the
    table above within the snap of them, chained, and a value set flush right in its cell fell into the
    next. Tables found band by band are each snapped with their own rules; a table's own
    rules all touch, so it is never split, and tables set close together stay in one band, as before."""
    spans = sorted((e["top"], e["bottom"], n) for n, e in enumerate(edges))
    bands: list[list[dict[str, Any]]] = []
    reach = float("-inf")
    for top, bottom, n in spans:
        if not bands or top - reach > 2 * SNAP:
            bands.append([])
        bands[-1].append(edges[n])
        reach = max(reach, bottom)
    return bands


def _tables_on(page: Any) -> list[RawTable]:
    """The ruled tables of one pdfplumber page, cells located; falls back to text-aligned columns."""
    out: list[RawTable] = []
    found: list[Any] = [
        t
        for band in _bands(page.edges)
        for t in TableFinder(_Band(page, band), _closing_lines(band)).tables  # type: ignore[arg-type]
    ]
    for table in sorted(found, key=lambda t: (t.bbox[1], t.bbox[0])):
        texts = _extract(table, page.chars)
        rows: list[Row] = []
        for r, trow in zip(table.rows, texts, strict=False):
            row: Row = []
            for bbox, raw in zip(r.cells, trow, strict=False):
                if bbox is None or raw is None:
                    row.append(None)
                    continue
                text = _cell_text(raw) or ""
                row.append(Cell(text, Location(raw=raw, page=page.page_number, bbox=tuple(bbox))))
            rows.append(row)
        rows = _trim_prose(rows)
        if rows:
            out.append(RawTable(rows=rows))
    return out


def _locate(raw: str, pages: list[_PageText]) -> Location | None:
    """The page and line box of a sentence from the body text."""
    key = re.sub(r"\s", "", raw)[-12:]
    for page in pages:
        for line, box in page.lines:
            if key and key in re.sub(r"\s", "", clean_text(line)):
                return Location(raw=raw, page=page.number, bbox=box)
    for page in pages:
        for line, box in page.lines:
            if key[-6:] and key[-6:] in re.sub(r"\s", "", clean_text(line)):
                return Location(raw=raw, page=page.number, bbox=box)
    return None


Handles = list[tuple[pdfium.PdfPage, pdfium.PdfTextPage]]


def tables_on(page: Any) -> list[RawTable]:
    """The ruled tables of a page-like object with `chars` and `edges` (pdfplumber, pdfium or OCR'd)."""
    return _tables_on(page)


def _tables_by_pdfium(handles: Handles, wanted: list[int]) -> list[RawTable]:
    """Tables of the wanted pages, from pdfium's chars and paths through pdfplumber's table finder."""
    tables: list[RawTable] = []
    for number in wanted:
        page, textpage = handles[number - 1]
        try:
            tables.extend(_tables_on(PdfiumPage(page, textpage, number)))
        except (pdfium.PdfiumError, ValueError, ArithmeticError, IndexError, KeyError, TypeError):
            continue  # an odd page: the pdfplumber fallback gets its turn if a table is missing
    return tables


def _tables_by_pdfplumber(data: bytes, wanted: list[int]) -> list[RawTable]:
    """Tables of the wanted pages as pdfplumber itself reads them (the slower, reference path)."""
    with _Pdfminer(data, wanted) as miner:
        return [t for n in wanted for t in miner.tables(n)]


class _Pdfminer:
    """pdfplumber's own reading (pdfminer) of some pages of a document, opened once."""

    def __init__(self, data: bytes, numbers: list[int]) -> None:
        self._pdf: Any = None
        self.pages: dict[int, Any] = {}
        if not numbers:
            return
        try:
            self._pdf = pdfplumber.open(BytesIO(data), pages=numbers)
            self.pages = {p.page_number: p.dedupe_chars() for p in self._pdf.pages}
        except Exception as e:  # pdfminer raises many kinds on a damaged file
            self.close()
            raise ExtractError("truncated", f"the PDF's pages cannot be parsed ({type(e).__name__})") from e

    def __enter__(self) -> _Pdfminer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release pdfminer's document."""
        if self._pdf is not None:
            pdf, self._pdf = self._pdf, None
            with contextlib.suppress(Exception):  # pdfplumber's close walks the pages: a damaged one raises
                pdf.close()

    def lines(self, number: int) -> _PageText:
        """A page's text lines (footers dropped) with their boxes."""
        try:
            found = self.pages[number].extract_text_lines(strip=True, return_chars=False)
        except Exception as e:
            raise ExtractError("truncated", f"page {number} cannot be parsed ({type(e).__name__})") from e
        lines = [(ln["text"], (ln["x0"], ln["top"], ln["x1"], ln["bottom"])) for ln in found]
        return _PageText(number, [(t, b) for t, b in lines if t.strip() and not _FOOTER.match(t)])

    def tables(self, number: int) -> list[RawTable]:
        """A page's tables."""
        try:
            return _tables_on(self.pages[number])
        except Exception as e:
            raise ExtractError("truncated", f"page {number} cannot be parsed ({type(e).__name__})") from e


def _tables_of(handles: Handles, miner: _Pdfminer, wanted: list[int]) -> list[RawTable]:
    """Tables of the wanted pages, each page through pdfium unless it was handed to pdfminer."""
    if not any(n in miner.pages for n in wanted):
        return _tables_by_pdfium(handles, wanted)
    out: list[RawTable] = []
    for number in wanted:
        out.extend(miner.tables(number) if number in miner.pages else _tables_by_pdfium(handles, [number]))
    return out


def _tables_by_position(handles: Handles, miner: _Pdfminer, numbers: list[int]) -> list[RawTable]:
    """Tables of pages that print them without ruling lines, from where their words sit."""
    out: list[RawTable] = []
    carried = positions.Carry()
    for n in numbers:
        if n in miner.pages:
            chars = miner.pages[n].chars
        else:
            page, textpage = handles[n - 1]
            chars = PdfiumPage(page, textpage, n).chars
        found, tail = positions.tables(
            chars, n, carried if n - 1 in numbers else positions.Carry(), last=n + 1 not in numbers
        )
        out.extend(found)
        carried = tail
    return out


# pdfium is not thread-safe (two threads reading PDFs at once segfaulted in libpdfium): one PDF at a time
# per process. Documents are read in parallel across processes.
_PDFIUM = threading.Lock()


def parse_pdf(data: bytes) -> ParsedDocument:
    """A PDF report's body text and its tables 2-4, read from the pages that hold them."""
    _check_whole(data)
    check_pdf(data)  # resource limits (issue 18): streams inflated and counted first
    with _PDFIUM:
        return _parse(data)


def _parse(data: bytes) -> ParsedDocument:
    """`parse_pdf` under the pdfium lock: pages checked, text read, table pages found and read."""
    doc = _open_pdfium(data)
    handles: Handles = []
    fallback: dict[int, str] = {}  # page → why pdfium's reading of it is not trusted
    fonts: set[str] = set()
    try:
        check_pages(len(doc))  # resource limits (issue 18)
        try:
            for i in range(len(doc)):
                page = doc[i]
                handles.append((page, page.get_textpage()))
                check = check_page(page)
                fonts |= check.fonts_not_embedded
                if check.degenerate:
                    fallback[i + 1] = check.degenerate
        except pdfium.PdfiumError as e:
            raise ExtractError("truncated", f"a page of the PDF cannot be read ({e})") from e
        if not handles:
            raise ExtractError("truncated", "the PDF has no pages")
        with _Pdfminer(data, sorted(fallback)) as miner:
            pages = [
                miner.lines(n) if n in fallback else _page_lines(page, textpage, n)
                for n, (page, textpage) in enumerate(handles, 1)
            ]
            all_text = "\n".join(s for p in pages for s, _ in p.lines)
            if not all_text.strip():
                return _read_scan(
                    doc, "no_text_layer", "no page has a text layer (scanned or image-only PDF)"
                )
            if _garbled(all_text):
                return _read_scan(
                    doc,
                    "garbled_text",
                    "the text layer is not readable Chinese (fonts without a Unicode map)",
                )
            wanted = _table_pages(pages)
            tables = _tables_of(handles, miner, wanted)
            if not all_sections(tables) and len(wanted) < len(pages):
                # the headings misled the page choice: every page is still cheap through pdfium
                everywhere = _tables_of(handles, miner, [p.number for p in pages])
                if sections_found(everywhere) > sections_found(tables):
                    tables, wanted = everywhere, [p.number for p in pages]
            positioned: list[RawTable] = []
            if not all_sections(tables):  # no ruling lines at all? columns from the words' positions
                positioned = _tables_by_position(handles, miner, [p.number for p in pages])
    finally:
        for page, textpage in handles:
            textpage.close()
            page.close()
        doc.close()
    if not all_sections(tables):
        # pdfium's view of the page missed a table: let pdfplumber (pdfminer) read those pages itself
        slow = _tables_by_pdfplumber(data, wanted)
        if sections_found(slow) > sections_found(tables):
            tables = slow
            fallback.update(
                {n: "pdfium's reading found fewer of tables 2-4" for n in wanted if n not in fallback}
            )
    if not all_sections(tables) and not all_sections(positioned):
        # tables pasted in as pictures: the pages with a large image are read by OCR
        scanned = _scan_image_pages(data, tables, positioned, _body_text(pages))
        if scanned is not None:
            return scanned
    from_positions = not all_sections(tables) and sections_found(positioned) > sections_found(tables)
    if from_positions:
        tables = positioned
    if any("(cid:" in c.text for t in tables for r in t.rows for c in r if c is not None):
        raise ExtractError("garbled_text", "table text is glyph codes (cid:NNN), not characters")
    text = _body_text(pages)
    locations: dict[str, Location] = {}
    fees = read_fees(text)
    if fees is not None:
        loc = _locate(fees.raw, pages)
        if loc is not None:
            locations["fees"] = loc
    reading: dict[str, Any] = {"pages": len(handles)}
    if from_positions:
        reading["tables_from_positions"] = True  # the tables print no ruling lines
    if fallback:
        reading["read_by_pdfminer"] = [{"page": n, "why": why} for n, why in sorted(fallback.items())]
    if fonts:
        # their glyph boxes came from nianbao's fixed metrics font (pdffonts), never from the machine
        reading["fonts_not_embedded"] = sorted(fonts)
    return ParsedDocument(text=text, tables=tables, format="pdf", text_locations=locations, reading=reading)


# ----------------------------------------------------------------------------- scanned pages (issue 13)
def _render(doc: pdfium.PdfDocument) -> Any:
    """A function rendering page n (1-based) of the document to a greyscale array at a resolution."""

    def render(number: int, dpi: float) -> Any:
        bitmap = doc[number - 1].render(scale=dpi / 72, grayscale=True)
        array = bitmap.to_numpy()
        return array[:, :, 0].copy() if array.ndim == 3 else array.copy()

    return render


def _read_scan(doc: pdfium.PdfDocument, code: str, message: str) -> ParsedDocument:
    """A PDF without a usable text layer read by OCR, or the refusal it had when OCR reads no report."""
    from nianbao.pipeline.extract import ocr

    if not ocr.available():
        raise ExtractError(code, f"{message}; OCR is not installed (rapidocr-onnxruntime)")
    from nianbao.pipeline.extract.scan import read_scan

    parsed = read_scan(_render(doc), len(doc), tables_on, why=code)
    if parsed is None:
        raise ExtractError(code, f"{message}; OCR read no report tables from its pages")
    return parsed


def _image_pages(data: bytes) -> list[int]:
    """Pages holding images that may be a table pasted in as a picture: one covering at least a quarter
    of the page, or images as wide as a table is (at least 40 % of the page's width) at least 1/20 of
    its height together (a picture some producers cut into strips counts whole). A short wide table
    (table 4: a header and a row or two) pasted into Word at the text's width covers 15-20 % of an A4
    page; a seal or a logo is not as wide, a rule not as tall."""
    doc = _open_pdfium(data)
    out = []
    try:
        for i in range(len(doc)):
            page = doc[i]
            width, height = page.get_width(), page.get_height()
            wide = 0.0
            for obj in page.get_objects(filter=(pdfium.raw.FPDF_PAGEOBJ_IMAGE,), max_depth=4):
                x0, y0, x1, y1 = obj.get_bounds()
                w, h = x1 - x0, y1 - y0
                wide += h if w >= 0.4 * width else 0.0
                if w * h >= 0.25 * width * height or wide >= height / 20:
                    out.append(i + 1)
                    break
    finally:
        doc.close()
    return out


def _scan_image_pages(
    data: bytes, tables: list[RawTable], positioned: list[RawTable], text: str
) -> ParsedDocument | None:
    """A text PDF whose tables are pictures: its pages holding large images read by OCR, their tables
    joined to those the text layer gave (in page order); None when there are no such pages or OCR is not
    installed."""
    from nianbao.pipeline.extract import ocr

    pictured = _image_pages(data)  # (the caller holds the pdfium lock)
    if not pictured or not ocr.available():
        return None
    from nianbao.pipeline.extract.scan import read_scan

    doc = _open_pdfium(data)
    try:
        scanned = read_scan(_render(doc), len(doc), tables_on, why="table_image", only=pictured)
    finally:
        doc.close()
    if scanned is None:
        return None
    from_text = [t for t in tables if not _on_pages(t, set(pictured))]
    joined = sorted([*from_text, *scanned.tables], key=_first_page)
    if sections_found(joined) <= max(sections_found(tables), sections_found(positioned)):
        return None
    scanned.tables = joined
    # the body is in the text layer; the pictured pages' OCR'd text joins it in page order (a pictured
    # first page holds the title)
    scanned.text = f"{scanned.text}\n{text}" if 1 in pictured else f"{text}\n{scanned.text}"
    return scanned


def _first_page(table: RawTable) -> int:
    return min((c.loc.page or 0 for r in table.rows for c in r if c is not None), default=0)


def _on_pages(table: RawTable, pages: set[int]) -> bool:
    return _first_page(table) in pages
