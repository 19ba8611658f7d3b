"""Everything the warehouse writes, as it is given: outcomes, carry findings, documents, logs, decisions.

Outcomes are written atomically per report. A reload of an unchanged reading is decided before anything
costly: `digest(o)` (one orjson pass over the dataclasses, ~0.1 ms) is compared with the stored
`content_hash`. The rest is checked in Python against every constraint the tables enforce (keys present,
values of the column types and ranges), then a chunk of reports is written with one delete and one Arrow
insert per table, in one transaction. DuckDB rolls back a failing transaction as a whole, so if a chunk
still fails it is retried one transaction per report: every good report is kept, a bad one leaves no trace.
Nothing here checks or decides anything; `nianbao.expectations.admit` did.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import duckdb
import orjson

from nianbao.pipeline.catalog import Agency
from nianbao.pipeline.clock import now
from nianbao.pipeline.model import EXTRACTOR_VERSION, Finding, Outcome, Override, Report
from nianbao.warehouse.connect import transaction

if TYPE_CHECKING:  # pandas and pyarrow are imported where a write needs them: readers start fast
    import pyarrow as pa

FACT_TABLES = {
    "proactive": ("curated.fct_proactive", "item", "measure"),
    "applications": ("curated.fct_applications", "row_code", "applicant"),
    "review_litigation": ("curated.fct_review_litigation", "proceeding", "outcome"),
}
REPORT_COLUMNS = (
    "report_id",
    "agency_id",
    "year",
    "sha256",
    "source_url",
    "template",
    "status",
    "error_code",
    "error_message",
    "record",
    "extracted_at",
    "first_seen",
    "loaded_at",
    "extractor_version",
    "content_hash",
)
FINDING_COLUMNS = (
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
OVERRIDE_COLUMNS = (
    "override_id",
    "agency_id",
    "year",
    "sha256",
    "action",
    "cell",
    "printed_value",
    "value",
    "citation",
    "reason",
    "decided_by",
    "decided_at",
    "revoked_at",
)
CARRY = "cross_year_carry"
_BIGINT = 2**63 - 1
_DECIMAL_LIMIT = Decimal("1e16")  # decimal(18, 2)
_PROACTIVE = 10**16  # the same limit, for comparing ints and decimals alike
_FACT_COLUMNS = (
    "report_id",
    "a",
    "b",
    "value",
    "page",
    "bbox",
    "table_index",
    "cell",
    "line",
    "raw_text",
    "extractor_version",
)


def digest(o: Outcome) -> str:
    """The reading's fingerprint, stored as staging.reports.content_hash: equal digests, nothing to write.

    Everything the load writes except times, the cross_year_carry findings, which depend on the
    neighbouring years and are kept right by `replace_carry_findings` whenever one of them is written, and
    the URL: a report is its (agency, year) and its document's bytes, so the same bytes found at another
    address only move the report's `source_url` (issue 16), they do not change the report.
    """
    body = orjson.dumps(
        [
            o.agency_id,
            o.year,
            o.sha256,
            o.status,
            o.accepted_by,
            o.report,
            o.error_code,
            o.error_message,
            o.extractor_version,
            EXTRACTOR_VERSION,
            [f for f in o.findings if f.check != CARRY],
        ],
        default=str,
        option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS,
    )
    return hashlib.sha256(body).hexdigest()


def record_text(o: Outcome) -> str | None:
    """The canonical record with provenance as stored in staging.reports.record (sorted keys, compact)."""
    if o.report is None:
        return None
    return orjson.dumps(o.report.as_json(), option=orjson.OPT_SORT_KEYS, default=str).decode()


def refusal(o: Outcome) -> str | None:
    """Why the warehouse's constraints would refuse this outcome, or None when it would load."""
    if not o.agency_id or not o.sha256 or not isinstance(o.year, int):
        return "report key incomplete (agency_id, year, sha256)"
    if o.report is None or o.status != "loaded" or _plain_counts(o.report):
        return None
    for table, row, col, value in o.report.cells():
        if table not in FACT_TABLES or not row or not col:
            return f"unknown cell {table}.{row}.{col}"
        if value is None or isinstance(value, bool):
            return f"{table}.{row}.{col}: no value"
        if table == "proactive":
            if not isinstance(value, int | Decimal) or abs(Decimal(value)) >= _DECIMAL_LIMIT:
                return f"{table}.{row}.{col}: {value!r} does not fit decimal(18,2)"
        elif not isinstance(value, int) or abs(value) > _BIGINT:
            return f"{table}.{row}.{col}: {value!r} is not a bigint"
    return None


