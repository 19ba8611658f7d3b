"""Issue 17: a crawl in several processes finds, fetches and logs what one process does, and loses nothing
when one of its processes dies.

The sample city is served on loopback; the crawl processes are real (forked from the crawl server, as a
night makes them) and share a `HostGate` folder with this one. Nothing here is timed.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from nianbao.demo.city import CITY_DIR
from nianbao.demo.server import SampleServer
from nianbao.pipeline.catalog import Catalog, load_catalog
from nianbao.pipeline.crawl import Bodies, Crawl, crawl_catalog
from nianbao.pipeline.fetch import Crawler, FetchPolicy, HostLimiter, Known
from nianbao.pipeline.politeness import HostGate
from nianbao.pipeline.rawstore import RawStore

from helpers import prefect_api_url, progress_records

POLICY = FetchPolicy(retries=1, timeout_s=10.0, backoff_s=0.01)


def crawl(
    catalog: Catalog,
    where: Path,
    processes: int,
    known: dict[str, Known] | None = None,
    limiter: HostLimiter | None = None,
    policy: FetchPolicy = POLICY,
    on_bodies: Callable[[Bodies], None] | None = None,
) -> Crawl:
    """The catalog crawled with a raw store and a gate folder under `where`; a crawl process per agency."""
    gate = limiter or HostGate(where / "hosts", policy.per_host)
    crawler = Crawler(catalog.allowed_hosts, RawStore(where / "raw"), known or {}, policy, gate)
    try:
        return crawl_catalog(
            catalog, crawler, processes=processes, agencies_per_process=1, on_bodies=on_bodies
        )
    finally:
        crawler.close()


def shape(c: Crawl) -> dict[str, Any]:
    """Everything a crawl tells the warehouse, in an order that does not depend on who crawled what."""
    return {
        "agencies": [
            (
                a.discovery.agency_id,
                a.discovery.listing_pages,
                sorted(a.discovery.problems),
                [(f, g.state, g.sha256, g.http_status, g.error_code) for f, g in a.documents],
            )
            for a in c.agencies
        ],
        "bodies": c.bodies,
        "attempts": sorted(
            (a.url, a.number, a.http_status, a.error_code, role, g.state if g else None)
            for a, role, g in c.attempts
        ),
        "summary": (c.summary.discovered, c.summary.fetched, c.summary.new, c.summary.unchanged),
    }


def knowledge(c: Crawl) -> dict[str, Known]:
    """What the fetch log would remember of a crawl: each URL's validators and body hash."""
    return {a.url: Known(g.etag, g.last_modified, g.sha256) for a, _role, g in c.attempts if g and g.sha256}


class ChildrenSeen(logging.Handler):
    """Counts, at each agency done, the crawl processes alive (the progress log is this process's)."""

    def __init__(self) -> None:
        super().__init__()
        self.most = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.most = max(self.most, len(multiprocessing.active_children()))


@pytest.fixture
def children_seen() -> Iterator[ChildrenSeen]:
    handler = ChildrenSeen()
    log = logging.getLogger("nianbao.progress")
    log.addHandler(handler)
    old = log.level
    log.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        log.removeHandler(handler)
        log.setLevel(old)


def test_two_processes_crawl_what_one_does_first_night_and_no_change_night(
    tmp_path: Path, children_seen: ChildrenSeen
) -> None:
    with SampleServer(CITY_DIR, lifetime_s=300) as srv:
        catalog = load_catalog(srv.write_catalog(tmp_path / "catalog.yaml"))
        one = crawl(catalog, tmp_path / "one", processes=1)
        assert children_seen.most == 0
        two = crawl(catalog, tmp_path / "two", processes=2)
        assert children_seen.most == 1  # a crawl process ran while agencies were done
        assert shape(two) == shape(one)
        assert len(one.bodies) > 100 and one.summary.fetched > 100
        # documents' bytes stay in the raw store, not in the crawl (nor travel between processes)
        assert all(g.data is None for a in two.agencies for _f, g in a.documents)
        assert all((tmp_path / "two" / "raw" / sha[:2] / sha).exists() for sha in two.bodies)

        again = crawl(catalog, tmp_path / "two", processes=2, known=knowledge(two))
    assert again.summary.fetched == 0 and again.bodies == {}
    documents = [g for a in again.agencies for _f, g in a.documents]
    assert {g.state for g in documents} == {"unchanged", "failed"}  # the sample plants broken downloads
    assert all(g.http_status == 304 for g in documents if g.state == "unchanged")
    assert len({(a.url, a.number) for a, _r, _g in again.attempts}) == len(again.attempts)


@pytest.mark.parametrize("processes", [1, 2])
def test_a_crawl_tells_each_body_it_stores_as_it_goes_and_nothing_on_a_night_without_news(
    tmp_path: Path, processes: int
) -> None:
    """What a run reads while the crawl goes on: each body is told once it is in the raw store, before the
    crawl ends, whichever process fetched it; a crawl that receives nothing tells nothing."""
    told: list[tuple[str, tuple[int, str | None], bool, int]] = []
    with progress_records() as records, SampleServer(CITY_DIR, lifetime_s=300) as srv:

        def hear(bodies: Bodies) -> None:
            agencies_done = sum(getattr(r, "unit", None) == "agencies" for r in records)
            for sha, b in bodies.items():
                told.append((sha, b, (tmp_path / "raw" / sha[:2] / sha).exists(), agencies_done))

        catalog = load_catalog(srv.write_catalog(tmp_path / "catalog.yaml"))
        first = crawl(catalog, tmp_path, processes=processes, on_bodies=hear)
        heard = len(told)
        again = crawl(catalog, tmp_path, processes=processes, known=knowledge(first), on_bodies=hear)
    assert {sha: b for sha, b, _stored, _at in told} == first.bodies and len(first.bodies) > 100
    assert all(stored for _sha, _b, stored, _at in told)
    # told as the agencies finished, not all at the end: the first before the last agency was done
    assert told[0][3] < len(catalog.agencies) - 1
    assert again.bodies == {} and len(told) == heard


