"""The one-writer rule, and the fetch/ingest/refresh logs (migration 020).

DuckDB admits one read-write process per file, and a second one fails at once. Every writer in the
flows goes through `writing(path)`: an exclusive `fcntl` lock on `<warehouse>.lock`, held from
connect to close, so writers from many processes (event-triggered ingests under `serve`) queue
instead of failing on DuckDB's own lock.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from nianbao.pipeline.fetch import Attempt, Got, Known
from nianbao.pipeline.settings import load_settings
from nianbao.warehouse.connect import connect
from nianbao.warehouse.load import now

LOCK_TIMEOUT_S = load_settings().lock_timeout_s


@dataclass
class LockStats:
    """How long this process waited for the warehouse lock (for the benchmark and the summary)."""

    acquisitions: int = 0
    waited_s: float = 0.0


LOCK_STATS = LockStats()


def lock_path(warehouse: str | Path) -> Path:
    """The lock file beside a warehouse file."""
    p = Path(warehouse)
    return p.with_name(p.name + ".lock")


@contextmanager
def warehouse_lock(warehouse: str | Path, timeout_s: float = LOCK_TIMEOUT_S) -> Iterator[None]:
    """Hold the warehouse's exclusive write lock (waits, polling, up to `timeout_s`)."""
    path = lock_path(warehouse)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    start = time.monotonic()
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() - start > timeout_s:
                    raise TimeoutError(f"waited {timeout_s:.0f} s for the warehouse lock {path}") from None
                time.sleep(0.02)
        LOCK_STATS.acquisitions += 1
        LOCK_STATS.waited_s += time.monotonic() - start
        yield
    finally:
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)


@contextmanager
def writing(warehouse: str | Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection to the warehouse, held under its lock, closed (checkpointed) before unlocking."""
    with warehouse_lock(warehouse):
        con = connect(warehouse)
        try:
            yield con
        finally:
            con.close()


def known_urls(con: duckdb.DuckDBPyConnection) -> dict[str, Known]:
    """Each URL's validators and body hash from its latest successful fetch (ok or not_modified)."""
    rows = con.execute(
        """
        with ranked as (
            select url, etag, last_modified, sha256,
                   row_number() over (partition by url order by fetched_at desc, attempt desc nulls last) as rn
            from raw.fetch_log
            where status in ('ok', 'not_modified') and sha256 is not null
        ),
        final as (select url, etag, last_modified, sha256 from ranked where rn = 1)
        select * from final
        """
    ).fetchall()
    return {u: Known(e, lm, s) for u, e, lm, s in rows}


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


_COLS = [
    "attempt_id",
    "run_id",
    "agency_id",
    "year",
    "url",
    "status",
    "http_status",
    "size_bytes",
    "sha256",
    "error_code",
    "error",
    "fetched_at",
    "etag",
    "last_modified",
    "attempt",
    "role",
    "via",
    "doc_state",
]


def log_attempts(con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]]) -> None:
    """Append fetch attempts to raw.fetch_log in one transaction."""
    if not rows:
        return
    con.execute("begin transaction")
    try:
        con.executemany(
            f"insert or replace into raw.fetch_log ({', '.join(_COLS)}) values ({', '.join('?' * len(_COLS))})",
            [[r.get(c) for c in _COLS] for r in rows],
        )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise


def log_ingest(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    sha256: str,
    agency_id: str,
    year: int,
    url: str | None,
    status: str,
    changed: bool | None,
    error_code: str | None = None,
    error: str | None = None,
) -> None:
    """What an ingest run made of one document (loaded, quarantined, unreadable or failed)."""
    con.execute(
        "insert or replace into raw.ingest_log values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [run_id, sha256, agency_id, year, url, status, changed, error_code, error, now()],
    )


