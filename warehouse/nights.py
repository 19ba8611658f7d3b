"""What a night may skip (issue 17): the documents already processed by the current readers.

A document unchanged since the last night (same URL, same hash: a 304 or the same bytes) whose last
ingest for its agency and year ended in a status (loaded, quarantined, unreadable; not `failed`) need
not be read, checked or loaded again, as long as the readers are the ones that read it. Which readers
processed the warehouse's documents is kept as one mark (`main.nianbao_state`, key `readers`): a run
whose readers differ processes every document it fetched, then sets the mark.
"""

from __future__ import annotations

import duckdb

from nianbao.pipeline.clock import now
from nianbao.pipeline.model import DocRef

READERS_KEY = "readers"


def settled(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str, int]]:
    """(sha256, agency_id, year) of every document whose latest ingest did not fail."""
    rows = con.execute(
        """
        with ranked as (
            select sha256, agency_id, year, status,
                   row_number() over (partition by sha256, agency_id, year order by logged_at desc) as rn
            from raw.ingest_log
        ),
        final as (select sha256, agency_id, year from ranked where rn = 1 and status <> 'failed')
        select * from final
        """
    ).fetchall()
    return {(str(s), str(a), int(y)) for s, a, y in rows}


def readers_mark(con: duckdb.DuckDBPyConnection) -> str | None:
    """The version of the readers that processed the warehouse's documents (None: not recorded)."""
    row = con.execute("select value from main.nianbao_state where key = ?", [READERS_KEY]).fetchone()
    return None if row is None else str(row[0])


def mark_readers(con: duckdb.DuckDBPyConnection, version: str) -> None:
    """Record that every fetched document has been processed by readers of this version."""
    con.execute("insert or replace into main.nianbao_state values (?, ?, ?)", [READERS_KEY, version, now()])


def pending(con: duckdb.DuckDBPyConnection) -> list[DocRef]:
    """Every fetched document not yet ingested: the latest successful fetch of each document URL whose
    (sha256, agency, year) has no ingest that ended in a status (what an event-driven ingest drains)."""
    rows = con.execute(
        """
        with ranked as (
            select url, agency_id, year, via, sha256,
                   row_number() over (partition by url order by fetched_at desc, attempt desc nulls last) as rn
            from raw.fetch_log
            where role = 'document' and status in ('ok', 'not_modified') and sha256 is not null
              and agency_id is not null and year is not null
        ),
        latest as (select * from ranked where rn = 1),
        logged as (
            select sha256, agency_id, year, status,
                   row_number() over (partition by sha256, agency_id, year order by logged_at desc) as rn
            from raw.ingest_log
        ),
        done as (select sha256, agency_id, year from logged where rn = 1 and status <> 'failed'),
        final as (
            select l.agency_id, l.year, l.url, l.sha256, l.via
            from latest l
            anti join done d on d.sha256 = l.sha256 and d.agency_id = l.agency_id and d.year = l.year
        )
        select * from final order by agency_id, year, url
        """
    ).fetchall()
    return [DocRef(str(a), int(y), u, str(s), v) for a, y, u, s, v in rows]
