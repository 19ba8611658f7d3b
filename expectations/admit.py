"""The one admission of a report: extracted documents + what the warehouse knows → outcomes.

`admit` is pure: given each document's reading (a Report, or the typed reason it could not be read),
the previous years stored for their agencies, the reviewers' decisions on these documents and the other
documents of the same article pages, it applies the corrections, runs every check once over the batch
(cross_year_carry against the previous year in the batch, else the stored one), adds the
document_disagreement warnings, and decides each outcome: unreadable, quarantined (a blocking finding a
reviewer has not accepted) or loaded. The warehouse writes what it is given.

When a year is written, the stored following year's carry must be judged again against it:
`recheck_carry` does that with the same check.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from nianbao.expectations.checks import disagreement, verified
from nianbao.expectations.validate import Validation, validate
from nianbao.pipeline import tables as T
from nianbao.pipeline.errors import ExtractError
from nianbao.pipeline.model import DocRef, Finding, Outcome, Override, Previous, Report

CORRECTION = "review_correction"  # the warning a correction leaves in the report


@dataclass(frozen=True)
class Sibling:
    """Another readable document of the same article page, as stored: its hash, URL and canonical record."""

    sha256: str
    url: str | None
    record: dict[str, Any]


@dataclass
class Known:
    """What the warehouse knows that admission needs, keyed as the lookups below say."""

    previous: dict[tuple[str, int], Previous] = field(
        default_factory=dict
    )  # (agency, year) → stored year − 1
    overrides: dict[tuple[str, int, str], list[Override]] = field(
        default_factory=dict
    )  # (agency, year, sha256)
    siblings: dict[DocRef, list[Sibling]] = field(default_factory=dict)
    agency_names: dict[str, str] = field(default_factory=dict)  # agency id → its name in the catalog


@dataclass
class Admission:
    """The outcomes, in the order of the documents given, and the validation that decided them."""

    outcomes: list[Outcome]
    validation: Validation


def parse_value(cell: str, text: str) -> int | Decimal:
    """A reviewer's value for a cell: an integer count (≥ 0 except table 2's change), or yuan for money."""
    table, _row, col = cell.split(".")
    try:
        value: int | Decimal = (
            Decimal(text) if table == "proactive" and col in T.MONEY_MEASURES else int(text)
        )
    except (ValueError, InvalidOperation) as e:
        raise ValueError(f"{cell}: {text!r} is not a number") from e
    if value < 0 and not (table == "proactive" and col in T.SIGNED_MEASURES):
        raise ValueError(f"{cell}: {text} < 0")
    return value


def apply_corrections(report: Report, overrides: Sequence[Override]) -> Report:
    """The report with each correction's value in place and a `review_correction` warning for each (in place)."""
    report.warnings = [w for w in report.warnings if w.get("code") != CORRECTION]
    for o in overrides:
        if o.action != "correct" or not o.cell or o.value is None:
            continue
        table, row, col = o.cell.split(".")
        getattr(report, table).setdefault(row, {})[col] = parse_value(o.cell, o.value)
        report.warnings.append(
            {
                "code": CORRECTION,
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


def as_printed(report: Report) -> Report:
    """A stored (possibly corrected) report as its document prints it: every correction undone."""
    out = copy.deepcopy(report)
    for w in out.warnings:
        if w.get("code") != CORRECTION:
            continue
        table, row, col = str(w["cell"]).split(".")
        printed = w.get("printed")
        cells = getattr(out, table).setdefault(row, {})
        if printed is None:
            cells.pop(col, None)
        else:
            cells[col] = parse_value(str(w["cell"]), str(printed))
    out.warnings = [w for w in out.warnings if w.get("code") != CORRECTION]
    return out


def accepted_by(overrides: Sequence[Override]) -> str | None:
    """Who accepted the document as printed (the latest accept), if anyone did."""
    accepts = [o for o in overrides if o.action == "accept"]
    return f"override {accepts[-1].override_id} by {accepts[-1].decided_by}" if accepts else None


def _own(reading: Report) -> Report:
    """The reading as an outcome's report that admission may change (its agency, `reading`) without
    touching the reading it was given; the tables, which admission only reads, are shared."""
    r = reading.reading
    return replace(reading, reading=replace(r, assumptions=list(r.assumptions), details=dict(r.details)))


def admit(documents: Sequence[tuple[DocRef, Report | ExtractError]], known: Known) -> Admission:
    """Each document's outcome: corrections applied, every check run once over the batch, status decided."""
    outcomes: list[Outcome] = []
    readable: list[int] = []
    for ref, reading in documents:
        o = Outcome(ref.agency_id, ref.year, ref.sha256, ref.url)
        if isinstance(reading, ExtractError):
            o.error_code, o.error_message = reading.code, reading.message
        else:
            decisions = known.overrides.get((ref.agency_id, ref.year, ref.sha256), [])
            o.report = apply_corrections(copy.deepcopy(reading), decisions) if decisions else _own(reading)
            o.accepted_by = accepted_by(decisions)
            name = known.agency_names.get(ref.agency_id)
            if not o.report.agency and name:  # the document names no body anywhere: the catalog's
                o.report.agency = name
                o.report.reading.assume(
                    "agency_from_catalog",
                    "the document names no issuing body: the catalog's agency",
                    agency_id=ref.agency_id,
                )
            readable.append(len(outcomes))
        outcomes.append(o)
    # the previous year: in this batch (its later reading wins), else as stored
    in_batch = {(outcomes[i].agency_id, outcomes[i].year): outcomes[i] for i in readable}
    previous: dict[int, Previous] = {}
    for k, i in enumerate(readable):
        o = outcomes[i]
        before = in_batch.get((o.agency_id, o.year - 1))
        carried = before.report.applications.get("carried_out") if before and before.report else None
        if before is not None and before.report is not None and carried:
            previous[k] = Previous(dict(carried), before.sha256, o.year - 1, before.report.provenance)
        elif (o.agency_id, o.year) in known.previous:
            previous[k] = known.previous[(o.agency_id, o.year)]
    reports: list[Report] = [outcomes[i].report for i in readable]  # type: ignore[misc]
    names = {
        k: known.agency_names[outcomes[i].agency_id]
        for k, i in enumerate(readable)
        if outcomes[i].agency_id in known.agency_names
    }
    validation = validate(reports, previous, catalog_names=names) if reports else Validation()
    for k, i in enumerate(readable):
        o = outcomes[i]
        o.findings = list(validation.findings.get(k, []))
        batch_siblings = _earlier_siblings(documents, outcomes, readable[:k], i)
        stored = [
            s for s in known.siblings.get(documents[i][0], []) if s.url not in {b.url for b in batch_siblings}
        ]
        for s in [*stored, *batch_siblings]:
            if s.sha256 != o.sha256 and o.report is not None:
                f = disagreement(o.report, s.sha256, s.url, s.record)
                if f is not None:
                    o.findings.append(f)
        if o.report is not None:
            o.report.reading.verified = verified(o.report, o.findings)
    return Admission(outcomes, validation)


def _earlier_siblings(
    documents: Sequence[tuple[DocRef, Report | ExtractError]],
    outcomes: list[Outcome],
    earlier: list[int],
    i: int,
) -> list[Sibling]:
    """Documents of the same article page read earlier in this batch (as if already stored, as a load would)."""
    ref = documents[i][0]
    if not ref.via:
        return []
    return [
        Sibling(outcomes[j].sha256, documents[j][0].url, outcomes[j].report.canonical())  # type: ignore[union-attr]
        for j in earlier
        if documents[j][0].via == ref.via
        and documents[j][0].url != ref.url
        and (outcomes[j].agency_id, outcomes[j].year) == (ref.agency_id, ref.year)
    ]


@dataclass(frozen=True)
class Following:
    """A stored report whose previous year was just written: its carried_in and where it is printed."""

    report_id: str
    report: Report  # only carried_in and its provenance are needed
    previous: Previous | None  # the previous year as now stored


def recheck_carry(following: Sequence[Following]) -> dict[str, list[Finding]]:
    """The cross_year_carry findings each following report has now (empty list: none)."""
    reports = [f.report for f in following]
    previous = {k: f.previous for k, f in enumerate(following) if f.previous is not None}
    found = validate(reports, previous, only=["cross_year_carry"]).findings if previous else {}
    return {f.report_id: found.get(k, []) for k, f in enumerate(following)}


def record_of(text: str) -> dict[str, Any]:
    """A stored record (JSON text) as a dict."""
    value: dict[str, Any] = json.loads(text)
    return value
