"""The sample city's own truth, and what a run should therefore have produced from it.

The generator records, for every agency-year, the canonical record it printed and what must become of
it (`expect`: admitted, warning, quarantined with which checks, unreadable with which error, or
fetch failures). From that alone this module derives each year's citywide rollup, who is counted and who
is left out and why, and which findings a run must store, so that `nianbao demo` can say whether the
pipeline reproduced them, and name every difference when it did not.
"""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

TABLES = ("proactive", "applications", "review_litigation")
COUNTED = ("admitted", "warning")


def load_manifest(city_dir: Path) -> dict[str, Any]:
    """The sample's manifest (truth/manifest.json)."""
    manifest: dict[str, Any] = json.loads((city_dir / "truth" / "manifest.json").read_text(encoding="utf-8"))
    return manifest


def expected_rollup(city_dir: Path, manifest: dict[str, Any], year: int) -> dict[str, Any]:
    """The rollup (`nianbao rollup --format json`'s shape) that the year's truth records sum to."""
    sums: dict[str, dict[str, dict[str, Decimal]]] = {
        t: defaultdict(lambda: defaultdict(Decimal)) for t in TABLES
    }
    counted: list[str] = []
    left_out: list[dict[str, Any]] = []
    for entry in manifest["reports"]:
        if entry["year"] != year:
            continue
        if entry["expect"] not in COUNTED:
            reason = entry["expect"]
            detail = {"checks": entry["checks"]} if reason == "quarantined" else {"error": entry["error"]}
            left_out.append({"agency": entry["agency_id"], "reason": reason, **detail})
            continue
        counted.append(entry["agency_id"])
        record = json.loads((city_dir / "truth" / Path(entry["truth"]).name).read_text(encoding="utf-8"))
        for table, rows in sums.items():
            for row, cols in record[table].items():
                for col, value in cols.items():
                    rows[row][col] += Decimal(str(value))
    tables = {
        t: {
            r: {c: (int(v) if v == v.to_integral() else float(v)) for c, v in cols.items()}
            for r, cols in rows.items()
        }
        for t, rows in sums.items()
    }
    return {
        "agencies_counted": sorted(counted),
        "left_out": sorted(left_out, key=lambda x: x["agency"]),
        **tables,
    }


def expected_findings(manifest: dict[str, Any]) -> set[tuple[str, int, str]]:
    """(agency, year, check) of every finding the planted faults must produce, and nothing else."""
    return {(e["agency_id"], e["year"], c) for e in manifest["reports"] for c in e["checks"] + e["warnings"]}


def differences(
    city_dir: Path, rollups: dict[int, dict[str, Any]], findings: set[tuple[str, int, str]]
) -> list[str]:
    """Every way the run's rollups and findings differ from the sample's truth (empty: they match)."""
    manifest = load_manifest(city_dir)
    out: list[str] = []
    for year in sorted({e["year"] for e in manifest["reports"]}):
        want = expected_rollup(city_dir, manifest, year)
        got = rollups.get(year)
        if got is None:
            out.append(f"{year}: no rollup")
            continue
        if sorted(got["agencies_counted"]) != want["agencies_counted"]:
            extra = sorted(set(got["agencies_counted"]) - set(want["agencies_counted"]))
            missing = sorted(set(want["agencies_counted"]) - set(got["agencies_counted"]))
            out.append(
                f"{year}: agencies counted differ (counted but should not be: {extra or '-'}; "
                f"not counted but should be: {missing or '-'})"
            )
        got_left = {x["agency"]: {k: v for k, v in x.items() if k != "agency"} for x in got["left_out"]}
        for x in want["left_out"]:
            mine = got_left.pop(x["agency"], None)
            wanted = {k: v for k, v in x.items() if k != "agency"}
            if mine != wanted:
                out.append(f"{year}: {x['agency']} left out as {mine or 'counted'}, truth says {wanted}")
        for agency, why in sorted(got_left.items()):
            out.append(f"{year}: {agency} left out as {why}, truth says counted")
        for table in TABLES:
            for row, cols in want[table].items():
                for col, value in cols.items():
                    printed = got.get(table, {}).get(row, {}).get(col)
                    if printed != value:
                        out.append(f"{year}: {table}.{row}.{col} = {printed}, truth {value}")
    want_findings = expected_findings(manifest)
    for agency, year, check in sorted(findings - want_findings):
        out.append(f"{year}: unexpected finding {check} for {agency}")
    for agency, year, check in sorted(want_findings - findings):
        out.append(f"{year}: missing finding {check} for {agency}")
    return out
