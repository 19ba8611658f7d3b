"""What makes a reviewer's decision admissible, decided from the stored reading alone (pure).

A reviewer may accept a quarantined report as printed (with a reason), or correct one cell of the
report's template (with a citation: a URL or document that shows the right value). A correction records
the value the document itself prints, even over an earlier correction of the same cell. A decision in
force may be revoked (with a reason): the revocation is a decision of its own, naming the one withdrawn.
"""

from __future__ import annotations

from datetime import datetime

from nianbao.expectations.admit import as_printed, parse_value
from nianbao.expectations.checks import get_value
from nianbao.pipeline import tables as T
from nianbao.pipeline.errors import ReviewError
from nianbao.pipeline.model import OVERRIDE_ACTIONS, Override, Report


def refused(message: str) -> ReviewError:
    """The error a refused decision raises."""
    return ReviewError("review_refused", message)


def decide(
    agency_id: str,
    year: int,
    sha256: str,
    status: str,
    report: Report | None,
    action: str,
    *,
    decided_by: str,
    decided_at: datetime,
    cell: str | None = None,
    value: str | None = None,
    citation: str | None = None,
    reason: str | None = None,
) -> Override:
    """The decision to record on the agency-year's current document (its id is assigned when stored)."""
    if action not in OVERRIDE_ACTIONS or action == "revoke":
        raise refused(f"unknown action {action!r}")
    if report is None:
        raise refused(
            f"{agency_id} {year}: the current document was unreadable ({status}); nothing to review"
        )
    printed: str | None = None
    if action == "accept":
        if not (reason or "").strip():
            raise refused("accept needs --reason")
        if status != "quarantined":
            raise refused(f"{agency_id} {year} is {status}, not quarantined: nothing to accept")
    else:
        if not cell or value is None:
            raise refused("correct needs --cell table.row.column=value")
        if not (citation or "").strip():
            raise refused("correct needs --citation (a URL or a document that shows the right value)")
        if tuple(cell.split(".")) not in set(T.expected_cells(report.template)):
            raise refused(f"{cell} is not a cell of the {report.template} template")
        try:
            value = str(parse_value(cell, value))
        except ValueError as e:
            raise refused(str(e)) from e
        v = get_value(as_printed(report), cell)  # the document's own value, not an earlier correction's
        printed = None if v is None else str(v)
    return Override(
        0, agency_id, year, sha256, action, cell, printed, value, citation, reason, decided_by, decided_at
    )


def decide_revoke(
    target: Override | None, override_id: int, *, decided_by: str, decided_at: datetime, reason: str
) -> Override:
    """The revocation of decision `override_id` (`target` as stored, None when there is none)."""
    if target is None:
        raise refused(f"no decision {override_id} on record (see `nianbao review list`)")
    if target.action == "revoke":
        raise refused(f"decision {override_id} is itself a revocation; record the decision again instead")
    if target.revoked_at is not None:
        raise refused(f"decision {override_id} was already revoked at {target.revoked_at:%Y-%m-%d %H:%M:%S}")
    if not (reason or "").strip():
        raise refused("revoke needs --reason")
    return Override(
        0,
        target.agency_id,
        target.year,
        target.sha256,
        "revoke",
        target.cell,
        None,
        str(override_id),
        None,
        reason,
        decided_by,
        decided_at,
    )
