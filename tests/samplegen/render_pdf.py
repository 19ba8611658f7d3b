"""PDF as agencies export it from Word/WPS, drawn with reportlab (a generator-only dependency).

`invariant=1` keeps the bytes the same run to run. Tables are ruled grids with merged label cells; table 3
may break across pages, with or without its header repeated.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from io import BytesIO

from reportlab.lib.pagesizes import A4
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from samplegen.layout import Grid, Printed

FONT = "STSong-Light"
PAGE_W, PAGE_H = A4
LEFT, RIGHT, TOP, BOTTOM = 50.0, 50.0, 60.0, 60.0
_registered = False


def _font() -> None:
    global _registered
    if not _registered:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _registered = True


@dataclass
class PdfStyle:
    """Page-level quirks of one PDF."""

    break_before: str | None = None  # table 3 row code that is forced onto a new page
    repeat_header: bool = False  # table 3's header printed again after a page break
    footer: bool = False  # "- N -" page numbers
    password: str | None = None  # encrypted with this user password

    def tags(self) -> list[str]:
        """Quirk names for the truth manifest."""
        out = []
        if self.break_before:
            out.append(f"t3_break_before_{self.break_before}")
        if self.repeat_header:
            out.append("t3_header_repeated")
        if self.footer:
            out.append("page_numbers")
        if self.password:
            out.append("encrypted")
        return out


def wrap(text: str, width: float, size: float) -> list[str]:
    """Break text into lines no wider than `width` points (CJK text breaks anywhere)."""
    lines: list[str] = []
    cur = ""
    for ch in text:
        if cur and pdfmetrics.stringWidth(cur + ch, FONT, size) > width:
            lines.append(cur)
            cur = ""
        cur += ch
    if cur:
        lines.append(cur)
    return lines or [""]


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


class Writer:
    """A tiny flowing layout on a reportlab canvas: paragraphs and ruled tables, top to bottom."""

    def __init__(self, style: PdfStyle, title: str) -> None:
        _font()
        self.buf = BytesIO()
        enc = (
            StandardEncryption(style.password, ownerPassword="nianbao-owner", strength=128)
            if style.password
            else None
        )
        self.c = canvas.Canvas(self.buf, pagesize=A4, invariant=1, encrypt=enc)
        self.c.setTitle(title)
        self.c.setAuthor("")
        self.c.setCreator("WPS 文字")
        self.style = style
        self.y = PAGE_H - TOP
        self.pageno = 1

    def new_page(self) -> None:
        """Finish the page (with its number when asked) and start the next."""
        if self.style.footer:
            self.c.setFont(FONT, 9)
            self.c.drawCentredString(PAGE_W / 2, 30, f"- {self.pageno} -")
        self.c.showPage()
        self.pageno += 1
        self.y = PAGE_H - TOP

    def text(
        self, text: str, size: float = 10.5, indent: float = 21.0, center: bool = False, gap: float = 4
    ) -> None:
        """A paragraph, wrapped to the text width, breaking pages between lines."""
        width = PAGE_W - LEFT - RIGHT
        lines = wrap(text, width - indent, size)
        leading = size * 1.6
        for n, line in enumerate(lines):
            if self.y - leading < BOTTOM:
                self.new_page()
            self.c.setFont(FONT, size)
            if center:
                self.c.drawCentredString(PAGE_W / 2, self.y - size, line)
            else:
                self.c.drawString(LEFT + (indent if n == 0 else 0), self.y - size, line)
            self.y -= leading
        self.y -= gap

    def table(
        self,
        grid: Grid,
        rel_widths: list[float],
        size: float,
        header_rows: int,
        break_rows: set[int],
        splittable: bool,
    ) -> None:
        """A ruled grid; split over pages when it must (or at `break_rows`), else moved whole."""
        cells = place(grid)
        total = PAGE_W - LEFT - RIGHT
        widths = [w * total / sum(rel_widths) for w in rel_widths]
        xs = [LEFT + sum(widths[:i]) for i in range(len(widths) + 1)]
        pad, leading = 2.5, size * 1.25
        heights = [size * 1.25 + 2 * pad + 4] * len(grid)
        wrapped = {}
        for r, c, rs, cs, text in cells:
            lines = wrap(text, xs[c + cs] - xs[c] - 2 * pad, size)
            wrapped[(r, c)] = lines
            need = len(lines) * leading + 2 * pad
            have = sum(heights[r : r + rs])
            if need > have:
                heights[r + rs - 1] += need - have
        keep = len(grid) if not splittable else header_rows + 1
        if self.y - sum(heights[:keep]) < BOTTOM:
            self.new_page()
        segments: list[list[int]] = [[]]
        y = self.y
        for r in range(len(grid)):
            if segments[-1] and ((r in break_rows and len(segments) == 1) or y - heights[r] < BOTTOM):
                segments.append(list(range(header_rows)) if self.style.repeat_header else [])
                y = PAGE_H - TOP - sum(heights[i] for i in segments[-1])
            segments[-1].append(r)
            y -= heights[r]
        for n, rows in enumerate(segments):
            if n:
                self.new_page()
            tops: dict[int, float] = {}
            y = self.y
            for r in rows:
                tops[r] = y
                y -= heights[r]
            self.c.setFont(FONT, size)
            self.c.setLineWidth(0.6)
            for r, c, rs, cs, _text in cells:
                visible = [x for x in rows if r <= x < r + rs]
                if not visible:
                    continue
                top, bottom = tops[visible[0]], tops[visible[-1]] - heights[visible[-1]]
                self.c.rect(xs[c], bottom, xs[c + cs] - xs[c], top - bottom)
                if r not in visible:
                    continue  # the continuation of a merged cell on the next page stays blank
                lines = wrapped[(r, c)]
                ty = (top + bottom) / 2 + len(lines) * leading / 2 - size
                for line in lines:
                    self.c.drawCentredString((xs[c] + xs[c + cs]) / 2, ty, line)
                    ty -= leading
            self.y = y
        self.y -= 10

    def finish(self) -> bytes:
        """The PDF's bytes."""
        if self.style.footer:
            self.c.setFont(FONT, 9)
            self.c.drawCentredString(PAGE_W / 2, 30, f"- {self.pageno} -")
        self.c.showPage()
        self.c.save()
        return self.buf.getvalue()


