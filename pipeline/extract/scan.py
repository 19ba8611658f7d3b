"""Scanned pages: pixels → straightened page → ruling lines and OCR'd characters → the tables text PDFs give.

A page image is straightened first: a photograph taken at a slant is warped flat from the table's (or
the page's) outline when one is found, and any page is then turned by the small angle that makes its
text rows sharpest (a scanner's skew). The table's ruling lines are found by image morphology (a long
thin opening), turned into the same ruling *edges* pdfium reads from a text PDF, and wiped out of the
image so that the detector sees only text. Each detected text box is read by the OCR engine
(`ocr.py`), and each recognised character becomes a *char* placed where the recogniser emitted it. The
edges and chars, in PDF points, make a page that pdfplumber's table finder reads like any other
(`pdf.tables_on`), or, without rules, the positional reader (`positions.py`): there is one table
reader, not a second one for scans.

Every cell keeps its confidence (the least sure character in it) and, in its `Location`, the box it
occupies on the page as printed (the straightening undone), in PDF points, so a reviewer opens the
right cell.
"""

from __future__ import annotations

import itertools
import re
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from nianbao.pipeline.extract import positions
from nianbao.pipeline.extract.cells import Cell, ParsedDocument, RawTable, norm_label, split_row
from nianbao.pipeline.extract.ocr import Glyph, Line, engine
from nianbao.pipeline.extract.sections import all_sections, classify_table, sections_found
from nianbao.pipeline.model import Location

# A value cell is taken as read only when every character in it was recognised at least this surely.
# Set by measurement over the scanned fixtures (docs/ocr.md: every misread cell scored below it, and
# 97% of the correctly read ones above it).
OCR_MIN_CONF = 0.60

DPI = 200  # rendering resolution of a page to OCR (docs/ocr.md: 150 misreads small digits, 300 is slower)
LOCATE_DPI = 36  # the cheap pass that finds pages with a table grid
TIMES: list[tuple[float, float, int]] = []  # per page read: (straighten+rules+detect s, recognise s, boxes)


@dataclass
class OcrPage:
    """One OCR'd page as the table finder sees it: chars and ruling edges in PDF points (top-left
    origin, straightened), plus how to map a box back to the page as printed."""

    page_number: int
    bbox: tuple[float, float, float, float]
    chars: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    to_printed: Callable[[tuple[float, float, float, float]], tuple[float, float, float, float]]
    lines: list[tuple[str, tuple[float, float, float, float]]] = field(default_factory=list)
    image: np.ndarray | None = None  # the straightened page, rules wiped (for cells the detector missed)
    scale: float = 1.0  # points per pixel of `image`

    def extract_words(self, **kwargs: Any) -> list[dict[str, Any]]:
        """Words from the page's chars (used by the text table strategy)."""
        from pdfplumber.utils.text import extract_words

        return extract_words(self.chars, **kwargs)


# ----------------------------------------------------------------------------- straightening
def _ink(grey: np.ndarray) -> np.ndarray:
    """Dark pixels as 255 on 0, robust to uneven light, noise and blur (adaptive threshold)."""
    import cv2

    return cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 15)


