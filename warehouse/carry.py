"""`cross_year_carry` across loads: a report is compared with its neighbours whichever year arrives first.

When year Y of an agency is loaded, Y is validated against the stored Y−1 (`previous_report`, used by
ingest before validation) and the stored Y+1 is re-validated against Y (`recheck_following`, after the
load), replacing Y+1's `cross_year_carry` findings. Both sides are the agency-year's current document,
whatever its status (a quarantined report's printed carried_out is still what it printed), with
review corrections applied (they are in the stored record).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import duckdb

from nianbao.expectations.checkpoint import validate_batch
from nianbao.expectations.frames import Previous
from nianbao.pipeline import tables as T
from nianbao.pipeline.model import Finding, Location, Report

if TYPE_CHECKING:
    from nianbao.warehouse.load import Outcome

CHECK = "cross_year_carry"
_COLUMNS = (
    "report_id",
    "seq",
    "check_id",
    "severity",
    "table_name",
    "row_code",
    "column_code",
    "proceeding",
    "left_value",
    "right_value",
    "difference",
    "cells",
    "locations",
    "message",
)


def current_report(
    con: duckdb.DuckDBPyConnection, agency_id: str, year: int
) -> tuple[str, str, Report] | None:
    """(report_id, sha256, report) of the agency-year's current document, if it was readable."""
    row = con.execute(
        "select report_id, sha256, record::varchar from staging.current_reports"
        " where agency_id = ? and year = ? and record is not null",
        [agency_id, year],
    ).fetchone()
    if row is None:
        return None
    return str(row[0]), str(row[1]), Report.from_json(json.loads(row[2]))


_PREVIOUS_SQL = """
with k as (select unnest(?::varchar[]) as agency_id, unnest(?::integer[]) as year)
select c.agency_id, c.year + 1, c.sha256, (c.record->'applications'->'carried_out')::varchar,
       {provenance}
from staging.current_reports as c join k on c.agency_id = k.agency_id and c.year = k.year - 1
where c.record is not null
"""


def previous_reports(
    con: duckdb.DuckDBPyConnection, keys: Iterable[tuple[str, int]]
) -> dict[tuple[str, int], Previous]:
    """For each (agency, year): the stored year − 1 as `cross_year_carry` compares it (one query, no full records)."""
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
            carried_out={a: int(v) for a, v in json.loads(carried).items()},
            document=sha,
            year=int(year) - 1,
            provenance=prov,
        )
    return out


def previous_report(con: duckdb.DuckDBPyConnection, agency_id: str, year: int) -> Previous | None:
    """The agency's stored report for year − 1 as `cross_year_carry` compares it, or None."""
    return previous_reports(con, [(agency_id, year)]).get((agency_id, year))


def disagrees(report: Report, previous: Previous) -> bool:
    """Whether any applicant column's carried_in differs from the previous carried_out (a cheap pre-filter)."""
    carried_in = report.applications.get("carried_in", {})
    return any(a in carried_in and carried_in[a] != v for a, v in previous.carried_out.items())


def check_previous(con: duckdb.DuckDBPyConnection, outcomes: list[Outcome]) -> int:
    """Replace the cross_year_carry findings of outcomes about to load: against year − 1 in this batch, else stored."""
    readable = [o for o in outcomes if o.report is not None]
    if not readable:
        return 0
    in_batch = {(o.agency_id, o.year): o for o in readable}  # the later reading wins, as in the load
    stored = previous_reports(
        con, [(o.agency_id, o.year) for o in readable if (o.agency_id, o.year - 1) not in in_batch]
    )
    previous: dict[int, Previous] = {}
    for k, o in enumerate(readable):
        before = in_batch.get((o.agency_id, o.year - 1))
        if before is not None and before.report is not None:
            carried = before.report.applications.get("carried_out")
            if carried:
                previous[k] = Previous(dict(carried), before.sha256, o.year - 1, before.report.provenance)
        elif (o.agency_id, o.year) in stored:
            previous[k] = stored[(o.agency_id, o.year)]
    # GX only where a column differs: a per-report load would otherwise pay a ~80 ms GX run for nothing
    differ = {k: p for k, p in previous.items() if disagrees(readable[k].report, p)}  # type: ignore[arg-type]
    found: dict[int, list[Finding]] = {}
    if differ:
        keys = sorted(differ)
        checked = validate_batch(
            [readable[k].report for k in keys],
            {i: differ[k] for i, k in enumerate(keys)},  # type: ignore[misc]
            only=["carry"],
        ).findings
        found = {keys[i]: fs for i, fs in checked.items()}
    for k, o in enumerate(readable):
        o.findings = [f for f in o.findings if f.check != CHECK] + found.get(k, [])
    return len(previous)


