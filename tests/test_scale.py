"""Issue 17: extraction on Dask gives the warehouse the single-process path gives; a worker killed in the
middle of a night loses nothing; a night in which nothing changed fetches no body, reads nothing, loads
nothing and leaves the snapshot alone. Real Prefect (test harness), real Dask clusters on loopback, real
DuckDB files, the sample city served over HTTP. Nothing here is timed: speed is `benchmarks/scale.py`'s.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import duckdb
import pytest

from helpers import rows, sub_catalog

AGENCIES = ["hz-szf", "hz-fgw", "hz-jyj", "hz-kjj", "hz-jxj", "hz-mzj", "hz-sfj"]


def _night(
    catalog: Path,
    wh: Path,
    monkeypatch: pytest.MonkeyPatch,
    *,
    memory_mb: int,
    workers: int | None = None,
    dask_address: str | None = None,
) -> Any:
    """One `nianbao run` of the catalog. The reader memory cap is part of the extraction cache key, so a
    cap of its own keeps a run from reusing another run's extractions."""
    from nianbao.flows.run import run

    monkeypatch.setenv("NIANBAO_READER_MEMORY_MB", str(memory_mb))
    monkeypatch.setenv("NIANBAO_RAW_STORE", str(wh.parent.parent / "raw"))  # one raw store for the test
    monkeypatch.setenv("NIANBAO_DATA_DOCS", "")
    return run(catalog, wh, workers=workers, dask_address=dask_address)


TABLES = (
    "staging.reports",
    "staging.findings",
    "curated.fct_applications",
    "curated.fct_proactive",
    "curated.fct_review_litigation",
    "raw.documents",
    "curated.dim_agency",
    "marts.applications_by_year",
)


