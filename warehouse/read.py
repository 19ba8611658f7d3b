"""Everything read back from the warehouse for a run, an admission, a review or a report to people.

The rollups analysts ask for are in `rollup.py`; this module answers the pipeline's own questions: what
the fetch log remembers, which documents failed, the previous and following years of a report, the
reviewers' decisions, the other documents of an article page, and every stored finding.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import duckdb

from nianbao.pipeline import tables as T
from nianbao.pipeline.model import DocRef, Location, Override, Previous, Report
from nianbao.warehouse.write import OVERRIDE_COLUMNS

if TYPE_CHECKING:  # the checks (pandas, GX) and the fetch client (urllib3) load where a function needs them
    from nianbao.expectations.admit import Following, Known, Sibling
    from nianbao.pipeline.fetch import Known as KnownUrl


def known_urls(con: duckdb.DuckDBPyConnection) -> dict[str, KnownUrl]:
    """Each URL's validators and body hash from its latest successful fetch (ok or not_modified)."""
    from nianbao.pipeline.fetch import Known as KnownUrl

    # kept by every write of the log (`write.log_attempts`): one row per URL, however many nights it holds
    rows = con.execute("select url, etag, last_modified, sha256 from raw.url_validators").fetchall()
    return {u: KnownUrl(e, lm, s) for u, e, lm, s in rows}


def stored_hashes(con: duckdb.DuckDBPyConnection) -> frozenset[str]:
    """The sha256 of every document ever stored (raw.documents): what a crawl has seen before."""
    return frozenset(r[0] for r in con.execute("select sha256 from raw.documents").fetchall())


_SIBLINGS_SQL = """
with k as (
    select unnest(?::integer[]) as i, unnest(?::varchar[]) as via, unnest(?::varchar[]) as self_url,
           unnest(?::varchar[]) as agency_id, unnest(?::integer[]) as year
),
docs as (
    select distinct k.i, f.url from raw.fetch_log as f join k on f.via = k.via and f.url <> k.self_url
    where f.role = 'document'
),
latest as (
    select f.url, f.sha256,
           row_number() over (partition by f.url order by f.fetched_at desc, f.attempt desc) as rn
    from raw.fetch_log as f
    where f.url in (select url from docs) and f.status in ('ok', 'not_modified') and f.sha256 is not null
)
select d.i, r.sha256, l.url, r.record::varchar as record
from docs as d
join latest as l on l.url = d.url and l.rn = 1
join k on k.i = d.i
join staging.reports as r on r.sha256 = l.sha256 and r.agency_id = k.agency_id and r.year = k.year
where r.record is not null
order by d.i, l.url, r.sha256
"""


def siblings_of(con: duckdb.DuckDBPyConnection, refs: Iterable[DocRef]) -> dict[DocRef, list[Sibling]]:
    """For each document hanging on an article page, the other readable documents of that page as stored
    (the latest fetch of each URL); documents without any are left out. One query for all (a query each
    cost ~7 ms: 8 s of a 1,000-report night)."""
    from nianbao.expectations.admit import Sibling

    asked = [r for r in dict.fromkeys(refs) if r.via]
    if not asked:
        return {}
    rows = con.execute(
        _SIBLINGS_SQL,
        [
            list(range(len(asked))),
            [r.via for r in asked],
            [r.url or "" for r in asked],
            [r.agency_id for r in asked],
            [r.year for r in asked],
        ],
    ).fetchall()
    out: dict[DocRef, list[Sibling]] = {}
    for i, sha, url, record in rows:
        out.setdefault(asked[i], []).append(Sibling(sha, url, _canonical(json.loads(record))))
    return out


def _canonical(record: dict[str, Any]) -> dict[str, Any]:
    return {t: record.get(t) or {} for t in ("proactive", "applications", "review_litigation")}


_PREVIOUS_SQL = """
with k as (select unnest(?::varchar[]) as agency_id, unnest(?::integer[]) as year)
select c.agency_id, c.year + 1, c.sha256, (c.record->'applications'->'carried_out')::varchar, {provenance}
from staging.current_reports as c join k on c.agency_id = k.agency_id and c.year = k.year - 1
where c.record is not null
"""


