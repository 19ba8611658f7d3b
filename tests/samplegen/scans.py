"""Scans of our own fixtures (issue 13): what a scanner, a photocopier or a phone makes of a printed report.

Each scan starts from a text PDF whose canonical record is known (a corpus document, a format fixture or
a genuine report with its hand-transcribed golden). Its pages are rendered greyscale at 150-300 dpi,
turned by up to ±1.5°, blurred, given noise, JPEG-compressed and wrapped back into a PDF with no text
layer at all. Kinds:

* `scan` — every page an image (a scanned report);
* `pasted` — the pages holding tables replaced by their pictures, the rest still text (tables pasted in
  as images);
* `photo` — every page photographed at a slant: a perspective warp on a darker background;
* `tiff` — the scan as a multi-page TIFF attachment (no PDF at all);
* `cover` — a `scan` with a cover page before the title page: an emblem and a date stamp, no title (the
  title is at the head of page 2).

The expected record of a scan is its source's golden, unchanged: the manifest names it. Nothing here
reads a scan back.

    cd tests && ../.venv/bin/python -m samplegen.scans            # the committed set (= make scans)
    cd tests && ../.venv/bin/python -m samplegen.scans --all --out /tmp/scans   # every source, for benchmarks
    cd tests && ../.venv/bin/python -m samplegen.scans --all --kinds scan --out /tmp/scans   # scans only
    cd tests && ../.venv/bin/python -m samplegen.scans --variants 10 --out /tmp/vscans   # held out: scans of
        # perturbed variants printed by WeasyPrint, Chromium and LibreOffice (--producers, --series)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
from dataclasses import asdict, dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pypdfium2 as pdfium

from samplegen import page_images

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "files" / "scans"
_TABLE_PAGE = re.compile(r"第二十条|本年新收|上年结转|申请人情况|行政复议|主动公开政府信息情况")


@dataclass(frozen=True)
class Scan:
    """One scan: its source and golden, and what the scanner did to it."""

    id: str
    kind: str  # scan | pasted | photo | tiff | cover
    source: str
    golden: str
    dpi: int
    angle: float
    blur: int  # Gaussian kernel (0 = none)
    noise: float  # standard deviation of added grey noise
    jpeg: int  # JPEG quality
    seed: int


def _sources() -> list[tuple[str, str, str]]:
    """(id, source PDF, golden) of every text PDF with a known record: the corpus's PDFs whose fonts are
    embedded (a scan shows what was printed), the PDF fixtures and the genuine reports."""
    manifest = json.loads((ROOT / "tests/files/corpus/manifest.json").read_text(encoding="utf-8"))
    out = []
    for d in manifest["documents"]:
        if d["producer"] in ("reportlab_ttf", "libreoffice", "chromium") and d["golden"] and not d["error"]:
            if d.get("hostile") or d["expect_findings"] or d["assumptions"]:
                continue  # a scan keeps what the source prints; keep to sources read as printed
            out.append((d["id"].replace("/", "_"), d["path"], d["golden"]))
    for name in ("rl_v2019_split_repeat", "rl_v2021_total_first", "lo_v2021_docx", "chromium_v2021_radicals"):
        out.append((name, f"tests/files/pdf/{name}.pdf", f"tests/golden/pdf_{name}.json"))
    out.append(("real_08", "tests/files/real/08_huaian-szf-2024.pdf", "tests/golden/08_huaian-szf-2024.json"))
    return out


# the committed set (tests/files/scans, about 3 MB): a ruled report from each of three producers, one
# without ruling lines, tables pasted as pictures, a photograph at a slant and a multi-page TIFF
COMMITTED = (
    ("scan", "reportlab_ttf_sx-zjj_2020", 200, -0.63, 3, 3.0, 55),
    ("scan", "chromium_sx-szf_2020", 150, 1.21, 0, 4.0, 60),
    ("scan", "libreoffice_hu-scjg_2020", 200, 0.45, 0, 3.0, 50),
    ("scan", "reportlab_ttf_jh-zrzy_2019", 200, 1.04, 3, 3.0, 55),
    ("pasted", "libreoffice_tz-yjglj_2020", 200, -1.2, 0, 3.0, 55),
    ("photo", "rl_v2021_total_first", 200, 0.8, 3, 3.0, 60),
    ("tiff", "rl_v2019_split_repeat", 200, -0.9, 0, 2.0, 0),
)


# the font a source that does not embed its fonts was drawn in when the committed scans were made: the
# machine's substitute for them (Debian fonts-wqy-microhei, which .ci/run installs). Without it such a
# source draws no text at all.
SUBSTITUTE = "wqy-microhei"

# sources scanned with a cover page before their title page (kind `cover`)
COVERS = ("reportlab_ttf_sx-kqq-jtj_2021", "real_08")


def _drawn(id: str, kind: str, source: str, golden: str, rng: random.Random) -> Scan:
    """A scan of `source` with what the scanner does drawn at random: resolution, skew, blur, noise,
    JPEG quality and the seed of its noise."""
    return Scan(
        id=id,
        kind=kind,
        source=source,
        golden=golden,
        dpi=rng.choice((150, 200, 200, 250, 300)),
        angle=round(rng.uniform(-1.5, 1.5), 2),
        blur=rng.choice((0, 0, 3)),
        noise=round(rng.uniform(2.0, 10.0), 1),
        jpeg=rng.choice((45, 60, 75)),
        seed=rng.randrange(1 << 30),
    )


def plan(everything: bool = False) -> list[Scan]:
    """The committed scans, and (with `everything`) a `scan` of every other source plus every kind of
    every source: the set the benchmark and the slow test read."""
    sources = {sid: (path, golden) for sid, path, golden in _sources()}
    out = [
        Scan(f"{kind}_{sid}", kind, sources[sid][0], sources[sid][1], dpi, angle, blur, noise, jpeg, 1000 + k)
        for k, (kind, sid, dpi, angle, blur, noise, jpeg) in enumerate(COMMITTED)
    ]
    if not everything:
        return out
    rng = random.Random(13)
    done = {s.id for s in out}
    for sid, (path, golden) in sources.items():
        for kind in ("scan", "pasted", "photo", "tiff"):
            scan = _drawn(f"{kind}_{sid}", kind, path, golden, rng)
            if scan.id not in done:
                out.append(scan)
    # a cover page before the title, for two sources (a generator of their own: the scans above stay as
    # they were)
    rng = random.Random(1313)
    for sid in COVERS:
        path, golden = sources[sid]
        dpi, angle, noise = (
            rng.choice((200, 250)),
            round(rng.uniform(-1.5, 1.5), 2),
            round(rng.uniform(2, 6), 1),
        )
        out.append(
            Scan(f"cover_{sid}", "cover", path, golden, dpi, angle, 0, noise, 60, rng.randrange(1 << 30))
        )
    return out


def extra(kinds: tuple[str, ...] = ("scan", "cover")) -> list[Scan]:
    """The generated scans beyond the committed ones, of the given kinds (for the slow test)."""
    return [s for s in plan(True)[len(COMMITTED) :] if s.kind in kinds]


def _degrade(grey: np.ndarray, scan: Scan, rng: np.random.Generator, photo: bool) -> np.ndarray:
    """A clean page image as a scanner (or a phone) leaves it."""
    h, w = grey.shape
    if photo:
        # a page photographed from above at a slant, on a darker desk
        d = 0.04
        src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
        dst = np.float32(
            [
                [w * d * rng.uniform(0.5, 1.5), h * d * rng.uniform(0.2, 1)],
                [w * (1 - d * rng.uniform(0.0, 0.6)), h * d * rng.uniform(0.2, 1)],
                [w * (1 - d * rng.uniform(0.5, 1)), h * (1 - d * rng.uniform(0.0, 0.5))],
                [w * d * rng.uniform(0.0, 0.5), h * (1 - d * rng.uniform(0.5, 1))],
            ]
        )
        grey = cv2.warpPerspective(
            grey, cv2.getPerspectiveTransform(src, dst), (w, h), flags=cv2.INTER_LINEAR, borderValue=90
        )
    m = cv2.getRotationMatrix2D((w / 2, h / 2), scan.angle, 1.0)
    grey = cv2.warpAffine(grey, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=255 if not photo else 90)
    if scan.blur:
        grey = cv2.GaussianBlur(grey, (scan.blur, scan.blur), 0)
    noisy = grey.astype(np.float32) + rng.normal(0.0, scan.noise, grey.shape)
    if photo:  # uneven light across the page
        noisy *= np.linspace(0.88, 1.0, w, dtype=np.float32)[None, :]
    return np.clip(noisy, 0, 255).astype(np.uint8)


def _jpeg(grey: np.ndarray, quality: int) -> bytes:
    ok, buf = cv2.imencode(".jpg", grey, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return bytes(buf)


def _image_page(out: pdfium.PdfDocument, jpeg: bytes, width: float, height: float) -> None:
    """A page of the given size (points) that is one JPEG image and nothing else."""
    page = out.new_page(width, height)
    image = pdfium.PdfImage.new(out)
    image.load_jpeg(BytesIO(jpeg), inline=False, autoclose=True)
    image.set_matrix(pdfium.PdfMatrix().scale(width, height))
    page.insert_obj(image)
    page.gen_content()


def _cover(width: float, height: float, dpi: int, rng: np.random.Generator) -> np.ndarray:
    """A cover page without a title (greyscale, `dpi`): an emblem (rings and a star) above a date stamp's
    bars, drawn from `rng` (the same seed, the same cover)."""
    w, h = round(width * dpi / 72), round(height * dpi / 72)
    img = np.full((h, w), 255, np.uint8)
    cx, cy, r = w // 2, int(h * rng.uniform(0.3, 0.4)), int(w * rng.uniform(0.12, 0.18))
    for k in range(3):
        cv2.circle(img, (cx, cy), r - k * r // 5, 0, max(2, dpi // 60), cv2.LINE_AA)
    star = [
        (cx + int(0.5 * r * np.sin(a)), cy - int(0.5 * r * np.cos(a))) for a in np.arange(5) * 4 * np.pi / 5
    ]
    cv2.fillPoly(img, [np.array(star, np.int32)], 0, cv2.LINE_AA)
    for k in range(2):  # a date stamp: two short bars under the emblem
        y = int(h * 0.75) + k * dpi // 4
        cv2.rectangle(
            img, (cx - dpi // 2 + k * dpi // 6, y), (cx + dpi // 2 - k * dpi // 6, y + dpi // 12), 0, -1
        )
    return img


def make(scan: Scan) -> tuple[str, bytes]:
    """The scan's file name and bytes."""
    src = pdfium.PdfDocument(str(ROOT / scan.source))
    # rendered in a process of their own: in this one a reader imported beside the generator may have
    # replaced pdfium's fonts with its metrics font (samplegen/page_images.py)
    sizes, texts, images = page_images.render(ROOT / scan.source, scan.dpi)
    rng = np.random.default_rng(scan.seed)
    out = pdfium.PdfDocument.new()
    frames: list[np.ndarray] = []
    if scan.kind == "cover":
        width, height = sizes[0]
        cover = _degrade(_cover(width, height, scan.dpi, rng), scan, rng, False)
        _image_page(out, _jpeg(cover, scan.jpeg), width, height)
    for i, ((width, height), text, grey) in enumerate(zip(sizes, texts, images, strict=True)):
        if scan.kind == "pasted" and not _TABLE_PAGE.search(text):
            out.import_pages(src, [i])
            continue
        degraded = _degrade(grey, scan, rng, scan.kind == "photo")
        if scan.kind == "tiff":
            frames.append(degraded)
            continue
        _image_page(out, _jpeg(degraded, scan.jpeg), width, height)
    if scan.kind == "tiff":
        # as a document scanner files them: greyscale, JPEG-compressed, one page a frame (a black-and-white
        # CCITT G4 scan reads worse: docs/ocr.md)
        from PIL import Image

        pages = [Image.fromarray(f) for f in frames]
        tif = BytesIO()
        pages[0].save(
            tif,
            format="TIFF",
            compression="jpeg",
            quality=60,
            save_all=True,
            append_images=pages[1:],
            dpi=(scan.dpi, scan.dpi),
        )
        return f"{scan.id}.tif", tif.getvalue()
    buf = BytesIO()
    out.save(buf)
    # pdfium dates its output: a fixed date of the same length keeps the file byte for byte (and the xref)
    data = re.sub(rb"/CreationDate\(D:\d{14}", b"/CreationDate(D:20000101000000", buf.getvalue())
    ident = hashlib.md5(scan.id.encode()).hexdigest().upper().encode()  # and a file ID of its own, not random
    data = re.sub(rb"/ID\[<[0-9A-F]{32}><[0-9A-F]{32}>\]", b"/ID[<" + ident + b"><" + ident + b">]", data)
    return f"{scan.id}.pdf", data


