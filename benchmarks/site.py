"""Site benchmark: build the analysts' site for a 10,000-report warehouse; time it, and weigh every page.

Run: `.venv/bin/python benchmarks/site.py [--reports N] [--carry consistent|broken]`. The warehouse is the
one `benchmarks/warehouse.py` synthesizes (golden records scaled, 5 years, N / 5 agencies in 13 regions),
loaded through the one admission and refreshed; its analysts' snapshot is published and the site built
from it as `nianbao site` does. `--carry broken` gives every report a cross-year finding (the worst case
for the findings pages; their documents are not in the raw store, so the evidence says so). Targets: the
build under 60 s, every page under 2 MB.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from nianbao.expectations.validate import prepare
from nianbao.site.build import build_site
from nianbao.warehouse.connect import connect, open_for_reading, publish_snapshot
from nianbao.warehouse.ingest import load
from nianbao.warehouse.marts import refresh_marts
from nianbao.warehouse.write import upsert_agencies
from warehouse import synthesize  # benchmarks/warehouse.py, beside this script

LIMIT_S, PAGE_LIMIT = 60.0, 2 * 1024 * 1024


def main() -> None:
    """Synthesize and load a warehouse, build its site, print the figures; exit 1 when a target is missed."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--reports", type=int, default=10_000)
    ap.add_argument("--chunk", type=int, default=2500)
    ap.add_argument("--carry", choices=("consistent", "broken"), default="consistent")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="nianbao-bench-site-") as tmp:
        path = Path(tmp) / "bench.duckdb"
        t0 = time.perf_counter()
        agencies, outcomes = synthesize(args.reports, args.carry)
        con = connect(path)
        upsert_agencies(con, agencies)
        prepare()
        for i in range(0, len(outcomes), args.chunk):
            load(con, outcomes[i : i + args.chunk], chunk=args.chunk)
        refresh_marts(con)
        con.close()
        publish_snapshot(path)
        print(
            f"warehouse: {len(outcomes)} reports of {len(agencies)} agencies loaded in "
            f"{time.perf_counter() - t0:.1f} s ({args.carry} carry)"
        )

        reader = open_for_reading(path)
        try:
            built = build_site(reader, Path(tmp) / "site", raw_store=Path(tmp) / "raw")
        finally:
            reader.close()
        sizes = sorted(built.page_sizes.items(), key=lambda kv: -kv[1])
        over = [(name, n) for name, n in sizes if n >= PAGE_LIMIT]
        steps = ", ".join(f"{k} {v:.1f} s" for k, v in built.seconds.items() if k != "total")
        print(
            f"site: {built.pages} pages, {built.files} files, {built.bytes / 1e6:.1f} MB in {built.seconds['total']:.1f} s"
        )
        print(f"  steps: {steps}")
        print("  largest pages: " + ", ".join(f"{name} {n / 1e3:.0f} kB" for name, n in sizes[:6]))
        by_kind: dict[str, list[int]] = {}
        for name, n in sizes:
            by_kind.setdefault(
                name.split("/")[0] if "/" in name else name.split("-")[0].removesuffix(".html"), []
            ).append(n)
        for kind, ns in sorted(by_kind.items()):
            print(
                f"  {kind:<12} {len(ns):>5} pages, largest {max(ns) / 1e3:7.0f} kB, mean {sum(ns) / len(ns) / 1e3:6.0f} kB"
            )
        print(
            f"build {built.seconds['total']:.1f} s (target < {LIMIT_S:.0f} s); largest page "
            f"{sizes[0][1] / 1e6:.2f} MB (target < 2 MB), pages over: {len(over)}; "
            f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB"
        )
        if built.seconds["total"] >= LIMIT_S or over:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