def previous_reports(
    con: duckdb.DuckDBPyConnection, keys: Iterable[tuple[str, int]]
) -> dict[tuple[str, int], Previous]:
    """For each (agency, year): its stored year − 1 (the current document) as cross_year_carry compares it."""
    keys = sorted(set(keys))
    if not keys:
        return {}
    cells = [f"applications.carried_out.{a}" for a in T.APPLICANT_CODES]
    provenance = ", ".join(f"(c.record->'provenance'->'{c}')::varchar" for c in cells)
    out: dict[tuple[str, int], Previous] = {}
    for agency_id, year, sha, carried, *locs in con.execute(
        _PREVIOUS_SQL.format(provenance=provenance), [[a for a, _y in keys], [y for _a, y in keys]]
    ).fetchall():
        if not carried or carried == "null":
            continue
        prov = {c: Location.from_json(json.loads(loc)) for c, loc in zip(cells, locs, strict=True) if loc}
        out[(agency_id, int(year))] = Previous(
            {a: int(v) for a, v in json.loads(carried).items()}, sha, int(year) - 1, prov
        )
    return out


def following(con: duckdb.DuckDBPyConnection, keys: Iterable[tuple[str, int]]) -> list[Following]:
    """The stored year + 1 of each (agency, year), with its carried_in and its previous year as now stored."""
    from nianbao.expectations.admit import Following

    keys = sorted(set(keys))
    if not keys:
        return []
    cells = [f"applications.carried_in.{a}" for a in T.APPLICANT_CODES]
    provenance = ", ".join(f"(c.record->'provenance'->'{c}')::varchar" for c in cells)
    rows = con.execute(
        f"""
        with k as (select unnest(?::varchar[]) as agency_id, unnest(?::integer[]) as year)
        select c.agency_id, c.year, c.report_id, c.template, (c.record->'applications'->'carried_in')::varchar,
               {provenance}
        from staging.current_reports as c join k on c.agency_id = k.agency_id and c.year = k.year + 1
        where c.record is not null
        order by 1, 2
        """,
        [[a for a, _y in keys], [y for _a, y in keys]],
    ).fetchall()
    before = previous_reports(con, [(agency_id, int(year)) for agency_id, year, *_rest in rows])
    out = []
    for agency_id, year, report_id, template, carried, *locs in rows:
        carried_in = (
            {a: int(v) for a, v in json.loads(carried).items()} if carried and carried != "null" else {}
        )
        report = Report(
            agency_id,
            int(year),
            template,
            applications={"carried_in": carried_in},
            provenance={
                c: Location.from_json(json.loads(loc)) for c, loc in zip(cells, locs, strict=True) if loc
            },
        )
        out.append(Following(report_id, report, before.get((agency_id, int(year)))))
    return out


def overrides(
    con: duckdb.DuckDBPyConnection,
    agency_id: str | None = None,
    year: int | None = None,
    include_revoked: bool = True,
) -> list[Override]:
    """Recorded decisions, oldest first, optionally of one agency (and year)."""
    where: list[str] = ["true"]
    params: list[Any] = []
    if agency_id:
        where.append("agency_id = ?")
        params.append(agency_id)
    if year is not None:
        where.append("year = ?")
        params.append(year)
    if not include_revoked:
        where.append("revoked_at is null")
    rows = con.execute(
        f"select {', '.join(OVERRIDE_COLUMNS)} from staging.overrides where {' and '.join(where)}"
        " order by override_id",
        params,
    ).fetchall()
    return [Override(*row) for row in rows]


def active_overrides(
    con: duckdb.DuckDBPyConnection, keys: Iterable[tuple[str, int, str]]
) -> dict[tuple[str, int, str], list[Override]]:
    """The unrevoked decisions on each (agency, year, sha256), oldest first."""
    wanted = set(keys)
    if not wanted:
        return {}
    rows = con.execute(
        f"select {', '.join(OVERRIDE_COLUMNS)} from staging.overrides where revoked_at is null"
        " and sha256 in (select unnest(?::varchar[])) order by override_id",
        [sorted({k[2] for k in wanted})],
    ).fetchall()
    out: dict[tuple[str, int, str], list[Override]] = {}
    for row in rows:
        o = Override(*row)
        if (o.agency_id, o.year, o.sha256) in wanted:
            out.setdefault((o.agency_id, o.year, o.sha256), []).append(o)
    return out


