"""`nightly`: discover and fetch every agency's documents; announce the new and changed ones as events.

Agencies are crawled in parallel threads (bounded by NIANBAO_AGENCIES_IN_PARALLEL), fetches to one
host by `FetchPolicy.per_host`. The warehouse is touched twice, each time briefly under its lock:
once to read what the fetch log remembers (for conditional GETs), once to log every attempt.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NONE
from prefect.task_runners import ThreadPoolTaskRunner

from nianbao.flows.common import DOCUMENT_FETCHED, Summary, emit, progress, publish_summary, run_id
from nianbao.pipeline.catalog import Agency, Catalog, load_catalog
from nianbao.pipeline.errors import ExtractError
from nianbao.pipeline.extract import sniff
from nianbao.pipeline.fetch import Crawler, FetchPolicy, Got
from nianbao.pipeline.ingest import DocRef
from nianbao.pipeline.rawstore import RawStore
from nianbao.pipeline.settings import load_settings
from nianbao.pipeline.sources.discover import Discovery, Found, discover_agency
from nianbao.warehouse.fetchlog import attempt_row, known_urls, log_attempts, writing
from nianbao.warehouse.load import record_document, upsert_agencies

AGENCIES_IN_PARALLEL = load_settings().agencies_in_parallel


@dataclass
class AgencyCrawl:
    """One agency's discovery and the fetch of each document found."""

    discovery: Discovery
    documents: list[tuple[Found, Got]] = field(default_factory=list)


@dataclass
class Crawl:
    """A whole catalog's crawl: per agency, plus the documents to announce and the summary."""

    agencies: list[AgencyCrawl]
    announce: list[DocRef]
    summary: Summary

    def fetched_refs(self) -> list[DocRef]:
        """Every document fetched this crawl (new, changed or unchanged), as ingest input."""
        return [
            DocRef(f.agency_id, f.year, f.url, g.sha256, f.via)
            for a in self.agencies
            for f, g in a.documents
            if g.sha256 and g.state != "failed"
        ]


def policy_from_env(retries: int, timeout_s: float, max_bytes: int) -> FetchPolicy:
    """The fetch policy: settings' retries/timeout/cap, NIANBAO_FETCH_BACKOFF_S and NIANBAO_PER_HOST."""
    settings = load_settings()
    return FetchPolicy(
        retries=retries,
        timeout_s=timeout_s,
        max_bytes=max_bytes,
        backoff_s=settings.fetch_backoff_s,
        per_host=settings.per_host,
    )


def crawl_agency(agency: Agency, crawler: Crawler, year: int | None = None) -> AgencyCrawl:
    """Discover an agency's documents and fetch each (conditionally)."""
    discovery = discover_agency(agency, crawler.get, year=year)
    out = AgencyCrawl(discovery)
    for found in discovery.documents:
        out.documents.append((found, crawler.get(found.url, "document")))
    return out


@task(cache_policy=NONE, retries=0)
def crawl_agency_task(agency: Agency, crawler: Crawler, year: int | None = None) -> AgencyCrawl:
    """Prefect wrapper of crawl_agency."""
    got = crawl_agency(agency, crawler, year)
    get_run_logger().info("%s: %d documents found", agency.id, len(got.documents))
    return got


def record_crawl(warehouse: str | Path, rid: str, crawler: Crawler, crawls: list[AgencyCrawl]) -> None:
    """Log every attempt of the crawl in raw.fetch_log and every stored body in raw.documents (one lock hold)."""
    where: dict[str, Found] = {f.url: f for c in crawls for f, _g in c.documents}
    owner: dict[str, str] = {}
    for c in crawls:
        for url, _why in c.discovery.problems:
            owner.setdefault(url, c.discovery.agency_id)
    rows = []
    for attempt, role, got in crawler.attempts:
        f = where.get(attempt.url)
        rows.append(
            attempt_row(
                rid,
                attempt,
                "document" if f else role,
                got,
                f.agency_id if f else owner.get(attempt.url),
                f.year if f else None,
                f.via if f else None,
            )
        )
    docs = {g.sha256: g for c in crawls for _f, g in c.documents if g.sha256 and g.data is not None}
    with writing(warehouse) as con:
        log_attempts(con, rows)
        for sha, g in docs.items():
            try:
                fmt: str | None = sniff(g.data or b"")
            except ExtractError:
                fmt = None
            record_document(con, sha, len(g.data or b""), fmt, str(crawler.store.path(sha)))


