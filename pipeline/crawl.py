"""A catalog's crawl: discover each agency's documents and fetch them, agencies in parallel threads.

Every body is kept in the raw store by its hash before anything parses it; every HTTP attempt is kept
(`attempt_rows` turns them into raw.fetch_log rows for the warehouse). Progress goes to the
`nianbao.progress` logger (`pipeline/progress.py`), one record per agency done; whoever runs the crawl
decides how to show it.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import threading
import time
from collections import deque
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
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

log = logging.getLogger(__name__)


@dataclass
class AgencyCrawl:
    """One agency's discovery and the fetch of each document found."""

    discovery: Discovery
    documents: list[tuple[Found, Got]] = field(default_factory=list)


Bodies = dict[str, tuple[int, str | None]]  # sha256 → (size, format told from the bytes)


@dataclass
class Crawl:
    """A whole catalog's crawl: per agency, every attempt made, the bodies received, and the summary.

    The documents' bytes are in the raw store, not here (`Got.data` is None for every document): a first
    night's bodies would otherwise be held in memory, or sent between processes, until the crawl ends."""

    agencies: list[AgencyCrawl]
    attempts: list[tuple[Attempt, str, Got | None]]
    summary: Summary
    # sha256 → (size, format told from the bytes) of every document body this crawl received (not those a
    # 304 left in the raw store: they were recorded when they came)
    bodies: Bodies = field(default_factory=dict)

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


def _bare(got: Got) -> Got:
    """The fetch without its body (which the raw store keeps under `got.sha256`)."""
    return got if got.data is None else replace(got, data=None)


def _received(c: AgencyCrawl) -> Bodies:
    """The bodies an agency's crawl received (not confirmed by a 304), by hash; its documents' bytes are
    then let go of."""
    out: Bodies = {}
    for _f, g in c.documents:
        if g.sha256 and g.data is not None and g.http_status != 304 and g.sha256 not in out:
            try:
                fmt: str | None = sniff(g.data)
            except ExtractError:
                fmt = None
            out[g.sha256] = (len(g.data), fmt)
    c.documents = [(f, _bare(g)) for f, g in c.documents]
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
        if found.how == "pictured":
            out.documents.append((found, _pictured(found, get, crawler)))
            continue
        origin: Origin = "catalog" if found.how == "explicit" else "web"
        out.documents.append((found, get(found.url, "document", origin)))
    return out


def _pictured(found: Found, get: Callable[[str, str, Origin], Got], crawler: Crawler) -> Got:
    """An article whose tables are pictures: the page (read by discovery) and each picture fetched
    (conditionally: a 304 brings the stored bytes), assembled into one web archive, the document of
    `found.url`. When a picture cannot be fetched the last archive made there stands (a site's bad night
    makes no new version of the report; the picture's failure is in the fetch log, and the next night asks
    again); with none before, the archive is made of what arrived and its reading says what is missing."""
    from nianbao.pipeline.extract.mhtml import write_mhtml

    assert found.via is not None

    def body(got: Got) -> bytes | None:  # what was received, or (after a 304) what the raw store keeps
        if got.state == "failed":
            return None
        return got.data if got.data is not None else crawler.store.get(got.sha256) if got.sha256 else None

    page = get(found.via, "target", "web")
    data = body(page)
    if data is None:  # discovery read it: only a raw store emptied meanwhile gets here
        return replace(page, url=found.url, role="document", state="failed", error_code="fetch_failed")
    pictures, missing = [], False
    for url in found.pictures:
        picture = body(get(url, "picture", "web"))
        if picture is not None:
            pictures.append((url, picture))
        else:
            missing = True
    last = crawler.known.get(found.url)
    if missing and last is not None and last.sha256 is not None and last.sha256 in crawler.store:
        return crawler.assembled(found.url, crawler.store.get(last.sha256))
    return crawler.assembled(found.url, write_mhtml(found.via, data, pictures))


def moved(got: Got, seen: Collection[str]) -> Got:
    """A body new at its URL but whose bytes were stored before is `moved`, not `new`: a document is its
    bytes (issue 16: the same site served at another address is not news)."""
    return replace(got, state="moved") if got.state == "new" and got.sha256 in seen else got


AGENCIES_PER_PROCESS = 32  # a crawl process is started for every this many agencies, up to `processes`
_CHUNK = 2  # agencies sent to a crawl process at a time, per thread of its own


