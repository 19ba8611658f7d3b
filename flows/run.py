"""`nianbao run`: one whole pipeline run in-process (a Prefect flow; no server needed).

The same steps as the served deployments, called directly: the crawl (as `nightly`; the documents it
stores for the first time are read while it goes on, `flows.extract.ReadAhead`), the ingest of the
documents that need it (as `ingest`; cached and idempotent), then one refresh if anything was ingested,
and the analysts' site rebuilt from the refreshed snapshot (as `refresh`; linked from the run as an artifact).
Extraction runs on the task runner `flows.parallel` picks: a local Dask cluster of `--workers` processes,
an existing one (`--dask-address`), or the flow's own threads (`--workers 0`).

A night skips what has not changed (issue 17): the crawl asks conditionally (a 304 brings no body); a
document whose hash is unchanged and that the current readers have already processed is not read,
checked or loaded again (`warehouse.nights`); when nothing was ingested the marts, rollups and snapshot
are left as they are. Such a night writes only its record: the fetch log of its requests.

Every Dask worker of a night imports this module: Prefect sends each task the flow it runs in, and the
flow travels by reference to its module. So the steps that need the warehouse, the checks and the site
(DuckDB, pandas, Arrow) are imported inside the functions that run them, in the flow's process only; at
the top they would cost each worker ~0.6 s of processor time and ~100 MB for nothing
(`tests/test_scale.py` unpickles the flow and its task as a worker does, and looks).
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import opaque

from nianbao.flows.events import publish_summary, run_id
from nianbao.flows.extract import ReadAhead
from nianbao.flows.parallel import shared_api, slots, task_runner
from nianbao.pipeline.catalog import load_catalog
from nianbao.pipeline.collector import full_collections_paused
from nianbao.pipeline.crawl import Crawl
from nianbao.pipeline.errors import NianbaoError
from nianbao.pipeline.extract import reader_version
from nianbao.pipeline.model import DocRef
from nianbao.pipeline.settings import Settings, load_settings
from nianbao.pipeline.summary import Summary


@dataclass
class RunSummary:
    """What a run did, for the CLI: the counts, every document's fate, and the rollup of each year."""

    warehouse: str
    summary: Summary
    outcomes: list[dict[str, Any]] = field(default_factory=list)
    rollups: dict[int, dict[str, Any]] = field(default_factory=dict)
    site: dict[str, Any] = field(default_factory=dict)  # the analysts' site: nianbao.site.publish's record


@flow(name="run", log_prints=False, task_runner=ThreadPoolTaskRunner(max_workers=4))  # type: ignore[arg-type]
def run_flow(
    catalog_path: str,
    warehouse: str | None = None,
    year: int | None = None,
    workers: int | None = None,
    dask_address: str | None = None,
) -> opaque:  # of a RunSummary
    """Discover, fetch, extract, check and load every report of the catalog, then refresh the snapshot.

    The summary comes back `opaque`: Prefect walks a flow's return value for futures, element by element,
    and this one holds every document's outcome and every year's rollup (0.2 s of a 4-second night with
    nothing new). `run` unwraps it.

    No full collection of the cyclic garbage collector runs during a night (`pipeline.collector`): in a
    process that has run nights before (`nianbao serve`, the benchmarks) one walks ~560,000 objects,
    ~0.3 s of a 2.5-second night with nothing new."""
    with full_collections_paused():
        return _night(catalog_path, warehouse, year, workers, dask_address)


def _night(
    catalog_path: str, warehouse: str | None, year: int | None, workers: int | None, dask_address: str | None
) -> opaque:
    from nianbao.flows.ingest import ingest_documents
    from nianbao.flows.nightly import crawl_task
    from nianbao.flows.refresh import refresh_warehouse, site_after_refresh
    from nianbao.warehouse.connect import open_for_reading, snapshot_path
    from nianbao.warehouse.lock import writing
    from nianbao.warehouse.nights import mark_readers
    from nianbao.warehouse.rollup import rollup

    settings = with_workers(load_settings(warehouse), workers, dask_address)
    rid = run_id()
    ahead = (
        ReadAhead(settings.raw_store, settings.reader, slots(settings))
        if settings.read_during_crawl
        else None
    )
    with ahead or nullcontext():  # new documents read as they land
        crawl = crawl_task(load_catalog(catalog_path), settings, rid, year, ahead.offer if ahead else None)
    refs = crawl.fetched()
    todo, readers = to_ingest(crawl, settings)
    results = ingest_documents(todo, settings, rid, sent=ahead.sent if ahead else ())
    if readers is not None:  # every fetched document has now been processed by these readers
        with writing(settings.warehouse, settings.lock_timeout_s) as con:
            mark_readers(con, readers)
    summary = crawl.summary.add(results)
    summary.title = "nianbao run"
    published = snapshot_path(settings.warehouse).exists()
    if results or not published:  # marts, rollups and snapshot once a night, and only if anything changed
        refresh_warehouse(settings, rid, force=not published)
    site = site_after_refresh(settings)  # rebuilt only if the snapshot was refreshed since it was built
    publish_summary(summary, "run-summary")
    out = RunSummary(warehouse=str(settings.warehouse), summary=summary, site=site)
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
    ingested = set(todo)
    for r in dict.fromkeys(refs):
        if r not in ingested:  # unchanged and processed before by these readers: skipped tonight
            out.outcomes.append(
                {
                    "agency": r.agency_id,
                    "year": r.year,
                    "status": "unchanged",
                    "document": r.sha256,
                    "error": None,
                    "checks": [],
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
    return opaque(out)


def readers_version(settings: Settings) -> str:
    """What a reading depends on besides the bytes: the readers' version and the read limits."""
    return f"{reader_version()}/{settings.reader.key()}"


def to_ingest(crawl: Crawl, settings: Settings) -> tuple[list[DocRef], str | None]:
    """The fetched documents a run must ingest, and the readers mark to set after (None: unchanged).

    New and changed documents always; an unchanged one only when its last ingest failed or never
    happened, or when the readers changed since the warehouse's documents were processed.
    """
    from nianbao.warehouse.lock import writing
    from nianbao.warehouse.nights import readers_mark, settled

    refs = crawl.fetched()
    fresh = set(crawl.announce())
    version = readers_version(settings)
    with writing(settings.warehouse, settings.lock_timeout_s) as con:
        done = settled(con)
        same = readers_mark(con) == version
    if not same:
        return refs, version
    return [r for r in refs if r in fresh or (r.sha256, r.agency_id, r.year) not in done], None


def with_workers(settings: Settings, workers: int | None, dask_address: str | None) -> Settings:
    """The settings with where extraction runs overridden (a command's --workers / --dask-address)."""
    if workers is not None:
        settings = replace(settings, workers=workers)
    if dask_address is not None:
        settings = replace(settings, dask_address=dask_address or None)
    return settings


def run(
    catalog_path: str | Path,
    warehouse: str | Path | None = None,
    year: int | None = None,
    *,
    workers: int | None = None,
    dask_address: str | None = None,
) -> RunSummary:
    """Run the flow in-process (Prefect starts a temporary local API if none is configured), extraction
    on the task runner that `workers` / `dask_address` (or the settings) name."""
    settings = with_workers(load_settings(warehouse), workers, dask_address)
    with shared_api():
        out = run_flow.with_options(task_runner=task_runner(settings))(
            str(catalog_path), None if warehouse is None else str(warehouse), year, workers, dask_address
        )
    return out.unwrap()