def _dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """The warehouse's contents, less when things happened (timestamps differ from run to run)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        out = {}
        for table in TABLES:
            cols = [
                f'"{name}"'
                for name, kind, *_ in con.execute(f"describe {table}").fetchall()
                if not str(kind).startswith("TIMESTAMP")
            ]
            out[table] = sorted(con.execute(f"select {', '.join(cols)} from {table}").fetchall(), key=repr)
        return out
    finally:
        con.close()


def _same(a: dict[str, list[tuple[Any, ...]]], b: dict[str, list[tuple[Any, ...]]]) -> None:
    """Two warehouse dumps are equal (on failure: the first rows that differ, table by table)."""
    diff = {
        t: (sorted(set(a[t]) - set(b[t]))[:2], sorted(set(b[t]) - set(a[t]))[:2]) for t in a if a[t] != b[t]
    }
    assert not diff, diff


@pytest.mark.slow
def test_dask_and_threads_give_the_same_warehouse_and_a_quiet_night_reads_nothing(
    tmp_path: Path, prefect_harness: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nianbao.demo.city import CITY_DIR
    from nianbao.demo.server import SampleServer
    from nianbao.warehouse.connect import snapshot_path

    threads, dask = tmp_path / "threads" / "n.duckdb", tmp_path / "dask" / "n.duckdb"
    with SampleServer(CITY_DIR, lifetime_s=900) as server:
        catalog = sub_catalog(server, tmp_path / "catalog.yaml", AGENCIES)
        single = _night(catalog, threads, monkeypatch, memory_mb=1021, workers=0)
        start = len(server.requests)
        parallel = _night(catalog, dask, monkeypatch, memory_mb=1022, workers=2)
        first = {target: status for _method, target, status in server.requests[start:]}
        assert single.summary.discovered == parallel.summary.discovered > 20
        assert parallel.summary.loaded > 15
        _same(_dump(threads), _dump(dask))

        snapshot = snapshot_path(dask)
        stamp = snapshot.stat().st_mtime_ns
        before = len(server.requests)
        reports = rows(dask, "select * exclude (extracted_at) from staging.reports order by all")
        refreshes = rows(dask, "select count(*) from raw.refresh_log")
        quiet = _night(catalog, dask, monkeypatch, memory_mb=1022, workers=2)
        tonight = server.requests[before:]

    # one request per page and per known document (listing pages, article pages, documents), each
    # answered 304 (no body) but for what the sample city fails on purpose every night
    targets = [target for _method, target, _status in tonight]
    assert len(targets) == len(set(targets)) == len(first)
    assert quiet.summary.listing_pages + quiet.summary.discovered <= len(targets)
    for _method, target, status in tonight:
        assert status == 304 or status == first[target] >= 400, (target, status)
    assert quiet.summary.fetched == 0
    assert quiet.summary.unchanged == quiet.summary.discovered - quiet.summary.fetch_failed
    # nothing read, checked or loaded; marts and snapshot left as they were
    assert {o["status"] for o in quiet.outcomes} == {"unchanged", "fetch_failed"}  # hz-kjj 2023: a 404
    assert (quiet.summary.loaded, quiet.summary.quarantined, quiet.summary.unreadable) == (0, 0, 0)
    run_ids = rows(dask, "select distinct run_id from raw.fetch_log")
    assert len(run_ids) == 2  # tonight's record is its fetch log
    assert rows(dask, "select count(distinct run_id) from raw.ingest_log") == [(1,)]
    assert rows(dask, "select * exclude (extracted_at) from staging.reports order by all") == reports
    assert rows(dask, "select count(*) from raw.refresh_log") == refreshes
    assert snapshot.stat().st_mtime_ns == stamp


@pytest.mark.slow
def test_a_worker_killed_mid_night_loses_nothing(
    tmp_path: Path, prefect_harness: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Dask worker process killed (SIGKILL) while it extracts: Dask hands its batches to another worker,
    every document is loaded exactly once, and the warehouse is the one an undisturbed run makes."""
    from distributed import Client, LocalCluster

    from nianbao.demo.city import CITY_DIR
    from nianbao.demo.server import SampleServer

    killed: list[tuple[str, int, int]] = []

    def kill_one_busy_worker(client: Client, stop: threading.Event) -> None:
        """Once a worker is busy with an extraction, kill it (only once)."""
        while not stop.is_set():
            busy = {w: n for w, n in client.processing().items() if n}
            if busy:
                time.sleep(0.3)  # into the batch, not before it
                pids = client.run(os.getpid)
                victim = next((w for w in busy if w in pids), None)
                if victim is not None:
                    os.kill(pids[victim], signal.SIGKILL)
                    killed.append((victim, pids[victim], busy[victim]))
                    return
            time.sleep(0.05)

    wh, reference = tmp_path / "killed" / "n.duckdb", tmp_path / "reference" / "n.duckdb"
    with (
        SampleServer(CITY_DIR, lifetime_s=900) as server,
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,  # type: ignore[no-untyped-call]
        Client(cluster) as client,  # type: ignore[no-untyped-call]
    ):
        catalog = sub_catalog(server, tmp_path / "catalog.yaml", AGENCIES)
        stop = threading.Event()
        killer = threading.Thread(target=kill_one_busy_worker, args=(client, stop), daemon=True)
        killer.start()
        try:
            night = _night(catalog, wh, monkeypatch, memory_mb=1023, dask_address=cluster.scheduler_address)
        finally:
            stop.set()
            killer.join(timeout=30)
        imported = client.run(lambda: list(sys.modules))  # the workers that read tonight
        undisturbed = _night(catalog, reference, monkeypatch, memory_mb=1023, workers=0)

    assert killed, "no worker was busy long enough to be killed: the test proved nothing"
    assert imported and [_heavy(modules) for modules in imported.values()] == [[]] * len(imported)
    fetched = {(o["document"], o["agency"], o["year"]) for o in night.outcomes if o["document"]}
    logged = rows(wh, "select sha256, agency_id, year, count(*) from raw.ingest_log group by all")
    assert {(s, a, y) for s, a, y, _n in logged} == fetched
    assert {n for *_key, n in logged} == {1}  # each document once
    assert not [o for o in night.outcomes if o["status"] == "failed"]
    assert night.summary.loaded == undisturbed.summary.loaded > 15
    _same(_dump(wh), _dump(reference))


def test_pending_is_what_was_fetched_and_not_yet_ingested(tmp_path: Path) -> None:
    """The event path's drain (issue 17): after a crawl every fetched document is pending; once some are
    ingested only the others are; a nightly announces the unchanged ones that were never ingested."""
    from nianbao.demo.city import CITY_DIR
    from nianbao.demo.server import SampleServer
    from nianbao.flows.ingest import ingest_documents
    from nianbao.flows.nightly import crawl_and_record, to_announce
    from nianbao.pipeline.catalog import load_catalog
    from nianbao.warehouse.lock import writing
    from nianbao.warehouse.nights import pending

    from helpers import settings_for

    wh = tmp_path / "wh" / "n.duckdb"
    settings = settings_for(wh, tmp_path / "raw")
    with SampleServer(CITY_DIR, lifetime_s=300) as server:
        catalog = load_catalog(sub_catalog(server, tmp_path / "c.yaml", ["hz-fgw", "hz-szf"]))
        crawl = crawl_and_record(catalog, settings, "night-1")
        fetched = list(dict.fromkeys(crawl.fetched()))
        with writing(wh) as con:
            assert sorted(pending(con), key=repr) == sorted(fetched, key=repr)
        ingest_documents(fetched[:3], settings, "ingest-1", prefect=False)
        with writing(wh) as con:
            assert sorted(pending(con), key=repr) == sorted(fetched[3:], key=repr)
        quiet = crawl_and_record(catalog, settings, "night-2")
    assert quiet.announce() == []  # nothing new or changed …
    assert sorted(to_announce(quiet, settings), key=repr) == sorted(fetched[3:], key=repr)  # … but these wait


