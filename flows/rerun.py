"""`rerun`: process again the documents whose last fetch, extraction or load failed or was quarantined."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from prefect import flow, get_run_logger

from nianbao.flows.common import Summary, publish_summary, run_id
from nianbao.flows.ingest import _extract_prefect, ingest_documents, tally
from nianbao.flows.nightly import policy_from_env
from nianbao.flows.refresh import refresh_warehouse
from nianbao.pipeline.catalog import load_catalog
from nianbao.pipeline.fetch import Crawler
from nianbao.pipeline.ingest import DocRef
from nianbao.pipeline.rawstore import RawStore
from nianbao.pipeline.settings import load_settings
from nianbao.warehouse.fetchlog import attempt_row, failed_documents, log_attempts, writing


@dataclass
class RerunResult:
    """What the rerun found to do and what became of each document (before → after)."""

    summary: Summary
    changes: list[dict[str, Any]] = field(default_factory=list)


def _before(row: dict[str, Any]) -> str:
    return row["why"] or row["report_status"] or row["fetch_status"] or "-"


@flow(name="rerun")
def rerun(
    warehouse: str | None = None,
    agency: str | None = None,
    year: int | None = None,
    failed: bool = True,
    catalog_path: str | None = None,
) -> RerunResult:
    """Refetch what failed to fetch, re-ingest what failed, was unreadable or quarantined; print what changed."""
    settings = load_settings(warehouse)
    rid = run_id()
    with writing(settings.warehouse) as con:
        todo = failed_documents(con, agency, year, only_failed=failed)
    summary = Summary("nianbao rerun", discovered=len(todo))
    result = RerunResult(summary)
    store = RawStore(settings.raw_store)
    refs: list[DocRef] = []
    before: dict[str, str] = {}
    refetch = [t for t in todo if t["fetch_status"] == "failed"]
    if refetch:
        hosts: tuple[str, ...] = (
            load_catalog(catalog_path).allowed_hosts
            if catalog_path
            else tuple(sorted({_host(t["url"]) for t in refetch}))
        )
        crawler = Crawler(
            hosts, store, {}, policy_from_env(settings.retries, settings.timeout_s, settings.max_bytes)
        )
        rows = []
        try:
            for t in refetch:
                got = crawler.get(t["url"], "document", conditional=False)
                if got.sha256:
                    summary.fetched += 1
                    refs.append(DocRef(t["agency_id"], t["year"], t["url"], got.sha256, t["via"]))
                    before[got.sha256] = "fetch_failed"
                else:
                    summary.fetch_failed += 1
                    summary.fail(
                        "fetch",
                        got.error_code or "fetch_failed",
                        agency=t["agency_id"],
                        year=t["year"],
                        url=t["url"],
                    )
                    result.changes.append(
                        {
                            "agency": t["agency_id"],
                            "year": t["year"],
                            "url": t["url"],
                            "before": "fetch_failed",
                            "after": f"fetch_failed ({got.error_code})",
                        }
                    )
        finally:
            crawler.close()
        by_url = {t["url"]: t for t in refetch}
        for a, role, got in crawler.attempts:
            t = by_url.get(a.url)
            rows.append(
                attempt_row(
                    rid,
                    a,
                    role,
                    got,
                    t["agency_id"] if t else None,
                    t["year"] if t else None,
                    t["via"] if t else None,
                )
            )
        with writing(settings.warehouse) as con:
            log_attempts(con, rows)
    for t in todo:
        if t["fetch_status"] != "failed" and t["sha256"]:
            refs.append(DocRef(t["agency_id"], t["year"], t["url"], t["sha256"], t["via"]))
            before[t["sha256"]] = _before(t)
    results = ingest_documents(
        refs, settings.warehouse, settings.raw_store, rid, _extract_prefect, announce=True
    )
    tally(summary, results)
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
        refresh_warehouse(settings.warehouse, rid)
    publish_summary(summary, "rerun-summary")
    get_run_logger().info("rerun: %d documents processed again", len(results))
    return result


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).hostname or ""