def render_pdf(doc: Printed, style: PdfStyle, row_codes: list[str]) -> bytes:
    """The report as a PDF; `row_codes` are table 3's body rows in order (to place a forced break)."""
    w = Writer(style, doc.title)
    w.text(doc.title, size=16, indent=0, center=True, gap=12)
    for block in doc.blocks:
        if block[0] == "h":
            w.text(block[1], size=12, indent=0, gap=2)
        elif block[0] == "p":
            w.text(block[1])
        else:
            key, grid = block[1], block[2]
            if key == "applications":
                breaks = {3 + row_codes.index(style.break_before)} if style.break_before else set()
                w.table(grid, doc.table_widths[key], 7.5, 3, breaks, splittable=True)
            else:
                w.table(
                    grid, doc.table_widths[key], 7.5 if key == "review_litigation" else 9, 0, set(), False
                )
    return w.finish()


def render_image_only(doc: Printed, seed: int) -> bytes:
    """A 'scanned' report: page images of grey text lines and table rules, no text layer at all."""
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    buf = BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    c.setTitle(doc.title)
    for page in range(2):
        img = Image.new("1", (620, 877), 1)
        d = ImageDraw.Draw(img)
        y = 70
        if page == 0:
            d.rectangle((150, y, 470, y + 14), fill=0)
            y += 40
        while y < 820:
            if rng.random() < 0.2 and y < 600:
                for k in range(12):
                    d.line((50, y + k * 16, 570, y + k * 16), fill=0)
                for x in range(50, 571, 65):
                    d.line((x, y, x, y + 11 * 16), fill=0)
                y += 12 * 16 + 20
                continue
            d.rectangle(
                (50 + (24 if rng.random() < 0.3 else 0), y, 50 + rng.randint(300, 520), y + 8), fill=0
            )
            y += 20
        c.drawImage(ImageReader(img), 0, 0, PAGE_W, PAGE_H)
        c.showPage()
    c.save()
    return buf.getvalue()
