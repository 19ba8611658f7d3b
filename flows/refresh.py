"""`refresh`: after loads, once — the rollup marts, the year JSON exports, the quality report, the snapshot.

A burst of `nianbao.report.loaded` events starts a burst of refresh runs; the deployment runs one at a
time and cancels the others at once (prefect.yaml), and the one that runs waits `debounce_s`, then takes
the warehouse lock and does the work only when some load is newer than what the last refresh covered,
and again while loads keep landing. So a burst of loads costs one real refresh.
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger

from nianbao.expectations.quality import render
from nianbao.flows.events import run_id
from nianbao.pipeline.clock import now
from nianbao.pipeline.errors import NianbaoError
from nianbao.pipeline.settings import Settings, load_settings
from nianbao.warehouse.connect import publish_snapshot
from nianbao.warehouse.lock import writing
from nianbao.warehouse.marts import refresh_marts
from nianbao.warehouse.read import findings, last_load_time, last_refresh_covered, report_years
from nianbao.warehouse.rollup import rollup
from nianbao.warehouse.write import log_refresh


def _write(path: Path, text: str) -> None:
    """Replace a file atomically (readers never see half of it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def refresh_warehouse(settings: Settings, rid: str, force: bool = False) -> dict[str, Any]:
    """Rebuild the marts, the year rollups and the quality report, and publish the snapshot, if anything loaded."""
    with writing(settings.warehouse, settings.lock_timeout_s) as con:
        latest = last_load_time(con)
        covered = last_refresh_covered(con)
        if not force and covered is not None and (latest is None or latest <= covered):
            return {"refreshed": False, "years": [], "covered_to": str(covered)}
        refresh_marts(con)
        years = []
        for y in report_years(con):
            try:
                data = rollup(con, y)
            except NianbaoError as e:  # a stored year no template covers has no rollup: not a dead refresh
                logging.getLogger("nianbao.refresh").warning("no rollup for %s: %s", y, e)
                continue
            years.append(y)
            _write(
                settings.exports / "rollups" / f"{y}.json",
                json.dumps(data, ensure_ascii=False, indent=1) + "\n",
            )
        if settings.data_docs is not None:
            n = con.execute("select count(*) from staging.current_reports").fetchone()
            _write(
                settings.data_docs / "index.html",
                render(
                    findings(con),
                    reports=int(n[0]) if n else 0,
                    stamp=f"Refreshed {now():%Y-%m-%d %H:%M:%S} UTC:",
                ),
            )
        log_refresh(con, rid, latest, years)
    publish_snapshot(settings.warehouse)  # the file is closed (checkpointed) once `writing` returns
    return {"refreshed": True, "years": years, "covered_to": str(latest)}


@flow(name="refresh")
def refresh(warehouse: str | None = None, debounce_s: float = 5.0, force: bool = False) -> dict[str, Any]:
    """Wait for a burst of loads to settle, then rebuild the rollups and publish the snapshot (once per burst)."""
    settings = load_settings(warehouse)
    if debounce_s > 0:
        time.sleep(debounce_s)
    result = refresh_warehouse(settings, run_id(), force)
    # loads that landed while this one worked: their events' runs were cancelled (one refresh at a time)
    for _round in range(3):
        again = refresh_warehouse(settings, run_id())
        if not again["refreshed"]:
            break
        result = again
    get_run_logger().info("refresh: %s", result)
    return result
