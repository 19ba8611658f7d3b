"""`refresh`: rebuild the rollups and publish the analysts' snapshot after loads, debounced.

A burst of `nianbao.report.loaded` events starts a burst of refresh runs; each waits `debounce_s`,
then takes the warehouse lock and does the work only when some load is newer than what the last
refresh covered. So a burst of loads costs one real refresh; the rest finish at once as no-ops.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger

from nianbao.flows.common import err, run_id
from nianbao.pipeline.settings import load_settings
from nianbao.warehouse.connect import publish_snapshot
from nianbao.warehouse.fetchlog import last_load_time, last_refresh_covered, log_refresh, writing
from nianbao.warehouse.marts import refresh_marts
from nianbao.warehouse.rollup import rollup


def rollups_dir(warehouse: str | Path) -> Path:
    """Where refresh writes each year's citywide rollup as JSON."""
    return Path(warehouse).parent / "exports" / "rollups"


def refresh_warehouse(warehouse: str | Path, rid: str, force: bool = False) -> dict[str, Any]:
    """Rebuild every year's rollup and publish the snapshot, unless no load happened since the last refresh."""
    warehouse = Path(warehouse)
    with writing(warehouse) as con:
        latest = last_load_time(con)
        covered = last_refresh_covered(con)
        if not force and covered is not None and (latest is None or latest <= covered):
            return {"refreshed": False, "years": [], "covered_to": str(covered)}
        refresh_marts(con)  # loads already refresh the years they touch; this covers any other writer
        years = [
            int(r[0]) for r in con.execute("select distinct year from staging.reports order by 1").fetchall()
        ]
        out = rollups_dir(warehouse)
        out.mkdir(parents=True, exist_ok=True)
        for y in years:
            (out / f"{y}.json").write_text(
                json.dumps(rollup(con, y), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
            )
        log_refresh(con, rid, latest, years)
        con.close()  # checkpointed before the copy; `writing` closing it again is harmless
        publish_snapshot(warehouse)
    return {"refreshed": True, "years": years, "covered_to": str(latest)}


@flow(name="refresh")
def refresh(warehouse: str | None = None, debounce_s: float = 5.0, force: bool = False) -> dict[str, Any]:
    """Wait for a burst of loads to settle, then rebuild the rollups and publish the snapshot (once per burst)."""
    settings = load_settings(warehouse)
    if debounce_s > 0:
        time.sleep(debounce_s)
    result = refresh_warehouse(settings.warehouse, run_id(), force)
    get_run_logger().info("refresh: %s", result)
    if result["refreshed"]:
        err.print(f"refreshed rollups for {result['years']} and published the snapshot")
    return result
