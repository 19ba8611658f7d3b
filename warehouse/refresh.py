"""After loads, once: the rollup marts, the year JSON exports, the quality report and the analysts' snapshot.

A plain function (no Prefect): `nianbao review` calls it in process, the `refresh` flow
(`flows/refresh.py`) wraps it for the served deployment, and a run calls it once at its end.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from nianbao.expectations.quality import render
from nianbao.pipeline.clock import now
from nianbao.pipeline.errors import NianbaoError
from nianbao.pipeline.progress import stage
from nianbao.pipeline.settings import Settings
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
        stage("refresh: rollup tables, year exports, quality report, analysts' snapshot")
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