def test_run_and_serve_take_workers_and_a_dask_address() -> None:
    from helpers import nianbao

    for command in ("run", "serve"):
        out = nianbao(command, "--help")
        assert out.returncode == 0
        assert "--workers" in out.stdout and "--dask-address" in out.stdout


@pytest.mark.slow
def test_cli_run_on_one_dask_worker(tmp_path: Path, prefect_harness: None) -> None:
    """`nianbao run --workers 1` as typed: a local cluster of one worker process extracts, the run loads."""
    from nianbao.demo.city import CITY_DIR
    from nianbao.demo.server import SampleServer

    from helpers import nianbao

    wh = tmp_path / "wh" / "n.duckdb"
    with SampleServer(CITY_DIR, lifetime_s=300) as server:
        catalog = sub_catalog(server, tmp_path / "c.yaml", ["hz-fgw"])
        out = nianbao(
            "run", "--catalog", str(catalog), "--warehouse", str(wh), "--workers", "1",
            env={"NIANBAO_RAW_STORE": str(tmp_path / "raw"), "NIANBAO_DATA_DOCS": ""},
        )  # fmt: skip
    assert out.returncode == 0, out.stderr[-3000:]
    assert rows(wh, "select count(*) from staging.reports where status = 'loaded'")[0][0] >= 4
    assert "distributed." not in out.stderr  # the cluster's own INFO logging stays quiet