def write(scans: list[Scan], folder: Path) -> dict[str, Any]:
    """Every scan written to `folder` with its manifest (`manifest.json`)."""
    folder.mkdir(parents=True, exist_ok=True)
    docs = []
    for scan in scans:
        name, data = make(scan)
        path = folder / name
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
        docs.append(
            {**asdict(scan), "path": str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)}
        )
        print(f"{name}: {len(data) // 1024} kB")
    manifest = {
        "schema": "nianbao.scans/1",
        "about": "issue 13's scans of our own fixtures: each scan's expected record is its source's golden "
        "(written by tests/samplegen/scans.py, never by a reader)",
        "documents": docs,
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", "utf-8")
    return manifest


def variants(producers: list[str], n: int, folder: Path, series: str = "ocr") -> list[Scan]:
    """Scans of `n` perturbed variants per producer (samplegen.perturb, 1-2 perturbations each), for a
    held-out measure of OCR on layouts the fixtures never had: each variant printed by its producer and
    its expected record written beside it as its golden, then scanned as `plan` scans a source (dpi,
    angle, blur, noise and JPEG quality drawn from the same ranges). `series` names the seed sequence:
    another series is another set of documents."""
    from samplegen import design, perturb
    from samplegen import producers as programs

    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for producer in producers:
        lacking = programs.missing(design.PRODUCERS[producer][1])
        if lacking:
            print(f"{producer}: skipped, needs {', '.join(lacking)}")
            continue
        rng = random.Random(f"{series}:{producer}")
        names_all = perturb.names_for(producer)
        for _ in range(n):
            seed, template = rng.randrange(10**6), rng.choice(("v2019", "v2021"))
            names = rng.sample(names_all, rng.randint(1, 2))
            d = perturb.variant(seed, template, names)
            source, golden = folder / f"{producer}_{seed}.pdf", folder / f"{producer}_{seed}.json"
            source.write_bytes(design.render(d, producer))
            golden.write_text(json.dumps(design.expected_record(d).canonical(), ensure_ascii=False), "utf-8")
            out.append(
                _drawn(f"scan_{producer}_{seed}_{'+'.join(names)}", "scan", str(source), str(golden), rng)
            )
    return out


def main() -> None:
    """Write the committed set, or `--all` of them elsewhere, or scans of perturbed variants."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--all", action="store_true", help="every kind for every source (benchmarks)")
    ap.add_argument("--kinds", default="scan,pasted,photo,tiff,cover", help="with --all: these kinds only")
    ap.add_argument(
        "--variants", type=int, default=0, help="scans of N perturbed variants per producer instead"
    )
    ap.add_argument("--producers", default="weasyprint,chromium,libreoffice", help="with --variants")
    ap.add_argument("--series", default="ocr", help="with --variants: the seed sequence")
    args = ap.parse_args()
    if args.variants:
        if args.out == OUT:
            ap.error("--variants writes elsewhere than the committed set: give --out")
        write(variants(args.producers.split(","), args.variants, args.out, args.series), args.out)
        return
    kinds = tuple(args.kinds.split(","))
    write([s for s in plan(args.all) if s.kind in kinds], args.out)


if __name__ == "__main__":
    main()