class _Queue:
    """The catalog's agencies, handed out in order to whoever is free (the crawl's threads, the processes)."""

    def __init__(self, n: int) -> None:
        self._next = 0
        self._n = n
        self._lock = threading.Lock()

    def take(self, k: int) -> list[int]:
        with self._lock:
            out = list(range(self._next, min(self._n, self._next + k)))
            self._next += len(out)
            return out


def crawl_catalog(
    catalog: Catalog,
    crawler: Crawler,
    year: int | None = None,
    agencies_in_parallel: int = 4,
    seen: Collection[str] = frozenset(),
    processes: int = 1,
    agencies_per_process: int = AGENCIES_PER_PROCESS,
    on_bodies: Callable[[Bodies], None] | None = None,
) -> Crawl:
    """Discover and fetch every agency of a catalog, `agencies_in_parallel` at a time per process; `seen`
    holds the hashes of the documents stored before (those found at a new URL are `moved`).

    `on_bodies` hears, from whichever thread finished them, each agency's bodies received and stored as
    soon as its crawl is done (a crawl process's, when its chunk comes back): so that reading can start
    while the crawl goes on (`flows.extract.ReadAhead`). Every body of `Crawl.bodies` is told, once for
    each agency that received it.

    With `processes` > 1 (and a crawler whose limiter holds across processes, `politeness.HostGate`),
    up to `processes` − 1 crawl processes (one per `agencies_per_process` agencies) take agencies from the
    same queue as this process's threads. A crawl is processor-bound once its sites answer fast (a night
    with nothing new: ~1.4 ms of one core per conditional GET, discovery's parsing of the pages a 304
    confirmed included), and threads share one interpreter. A crawl process that dies leaves its
    agencies to this process; nothing is lost, some requests are made twice.
    """
    agencies = catalog.agencies
    out: list[AgencyCrawl | None] = [None] * len(agencies)
    bodies: Bodies = {}
    theirs: list[tuple[Attempt, str, Got | None]] = []
    queue = _Queue(len(agencies))
    lock = threading.Lock()
    done = 0

    def finish(i: int, c: AgencyCrawl, received: Bodies) -> None:
        nonlocal done
        with lock:
            out[i] = c
            for sha, b in received.items():
                bodies.setdefault(sha, b)
            done += 1
            n = done
        if on_bodies is not None and received:
            on_bodies(received)
        step(
            "%s: %d documents",
            c.discovery.agency_id,
            len(c.documents),
            done=n,
            total=len(agencies),
            unit="agencies",
        )

    def here(i: int) -> None:
        c = crawl_agency(agencies[i], crawler, year)
        finish(i, c, _received(c))

    def keep_taking() -> None:
        while i := queue.take(1):
            here(i[0])

    children = min(processes - 1, len(agencies) // max(1, agencies_per_process))
    if children > 0 and not crawler.limiter.across_processes:
        children = 0  # politeness would not hold across them (see `Crawler.recipe`)
    stage("crawl: discovering and fetching the reports of %d agencies", len(agencies))
    with ThreadPoolExecutor(max_workers=agencies_in_parallel + 1, thread_name_prefix="crawl") as pool:
        mine = [pool.submit(keep_taking) for _ in range(agencies_in_parallel)]
        if children:
            feeding = pool.submit(
                _feed, crawler.recipe(), agencies, queue, year, agencies_in_parallel, children, finish, here
            )
            theirs = feeding.result()
        for job in mine:
            job.result()
    crawls = [c for c in out if c is not None]
    for c in crawls:
        c.documents = [(f, moved(g, seen)) for f, g in c.documents]
    summary = Summary("nianbao nightly", agencies=len(agencies))
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
    attempts: list[tuple[Attempt, str, Got | None]] = []
    logged: set[tuple[str, int]] = set()
    for a, role, got in [*crawler.attempts, *theirs]:
        if (a.url, a.number) in logged:  # asked by two processes (agencies sharing a page): logged once
            continue
        logged.add((a.url, a.number))
        attempts.append((a, role, None if got is None else moved(_bare(got), seen)))
    return Crawl(crawls, attempts, summary, bodies)


def _feed(
    recipe: Callable[[], Crawler],
    agencies: Sequence[Agency],
    queue: _Queue,
    year: int | None,
    threads: int,
    children: int,
    finish: Callable[[int, AgencyCrawl, Bodies], None],
    here: Callable[[int], None],
) -> list[tuple[Attempt, str, Got | None]]:
    """Keep `children` crawl processes (each with a crawler made from `recipe`) busy with agencies from
    `queue`, two chunks each in flight; the attempts they made. When a crawl process dies (or none starts),
    the agencies it held are crawled `here` and the rest of the queue is left to this process's threads."""
    attempts: list[tuple[Attempt, str, Got | None]] = []
    size = _CHUNK * threads
    orphans: list[int] = []
    pool = ProcessPoolExecutor(
        children, mp_context=_crawl_processes(), initializer=_adopt, initargs=(recipe,)
    )

    def take(chunk: list[int], sent: Future[_Share]) -> None:
        """A chunk's answer: its agencies' crawls, or (its process died) the chunk left to this process."""
        try:
            crawls, theirs = sent.result()
        except BrokenProcessPool as e:
            log.warning("crawl: a crawl process died (%s); its agencies are crawled here", e)
            orphans.extend(chunk)
            return
        attempts.extend(theirs)
        for i, (c, received) in zip(chunk, crawls, strict=True):
            finish(i, c, received)

    with pool:
        flying: deque[tuple[list[int], Future[_Share]]] = deque()
        while not orphans:
            while len(flying) < 2 * children and (chunk := queue.take(size)):
                try:
                    flying.append(
                        (chunk, pool.submit(_crawl_share, [agencies[i] for i in chunk], year, threads))
                    )
                except (BrokenProcessPool, OSError) as e:
                    log.warning("crawl: no crawl process could take agencies (%s); crawling them here", e)
                    orphans.extend(chunk)
                    break
            if not flying:
                break
            take(*flying.popleft())
        while flying:  # after a death: what finished before it is kept, the rest is crawled here
            take(*flying.popleft())

    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="crawl") as rescue:
        list(rescue.map(here, orphans))
    return attempts


