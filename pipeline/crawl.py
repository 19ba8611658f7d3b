"""A catalog's crawl: discover each agency's documents and fetch them, agencies in parallel threads.

Every body is kept in the raw store by its hash before anything parses it; every HTTP attempt is kept
(`attempt_rows` turns them into raw.fetch_log rows for the warehouse). Progress goes to the
`nianbao.progress` logger (`pipeline/progress.py`), one record per agency done; whoever runs the crawl
decides how to show it.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

from nianbao.pipeline.catalog import Agency, Catalog
from nianbao.pipeline.errors import ExtractError
from nianbao.pipeline.extract import sniff
from nianbao.pipeline.fetch import Attempt, Crawler, Got
from nianbao.pipeline.model import DocRef
from nianbao.pipeline.progress import stage, step
from nianbao.pipeline.sources.discover import Discovery, Found, discover_agency
from nianbao.pipeline.summary import Summary
from nianbao.pipeline.urlpolicy import Origin


@dataclass
class AgencyCrawl:
    """One agency's discovery and the fetch of each document found."""

    discovery: Discovery
    documents: list[tuple[Found, Got]] = field(default_factory=list)


@dataclass
class Crawl:
    """A whole catalog's crawl: per agency, every attempt made, and the summary of it."""

    agencies: list[AgencyCrawl]
    attempts: list[tuple[Attempt, str, Got | None]]
    summary: Summary

    def fetched(self) -> list[DocRef]:
        """Every document fetched (new, changed or unchanged), as ingest input."""
        return [
            DocRef(f.agency_id, f.year, f.url, g.sha256, f.via)
            for a in self.agencies
            for f, g in a.documents
            if g.sha256 and g.state != "failed"
        ]

    def announce(self) -> list[DocRef]:
        """The new and changed documents: what a night announces for ingest."""
        return [
            DocRef(f.agency_id, f.year, f.url, g.sha256, f.via)
            for a in self.agencies
            for f, g in a.documents
            if g.sha256 and g.state in ("new", "changed")
        ]

    def stored(self) -> dict[str, tuple[int, str | None]]:
        """sha256 → (size, format told from the bytes) of every body this crawl received."""
        out: dict[str, tuple[int, str | None]] = {}
        for a in self.agencies:
            for _f, g in a.documents:
                if g.sha256 and g.data is not None and g.sha256 not in out:
                    try:
                        fmt: str | None = sniff(g.data)
                    except ExtractError:
                        fmt = None
                    out[g.sha256] = (len(g.data), fmt)
        return out


def crawl_agency(agency: Agency, crawler: Crawler, year: int | None = None) -> AgencyCrawl:
    """Discover an agency's documents and fetch each (conditionally), all within the agency's crawl budget.

    Only the catalog's own URLs (the index page, explicit reports) are fetched as `catalog`; whatever a
    page links to is `web`. Once the budget (`FetchPolicy.agency_deadline_s`) is spent, the agency's
    remaining fetches are refused without a request, so one site cannot hold a run.
    """
    not_after = time.monotonic() + crawler.policy.agency_deadline_s

    def get(url: str, role: str, origin: Origin) -> Got:
        return crawler.get(url, role, origin, not_after=not_after)

    discovery = discover_agency(agency, get, year=year)
    out = AgencyCrawl(discovery)
    for found in discovery.documents:
        origin: Origin = "catalog" if found.how == "explicit" else "web"
        out.documents.append((found, get(found.url, "document", origin)))
    return out


def moved(got: Got, seen: Collection[str]) -> Got:
    """A body new at its URL but whose bytes were stored before is `moved`, not `new`: a document is its
    bytes (issue 16: the same site served at another address is not news)."""
    return replace(got, state="moved") if got.state == "new" and got.sha256 in seen else got


