"""OCR of scanned reports (issue 13): accuracy, trust, seconds per page and per report, peak memory.

Reads every scan of a scans manifest (default: the committed set, `tests/files/scans/manifest.json`; make a
bigger one with `cd tests && ../.venv/bin/python -m samplegen.scans --all --out /tmp/scans`, or a held-out
one of perturbed variants no fixture has, `… -m samplegen.scans --variants 10 --out /tmp/vscans`), compares
each reading with its source's golden, checks it as admission would, and prints per document: pages
OCR'd, seconds, cells wrong, the least confidence, whether it is exact and whether it is verified. Then
the totals the issue asks for: documents cell-exact, documents verified, and **non-exact documents
verified (must be 0)**, seconds per OCR'd page and per report, peak RSS.

    .venv/bin/python benchmarks/ocr.py [--manifest M] [--cells cells.json] [--out docs.json] [--dpi N]
    .venv/bin/python benchmarks/ocr.py --pages 30        # a 30-page scan of a 3-page report

Each document is read as a night reads it, in a reader process under the default limits (`--in-process`
reads in this process instead, which has imported the checks: see docs/ocr.md on that slowdown).

`--cells` writes every OCR'd value cell as (document, cell, confidence, correct): the data the
confidence threshold (`scan.OCR_MIN_CONF`) was set from.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from io import BytesIO
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_s() -> float:
    """CPU seconds this process and its finished children (reader processes) have used (user + system):
    on a shared machine, what wall time hides."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


PEAKS: list[float] = []  # the reader processes' peak RSS, one per document read


def read_doc(data: bytes, in_process: bool = False) -> Any:
    """The document's report (or its typed refusal, raised), read as a night reads it: in a reader process
    under the default limits (`in_process`: read here instead). A reader process imports only the
    readers; this process has imported the checks too (pyarrow, GX), and OCR was measured up to ten times
    slower in such a process (docs/ocr.md)."""
    from nianbao.pipeline.errors import ExtractError

    if in_process:
        from nianbao.pipeline.extract import extract_report

        return extract_report(data)
    from nianbao.pipeline.extract.isolate import read_measured

    result, measured = read_measured(data)
    if measured.peak_rss_mb is not None:
        PEAKS.append(measured.peak_rss_mb)
    if isinstance(result, ExtractError):
        raise result
    return result


def read_all(
    manifest: Path, cells_out: Path | None, out: Path | None = None, in_process: bool = False
) -> None:
    """Every scan of the manifest read, compared and checked."""
    from nianbao.expectations.admit import Known, admit
    from nianbao.pipeline.errors import ExtractError
    from nianbao.pipeline.model import DocRef

    from samplegen.expect import differences

    docs = json.loads(manifest.read_text(encoding="utf-8"))["documents"]
    rows = []
    cells: list[dict[str, object]] = []
    pages_total = 0
    seconds_total = 0.0
    print(f"{'document':48} {'pages':>5} {'s':>6} {'cpu s':>6} {'wrong':>5} {'minconf':>7}  exact verified")
    cpu_total = 0.0
    for d in docs:
        path = Path(d["path"]) if Path(d["path"]).is_absolute() else ROOT / d["path"]
        golden = json.loads((ROOT / d["golden"]).read_text(encoding="utf-8"))
        t, cpu = time.perf_counter(), _cpu_s()
        try:
            report = read_doc(path.read_bytes(), in_process)
        except Exception as e:
            err = (
                e
                if isinstance(e, ExtractError)
                else ExtractError("extractor_error", f"{type(e).__name__}: {e}")
            )
            print(f"{d['id']:48} refused {err.code}: {err.message}")
            rows.append({"id": d["id"], "exact": False, "verified": False, "error": err.code})
            _write(out, rows)
            continue
        seconds, cpu = time.perf_counter() - t, _cpu_s() - cpu
        cpu_total += cpu
        ocr = report.reading.details.get("ocr", {})
        pages = len(ocr.get("pages", []))
        pages_total += pages
        seconds_total += seconds
        canonical = report.canonical()
        diffs = [
            (k, e, g)
            for k, e, g in differences(golden, canonical)
            if k.startswith(("proactive.", "applications.", "review_litigation."))
        ]
        wrong = [k for k, _e, _g in diffs]
        ref = DocRef(d["id"], report.year, None, d["id"])
        outcome = admit([(ref, report)], Known()).outcomes[0]
        verified = bool(outcome.report and outcome.report.reading.verified)
        confs = [loc.conf for loc in report.provenance.values() if loc.conf is not None]
        least = min(confs, default=1.0)
        for k, loc in report.provenance.items():
            if loc.conf is not None:
                cells.append({"doc": d["id"], "cell": k, "conf": loc.conf, "correct": k not in wrong})
        rows.append(
            {
                "id": d["id"],
                "exact": not wrong,
                "verified": verified,
                "seconds": seconds,
                "cpu": cpu,
                "pages": pages,
                "least_conf": least,
                "unsure": ocr.get("columns_unsure", []),
                "wrong": [{"cell": k, "expected": e, "got": g} for k, e, g in diffs],
            }
        )
        _write(out, rows)
        print(
            f"{d['id']:48} {pages:5} {seconds:6.1f} {cpu:6.1f} {len(wrong):5} {least:7.3f}  {not wrong!s:5} {verified!s:5}"
            + (f"  {wrong[:4]}" if wrong else "")
        )
    n = len(rows)
    exact = sum(r["exact"] for r in rows)
    verified = sum(bool(r["verified"]) for r in rows)
    bad = [r["id"] for r in rows if r["verified"] and not r["exact"]]
    print(f"\ndocuments {n}: cell-exact {exact} ({100 * exact / max(1, n):.1f}%), verified {verified}")
    print(f"non-exact documents verified: {len(bad)} {bad}")
    read = [float(r["seconds"]) for r in rows if "seconds" in r]  # type: ignore[arg-type]
    if read:
        print(
            f"seconds per OCR'd page {seconds_total / max(1, pages_total):.2f} wall, "
            f"{cpu_total / max(1, pages_total):.2f} CPU; per report: median "
            f"{statistics.median(read):.1f}, max {max(read):.1f}; peak RSS {_peak_mb():.0f} MB here, "
            f"{max(PEAKS, default=0.0):.0f} MB in a reader process"
        )
    wrong_cells = [c for c in cells if not c["correct"]]
    print(
        f"value cells {len(cells)}, wrong {len(wrong_cells)}; highest confidence of a wrong cell "
        f"{max((float(c['conf']) for c in wrong_cells), default=0.0):.3f}"  # type: ignore[arg-type]
    )
    if cells_out:
        cells_out.write_text(json.dumps(cells, ensure_ascii=False), encoding="utf-8")