# a chunk's answer: each agency's crawl with the bodies it received, and the attempts made for them
_Share = tuple[list[tuple[AgencyCrawl, Bodies]], list[tuple[Attempt, str, Got | None]]]
_CRAWLER: Crawler | None = None  # a crawl process's crawler (`_adopt`)


def _crawl_processes() -> multiprocessing.context.SpawnContext:
    """Crawl processes are fresh interpreters (`spawn`): each imports the crawl (~0.3 s, while this
    process's threads crawl already) and takes everything from its recipe, nothing from its environment.

    Not forked from a preloaded server (`forkserver`), as they were: a process has one such server, and
    the Dask workers that read a night's documents need it more (`flows.parallel`: one import of Prefect
    instead of one per worker); a crawl that made it start with their modules waited for them on every
    night, a night with nothing new included."""
    return multiprocessing.get_context("spawn")


def _adopt(recipe: Callable[[], Crawler]) -> None:
    """A crawl process's start: its crawler, made once from the recipe the crawl sent."""
    global _CRAWLER
    _CRAWLER = recipe()
    atexit.register(_CRAWLER.close)


def _crawl_share(agencies: list[Agency], year: int | None, threads: int) -> _Share:
    """In a crawl process: crawl some agencies with this process's threads; their crawls, the attempts
    made for them and the bodies received, without the bytes (they are in the raw store)."""
    crawler = _CRAWLER
    assert crawler is not None, "a crawl process starts with _adopt"
    start = len(crawler.attempts)
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="crawl") as pool:
        crawls = list(pool.map(lambda a: crawl_agency(a, crawler, year), agencies))
    attempts = [(a, role, None if g is None else _bare(g)) for a, role, g in crawler.attempts[start:]]
    return [(c, _received(c)) for c in crawls], attempts


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
    pictured = {p: f for c in crawl.agencies for f, _g in c.documents for p in f.pictures}
    owner: dict[str, str] = {}
    for c in crawl.agencies:
        for url, _why in c.discovery.problems:
            owner.setdefault(url, c.discovery.agency_id)
    rows = []
    for attempt, role, got in crawl.attempts:
        f = where.get(attempt.url)
        part = pictured.get(attempt.url) if f is None else None  # a picture of a pictured article
        if part is not None:
            rows.append(attempt_row(run_id, attempt, role, got, part.agency_id, part.year, part.via))
            continue
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
