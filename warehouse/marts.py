"""The rollup marts as tables: refreshed by year from their `build.*` definitions once per run.

`refresh_marts(con)` fingerprints the inputs of each year (the report rows and their blocking findings;
a rewritten report always has a new `loaded_at` and `content_hash`) and of the dimensions every year
reads (agencies, codes, templates), and rewrites the rows of the years whose fingerprint moved since the
last refresh — plus the year after each, whose year-over-year change reads it. With nothing moved it
costs one small query. A run (and a review decision) calls it once at its end, before the analysts'
snapshot is published; `source(con)` tells a reader to read the `build` views instead when it finds the
tables stale (a writer that has not refreshed yet, or a read-only file).
"""

from __future__ import annotations

import duckdb

from nianbao.pipeline.clock import now
from nianbao.warehouse.connect import MARTS, transaction

ALL = "*"

_FINGERPRINTS = """
with r as (
    select year, count(*) as n,
           bit_xor(hash(report_id, agency_id, sha256, template, status, error_code, first_seen, extracted_at,
                        loaded_at, content_hash)) as h
    from staging.reports
    group by year
),
f as (
    select r.year, count(*) as n, bit_xor(hash(f.report_id, f.seq, f.check_id)) as h
    from staging.findings as f
    join staging.reports as r using (report_id)
    where f.severity = 'blocking'
    group by r.year
),
d as (
    select (select count(*) || ':' || coalesce(bit_xor(hash(agency_id, name, region, level, kind)), 0)
            from curated.dim_agency)
           || '/' || (select count(*) || ':' || coalesce(bit_xor(hash(table_name, code_kind, code, short_label_zh,
                                                                       group_code, sort_order)), 0)
                      from curated.dim_code)
           || '/' || (select count(*) || ':' || coalesce(bit_xor(hash(template, first_year, last_year)), 0)
                      from curated.dim_template) as fp
),
ff as (  -- documents found but never fetched: marts.coverage shows them
    select year, count(*) as n, bit_xor(hash(attempt_id)) as h
    from raw.fetch_log
    where role = 'document' and status = 'failed' and year is not null
    group by year
),
y as (select year from r union select year from ff)
select cast(y.year as varchar),
       coalesce(r.n, 0) || ':' || coalesce(r.h, 0) || '/' || coalesce(f.n, 0) || ':' || coalesce(f.h, 0)
       || '/' || coalesce(ff.n, 0) || ':' || coalesce(ff.h, 0)
from y left join r using (year) left join f using (year) left join ff using (year)
union all
select '*', fp from d
"""


def fingerprints(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """scope → fingerprint of the marts' inputs: one per report year, and '*' for the dimensions."""
    return {str(s): str(fp) for s, fp in con.execute(_FINGERPRINTS).fetchall()}


def _refreshed(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return {
        str(s): str(fp)
        for s, fp in con.execute("select scope, fingerprint from build.refresh_state").fetchall()
    }


def stale_years(con: duckdb.DuckDBPyConnection) -> set[int] | None:
    """The years whose mart rows no longer match their inputs (None: every year, the dimensions moved)."""
    current, done = fingerprints(con), _refreshed(con)
    if current.get(ALL) != done.get(ALL):
        return None
    scopes = (set(current) | set(done)) - {ALL}
    return {int(s) for s in scopes if current.get(s) != done.get(s)}


def is_fresh(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether every mart table matches its inputs (works on read-only connections)."""
    return stale_years(con) == set()


def refresh_marts(con: duckdb.DuckDBPyConnection, force: bool = False) -> list[int]:
    """Rewrite the mart rows of the years whose inputs changed (all with `force`), in one transaction; those years."""
    current, done = fingerprints(con), _refreshed(con)
    scopes = (set(current) | set(done)) - {ALL}
    if force or current.get(ALL) != done.get(ALL):
        years = {int(s) for s in scopes}
    else:
        years = {int(s) for s in scopes if current.get(s) != done.get(s)}
    if not years and current == done:
        return []
    touched = sorted(years | {y + 1 for y in years})  # yoy_change of year + 1 reads year
    with transaction(con):
        for name in MARTS:
            con.execute(f"delete from marts.{name} where year in (select unnest(?::integer[]))", [touched])
            con.execute(
                f"insert into marts.{name} select * from build.{name} "
                "where year in (select unnest(?::integer[]))",
                [touched],
            )
        con.execute("delete from build.refresh_state")
        con.execute(
            "insert into build.refresh_state select unnest(?::varchar[]), unnest(?::varchar[]), ?",
            [list(current), list(current.values()), now()],
        )
    return sorted(years)


def source(con: duckdb.DuckDBPyConnection) -> str:
    """The schema to read the marts from: the `marts` tables when they are fresh, else the `build` views.
    An analysts' snapshot has no `build` schema: its tables were refreshed just before it was published."""
    has_build = con.execute(
        "select count(*) from duckdb_schemas() where schema_name = 'build' and database_name = current_database()"
    ).fetchone()
    if not has_build or not has_build[0]:
        return "marts"
    return "marts" if is_fresh(con) else "build"
