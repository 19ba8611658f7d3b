"""PDF as agencies export it from Word/WPS, drawn with reportlab (a generator-only dependency).

`invariant=1` keeps the bytes the same run to run. Tables are ruled grids with merged label cells; table 3
may break across pages, with or without its header repeated. The format fixtures switch on a few more
quirks of real exports: fake bold, a framed paragraph, tables open at the sides, a merged label cut in two
by a page break, table 4 on a landscape page.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from io import BytesIO

from reportlab.lib.pagesizes import A4
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from samplegen.layout import HEADER_ROWS, CellAlign, Grid, Printed, place

FONT = "STSong-Light"
# the embedded TrueType face (Debian fonts-wqy-microhei): reportlab subsets and embeds it, so the PDF reads
# the same on a machine without it; Noto CJK is CFF-flavoured, which reportlab cannot embed
TTF_FONT = "WenQuanYiMicroHei"
TTF_FAMILY = "WenQuanYi Micro Hei"
TTF_PACKAGE = "fonts-wqy-microhei"
PAGE_W, PAGE_H = A4
LEFT, RIGHT, TOP, BOTTOM = 50.0, 50.0, 60.0, 60.0
_registered: set[str] = set()


def ttf_path() -> str | None:
    """Where the embeddable TrueType CJK face is installed, or None."""
    import shutil
    import subprocess

    if not shutil.which("fc-list"):
        return None
    out = subprocess.run(
        ["fc-list", f":family={TTF_FAMILY}", "file"], capture_output=True, text=True, check=False
    ).stdout
    files = sorted(line.split(":")[0].strip() for line in out.splitlines() if line.strip())
    return files[0] if files else None


def _font(name: str = FONT) -> None:
    if name in _registered:
        return
    if name == FONT:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    else:
        from reportlab.pdfbase.ttfonts import TTFont

        path = ttf_path()
        if path is None:
            raise RuntimeError(f"the TrueType CJK font is not installed (apt-get install -y {TTF_PACKAGE})")
        pdfmetrics.registerFont(TTFont(name, path, subfontIndex=0))
    _registered.add(name)


@dataclass
class PdfStyle:
    """Page-level quirks of one PDF."""

    break_before: str | None = None  # table 3 row code that is forced onto a new page
    late_break: bool = False  # ... even when table 3 has already run over a page before that row
    repeat_header: bool = False  # table 3's header printed again after a page break
    footer: bool = False  # "- N -" page numbers
    password: str | None = None  # encrypted with this user password
    bold: bool = False  # the title and tables 3-4's header rows drawn twice, a hair apart (fake bold)
    open_sides: bool = False  # tables 3 and 4 without their outer left and right rules
    cut_labels: bool = False  # a merged label that a page break cuts prints half its text on each side
    landscape_review: bool = False  # table 4 on a landscape page, shown through /Rotate 90
    title_size: float = 16  # the title's size in points
    # the development corpus's page quirks
    font: str = FONT  # STSong-Light (a CID font the PDF names but does not embed) or TTF_FONT (embedded)
    rules: bool = True  # tables drawn with ruling lines (else text positioned in columns, no line at all)
    open_rows: tuple[
        str, ...
    ] = ()  # table 3 rows printed without the rule above them (merged with the row above)
    cells: CellAlign = field(default_factory=CellAlign)  # where text sits in its cells (centred, middle)

    def tags(self) -> list[str]:
        """Quirk names for the truth manifest."""
        out = [k for k in ("bold", "open_sides", "cut_labels", "landscape_review") if getattr(self, k)]
        if self.break_before:
            out.append(f"t3_break_before_{self.break_before}")
        if self.repeat_header:
            out.append("t3_header_repeated")
        if self.footer:
            out.append("page_numbers")
        if self.password:
            out.append("encrypted")
        return out


def wrap(text: str, width: float, size: float, font: str = FONT) -> list[str]:
    """Break text into lines no wider than `width` points (CJK text breaks anywhere; a newline always breaks)."""
    lines: list[str] = []
    for part in text.split("\n"):
        cur = ""
        for ch in part:
            if cur and pdfmetrics.stringWidth(cur + ch, font, size) > width:
                lines.append(cur)
                cur = ""
            cur += ch
        if cur:
            lines.append(cur)
    return lines or [""]


class Writer:
    """A tiny flowing layout on a reportlab canvas: paragraphs and ruled tables, top to bottom."""

    def __init__(self, style: PdfStyle, title: str) -> None:
        _font(style.font)
        self.font = style.font
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
        self.w, self.h = PAGE_W, PAGE_H
        self.y = self.h - TOP
        self.pageno = 1

    def new_page(self) -> None:
        """Finish the page (with its number when asked) and start the next."""
        if self.style.footer:
            self.c.setFont(self.font, 9)
            self.c.drawCentredString(self.w / 2, 30, f"- {self.pageno} -")
        self.c.showPage()
        self.pageno += 1
        self.y = self.h - TOP

    def landscape(self, on: bool) -> None:
        """Start a landscape page (portrait MediaBox, /Rotate 90, content drawn turned) or go back to portrait."""
        self.new_page()
        self.w, self.h = (PAGE_H, PAGE_W) if on else (PAGE_W, PAGE_H)
        # under /Rotate 90 reportlab swaps the landscape size back into a portrait MediaBox
        self.c.setPageSize((self.w, self.h))
        self.c.setPageRotation(90 if on else 0)
        if on:
            self.c.translate(PAGE_W, 0)
            self.c.rotate(90)
        self.y = self.h - TOP

    def draw(
        self, x: float, y: float, line: str, center: bool = False, bold: bool = False, right: bool = False
    ) -> None:
        """One line of text; fake bold draws it again 0.3 pt to the right."""
        for dx in (0.0, 0.3) if bold else (0.0,):
            if center:
                self.c.drawCentredString(x + dx, y, line)
            elif right:
                self.c.drawRightString(x + dx, y, line)
            else:
                self.c.drawString(x + dx, y, line)

    def text(
        self,
        text: str,
        size: float = 10.5,
        indent: float = 21.0,
        center: bool = False,
        gap: float = 4,
        bold: bool = False,
        framed: bool = False,
        right: bool = False,
    ) -> None:
        """A paragraph, wrapped to the text width, breaking pages between lines (a framed one is kept whole)."""
        width = self.w - LEFT - RIGHT
        lines = wrap(text, width - indent, size, self.font)
        leading = size * 1.6
        if framed:
            if self.y - len(lines) * leading < BOTTOM:
                self.new_page()
            self.c.rect(LEFT - 3, self.y - len(lines) * leading - 4, width + 6, len(lines) * leading + 6)
        for n, line in enumerate(lines):
            if self.y - leading < BOTTOM:
                self.new_page()
            self.c.setFont(self.font, size)
            if center:
                self.draw(self.w / 2, self.y - size, line, center=True, bold=bold)
            elif right:
                self.draw(self.w - RIGHT - 2 * size, self.y - size, line, right=True)
            else:
                self.draw(LEFT + (indent if n == 0 else 0), self.y - size, line, bold=bold)
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
        quirks: bool = False,
        open_rows: frozenset[int] = frozenset(),
    ) -> None:
        """A ruled grid; split over pages when it must (or at `break_rows`), else moved whole.

        `quirks`: this table takes the style's fake bold, open sides and cut labels (tables 3 and 4).
        """
        cells = place(grid)
        total = self.w - LEFT - RIGHT
        widths = [w * total / sum(rel_widths) for w in rel_widths]
        xs = [LEFT + sum(widths[:i]) for i in range(len(widths) + 1)]
        pad, leading = 2.5, size * 1.25
        heights = [size * 1.25 + 2 * pad + 4] * len(grid)
        wrapped = {}
        for r, c, rs, cs, text in cells:
            lines = wrap(text, xs[c + cs] - xs[c] - 2 * pad, size, self.font)
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
            # the city forces its break only while the table is on its first page; with `late_break` it falls
            # wherever its row lands (never leaving a repeated header alone on a page)
            later = self.style.late_break and any(x >= header_rows for x in segments[-1])
            forced = r in break_rows and (len(segments) == 1 or later)
            if segments[-1] and (forced or y - heights[r] < BOTTOM):
                segments.append(list(range(header_rows)) if self.style.repeat_header else [])
                y = self.h - TOP - sum(heights[i] for i in segments[-1])
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
            self.c.setFont(self.font, size)
            self.c.setLineWidth(0.6)
            for r, c, rs, cs, text in cells:
                visible = [x for x in rows if r <= x < r + rs]
                if not visible:
                    continue
                top, bottom = tops[visible[0]], tops[visible[-1]] - heights[visible[-1]]
                if not self.style.rules:
                    pass  # text positioned in columns, no line drawn
                elif open_rows:
                    # each side on its own, leaving out the rule between a row and the one above it
                    if visible[0] not in open_rows:
                        self.c.line(xs[c], top, xs[c + cs], top)
                    if visible[-1] + 1 not in open_rows:
                        self.c.line(xs[c], bottom, xs[c + cs], bottom)
                    self.c.line(xs[c], top, xs[c], bottom)
                    self.c.line(xs[c + cs], top, xs[c + cs], bottom)
                elif quirks and self.style.open_sides:
                    self.c.line(xs[c], top, xs[c + cs], top)
                    self.c.line(xs[c], bottom, xs[c + cs], bottom)
                    for x in {xs[c], xs[c + cs]} - {xs[0], xs[-1]}:
                        self.c.line(x, top, x, bottom)
                else:
                    self.c.rect(xs[c], bottom, xs[c + cs] - xs[c], top - bottom)
                lines = wrapped[(r, c)]
                if (
                    quirks
                    and self.style.cut_labels
                    and rs > 1
                    and (r not in visible or visible[-1] < r + rs - 1)
                ):
                    half = len(text) // 2
                    part = text[:half] if r in visible else text[half:]
                    lines = wrap(part, xs[c + cs] - xs[c] - 2 * pad, size, self.font)
                elif r not in visible:
                    continue  # the continuation of a merged cell on the next page stays blank
                bold = quirks and self.style.bold and r < 3
                align = self.style.cells.horizontal(text, r < header_rows)
                if self.style.cells.vertical(r < header_rows) == "top":
                    ty = top - pad - size
                else:
                    ty = (top + bottom) / 2 + len(lines) * leading / 2 - size
                x = {"left": xs[c] + pad, "right": xs[c + cs] - pad}.get(align, (xs[c] + xs[c + cs]) / 2)
                for line in lines:
                    self.draw(x, ty, line, center=align == "center", right=align == "right", bold=bold)
                    ty -= leading
            self.y = y
        self.y -= 10

    def finish(self) -> bytes:
        """The PDF's bytes."""
        if self.style.footer:
            self.c.setFont(self.font, 9)
            self.c.drawCentredString(self.w / 2, 30, f"- {self.pageno} -")
        self.c.showPage()
        self.c.save()
        return self.buf.getvalue()


