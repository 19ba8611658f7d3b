"""The event path against the in-process run (issue 17), over the bundled sample city.

.venv/bin/python benchmarks/events.py [--agencies N] [--workers N]

A real `prefect server` on 127.0.0.1 (started and healthy before any clock runs) serves both:

1. in-process: `nianbao run --catalog C --workers N` (a subprocess, against that server);
2. event-driven: `nianbao serve --catalog C --workers N` (registered before the clock runs), then the
   `nightly` deployment run by hand; its `document.fetched` events start `ingest` runs (one drains every
   pending document, the others are cancelled at once), their `report.loaded` events a `refresh`. The
   clock stops when the published snapshot holds every report the in-process run loaded and covers the
   last load.

Then both warehouses are compared (every table, less timestamps). Last line, one JSON object:
{"inprocess_s", "event_s", "ratio", "same_warehouse", "documents", ...}.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import httpx
import yaml

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TABLES = (
    "staging.reports",
    "staging.findings",
    "curated.fct_applications",
    "curated.fct_proactive",
    "curated.fct_review_litigation",
    "raw.documents",
    "marts.applications_by_year",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every compared table, less timestamps and the raw store's paths."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        out = {}
        for table in TABLES:
            cols = [
                f'"{n}"'
                for n, kind, *_ in con.execute(f"describe {table}").fetchall()
                if not str(kind).startswith("TIMESTAMP") and n != "store_path"
            ]
            out[table] = sorted(con.execute(f"select {', '.join(cols)} from {table}").fetchall(), key=repr)
        return out
    finally:
        con.close()


def snapshot_done(snapshot: Path, expected: int) -> bool:
    """The published snapshot holds `expected` reports and its last refresh covers the last load."""
    if not snapshot.exists():
        return False
    try:
        con = duckdb.connect(str(snapshot), read_only=True)
    except duckdb.Error:
        return False
    try:
        n, last = con.execute("select count(*), max(extracted_at) from staging.reports").fetchone() or (
            0,
            None,
        )
        (covered,) = con.execute("select max(covered_to) from raw.refresh_log").fetchone() or (None,)
    finally:
        con.close()
    return bool(n >= expected and last is not None and covered is not None and covered >= last)


def _at(stamp: str | None, t0: datetime) -> float | None:
    """Seconds from `t0` to an API timestamp."""
    return None if not stamp else round((datetime.fromisoformat(stamp) - t0).total_seconds(), 1)


def timeline(api: str, t0: datetime) -> dict[str, Any]:
    """Where the event night's time went, from the Prefect API: each flow run that was not cancelled
    (created, pending = handed to a process, running = its flow began in that process, end), its task
    runs, and the first and last of each nianbao event; seconds from the nightly's trigger."""
    post = lambda path, body: httpx.post(f"{api}{path}", json=body, timeout=30).json()  # noqa: E731
    flows = {f["id"]: f["name"] for f in post("/flows/filter", {})}
    runs = []
    for r in sorted(post("/flow_runs/filter", {"limit": 200}), key=lambda r: r["created"]):
        if r.get("state_type") == "CANCELLED":
            continue
        states = httpx.get(f"{api}/flow_run_states/", params={"flow_run_id": r["id"]}, timeout=30).json()
        when = {s["type"]: _at(s["timestamp"], t0) for s in states}
        tasks = post("/task_runs/filter", {"flow_runs": {"id": {"any_": [r["id"]]}}, "limit": 200})
        spans: dict[str, list[float]] = {}
        for tr in tasks:
            a, b = _at(tr.get("start_time"), t0), _at(tr.get("end_time"), t0)
            if a is None or b is None:
                continue
            lo, hi = spans.get(tr["name"].rsplit("-", 1)[0], [a, b])
            spans[tr["name"].rsplit("-", 1)[0]] = [min(lo, a), max(hi, b)]
        runs.append(
            {
                "flow": flows.get(r["flow_id"]),
                "state": r.get("state_type"),
                "created": _at(r["created"], t0),
                "pending": when.get("PENDING"),
                "running": when.get("RUNNING"),
                "end": _at(r.get("end_time"), t0),
                "tasks": spans,
            }
        )
    events: dict[str, list[float | None]] = {}
    for name in ("nianbao.document.fetched", "nianbao.report.loaded"):
        ends = []
        for order in ("ASC", "DESC"):
            page = post(
                "/events/filter",
                {"filter": {"event": {"name": [name]}, "order": order}, "limit": 1},
            )
            ends.append(_at(page["events"][0]["occurred"], t0) if page.get("events") else None)
        events[name] = ends
    return {"runs": runs, "events": events}