def _outline(grey: np.ndarray) -> np.ndarray | None:
    """The four corners (tl, tr, br, bl) of the largest four-sided outline covering a fifth of the image
    (a table's border, or a photographed page against its background), or None."""
    import cv2

    h, w = grey.shape
    f = 800 / max(h, w)
    small = cv2.resize(grey, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
    ink = _ink(small)
    ink = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    contours, _ = cv2.findContours(ink, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    best: np.ndarray | None = None
    best_area = 0.2 * small.shape[0] * small.shape[1]
    for c in contours:
        area = cv2.contourArea(c)
        if area < best_area:
            continue
        quad = cv2.approxPolyDP(c, 0.02 * cv2.arcLength(c, True), True)
        if len(quad) == 4 and cv2.isContourConvex(quad):
            best, best_area = quad.reshape(4, 2).astype(np.float64) / f, area
    if best is None:
        return None
    s, d = best.sum(axis=1), np.diff(best, axis=1).ravel()
    return np.array([best[s.argmin()], best[d.argmin()], best[s.argmax()], best[d.argmax()]])


def _skew(grey: np.ndarray) -> float:
    """The angle (degrees, within ±3) that makes the text rows sharpest: row sums of ink most uneven."""
    import cv2

    h, w = grey.shape
    f = 700 / max(h, w)
    small = _ink(cv2.resize(grey, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)).astype(np.float32)
    centre = (small.shape[1] / 2, small.shape[0] / 2)

    def score(angle: float) -> float:
        m = cv2.getRotationMatrix2D(centre, angle, 1.0)
        turned = cv2.warpAffine(small, m, (small.shape[1], small.shape[0]))
        rows = turned.sum(axis=1)
        return float(np.square(np.diff(rows)).sum())

    coarse = max(np.arange(-3.0, 3.01, 0.25), key=score)
    return float(max(np.arange(coarse - 0.25, coarse + 0.251, 0.05), key=score))


def straighten(grey: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The page flattened and deskewed, and the 3×3 matrix from the printed image's pixels to it."""
    import cv2

    h, w = grey.shape
    matrix: np.ndarray = np.eye(3)
    quad = _outline(grey)
    if quad is not None:
        tl, tr, br, bl = quad
        width = (np.linalg.norm(tr - tl) + np.linalg.norm(br - bl)) / 2
        height = (np.linalg.norm(bl - tl) + np.linalg.norm(br - tr)) / 2
        x0, y0 = tl
        target = np.array([[x0, y0], [x0 + width, y0], [x0 + width, y0 + height], [x0, y0 + height]])
        if np.abs(target - quad).max() > 2.0:  # not already an upright rectangle
            matrix = cv2.getPerspectiveTransform(quad.astype(np.float32), target.astype(np.float32))
            grey = cv2.warpPerspective(grey, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)
    angle = _skew(grey)
    if abs(angle) >= 0.05:
        turn = np.vstack([cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0), [0, 0, 1]])
        grey = cv2.warpAffine(grey, turn[:2], (w, h), flags=cv2.INTER_LINEAR, borderValue=255)
        matrix = turn @ matrix
    return grey, matrix


# ----------------------------------------------------------------------------- ruling lines
def rules(
    grey: np.ndarray, dpi: float, text: list[tuple[float, float, float, float]] | None = None
) -> tuple[np.ndarray, list[tuple[float, float, float, float]]]:
    """The mask of the page's ruling lines, and each line as (x0, top, x1, bottom) in pixels (one of the
    two pairs equal: horizontal or vertical). A run inside a detected text box (`text`) is a stroke of its
    glyphs, not a rule: the top bars of 开工 in a bold title run together as long as a short rule."""
    import cv2

    ink = _ink(grey)
    long_h = max(15, int(0.45 * dpi))  # longer than any stroke of a character or a dash (— is ~0.15 in)
    long_v = max(10, int(0.22 * dpi))  # a table row is at least ~0.25 in high; a character ~0.15 in
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (long_h, 1)))
    vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, long_v)))
    # bridge the breaks noise and JPEG leave in a line
    horizontal = cv2.dilate(horizontal, cv2.getStructuringElement(cv2.MORPH_RECT, (9, 1)))
    vertical = cv2.dilate(vertical, cv2.getStructuringElement(cv2.MORPH_RECT, (1, 9)))
    segments: list[tuple[float, float, float, float]] = []
    for mask, is_h in ((horizontal, True), (vertical, False)):
        n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        for i in range(1, n):
            x, y, w, h = (float(v) for v in stats[i, :4])
            seg = (
                (x + 4, y + h / 2, x + w - 4, y + h / 2) if is_h else (x + w / 2, y + 4, x + w / 2, y + h - 4)
            )
            long_enough = w >= long_h if is_h else h >= long_v
            if not long_enough or _in_text(seg, text or []):
                mask[labels == i] = 0
                continue
            segments.append(seg)
    both = cv2.dilate(np.bitwise_or(horizontal, vertical), np.ones((3, 3), np.uint8))
    return both, grown(segments, ink > 0, dpi)


Segment = tuple[float, float, float, float]
RULE_COVER = 0.85  # share of a stretch a row of ink must cover to carry a rule on (glyphs' rows: ≤ 0.7)


def grown(segments: list[Segment], ink: np.ndarray, dpi: float) -> list[Segment]:
    """Each rule whose end stops short of the rule across it carried on to that rule, where a row of ink
    (one pixel high, within two of the rule's line) runs along at least RULE_COVER of the stretch between.

    The long thin opening keeps only unbroken runs; a faint rule under a cell's glyphs breaks up there and
    the part found ends inside the cell, so two cells merge into one and the table finder loses a row
    (a label read into the cell above). A grid's rules end on other rules: an end more than the table
    finder's tolerance (3 pt) short of the next rule across, with the rule's ink still there, is a rule
    not found to its end. Ends of either orientation, towards either side; a stretch at most as long as
    the rule found. The grown stretch is not wiped from the image: too faint to be found, it is no
    more than the noise the recogniser already reads past."""
    tol = 3 / 72 * dpi
    # for each orientation, the rules across it: (their place along it, their span across it)
    across = {
        True: [(s[0], s[1], s[3]) for s in segments if s[1] != s[3]],  # vertical rules, across a horizontal
        False: [(s[1], s[0], s[2]) for s in segments if s[1] == s[3]],  # horizontal rules, across a vertical
    }
    out = []
    for seg in segments:
        x0, t, x1, b = seg
        flat = t == b  # horizontal: along x at row t; vertical: along y at column x0
        along0, along1, at = (x0, x1, t) if flat else (t, b, x0)
        crossing = [pos for pos, lo, hi in across[flat] if lo - tol <= at <= hi + tol]
        length = along1 - along0
        before = max((p for p in crossing if p < along0 - tol), default=None)
        after = min((p for p in crossing if p > along1 + tol), default=None)
        if before is not None and along0 - before <= length and _inked(ink, at, before, along0, flat):
            along0 = before
        if after is not None and after - along1 <= length and _inked(ink, at, along1, after, flat):
            along1 = after
        out.append((along0, t, along1, b) if flat else (x0, along0, x1, along1))
    return out


def _inked(ink: np.ndarray, at: float, start: float, end: float, flat: bool) -> bool:
    """Whether a line of ink one pixel wide, within two pixels of `at`, covers RULE_COVER of start..end."""
    lines = ink if flat else ink.T
    a, b = max(0, int(start)), min(lines.shape[1], int(np.ceil(end)))
    rows = lines[max(0, round(at) - 2) : round(at) + 3, a:b]
    return b > a and rows.size > 0 and float(rows.mean(axis=1).max()) >= RULE_COVER


