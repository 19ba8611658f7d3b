"""Benchmark PDF extraction: pages/second, peak memory, and time relative to pdfplumber's extract_text floor.

Usage: python benchmarks/extract.py [PDF or directory ...] [--repeat N]
Defaults to the committed PDF fixtures (tests/files/real, tests/files/pdf). The floor is what pdfplumber
alone takes to open the same files and call `page.extract_text()` on every page; the target is ≤ 0.7×.
"""

from __future__ import annotations

import argparse
import gc
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.errors import ExtractError  # noqa: E402
from pipeline.extract import extract_report  # noqa: E402

DEFAULT_DIRS = [ROOT / "tests" / "files" / "real", ROOT / "tests" / "files" / "pdf"]


def collect(paths: list[str]) -> list[tuple[str, bytes]]:
    """The PDFs named (files or directories), as (name, bytes); only those nianbao reads as reports."""
    files: list[Path] = []
    for p in [Path(x) for x in paths] or DEFAULT_DIRS:
        files.extend(sorted(p.rglob("*.pdf")) if p.is_dir() else [p])
    out: list[tuple[str, bytes]] = []
    for f in files:
        data = f.read_bytes()
        try:
            extract_report(data)
        except ExtractError:
            continue  # refusal fixtures are not part of a throughput batch
        out.append((f.name, data))
    return out


def floor(docs: list[tuple[str, bytes]]) -> None:
    """pdfplumber alone: open each file and extract_text() every page."""
    for _, data in docs:
        with pdfplumber.open(BytesIO(data)) as pdf:
            for page in pdf.pages:
                page.extract_text()


def nianbao(docs: list[tuple[str, bytes]]) -> None:
    """nianbao's whole extraction: bytes to the canonical report."""
    for _, data in docs:
        extract_report(data)


def best_of(fn: Callable[[list[tuple[str, bytes]]], None], docs: list[tuple[str, bytes]], repeat: int) -> float:
    """Median wall time of `repeat` runs (after one warm-up run)."""
    fn(docs)
    times = []
    for _ in range(repeat):
        gc.collect()
        t = time.perf_counter()
        fn(docs)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> int:
    """Run the benchmark and print its figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="*")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    docs = collect(args.paths)
    if not docs:
        print("no readable PDF reports found", file=sys.stderr)
        return 1
    pages = 0
    for _, data in docs:
        pdf = pdfium.PdfDocument(data)
        pages += len(pdf)
        pdf.close()
    t_ours = best_of(nianbao, docs, args.repeat)
    t_floor = best_of(floor, docs, args.repeat)
    tracemalloc.start()
    nianbao(docs)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    maxrss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"files: {len(docs)}  pages: {pages}  repeat: {args.repeat} (median)")
    print(f"nianbao extract_report: {t_ours:.3f} s  {pages / t_ours:.1f} pages/s  {1000 * t_ours / pages:.1f} ms/page")
    print(f"pdfplumber extract_text floor: {t_floor:.3f} s  {pages / t_floor:.1f} pages/s")
    print(f"peak Python heap during extraction (tracemalloc): {peak / 2**20:.1f} MB")
    print(f"process max RSS (ru_maxrss, whole run incl. floor): {maxrss_kb / 1024:.1f} MB")
    ratio = t_ours / t_floor
    print(f"ratio nianbao / floor: {ratio:.2f}x (target <= 0.70x) {'OK' if ratio <= 0.7 else 'OVER TARGET'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