def stop(proc: subprocess.Popen[str] | None) -> None:
    if proc is not None and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main() -> int:
    """Print both times; the last line is the JSON object."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--agencies", type=int, default=37, help="the first N agencies of the sample city")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="nianbao-events-"))
    port = _free_port()
    home = tmp / "prefect"
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
        "PREFECT_SERVER_UI_ENABLED": "false",
        "NIANBAO_REFRESH_DEBOUNCE_S": "1",
        "NIANBAO_DATA_DOCS": "",
    }
    from nianbao.demo.city import CITY_DIR
    from nianbao.demo.server import SampleServer

    server = serve = None
    logs = tmp / "logs"
    logs.mkdir()
    figures: dict[str, Any] = {}
    try:
        server = subprocess.Popen(
            [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=tmp,
            stdout=(logs / "server.out").open("w"),
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit((logs / "server.out").read_text()[-3000:])
            time.sleep(0.5)
        with SampleServer(CITY_DIR, lifetime_s=3600) as srv:
            full = srv.write_catalog(tmp / "full.yaml")
            data = yaml.safe_load(full.read_text(encoding="utf-8"))
            data["agencies"] = data["agencies"][: args.agencies]
            catalog = tmp / "catalog.yaml"
            catalog.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

            nianbao, workers = [sys.executable, "-m", "nianbao"], ["--workers", str(args.workers)]
            # 1. in-process
            w1 = tmp / "inprocess" / "nianbao.duckdb"
            t = time.perf_counter()
            ran = subprocess.run(
                [*nianbao, "run", "--catalog", str(catalog), "--warehouse", str(w1), *workers],
                env={
                    **env,
                    "NIANBAO_RAW_STORE": str(tmp / "inprocess" / "raw"),
                    "PREFECT_LOCAL_STORAGE_PATH": str(tmp / "inprocess" / "results"),
                },
                cwd=ROOT,
                capture_output=True,
                text=True,
            )
            figures["inprocess_s"] = round(time.perf_counter() - t, 1)
            if ran.returncode != 0:
                raise SystemExit(ran.stderr[-3000:])
            expected = (
                duckdb.connect(str(w1), read_only=True)
                .execute("select count(*) from staging.reports")
                .fetchone()[0]
            )  # type: ignore[index]
            print(f"in-process run: {figures['inprocess_s']} s, {expected} reports", file=sys.stderr)

            # 2. event-driven
            w2 = tmp / "events" / "nianbao.duckdb"
            # its own result store: the extraction cache of the in-process run is not the event night's
            serve_env = {
                **env,
                "NIANBAO_RAW_STORE": str(tmp / "events" / "raw"),
                "PREFECT_LOCAL_STORAGE_PATH": str(tmp / "events" / "results"),
            }
            serve = subprocess.Popen(
                [*nianbao, "serve", "--catalog", str(catalog), "--warehouse", str(w2), *workers],
                env=serve_env,
                cwd=ROOT,
                stdout=(logs / "serve.out").open("w"),
                stderr=subprocess.STDOUT,
                text=True,
            )
            deadline = time.monotonic() + 180
            while True:  # registered (not timed: a served deployment is up before its night)
                ls = subprocess.run(
                    [str(BIN / "prefect"), "deployment", "inspect", "nightly/nightly"],
                    env=env,
                    capture_output=True,
                    text=True,
                )
                if ls.returncode == 0:
                    break
                if serve.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit((logs / "serve.out").read_text()[-3000:])
                time.sleep(1)
            time.sleep(3)  # the runner's first poll
            t0 = datetime.now(UTC)
            t = time.perf_counter()
            subprocess.run(
                [str(BIN / "prefect"), "deployment", "run", "nightly/nightly"],
                env=env,
                check=True,
                capture_output=True,
            )
            snapshot = w2.parent / "nianbao.snapshot.duckdb"
            deadline = time.monotonic() + 1800
            while not snapshot_done(snapshot, expected):
                if serve.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit((logs / "serve.out").read_text()[-5000:])
                time.sleep(0.5)
            figures["event_s"] = round(time.perf_counter() - t, 1)
            print(f"event-driven night: {figures['event_s']} s", file=sys.stderr)
            time.sleep(5)  # let a refresh in flight finish before the stop
        stop(serve)
        serve = None
        runs = httpx.post(
            f"http://127.0.0.1:{port}/api/flow_runs/filter", json={"limit": 200}, timeout=30
        ).json()
        by: dict[str, int] = {}
        for r in runs:
            key = f"{r.get('state_type')}"
            by[key] = by.get(key, 0) + 1
        figures["flow_runs_by_state"] = by
        (logs / "timeline.json").write_text(
            json.dumps(timeline(f"http://127.0.0.1:{port}/api", t0), indent=1)
        )
        print(f"timeline: {logs / 'timeline.json'}", file=sys.stderr)
        a, b = dump(w1), dump(w2)
        figures["same_warehouse"] = a == b
        if a != b:
            figures["differing_tables"] = [k for k in a if a[k] != b[k]]
        figures["reports"] = expected
        figures["ratio"] = round(figures["event_s"] / figures["inprocess_s"], 2)
        figures["workers"] = args.workers
        figures["load_avg_1m"] = round(os.getloadavg()[0], 2)
    finally:
        stop(serve)
        stop(server)
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