def _in_text(seg: tuple[float, float, float, float], boxes: list[tuple[float, float, float, float]]) -> bool:
    """Whether a segment lies within a text box's inner part (a glyph's stroke, not a rule between cells)."""
    x0, t, x1, b = seg
    return any(bx0 - 4 <= x0 and x1 <= bx1 + 4 and bt - 4 <= t and b <= bb + 4 for bx0, bt, bx1, bb in boxes)


def grid_strength(grey: np.ndarray, dpi: float) -> int:
    """How many long horizontal rules (at least 40% of the page's width) a page shows: a table page has
    many, a page of prose none. For the cheap locating pass at low resolution."""
    _mask, segments = rules(grey, dpi)
    width = grey.shape[1]
    return sum(1 for x0, t, x1, b in segments if t == b and x1 - x0 >= 0.4 * width)


def _missed(
    clean: np.ndarray, boxes: list[tuple[float, float, float, float]]
) -> list[tuple[float, float, float, float]]:
    """Boxes around ink the detector left out: glyph-sized clusters outside every detected box. The
    detector misses lone narrow glyphs (a 0 or 1 alone in a column), which are exactly the values."""
    import cv2

    if not boxes:
        return []
    heights = sorted(b[3] - b[1] for b in boxes)
    char = heights[len(heights) // 2]  # a detected line's height: about a character and its margin
    ink = _ink(clean)
    covered = np.zeros_like(ink)
    # a detected box with a margin: the edges of its own glyphs (a bold title's strokes reach past the
    # box) are not missed text, and read on their own they come out as stray marks inside a line
    m = 0.4 * char
    for x0, t, x1, b in boxes:
        covered[max(0, int(t - m)) : int(np.ceil(b + m)), max(0, int(x0 - m)) : int(np.ceil(x1 + m))] = 255
    ink[covered > 0] = 0
    ink = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))  # noise specks
    grouped = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_RECT, (max(3, int(0.4 * char)), 3)))
    n, _labels, stats, _ = cv2.connectedComponentsWithStats(grouped, connectivity=8)
    out: list[tuple[float, float, float, float]] = []
    for i in range(1, n):
        x, y, w, h, area = (int(v) for v in stats[i])
        if 0.3 * char <= h <= 1.3 * char and w <= 12 * char and area >= 0.15 * h * max(w, 1):
            pad = 0.15 * char
            out.append((x - pad, y - pad, x + w + pad, y + h + pad))
    return out


# ----------------------------------------------------------------------------- characters
def _wide(ch: str) -> bool:
    return ord(ch) > 0x2E7F


def _chars(
    boxes: list[tuple[float, float, float, float]], read: list[Line], scale: float, number: int
) -> list[dict[str, Any]]:
    """Each recognised character as a pdfplumber char (points), placed where the recogniser emitted it."""
    out: list[dict[str, Any]] = []
    for (x0, top, x1, bottom), line in zip(boxes, read, strict=True):
        height = bottom - top
        centres = [x0 + g.at * (x1 - x0) for g in line.glyphs]
        # a line's characters abut (one word, as a text layer's would); its ends are a glyph's half-width
        # beyond the first and last centres, within the box. Where two narrow characters (digits, signs)
        # stand more than a line's height and a half apart (a detected box running over two cells' values,
        # 24 ⎸ 729), each keeps its own half-width: two words, as printed, not one number 24729
        halves = [(0.45 if _wide(g.text) else 0.28) * height for g in line.glyphs]
        cuts = [
            None if b - a > 1.5 * height and not _wide(g.text) and not _wide(h.text) else (a + b) / 2
            for (a, b), (g, h) in zip(
                itertools.pairwise(centres), itertools.pairwise(line.glyphs), strict=True
            )
        ]
        for k, g in enumerate(line.glyphs):
            half = halves[k]
            before = cuts[k - 1] if k else None
            after = cuts[k] if k < len(cuts) else None
            a = before if before is not None else (centres[k] - half if k else max(x0, centres[k] - half))
            b = (
                after
                if after is not None
                else (centres[k] + half if k < len(cuts) else min(x1, centres[k] + half))
            )
            if b <= a:
                a, b = centres[k] - 0.5, centres[k] + 0.5
            out.append(
                {
                    "text": g.text,
                    "x0": a * scale,
                    "x1": b * scale,
                    "top": (top + 0.12 * height) * scale,
                    "bottom": (bottom - 0.12 * height) * scale,
                    "doctop": (top + 0.12 * height) * scale,
                    "width": (b - a) * scale,
                    "height": 0.76 * height * scale,
                    "upright": True,
                    "size": round(0.76 * height * scale, 1),
                    "fontname": "ocr",
                    "object_type": "char",
                    "page_number": number,
                    "conf": g.conf,
                    "restricted": line.restricted,
                }
            )
    return out


def _edge(x0: float, top: float, x1: float, bottom: float) -> dict[str, Any]:
    """An edge dict as pdfplumber builds them."""
    return {
        "x0": x0,
        "x1": x1,
        "top": top,
        "bottom": bottom,
        "doctop": top,
        "width": x1 - x0,
        "height": bottom - top,
        "orientation": "h" if top == bottom else "v",
        "object_type": "line",
    }