def siblings(
    con: duckdb.DuckDBPyConnection, agency_id: str, year: int, via: str | None, url: str
) -> list[tuple[str, str, str]]:
    """(sha256, url, record json) of the other readable documents of the same article page, latest fetch each."""
    if not via:
        return []
    return [
        tuple(r)
        for r in con.execute(  # type: ignore[misc]
            """
        with docs as (
            select distinct url from raw.fetch_log where via = ? and url <> ? and role = 'document'
        ),
        latest as (
            select f.url, f.sha256,
                   row_number() over (partition by f.url order by f.fetched_at desc, f.attempt desc) as rn
            from raw.fetch_log as f join docs using (url)
            where f.status in ('ok', 'not_modified') and f.sha256 is not null
        ),
        final as (
            select r.sha256, l.url, r.record::varchar as record
            from latest as l join staging.reports as r on r.sha256 = l.sha256
            where l.rn = 1 and r.agency_id = ? and r.year = ? and r.record is not null
        )
        select * from final
        """,
            [via, url, agency_id, year],
        ).fetchall()
    ]


def last_load_time(con: duckdb.DuckDBPyConnection) -> datetime | None:
    """When the warehouse's reports last changed (latest staging.reports.extracted_at)."""
    row = con.execute("select max(extracted_at) from staging.reports").fetchone()
    return row[0] if row else None


def last_refresh_covered(con: duckdb.DuckDBPyConnection) -> datetime | None:
    """The latest load a refresh has already covered."""
    row = con.execute("select max(covered_to) from raw.refresh_log").fetchone()
    return row[0] if row else None


def log_refresh(
    con: duckdb.DuckDBPyConnection, run_id: str, covered_to: datetime | None, years: list[int]
) -> None:
    """Record a refresh and the last load it covered."""
    con.execute(
        "insert or replace into raw.refresh_log values (?, ?, ?, ?)",
        [run_id, covered_to, ",".join(map(str, years)), now()],
    )


def failed_documents(
    con: duckdb.DuckDBPyConnection,
    agency_id: str | None = None,
    year: int | None = None,
    only_failed: bool = True,
) -> list[dict[str, Any]]:
    """Documents to process again: last fetch failed, last ingest failed, unreadable, quarantined, or never ingested."""
    rows = con.execute(
        """
        with last_fetch as (
            select *, row_number() over (partition by url order by fetched_at desc, attempt desc nulls last) as rn
            from raw.fetch_log
            where role in ('document', 'target') and agency_id is not null
        ),
        fetched as (select * from last_fetch where rn = 1),
        last_ingest as (
            select *, row_number() over (partition by sha256, agency_id, year order by logged_at desc) as rn
            from raw.ingest_log
        ),
        final as (
            select f.agency_id, f.year, f.url, f.via, f.role, f.sha256, f.status as fetch_status,
                   f.error_code as fetch_error, r.status as report_status, r.error_code as report_error,
                   i.status as ingest_status, i.error_code as ingest_error,
                   case
                       when f.status = 'failed' then 'fetch_failed'
                       when i.status = 'failed' then 'ingest_failed'
                       when r.status in ('quarantined', 'unreadable') then r.status
                       when r.status is null and f.role = 'document' then 'not_ingested'
                   end as why
            from fetched as f
            left join staging.reports as r
                on r.sha256 = f.sha256 and r.agency_id = f.agency_id and r.year = f.year
            left join last_ingest as i
                on i.rn = 1 and i.sha256 = f.sha256 and i.agency_id = f.agency_id and i.year = f.year
            where (f.role = 'document' or f.status = 'failed')
        )
        select * from final
        where (? is null or agency_id = ?) and (? is null or year = ?)
        order by agency_id, year, url
        """,
        [agency_id, agency_id, year, year],
    ).fetchall()
    cols = [
        "agency_id",
        "year",
        "url",
        "via",
        "role",
        "sha256",
        "fetch_status",
        "fetch_error",
        "report_status",
        "report_error",
        "ingest_status",
        "ingest_error",
        "why",
    ]
    out = [dict(zip(cols, r, strict=True)) for r in rows]
    return [o for o in out if o["why"]] if only_failed else out
