"""Image attachments (`.jpg`, `.png`, multi-page `.tif`): every frame a scanned page, read by OCR.

An image carries no page size that can be trusted (its dpi tag is often missing or wrong), so each frame
is scaled to the resolution OCR reads at as if it were an A4 page across its shorter side; boxes are
then in points of that A4 page. Frames and pixels are counted before anything is decoded.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from io import BytesIO

import numpy as np

from nianbao.pipeline.errors import ExtractError
from nianbao.pipeline.extract.cells import ParsedDocument

MAX_FRAMES = 200  # pages of one image attachment (a scanned report: under 50)
MAX_PIXELS = 80_000_000  # one frame (an A4 page at 600 dpi: 35 million)
A4_SHORT_IN = 8.27


def is_image(data: bytes) -> bool:
    """JPEG, PNG or TIFF by their signatures."""
    return data.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"II*\x00", b"MM\x00*"))


def frames(data: bytes) -> list[np.ndarray]:
    """Every frame of the image as a greyscale array, after checking their number and size."""
    from PIL import Image, UnidentifiedImageError

    try:
        img = Image.open(BytesIO(data))
        count = getattr(img, "n_frames", 1)
        if count > MAX_FRAMES:
            raise ExtractError("too_large", f"an image of {count} frames (limit {MAX_FRAMES})")
        out = []
        for i in range(count):
            img.seek(i)
            if img.width * img.height > MAX_PIXELS:
                raise ExtractError(
                    "too_large", f"an image frame of {img.width}×{img.height} pixels (limit {MAX_PIXELS})"
                )
            grey = np.asarray(img.convert("L")).copy()
            if img.mode == "1":
                # a black-and-white scan (fax, CCITT G4): its hard stair-stepped edges read badly; the
                # recogniser was trained on grey, so the edges are softened as a grey scan's are
                import cv2

                grey = cv2.GaussianBlur(grey, (3, 3), 0)
            out.append(grey)
        return out
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as e:
        raise ExtractError("truncated", f"the image cannot be decoded ({type(e).__name__})") from e


def picture_pages(data: bytes) -> list[tuple[np.ndarray, float]]:
    """Every frame with its pixels per inch, as OCR reads it: an A4 page across its shorter side."""
    return [(f, min(f.shape[:2]) / A4_SHORT_IN) for f in frames(data)]


def rendering(pages: Sequence[tuple[np.ndarray, float]]) -> Callable[[int, float], np.ndarray]:
    """A scan's `render` (page number, dpi → greyscale image) over pictures and their pixels per inch."""
    import cv2

    def render(number: int, dpi: float) -> np.ndarray:
        frame, ppi = pages[number - 1]
        f = dpi / ppi
        return cv2.resize(frame, None, fx=f, fy=f, interpolation=cv2.INTER_AREA if f < 1 else cv2.INTER_CUBIC)

    return render


def parse_image(data: bytes) -> ParsedDocument:
    """An image attachment read by OCR: the report's tables from its frames, or a refusal."""
    from nianbao.pipeline.extract import ocr

    if not ocr.available():
        raise ExtractError("ocr_missing", "an image needs OCR, which is not installed (rapidocr-onnxruntime)")

    from nianbao.pipeline.extract.pdf import tables_on
    from nianbao.pipeline.extract.scan import read_scan

    found = picture_pages(data)
    parsed = read_scan(rendering(found), len(found), tables_on, why="image")
    if parsed is None:
        raise ExtractError("not_a_report", "OCR read no report tables from the image")
    parsed.format = "image"
    return parsed