@pytest.mark.slow
def test_a_cluster_started_with_the_dask_commands_reads_a_cli_run(
    tmp_path: Path, prefect_harness: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The province's deployment as docs/scaling.md gives it: `dask scheduler` and `dask worker` started
    as commands, in an environment with none of the run's settings (no PREFECT_*, no NIANBAO_*), and
    `nianbao run --dask-address` as typed. The cluster's workers read (their modules say so: the run has
    no other place to read with an address given) and the warehouse is the one the single-process path
    makes."""
    from distributed import Client

    from nianbao.demo.city import CITY_DIR
    from nianbao.demo.server import SampleServer

    from helpers import free_port, nianbao, stop_process

    dask = Path(sys.executable).parent / "dask"
    address = f"tcp://127.0.0.1:{free_port()}"
    theirs = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "NIANBAO_"))}
    log = (tmp_path / "cluster.log").open("w")
    started = [
        subprocess.Popen(command, env=theirs, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT)
        for command in (
            [dask, "scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1], "--no-dashboard"],
            [
                dask, "worker", address, "--nworkers", "2", "--nthreads", "1", "--memory-limit", "1GiB",
                "--no-dashboard", "--local-directory", str(tmp_path / "scratch"),
            ],
        )
    ]  # fmt: skip
    wh, reference = tmp_path / "cluster" / "n.duckdb", tmp_path / "reference" / "n.duckdb"
    try:
        with Client(address, timeout=120) as client:  # type: ignore[no-untyped-call]
            client.wait_for_workers(2, timeout=120)
            with SampleServer(CITY_DIR, lifetime_s=600) as server:
                catalog = sub_catalog(server, tmp_path / "c.yaml", AGENCIES[:3])
                out = nianbao(
                    "run", "--catalog", str(catalog), "--warehouse", str(wh), "--dask-address", address,
                    env={"NIANBAO_RAW_STORE": str(tmp_path / "raw"), "NIANBAO_DATA_DOCS": "",
                         "NIANBAO_READER_MEMORY_MB": "1019", "NIANBAO_SITE": ""},
                )  # fmt: skip
                assert out.returncode == 0, out.stderr[-3000:]
                imported = client.run(lambda: list(sys.modules))
                undisturbed = _night(catalog, reference, monkeypatch, memory_mb=1019, workers=0)
    finally:
        for p in reversed(started):  # the workers first, then the scheduler
            stop_process(p, timeout=60)
        log.close()

    assert len(imported) == 2
    read_there = [m for m in imported.values() if "nianbao.flows.extract" in m]
    assert read_there, (tmp_path / "cluster.log").read_text()[-3000:]  # the cluster's workers read
    assert [_heavy(modules) for modules in imported.values()] == [[], []]
    assert undisturbed.summary.loaded > 10
    _same(_dump(wh), _dump(reference))


# what the warehouse, the checks and the site bring; a worker that reads needs none of them
HEAVY = (
    "duckdb",
    "pandas",
    "pyarrow",
    "great_expectations",
    "nianbao.warehouse",
    "nianbao.expectations",
    "nianbao.site",
)


def _heavy(modules: Any) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY or ".".join(m.split(".")[:2]) in HEAVY)


def test_what_a_dask_worker_imports_to_read_is_neither_the_warehouse_nor_the_checks() -> None:
    """A worker unpickles the extraction task and, in the context it runs in, the flow that sent it,
    which travels by reference to its module: the modules of `run` and `ingest` (and of the task) must
    not bring DuckDB, pandas, Arrow, the warehouse, the checks or the site with them (~0.6 s of
    processor time and ~100 MB per worker, for nothing)."""
    import cloudpickle

    from nianbao.flows.extract import extract_batch
    from nianbao.flows.ingest import ingest
    from nianbao.flows.run import run_flow

    payload = cloudpickle.dumps((extract_batch, run_flow, ingest))
    code = "import pickle, sys; pickle.loads(sys.stdin.buffer.read()); print(' '.join(sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], input=payload, capture_output=True, check=True, timeout=300
    )
    loaded = out.stdout.decode().split()
    assert {"nianbao.flows.extract", "nianbao.flows.run", "nianbao.flows.ingest"} <= set(loaded)
    assert _heavy(loaded) == []


def test_what_the_workers_server_imports_starts_no_thread_and_is_neither_warehouse_nor_checks() -> None:
    """The modules the local cluster's fork server imports before forking each worker (`WORKER_PRELOAD`):
    forking is safe only from a process running no other thread, and a reader's worker needs neither the
    warehouse nor the checks."""
    from nianbao.flows.parallel import WORKER_PRELOAD

    code = (
        "import importlib, sys, threading\n"
        "for m in sys.argv[1:]: importlib.import_module(m)\n"
        "print(threading.active_count(), ' '.join(sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, *WORKER_PRELOAD], capture_output=True, text=True, check=True, timeout=300
    )
    threads, modules = out.stdout.split(" ", 1)
    assert threads == "1"
    assert set(WORKER_PRELOAD) <= set(modules.split())
    assert _heavy(modules.split()) == []


def test_local_workers_are_forked_with_what_they_need_imported_already() -> None:
    """`start_local_cluster`'s workers are forked from the process's fork server, which imported Prefect,
    Dask's worker and the flow's modules once (`WORKER_PRELOAD`): before any task has reached them, both
    workers have those modules, and their parent is that server, not a nanny's fresh interpreter (each
    of which spent ~3.5 s of processor time importing them on a 2-worker night)."""
    from distributed import Client

    from nianbao.flows.parallel import WORKER_PRELOAD, _local, start_local_cluster
    from nianbao.pipeline.settings import load_settings

    def probe() -> tuple[str, list[str]]:
        import psutil

        parent = psutil.Process().parent()
        return " ".join(parent.cmdline() if parent else []), sorted(
            m for m in WORKER_PRELOAD if m in sys.modules
        )

    settings = load_settings(None)
    kwargs = {**_local(settings), "n_workers": 2, "memory_limit": "1GiB"}
    with start_local_cluster(**kwargs) as cluster, Client(cluster) as client:  # type: ignore[no-untyped-call]
        seen = client.run(probe)
    assert len(seen) == 2
    for parent, modules in seen.values():
        assert "multiprocessing.forkserver" in parent, parent
        assert modules == sorted(WORKER_PRELOAD)


def test_prefect_never_walks_the_readings_it_hands_to_the_load(
    tmp_path: Path, prefect_harness: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The load task's parameter is every reading of the night. Prefect walks a task's parameters element by
    element (looking for futures) unless they are quoted: on a 1,000-report night that walk cost longer
    than a second core saves (150 ms a document: the 2-worker speed-up was 1.37). A spy on Prefect's own
    walker counts the readings it is handed; the load must still load them."""
    import prefect.task_engine
    import prefect.utilities.engine
    from prefect import flow

    from nianbao.flows.ingest import ingest_documents
    from nianbao.pipeline.model import DocRef, Report
    from nianbao.pipeline.rawstore import RawStore

    from helpers import EXAMPLE_TXT, settings_for

    walked: list[object] = []
    real = prefect.utilities.collections.visit_collection

    def spy(expr: Any, visit_fn: Any, *args: Any, **kwargs: Any) -> Any:
        def counting(e: Any, *a: Any, **k: Any) -> Any:
            if isinstance(e, Report):
                walked.append(e)
            return visit_fn(e, *a, **k)

        return real(expr, counting, *args, **kwargs)

    monkeypatch.setattr(prefect.task_engine, "visit_collection", spy)
    monkeypatch.setattr(prefect.utilities.engine, "visit_collection", spy)

    wh, raw = tmp_path / "wh" / "nianbao.duckdb", tmp_path / "raw"
    settings = settings_for(wh, raw)
    sha = RawStore(raw).put(EXAMPLE_TXT.read_bytes())
    refs = [DocRef("hz-yjglj", 2020, "http://127.0.0.1/a.txt", sha)]

    @flow
    def night() -> list[Any]:
        return ingest_documents(refs, settings, "run-walk")

    results = night()
    assert [r.status for r in results] == ["loaded"]
    assert walked == []


