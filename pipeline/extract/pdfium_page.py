"""A page as pdfplumber's table finder sees it (chars and ruling edges), read by pdfium instead of pdfminer.

pdfminer parses a table-heavy page in 100-300 ms of pure Python; pdfium reads the same characters and
path segments in a few milliseconds. `PdfiumPage` carries just what `pdfplumber.table.TableFinder` and
`Table.extract` use: `chars`, `edges`, `bbox`, `page_number` and `extract_words`.
"""

from __future__ import annotations

import ctypes
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as C
from pdfplumber.utils.text import extract_words

from nianbao.pipeline.extract import pdffonts

# before any document is opened: non-embedded fonts get the fixed metrics font, never a system one
pdffonts.install()

Matrix = tuple[float, float, float, float, float, float]
View = Callable[[float, float], tuple[float, float]]
_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
_AXIS_TOL = 0.5  # a segment within this of horizontal/vertical is a ruling edge
_FLAT = 1e-3  # a glyph box thinner than this (points) has no extent


def _mul(m: Matrix, n: Matrix) -> Matrix:
    """The matrix product m·n (apply m, then n), PDF row-vector convention."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    )


def _matrix(obj: Any) -> Matrix:
    """A page object's transformation matrix."""
    m = C.FS_MATRIX()
    if not C.FPDFPageObj_GetMatrix(obj, ctypes.byref(m)):
        return _IDENTITY
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _edge(x0: float, top: float, x1: float, bottom: float, orientation: str) -> dict[str, Any]:
    """An edge dict as pdfplumber builds them."""
    return {
        "x0": x0,
        "x1": x1,
        "top": top,
        "bottom": bottom,
        "doctop": top,
        "width": x1 - x0,
        "height": bottom - top,
        "orientation": orientation,
        "object_type": "line",
    }


def _view(page: pdfium.PdfPage) -> tuple[View, tuple[float, float]]:
    """PDF user space → the page as displayed (top-left origin, /Rotate applied), and the displayed size."""
    x0, y0, x1, y1 = page.get_mediabox()
    w, h = x1 - x0, y1 - y0
    rot = page.get_rotation() % 360
    if rot == 90:
        return (lambda x, y: (y - y0, x - x0)), (h, w)
    if rot == 180:
        return (lambda x, y: (x1 - x, y - y0)), (w, h)
    if rot == 270:
        return (lambda x, y: (y1 - y, x1 - x)), (h, w)
    return (lambda x, y: (x - x0, y1 - y)), (w, h)


def _path_edges(obj: Any, m: Matrix, view: View, out: list[dict[str, Any]]) -> None:
    """The axis-aligned segments of one painted path, as edges in top-left page coordinates."""
    fill = ctypes.c_int()
    stroke = ctypes.c_int()
    if (
        C.FPDFPath_GetDrawMode(obj, ctypes.byref(fill), ctypes.byref(stroke))
        and not fill.value
        and not stroke.value
    ):
        return
    a, b, c, d, e, f = m
    x, y = ctypes.c_float(), ctypes.c_float()
    start: tuple[float, float] | None = None
    cur: tuple[float, float] | None = None
    for i in range(C.FPDFPath_CountSegments(obj)):
        seg = C.FPDFPath_GetPathSegment(obj, i)
        C.FPDFPathSegment_GetPoint(seg, ctypes.byref(x), ctypes.byref(y))
        pt = view(x.value * a + y.value * c + e, x.value * b + y.value * d + f)
        kind = C.FPDFPathSegment_GetType(seg)
        if kind == C.FPDF_SEGMENT_MOVETO or cur is None:
            start = cur = pt
        else:
            if kind == C.FPDF_SEGMENT_LINETO:
                _segment(cur, pt, out)
            cur = pt
        if C.FPDFPathSegment_GetClose(seg) and start is not None and cur is not None:
            _segment(cur, start, out)
            cur = start


def _segment(p: tuple[float, float], q: tuple[float, float], out: list[dict[str, Any]]) -> None:
    """Append the segment p→q if it is horizontal or vertical."""
    if abs(p[1] - q[1]) <= _AXIS_TOL and abs(p[0] - q[0]) > _AXIS_TOL:
        y = (p[1] + q[1]) / 2
        out.append(_edge(min(p[0], q[0]), y, max(p[0], q[0]), y, "h"))
    elif abs(p[0] - q[0]) <= _AXIS_TOL and abs(p[1] - q[1]) > _AXIS_TOL:
        x0 = (p[0] + q[0]) / 2
        out.append(_edge(x0, min(p[1], q[1]), x0, max(p[1], q[1]), "v"))


