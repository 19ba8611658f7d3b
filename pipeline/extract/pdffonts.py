"""pdfium's font lookup, answered the same way on every machine.

A PDF may name a font without embedding it (reportlab's `STSong-Light`, many CMS exports). pdfium then
asks the platform for a substitute, and what it gets depends on the fonts installed: with a CJK font
the glyph boxes are sound; with none, every box is zero-high and pdfium's text page drops and merges
characters (`商业企业` → `商业企`, whole rotated pages lost). The same document read differently on two
machines is not acceptable, so nianbao answers every such lookup itself with one small fixed font
(`metrics.ttf`, made by `tools/make_metrics_font.py`): a wide box for CJK code points, a narrow one for
the rest. Positions and widths still come from the PDF itself; no system font is ever consulted.

Rendering (page images) sees the same boxes for non-embedded text; embedded fonts are unaffected.
"""

from __future__ import annotations

import ctypes
import threading
from importlib import resources
from typing import Any

import pypdfium2 as pdfium

FACE = b"NianbaoMetrics"
_FONT = resources.files(__package__).joinpath("metrics.ttf").read_bytes()
_HANDLE = 1  # pdfium only needs a non-null handle; there is one font


class MetricsFontInfo(pdfium.PdfSysfontBase):  # type: ignore[misc]
    """An FPDF_SYSFONTINFO that maps every requested face to the fixed metrics font."""

    def __init__(self) -> None:
        super().__init__()
        self.requested: set[str] = set()  # the faces pdfium asked for, for the reading record and tests

    def EnumFonts(self, _: Any, mapper: Any) -> None:
        """Announce no system fonts."""
        return None

    def MapFont(
        self, _: Any, weight: int, italic: int, charset: int, pitch: int, face: Any, exact: Any
    ) -> int:
        """Every face → the metrics font."""
        name = ctypes.cast(face, ctypes.c_char_p).value if face else None
        self.requested.add((name or b"").decode("latin-1"))
        return _HANDLE

    def GetFont(self, _: Any, face: Any) -> int:
        """Every face → the metrics font."""
        return _HANDLE

    def GetFontData(self, _: Any, font: Any, table: int, buffer: Any, size: int) -> int:
        """The whole font file (table 0); no single tables."""
        if table != 0:
            return 0
        if buffer and size >= len(_FONT):
            ctypes.memmove(buffer, _FONT, len(_FONT))
        return len(_FONT)

    def GetFaceName(self, _: Any, font: Any, buffer: Any, size: int) -> int:
        """The metrics font's family name."""
        name = FACE + b"\x00"
        if buffer and size >= len(name):
            ctypes.memmove(buffer, name, len(name))
        return len(name)

    def GetFontCharset(self, _: Any, font: Any) -> int:
        """GB2312: the charset the CJK reports are written in (the cmap covers every plane anyway)."""
        return 134

    def DeleteFont(self, _: Any, font: Any) -> None:
        """Nothing to free: the font's bytes live as long as the module."""
        return None

    def Release(self, _: Any) -> None:
        """Nothing to release."""
        return None


_lock = threading.Lock()
_installed: MetricsFontInfo | None = None


def install() -> MetricsFontInfo:
    """Make pdfium use the metrics font for every non-embedded font, from now on, in this process."""
    global _installed
    with _lock:
        if _installed is None or pdfium.PdfSysfontBase.SINGLETON is not _installed:
            info = MetricsFontInfo()
            info.setup()
            _installed = info
        return _installed