@pytest.mark.slow
def test_prefect_never_walks_a_runs_summary(
    tmp_path: Path, example_text: str, prefect_harness: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`nianbao run`'s flow returns every document's outcome and every year's rollup. Prefect walks a flow's
    return value element by element looking for futures (0.2 s of a night with nothing new, on 1,130
    documents) unless it is `opaque`; `run` still hands the summary back whole."""
    import prefect.futures

    from nianbao.demo.server import SampleServer
    from nianbao.flows.run import run

    walked: list[object] = []
    real = prefect.futures.visit_collection

    def spy(expr: Any, visit_fn: Any, *args: Any, **kwargs: Any) -> Any:
        def counting(e: Any, *a: Any, **k: Any) -> Any:
            if isinstance(e, dict) and "status" in e and "document" in e:  # a document's outcome
                walked.append(e)
            return visit_fn(e, *a, **k)

        return real(expr, counting, *args, **kwargs)

    monkeypatch.setattr(prefect.futures, "visit_collection", spy)
    site = tmp_path / "site"
    site.mkdir()
    (site / "hz-yjglj.txt").write_text(example_text, encoding="utf-8")
    catalog = tmp_path / "catalog.yaml"
    with SampleServer(tmp_path, lifetime_s=300) as server:  # serves tmp_path/site
        catalog.write_text(
            "city: 杭州市\nallowed_hosts: [127.0.0.1]\nagencies:\n"
            "  - {id: hz-yjglj, name: 杭州市应急管理局, region: 杭州市, level: municipal, kind: department,"
            f" reports: [{{year: 2020, url: '{server.base_url}/hz-yjglj.txt'}}]}}\n",
            encoding="utf-8",
        )
        out = run(catalog, tmp_path / "wh" / "nianbao.duckdb")
    assert [o["status"] for o in out.outcomes] == ["loaded"]
    assert 2020 in out.rollups
    assert walked == []


@pytest.mark.slow
def test_a_drain_ends_after_its_trigger_window_taking_what_was_fetched_in_it(
    prefect_harness: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ingest trigger starts one run per burst and ignores the events of the next `within` seconds
    (issue 17): the run must take the documents of those ignored events. Here a second agency is fetched
    and recorded only once the first one's documents are all ingested, inside the window: the same run
    ingests it, then refreshes the snapshot itself."""
    from datetime import UTC, datetime

    from nianbao.demo.city import CITY_DIR
    from nianbao.demo.server import SampleServer
    from nianbao.flows.ingest import ingest
    from nianbao.flows.nightly import crawl_and_record
    from nianbao.pipeline.catalog import load_catalog
    from nianbao.warehouse.connect import snapshot_path
    from nianbao.warehouse.lock import warehouse_lock

    from helpers import settings_for

    wh = tmp_path / "wh" / "n.duckdb"
    settings = settings_for(wh, tmp_path / "raw")
    monkeypatch.setenv("NIANBAO_RAW_STORE", str(tmp_path / "raw"))
    monkeypatch.setenv("NIANBAO_DATA_DOCS", "")
    monkeypatch.setenv("NIANBAO_READER_MEMORY_MB", "1031")  # an extraction cache of this test's own

    def ingested() -> set[str]:
        with warehouse_lock(wh, timeout_s=60):
            return {str(s) for (s,) in rows(wh, "select distinct sha256 from raw.ingest_log")}

    with SampleServer(CITY_DIR, lifetime_s=600) as server:
        first = crawl_and_record(
            load_catalog(sub_catalog(server, tmp_path / "a.yaml", ["hz-fgw"])), settings, "n1"
        )
        later = load_catalog(sub_catalog(server, tmp_path / "b.yaml", ["hz-szf"]))
        first_shas = {r.sha256 for r in first.fetched()}
        second: list[Any] = []

        def fetch_later() -> None:  # once the first agency's documents are in, the second is fetched
            while not first_shas <= ingested():
                time.sleep(0.5)
            second.append(crawl_and_record(later, settings, "n2"))

        thread = threading.Thread(target=fetch_later)
        thread.start()
        summary = ingest(drain=True, warehouse=str(wh), event_at=datetime.now(UTC).isoformat(), window_s=120)
        thread.join()
    assert second, "the second agency was not fetched"
    second_shas = {r.sha256 for r in second[0].fetched()}
    assert second_shas and not second_shas & first_shas
    assert summary.discovered == len(first_shas | second_shas)
    runs = rows(wh, "select distinct run_id from raw.ingest_log")
    assert len(runs) == 1  # one run took both
    assert {
        str(s) for (s,) in rows(wh, "select distinct sha256 from raw.ingest_log")
    } == first_shas | second_shas
    refreshed = rows(wh, "select run_id, covered_to from raw.refresh_log")
    last = rows(wh, "select max(extracted_at) from staging.reports")[0][0]
    assert [r for r, covered in refreshed if r == runs[0][0] and covered >= last]  # the drain refreshed
    assert snapshot_path(wh).exists()


def test_window_end_reads_the_trigger_event_time() -> None:
    from datetime import UTC, datetime, timedelta

    from nianbao.flows.ingest import window_end

    at = datetime(2026, 12, 2, 13, 0, 5, 120000, tzinfo=UTC)
    end = at + timedelta(seconds=10)
    assert window_end(at.isoformat(), 10) == end
    assert window_end(str(at), 10) == end  # str() of a datetime: a space for the T
    assert window_end("2026-12-02T13:00:05.120000", 10) == end  # naive: UTC
    assert window_end(str(at), 0) is None
    before = datetime.now(UTC)
    unreadable = window_end("{{ event.occurred }}", 10)
    assert unreadable is not None and unreadable >= before + timedelta(seconds=10)  # counted from now


@pytest.mark.parametrize(
    ("documents", "slots"), [(1130, 2), (1130, 1), (1130, 8), (200, 2), (10, 2), (3, 4), (0, 2)]
)
def test_batches_shrink_towards_the_end_and_keep_every_document_once(documents: int, slots: int) -> None:
    """Few task runs (each costs the flow's process its orchestration) and a short last one per worker."""
    from nianbao.flows.parallel import MAX_BATCH, MIN_BATCH, batches

    items = list(range(documents))
    got = batches(items, slots)
    assert [i for b in got for i in b] == items
    sizes = [len(b) for b in got]
    assert all(0 < s <= MAX_BATCH for s in sizes)
    assert sizes == sorted(sizes, reverse=True)
    assert all(s >= MIN_BATCH for s in sizes[:-1])
    if documents >= 4 * slots * MIN_BATCH:
        # the last `slots` batches are small: no worker waits long for another's last one
        assert sum(sizes[-slots:]) <= 2 * slots * MIN_BATCH
        # and far fewer task runs than batches of MIN_BATCH would make
        assert len(got) <= 0.7 * documents / MIN_BATCH


def test_the_largest_documents_are_read_first(tmp_path: Path) -> None:
    """Size predicts a long read, and the batches shrink towards the end: the last ones hold the smallest
    documents, so no worker waits long for another's last batch."""
    from nianbao.flows.extract import largest_first
    from nianbao.pipeline.rawstore import RawStore

    store = RawStore(tmp_path)
    small, large, middle = (store.put(b"x" * n) for n in (10, 5000, 300))
    absent = "0" * 64
    assert largest_first([small, absent, middle, large, small], store) == [large, middle, small, absent]


def test_a_runs_own_temporary_api_gets_no_heartbeats_and_a_real_server_keeps_them() -> None:
    """Heartbeats let a server mark a run whose process died as crashed; the temporary API a run starts
    for itself dies with the run, and stopping the heartbeat thread cost up to a second per flow run."""
    from prefect.settings import (
        PREFECT_API_URL,
        PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
        get_current_settings,
        temporary_settings,
    )

    from nianbao.flows.parallel import shared_api

    with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: 90}):
        with temporary_settings({PREFECT_API_URL: "http://127.0.0.1:9/api"}), shared_api():
            assert get_current_settings().flows.heartbeat_frequency == 90  # a server's: nothing changes
        with temporary_settings(restore_defaults={PREFECT_API_URL}), shared_api():
            assert get_current_settings().api.url
            assert get_current_settings().flows.heartbeat_frequency is None


