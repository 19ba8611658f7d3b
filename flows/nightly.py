"""`nightly`: discover and fetch every agency's documents; announce the new and changed ones as events.

The warehouse is touched twice, each time briefly under its lock: once to read what the fetch log
remembers (for conditional GETs), once to log every attempt and every stored body.
"""

from __future__ import annotations

from collections.abc import Callable

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NONE

from nianbao.flows.events import announce_documents, publish_summary, run_id
from nianbao.flows.politeness import host_gate
from nianbao.flows.retry import FLOW_RETRIES, FLOW_RETRY_DELAY_S, TASK_RETRIES, TASK_RETRY_DELAYS, transient
from nianbao.pipeline.catalog import Catalog, load_catalog
from nianbao.pipeline.crawl import Bodies, Crawl, attempt_rows, crawl_catalog
from nianbao.pipeline.fetch import Crawler
from nianbao.pipeline.model import DocRef
from nianbao.pipeline.rawstore import RawStore
from nianbao.pipeline.settings import Settings, load_settings
from nianbao.pipeline.summary import Summary
from nianbao.warehouse.lock import writing
from nianbao.warehouse.nights import settled
from nianbao.warehouse.read import known_urls, stored_hashes
from nianbao.warehouse.write import log_attempts, record_documents, upsert_agencies


def crawl_and_record(
    catalog: Catalog,
    settings: Settings,
    rid: str,
    year: int | None = None,
    on_new: Callable[[Bodies], None] | None = None,
) -> Crawl:
    """Discover and fetch the catalog's documents, and log every attempt and stored body in the warehouse.

    `on_new` hears of the bodies never stored before as the crawl receives them (each agency's, from
    the crawl's threads): what a run reads while the crawl goes on."""
    with writing(settings.warehouse, settings.lock_timeout_s) as con:
        upsert_agencies(con, catalog.agencies)
        known = known_urls(con)
        seen = stored_hashes(con)
    store = RawStore(settings.raw_store)
    crawler = Crawler(catalog.allowed_hosts, store, known, settings.fetch, host_gate(settings))

    def tell(bodies: Bodies) -> None:
        if on_new is not None and (new := {s: b for s, b in bodies.items() if s not in seen}):
            on_new(new)

    try:
        crawl = crawl_catalog(
            catalog,
            crawler,
            year,
            settings.agencies_in_parallel,
            seen,
            settings.crawl_processes,
            on_bodies=None if on_new is None else tell,
        )
    finally:
        crawler.close()
    with writing(settings.warehouse, settings.lock_timeout_s) as con:
        log_attempts(con, attempt_rows(rid, crawl))
        record_documents(
            con, [(sha, size, fmt, str(store.path(sha))) for sha, (size, fmt) in crawl.bodies.items()]
        )
    return crawl


crawl_task = task(
    cache_policy=NONE,
    name="crawl",
    retries=TASK_RETRIES,
    retry_delay_seconds=TASK_RETRY_DELAYS,
    retry_condition_fn=transient,  # the warehouse lock, or a site down for the whole crawl
)(crawl_and_record)


def to_announce(crawl: Crawl, settings: Settings) -> list[DocRef]:
    """The documents a night announces: new and changed ones, and unchanged ones never ingested (a
    burst's event may have found its document's ingest cancelled while another run drained)."""
    with writing(settings.warehouse, settings.lock_timeout_s) as con:
        done = settled(con)
    fresh = crawl.announce()
    known = set(fresh)
    return fresh + [
        r
        for r in dict.fromkeys(crawl.fetched())
        if r not in known and (r.sha256, r.agency_id, r.year) not in done
    ]


@flow(name="nightly", retries=FLOW_RETRIES, retry_delay_seconds=FLOW_RETRY_DELAY_S)
def nightly(catalog_path: str, warehouse: str | None = None, year: int | None = None) -> Summary:
    """Discover and fetch every agency's documents; announce each new or changed one as an event."""
    settings = load_settings(warehouse)
    crawl = crawl_task(load_catalog(catalog_path), settings, run_id(), year)
    crawl.summary.announced = announce_documents(to_announce(crawl, settings))
    publish_summary(crawl.summary, "nightly-summary")
    s = crawl.summary
    get_run_logger().info(
        "nightly: %d discovered, %d new, %d changed, %d unchanged, %d failed",
        s.discovered,
        s.new,
        s.changed_docs,
        s.unchanged,
        s.fetch_failed,
    )
    return s