def _collect_edges(
    container: Any, is_form: bool, parent: Matrix, view: View, out: list[dict[str, Any]], depth: int = 0
) -> None:
    """Edges of every path on the page, descending into form XObjects."""
    count = C.FPDFFormObj_CountObjects(container) if is_form else C.FPDFPage_CountObjects(container)
    for i in range(count):
        obj = C.FPDFFormObj_GetObject(container, i) if is_form else C.FPDFPage_GetObject(container, i)
        kind = C.FPDFPageObj_GetType(obj)
        if kind == C.FPDF_PAGEOBJ_PATH:
            _path_edges(obj, _mul(_matrix(obj), parent), view, out)
        elif kind == C.FPDF_PAGEOBJ_FORM and depth < 8:
            _collect_edges(obj, True, _mul(_matrix(obj), parent), view, out, depth + 1)


def _text_objects(container: Any, is_form: bool = False, depth: int = 0) -> Iterator[Any]:
    """Every text object of a page, form XObjects included."""
    count = C.FPDFFormObj_CountObjects(container) if is_form else C.FPDFPage_CountObjects(container)
    for i in range(count):
        obj = C.FPDFFormObj_GetObject(container, i) if is_form else C.FPDFPage_GetObject(container, i)
        kind = C.FPDFPageObj_GetType(obj)
        if kind == C.FPDF_PAGEOBJ_TEXT:
            yield obj
        elif kind == C.FPDF_PAGEOBJ_FORM and depth < 8:
            yield from _text_objects(obj, True, depth + 1)


@dataclass
class PageCheck:
    """What a page's text objects and glyph boxes say about reading it with pdfium."""

    fonts_not_embedded: set[str] = field(default_factory=set)
    degenerate: str | None = None  # why pdfium's boxes cannot be trusted on this page, if they cannot


def check_page(page: pdfium.PdfPage) -> PageCheck:
    """Fonts the page uses without embedding them, and whether pdfium's glyph boxes are usable.

    They are not when a text object has extent in one direction only: its glyphs came out zero-high
    (or, on a rotated page, zero-wide), and pdfium's text page then merges and drops characters, or
    leaves the object out altogether. An empty object (no extent at all) is only a blank run.
    """
    out = PageCheck()
    embedded: dict[int, bool] = {}
    flat = 0
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    bounds = [ctypes.byref(v) for v in (left, bottom, right, top)]
    name = ctypes.create_string_buffer(256)
    for obj in _text_objects(page.raw):
        font = C.FPDFTextObj_GetFont(obj)
        key = ctypes.cast(font, ctypes.c_void_p).value or 0
        if key not in embedded:
            embedded[key] = bool(C.FPDFFont_GetIsEmbedded(font))
            if not embedded[key]:
                C.FPDFFont_GetBaseFontName(font, name, len(name))
                out.fonts_not_embedded.add(name.value.decode("latin-1") or "(unnamed)")
        if C.FPDFPageObj_GetBounds(obj, *bounds):
            w, h = right.value - left.value, top.value - bottom.value
            flat += (w < _FLAT) != (h < _FLAT)
    if flat:
        out.degenerate = (
            f"pdfium's glyph boxes are degenerate: {flat} text objects have extent in one direction only"
        )
    return out


def _dedupe(chars: list[dict[str, Any]], tol: float = 1.0) -> list[dict[str, Any]]:
    """Drop a char drawn again at (nearly) the same place: fake bold prints every glyph twice."""
    kept: dict[str, list[tuple[float, float]]] = {}
    out = []
    for ch in chars:
        seen = kept.setdefault(ch["text"], [])
        if any(abs(t - ch["top"]) <= tol and abs(x - ch["x0"]) <= tol for t, x in seen):
            continue
        seen.append((ch["top"], ch["x0"]))
        out.append(ch)
    return out


def _box(tight: list[ctypes.c_double], rect: Any) -> tuple[float, float, float, float]:
    """(left, bottom, right, top) of a char: the loose box, unless pdfium got it wrong (then the tight one)."""
    x0, x1, y0, y1 = (v.value for v in tight)  # pdfium's order: left, right, bottom, top
    if y1 - y0 < 0.5 * (x1 - x0):  # a flat glyph (一, —): give it the height of a square glyph
        mid, half = (y0 + y1) / 2, (x1 - x0) / 2
        y0, y1 = mid - half, mid + half
    if rect is None:
        return (x0, y0, x1, y1)
    size = max(x1 - x0, y1 - y0)
    limit = max(3 * size, 30.0)  # punctuation has a tiny ink box: judge it by a body-text size
    box = (rect.left, rect.bottom, rect.right, rect.top)
    contains = box[0] <= x0 + 0.5 and box[2] >= x1 - 0.5 and box[1] <= y0 + 0.5 and box[3] >= y1 - 0.5
    if contains and box[2] - box[0] <= limit and box[3] - box[1] <= limit:
        return box
    return (x0, y0, x1, y1)


