"""`nianbao run`: one whole pipeline run in-process (Prefect flow, no server needed).

The same steps as the served deployments, called directly: discovery and fetch (flows.nightly), then
ingest of every fetched document (flows.ingest; cached and idempotent), then refresh.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger
from prefect.task_runners import ThreadPoolTaskRunner

from nianbao.flows.common import publish_summary, run_id
from nianbao.flows.ingest import _extract_prefect, ingest_documents, tally
from nianbao.flows.nightly import AGENCIES_IN_PARALLEL, crawl_catalog, policy_from_env
from nianbao.flows.refresh import refresh_warehouse
from nianbao.pipeline.catalog import load_catalog
from nianbao.pipeline.rawstore import RawStore
from nianbao.pipeline.settings import load_settings
from nianbao.warehouse.connect import open_for_reading
from nianbao.warehouse.rollup import rollup


@dataclass
class RunSummary:
    """What a run did, for the CLI and the Prefect artifact."""

    warehouse: str
    documents: int = 0
    fetch_failed: int = 0
    loaded: int = 0
    quarantined: int = 0
    unreadable: int = 0
    changed: int = 0
    warnings: int = 0
    outcomes: list[dict[str, Any]] = field(default_factory=list)
    rollups: dict[int, dict[str, Any]] = field(default_factory=dict)


@flow(name="run", log_prints=False, task_runner=ThreadPoolTaskRunner(max_workers=AGENCIES_IN_PARALLEL))
def run_flow(catalog_path: str, warehouse: str | None = None, year: int | None = None) -> RunSummary:
    """Discover, fetch, extract, check and load every report of the catalog, then refresh the snapshot."""
    settings = load_settings(warehouse)
    catalog = load_catalog(catalog_path)
    wh = str(settings.warehouse)
    rid = run_id()
    policy = policy_from_env(settings.retries, settings.timeout_s, settings.max_bytes)
    crawl = crawl_catalog(catalog, wh, RawStore(settings.raw_store), policy, rid, year)
    refs = crawl.fetched_refs()
    results = ingest_documents(refs, wh, settings.raw_store, rid, _extract_prefect)
    summary = tally(crawl.summary, results)
    summary.title = "nianbao run"
    refresh_warehouse(wh, rid, force=True)
    publish_summary(summary, "run-summary")

    out = RunSummary(
        warehouse=wh,
        documents=summary.discovered,
        fetch_failed=summary.fetch_failed,
        loaded=summary.loaded,
        quarantined=summary.quarantined,
        unreadable=summary.unreadable,
        changed=summary.changed,
        warnings=summary.warnings,
    )
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
    years = sorted({r.year for r in refs} | ({year} if year else set()))
    con = open_for_reading(wh)
    try:
        for y in years:
            out.rollups[y] = rollup(con, y)
    finally:
        con.close()
    get_run_logger().info(
        "run finished: %s documents, %s loaded, %s quarantined, %s unreadable",
        out.documents,
        out.loaded,
        out.quarantined,
        out.unreadable,
    )
    return out


def run(catalog_path: str | Path, warehouse: str | Path | None = None, year: int | None = None) -> RunSummary:
    """Run the flow in-process (Prefect starts a temporary local API if none is configured)."""
    return run_flow(str(catalog_path), None if warehouse is None else str(warehouse), year)