def _plain_counts(report: Report) -> bool:
    """Whether every cell is a plain int a bigint column takes (in table 2, an int or finite decimal that
    decimal(18,2) takes), its row and column named: `refusal`'s answer for nearly every report at a
    fraction of its cost (issue 17). False sends the report through the full check, which says why."""
    for row, cols in report.proactive.items():
        if not row:
            return False
        for col, v in cols.items():
            plain = type(v) is int or (type(v) is Decimal and v.is_finite())
            if not col or not plain or not -_PROACTIVE < v < _PROACTIVE:
                return False
    for name in ("applications", "review_litigation"):
        for row, cols in getattr(report, name).items():
            if not row:
                return False
            for col, v in cols.items():
                if not col or type(v) is not int or not -_BIGINT <= v <= _BIGINT:
                    return False
    return True


@dataclass
class Written:
    """What a write did: the reports written, those already stored as they are, and the refused ones."""

    changed: list[str] = field(default_factory=list)  # report ids
    unchanged: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)  # unchanged, but found at another URL (source_url updated)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (report_id, why)


Item = tuple[Outcome, str | None, str, datetime]  # outcome, record text, digest, first seen


def _stored(con: duckdb.DuckDBPyConnection, ids: list[str]) -> dict[str, tuple[str | None, Any, str | None]]:
    """report_id → (content_hash, first_seen, source_url) for the ids already stored."""
    rows = con.execute(
        "select report_id, content_hash, first_seen, source_url from staging.reports"
        " where report_id in (select unnest(?::varchar[]))",
        [ids],
    ).fetchall()
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def _first_seen(con: duckdb.DuckDBPyConnection, shas: list[str]) -> dict[str, datetime]:
    rows = con.execute(
        "select sha256, first_seen from raw.documents where sha256 in (select unnest(?::varchar[]))", [shas]
    ).fetchall()
    return {r[0]: r[1] for r in rows}