def _write(out: Path | None, rows: list[dict[str, object]]) -> None:
    """The per-document results so far (every differing cell with its expected and read value)."""
    if out:
        out.write_text(json.dumps(rows, ensure_ascii=False, indent=1, default=str), encoding="utf-8")


def long_scan(pages: int, dpi: int, in_process: bool = False) -> None:
    """A scan of `pages` pages of which only a report's own hold tables: the rest are prose pages (its
    last page, which has no table, repeated as an appendix would be); seconds and memory for the whole."""
    import pypdfium2 as pdfium

    from helpers import installed_fonts
    from samplegen.scans import SUBSTITUTE, Scan, make

    scan = Scan("bench", "scan", "tests/files/pdf/rl_v2021_total_first.pdf", "", dpi, 0.7, 0, 4.0, 60, 1)
    if not installed_fonts(f"*{SUBSTITUTE}*"):  # the source names its fonts without embedding them
        raise SystemExit(
            f"{scan.source} does not embed its fonts and this machine has no fonts-{SUBSTITUTE}, the "
            f"substitute they are drawn in: the scan would have no text to read. apt-get install "
            f"fonts-{SUBSTITUTE}"
        )
    _name, data = make(scan)
    src = pdfium.PdfDocument(data)
    out = pdfium.PdfDocument.new()
    out.import_pages(src)
    while len(out) < pages:
        out.import_pages(src, [len(src) - 1])  # a page of prose (the report's last), no table on it
    buf = BytesIO()
    out.save(buf)
    t, cpu = time.perf_counter(), _cpu_s()
    report = read_doc(buf.getvalue(), in_process)
    seconds, cpu = time.perf_counter() - t, _cpu_s() - cpu
    ocr = report.reading.details["ocr"]
    print(
        f"{len(out)}-page scan ({len(src)} report pages, {dpi} dpi): {seconds:.1f} s wall, {cpu:.1f} s CPU, "
        f"OCR'd pages {ocr['pages']}, {seconds / len(out):.2f} s per scanned page; peak RSS {_peak_mb():.0f} MB "
        f"here, {max(PEAKS, default=0.0):.0f} MB in the reader process"
    )


def main() -> None:
    """Run the benchmark."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--manifest", type=Path, default=ROOT / "tests/files/scans/manifest.json")
    ap.add_argument("--cells", type=Path, default=None)
    ap.add_argument("--out", type=Path, default=None, help="per-document results (every cell wrong) as JSON")
    ap.add_argument("--pages", type=int, default=0, help="time one long scan of this many pages instead")
    ap.add_argument("--dpi", type=int, default=200)
    ap.add_argument("--in-process", action="store_true", help="read in this process, not a reader process")
    args = ap.parse_args()
    if args.pages:
        long_scan(args.pages, args.dpi, args.in_process)
    else:
        read_all(args.manifest, args.cells, args.out, args.in_process)


if __name__ == "__main__":
    main()
