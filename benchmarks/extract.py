"""Benchmark PDF extraction: pages/second, peak memory, and time relative to pdfplumber's extract_text floor.

Usage: python benchmarks/extract.py [PDF or directory ...] [--repeat N]
Defaults to the committed PDF fixtures (tests/files/real, tests/files/pdf; refusal fixtures left out).
The floor is what pdfplumber alone takes to open the same files and call `page.extract_text()` on every
page; the target is nianbao ≤ 0.7× the floor. Each side runs in its own child process (so its peak RSS
is its own), the two alternate `--repeat` times, and the medians are compared. CPU time of the child is
reported beside wall time: on a shared, loaded machine it is the steadier measure.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

DEFAULT_DIRS = [ROOT / "tests" / "files" / "real", ROOT / "tests" / "files" / "pdf"]


def collect(paths: list[str]) -> list[Path]:
    """The PDFs named (files or directories) that nianbao reads as reports."""
    from nianbao.pipeline.errors import ExtractError
    from nianbao.pipeline.extract import extract_report

    files: list[Path] = []
    for p in [Path(x) for x in paths] or DEFAULT_DIRS:
        files.extend(sorted(p.rglob("*.pdf")) if p.is_dir() else [p])
    out = []
    for f in files:
        try:
            extract_report(f.read_bytes())
        except ExtractError:
            continue  # refusal fixtures are not part of a throughput batch
        out.append(f)
    return out


def child(side: str, files: list[str], heap: bool) -> None:
    """Run one side once over the batch (imports done before the clock starts) and print its figures."""
    import pdfplumber

    import nianbao.pipeline.extract.pdf  # noqa: F401  (the PDF reader is imported lazily by extract_report)
    from nianbao.pipeline.extract import extract_report

    docs = [Path(f).read_bytes() for f in files]

    def ours() -> None:
        """nianbao's whole extraction: bytes to the canonical report."""
        for data in docs:
            extract_report(data)

    def floor() -> None:
        """pdfplumber alone: open each file and extract_text() every page."""
        for data in docs:
            with pdfplumber.open(BytesIO(data)) as pdf:
                for page in pdf.pages:
                    page.extract_text()

    fn = ours if side == "ours" else floor
    if heap:
        tracemalloc.start()
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = tracemalloc.get_traced_memory()[1] if heap else 0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"wall": wall, "cpu": cpu, "rss": rss, "heap": peak}))


def run(side: str, files: list[Path], heap: bool = False) -> dict[str, float]:
    """One child run of a side."""
    cmd = [sys.executable, __file__, "--child", side, *(str(f) for f in files)]
    if heap:
        cmd.append("--heap")
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> int:
    """Run the benchmark and print its figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="*")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--child", choices=["ours", "floor"])
    ap.add_argument("--heap", action="store_true")
    args = ap.parse_args()
    if args.child:
        child(args.child, args.paths, args.heap)
        return 0
    import pypdfium2 as pdfium

    files = collect(args.paths)
    if not files:
        print("no readable PDF reports found", file=sys.stderr)
        return 1
    pages = sum(len(pdfium.PdfDocument(f.read_bytes())) for f in files)
    ours, floor = [], []
    for _ in range(args.repeat):
        ours.append(run("ours", files))
        floor.append(run("floor", files))
    heap = run("ours", files, heap=True)["heap"]

    def med(rs: list[dict[str, float]], key: str) -> float:
        """Median of one figure over the runs."""
        return statistics.median(r[key] for r in rs)

    wall, cpu, fwall, fcpu = med(ours, "wall"), med(ours, "cpu"), med(floor, "wall"), med(floor, "cpu")
    print(
        f"files: {len(files)}  pages: {pages}  runs per side: {args.repeat} (medians; each run in a fresh process)"
    )
    print(
        f"nianbao extract_report:        wall {wall:.3f} s  cpu {cpu:.3f} s  {pages / wall:.1f} pages/s  {1000 * wall / pages:.1f} ms/page"
    )
    print(f"pdfplumber extract_text floor: wall {fwall:.3f} s  cpu {fcpu:.3f} s  {pages / fwall:.1f} pages/s")
    print(
        f"peak RSS: nianbao {med(ours, 'rss') / 2**20:.1f} MB, floor {med(floor, 'rss') / 2**20:.1f} MB "
        f"(whole process incl. interpreter and imports); peak Python heap during nianbao's run: {heap / 2**20:.1f} MB"
    )
    ratio = wall / fwall
    print(
        f"ratio nianbao / floor: wall {ratio:.2f}x, cpu {cpu / fcpu:.2f}x (target <= 0.70x) "
        f"{'OK' if max(ratio, cpu / fcpu) <= 0.7 else 'OVER TARGET'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