_DIGITS = frozenset("0123456789０１２３４５６７８９")


def _within_numbers(chars: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A decimal point or thousands separator between two digits given the digits' height: in some fonts
    pdfium's box of it is only its ink (LibreOffice's embedded Noto Sans CJK), so the point of 2510809.09
    sat 4.5 points lower than the digits round it and split the amount into three words (read as 9)."""
    for k in range(1, len(chars) - 1):
        before, ch, after = chars[k - 1], chars[k], chars[k + 1]
        if ch["text"] in ".,．，" and before["text"] in _DIGITS and after["text"] in _DIGITS:
            top, bottom = min(before["top"], after["top"]), max(before["bottom"], after["bottom"])
            if ch["top"] > top and abs(ch["bottom"] - bottom) <= 0.5 * (bottom - top):
                chars[k] = {**ch, "top": top, "doctop": top, "bottom": bottom, "height": bottom - top}
    return chars


def _punctuation_on_line(chars: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A punctuation mark set right after a character, within its height, given that character's box: pdfium's
    box of a mark (．、，：) can be only its ink, low on the line, so the mark began a word of its own and split
    a label (1 | ． | 属于…, 三 | 、 | 本年…), which then no longer began with its row's number."""
    for k in range(1, len(chars)):
        before, ch = chars[k - 1], chars[k]
        if len(ch["text"]) != 1 or not unicodedata.category(ch["text"]).startswith("P"):
            continue
        top, bottom = before["top"], before["bottom"]
        height = bottom - top
        if (
            ch["top"] > top
            and ch["bottom"] <= bottom + 0.25 * height
            and abs(ch["x0"] - before["x1"]) <= 0.25 * height
        ):
            chars[k] = {**ch, "top": top, "doctop": top, "bottom": bottom, "height": height}
    return chars


class PdfiumPage:
    """One page's chars and ruling edges from pdfium, shaped for pdfplumber's table finder."""

    def __init__(self, page: pdfium.PdfPage, textpage: pdfium.PdfTextPage, number: int) -> None:
        """Read chars (deduplicated) and edges of `page`; `number` is 1-based."""
        view, (width, height) = _view(page)
        self.page_number = number
        self.bbox = (0.0, 0.0, width, height)
        self.chars = _punctuation_on_line(_within_numbers(_dedupe(self._chars(textpage, view))))
        edges: list[dict[str, Any]] = []
        _collect_edges(page.raw, False, _IDENTITY, view, edges)
        self.edges = edges

    def _chars(self, textpage: pdfium.PdfTextPage, view: View) -> list[dict[str, Any]]:
        """Every drawn character with its loose box (advance width × font ascent/descent)."""
        n = textpage.count_chars()
        text = textpage.get_text_range(0, n) if n else ""
        same = len(text) == n
        raw = textpage.raw
        rect = C.FS_RECTF()
        rect_ref = ctypes.byref(rect)
        tight = [ctypes.c_double() for _ in range(4)]
        refs = [ctypes.byref(v) for v in tight]
        out: list[dict[str, Any]] = []
        for i in range(n):
            ch = text[i] if same else chr(C.FPDFText_GetUnicode(raw, i) or 32)
            if ch in "\r\n\ufffe\x00 " or C.FPDFText_IsGenerated(raw, i) == 1:
                continue
            if not C.FPDFText_GetCharBox(raw, i, *refs):
                continue
            box = _box(tight, rect if C.FPDFText_GetLooseCharBox(raw, i, rect_ref) else None)
            (ax, ay), (bx, by) = view(box[0], box[1]), view(box[2], box[3])
            x0, x1, t, b = min(ax, bx), max(ax, bx), min(ay, by), max(ay, by)
            out.append(
                {
                    "text": ch,
                    "x0": x0,
                    "x1": x1,
                    "top": t,
                    "bottom": b,
                    "doctop": t,
                    "width": x1 - x0,
                    "height": b - t,
                    "upright": True,
                    "size": round(C.FPDFText_GetFontSize(raw, i), 1),
                    "fontname": "",
                    "object_type": "char",
                    "page_number": self.page_number,
                }
            )
        return out

    def extract_words(self, **kwargs: Any) -> list[dict[str, Any]]:
        """Words from the page's chars (used by the text table strategy)."""
        return extract_words(self.chars, **kwargs)
