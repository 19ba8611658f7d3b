"""`nianbao run`: one whole pipeline run in-process (a Prefect flow; no server needed).

The same steps as the served deployments, called directly: the crawl (as `nightly`), the ingest of every
fetched document (as `ingest`; cached and idempotent), then one refresh.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger
from prefect.task_runners import ThreadPoolTaskRunner

from nianbao.flows.events import publish_summary, run_id
from nianbao.flows.ingest import ingest_documents
from nianbao.flows.nightly import crawl_task
from nianbao.flows.refresh import refresh_warehouse
from nianbao.pipeline.catalog import load_catalog
from nianbao.pipeline.errors import NianbaoError
from nianbao.pipeline.settings import load_settings
from nianbao.pipeline.summary import Summary
from nianbao.warehouse.connect import open_for_reading
from nianbao.warehouse.rollup import rollup


@dataclass
class RunSummary:
    """What a run did, for the CLI: the counts, every document's fate, and the rollup of each year."""

    warehouse: str
    summary: Summary
    outcomes: list[dict[str, Any]] = field(default_factory=list)
    rollups: dict[int, dict[str, Any]] = field(default_factory=dict)


@flow(name="run", log_prints=False, task_runner=ThreadPoolTaskRunner(max_workers=4))  # type: ignore[arg-type]
def run_flow(catalog_path: str, warehouse: str | None = None, year: int | None = None) -> RunSummary:
    """Discover, fetch, extract, check and load every report of the catalog, then refresh the snapshot."""
    settings = load_settings(warehouse)
    rid = run_id()
    crawl = crawl_task(load_catalog(catalog_path), settings, rid, year)
    refs = crawl.fetched()
    results = ingest_documents(refs, settings, rid)
    summary = crawl.summary.add(results)
    summary.title = "nianbao run"
    refresh_warehouse(settings, rid, force=True)
    publish_summary(summary, "run-summary")
    out = RunSummary(warehouse=str(settings.warehouse), summary=summary)
    for i in results:
        out.outcomes.append(
            {
                "agency": i.ref.agency_id,
                "year": i.ref.year,
                "status": i.status,
                "document": i.ref.sha256,
                "error": i.error_code,
                "checks": list(i.checks),
            }
        )
    for a in crawl.agencies:
        for f, g in a.documents:
            if g.state == "failed":
                out.outcomes.append(
                    {
                        "agency": f.agency_id,
                        "year": f.year,
                        "status": "fetch_failed",
                        "document": None,
                        "error": g.error_code,
                        "checks": [],
                    }
                )
    con = open_for_reading(settings.warehouse)
    try:
        for y in sorted({r.year for r in refs} | ({year} if year else set())):
            try:
                out.rollups[y] = rollup(con, y)
            except NianbaoError as e:  # a year no template covers: no rollup, and the run goes on
                get_run_logger().warning("no rollup for %s: %s", y, e)
    finally:
        con.close()
    get_run_logger().info(
        "run finished: %s documents, %s loaded, %s quarantined, %s unreadable",
        summary.discovered,
        summary.loaded,
        summary.quarantined,
        summary.unreadable,
    )
    return out


def run(catalog_path: str | Path, warehouse: str | Path | None = None, year: int | None = None) -> RunSummary:
    """Run the flow in-process (Prefect starts a temporary local API if none is configured)."""
    return run_flow(str(catalog_path), None if warehouse is None else str(warehouse), year)