def _arrow(items: list[Item], stamp: datetime) -> dict[str, pa.Table]:
    """Arrow tables for staging.reports, staging.findings and the three fact tables of a set of reports."""
    import pyarrow as pa

    rep: dict[str, list[Any]] = {c: [] for c in REPORT_COLUMNS}
    fnd: dict[str, list[Any]] = {c: [] for c in FINDING_COLUMNS}
    facts: dict[str, dict[str, list[Any]]] = {t: {k: [] for k in _FACT_COLUMNS} for t in FACT_TABLES}
    for o, record, dig, first_seen in items:
        rid = o.report_id
        for col, value in zip(
            REPORT_COLUMNS,
            (
                rid,
                o.agency_id,
                o.year,
                o.sha256,
                o.source_url,
                o.report.template if o.report else None,
                o.status,
                o.error_code,
                o.error_message,
                record,
                o.extracted_at or stamp,
                first_seen,
                stamp,
                o.extractor_version,
                dig,
            ),
            strict=True,
        ):
            rep[col].append(value)
        for seq, f in enumerate(o.findings):
            for col, value in zip(FINDING_COLUMNS, _finding_values(rid, seq, f), strict=True):
                fnd[col].append(value)
        if o.status != "loaded" or o.report is None:
            continue
        prov = o.report.provenance
        for table, cols in facts.items():
            # column-wise comprehensions: ~3× faster than appending cell by cell (200 cells a report)
            cells = [(row, col, v) for row, vs in getattr(o.report, table).items() for col, v in vs.items()]
            locs = [prov.get(f"{table}.{row}.{col}") for row, col, _v in cells]
            cols["report_id"].extend([rid] * len(cells))
            cols["a"].extend([c[0] for c in cells])
            cols["b"].extend([c[1] for c in cells])
            cols["value"].extend(
                [str(c[2]) for c in cells] if table == "proactive" else [c[2] for c in cells]
            )
            cols["page"].extend([loc.page if loc else None for loc in locs])
            cols["bbox"].extend([(loc.bbox or None) if loc else None for loc in locs])  # tuples: Arrow lists
            cols["table_index"].extend([loc.table_index if loc else None for loc in locs])
            cols["cell"].extend([(loc.cell or None) if loc else None for loc in locs])
            cols["line"].extend([loc.line if loc else None for loc in locs])
            cols["raw_text"].extend([loc.raw if loc else None for loc in locs])
            cols["extractor_version"].extend([o.extractor_version] * len(cells))
    fields: list[pa.Field[Any]] = [
        pa.field("report_id", pa.string()),
        pa.field("a", pa.string()),
        pa.field("b", pa.string()),
        pa.field("value", pa.string()),
        pa.field("page", pa.int32()),
        pa.field("bbox", pa.list_(pa.float64())),
        pa.field("table_index", pa.int32()),
        pa.field("cell", pa.list_(pa.int32())),
        pa.field("line", pa.int32()),
        pa.field("raw_text", pa.string()),
        pa.field("extractor_version", pa.string()),
    ]
    fact_schema = pa.schema(fields)
    out = {
        "reports": pa.table(rep),
        "findings": pa.table({c: pa.array(v, _finding_type(c)) for c, v in fnd.items()}),
    }
    for table, cols in facts.items():
        schema = fact_schema if table == "proactive" else fact_schema.set(3, pa.field("value", pa.int64()))
        out[table] = pa.table(cols, schema=schema)
    return out


def _finding_values(report_id: str, seq: int, f: Finding) -> tuple[Any, ...]:
    return (
        report_id,
        seq,
        f.check,
        f.severity,
        f.table,
        f.row,
        f.column,
        f.proceeding,
        None if f.left is None else float(f.left),
        None if f.right is None else float(f.right),
        None if f.difference is None else float(f.difference),
        json.dumps(f.cells),
        json.dumps(f.locations, ensure_ascii=False),
        f.message,
    )


def _finding_type(col: str) -> pa.DataType:
    import pyarrow as pa

    if col == "seq":
        return pa.int32()
    if col in ("left_value", "right_value", "difference"):
        return pa.float64()
    return pa.string()


def _replace(con: duckdb.DuckDBPyConnection, items: list[Item], stamp: datetime) -> None:
    """Replace the rows of these reports (inside the caller's transaction): delete, then insert from Arrow."""
    frames = _arrow(items, stamp)
    # only reports already stored have rows to replace (a report's rows are written and deleted together,
    # here): the fact tables have no index, so each delete scans the whole table, which made a first load
    # grow with the square of its size (issue 17)
    ids = [
        r[0]
        for r in con.execute(
            "select report_id from staging.reports where report_id in (select unnest(?::varchar[]))",
            [[o.report_id for o, _, _, _ in items]],
        ).fetchall()
    ]
    if ids:
        for table in ("staging.reports", "staging.findings", *(t for t, _, _ in FACT_TABLES.values())):
            con.execute(f"delete from {table} where report_id in (select unnest(?::varchar[]))", [ids])
    for name, frame in frames.items():
        con.register(f"_load_{name}", frame)
    try:
        con.execute(
            f"insert into staging.reports ({', '.join(REPORT_COLUMNS)}) "
            "select * replace (record::json as record) from _load_reports"
        )
        if frames["findings"].num_rows:
            con.execute(
                f"insert into staging.findings ({', '.join(FINDING_COLUMNS)}) "
                "select * replace (cells::json as cells, locations::json as locations) from _load_findings"
            )
        for table, (target, a, b) in FACT_TABLES.items():
            if not frames[table].num_rows:
                continue
            value = "value::decimal(18, 2)" if table == "proactive" else "value"
            con.execute(
                f"insert into {target} (report_id, {a}, {b}, value, page, bbox, table_index, cell, line, "
                f"raw_text, extractor_version) select report_id, a, b, {value}, page, bbox, table_index, "
                f"cell, line, raw_text, extractor_version from _load_{table}"
            )
    finally:
        for name in frames:
            con.unregister(f"_load_{name}")