def _key(f: dict[str, Any] | Finding) -> tuple[Any, ...]:
    d = f.as_json() if isinstance(f, Finding) else f
    return (
        d["column"],
        d["left"],
        d["right"],
        json.dumps(d["locations"], sort_keys=True, ensure_ascii=False),
    )


def _stored(con: duckdb.DuckDBPyConnection, report_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """The stored cross_year_carry findings of these reports (one query)."""
    rows = con.execute(
        "select report_id, column_code, left_value, right_value, locations::varchar from staging.findings"
        " where check_id = ? and report_id in (select unnest(?::varchar[])) order by report_id, seq",
        [CHECK, report_ids],
    ).fetchall()

    def num(v: float | None) -> int | float | None:
        return None if v is None else (int(v) if float(v).is_integer() else v)

    out: dict[str, list[dict[str, Any]]] = {}
    for rid, c, left, right, loc in rows:
        out.setdefault(rid, []).append(
            {"column": c, "left": num(left), "right": num(right), "locations": json.loads(loc or "[]")}
        )
    return out


def replace_findings(con: duckdb.DuckDBPyConnection, report_id: str, findings: list[Finding]) -> None:
    """Swap a stored report's cross_year_carry findings for these, in one transaction."""
    con.execute("begin transaction")
    try:
        con.execute("delete from staging.findings where report_id = ? and check_id = ?", [report_id, CHECK])
        row = con.execute(
            "select coalesce(max(seq), -1) from staging.findings where report_id = ?", [report_id]
        ).fetchone()
        seq = int(row[0]) + 1 if row else 0
        for i, f in enumerate(findings):
            con.execute(
                f"insert into staging.findings ({', '.join(_COLUMNS)}) values ({', '.join('?' * len(_COLUMNS))})",
                [
                    report_id,
                    seq + i,
                    f.check,
                    f.severity,
                    f.table,
                    f.row,
                    f.column,
                    f.proceeding,
                    f.left,
                    f.right,
                    f.difference,
                    json.dumps(f.cells),
                    json.dumps(f.locations, ensure_ascii=False),
                    f.message,
                ],
            )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise


def recheck_following(con: duckdb.DuckDBPyConnection, loaded: Iterable[tuple[str, int]]) -> int:
    """After loading these (agency, year)s: re-validate each stored year + 1 against them; reports changed.

    The caller leaves out a year whose year + 1 was checked against it already: `load_outcomes` knows
    which (a year + 1 written in the same or a later chunk), so this function cannot tell from the keys
    alone (a year + 1 written in an earlier chunk was checked against the old year and must be redone).
    """
    keys = sorted(set(loaded))
    if not keys:
        return 0
    cells = [f"applications.carried_in.{a}" for a in T.APPLICANT_CODES]
    provenance = ", ".join(f"(c.record->'provenance'->'{c}')::varchar" for c in cells)
    rows = con.execute(  # one query for the whole load: the stored next years, only what the check reads
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
    if not rows:
        return 0
    before = previous_reports(con, [(agency_id, int(year)) for agency_id, year, *_rest in rows])
    targets: list[tuple[str, Report, Previous | None]] = []
    for agency_id, year, rid, template, carried, *locs in rows:
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
        targets.append((rid, report, before.get((agency_id, int(year)))))
    previous = {k: p for k, (_rid, r, p) in enumerate(targets) if p is not None and disagrees(r, p)}
    found = (
        validate_batch([r for _rid, r, _p in targets], previous, only=["carry"]).findings if previous else {}
    )
    stored = _stored(con, [rid for rid, _r, _p in targets])
    changed = 0
    for k, (report_id, _r, _p) in enumerate(targets):
        new = [f for f in found.get(k, []) if f.check == CHECK]
        if sorted(map(_key, new)) == sorted(map(_key, stored.get(report_id, []))):
            continue
        replace_findings(con, report_id, new)
        changed += 1
    return changed
