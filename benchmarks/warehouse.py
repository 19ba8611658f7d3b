"""Warehouse benchmark: bulk-load 10,000 synthetic reports (~2 M facts) into a temp DuckDB file, time rollups.

Run: `.venv/bin/python benchmarks/warehouse.py [--reports N] [--chunk N]`. The load time includes the
refresh of the rollup mart tables (load_outcomes does it). Reports are the golden records of
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

from nianbao.pipeline.catalog import Agency
from nianbao.pipeline.model import Location, Report
from nianbao.warehouse.connect import connect
from nianbao.warehouse.load import Outcome, load_outcomes, upsert_agencies
from nianbao.warehouse.rollup import ROLLUP_MARTS, rollup

GOLDEN = Path(__file__).resolve().parent.parent / "tests" / "golden"
YEARS = (2019, 2020, 2021, 2022, 2023)


def templates() -> dict[str, list[Report]]:
    """The golden reports by template."""
    out: dict[str, list[Report]] = {"v2019": [], "v2021": []}
    for path in sorted(GOLDEN.glob("*.json")):
        r = Report.from_json(json.loads(path.read_text(encoding="utf-8")))
        out[r.template].append(r)
    return out


def synthesize(n: int, carry: str = "consistent") -> tuple[list[Agency], list[Outcome]]:
    """n outcomes: agencies × years, each a golden record scaled by a factor, provenance on every value.

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
    outcomes = []
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
            r.applications["carried_in"] = dict(outcomes[-1].report.applications["carried_out"])  # type: ignore[union-attr]
        r.provenance = {
            f"{t}.{row}.{col}": Location(raw=str(v), page=3 + j % 2, bbox=(50.0, 100.0 + j, 90.0, 112.0 + j))
            for j, (t, row, col, v) in enumerate(r.cells())
        }
        digest = hashlib.sha256(f"{agency.id}/{year}/{i}".encode()).hexdigest()
        outcomes.append(
            Outcome(agency.id, year, digest, f"http://127.0.0.1/{agency.id}/{year}.pdf", report=r)
        )
    return agencies, outcomes


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
        t0 = time.perf_counter()
        result = load_outcomes(con, outcomes, chunk=args.chunk)
        load_s = time.perf_counter() - t0
        facts = sum(
            con.execute(f"select count(*) from curated.fct_{t}").fetchall()[0][0]
            for t in ("proactive", "applications", "review_litigation")
        )
        print(
            f"load: {result.changed} reports, {facts:,} facts in {load_s:.1f} s "
            f"({facts / load_s:,.0f} facts/s); failed {len(result.failed)}"
        )
        by_check = con.execute(
            "select check_id, count(*) from staging.findings group by 1 order by 1"
        ).fetchall()
        print(f"findings written by the load: {dict(by_check) or 'none'}")
        t0 = time.perf_counter()
        again = load_outcomes(con, outcomes, chunk=args.chunk)
        print(
            f"reload of the same documents: {again.unchanged} unchanged, {again.changed} changed "
            f"in {time.perf_counter() - t0:.1f} s"
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