def crawl_catalog(
    catalog: Catalog,
    crawler: Crawler,
    year: int | None = None,
    agencies_in_parallel: int = 4,
    seen: Collection[str] = frozenset(),
) -> Crawl:
    """Discover and fetch every agency of a catalog, `agencies_in_parallel` at a time; `seen` holds the
    hashes of the documents stored before (those found at a new URL are `moved`)."""
    summary = Summary("nianbao nightly", agencies=len(catalog.agencies))
    crawls: list[AgencyCrawl] = []
    stage("crawl: discovering and fetching the reports of %d agencies", len(catalog.agencies))
    with ThreadPoolExecutor(max_workers=agencies_in_parallel, thread_name_prefix="crawl") as pool:
        for n, c in enumerate(pool.map(lambda a: crawl_agency(a, crawler, year), catalog.agencies), 1):
            crawls.append(c)
            step(
                "%s: %d documents",
                c.discovery.agency_id,
                len(c.documents),
                done=n,
                total=len(catalog.agencies),
                unit="agencies",
            )
    for c in crawls:
        c.documents = [(f, moved(g, seen)) for f, g in c.documents]
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
            summary.moved += g.state == "moved"
            summary.new += g.state == "new"
            summary.changed_docs += g.state == "changed"
    attempts = [(a, role, None if g is None else moved(g, seen)) for a, role, g in crawler.attempts]
    return Crawl(crawls, attempts, summary)


def attempt_row(
    run_id: str,
    a: Attempt,
    role: str,
    got: Got | None,
    agency_id: str | None,
    year: int | None,
    via: str | None,
) -> dict[str, Any]:
    """One raw.fetch_log row for an attempt (the final attempt carries the fetch's outcome)."""
    if a.error_code:
        status = "failed" if a.final else "retry"
    else:
        status = "not_modified" if a.http_status == 304 else "ok"
    return {
        "attempt_id": f"{run_id}:{a.url}:{a.number}",
        "run_id": run_id,
        "agency_id": agency_id,
        "year": year,
        "url": a.url,
        "status": status,
        "http_status": a.http_status,
        "size_bytes": a.size,
        "sha256": got.sha256 if got else None,
        "error_code": a.error_code,
        "error": a.error,
        "fetched_at": a.at,
        "etag": got.etag if got else None,
        "last_modified": got.last_modified if got else None,
        "attempt": a.number,
        "role": role,
        "via": via,
        "doc_state": got.state if got else None,
    }


def attempt_rows(run_id: str, crawl: Crawl) -> list[dict[str, Any]]:
    """Every attempt of a crawl as a raw.fetch_log row, each named by the agency-year it was for."""
    where: dict[str, Found] = {f.url: f for c in crawl.agencies for f, _g in c.documents}
    owner: dict[str, str] = {}
    for c in crawl.agencies:
        for url, _why in c.discovery.problems:
            owner.setdefault(url, c.discovery.agency_id)
    rows = []
    for attempt, role, got in crawl.attempts:
        f = where.get(attempt.url)
        rows.append(
            attempt_row(
                run_id,
                attempt,
                "document" if f else role,
                got,
                f.agency_id if f else owner.get(attempt.url),
                f.year if f else None,
                f.via if f else None,
            )
        )
    return rows


@dataclass
class Refetched:
    """What refetching failed documents gave: the documents that arrived, and the ones that failed again."""

    refs: list[DocRef] = field(default_factory=list)
    failed: list[tuple[dict[str, Any], str]] = field(default_factory=list)  # (the failed row, error code)


def refetch(
    failed: list[dict[str, Any]], crawler: Crawler, catalog_urls: frozenset[str] = frozenset()
) -> Refetched:
    """Fetch again, unconditionally, each document whose last fetch failed (rows of `read.failed_documents`).

    `catalog_urls` are the catalog's explicit report URLs: the only ones refetched as the catalog's own.
    """
    out = Refetched()
    for t in failed:
        # what the log remembers was named by a page unless the catalog lists it: only the catalog names files
        origin: Origin = "catalog" if t["url"] in catalog_urls else "web"
        got = crawler.get(t["url"], "document", origin, conditional=False)
        if got.sha256 and got.state != "failed":
            out.refs.append(DocRef(t["agency_id"], t["year"], t["url"], got.sha256, t["via"]))
        else:
            out.failed.append((t, got.error_code or "fetch_failed"))
    return out


def refetch_rows(
    run_id: str, failed: list[dict[str, Any]], attempts: list[tuple[Attempt, str, Got | None]]
) -> list[dict[str, Any]]:
    """The raw.fetch_log rows of a refetch, each named by the agency-year of its document."""
    by_url = {t["url"]: t for t in failed}
    rows = []
    for a, role, got in attempts:
        t = by_url.get(a.url)
        rows.append(
            attempt_row(
                run_id,
                a,
                role,
                got,
                t["agency_id"] if t else None,
                t["year"] if t else None,
                t["via"] if t else None,
            )
        )
    return rows