def _mapper(
    matrix: np.ndarray, scale: float
) -> Callable[[tuple[float, float, float, float]], tuple[float, float, float, float]]:
    """Straightened points → the printed page's points: a box's four corners through the inverse matrix."""
    inverse = np.linalg.inv(matrix)

    def to_printed(box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        x0, t, x1, b = (v / scale for v in box)
        pts = np.array([[x0, t, 1], [x1, t, 1], [x1, b, 1], [x0, b, 1]]) @ inverse.T
        xs, ys = pts[:, 0] / pts[:, 2] * scale, pts[:, 1] / pts[:, 2] * scale
        return (float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max()))

    return to_printed


Box = tuple[float, float, float, float]


def read_page(
    grey: np.ndarray, number: int, dpi: float, keep: Callable[[list[Box], int], list[Box]] | None = None
) -> OcrPage:
    """One page image (greyscale, `dpi` pixels per inch) straightened, its rules found and wiped, its text
    detected and recognised. `keep(boxes, height)` may leave out detected boxes not worth reading (pixels)."""
    t0 = time.perf_counter()
    flat, matrix = straighten(grey)
    ocr = engine()
    found = ocr.detect(flat)
    mask, segments = rules(flat, dpi, found)
    clean = flat.copy()
    clean[mask > 0] = 255
    boxes = found + _missed(clean, found)
    if keep is not None:
        boxes = keep(boxes, flat.shape[0])
    pad = 2
    h, w = clean.shape
    boxes = [(max(0, x0 - pad), max(0, t - pad), min(w, x1 + pad), min(h, b + pad)) for x0, t, x1, b in boxes]
    crops = [clean[int(t) : int(np.ceil(b)), int(x0) : int(np.ceil(x1))] for x0, t, x1, b in boxes]
    t1 = time.perf_counter()
    read = ocr.recognize(crops)
    # a box that reads as a value (or as nothing) is read again cut tight to its ink: the detector's box
    # around a lone 0 or 1 often reads as nothing or as a dot, a tight crop surely (docs/ocr.md)
    again = [i for i, ln in enumerate(read) if _value_like(ln.text)]
    tight = {i: ink_lines(clean, boxes[i]) for i in again}
    tight = {i: found for i, found in tight.items() if len(found) == 1}
    if tight:
        # a value's ink with a blank wider than a digit in it is two values (a box run over two cells)
        pieces = {i: apart(clean, cut[0][1]) or cut for i, cut in tight.items()}
        reread = iter(recognize([crop for cut in pieces.values() for crop, _ in cut]))
        for i, cut in pieces.items():
            got = [next(reread) for _ in cut]
            if len(cut) > 1 and not all(ln.text and ln.restricted for ln in got):
                cut, got = tight[i], recognize([tight[i][0][0]])  # not values side by side: one line
            if all(ln.text for ln in got):
                boxes[i], read[i] = cut[0][1], got[0]
                boxes += [box for _, box in cut[1:]]
                read += got[1:]
    TIMES.append((t1 - t0, time.perf_counter() - t1, len(crops)))
    scale = 72.0 / dpi
    chars = _chars(boxes, read, scale, number)
    edges = [_edge(x0 * scale, t * scale, x1 * scale, b * scale) for x0, t, x1, b in segments]
    # a box of nothing but a stop or a comma is a speck of noise between two words, not text
    lines = [
        (ln.text, tuple(v * scale for v in box))
        for box, ln in zip(boxes, read, strict=True)
        if ln.text and not _SPECK.fullmatch(ln.text)
    ]
    return OcrPage(
        number,
        (0.0, 0.0, w * scale, h * scale),
        chars,
        edges,
        _mapper(matrix, scale),
        lines,  # type: ignore[arg-type]
        clean,
        scale,
    )


