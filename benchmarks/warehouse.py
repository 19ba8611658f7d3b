"""Warehouse benchmark: load 10,000 synthetic reports (~2 M facts) into a temp DuckDB file, time rollups.

Run: `.venv/bin/python benchmarks/warehouse.py [--reports N] [--chunk N]`. The load is the one admission
and write of `nianbao.warehouse.ingest.load` (every check in GX, cross-year carry both ways, the write),
then the one refresh of the rollup mart tables that a run ends with. Reports are the golden records of
tests/golden/ scaled by varying factors, with a provenance entry per value, spread over agencies and years.
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
from pathlib import Path

from nianbao.expectations.validate import prepare
from nianbao.pipeline import tables as T
from nianbao.pipeline.catalog import Agency
from nianbao.pipeline.model import DocRef, Location, Report
from nianbao.warehouse.connect import connect
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
    pool = templates()
    agencies = [
        Agency(
            f"a{i:05d}", f"机关{i}", f"区{i % 13}", ("municipal", "district", "county")[i % 3], "department"
        )
        for i in range(-(-n // len(YEARS)))
    ]
    outcomes: list[tuple[DocRef, Report]] = []
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
        if carry == "consistent" and i % len(YEARS):
            r.applications["carried_in"] = dict(outcomes[-1][1].applications["carried_out"])
            _rebalance(r)
        r.provenance = {
            f"{t}.{row}.{col}": Location(raw=str(v), page=3 + j % 2, bbox=(50.0, 100.0 + j, 90.0, 112.0 + j))
            for j, (t, row, col, v) in enumerate(r.cells())
        }
        digest = hashlib.sha256(f"{agency.id}/{year}/{i}".encode()).hexdigest()
        outcomes.append((DocRef(agency.id, year, f"http://127.0.0.1/{agency.id}/{year}.pdf", digest), r))
    return agencies, outcomes


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
    """Synthesize, load, query; print the figures."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--reports", type=int, default=10_000)
    ap.add_argument("--chunk", type=int, default=1000)
    ap.add_argument(
        "--carry",
        choices=("consistent", "broken"),
        default="consistent",
        help="years chained as real reports are, or every carry mismatched (worst case)",
    )
    args = ap.parse_args()
    t0 = time.perf_counter()
    agencies, outcomes = synthesize(args.reports, args.carry)
    print(f"synthesized {len(outcomes)} reports ({args.carry} carry) in {time.perf_counter() - t0:.1f} s")
    with tempfile.TemporaryDirectory(prefix="nianbao-bench-") as tmp:
        con = connect(Path(tmp) / "bench.duckdb")
        upsert_agencies(con, agencies)
        prepare()  # GX's import and suites: once per process, before a load holds the lock
        t0 = time.perf_counter()
        loaded = [
            load(con, outcomes[i : i + args.chunk], chunk=args.chunk)
            for i in range(0, len(outcomes), args.chunk)
        ]
        admitted_write_s = time.perf_counter() - t0
        refresh_marts(con)
        load_s = time.perf_counter() - t0
        changed = sum(len(x.written.changed) for x in loaded)
        failed = sum(len(x.written.failed) for x in loaded)
        facts = sum(
            con.execute(f"select count(*) from curated.fct_{t}").fetchall()[0][0]
            for t in ("proactive", "applications", "review_litigation")
        )
        print(
            f"load: {changed} reports, {facts:,} facts in {load_s:.1f} s ({facts / load_s:,.0f} facts/s): "
            f"admission and write {admitted_write_s:.1f} s, mart refresh {load_s - admitted_write_s:.1f} s; "
            f"failed {failed}"
        )
        by_check = con.execute(
            "select check_id, count(*) from staging.findings group by 1 order by 1"
        ).fetchall()
        print(f"findings written by the load: {dict(by_check) or 'none'}")
        t0 = time.perf_counter()
        again = [
            load(con, outcomes[i : i + args.chunk], chunk=args.chunk)
            for i in range(0, len(outcomes), args.chunk)
        ]
        print(
            f"reload of the same documents: {sum(len(x.written.unchanged) for x in again)} unchanged, "
            f"{sum(len(x.written.changed) for x in again)} changed in {time.perf_counter() - t0:.1f} s"
        )
        year = 2022
        worst = 0.0
        for name in ROLLUP_MARTS:
            ms = timed(
                lambda name=name: con.execute(f"select * from marts.{name} where year = ?", [year]).fetchall()
            )
            worst = max(worst, ms)
            print(f"  marts.{name:<32} {ms:7.1f} ms")
        ms = timed(lambda: rollup(con, year))
        worst = max(worst, ms)
        print(f"  rollup({year}) JSON                       {ms:7.1f} ms")
        print(
            f"slowest rollup query: {worst:.1f} ms (target < 100 ms); load {load_s:.1f} s (target < 60 s); "
            f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB"
        )
        con.close()


if __name__ == "__main__":
    main()
