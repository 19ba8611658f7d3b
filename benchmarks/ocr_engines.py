"""rapidocr (PP-OCRv4, the engine nianbao uses) against Debian's tesseract with chi_sim (issue 13).

For each scan of the committed set (ruled tables), every value cell that the OCR reading located is cut
from the page as printed (the page rendered at 200 dpi, the cell's box from the reading's provenance,
not straightened, so both engines see the same pixels) and read by both engines, each restricted to
number characters (rapidocr: nianbao's restricted decoding; tesseract: `tessedit_char_whitelist`, one
line, `--psm 7`). A cell is right when the value read equals the golden. Whole pages are read by both
for seconds per page (rapidocr: nianbao's `scan.read_page`; tesseract: `--psm 6`), and peak memory.

    .venv/bin/python benchmarks/ocr_engines.py [--docs 3]      # needs: apt-get install tesseract-ocr tesseract-ocr-chi-sim
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DPI = 200
WHITELIST = "0123456789,-—/无."


def _value(text: str) -> str:
    """A cell's reading as the value it stands for (zero markers are 0, thousands separators dropped)."""
    t = text.strip().replace(",", "").replace("，", "")
    return "0" if t in ("-", "—", "/", "无", "") else t


TESSERACT_PEAK_KB = [0]  # the largest resident set a tesseract process reached (GNU time's %M)


def _tesseract(image: np.ndarray, args: list[str]) -> str:
    import cv2

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "c.png"
        cv2.imwrite(str(path), image)
        timed = ["/usr/bin/time", "-f", "%M", "-o", f"{tmp}/rss"] if Path("/usr/bin/time").exists() else []
        out = subprocess.run(
            [*timed, "tesseract", str(path), "stdout", "-l", "chi_sim", *args],
            capture_output=True,
            text=True,
            check=False,
        )
        if timed:
            TESSERACT_PEAK_KB[0] = max(TESSERACT_PEAK_KB[0], int(Path(f"{tmp}/rss").read_text().split()[-1]))
    return out.stdout.strip().replace(" ", "")


def main() -> None:
    """Compare the engines on the committed scans."""
    import cv2
    import pypdfium2 as pdfium

    from nianbao.pipeline.extract import extract_report, ocr, scan

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=3)
    args = ap.parse_args()
    if shutil.which("tesseract") is None:
        sys.exit("tesseract is not installed: apt-get install tesseract-ocr tesseract-ocr-chi-sim")
    manifest = json.loads((ROOT / "tests/files/scans/manifest.json").read_text("utf-8"))["documents"]
    docs = [d for d in manifest if d["kind"] == "scan"][: args.docs]
    right = {"rapidocr": 0, "tesseract": 0}
    cells = 0
    seconds = {"rapidocr": 0.0, "tesseract": 0.0}
    pages = 0
    for d in docs:
        data = (ROOT / d["path"]).read_bytes()
        report = extract_report(data)
        golden = json.loads((ROOT / d["golden"]).read_text("utf-8"))
        pdf = pdfium.PdfDocument(data)
        images = {}
        for n in report.reading.details["ocr"]["pages"]:
            grey = pdf[n - 1].render(scale=DPI / 72, grayscale=True).to_numpy().copy()
            images[n] = grey
            t = time.perf_counter()
            scan.read_page(grey, n, DPI)
            seconds["rapidocr"] += time.perf_counter() - t
            t = time.perf_counter()
            _tesseract(grey, ["--psm", "6"])
            seconds["tesseract"] += time.perf_counter() - t
            pages += 1
        for key, loc in report.provenance.items():
            if loc.conf is None or loc.page is None or loc.bbox is None:
                continue
            table, row, col = key.split(".")
            want = str(golden[table].get(row, {}).get(col))
            x0, top, x1, bottom = (round(v * DPI / 72) for v in loc.bbox)
            crop = images[loc.page][top + 3 : bottom - 3, x0 + 3 : x1 - 3]
            if crop.size == 0:
                continue
            found = scan.ink_lines(crop, (0, 0, crop.shape[1], crop.shape[0]))
            tight = found[0][0] if len(found) == 1 else crop
            cells += 1
            (mine,) = ocr.engine().recognize([tight])
            right["rapidocr"] += _value(mine.text) == want
            theirs = _tesseract(
                cv2.copyMakeBorder(tight, 10, 10, 10, 10, cv2.BORDER_CONSTANT, value=255),
                ["--psm", "7", "-c", f"tessedit_char_whitelist={WHITELIST}"],
            )
            right["tesseract"] += _value(theirs) == want
    child = TESSERACT_PEAK_KB[0] / 1024
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{len(docs)} scans, {pages} table pages, {cells} value cells (same crops for both engines)")
    for engine in ("rapidocr", "tesseract"):
        print(
            f"{engine:10} cells right {right[engine]}/{cells} ({100 * right[engine] / max(1, cells):.1f}%), "
            f"{seconds[engine] / max(1, pages):.2f} s per page"
        )
    print(f"peak RSS: this process (rapidocr) {own:.0f} MB, a tesseract process {child:.0f} MB")
    print("models:", {k: f"{v / 1e6:.1f} MB" for k, v in ocr.model_files().items()})
    tessdata = sorted(Path("/usr/share/tesseract-ocr").glob("*/tessdata/chi_sim.traineddata"))
    if tessdata:
        print(f"tesseract chi_sim.traineddata {tessdata[0].stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