# ----------------------------------------------------------------------------- tables and text
def _in(box: tuple[float, float, float, float], ch: dict[str, Any]) -> bool:
    cx, cy = (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2
    return bool(box[0] <= cx < box[2] and box[1] <= cy < box[3])


_WORDY = re.compile(r"[\u3400-\u9fff]")  # CJK: a value cell's only CJK are 无 (a zero) and 元/万元 (money)


_SPECK = re.compile(r"[：:，,。.、·'\"`‘’“”;；]+")


def _value_like(text: str) -> bool:
    """Text a value cell could hold (or nothing): no CJK but 无, short; or a number with one stray CJK
    character beside it (the page's reading of a cell that took in a speck or a shadow: 手0), which the
    cell's tight crop then reads on its own."""
    rest = text.replace("无", "").replace("万元", "").replace("元", "")
    stray = len(_WORDY.findall(rest)) == 1 and len(text) <= 6 and any(c.isdigit() for c in text)
    return len(text) <= 16 and (not _WORDY.search(rest) or stray)


def _located(table: RawTable, page: OcrPage, ruled: bool = True) -> RawTable:
    """A table's cells with their confidence and their boxes on the printed page.

    A cell that holds (or may hold) a value is read again on its own: its ink, cut tight from the page
    and split into text lines, is recognised line by line (restricted to number characters when it reads
    as one). Measured on the scans, a tight crop of one cell reads small digits far more surely than the
    detector's box does (a lone 1 or 0 is often missed or read as '.' there), and a cell with nothing in
    it is then known to be blank. The cell's confidence is its least sure character's; a cell where a
    value should be but nothing was read has confidence 0, and so has a value the page's reading saw
    where the tight crop reads nothing (faint strokes: kept as first read, in doubt). A ruled cell is cut
    inside its rules; a cell of a table without rules (`ruled` False) is its words' box, placed from
    where the recogniser emitted each character, so it is cut with a margin around it (cut inside, a
    narrow 1 lost its stroke)."""
    rows: list[list[Cell | None]] = []
    again: list[tuple[int, int, int]] = []  # (row, column, crops taken)
    crops: list[np.ndarray] = []
    for r, row in enumerate(table.rows):
        out: list[Cell | None] = []
        for c, cell in enumerate(row):
            if cell is None or cell.loc.bbox is None or cell.loc.page != page.page_number:
                out.append(cell)
                continue
            box: tuple[float, float, float, float] = cell.loc.bbox
            inside = [ch for ch in page.chars if _in(box, ch)]
            conf = min((float(ch["conf"]) for ch in inside), default=0.0)
            loc = replace(cell.loc, bbox=page.to_printed(box), conf=conf)
            out.append(Cell(cell.text, loc, cell.x))
            if _value_like(cell.text):
                lines = _ink_lines(page, box, 3.0 if ruled else -4.0)
                if lines:
                    again.append((r, c, len(lines)))
                    crops += lines
        rows.append(out)
    if crops:
        read = iter(recognize(crops))
        for r, c, n in again:
            old = rows[r][c]
            assert old is not None
            got = [next(read) for _ in range(n)]
            texts = [ln.text for ln in got if ln.text]
            if not texts and old.text.strip():
                # ink the tight crop reads as nothing, where the page's reading saw a value (faint
                # strokes): the two readings disagree, so the value stays as first read, in doubt
                rows[r][c] = Cell(old.text, replace(old.loc, conf=0.0), old.x)
                continue
            conf = min((ln.conf for ln in got if ln.text), default=0.0)
            raw = "\n".join(texts)
            rows[r][c] = Cell("".join(texts), replace(old.loc, raw=raw, conf=conf), old.x)
    return RawTable(rows=rows, section=table.section)


def _ink_lines(page: OcrPage, box: tuple[float, float, float, float], inset: float = 3.0) -> list[np.ndarray]:
    """The text lines inside a cell (a box in points, cut `inset` pixels inside it; negative: outside), each
    cut tight to its ink from the page image."""
    if page.image is None:
        return []
    k = 1 / page.scale
    x0, t, x1, b = (v * k for v in box)
    cut = (x0 + inset, t + inset, x1 - inset, b - inset)
    return [crop for crop, _ in ink_lines(page.image, cut, cell_box=True)]


def _cut(
    image: np.ndarray, box: tuple[float, float, float, float]
) -> tuple[np.ndarray, np.ndarray, int, int] | None:
    """A box (pixels) of a page image, kept inside it: the crop, its ink and where the crop's top-left
    sits; None when it is empty."""
    h_img, w_img = image.shape
    x0, t = max(0, round(box[0])), max(0, round(box[1]))
    x1, b = min(w_img, round(box[2])), min(h_img, round(box[3]))
    crop = image[t:b, x0:x1]
    if crop.size == 0:
        return None
    return crop, _dark(crop), x0, t


def _dark(crop: np.ndarray) -> np.ndarray:
    """A crop's ink: clearly darker than its paper (a blurred, light scan's digits are mid-grey)."""
    return crop < min(170.0, float(np.median(crop)) - 60.0)


def ink_lines(
    image: np.ndarray, box: tuple[float, float, float, float], cell_box: bool = False
) -> list[tuple[np.ndarray, tuple[float, float, float, float]]]:
    """The text lines inside a box (pixels) of a page image, each cut tight to its ink (with a small
    margin), and where each crop sits; none when the box is blank. Several when it holds values stacked
    one over another (a row rule the table does not draw). A line thinner than a digit is a speck unless it
    is a dash (one solid horizontal stroke; in a table cell, `cell_box`, one that does not run across it)."""
    cut = _cut(image, box)
    if cut is None:
        return []
    cell, ink, x0, t = cut
    # specks of noise, not a glyph; but a dash alone at 200 dpi may be fewer pixels (6 by 2 in a held-out
    # scan, read as '.' from the page and its row left out)
    if ink.sum() < 15 and not _stroke_band(ink, clear=cell_box):
        return []
    rows = np.flatnonzero(ink.sum(axis=1) >= 1)
    bands: list[list[int]] = [[int(rows[0]), int(rows[0])]]
    for y in rows[1:]:
        if y - bands[-1][1] <= 3:
            bands[-1][1] = int(y)
        else:
            bands.append([int(y), int(y)])
    h, w = cell.shape
    pad = 6
    out: list[tuple[np.ndarray, tuple[float, float, float, float]]] = []
    thin = [bottom - top < 5 or ink[top : bottom + 1].sum() < 15 for top, bottom in bands]
    for (top, bottom), speck in zip(bands, thin, strict=True):
        # a speck, a dot of noise; a dash is thin too, but long and solid, and alone (a bar beside a
        # glyph, such as a faint 5's top cut off from its body, is part of it)
        dash = all(thin) and _stroke_band(ink[top : bottom + 1], clear=cell_box)
        if speck and not dash:
            continue
        xs = np.flatnonzero(ink[top : bottom + 1].any(axis=0))
        a, z = max(0, top - pad), min(h, bottom + pad + 1)
        left, right = max(0, int(xs[0]) - pad), min(w, int(xs[-1]) + pad + 1)
        out.append((cell[a:z, left:right], (x0 + left, t + a, x0 + right, t + z)))
    return out


def apart(
    image: np.ndarray, box: tuple[float, float, float, float]
) -> list[tuple[np.ndarray, tuple[float, float, float, float]]]:
    """A line of ink (a box in pixels, cut tight to it) split where a blank wider than 0.8 of the ink's
    height runs through it, each piece cut tight; none when there is no such blank. The characters of
    one number stand a fraction of their height apart (a thousands space about a third); values in
    neighbouring columns that one detected box ran over stand further apart (24 ⎸ 729: 1.3)."""
    cut = _cut(image, box)
    if cut is None:
        return []
    crop, ink, x0, t = cut
    b = t + crop.shape[0]
    rows = np.flatnonzero(ink.any(axis=1))
    cols = np.flatnonzero(ink.any(axis=0))
    if len(cols) < 2:
        return []
    height = int(rows[-1] - rows[0] + 1)
    cuts = [(int(a) + int(z)) // 2 for a, z in itertools.pairwise(cols) if z - a - 1 >= max(4, 0.8 * height)]
    if not cuts:
        return []
    edges = [0, *cuts, crop.shape[1]]
    out = []
    for a, z in itertools.pairwise(edges):
        found = ink_lines(image, (x0 + a, t, x0 + z, b))
        if len(found) != 1:
            return []
        out.append(found[0])
    return out


def _stroke_band(ink: np.ndarray, clear: bool = False) -> bool:
    """Whether a band of ink (a boolean array, the band's rows) holds one horizontal stroke and nothing
    else: a solid bar at least 2.5 times as wide as it is thick; with `clear`, clear of the band's left
    and right ends (in a cell: a rule's remains run across it)."""
    rows = np.flatnonzero(ink.any(axis=1))
    cols = np.flatnonzero(ink.any(axis=0))
    if len(rows) == 0 or ink.sum() < 10:
        return False
    height, width = int(rows[-1] - rows[0] + 1), int(cols[-1] - cols[0] + 1)
    return bool(
        len(cols) == width  # one run across: no gap between two glyphs
        and width >= 6
        and width >= 2.5 * height
        and ink.sum() >= 0.6 * height * width  # solid, not a spray of noise
        and (not clear or (cols[0] > 0 and cols[-1] < ink.shape[1] - 1))
    )


def stroke(crop: np.ndarray) -> bool:
    """Whether a crop's ink is one horizontal stroke: a dash (-, —, 一), the zero marker, alone."""
    return _stroke_band(_dark(crop))


# A slash is one thin stroke whose long axis leans right of upright: measured on the scans, a slash (the
# zero marker /) leans 17° with its long axis 107-148 times its short one (variances), every 1 of five
# producers' faces, a photograph's included, leans left of upright (-0.2° to -7.7°, its flag) at 7-26
SLASH_LEAN = 8.0  # degrees right of upright, at least
SLASH_THIN = 40.0  # the long axis's variance over the short one's, at least


def slash(crop: np.ndarray) -> bool:
    """Whether a crop's ink is one thin stroke leaning right: a slash (/), the zero marker, alone."""
    import cv2

    ink = _dark(crop).astype(np.uint8)
    count, labels = cv2.connectedComponents(ink, connectivity=8)
    if count != 2 or ink.sum() < 10:  # the paper and one stroke
        return False
    ys, xs = np.nonzero(labels == 1)
    spread, axes = np.linalg.eigh(np.cov(np.vstack([xs, -ys]).astype(float)))
    dx, dy = axes[:, 1] if axes[1, 1] >= 0 else -axes[:, 1]  # the long axis, pointing up
    lean = float(np.degrees(np.arctan2(dx, dy)))
    return bool(lean >= SLASH_LEAN and spread[1] >= SLASH_THIN * max(float(spread[0]), 1e-6))


# what a lone horizontal stroke or a lone slash in a value cell reads as: the zero marker, by its shape
DASH = Line((Glyph("—", 1.0, 0.5),), True)
SLASH = Line((Glyph("/", 1.0, 0.5),), True)


def recognize(crops: list[np.ndarray]) -> list[Line]:
    """Crops of one text line each, read: by the recogniser, except a crop whose ink is one horizontal
    stroke, which is a dash by its shape, or one thin stroke leaning right, a slash. The recogniser learnt
    from whole lines: a dash alone in a crop, scaled to its input height, reads as 1 with a probability up
    to 0.95 (docs/ocr.md), and a slash alone as 1 with up to 0.58 (a held-out scan printing its zeros as /:
    25 zeros read as 1); no digit is a single horizontal bar or a thin stroke leaning right (a 1 leans
    left with its flag), so the shape decides."""
    shapes = [DASH if stroke(c) else SLASH if slash(c) else None for c in crops]
    read = iter(engine().recognize([c for c, s in zip(crops, shapes, strict=True) if s is None]))
    return [s if s is not None else next(read) for s in shapes]


# A rule-less table's columns are placed unambiguously when every value and every column's lowest heading
# sits within this share of the narrowest gap between column centres from its column's centre.
PLACEMENT_SLACK = 0.25


def _number(text: str) -> bool:
    return bool(text.strip()) and positions.is_number(text)


def column_doubts(table: RawTable, before: list[float] | None = None) -> tuple[list[str], list[float]]:
    """Why a table read from its words' positions may have its columns misplaced (none: placed
    unambiguously), and its value columns' centres. A value column's centre is the median centre of the
    values under it. Doubts: a value set away from its column's centre (nearer the middle between two
    columns); a column whose lowest heading is not centred over it (a heading the positional reader put
    over a neighbour's values: the columns then swap while every sum still holds) or is wider than a
    column and a half (two headings read as one word); a column with no heading, unless the table has no
    header at all and continues the table before it (`before`: that table's centres) column for column;
    a column whose lowest heading is not exactly one of the templates' column headings (自然人, 结果维持,
    本年新制作数量…: a group's heading read into a column's, 复议后起诉其他结果, names two)."""
    rows = [row for row in table.rows if row and row[0] is not None]
    first_data = next(
        (k for k, r in enumerate(rows) if any(c is not None and _number(c.text) for c in r[1:])),
        None,
    )
    if first_data is None:
        return [], []
    centres: dict[int, list[float]] = {}
    for r in rows[first_data:]:
        for j, c in enumerate(r[1:], 1):
            if c is not None and c.loc.bbox is not None and _number(c.text):
                centres.setdefault(j, []).append((c.loc.bbox[0] + c.loc.bbox[2]) / 2)
    middle = {j: statistics.median(xs) for j, xs in sorted(centres.items())}
    ordered = sorted(middle.values())
    if len(ordered) < 2:
        return [], ordered
    gap = min(b - a for a, b in itertools.pairwise(ordered))
    if gap <= 0:
        return ["two value columns share a centre"], ordered
    slack = PLACEMENT_SLACK * gap
    out: list[str] = []
    for j, xs in centres.items():
        off = max(abs(x - middle[j]) for x in xs)
        if off > slack:
            out.append(f"column {j}: a value {off:.1f} pt from its column's centre (gap {gap:.1f} pt)")
    if first_data == 0 and before is not None:
        # a part continuing the table before it over a page break, without its header
        if len(before) != len(ordered) or any(
            abs(a - b) > slack for a, b in zip(before, ordered, strict=True)
        ):
            out.append("a table's part without a header whose columns are not the part before's")
        return out, ordered
    for j, x in middle.items():
        heads = [
            rows[k][j] for k in range(first_data) if j < len(rows[k]) and (rows[k][j] or _BLANK).text.strip()
        ]
        lowest = heads[-1] if heads else None
        if lowest is None or lowest.loc.bbox is None:
            out.append(f"column {j}: no heading over its values")
            continue
        x0, _t, x1, _b = lowest.loc.bbox
        spacing = max(abs(x - y) for y in middle.values() if y != x)
        spacing = min([abs(x - y) for y in middle.values() if y != x] + [spacing])
        if norm_label(lowest.text) not in _LEAVES:
            out.append(f"column {j}: its heading {lowest.text!r} names no one column")
        elif abs((x0 + x1) / 2 - x) > slack:
            out.append(
                f"column {j}: its heading {lowest.text!r} is {abs((x0 + x1) / 2 - x):.1f} pt off its values"
            )
        elif x1 - x0 > 1.6 * max(spacing, gap) + 2 * slack:
            out.append(f"column {j}: its heading {lowest.text!r} is wider than its column")
    return out, ordered


_BLANK = Cell("", Location(raw=""))


def _leaves() -> frozenset[str]:
    """The headings of the templates' value columns, normalised: a column's lowest heading must be one."""
    from nianbao.pipeline import tables as T

    codes = [*T.APPLICANTS, *T.OUTCOMES, *(c for cs in T.PROACTIVE_MEASURES.values() for c in cs)]
    return frozenset(norm_label(c.label) for c in codes)


_LEAVES = _leaves()


def tables_of(
    pages: list[OcrPage], ruled: Callable[[Any], list[RawTable]]
) -> tuple[list[RawTable], list[str] | None]:
    """The tables of OCR'd pages: by their ruling lines through `ruled` (pdf.tables_on), or, where that
    finds fewer of tables 2-4 than the words' positions do, by the positional reader, the same one text
    PDFs without rules go through (the OCR'd characters are its chars). With the positional reader's
    tables, the doubts about their columns' placement (`column_doubts`; None: read by rules)."""

    by_rules = [_located(t, p) for p in pages for t in ruled(p)]
    if all_sections(by_rules):
        return by_rules, None
    by_position: list[RawTable] = []
    doubts: list[str] = []
    before: list[float] | None = None
    carried = positions.Carry()
    previous = -1
    for k, p in enumerate(pages):
        got, tail = positions.tables(
            p.chars,
            p.page_number,
            carried if p.page_number == previous + 1 else positions.Carry(),
            last=k + 1 == len(pages) or pages[k + 1].page_number != p.page_number + 1,
        )
        for t in got:
            if classify_table(t) is not None or any(split_row(r)[1] for r in t.rows):
                why, before = column_doubts(t, before)
                doubts += [f"page {p.page_number}: {d}" for d in why]
        by_position.extend(_located(t, p, ruled=False) for t in got)
        carried, previous = tail, p.page_number
    if sections_found(by_position) > sections_found(by_rules):
        return by_position, doubts
    return by_rules, None


def text_of(pages: list[OcrPage]) -> str:
    """The pages' text, one line per row of text boxes, top to bottom."""
    out: list[str] = []
    for p in pages:
        rows: list[list[tuple[str, tuple[float, float, float, float]]]] = []
        for text, box in sorted(p.lines, key=lambda tb: ((tb[1][1] + tb[1][3]) / 2, tb[1][0])):
            y = (box[1] + box[3]) / 2
            if rows and abs(statistics.fmean((b[1] + b[3]) / 2 for _, b in rows[-1]) - y) < 0.4 * (
                box[3] - box[1]
            ):
                rows[-1].append((text, box))
            else:
                rows.append([(text, box)])
        out += ["".join(t for t, _ in sorted(r, key=lambda tb: tb[1][0])) for r in rows]
    return "\n".join(out)


def cell_confidences(tables: list[RawTable]) -> Iterator[float]:
    """Every OCR'd cell's confidence."""
    for t in tables:
        for row in t.rows:
            for c in row:
                if c is not None and c.loc.conf is not None:
                    yield c.loc.conf


# ----------------------------------------------------------------------------- a whole document
COVER_BOXES = 12  # a page with at most this many text boxes is a cover (or a title page): read it whole


def _head_or_cover(boxes: list[Box], height: int) -> list[Box]:
    """The text boxes worth reading for a title: a page's top 40% (where a title page sets its title), or
    every box of a page that has few (a cover sets its title anywhere, often mid-page)."""
    if len(boxes) <= COVER_BOXES:
        return boxes
    return [b for b in boxes if b[1] < 0.4 * height]


def _titled(pages: list[OcrPage]) -> bool:
    """Whether the pages' text holds a report's title (a year and 政府信息公开…报告)."""
    from nianbao.pipeline.errors import ExtractError
    from nianbao.pipeline.extract.facts import read_title

    try:
        read_title(text_of(pages))
    except ExtractError:
        return False
    return True


def _title_pages(render: Render, first_table: int, dpi: float) -> list[OcrPage]:
    """The pages before the first table page read for the title, page by page from the first until one
    shows it: each page's top, or the whole of a page with little text on it (a cover). A report that opens
    with a cover (an emblem, a picture, a title set mid-page) has its title further on."""
    out: list[OcrPage] = []
    for n in range(1, first_table):
        out.append(read_page(render(n, dpi), n, dpi, keep=_head_or_cover))
        if _titled(out):
            break
    return out


def _closing_pages(
    render: Render, read: list[OcrPage], last_table: int, count: int, dpi: float
) -> list[OcrPage]:
    """The pages after the last table page, read whole until the text shows section 六 (其他需要报告的事项,
    where a v2021 report states its 信息处理费) with a statement of the fees: at most `CLOSING_PAGES`."""
    from nianbao.pipeline.extract.facts import SECTION_SIX, read_fees

    out: list[OcrPage] = []
    for n in range(last_table + 1, min(count, last_table + CLOSING_PAGES) + 1):
        text = text_of([*read, *out])
        if SECTION_SIX.search(text) and read_fees(text) is not None:
            break
        out.append(read_page(render(n, dpi), n, dpi))
    return out


CLOSING_PAGES = 2
Render = Callable[[int, float], np.ndarray]  # page number (1-based), dpi → greyscale image


def locate(render: Render, count: int) -> list[int]:
    """The pages to OCR for tables 2-4: from the first to the last page showing a table grid in a cheap
    low-resolution pass (a table continued over a page break keeps its rules); every page if none does."""
    grids = [n for n in range(1, count + 1) if grid_strength(render(n, LOCATE_DPI), LOCATE_DPI) >= 4]
    if not grids:
        return list(range(1, count + 1))
    return list(range(grids[0], grids[-1] + 1))


def read_scan(
    render: Render,
    count: int,
    ruled: Callable[[Any], list[RawTable]],
    why: str,
    only: list[int] | None = None,
    dpi: float = DPI,
) -> ParsedDocument | None:
    """A scanned document read by OCR: its table pages (located cheaply, or `only` those), and the top of
    its first page for the title. A `ParsedDocument` whose reading says `ocr`, or None when OCR finds no
    report tables at all (a blank or non-report scan keeps its refusal)."""
    from nianbao.pipeline.extract.cells import ParsedDocument
    from nianbao.pipeline.extract.limits import active, more_memory

    wanted = only if only is not None else locate(render, count)
    pages: list[OcrPage] = []
    with more_memory(active()):  # the ONNX runtime needs more address space than the parsers
        if only is None:
            pages += _title_pages(render, min(wanted), dpi)
        pages += [read_page(render(n, dpi), n, dpi) for n in wanted]
        if only is None:
            pages += _closing_pages(render, pages, max(wanted), count, dpi)
    table_pages = [p for p in pages if p.page_number in wanted]
    tables, doubts = tables_of(table_pages, ruled)
    if not sections_found(tables):
        return None
    confs = list(cell_confidences(tables))
    reading: dict[str, Any] = {
        "method": "ocr",
        "ocr": {
            "why": why,
            "engine": "rapidocr-onnxruntime PP-OCRv4",
            "dpi": dpi,
            "pages": [p.page_number for p in pages],
            "min_conf": OCR_MIN_CONF,
            "cells_below": sum(1 for c in confs if c < OCR_MIN_CONF),
        },
    }
    if doubts is not None:
        reading["tables_from_positions"] = True  # the tables print no ruling lines
        if doubts:
            # their columns, placed from where the OCR'd words sit, may be swapped: never taken as read
            reading["ocr"]["columns_unsure"] = doubts
    return ParsedDocument(text=text_of(pages), tables=tables, format="pdf", reading=reading)
