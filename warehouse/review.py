"""Recording a reviewer's decision and loading the report again with it (the caller holds the write lock).

Decisions live in `staging.overrides` (who, when, why, on which document; never deleted — a later
correction of the same cell revokes the earlier one). Every load applies them (`admit`): corrections
replace the printed value and the report is checked again, so it is admitted only if it then passes; an
accepted report is admitted whatever its blocking findings, which stay stored beside it. A revocation
marks the decision it names revoked (kept, with when) and is itself recorded (who, when, why).
"""

from __future__ import annotations

import duckdb

from nianbao.expectations.admit import as_printed
from nianbao.expectations.review import decide, decide_revoke, refused
from nianbao.pipeline.clock import now
from nianbao.pipeline.model import Outcome, Override
from nianbao.warehouse import read, write
from nianbao.warehouse.ingest import load


def review(
    con: duckdb.DuckDBPyConnection,
    agency_id: str,
    year: int,
    action: str,
    *,
    decided_by: str,
    cell: str | None = None,
    value: str | None = None,
    citation: str | None = None,
    reason: str | None = None,
) -> Override:
    """Record a decision on the agency-year's current document; the stored decision."""
    cur = read.current(con, agency_id, year)
    if cur is None:
        raise refused(f"the warehouse has no report of {agency_id} for {year}")
    decision = decide(
        agency_id,
        year,
        cur.sha256,
        cur.status,
        cur.report,
        action,
        decided_by=decided_by,
        decided_at=now(),
        cell=cell,
        value=value,
        citation=citation,
        reason=reason,
    )
    return write.record_override(con, decision)


def revoke_decision(
    con: duckdb.DuckDBPyConnection, override_id: int, *, decided_by: str, reason: str
) -> Override:
    """Withdraw decision `override_id`, recorded as a `revoke` decision of its own; the stored revocation."""
    target = next((o for o in read.overrides(con) if o.override_id == override_id), None)
    decision = decide_revoke(target, override_id, decided_by=decided_by, decided_at=now(), reason=reason)
    return write.record_override(con, decision)


def reload(con: duckdb.DuckDBPyConnection, agency_id: str, year: int) -> Outcome:
    """Load the agency-year's current document again, as printed, with the decisions on it applied."""
    cur = read.current(con, agency_id, year)
    if cur is None or cur.report is None:
        raise refused(f"{agency_id} {year}: the current document is unreadable or missing")
    return load(con, [(cur.ref(agency_id, year), as_printed(cur.report))]).outcomes[0]