def _prepare(
    con: duckdb.DuckDBPyConnection, outcomes: list[Outcome], out: Written, stamp: datetime
) -> list[Item]:
    """The outcomes that need writing, with their record, digest and first-seen time (unchanged ones skipped)."""
    latest = {o.report_id: o for o in outcomes}  # the same report twice: the later reading wins
    stored = _stored(con, list(latest))
    todo: list[tuple[Outcome, str, tuple[str | None, Any, str | None] | None]] = []
    for rid, o in latest.items():
        why = refusal(o)
        if why:
            out.failed.append((rid, why))
            continue
        dig = digest(o)
        old = stored.get(rid)
        if old is not None and old[0] == dig:
            out.unchanged.append(rid)
            if o.source_url and old[2] != o.source_url:
                con.execute(
                    "update staging.reports set source_url = ? where report_id = ?", [o.source_url, rid]
                )
                out.moved.append(rid)
            continue
        todo.append((o, dig, old))
    seen = _first_seen(con, sorted({o.sha256 for o, _d, _old in todo})) if todo else {}
    return [
        (
            o,
            record_text(o),
            dig,
            (old[1] if old and old[1] else None) or o.first_seen or seen.get(o.sha256) or stamp,
        )
        for o, dig, old in todo
    ]


def write_outcomes(con: duckdb.DuckDBPyConnection, outcomes: Iterable[Outcome], chunk: int = 1000) -> Written:
    """Write outcomes, all-or-nothing per report, a chunk per transaction; what changed and what was refused."""
    out = Written()
    pending = list(outcomes)
    for start in range(0, len(pending), chunk):
        stamp = now()
        items = _prepare(con, pending[start : start + chunk], out, stamp)
        if not items:
            continue
        try:
            with transaction(con):
                _replace(con, items, stamp)
            out.changed += [o.report_id for o, *_ in items]
            continue
        except Exception:  # the chunk failed as a whole: retried one report per transaction below
            pass
        for item in items:
            try:
                with transaction(con):
                    _replace(con, [item], stamp)
                out.changed.append(item[0].report_id)
            except Exception as e:  # reported per report in the result, never swallowed
                out.failed.append((item[0].report_id, f"{type(e).__name__}: {e}"))
    return out


