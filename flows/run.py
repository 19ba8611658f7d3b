"""`nianbao run`: one whole pipeline run in-process (Prefect flow, no server needed)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NONE
from prefect.context import get_run_context

from pipeline.catalog import Catalog, load_catalog
from pipeline.ingest import Document, check_and_build, fetch_document, record_fetch
from pipeline.rawstore import RawStore
from pipeline.settings import Settings, load_settings
from warehouse.connect import connect, publish_snapshot
from warehouse.load import Outcome, load_outcome, upsert_agencies
from warehouse.rollup import rollup


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


@task(cache_policy=NONE, retries=0)
def fetch_task(agency_id: str, year: int, url: str, catalog: Catalog, settings: Settings) -> Document:
    """Fetch one document into the raw store."""
    agency = next(a for a in catalog.agencies if a.id == agency_id)
    return fetch_document(agency, year, url, catalog, RawStore(settings.raw_store), settings)


@task(cache_policy=NONE)
def check_task(warehouse: str, docs: list[Document], raw_store: str) -> list[Outcome]:
    """Extract and validate every fetched document (one GX batch)."""
    con = connect(warehouse)
    try:
        return check_and_build(con, docs, RawStore(raw_store))
    finally:
        con.close()


@task(cache_policy=NONE)
def load_task(warehouse: str, outcomes: list[Outcome]) -> int:
    """Load each outcome atomically; the number of reports whose rows changed."""
    con = connect(warehouse)
    try:
        return sum(load_outcome(con, o) for o in outcomes)
    finally:
        con.close()


@flow(name="run", log_prints=False)
def run_flow(catalog_path: str, warehouse: str | None = None, year: int | None = None) -> RunSummary:
    """Fetch, extract, check and load every listed report of the catalog, then publish the snapshot."""
    logger = get_run_logger()
    settings = load_settings(warehouse)
    catalog = load_catalog(catalog_path)
    wh = str(settings.warehouse)
    run_id = str(get_run_context().flow_run.id)  # type: ignore[union-attr]
    store = RawStore(settings.raw_store)

    con = connect(wh)
    try:
        upsert_agencies(con, list(catalog.agencies))
    finally:
        con.close()

    futures = [
        fetch_task.submit(a.id, ref.year, ref.url, catalog, settings)
        for a in catalog.agencies
        for ref in a.reports
        if year is None or ref.year == year
    ]
    docs: list[Document] = [f.result() for f in futures]
    con = connect(wh)
    try:
        for d in docs:
            record_fetch(con, run_id, d, store)
    finally:
        con.close()

    outcomes = check_task(wh, docs, str(settings.raw_store))
    changed = load_task(wh, outcomes)
    publish_snapshot(wh)

    summary = RunSummary(warehouse=wh, documents=len(docs), changed=changed)
    summary.fetch_failed = sum(d.sha256 is None for d in docs)
    for o in outcomes:
        setattr(summary, o.status, getattr(summary, o.status) + 1)
        summary.warnings += sum(f.severity == "warning" for f in o.findings)
        summary.outcomes.append({
            "agency": o.agency_id, "year": o.year, "status": o.status, "document": o.sha256,
            "error": o.error_code, "checks": sorted({f.check for f in o.findings}),
        })
    for d in docs:
        if d.sha256 is None:
            summary.outcomes.append({"agency": d.agency_id, "year": d.year, "status": "fetch_failed",
                                     "document": None, "error": d.error_code, "checks": []})
    con = connect(wh)
    try:
        for y in sorted({d.year for d in docs}):
            summary.rollups[y] = rollup(con, y)
    finally:
        con.close()
    logger.info("run finished: %s documents, %s loaded, %s quarantined, %s unreadable",
                summary.documents, summary.loaded, summary.quarantined, summary.unreadable)
    return summary


def run(catalog_path: str | Path, warehouse: str | Path | None = None, year: int | None = None) -> RunSummary:
    """Run the flow in-process (Prefect starts a temporary local API if none is configured)."""
    return run_flow(str(catalog_path), None if warehouse is None else str(warehouse), year)