def test_local_clusters_run_without_the_dashboards_sampling(tmp_path: Path) -> None:
    """The local cluster's scheduler, nannies and workers do not sample threads, the host, memory and
    their own event loops at the rates Dask keeps for a dashboard nobody serves here; the rest of their
    configuration is kept."""
    from dataclasses import replace

    from distributed import Client

    from nianbao.flows.parallel import local_cluster
    from nianbao.pipeline.settings import load_settings

    def sampling(dask_worker: Any) -> tuple[Any, ...]:
        import dask

        return (
            dask.config.get("distributed.worker.profile.enabled"),
            dask_worker.periodic_callbacks["monitor"].callback_time,
            dask_worker.monitor.monitor_disk_io,
            dask_worker.memory_manager.memory_monitor_interval,
            dask_worker.memory_manager.memory_limit,
            dask_worker.periodic_callbacks["tick"].callback_time,
        )

    settings = replace(load_settings(str(tmp_path / "n.duckdb")), workers=2)
    with local_cluster(settings) as address, Client(address) as client:  # type: ignore[no-untyped-call]
        workers = client.run(sampling)
        scheduler = client.run_on_scheduler(
            lambda dask_scheduler: tuple(
                dask_scheduler.periodic_callbacks[c].callback_time for c in ("monitor", "tick")
            )
        )
        nannies = client.run(
            lambda dask_worker: (
                dask_worker.memory_manager.memory_monitor_interval,
                dask_worker.periodic_callbacks["tick"].callback_time,
            ),
            nanny=True,
        )
    limit = settings.worker_memory_mb * 2**20
    assert list(workers.values()) == [(False, 2000, False, 0.5, limit, 500)] * 2
    assert scheduler == (2000, 500)  # Dask's defaults: 500 ms, 20 ms
    assert list(nannies.values()) == [(0.5, 500)] * 2  # the memory check's default: 0.1 s