def replace_carry_findings(con: duckdb.DuckDBPyConnection, updates: Mapping[str, list[Finding]]) -> int:
    """Swap stored reports' cross_year_carry findings for these (only where they differ); reports changed."""
    if not updates:
        return 0
    rows = con.execute(
        "select report_id, column_code, left_value, right_value, locations::varchar from staging.findings"
        " where check_id = ? and report_id in (select unnest(?::varchar[])) order by report_id, seq",
        [CARRY, list(updates)],
    ).fetchall()
    stored: dict[str, list[tuple[Any, ...]]] = {}
    for rid, col, left, right, loc in rows:
        stored.setdefault(rid, []).append(_carry_key(col, left, right, json.loads(loc or "[]")))
    changed = 0
    for report_id, findings in updates.items():
        new = sorted(_carry_key(f.column, f.left, f.right, f.locations) for f in findings)
        if new == sorted(stored.get(report_id, [])):
            continue
        with transaction(con):
            con.execute(
                "delete from staging.findings where report_id = ? and check_id = ?", [report_id, CARRY]
            )
            row = con.execute(
                "select coalesce(max(seq), -1) from staging.findings where report_id = ?", [report_id]
            ).fetchone()
            seq = int(row[0]) + 1 if row else 0
            for i, f in enumerate(findings):
                con.execute(
                    f"insert into staging.findings ({', '.join(FINDING_COLUMNS)}) "
                    f"values ({', '.join('?' * len(FINDING_COLUMNS))})",
                    list(_finding_values(report_id, seq + i, f)),
                )
        changed += 1
    return changed


def _carry_key(column: str | None, left: Any, right: Any, locations: list[dict[str, Any]]) -> tuple[Any, ...]:
    def num(v: Any) -> Any:
        return None if v is None else float(v)

    return (column, num(left), num(right), json.dumps(locations, sort_keys=True, ensure_ascii=False))


def upsert_agencies(con: duckdb.DuckDBPyConnection, agencies: Iterable[Agency]) -> None:
    """The catalog's agencies into curated.dim_agency (replacing changed names or regions)."""
    import pandas as pd

    df = pd.DataFrame(
        [(a.id, a.name, a.region, a.level, a.kind) for a in agencies],
        columns=["agency_id", "name", "region", "level", "kind"],
    )
    if df.empty:
        return
    with transaction(con):
        con.execute("insert or replace into curated.dim_agency select * from df")


def record_document(
    con: duckdb.DuckDBPyConnection, sha256: str, size: int, fmt: str | None, store_path: str
) -> None:
    """A stored document in raw.documents (kept as first seen)."""
    record_documents(con, [(sha256, size, fmt, store_path)])


def _insert(con: duckdb.DuckDBPyConnection, insert: str, frame: pa.Table) -> None:
    """`insert … select * from` an Arrow table, in one transaction. DuckDB finds `frame` by its name in this
    function (a replacement scan): `register` would refuse a connection with an unread result pending."""
    with transaction(con):
        con.execute(f"{insert} select * from frame")


def record_documents(
    con: duckdb.DuckDBPyConnection, rows: Iterable[tuple[str, int, str | None, str]]
) -> None:
    """Stored documents (sha256, size, format, store path) in raw.documents, each kept as first seen, in one
    statement (a statement per document cost ~10 ms each: 11 s of a 1,000-report night; issue 17)."""
    import pyarrow as pa

    rows = list({r[0]: r for r in reversed(list(rows))}.values())  # one row per document: the first given
    if not rows:
        return
    sha, size, fmt, path = (list(c) for c in zip(*rows, strict=True))
    frame = pa.table(
        {
            "sha256": pa.array(sha, pa.string()),
            "size_bytes": pa.array(size, pa.int64()),
            "format": pa.array(fmt, pa.string()),
            "first_seen": pa.array([now()] * len(rows), pa.timestamp("us")),
            "store_path": pa.array(path, pa.string()),
        }
    )
    _insert(con, "insert or ignore into raw.documents", frame)


FETCH_LOG_COLUMNS = (
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
)


def log_attempts(con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]]) -> None:
    """Append fetch attempts (raw.fetch_log rows) in one transaction."""
    if not rows:
        return
    import pandas as pd

    df = pd.DataFrame([[r.get(c) for c in FETCH_LOG_COLUMNS] for r in rows], columns=list(FETCH_LOG_COLUMNS))
    df["fetched_at"] = df["fetched_at"].fillna(now())
    with transaction(con):
        con.execute(f"insert or replace into raw.fetch_log ({', '.join(FETCH_LOG_COLUMNS)}) select * from df")
        con.execute(_KEEP_VALIDATORS)