def crawl_catalog(
    catalog: Catalog,
    warehouse: str | Path,
    store: RawStore,
    policy: FetchPolicy,
    rid: str,
    year: int | None = None,
    in_prefect: bool = True,
) -> Crawl:
    """Discover and fetch a catalog's documents (agencies in parallel), log it all, and say what to announce."""
    with writing(warehouse) as con:
        upsert_agencies(con, list(catalog.agencies))
        known = known_urls(con)
    crawler = Crawler(catalog.allowed_hosts, store, known, policy)
    summary = Summary("nianbao nightly", agencies=len(catalog.agencies))
    crawls: list[AgencyCrawl] = []
    try:
        with progress() as bar:
            job = bar.add_task("agencies", total=len(catalog.agencies))
            if in_prefect:
                futures = [crawl_agency_task.submit(a, crawler, year) for a in catalog.agencies]
                for fut in futures:
                    crawls.append(fut.result())
                    bar.advance(job)
            else:
                for a in catalog.agencies:
                    crawls.append(crawl_agency(a, crawler, year))
                    bar.advance(job)
    finally:
        crawler.close()
    record_crawl(warehouse, rid, crawler, crawls)
    announce: list[DocRef] = []
    for c in crawls:
        summary.listing_pages += c.discovery.listing_pages
        for url, why in c.discovery.problems:
            summary.fail("discovery", why, agency=c.discovery.agency_id, url=url)
        for f, g in c.documents:
            summary.discovered += 1
            if g.state == "failed":
                summary.fetch_failed += 1
                summary.fail(
                    "fetch", g.error_code or "fetch_failed", agency=f.agency_id, year=f.year, url=f.url
                )
                continue
            summary.fetched += g.http_status != 304
            summary.unchanged += g.state == "unchanged"
            summary.new += g.state == "new"
            summary.changed_docs += g.state == "changed"
            if g.state in ("new", "changed") and g.sha256:
                announce.append(DocRef(f.agency_id, f.year, f.url, g.sha256, f.via))
    return Crawl(crawls, announce, summary)


def announce_documents(refs: list[DocRef]) -> int:
    """Emit nianbao.document.fetched for each document (resource nianbao.document.<sha256>); how many went out."""
    sent = 0
    for r in refs:
        sent += emit(
            DOCUMENT_FETCHED,
            f"nianbao.document.{r.sha256}",
            {"agency": r.agency_id, "year": r.year, "url": r.url, "sha256": r.sha256, "via": r.via or ""},
            **{"nianbao.agency": r.agency_id},
        )
    return sent


@flow(name="nightly", task_runner=ThreadPoolTaskRunner(max_workers=AGENCIES_IN_PARALLEL))
def nightly(catalog_path: str, warehouse: str | None = None, year: int | None = None) -> Summary:
    """Discover and fetch every agency's documents; announce each new or changed one as an event."""
    settings = load_settings(warehouse)
    catalog = load_catalog(catalog_path)
    policy = policy_from_env(settings.retries, settings.timeout_s, settings.max_bytes)
    crawl = crawl_catalog(catalog, settings.warehouse, RawStore(settings.raw_store), policy, run_id(), year)
    crawl.summary.announced = announce_documents(crawl.announce)
    publish_summary(crawl.summary, "nightly-summary")
    get_run_logger().info(
        "nightly: %d discovered, %d new, %d changed, %d unchanged, %d failed",
        crawl.summary.discovered,
        crawl.summary.new,
        crawl.summary.changed_docs,
        crawl.summary.unchanged,
        crawl.summary.fetch_failed,
    )
    return crawl.summary
