"""Tables pasted into a document as pictures: a web page's `<img>`s, a Word file's embedded pictures.

Many agencies keep only the narrative as text and paste the report's tables in as pictures (screenshots
of the Word tables, or each page of the PDF as an image). When a page's or a Word file's own tables do
not show all of tables 2-4, its pictures, in document order, are read by OCR as a scan's pages are
(`scan.py`), and their tables join those of the markup. What differs by format is only how the pictures
are found and how large the document shows them (`html.py`, `docx.py`); the rest is here, once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from nianbao.pipeline.errors import ExtractError
from nianbao.pipeline.extract.cells import ParsedDocument, RawTable
from nianbao.pipeline.extract.sections import all_sections, sections_found
from nianbao.pipeline.tables import TABLE_NAMES

if TYPE_CHECKING:
    import numpy as np

# read by OCR from one document, or fetched with a page (a report pasted page by page: under 30)
MAX_PICTURES = 60
MIN_PICTURE_PX = 64  # a picture smaller across is an icon, a bullet or a rule, not a table
CSS_DPI = 96.0  # a picture shown at its own size has one pixel per CSS pixel: 96 to the inch

PicturePage = tuple["np.ndarray", float]  # a picture (greyscale) and its pixels per inch of the page
Shown = tuple[bytes, float | None]  # a picture's bytes and the width the document shows it at, in CSS px


def pixels_per_inch(frame_shape: tuple[int, ...], shown: float | None) -> float:
    """How many of a picture's pixels make an inch of the page it shows. A picture shaped like a page (a
    PDF page as an image) is taken as A4 across its shorter side, as an image attachment is; any other
    (a table's screenshot) at the size the document shows it, in CSS pixels of 1/96 in (its own pixels
    when the document does not say)."""
    from nianbao.pipeline.extract.image import A4_SHORT_IN

    height, width = frame_shape[:2]
    if width >= 500 and 1.25 <= height / width <= 1.6:
        return min(height, width) / A4_SHORT_IN
    if shown:
        return CSS_DPI * width / shown
    return CSS_DPI


def picture_pages(found: Sequence[Shown]) -> list[PicturePage]:
    """Every frame of the pictures that decode, with its pixels per inch; icons and rules left out."""
    from nianbao.pipeline.extract.image import frames

    if len(found) > MAX_PICTURES:
        raise ExtractError("too_large", f"the document has {len(found)} pictures (limit {MAX_PICTURES})")
    pages: list[PicturePage] = []
    for data, shown in found:
        try:
            got = frames(data)
        except ExtractError:  # a picture that cannot be decoded is not a table
            continue
        pages += [(f, pixels_per_inch(f.shape, shown)) for f in got if min(f.shape[:2]) >= MIN_PICTURE_PX]
    if len(pages) > MAX_PICTURES:
        raise ExtractError(
            "too_large", f"the document's pictures hold {len(pages)} frames (limit {MAX_PICTURES})"
        )
    return pages


def pictured_tables(tables: list[RawTable], found: Sequence[Shown]) -> ParsedDocument | None:
    """The pictures read by OCR and their tables joined after the document's own, when that shows more of
    tables 2-4 than the document's tables alone; None otherwise (its own show all three, no pictures,
    none readable, or OCR not installed). The caller looks its pictures up only when `wanted`."""
    known = sections_found(tables)
    if known == len(TABLE_NAMES) or not found:
        return None
    from nianbao.pipeline.extract import ocr

    if not ocr.available():
        return None
    from nianbao.pipeline.extract.image import rendering
    from nianbao.pipeline.extract.pdf import tables_on
    from nianbao.pipeline.extract.scan import read_scan

    pages = picture_pages(found)
    if not pages:
        return None
    scanned = read_scan(rendering(pages), len(pages), tables_on, why="table_pictures")
    if scanned is None:
        return None
    joined = [*tables, *scanned.tables]
    if sections_found(joined) <= known:
        return None
    scanned.tables = joined
    return scanned


def wanted(tables: list[RawTable]) -> bool:
    """Whether a document with these tables of its own would read its pictures (it lacks some of 2-4)."""
    return not all_sections(tables)
