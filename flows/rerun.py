"""`rerun`: process again the documents whose last fetch, extraction or load failed or was quarantined.

`rerun_documents` is the work as plain calls (what `nianbao rerun` runs when no Prefect server is
configured: no temporary API server, no task runs); the flow `rerun` runs the same steps as Prefect tasks
and publishes the summary as an artifact, for a served deployment or a `PREFECT_API_URL`. When anything
changed, the refresh follows and the analysts' site is rebuilt from the refreshed snapshot.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from prefect import flow, get_run_logger

from nianbao.flows.events import local_run_id, publish_summary, run_id
from nianbao.flows.ingest import ingest_documents
from nianbao.flows.politeness import host_gate
from nianbao.flows.refresh import refresh_warehouse, site_after_refresh
from nianbao.pipeline.catalog import load_catalog
from nianbao.pipeline.crawl import refetch, refetch_rows
from nianbao.pipeline.fetch import Crawler
from nianbao.pipeline.model import DocRef
from nianbao.pipeline.rawstore import RawStore
from nianbao.pipeline.settings import Settings, load_settings
from nianbao.pipeline.summary import Summary
from nianbao.warehouse.lock import writing
from nianbao.warehouse.read import answered_hosts, failed_documents
from nianbao.warehouse.write import log_attempts


@dataclass
class RerunResult:
    """What the rerun found to do and what became of each document (before → after)."""

    summary: Summary
    changes: list[dict[str, Any]] = field(default_factory=list)
    site: dict[str, Any] | None = None  # the analysts' site, when the rerun changed anything and refreshed


def _before(row: dict[str, Any]) -> str:
    return str(row["why"] or row["report_status"] or row["fetch_status"] or "-")


def rerun_documents(
    settings: Settings,
    agency: str | None = None,
    year: int | None = None,
    failed: bool = True,
    catalog_path: str | None = None,
    *,
    rid: str | None = None,
    prefect: bool = False,
) -> RerunResult:
    """Refetch what failed to fetch, re-ingest what failed, was unreadable or quarantined; say what changed.

    `prefect=True` (inside a flow run) extracts in cached Prefect tasks and announces each report's fate as
    an event; otherwise the same steps run as plain calls in this process."""
    rid = rid or local_run_id()
    with writing(settings.warehouse, settings.lock_timeout_s) as con:
        todo = failed_documents(con, agency, year, only_failed=failed)
    result = RerunResult(Summary("nianbao rerun", discovered=len(todo)))
    refs: list[DocRef] = []
    before: dict[str, str] = {}
    broken = [t for t in todo if t["fetch_status"] == "failed"]
    if broken:
        if catalog_path:
            catalog = load_catalog(catalog_path)
            hosts = catalog.allowed_hosts
            explicit = frozenset(r.url for a in catalog.agencies for r in a.reports)
        else:
            # without the catalog: only hosts that served a document before, never one a failed URL names
            with writing(settings.warehouse, settings.lock_timeout_s) as con:
                hosts = answered_hosts(con)
            explicit = frozenset()
        crawler = Crawler(hosts, RawStore(settings.raw_store), {}, settings.fetch, host_gate(settings))
        try:
            again = refetch(broken, crawler, explicit)
        finally:
            crawler.close()
        with writing(settings.warehouse, settings.lock_timeout_s) as con:
            log_attempts(con, refetch_rows(rid, broken, crawler.attempts))
        result.summary.fetched += len(again.refs)
        refs += again.refs
        before.update({r.sha256: "fetch_failed" for r in again.refs})
        for t, code in again.failed:
            result.summary.fetch_failed += 1
            result.summary.fail("fetch", code, agency=t["agency_id"], year=t["year"], url=t["url"])
            result.changes.append(
                {
                    "agency": t["agency_id"],
                    "year": t["year"],
                    "url": t["url"],
                    "before": "fetch_failed",
                    "after": f"fetch_failed ({code})",
                }
            )
    for t in todo:
        if t["fetch_status"] != "failed" and t["sha256"]:
            refs.append(DocRef(t["agency_id"], t["year"], t["url"], t["sha256"], t["via"]))
            before[t["sha256"]] = _before(t)
    results = ingest_documents(refs, settings, rid, announce=prefect, prefect=prefect)
    result.summary.add(results)
    for i in results:
        result.changes.append(
            {
                "agency": i.ref.agency_id,
                "year": i.ref.year,
                "url": i.ref.url,
                "before": before.get(i.ref.sha256, "-"),
                "after": i.status,
                "changed": i.changed,
                "why": i.error_code or ", ".join(i.checks),
            }
        )
    if any(i.changed for i in results):
        refresh_warehouse(settings, rid)
        result.site = site_after_refresh(settings)
    logging.getLogger("nianbao.flows").info("rerun: %d documents processed again", len(results))
    return result


@flow(name="rerun")
def rerun(
    warehouse: str | None = None,
    agency: str | None = None,
    year: int | None = None,
    failed: bool = True,
    catalog_path: str | None = None,
) -> RerunResult:
    """Refetch what failed to fetch, re-ingest what failed, was unreadable or quarantined; say what changed."""
    result = rerun_documents(
        load_settings(warehouse), agency, year, failed, catalog_path, rid=run_id(), prefect=True
    )
    publish_summary(result.summary, "rerun-summary")
    get_run_logger().info("rerun: %d documents processed again", len(result.changes))
    return result
