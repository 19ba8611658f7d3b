"""Writing to the warehouse: documents, fetch attempts, and whole reports in one transaction each."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import duckdb
import pandas as pd

from pipeline.catalog import Agency
from pipeline.model import Finding, Report


def now() -> datetime:
    """The current UTC time, without tzinfo (DuckDB TIMESTAMP)."""
    return datetime.now(UTC).replace(tzinfo=None)


def upsert_agencies(con: duckdb.DuckDBPyConnection, agencies: list[Agency]) -> None:
    """The catalog's agencies into curated.dim_agency (replacing changed names or regions)."""
    con.execute("begin transaction")
    for a in agencies:
        con.execute(
            "insert or replace into curated.dim_agency values (?, ?, ?, ?, ?)",
            [a.id, a.name, a.region, a.level, a.kind],
        )
    con.execute("commit")


def record_document(con: duckdb.DuckDBPyConnection, sha256: str, size: int, fmt: str | None, store_path: str) -> None:
    """A stored document in raw.documents (kept as first seen)."""
    con.execute(
        "insert or ignore into raw.documents values (?, ?, ?, ?, ?)", [sha256, size, fmt, now(), store_path]
    )


def log_fetch(con: duckdb.DuckDBPyConnection, row: dict[str, Any]) -> None:
    """One fetch attempt into raw.fetch_log."""
    cols = ["attempt_id", "run_id", "agency_id", "year", "url", "status", "http_status", "size_bytes",
            "sha256", "error_code", "error", "fetched_at"]
    con.execute(
        f"insert or replace into raw.fetch_log ({', '.join(cols)}) values ({', '.join('?' * len(cols))})",
        [row.get(c) for c in cols[:-1]] + [row.get("fetched_at") or now()],
    )


@dataclass
class Outcome:
    """What became of one document: the report (if read), its findings, and its status."""

    agency_id: str
    year: int
    sha256: str
    source_url: str | None
    report: Report | None = None
    findings: list[Finding] = field(default_factory=list)
    error_code: str | None = None
    error_message: str | None = None

    @property
    def report_id(self) -> str:
        """agency/year/sha256: one document's reading of one agency-year."""
        return f"{self.agency_id}/{self.year}/{self.sha256}"

    @property
    def status(self) -> str:
        """unreadable, quarantined (a blocking finding) or loaded."""
        if self.report is None:
            return "unreadable"
        if any(f.severity == "blocking" for f in self.findings):
            return "quarantined"
        return "loaded"


def _record_json(o: Outcome) -> str | None:
    return None if o.report is None else json.dumps(o.report.as_json(), ensure_ascii=False, sort_keys=True)


def _unchanged(con: duckdb.DuckDBPyConnection, o: Outcome) -> bool:
    row = con.execute(
        "select status, record::varchar, error_code from staging.reports where report_id = ?", [o.report_id]
    ).fetchone()
    if row is None:
        return False
    stored = None if row[1] is None else json.dumps(json.loads(row[1]), ensure_ascii=False, sort_keys=True)
    n = con.execute("select count(*) from staging.findings where report_id = ?", [o.report_id]).fetchone()
    return (row[0], stored, row[2]) == (o.status, _record_json(o), o.error_code) and n is not None and n[0] == len(
        o.findings
    )


def load_outcome(con: duckdb.DuckDBPyConnection, o: Outcome) -> bool:
    """Write one document's outcome atomically; returns False when the warehouse already holds exactly it."""
    if _unchanged(con, o):
        return False
    con.execute("begin transaction")
    try:
        for table in ("staging.reports", "staging.findings", "curated.fct_proactive",
                      "curated.fct_applications", "curated.fct_review_litigation"):
            con.execute(f"delete from {table} where report_id = ?", [o.report_id])
        con.execute(
            "insert into staging.reports values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [o.report_id, o.agency_id, o.year, o.sha256, o.source_url,
             o.report.template if o.report else None, o.status, o.error_code, o.error_message,
             _record_json(o), now()],
        )
        for seq, f in enumerate(o.findings):
            con.execute(
                "insert into staging.findings values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [o.report_id, seq, f.check, f.severity, f.table, f.row, f.column, f.proceeding,
                 f.left, f.right, f.difference, json.dumps(f.cells), json.dumps(f.locations, ensure_ascii=False),
                 f.message],
            )
        if o.status == "loaded" and o.report is not None:
            _insert_facts(con, o.report_id, o.report)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return True


def _insert_facts(con: duckdb.DuckDBPyConnection, report_id: str, report: Report) -> None:
    """The report's cells into the three long fact tables (bulk, through pandas)."""
    by_table: dict[str, list[tuple[str, str, str, Any]]] = {"proactive": [], "applications": [], "review_litigation": []}
    for table, row, col, value in report.cells():
        by_table[table].append((report_id, row, col, value))
    for table, rows in by_table.items():
        if not rows:
            continue
        df = pd.DataFrame(rows, columns=["report_id", "a", "b", "value"])
        if table == "proactive":
            df["value"] = df["value"].astype(str)
            con.execute("insert into curated.fct_proactive select report_id, a, b, value::decimal(18,2) from df")
        else:
            con.execute(f"insert into curated.fct_{table} select report_id, a, b, value::bigint from df")
