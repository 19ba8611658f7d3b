"""Benchmark: validate 10,000 reports in one GX batch vs one at a time (issue 5).

Reports are synthesized from the golden records: each copy gets its own agency, a year its template
allows, every table-3/table-4 count scaled by a factor (identities still hold) and table 2 varied; 1 in
100 gets a planted defect, 1 in 3 a previous-year carried_out. Prints seconds, peak memory and ms per
report for the batch (frames built, GX runs) and for single-report validations of a sample, extrapolated.

    .venv/bin/python benchmarks/expectations.py [--reports 10000] [--single 100]
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import random
import resource
import time
import tracemalloc
from pathlib import Path

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

from nianbao.expectations.checks import CHECKS, Batch
from nianbao.expectations.validate import prepare, validate
from nianbao.pipeline import tables as T
from nianbao.pipeline.model import Previous, Report

GOLDEN = Path(__file__).resolve().parent.parent / "tests" / "golden"


def clean_goldens() -> list[Report]:
    """The golden records that pass every check (the real 06/07 carry the agencies' own errors)."""
    reports = [
        Report.from_json(json.loads(p.read_text(encoding="utf-8"))) for p in sorted(GOLDEN.glob("*.json"))
    ]
    found = validate(reports).findings
    return [r for k, r in enumerate(reports) if k not in found]


def synthesize(n: int, seed: int = 5) -> tuple[list[Report], dict[int, Previous]]:
    """n reports varied from the clean goldens, with planted defects and previous-year carries."""
    rng = random.Random(seed)
    base = clean_goldens()
    reports: list[Report] = []
    previous: dict[int, Previous] = {}
    for i in range(n):
        r = copy.deepcopy(base[i % len(base)])
        r.agency = f"synthetic-{i:05d}"
        lo, hi = T.TEMPLATE_YEARS[r.template]
        r.year = rng.randint(lo, min(hi, 2024))
        f = rng.randint(1, 4)
        r.applications = {row: {a: v * f for a, v in cols.items()} for row, cols in r.applications.items()}
        r.review_litigation = {
            p: {o: v * f for o, v in cols.items()} for p, cols in r.review_litigation.items()
        }
        for measures in r.proactive.values():
            for m, v in measures.items():
                if m not in T.MONEY_MEASURES:
                    measures[m] = (
                        v + rng.randint(0, 9) if m not in T.SIGNED_MEASURES else v - rng.randint(0, 9)
                    )
        r.narrative = {k: {"value": v["value"] * f, "raw": v["raw"]} for k, v in r.narrative.items()}
        if i % 100 == 7:  # a planted t3_balance defect
            r.applications["carried_out"]["natural_person"] += 1
            r.applications["carried_out"]["total"] += 1
        if i % 3 == 0:
            previous[i] = Previous(carried_out=dict(r.applications["carried_in"]))
        reports.append(r)
    return reports, previous


def main() -> None:
    """Run the benchmark and print its figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reports", type=int, default=10_000)
    ap.add_argument("--single", type=int, default=100)
    args = ap.parse_args()

    t0 = time.perf_counter()
    prepare()  # GX context and suites: built once per process, not part of either figure
    warm = time.perf_counter() - t0
    reports, previous = synthesize(args.reports)
    validate(reports[:10])  # warm GX's first-run paths
    cells = sum(len(T.expected_cells(r.template)) for r in reports)

    t0 = time.perf_counter()
    batch = Batch(reports, previous)
    rows = sum(len(c.rule.frame(batch)) for c in CHECKS if c.validated)
    t_frames = time.perf_counter() - t0
    del batch

    tracemalloc.start()
    t0 = time.perf_counter()
    v = validate(reports, previous)
    t_batch = time.perf_counter() - t0
    _cur, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    flagged = sorted(v.findings)
    assert flagged == [i for i in range(args.reports) if i % 100 == 7], "only the planted reports are flagged"

    sample = reports[: args.single]
    t0 = time.perf_counter()
    for k, r in enumerate(sample):
        validate([r], {0: previous[k]} if k in previous else None)
    t_single = time.perf_counter() - t0
    per_single = t_single / len(sample)
    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(
        f"reports: {args.reports:,} ({cells:,} template cells, {rows:,} frame rows over {len(v.suites)} GX runs)"
    )
    print(f"GX context + suites (once per process): {warm:.2f} s")
    print(
        f"batched: {t_batch:.2f} s total = {1000 * t_batch / args.reports:.2f} ms/report "
        f"(frames {t_frames:.2f} s, GX + findings {t_batch - t_frames:.2f} s); "
        f"{sum(map(len, v.findings.values()))} findings on {len(flagged)} planted reports"
    )
    print(
        f"peak memory during the batch: {peak / 2**20:.0f} MiB traced (Python + numpy); process max RSS {maxrss_mb:.0f} MiB"
    )
    print(
        f"one at a time: {args.single} reports in {t_single:.2f} s = {1000 * per_single:.1f} ms/report "
        f"→ {args.reports:,} reports ≈ {per_single * args.reports:.0f} s "
        f"({per_single * args.reports / t_batch:.0f}× the batch)"
    )
    print(f"target < 10 ms/report batched: {'met' if 1000 * t_batch / args.reports < 10 else 'NOT met'}")


if __name__ == "__main__":
    main()
