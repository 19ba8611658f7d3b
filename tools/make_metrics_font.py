"""Write `pipeline/extract/metrics.ttf`: the fixed font pdfium gets for every font a PDF does not embed.

A PDF that names a font without embedding it (reportlab's STSong-Light, many CMS exports) leaves pdfium
to take glyph outlines from whatever the machine has installed. With no CJK font installed, every glyph
box comes out zero-high and pdfium's text page drops or merges characters. nianbao therefore answers
pdfium's font lookups itself, always with this font, so a document reads the same on every machine.

The font has two glyphs — a wide box for CJK and full-width code points, a narrow one for everything
else — each drawn inside the advance so that pdfium's loose character box (the PDF's own widths and the
font descriptor's ascent/descent) contains it. fontTools comes with the dev extra:

    .venv/bin/python tools/make_metrics_font.py
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib.tables._c_m_a_p import cmap_classes

OUT = Path(__file__).resolve().parent.parent / "pipeline" / "extract" / "metrics.ttf"
UNITS = 1000
# code points drawn one em wide: Hangul Jamo, CJK radicals to Yi, Hangul syllables, compatibility
# ideographs, vertical forms, full-width forms, and the supplementary ideographic planes
WIDE = [
    (0x1100, 0x115F),
    (0x2E80, 0xA4CF),
    (0xAC00, 0xD7A3),
    (0xF900, 0xFAFF),
    (0xFE30, 0xFE4F),
    (0xFF00, 0xFF60),
    (0xFFE0, 0xFFE6),
    (0x20000, 0x3FFFD),
]


def _box(x0: int, y0: int, x1: int, y1: int) -> object:
    pen = TTGlyphPen(None)
    pen.moveTo((x0, y0))
    pen.lineTo((x0, y1))
    pen.lineTo((x1, y1))
    pen.lineTo((x1, y0))
    pen.closePath()
    return pen.glyph()


def _ranges() -> dict[int, str]:
    """Every code point from U+0020 up, mapped to the wide or the narrow glyph (surrogates left out)."""
    out: dict[int, str] = {}
    wide = [range(a, b + 1) for a, b in WIDE]
    for cp in range(0x20, 0x40000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        out[cp] = "wide" if any(cp in r for r in wide) else "narrow"
    return out


def build() -> bytes:
    """The font file's bytes."""
    fb = FontBuilder(UNITS, isTTF=True)
    order = [".notdef", "narrow", "wide"]
    fb.setupGlyphOrder(order)
    fb.setupCharacterMap({0x41: "narrow"})
    fb.setupGlyf(
        {".notdef": _box(50, 0, 450, 700), "narrow": _box(50, 0, 450, 700), "wide": _box(60, -60, 940, 800)}
    )
    fb.setupHorizontalMetrics({".notdef": (500, 50), "narrow": (500, 50), "wide": (UNITS, 60)})
    fb.setupHorizontalHeader(ascent=880, descent=-120)
    fb.setupNameTable({"familyName": "NianbaoMetrics", "styleName": "Regular"})
    fb.setupOS2(sTypoAscender=880, sTypoDescender=-120, usWinAscent=880, usWinDescent=120)
    fb.setupPost()
    # a fixed date, so that the file is the same byte for byte whoever makes it
    fb.font["head"].created = fb.font["head"].modified = 3_800_000_000
    fb.font.recalcTimestamp = False
    # format 13 maps whole ranges to one glyph: the complete cmap stays a few hundred bytes
    sub = cmap_classes[13](13)
    sub.platformID, sub.platEncID, sub.language = 3, 10, 0
    sub.cmap = _ranges()
    fb.font["cmap"].tables = [sub]
    buf = BytesIO()
    fb.font.save(buf)
    return buf.getvalue()


if __name__ == "__main__":
    OUT.write_bytes(build())
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")
