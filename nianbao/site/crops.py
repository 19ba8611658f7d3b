"""Crops of PDF pages around the cells a finding names, cells highlighted: rendered by pdfium in a process of its own.

A document read by OCR from pictures (an image attachment, a web page or web archive whose tables are
pictures) is cropped from the same pictures, at the same pixels per inch, as its reader OCR'd them
(`nianbao.pipeline.extract.picture_pages`).

Run as `python -m nianbao.site.crops`: a JSON list of jobs on stdin (`pdf`, 1-based `page`, `boxes` in PDF
points with a top-left origin as the findings store them, `out`), a JSON list of results on stdout (`out`
and the crop's `size`, or `error`).

Why a process of its own: nianbao's PDF reader answers pdfium's font lookups with one fixed metrics font
(`nianbao.pipeline.extract.pdffonts`, installed process-wide when the reader is imported), so that what is
read never depends on the machine's fonts. Rendered through that font every glyph of a font the PDF does
not embed is a box. This module imports nothing of nianbao's before its PDFs are drawn (so `python -m`
loads only the package's empty `__init__`s; the picture readers come after) and refuses to render if the
handler is installed anyway: pdfium draws such fonts
with the machine's own — Chinese shows where a CJK font is installed (CI installs one; on a machine with
none those glyphs are missing from the crop, the numbers and ruling lines are still drawn) — and
embedded fonts as they are.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from typing import Any

SCALE = 2.0  # 144 dpi: the printed digits readable at the page's own width
ABOVE, BELOW = 72.0, 28.0  # points kept above the cells (the headers) and below them
FILL, EDGE = (255, 196, 0, 70), (200, 30, 30, 255)


def _clip(boxes: list[list[float]], width: float, height: float) -> tuple[float, float, float, float]:
    """The band of the page to keep: its whole width, from above the highest cell to below the lowest."""
    if not boxes:
        return 0.0, 0.0, width, height
    top = max(0.0, min(b[1] for b in boxes) - ABOVE)
    bottom = min(height, max(b[3] for b in boxes) + BELOW)
    return 0.0, top, width, bottom


def render(jobs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Render every job (each document opened once); one result per job, in order."""
    import pypdfium2 as pdfium
    from PIL import ImageDraw

    if "nianbao.pipeline.extract.pdffonts" in sys.modules:
        raise RuntimeError("the reader's metrics font is installed in this process: crops would show boxes")
    results: dict[int, dict[str, Any]] = {}
    by_pdf: dict[str, list[int]] = defaultdict(list)
    for i, job in enumerate(jobs):
        by_pdf[job["pdf"]].append(i)
    pictured: dict[str, list[int]] = {}
    for path, indexes in by_pdf.items():
        if not _is_pdf(path):
            pictured[path] = indexes  # after every PDF: their reader's modules are imported for them
            continue
        try:
            doc = pdfium.PdfDocument(path)
        except (pdfium.PdfiumError, OSError) as e:
            results.update(
                {i: {"out": jobs[i]["out"], "error": f"cannot open the PDF: {e}"} for i in indexes}
            )
            continue
        try:
            for i in indexes:
                job = jobs[i]
                try:
                    page = doc[int(job["page"]) - 1]
                except (IndexError, pdfium.PdfiumError):
                    results[i] = {"out": job["out"], "error": f"the PDF has no page {job['page']}"}
                    continue
                width, height = page.get_size()
                x0, top, x1, bottom = _clip(job["boxes"], width, height)
                # pdfium crops by the amount cut off each border: left, bottom, right, top
                bitmap = page.render(scale=SCALE, crop=(x0, height - bottom, width - x1, top))
                image = bitmap.to_pil().convert("RGB")
                overlay = ImageDraw.Draw(image, "RGBA")  # RGBA drawing on an RGB image blends
                for b in job["boxes"]:
                    rect = [
                        (b[0] - x0) * SCALE,
                        (b[1] - top) * SCALE,
                        (b[2] - x0) * SCALE,
                        (b[3] - top) * SCALE,
                    ]
                    overlay.rectangle(rect, fill=FILL, outline=EDGE, width=3)
                image.save(job["out"], format="PNG", optimize=True)
                results[i] = {"out": job["out"], "size": list(image.size)}
                page.close()
        finally:
            doc.close()
    for path, indexes in pictured.items():
        results.update(_crop_pictures(path, [jobs[i] for i in indexes], indexes))
    return [results[i] for i in range(len(jobs))]


def _is_pdf(path: str) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(1024).find(b"%PDF-") != -1
    except OSError:
        return True  # pdfium says why it cannot be opened


def _crop_pictures(path: str, jobs: list[dict[str, Any]], indexes: list[int]) -> dict[int, dict[str, Any]]:
    """The jobs on one document read from pictures: each page's band cut from its picture, at SCALE."""
    from PIL import Image, ImageDraw

    from nianbao.pipeline.errors import ExtractError
    from nianbao.pipeline.extract import picture_pages

    try:
        with open(path, "rb") as f:
            pages = picture_pages(f.read())
    except (ExtractError, OSError) as e:
        return {
            i: {"out": job["out"], "error": f"cannot open its pictures: {e}"}
            for i, job in zip(indexes, jobs, strict=True)
        }
    out: dict[int, dict[str, Any]] = {}
    for i, job in zip(indexes, jobs, strict=True):
        n = int(job["page"])
        if not 1 <= n <= len(pages):
            out[i] = {"out": job["out"], "error": f"the document has no picture {n}"}
            continue
        frame, ppi = pages[n - 1]
        per_point = ppi / 72.0
        height, width = frame.shape[0] / per_point, frame.shape[1] / per_point
        x0, top, _right, bottom = _clip(job["boxes"], width, height)
        band = Image.fromarray(frame[int(top * per_point) : int(bottom * per_point), :]).convert("RGB")
        image = band.resize((max(1, round(width * SCALE)), max(1, round((bottom - top) * SCALE))))
        overlay = ImageDraw.Draw(image, "RGBA")
        for b in job["boxes"]:
            rect = [(b[0] - x0) * SCALE, (b[1] - top) * SCALE, (b[2] - x0) * SCALE, (b[3] - top) * SCALE]
            overlay.rectangle(rect, fill=FILL, outline=EDGE, width=3)
        image.save(job["out"], format="PNG", optimize=True)
        out[i] = {"out": job["out"], "size": list(image.size)}
    return out


def main() -> None:
    """stdin: the jobs as JSON; stdout: the results as JSON."""
    print(json.dumps(render(json.load(sys.stdin))))


if __name__ == "__main__":
    main()
