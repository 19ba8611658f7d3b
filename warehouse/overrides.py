"""Review overrides: a reviewer accepts a quarantined report, or corrects one cell citing a source.

Decisions live in `staging.overrides` (who, when, why, on which document; never deleted — a later
correction of the same cell revokes the earlier one). Every load applies them (`apply_overrides`, hooked
into warehouse/load.py): corrections replace the printed value in the record and the report is validated
again, so it is admitted only if it then passes; an accepted report is admitted whatever its blocking
findings, which stay stored beside it. A rerun of the same document therefore keeps them applied.
"""

from __future__ import annotations

import getpass
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from nianbao.pipeline import tables as T
from nianbao.pipeline.errors import NianbaoError
from nianbao.pipeline.model import BLOCKING_CHECKS, WARNING_CHECKS, Finding, Location, Report
from nianbao.pipeline.settings import load_settings

if TYPE_CHECKING:
    from nianbao.warehouse.load import Outcome

SPEC_CHECKS = frozenset(BLOCKING_CHECKS + WARNING_CHECKS)
ACTIONS = ("accept", "correct")
_COLUMNS = (
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


class ReviewError(NianbaoError):
    """A review decision that cannot be recorded (no such report, unknown cell, missing citation)."""

    def __init__(self, message: str) -> None:
        super().__init__("review_refused", message)


@dataclass(frozen=True)
class Override:
    """One recorded decision."""

    override_id: int
    agency_id: str
    year: int
    sha256: str
    action: str
    cell: str | None
    printed_value: str | None
    value: str | None
    citation: str | None
    reason: str | None
    decided_by: str
    decided_at: datetime
    revoked_at: datetime | None = None

    def as_json(self) -> dict[str, Any]:
        """Plain JSON (times as ISO strings)."""
        d = {c: getattr(self, c) for c in _COLUMNS}
        d["decided_at"] = self.decided_at.isoformat()
        d["revoked_at"] = self.revoked_at.isoformat() if self.revoked_at else None
        return d


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def reviewer() -> str:
    """Who is deciding: $NIANBAO_REVIEWER, else the login name."""
    return load_settings().reviewer or getpass.getuser()


def _rows(con: duckdb.DuckDBPyConnection, where: str, params: list[Any]) -> list[Override]:
    try:
        rows = con.execute(
            f"select {', '.join(_COLUMNS)} from staging.overrides where {where} order by override_id", params
        ).fetchall()
    except duckdb.CatalogException:  # a warehouse from before migration 010
        return []
    return [Override(*row) for row in rows]


def list_overrides(
    con: duckdb.DuckDBPyConnection,
    agency_id: str | None = None,
    year: int | None = None,
    include_revoked: bool = True,
) -> list[Override]:
    """Recorded decisions, oldest first, optionally of one agency (and year)."""
    where, params = ["true"], []
    if agency_id:
        where.append("agency_id = ?")
        params.append(agency_id)
    if year is not None:
        where.append("year = ?")
        params.append(year)
    if not include_revoked:
        where.append("revoked_at is null")
    return _rows(con, " and ".join(where), params)


def active_overrides(
    con: duckdb.DuckDBPyConnection, keys: list[tuple[str, int, str]]
) -> dict[tuple[str, int, str], list[Override]]:
    """The unrevoked decisions on each (agency, year, sha256), oldest first."""
    out: dict[tuple[str, int, str], list[Override]] = {}
    if not keys:
        return out
    shas = sorted({k[2] for k in keys})
    wanted = set(keys)
    for o in _rows(con, "revoked_at is null and sha256 in (select unnest(?::varchar[]))", [shas]):
        key = (o.agency_id, o.year, o.sha256)
        if key in wanted:
            out.setdefault(key, []).append(o)
    return out


def _current(
    con: duckdb.DuckDBPyConnection, agency_id: str, year: int
) -> tuple[str, str, str, Report | None]:
    row = con.execute(
        "select report_id, sha256, status, record::varchar from staging.current_reports where agency_id = ? and year = ?",
        [agency_id, year],
    ).fetchone()
    if row is None:
        raise ReviewError(f"the warehouse has no report of {agency_id} for {year}")
    return (
        str(row[0]),
        str(row[1]),
        str(row[2]),
        None if row[3] is None else Report.from_json(json.loads(row[3])),
    )


def parse_value(cell: str, text: str) -> int | Decimal:
    """A reviewer's value for a cell: an integer count (≥ 0 except table 2's change), or yuan for money."""
    table, _row, col = cell.split(".")
    try:
        if table == "proactive" and col in T.MONEY_MEASURES:
            value: int | Decimal = Decimal(text)
        else:
            value = int(text)
    except (ValueError, InvalidOperation) as e:
        raise ReviewError(f"{cell}: {text!r} is not a number") from e
    if value < 0 and not (table == "proactive" and col in T.SIGNED_MEASURES):
        raise ReviewError(f"{cell}: {text} < 0")
    return value


def record_override(
    con: duckdb.DuckDBPyConnection,
    agency_id: str,
    year: int,
    action: str,
    *,
    cell: str | None = None,
    value: str | None = None,
    citation: str | None = None,
    reason: str | None = None,
    decided_by: str | None = None,
) -> Override:
    """Record a decision on the agency-year's current document; the stored Override."""
    if action not in ACTIONS:
        raise ReviewError(f"unknown action {action!r}")
    _rid, sha, status, report = _current(con, agency_id, year)
    if report is None:
        raise ReviewError(
            f"{agency_id} {year}: the current document was unreadable ({status}); nothing to review"
        )
    printed: str | None = None
    if action == "accept":
        if not (reason or "").strip():
            raise ReviewError("accept needs --reason")
        if status != "quarantined":
            raise ReviewError(f"{agency_id} {year} is {status}, not quarantined: nothing to accept")
    else:
        if not cell or value is None:
            raise ReviewError("correct needs --cell table.row.column=value")
        if not (citation or "").strip():
            raise ReviewError("correct needs --citation (a URL or a document that shows the right value)")
        if tuple(cell.split(".")) not in set(T.expected_cells(report.template)):
            raise ReviewError(f"{cell} is not a cell of the {report.template} template")
        value = str(parse_value(cell, value))
        earlier = [
            o
            for o in active_overrides(con, [(agency_id, year, sha)]).get((agency_id, year, sha), [])
            if o.action == "correct" and o.cell == cell
        ]
        if earlier:  # the document's own value, not an earlier correction's
            printed = earlier[0].printed_value
        else:
            from nianbao.expectations.frames import get_value

            v = get_value(report, cell)
            printed = None if v is None else str(v)
    stamp = _now()
    con.execute("begin transaction")
    try:
        if action == "correct":
            con.execute(
                "update staging.overrides set revoked_at = ? where sha256 = ? and agency_id = ? and year = ?"
                " and action = 'correct' and cell = ? and revoked_at is null",
                [stamp, sha, agency_id, year, cell],
            )
        row = con.execute("select coalesce(max(override_id), 0) + 1 from staging.overrides").fetchone()
        oid = int(row[0]) if row else 1
        o = Override(
            oid,
            agency_id,
            year,
            sha,
            action,
            cell,
            printed,
            value,
            citation,
            reason,
            decided_by or reviewer(),
            stamp,
        )
        con.execute(
            f"insert into staging.overrides ({', '.join(_COLUMNS)}) values ({', '.join('?' * len(_COLUMNS))})",
            [getattr(o, c) for c in _COLUMNS],
        )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return o


def apply_corrections(report: Report, overrides: list[Override]) -> Report:
    """The report with each correction's value in place and a note of it in `warnings` (in place, returned)."""
    report.warnings = [w for w in report.warnings if w.get("code") != "review_correction"]
    for o in overrides:
        if o.action != "correct" or not o.cell or o.value is None:
            continue
        table, row, col = o.cell.split(".")
        value = parse_value(o.cell, o.value)
        getattr(report, table).setdefault(row, {})[col] = value
        report.warnings.append(
            {
                "code": "review_correction",
                "cell": o.cell,
                "printed": o.printed_value,
                "value": o.value,
                "override_id": o.override_id,
                "citation": o.citation,
                "by": o.decided_by,
                "at": o.decided_at.isoformat(),
            }
        )
    return report


def apply_overrides(con: duckdb.DuckDBPyConnection, outcomes: list[Outcome]) -> int:
    """Apply the recorded decisions to outcomes about to be loaded (corrected ones re-validated); how many."""
    readable = [o for o in outcomes if o.report is not None]
    found = active_overrides(con, [(o.agency_id, o.year, o.sha256) for o in readable])
    todo = [
        (o, found[(o.agency_id, o.year, o.sha256)])
        for o in readable
        if (o.agency_id, o.year, o.sha256) in found
    ]
    if not todo:
        return 0
    from nianbao.expectations.checkpoint import validate_batch
    from nianbao.warehouse.carry import previous_report

    previous = {}
    for k, (o, decisions) in enumerate(todo):
        apply_corrections(o.report, decisions)  # type: ignore[arg-type]
        accepts = [d for d in decisions if d.action == "accept"]
        o.accepted_by = f"override {accepts[-1].override_id} by {accepts[-1].decided_by}" if accepts else None
        p = previous_report(con, o.agency_id, o.year)
        if p is not None:
            previous[k] = p
    validation = validate_batch([o.report for o, _d in todo], previous)  # type: ignore[misc]
    for k, (o, _d) in enumerate(todo):
        o.findings = validation.findings.get(k, []) + [f for f in o.findings if f.check not in SPEC_CHECKS]
    return len(todo)


def _stored_other_findings(con: duckdb.DuckDBPyConnection, report_id: str) -> list[Finding]:
    rows = con.execute(
        "select check_id, table_name, row_code, column_code, proceeding, left_value, right_value, cells::varchar,"
        " locations::varchar, message from staging.findings where report_id = ? order by seq",
        [report_id],
    ).fetchall()

    def num(v: float | None) -> int | float | None:
        return None if v is None else (int(v) if float(v).is_integer() else v)

    return [
        Finding(
            c,
            t,
            r,
            col,
            p,
            num(left),
            num(right),
            json.loads(cells or "[]"),
            json.loads(locs or "[]"),
            msg or "",
        )
        for c, t, r, col, p, left, right, cells, locs, msg in rows
        if c not in SPEC_CHECKS
    ]


def _as_printed(
    con: duckdb.DuckDBPyConnection, sha: str, stored: Report, overrides: list[Override]
) -> Report:
    """The document's own reading: extracted again from the raw store, else the stored record un-corrected."""
    row = con.execute("select store_path from raw.documents where sha256 = ?", [sha]).fetchone()
    if row and row[0] and Path(row[0]).exists():
        from nianbao.pipeline.extract import extract_report

        return extract_report(Path(row[0]).read_bytes())
    for o in overrides:
        if o.action == "correct" and o.cell and o.printed_value is not None:
            table, r, col = o.cell.split(".")
            getattr(stored, table).setdefault(r, {})[col] = parse_value(o.cell, o.printed_value)
    stored.warnings = [w for w in stored.warnings if w.get("code") != "review_correction"]
    return stored


def reprocess(con: duckdb.DuckDBPyConnection, agency_id: str, year: int) -> Outcome:
    """Load the agency-year's current document again with its decisions applied; the resulting Outcome."""
    from nianbao.warehouse.load import Outcome, load_outcome

    report_id, sha, _status, stored = _current(con, agency_id, year)
    if stored is None:
        raise ReviewError(f"{agency_id} {year}: the current document is unreadable")
    decisions = active_overrides(con, [(agency_id, year, sha)]).get((agency_id, year, sha), [])
    url_row = con.execute(
        "select source_url from staging.reports where report_id = ?", [report_id]
    ).fetchone()
    o = Outcome(
        agency_id, year, sha, url_row[0] if url_row else None, report=_as_printed(con, sha, stored, decisions)
    )
    from nianbao.expectations.checkpoint import validate_batch
    from nianbao.warehouse.carry import previous_report

    assert o.report is not None
    prev = previous_report(con, agency_id, year)
    o.findings = validate_batch([o.report], {0: prev} if prev else None).findings.get(0, [])
    o.findings += _stored_other_findings(con, report_id)
    load_outcome(con, o)  # applies the decisions (and re-validates) on its way in
    return o


def location_of(report: Report, cell: str) -> Location | None:
    """Where a cell sits in its document (for showing a reviewer what they are correcting)."""
    return report.provenance.get(cell)
