"""Warehouse benchmark: load 10,000 synthetic reports (~2 M facts) into a temp DuckDB file, time rollups.

Run: `.venv/bin/python benchmarks/warehouse.py [--reports N] [--chunk N] [--no-reload]`. The load is the
one admission and write of `nianbao.warehouse.ingest.load` (every check in GX, cross-year carry both ways,
the write), then the one refresh of the rollup mart tables that a run ends with. Reports are the golden
records of tests/golden/ scaled by varying factors, with a provenance entry per value, spread over
agencies and years; they are made a chunk at a time, so 100,000 (issue 17's national simulation) fit in
memory. After the rollups: the snapshot's publication (the copy analysts read) and the file sizes. The
last line is one JSON object of the figures.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import resource
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from nianbao.expectations.validate import prepare
from nianbao.pipeline import tables as T
from nianbao.pipeline.catalog import Agency
from nianbao.pipeline.model import DocRef, Location, Report
from nianbao.warehouse.connect import connect, publish_snapshot
from nianbao.warehouse.ingest import load
from nianbao.warehouse.marts import refresh_marts
from nianbao.warehouse.rollup import ROLLUP_MARTS, rollup
from nianbao.warehouse.write import upsert_agencies

GOLDEN = Path(__file__).resolve().parent.parent / "tests" / "golden"
YEARS = (2019, 2020, 2021, 2022, 2023)


def templates() -> dict[str, list[Report]]:
    """The golden reports by template."""
    out: dict[str, list[Report]] = {"v2019": [], "v2021": []}
    for path in sorted(GOLDEN.glob("*.json")):
        r = Report.from_json(json.loads(path.read_text(encoding="utf-8")))
        out[r.template].append(r)
    return out


def synthesize(n: int, carry: str = "consistent") -> tuple[list[Agency], list[tuple[DocRef, Report]]]:
    """n readings: agencies × years, each a golden record scaled by a factor, provenance on every value.

    carry="consistent" chains each agency's years as real reports do (carried_in = last year's carried_out),
    so the cross-year re-check finds nothing; carry="broken" leaves every year's carry mismatched, the worst
    case, where every load also writes cross_year_carry findings.
    """
    agencies = make_agencies(n)
    return agencies, [o for chunk in readings(n, agencies, len(YEARS), carry) for o in chunk]


def make_agencies(n: int) -> list[Agency]:
    """The agencies of n reports (one report a year each)."""
    return [
        Agency(
            f"a{i:05d}", f"机关{i}", f"区{i % 13}", ("municipal", "district", "county")[i % 3], "department"
        )
        for i in range(-(-n // len(YEARS)))
    ]


def readings(
    n: int, agencies: list[Agency], chunk: int, carry: str = "consistent"
) -> Iterator[list[tuple[DocRef, Report]]]:
    """The n readings of `synthesize`, made `chunk` at a time (a multiple of the years keeps each agency's
    years in one chunk)."""
    pool = templates()
    out: list[tuple[DocRef, Report]] = []
    last: Report | None = None
    for i in range(n):
        agency, year = agencies[i // len(YEARS)], YEARS[i % len(YEARS)]
        base = pool["v2019" if year <= 2020 else "v2021"]
        r = copy.deepcopy(base[i % len(base)])
        k = 1 + i % 7
        for table in ("proactive", "applications", "review_litigation"):
            for cols in getattr(r, table).values():
                for col in cols:
                    cols[col] = cols[col] * k
        r.agency, r.year = agency.name, year
        if carry == "consistent" and i % len(YEARS) and last is not None:
            r.applications["carried_in"] = dict(last.applications["carried_out"])
            _rebalance(r)
        r.provenance = {
            f"{t}.{row}.{col}": Location(raw=str(v), page=3 + j % 2, bbox=(50.0, 100.0 + j, 90.0, 112.0 + j))
            for j, (t, row, col, v) in enumerate(r.cells())
        }
        digest = hashlib.sha256(f"{agency.id}/{year}/{i}".encode()).hexdigest()
        out.append((DocRef(agency.id, year, f"http://127.0.0.1/{agency.id}/{year}.pdf", digest), r))
        last = r
        if len(out) >= chunk:
            yield out
            out = []
    if out:
        yield out


def _rebalance(r: Report) -> None:
    """Make table 3 add up again after its carried_in changed: received_new takes up the difference."""
    apps = r.applications
    for a in T.APPLICANT_PARTS:
        need = apps["handled_total"][a] + apps["carried_out"][a] - apps["carried_in"][a]
        if need < 0:  # more was carried in than handled and carried out: carry the rest out
            apps["carried_out"][a] -= need
            need = 0
        apps["received_new"][a] = need
    for row in ("received_new", "carried_out", "carried_in"):
        apps[row]["total"] = sum(apps[row][a] for a in T.APPLICANT_PARTS)


def timed(fn, repeat: int = 5) -> float:  # type: ignore[no-untyped-def]
    """Median wall time of fn() in ms (after one warm-up)."""
    fn()
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t0) * 1000)
    return statistics.median(runs)


def main() -> None:
    """Synthesize, load, query, publish; print the figures."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--reports", type=int, default=10_000)
    ap.add_argument("--chunk", type=int, default=1000)
    ap.add_argument(
        "--carry",
        choices=("consistent", "broken"),
        default="consistent",
        help="years chained as real reports are, or every carry mismatched (worst case)",
    )
    ap.add_argument("--no-reload", action="store_true", help="skip loading the same documents again")
    args = ap.parse_args()
    chunk = max(len(YEARS), args.chunk - args.chunk % len(YEARS))
    agencies = make_agencies(args.reports)
    figures: dict[str, object] = {"reports": args.reports, "chunk": chunk}
    with tempfile.TemporaryDirectory(prefix="nianbao-bench-") as tmp:
        path = Path(tmp) / "bench.duckdb"
        con = connect(path)
        upsert_agencies(con, agencies)
        prepare()  # GX's import and suites: once per process, before a load holds the lock
        made = 0.0
        changed = failed = 0
        t0 = time.perf_counter()
        batches = readings(args.reports, agencies, chunk, args.carry)
        while True:
            t1 = time.perf_counter()
            batch = next(batches, None)
            made += time.perf_counter() - t1
            if batch is None:
                break
            done = load(con, batch, chunk=chunk)
            changed += len(done.written.changed)  # counts only: a chunk's outcomes hold its reports
            failed += len(done.written.failed)
            del batch, done
            print(f"  {changed:,} reports loaded after {time.perf_counter() - t0 - made:.0f} s", flush=True)
        admitted_write_s = time.perf_counter() - t0 - made
        t1 = time.perf_counter()
        refresh_marts(con)
        marts_s = time.perf_counter() - t1
        load_s = admitted_write_s + marts_s
        facts = sum(
            con.execute(f"select count(*) from curated.fct_{t}").fetchall()[0][0]
            for t in ("proactive", "applications", "review_litigation")
        )
        print(f"synthesized {args.reports} reports ({args.carry} carry) in {made:.1f} s (not counted)")
        print(
            f"load: {changed} reports, {facts:,} facts in {load_s:.1f} s ({facts / load_s:,.0f} facts/s): "
            f"admission and write {admitted_write_s:.1f} s, mart refresh {marts_s:.1f} s; failed {failed}"
        )
        figures.update(load_s=round(load_s, 1), facts=facts, marts_s=round(marts_s, 1), failed=failed)
        by_check = con.execute(
            "select check_id, count(*) from staging.findings group by 1 order by 1"
        ).fetchall()
        print(f"findings written by the load: {dict(by_check) or 'none'}")
        if not args.no_reload:
            t0 = time.perf_counter()
            again = [load(con, b, chunk=chunk) for b in readings(args.reports, agencies, chunk, args.carry)]
            print(
                f"reload of the same documents: {sum(len(x.written.unchanged) for x in again)} unchanged, "
                f"{sum(len(x.written.changed) for x in again)} changed in {time.perf_counter() - t0:.1f} s"
                " (synthesis included)"
            )
        year = 2022
        worst = 0.0
        latency: dict[str, float] = {}
        for name in ROLLUP_MARTS:
            ms = timed(
                lambda name=name: con.execute(f"select * from marts.{name} where year = ?", [year]).fetchall()
            )
            worst = max(worst, ms)
            latency[name] = round(ms, 1)
            print(f"  marts.{name:<32} {ms:7.1f} ms")
        ms = timed(lambda: rollup(con, year))
        worst = max(worst, ms)
        latency["rollup_json"] = round(ms, 1)
        print(f"  rollup({year}) JSON                       {ms:7.1f} ms")
        con.close()
        t0 = time.perf_counter()
        snapshot = publish_snapshot(path)
        publish_s = time.perf_counter() - t0
        size_mb = path.stat().st_size / 2**20
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"slowest rollup query: {worst:.1f} ms; load {load_s:.1f} s; snapshot published in "
            f"{publish_s:.2f} s; warehouse {size_mb:,.0f} MiB (snapshot {snapshot.stat().st_size / 2**20:,.0f}"
            f" MiB); peak RSS {peak:,.0f} MB"
        )
        figures.update(
            slowest_rollup_ms=round(worst, 1),
            rollup_ms=latency,
            snapshot_publish_s=round(publish_s, 2),
            file_mb=round(size_mb),
            peak_rss_mb=round(peak),
        )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
