"""A source PDF's pages as greyscale images, rendered in a process of their own (for `samplegen.scans`).

pdfium looks up every font a PDF names without embedding it (reportlab's `STSong-Light` and
`Helvetica` in the PDF fixtures) through one lookup per process. nianbao's PDF reader replaces that
lookup with its metrics font as soon as it is imported (`pipeline/extract/pdffonts.py`), and the
metrics font draws every glyph as a solid box. A scan rendered in a process where the reader had been
imported (the slow OCR test, which makes its scans beside the readers) was a page of black boxes, one
rendered by `python -m samplegen.scans` a page of text: the test and the benchmark read different
bytes. Rendered here, in a child process that imports nothing but pdfium and numpy, a scan is the same
whoever makes it (on one machine: the substitute for a font not embedded is still the machine's).

    python -m samplegen.page_images SOURCE DPI    # writes an .npz to stdout (what `render` reads back)
"""

from __future__ import annotations

import subprocess
import sys
from io import BytesIO
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parents[1]  # tests/: the folder `samplegen` is imported from


def render(source: Path, dpi: int) -> tuple[list[tuple[float, float]], list[str], list[np.ndarray]]:
    """Each page's size (points), text and greyscale image at `dpi`, made by a child process."""
    out = subprocess.run(
        [sys.executable, "-m", "samplegen.page_images", str(source), str(dpi)],
        cwd=HERE,
        capture_output=True,
        check=True,
    ).stdout
    got = np.load(BytesIO(out), allow_pickle=False)
    n = len(got["sizes"])
    sizes = [(float(w), float(h)) for w, h in got["sizes"]]
    texts = [str(t) for t in got["texts"]]
    return sizes, texts, [got[f"page{i}"] for i in range(n)]


def _here(source: Path, dpi: int) -> dict[str, np.ndarray]:
    """The pages rendered in this process (the child's side)."""
    import pypdfium2 as pdfium

    src = pdfium.PdfDocument(str(source))
    out: dict[str, np.ndarray] = {}
    sizes, texts = [], []
    for i in range(len(src)):
        page = src[i]
        sizes.append(page.get_size())
        texts.append(page.get_textpage().get_text_range())
        array = page.render(scale=dpi / 72, grayscale=True).to_numpy()
        out[f"page{i}"] = np.ascontiguousarray(array[:, :, 0] if array.ndim == 3 else array)
    out["sizes"] = np.array(sizes, dtype=np.float64).reshape(-1, 2)
    out["texts"] = np.array(texts, dtype=str)
    return out


def main() -> None:
    """Render SOURCE at DPI and write the pages to stdout."""
    if "nianbao" in sys.modules:  # the point of this process
        raise SystemExit("page_images must render in a process without nianbao's reader")
    buf = BytesIO()
    np.savez(buf, **_here(Path(sys.argv[1]), int(sys.argv[2])))
    sys.stdout.buffer.write(buf.getvalue())


if __name__ == "__main__":
    main()