def test_a_limiter_that_counts_in_one_process_keeps_the_crawl_in_one_process(
    tmp_path: Path, children_seen: ChildrenSeen
) -> None:
    crawler = Crawler(["127.0.0.1"], RawStore(tmp_path / "raw"), {}, POLICY, HostLimiter(2))
    with pytest.raises(ValueError, match="HostGate"):
        crawler.recipe()
    crawler.close()
    with SampleServer(CITY_DIR, lifetime_s=120) as srv:
        catalog = load_catalog(srv.write_catalog(tmp_path / "catalog.yaml"))
        done = crawl(catalog, tmp_path, processes=4, limiter=HostLimiter(2))
    assert children_seen.most == 0 and done.summary.fetched > 100


class Spaced(HostGate):
    """A gate of a kind of its own (as a deployment might subclass it)."""


@pytest.mark.parametrize("kind", [HostGate, Spaced])
def test_a_gate_sent_to_another_process_is_the_same_gate(tmp_path: Path, kind: type[HostGate]) -> None:
    gate = kind(tmp_path / "hosts", 3, 0.25)
    copy = pickle.loads(pickle.dumps(gate))
    assert (copy.root, copy.per_host, copy.interval_s) == (tmp_path / "hosts", 3, 0.25)
    assert type(copy) is kind and copy.across_processes and copy is not gate


def test_the_prefect_gate_sent_to_another_process_is_the_same_gate() -> None:
    from nianbao.flows.politeness import PrefectHostGate

    gate = PrefectHostGate("http://127.0.0.1:4200/api", 3, 0.25, 400)
    copy = pickle.loads(pickle.dumps(gate))
    assert (copy.api_url, copy.per_host, copy.interval_s, copy.lease_s) == (gate.api_url, 3, 0.25, 400)
    assert copy.across_processes and copy is not gate


@pytest.mark.slow  # the crawl processes import Prefect; every request asks the server (~10 s)
def test_two_processes_crawl_through_the_prefect_servers_limits_what_one_does_through_files(
    tmp_path: Path, children_seen: ChildrenSeen, prefect_harness: None
) -> None:
    """NIANBAO_HOST_LIMITS=prefect: the crawl processes take each request's slot from the Prefect server
    (the test session's real API) and give it back; the crawl is the one the lock files give."""
    from prefect.client.orchestration import get_client

    from nianbao.flows.politeness import PrefectHostGate, limit_name

    with SampleServer(CITY_DIR, lifetime_s=300) as srv:
        catalog = load_catalog(srv.write_catalog(tmp_path / "catalog.yaml"))
        one = crawl(catalog, tmp_path / "one", processes=1)
        gate = PrefectHostGate(prefect_api_url(), POLICY.per_host)
        two = crawl(catalog, tmp_path / "two", processes=2, limiter=gate)
        assert children_seen.most == 1
        with get_client(sync_client=True) as client:
            kept = client.read_global_concurrency_limit_by_name(limit_name(srv.base_url.split("/")[2]))
    assert shape(two) == shape(one)
    assert (kept.limit, kept.active_slots) == (POLICY.per_host, 0)
    assert not (tmp_path / "two" / "hosts").exists()


@pytest.mark.slow  # every request held 50 ms so that the kill lands mid-crawl (~5 s)
def test_a_crawl_process_killed_mid_crawl_loses_nothing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    killed: list[int] = []

    def killer(stop: threading.Event) -> None:
        while not stop.is_set():
            alive = multiprocessing.active_children()
            if alive:
                time.sleep(1.0)  # started, and given a chunk of agencies to crawl
                for p in multiprocessing.active_children():
                    assert p.pid is not None
                    os.kill(p.pid, signal.SIGKILL)
                    killed.append(p.pid)
                return
            time.sleep(0.01)

    with SampleServer(CITY_DIR, lifetime_s=300) as srv, caplog.at_level(logging.WARNING):
        catalog = load_catalog(srv.write_catalog(tmp_path / "catalog.yaml"))
        reference = crawl(catalog, tmp_path / "reference", processes=1)
        srv.faults.slow = {"*": 0.05}  # every answer held, so that the kill lands mid-crawl
        stop = threading.Event()
        watcher = threading.Thread(target=killer, args=(stop,), daemon=True)
        watcher.start()
        try:
            survived = crawl(catalog, tmp_path / "killed", processes=2)
        finally:
            stop.set()
            watcher.join()
    assert killed, "the crawl ended before its process could be killed"
    assert any("a crawl process died" in r.getMessage() for r in caplog.records)
    assert shape(survived)["agencies"] == shape(reference)["agencies"]
    assert survived.bodies == reference.bodies
    assert len({(a.url, a.number) for a, _r, _g in survived.attempts}) == len(survived.attempts)