def test_documents_offered_during_a_crawl_are_read_before_it_ends_and_never_sent_twice(
    tmp_path: Path, prefect_harness: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`ReadAhead`: bodies offered while the crawl runs are submitted at once (a lone one after the quiet
    time), each once however often it is offered; after the block nothing more is sent, and
    `extract_all` reads only what was not sent, giving the readings an uncached, Prefect-less read gives."""
    from prefect import flow
    from prefect.task_runners import ThreadPoolTaskRunner

    import nianbao.flows.extract as extract
    from nianbao.pipeline.extract.limits import ReadLimits
    from nianbao.pipeline.model import DocRef
    from nianbao.pipeline.rawstore import RawStore

    from helpers import EXAMPLE_TXT, FILES

    raw = tmp_path / "raw"
    store = RawStore(raw)
    paths = [EXAMPLE_TXT, FILES / "html" / "html_hz-sfj_2020.html", FILES / "pdf" / "lo_v2021_docx.pdf"]
    shas = [store.put(p.read_bytes()) for p in paths]
    refs = [DocRef("hz-x", 2020 + i, f"http://127.0.0.1/{i}", sha) for i, sha in enumerate(shas)]
    limits = ReadLimits(memory_mb=1019)  # a cache key of this test's own
    submitted: list[list[str]] = []
    real = extract.extract_batch

    class Counting:
        def submit(self, batch: list[str], *args: Any) -> Any:
            submitted.append(list(batch))
            return real.submit(batch, *args)

    monkeypatch.setattr(extract, "extract_batch", Counting())

    @flow(task_runner=ThreadPoolTaskRunner(max_workers=2))  # type: ignore[arg-type]
    def night() -> tuple[list[list[str]], list[Any], bool]:
        with extract.ReadAhead(raw, limits, slots=2, quiet_s=0.2, patience_s=30) as ahead:
            ahead.offer({shas[0]: (1, "txt")})
            ahead.offer({shas[0]: (1, "txt"), shas[1]: (2, "html")})  # told twice: sent once
            deadline = time.monotonic() + 60
            while not ahead.sent and time.monotonic() < deadline:
                time.sleep(0.05)
            ahead.sent[0][1].wait(60)
            read_in_crawl = ahead.sent[0][1].state.is_completed()
        ahead.offer({shas[2]: (3, "pdf")})  # after the crawl: left to `extract_all`
        early = [b for b, _f in ahead.sent]
        readings = extract.extract_all(refs, raw, limits, 2, ahead.sent)
        return early, readings, read_in_crawl

    early, readings, read_in_crawl = night()
    assert read_in_crawl  # the batch was read before the block (the crawl) ended
    assert sorted(sha for b in early for sha in b) == sorted(shas[:2])
    assert sorted(sha for b in submitted for sha in b) == sorted(shas)  # each document sent once
    plain = extract.read_documents(refs, raw, limits)
    assert [(r, x.as_json()) for r, x in readings] == [(r, x.as_json()) for r, x in plain]


def test_a_read_ahead_that_is_offered_nothing_sends_nothing(prefect_harness: None) -> None:
    """A night with nothing new: no task run, so no Dask cluster is started for it."""
    from prefect import flow

    from nianbao.flows.extract import ReadAhead

    @flow
    def quiet() -> int:
        with ReadAhead("/nonexistent", None, slots=2, quiet_s=0.0, patience_s=0.0) as ahead:
            ahead.offer({})
            time.sleep(0.2)
        return len(ahead.sent)

    assert quiet() == 0


@pytest.mark.slow
def test_a_run_that_reads_while_it_crawls_makes_the_warehouse_one_that_waits_makes(
    tmp_path: Path, prefect_harness: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crawl held up by its sites (every answer 30 ms late, as on the web): a run starts reading before
    the crawl ends, and its warehouse is the one a run that reads after the crawl makes."""
    from nianbao.demo.city import CITY_DIR
    from nianbao.demo.server import Faults, SampleServer

    from helpers import progress_records

    with (
        progress_records() as records,
        SampleServer(CITY_DIR, lifetime_s=900, faults=Faults(slow={"*": 0.03})) as server,
    ):
        catalog = sub_catalog(server, tmp_path / "catalog.yaml", AGENCIES)
        early = _night(catalog, tmp_path / "early" / "n.duckdb", monkeypatch, memory_mb=1018, workers=0)
        monkeypatch.setenv("NIANBAO_READ_DURING_CRAWL", "0")
        after = _night(catalog, tmp_path / "after" / "n.duckdb", monkeypatch, memory_mb=1017, workers=0)
    read_stages = [
        tuple(r.args or ())
        for r in records
        if getattr(r, "stage", False) and r.getMessage().startswith("read:")
    ]
    (documents, sent_early), (documents_after, sent_after) = read_stages
    assert documents == documents_after > 20
    assert 0 < sent_early <= documents and sent_after == 0
    assert early.summary.loaded == after.summary.loaded > 15
    assert early.outcomes == after.outcomes
    _same(_dump(tmp_path / "early" / "n.duckdb"), _dump(tmp_path / "after" / "n.duckdb"))


def test_a_batch_sent_during_the_crawl_is_never_larger_than_the_cap(
    tmp_path: Path, prefect_harness: None
) -> None:
    """A pile of bodies offered at once goes out in batches of at most AHEAD_BATCH (a large batch sent as
    the crawl ends would be read alone long after the others), every document once."""
    from prefect import flow
    from prefect.task_runners import ThreadPoolTaskRunner

    from nianbao.flows.extract import AHEAD_BATCH, ReadAhead
    from nianbao.pipeline.extract.limits import ReadLimits
    from nianbao.pipeline.rawstore import RawStore

    store = RawStore(tmp_path / "raw")
    shas = [store.put(f"not a report {i}\n".encode()) for i in range(AHEAD_BATCH * 2 + 10)]
    limits = ReadLimits(memory_mb=1015, isolated=False)  # nothing to read: in-process is enough

    @flow(task_runner=ThreadPoolTaskRunner(max_workers=1))  # type: ignore[arg-type]
    def crawl() -> list[list[str]]:
        with ReadAhead(tmp_path / "raw", limits, slots=1) as ahead:
            ahead.offer({sha: (1, None) for sha in shas})
            deadline = time.monotonic() + 60
            while sum(len(b) for b, _f in ahead.sent) < len(shas) and time.monotonic() < deadline:
                time.sleep(0.05)
        for _b, f in ahead.sent:
            f.wait(60)
        return [b for b, _f in ahead.sent]

    sent = crawl()
    assert sorted(sha for b in sent for sha in b) == sorted(shas)
    assert max(len(b) for b in sent) == AHEAD_BATCH


def test_a_read_ahead_that_cannot_send_says_why_at_the_end_of_its_block_and_hides_no_other_error(
    tmp_path: Path,
) -> None:
    """Outside a flow run there is no task runner to send to: the sending thread stops, and the error is
    raised where the crawl's block ends (the batch is left to `extract_all`). An error of the block
    itself (the crawl failed) is the one seen."""
    from nianbao.flows.extract import ReadAhead

    def stopped(ahead: ReadAhead) -> None:
        ahead.offer({"0" * 64: (1, None)})
        deadline = time.monotonic() + 30
        while ahead._thread is not None and ahead._thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.02)

    with pytest.raises(RuntimeError, match="task runner"), ReadAhead(tmp_path, None, 1, quiet_s=0) as ahead:
        stopped(ahead)
    assert ahead.sent == []
    with pytest.raises(KeyError, match="the crawl's own"), ReadAhead(tmp_path, None, 1, quiet_s=0) as ahead:
        stopped(ahead)
        raise KeyError("the crawl's own")