# raw.url_validators after new fetch_log rows (`df`): each URL's latest successful fetch among them replaces
# what the table holds unless that is later (rows of an earlier night written late change nothing)
_KEEP_VALIDATORS = """
insert into raw.url_validators (url, etag, last_modified, sha256, fetched_at, attempt)
select url, latest.etag, latest.last_modified, latest.sha256, latest.fetched_at, latest.attempt
from (
    select url,
           arg_max({'etag': etag, 'last_modified': last_modified, 'sha256': sha256,
                    'fetched_at': fetched_at, 'attempt': attempt},
                   (fetched_at, coalesce(attempt, 0))) as latest
    from df
    where status in ('ok', 'not_modified') and sha256 is not null
    group by url
)
on conflict (url) do update set
    etag = excluded.etag, last_modified = excluded.last_modified, sha256 = excluded.sha256,
    fetched_at = excluded.fetched_at, attempt = excluded.attempt
    where (excluded.fetched_at, coalesce(excluded.attempt, 0))
          >= (url_validators.fetched_at, coalesce(url_validators.attempt, 0))
"""


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


def log_ingests(con: duckdb.DuckDBPyConnection, rows: list[tuple[Any, ...]]) -> None:
    """`log_ingest` for many documents in one statement: (run_id, sha256, agency_id, year, url, status,
    changed, error_code, error) each."""
    import pyarrow as pa

    rows = list({r[:4]: r for r in rows}.values())  # one row per key, the last given (as a row at a time did)
    if not rows:
        return
    columns = {
        "run_id": pa.string(),
        "sha256": pa.string(),
        "agency_id": pa.string(),
        "year": pa.int32(),
        "url": pa.string(),
        "status": pa.string(),
        "changed": pa.bool_(),
        "error_code": pa.string(),
        "error": pa.string(),
    }
    values = zip(*rows, strict=True)
    frame = pa.table(
        {
            **{name: pa.array(v, t) for (name, t), v in zip(columns.items(), values, strict=True)},
            "logged_at": pa.array([now()] * len(rows), pa.timestamp("us")),
        }
    )
    _insert(con, "insert or replace into raw.ingest_log", frame)  # executemany: ~15 ms a row


def log_refresh(
    con: duckdb.DuckDBPyConnection, run_id: str, covered_to: datetime | None, years: list[int]
) -> None:
    """Record a refresh and the last load it covered."""
    con.execute(
        "insert or replace into raw.refresh_log values (?, ?, ?, ?)",
        [run_id, covered_to, ",".join(map(str, years)), now()],
    )


def record_override(con: duckdb.DuckDBPyConnection, o: Override) -> Override:
    """Store a decision (its id assigned here); a correction revokes the earlier correction of the same cell,
    a revocation the decision it names (by id, in `value`)."""
    with transaction(con):
        if o.action == "revoke":
            con.execute(
                "update staging.overrides set revoked_at = ? where override_id = ? and revoked_at is null",
                [o.decided_at, int(o.value or 0)],
            )
        if o.action == "correct":
            con.execute(
                "update staging.overrides set revoked_at = ? where sha256 = ? and agency_id = ? and year = ?"
                " and action = 'correct' and cell = ? and revoked_at is null",
                [o.decided_at, o.sha256, o.agency_id, o.year, o.cell],
            )
        row = con.execute("select coalesce(max(override_id), 0) + 1 from staging.overrides").fetchone()
        stored = Override(
            **{**{c: getattr(o, c) for c in OVERRIDE_COLUMNS}, "override_id": int(row[0]) if row else 1}
        )
        con.execute(
            f"insert into staging.overrides ({', '.join(OVERRIDE_COLUMNS)}) "
            f"values ({', '.join('?' * len(OVERRIDE_COLUMNS))})",
            [getattr(stored, c) for c in OVERRIDE_COLUMNS],
        )
    return stored
