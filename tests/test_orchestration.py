"""Orchestration (issue 7): unchanged nights cost 304s, re-published documents become new versions, bursts of
ingests queue for the warehouse instead of failing on its lock, and the served deployments run end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from nianbao.demo.city import CITY_DIR
from nianbao.demo.server import SampleServer
from nianbao.pipeline.catalog import load_catalog
from nianbao.pipeline.fetch import FetchPolicy
from nianbao.pipeline.model import DocRef
from nianbao.pipeline.rawstore import RawStore

from helpers import EXAMPLE_TXT, free_port, rows, settings_for, stop_process, sub_catalog

ROOT = Path(__file__).resolve().parent.parent
FAST = FetchPolicy(retries=2, backoff_s=0.01)
CORRECTED = "hz-mzj"  # the sample agency whose 2021 report is re-published (corrected) at the same URL


def test_second_nightly_with_nothing_changed_is_all_304_and_announces_nothing(tmp_path: Path) -> None:
    from nianbao.flows.nightly import crawl_and_record

    wh, raw = tmp_path / "nianbao.duckdb", RawStore(tmp_path / "raw")
    with SampleServer(CITY_DIR, lifetime_s=120) as srv:
        catalog = load_catalog(sub_catalog(srv, tmp_path / "c.yaml", ["hz-fgw", "hz-wjw", "hz-kjj"]))
        first = crawl_and_record(catalog, settings_for(wh, raw.root, FAST), "night-1")
        n_requests = len(srv.requests)
        second = crawl_and_record(catalog, settings_for(wh, raw.root, FAST), "night-2")
        again = srv.requests[n_requests:]
    assert first.summary.new == first.summary.discovered - first.summary.fetch_failed > 0
    assert len(first.announce()) == first.summary.new
    assert second.announce() == []
    assert (second.summary.new, second.summary.changed_docs) == (0, 0)
    assert second.summary.unchanged == first.summary.new
    # every page and document that answered 200 the first night answers 304 now (no body); the old address
    # of a moved article still redirects (301, no body) and the missing page 404s again
    assert 200 not in {s for _m, _t, s in again}
    assert {s for _m, _t, s in again} <= {301, 304, 404}
    statuses = rows(
        wh, "select status, count(*) from raw.fetch_log where run_id = 'night-2' group by all order by 1"
    )
    assert dict(statuses)["not_modified"] == sum(1 for _m, _t, s in again if s == 304)
    assert rows(wh, "select count(*) from raw.fetch_log where run_id = 'night-2' and size_bytes > 0") == [
        (0,)
    ]


@pytest.mark.slow
def test_republished_document_is_fetched_loaded_as_new_version_and_announced(tmp_path: Path) -> None:
    from nianbao.flows.ingest import ingest_documents
    from nianbao.flows.nightly import crawl_and_record

    wh, raw = tmp_path / "nianbao.duckdb", RawStore(tmp_path / "raw")
    with SampleServer(CITY_DIR, lifetime_s=300) as srv:
        catalog = load_catalog(sub_catalog(srv, tmp_path / "c.yaml", [CORRECTED]))
        first = crawl_and_record(catalog, settings_for(wh, raw.root, FAST), "night-1")
        ingest_documents(first.announce(), settings_for(wh, raw.root), "ingest-1", prefect=False)
        before = dict(rows(wh, "select year, sha256 from staging.current_reports"))
        count_before = dict(rows(wh, "select year, count(*) from staging.reports group by all"))
        srv.set_corrected(True)
        second = crawl_and_record(catalog, settings_for(wh, raw.root, FAST), "night-2")
        done = ingest_documents(second.announce(), settings_for(wh, raw.root), "ingest-2", prefect=False)
        third = ingest_documents(
            second.announce(), settings_for(wh, raw.root), "ingest-3", prefect=False
        )  # a duplicate event
    assert second.summary.changed_docs >= 1 and second.summary.new == 0
    assert all(a.sha256 not in before.values() for a in second.announce())
    after = dict(rows(wh, "select year, sha256 from staging.current_reports"))
    changed_years = {a.year for a in second.announce()}
    assert changed_years and all(
        after[y] != before[y] and after[y] in {a.sha256 for a in second.announce()} for y in changed_years
    )
    assert all(i.changed for i in done) and not any(i.changed for i in third)
    count_after = dict(rows(wh, "select year, count(*) from staging.reports group by all"))
    assert count_after == {
        y: n + sum(a.year == y for a in second.announce()) for y, n in count_before.items()
    }


_WORKER = """
import json, sys
from nianbao.pipeline.model import DocRef
from nianbao.flows.ingest import ingest_documents
from nianbao.pipeline.settings import load_settings
refs = [DocRef(**d) for d in json.loads(sys.argv[1])]
settings = load_settings(sys.argv[2], env={"NIANBAO_RAW_STORE": sys.argv[3], "NIANBAO_DATA_DOCS": ""})
out = ingest_documents(refs, settings, sys.argv[4], prefect=False)
print(json.dumps([[i.ref.sha256, i.status, i.changed] for i in out]))
"""


@pytest.mark.slow
def test_burst_of_32_documents_from_6_processes_never_fails_on_the_warehouse_lock(tmp_path: Path) -> None:
    """32 documents in 4 concurrent processes, plus 2 processes replaying duplicates, while another holds the lock."""
    from nianbao.warehouse.lock import writing

    wh, raw = tmp_path / "nianbao.duckdb", RawStore(tmp_path / "raw")
    text = EXAMPLE_TXT.read_text(encoding="utf-8")
    refs = [
        DocRef(
            f"burst-{i:02d}",
            2020,
            f"http://127.0.0.1/burst/{i}.txt",
            raw.put((text + f"\n附：第{i}号\n").encode()),
        )
        for i in range(32)
    ]
    with writing(wh):  # create the file at the current schema
        pass
    groups = [refs[k::4] for k in range(4)] + [refs[:6], refs[-6:]]
    env = dict(os.environ)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                "import time, sys\nfrom nianbao.warehouse.lock import writing\n"
                "with writing(sys.argv[1]):\n    print('held', flush=True)\n    time.sleep(3)\n"
            ),
            str(wh),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    procs = []
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(duckdb.IOException, match="lock"):  # what every writer would hit without our lock
            duckdb.connect(str(wh)).close()
        procs = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    _WORKER,
                    json.dumps([r.as_dict() for r in g]),
                    str(wh),
                    str(raw.root),
                    f"burst-{k}",
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for k, g in enumerate(groups)
        ]
        results = [p.communicate(timeout=300) for p in procs]
    finally:
        for p in [holder, *procs]:
            if p.poll() is None:
                p.terminate()
            p.wait(timeout=30)
    for p, (_out, errs) in zip(procs, results, strict=True):
        assert p.returncode == 0, errs[-3000:]
    outcomes = [x for out, _e in results for x in json.loads(out.strip().splitlines()[-1])]
    assert len(outcomes) == 44 and {s for _sha, s, _c in outcomes} == {"loaded"}
    assert sum(c for _sha, _s, c in outcomes) == 32  # each document written once; the replays changed nothing
    assert rows(wh, "select count(*), count(distinct sha256) from staging.reports") == [(32, 32)]
    assert rows(wh, "select count(*) from raw.ingest_log where status = 'failed'") == [(0,)]


def _locked_rows(wh: Path, sql: str) -> list[tuple[object, ...]] | None:
    from nianbao.warehouse.lock import warehouse_lock

    if not wh.exists():
        return None
    with warehouse_lock(wh, timeout_s=30):
        return rows(wh, sql)


@pytest.mark.slow
def test_served_deployments_nightly_triggers_ingests_and_refresh(tmp_path: Path) -> None:
    """A real `prefect server`, `nianbao serve`, the nightly deployment run by hand; events do the rest."""
    import httpx

    port = free_port()
    home = tmp_path / "prefect"
    wh = tmp_path / "wh" / "nianbao.duckdb"
    env = {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
        "PREFECT_API_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{home / 'server.db'}",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "GX_ANALYTICS_ENABLED": "false",
        "PREFECT_RUNNER_POLL_FREQUENCY": "1",
        "PREFECT_LOGGING_LEVEL": "WARNING",
        "NIANBAO_REFRESH_DEBOUNCE_S": "1",
        "NIANBAO_FETCH_BACKOFF_S": "0.01",
        "NIANBAO_RAW_STORE": str(tmp_path / "raw"),
        "PREFECT_SERVER_UI_ENABLED": "false",
    }
    bin_dir = Path(sys.executable).parent
    server = serve = None
    logs = tmp_path / "logs"
    logs.mkdir()
    try:
        server = subprocess.Popen(
            [str(bin_dir / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=tmp_path,
            stdout=(logs / "server.out").open("w"),
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, (logs / "server.out").read_text()[
                -3000:
            ]
            time.sleep(0.5)
        with SampleServer(CITY_DIR, lifetime_s=400) as srv:
            catalog = sub_catalog(srv, tmp_path / "c.yaml", ["hz-szf"])
            serve = subprocess.Popen(
                [sys.executable, "-m", "nianbao", "serve", "--catalog", str(catalog), "--warehouse", str(wh)],
                env=env,
                cwd=ROOT,
                stdout=(logs / "serve.out").open("w"),
                stderr=subprocess.STDOUT,
                text=True,
            )
            deadline = time.monotonic() + 90
            while True:  # the deployment exists once serve has registered it
                run = subprocess.run(
                    [str(bin_dir / "prefect"), "deployment", "run", "nightly/nightly"],
                    env=env,
                    cwd=tmp_path,
                    capture_output=True,
                    text=True,
                    timeout=60,
                )
                if run.returncode == 0:
                    break
                assert serve.poll() is None and time.monotonic() < deadline, (logs / "serve.out").read_text()[
                    -3000:
                ]
                time.sleep(1)
            deadline = time.monotonic() + 240
            while True:
                loaded = _locked_rows(wh, "select count(*) from staging.reports")
                refreshed = _locked_rows(wh, "select count(*) from raw.refresh_log") if loaded else None
                if loaded and loaded[0][0] >= 4 and refreshed and refreshed[0][0] >= 1:
                    break
                assert serve.poll() is None and time.monotonic() < deadline, (
                    f"loaded={loaded} refreshed={refreshed}\n" + (logs / "serve.out").read_text()[-5000:]
                )
                time.sleep(2)
        announced = _locked_rows(
            wh,
            "select count(distinct sha256) from raw.fetch_log where doc_state = 'new' and role = 'document'",
        )
        ingested = _locked_rows(wh, "select count(distinct sha256) from raw.ingest_log")
        assert announced == ingested
        assert (wh.parent / "nianbao.snapshot.duckdb").exists()
        time.sleep(3)  # let a debounced refresh still in flight finish before the clean stop
        code = stop_process(serve, timeout=60)
        serve = None
        assert code == 0, (logs / "serve.out").read_text()[-3000:]
    finally:
        stop_process(serve)
        stop_process(server)