def render_pdf(doc: Printed, style: PdfStyle, row_codes: list[str]) -> bytes:
    """The report as a PDF; `row_codes` are table 3's body rows in order (to place a forced break)."""
    w = Writer(style, doc.title.replace("\n", ""))
    title = doc.title.split("\n")
    for n, line in enumerate(title):
        last = n == len(title) - 1
        w.text(line, size=style.title_size, indent=0, center=True, gap=12 if last else 0, bold=style.bold)
    for block in doc.blocks:
        if block[0] == "h":
            if style.landscape_review and block[1][0] in "四五":
                w.landscape(block[1][0] == "四")
            w.text(block[1], size=12, indent=0, gap=2)
        elif block[0] == "p":
            flags = block[2:]
            if "center" in flags or "right" in flags:
                w.text(block[1], indent=0, center="center" in flags, right="right" in flags)
            else:
                w.text(block[1], framed=flags == ("framed",))
        else:
            key, grid = block[1], block[2]
            if key == "applications":
                breaks = {3 + row_codes.index(style.break_before)} if style.break_before else set()
                open_rows = frozenset(3 + row_codes.index(r) for r in style.open_rows)
                w.table(
                    grid,
                    doc.table_widths[key],
                    7.5,
                    HEADER_ROWS[key],
                    breaks,
                    splittable=True,
                    quirks=True,
                    open_rows=open_rows,
                )
            else:
                review = key == "review_litigation"
                widths = doc.table_widths.get(key) or [1.0] * max(
                    c + cs for _r, c, _rs, cs, _t in place(grid)
                )
                w.table(grid, widths, 7.5 if review else 9, 0, set(), False, quirks=review)
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