def admission_inputs(con: duckdb.DuckDBPyConnection, refs: Iterable[DocRef]) -> Known:
    """What admitting these documents needs from the warehouse: previous years, decisions, article siblings."""
    from nianbao.expectations.admit import Known

    refs = list(refs)
    return Known(
        previous=previous_reports(con, [(r.agency_id, r.year) for r in refs]),
        overrides=active_overrides(con, [(r.agency_id, r.year, r.sha256) for r in refs]),
        siblings=siblings_of(con, refs),
        agency_names=dict(
            con.execute(
                "select agency_id, name from curated.dim_agency where agency_id in "
                "(select unnest(?::varchar[]))",
                [sorted({r.agency_id for r in refs})],
            ).fetchall()
        ),
    )


@dataclass(frozen=True)
class Current:
    """The current document of an agency-year as stored."""

    report_id: str
    sha256: str
    status: str
    source_url: str | None
    via: str | None  # the article page it hangs on, as last fetched
    report: Report | None

    def ref(self, agency_id: str, year: int) -> DocRef:
        """The document as an ingest input."""
        return DocRef(agency_id, year, self.source_url, self.sha256, self.via)


def current(con: duckdb.DuckDBPyConnection, agency_id: str, year: int) -> Current | None:
    """The agency-year's current document (the most recently first-seen), if the warehouse has one."""
    row = con.execute(
        """
        select c.report_id, c.sha256, c.status, c.source_url,
               (select f.via from raw.fetch_log as f where f.url = c.source_url and f.sha256 = c.sha256
                order by f.fetched_at desc limit 1),
               c.record::varchar
        from staging.current_reports as c where c.agency_id = ? and c.year = ?
        """,
        [agency_id, year],
    ).fetchone()
    if row is None:
        return None
    report = None if row[5] is None else Report.from_json(json.loads(row[5]))
    return Current(str(row[0]), str(row[1]), str(row[2]), row[3], row[4], report)


def last_load_time(con: duckdb.DuckDBPyConnection) -> datetime | None:
    """When the warehouse's reports last changed (latest staging.reports.extracted_at)."""
    row = con.execute("select max(extracted_at) from staging.reports").fetchone()
    return row[0] if row else None


def last_refresh_covered(con: duckdb.DuckDBPyConnection) -> datetime | None:
    """The latest load a refresh has already covered."""
    row = con.execute("select max(covered_to) from raw.refresh_log").fetchone()
    return row[0] if row else None


def report_years(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Every report year the warehouse holds."""
    return [int(r[0]) for r in con.execute("select distinct year from staging.reports order by 1").fetchall()]


def answered_hosts(con: duckdb.DuckDBPyConnection) -> tuple[str, ...]:
    """The hosts that have served a fetch (ok or not modified): a rerun without its catalog stays on them."""
    urls = con.execute(
        "select distinct url from raw.fetch_log where status in ('ok', 'not_modified') order by 1"
    ).fetchall()
    return tuple(sorted({h for (u,) in urls if (h := urlsplit(str(u)).hostname)}))


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


def findings(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Every stored finding of the current documents, as the `findings --format json` lines."""

    def num(v: float | None) -> int | float | None:
        return None if v is None else (int(v) if float(v).is_integer() else v)

    out = []
    for row in con.execute(
        """
        select r.agency_id, r.year, f.check_id, f.severity, f.table_name, f.row_code, f.column_code,
               f.proceeding, f.left_value, f.right_value, f.difference, r.sha256, f.locations::varchar,
               f.message, r.status
        from staging.findings as f
        join staging.current_reports as r using (report_id)
        order by r.agency_id, r.year, f.seq
        """
    ).fetchall():
        out.append(
            {
                "agency": row[0],
                "year": row[1],
                "check": row[2],
                "severity": row[3],
                "table": row[4],
                "row": row[5],
                "column": row[6],
                "proceeding": row[7],
                "left": num(row[8]),
                "right": num(row[9]),
                "difference": num(row[10]),
                "document": row[11],
                "locations": json.loads(row[12] or "[]"),
                "message": row[13],
                "report_status": row[14],
            }
        )
    return out
