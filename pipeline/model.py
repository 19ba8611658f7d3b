"""The canonical report record (spec/report.schema.json) and the provenance kept beside it."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from decimal import Decimal
from typing import Any

from nianbao.pipeline.numbers import amount_to_json

SCHEMA_ID = "nianbao.report/1"
EXTRACTOR_VERSION = "0.1.0"


_ROUNDED: dict[float, float] = {}


def _round2(v: float) -> float:
    """round(v, 2), remembered: a report's boxes share a few coordinates (its tables' grid lines), and
    rounding is most of the cost of a location's JSON (issue 17). Only non-zero floats are remembered
    (0.0 and -0.0, or 5 and 5.0, are equal keys that round differently)."""
    if type(v) is not float or not v:
        return round(v, 2)
    r = _ROUNDED.get(v)
    if r is None:
        if len(_ROUNDED) >= 1 << 16:
            _ROUNDED.clear()
        r = _ROUNDED[v] = round(v, 2)
    return r


@dataclass(frozen=True)
class Location:
    """Where a value sits in its source: page+bbox in a PDF, table+cell in HTML/DOCX, line in text."""

    raw: str
    page: int | None = None
    bbox: tuple[float, float, float, float] | None = None
    table_index: int | None = None
    cell: tuple[int, int] | None = None
    line: int | None = None
    conf: float | None = None  # an OCR'd value: the least sure character's probability (issue 13)

    def as_json(self) -> dict[str, Any]:
        """Only the fields that are set."""
        out: dict[str, Any] = {}
        if self.page is not None:
            out["page"] = self.page
        if self.bbox is not None:
            out["bbox"] = [_round2(v) for v in self.bbox]
        if self.table_index is not None:
            out["table_index"] = self.table_index
        if self.cell is not None:
            out["cell"] = list(self.cell)
        if self.line is not None:
            out["line"] = self.line
        out["raw"] = self.raw
        if self.conf is not None:
            out["conf"] = round(self.conf, 3)
        return out

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Location:
        """Inverse of `as_json`."""
        return cls(
            raw=d.get("raw", ""),
            page=d.get("page"),
            bbox=tuple(d["bbox"]) if d.get("bbox") else None,
            table_index=d.get("table_index"),
            cell=tuple(d["cell"]) if d.get("cell") else None,
            line=d.get("line"),
            conf=d.get("conf"),
        )


Value = int | Decimal


@dataclass
class Reading:
    """How a report was read: the method, what had to be assumed, whether it is verified, and reader facts.

    `assumptions` are the decisions the reader took beyond what the printed labels say, each
    `{"what": code, "why": one line, …}` (the agency taken from the signature, a row's cells filled from a
    printed zero row, an alignment the tables' identities chose, a fee read from a "none collected"
    sentence). `verified` is set by the checks (`nianbao.expectations`): true only when nothing was assumed
    and every blocking identity holds; None until checked. `details` are reader facts, e.g. for a PDF the
    pages pdfminer read instead of pdfium (and why) and the fonts the document does not embed.
    """

    method: str = "text"
    assumptions: list[dict[str, Any]] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    verified: bool | None = None

    def assume(self, what: str, why: str, **facts: Any) -> None:
        """Record a decision taken beyond the printed labels (once per `what` and facts)."""
        entry = {"what": what, "why": why, **facts}
        if entry not in self.assumptions:
            self.assumptions.append(entry)

    def assumed(self) -> list[str]:
        """The codes of what was assumed, in the order it was."""
        return [str(a["what"]) for a in self.assumptions]

    def as_json(self) -> dict[str, Any]:
        """The `reading` object of an extracted report."""
        return {
            "method": self.method,
            "verified": self.verified,
            "assumptions": list(self.assumptions),
            **self.details,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Reading:
        """Inverse of `as_json`."""
        rest = {k: v for k, v in d.items() if k not in ("method", "assumptions", "verified")}
        return cls(d.get("method", "text"), list(d.get("assumptions", [])), rest, d.get("verified"))


@dataclass
class Report:
    """One annual report's three tables in canonical codes, values as printed, with provenance.

    `proactive[item][measure]`, `applications[row][applicant]`, `review_litigation[proceeding][outcome]`.
    `provenance` maps "table.row.column" to the Location of the printed value.
    """

    agency: str
    year: int
    template: str
    proactive: dict[str, dict[str, Value]] = field(default_factory=dict)
    applications: dict[str, dict[str, int]] = field(default_factory=dict)
    review_litigation: dict[str, dict[str, int]] = field(default_factory=dict)
    processing_fees_yuan: Decimal | None = None
    provenance: dict[str, Location] = field(default_factory=dict)
    narrative: dict[str, dict[str, Any]] = field(default_factory=dict)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    format: str = "text"
    reading: Reading = field(default_factory=Reading)

    def cells(self) -> list[tuple[str, str, str, Value]]:
        """Every value as (table, row, column, value)."""
        out: list[tuple[str, str, str, Value]] = []
        for table in ("proactive", "applications", "review_litigation"):
            for row, cols in getattr(self, table).items():
                out.extend((table, row, col, v) for col, v in cols.items())
        return out

    def canonical(self) -> dict[str, Any]:
        """The record exactly as report.schema.json describes it (no provenance)."""

        def num(v: Value) -> int | float:
            return amount_to_json(v) if isinstance(v, Decimal) else v

        return {
            "schema": SCHEMA_ID,
            "agency": self.agency,
            "year": self.year,
            "template": self.template,
            "proactive": {i: {m: num(v) for m, v in ms.items()} for i, ms in self.proactive.items()},
            "applications": {r: dict(cs) for r, cs in self.applications.items()},
            "review_litigation": {p: dict(os) for p, os in self.review_litigation.items()},
            "processing_fees_yuan": None
            if self.processing_fees_yuan is None
            else amount_to_json(self.processing_fees_yuan),
        }

    def as_json(self) -> dict[str, Any]:
        """The canonical record plus provenance, narrative claims and extraction warnings."""
        out = self.canonical()
        out["provenance"] = {k: loc.as_json() for k, loc in self.provenance.items()}
        out["narrative"] = self.narrative
        out["warnings"] = self.warnings
        out["format"] = self.format
        out["reading"] = self.reading.as_json()
        out["extractor_version"] = EXTRACTOR_VERSION
        return out

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Report:
        """Rebuild a Report from `as_json()` / `canonical()` output (money back to Decimal)."""

        def money(v: Any) -> Decimal:
            return Decimal(str(v))

        proactive = {
            i: {m: (money(v) if m == "amount_yuan" else int(v)) for m, v in ms.items()}
            for i, ms in d["proactive"].items()
        }
        fees = d.get("processing_fees_yuan")
        return cls(
            agency=d["agency"],
            year=int(d["year"]),
            template=d["template"],
            proactive=proactive,
            applications={r: {c: int(v) for c, v in cs.items()} for r, cs in d["applications"].items()},
            review_litigation={
                p: {o: int(v) for o, v in os.items()} for p, os in d["review_litigation"].items()
            },
            processing_fees_yuan=None if fees is None else money(fees),
            provenance={k: Location.from_json(v) for k, v in d.get("provenance", {}).items()},
            narrative=d.get("narrative", {}),
            warnings=d.get("warnings", []),
            format=d.get("format", "text"),
            reading=Reading.from_json(d.get("reading") or {}),
        )


SEVERITIES = ("blocking", "warning")


@dataclass
class Finding:
    """One failed check instance: which cells, both sides' values, and where they sit in the source.

    `severity` is the check's (blocking: the report is quarantined; warning: it is loaded, the finding
    stored beside it); the checks themselves are declared in `nianbao.expectations.checks`.
    """

    check: str
    table: str | None = None
    row: str | None = None
    column: str | None = None
    proceeding: str | None = None
    left: int | float | None = None
    right: int | float | None = None
    cells: list[str] = field(default_factory=list)
    locations: list[dict[str, Any]] = field(default_factory=list)
    message: str = ""
    severity: str = ""

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(
                f"finding {self.check}: severity must be one of {SEVERITIES}, not {self.severity!r}"
            )

    @property
    def blocking(self) -> bool:
        """Whether this finding keeps its report out of the curated tables."""
        return self.severity == "blocking"

    @property
    def difference(self) -> int | float | None:
        """left − right, when both are known."""
        if self.left is None or self.right is None:
            return None
        return self.left - self.right

    def as_json(self) -> dict[str, Any]:
        """The finding's own fields (the caller adds agency, year and document)."""
        return {
            "check": self.check,
            "severity": self.severity,
            "table": self.table,
            "row": self.row,
            "column": self.column,
            "proceeding": self.proceeding,
            "left": self.left,
            "right": self.right,
            "difference": self.difference,
            "cells": self.cells,
            "locations": self.locations,
            "message": self.message,
        }


@dataclass(frozen=True)
class DocRef:
    """A stored document to ingest: the agency-year it is for, where it came from, and its hash."""

    agency_id: str
    year: int
    url: str | None
    sha256: str
    via: str | None = None  # the article page it hangs on, when it was found there

    def as_dict(self) -> dict[str, Any]:
        """Plain dict (a flow parameter, an event payload)."""
        return {
            "agency_id": self.agency_id,
            "year": self.year,
            "url": self.url,
            "sha256": self.sha256,
            "via": self.via,
        }

    @classmethod
    def parse(cls, d: dict[str, Any]) -> DocRef:
        """From a flow parameter or event payload (strings from templates included)."""
        return cls(
            str(d.get("agency_id") or d["agency"]),
            int(d["year"]),
            d.get("url") or None,
            str(d["sha256"]),
            d.get("via") or None,
        )


@dataclass
class Previous:
    """The same agency's previous-year report, as `cross_year_carry` compares with it."""

    carried_out: dict[str, int]
    document: str | None = None  # its sha256
    year: int | None = None
    provenance: dict[str, Location] = field(default_factory=dict)


OVERRIDE_ACTIONS = ("accept", "correct", "revoke")


@dataclass(frozen=True)
class Override:
    """A reviewer's recorded decision on one document: accept it as printed, or correct one cell citing a source."""

    override_id: int
    agency_id: str
    year: int
    sha256: str
    action: str  # accept | correct | revoke
    cell: str | None  # table.row.column (correct; revoke: the withdrawn correction's cell)
    printed_value: str | None  # what the document prints there (correct)
    value: str | None  # the corrected value (correct); revoke: the id of the decision withdrawn
    citation: str | None
    reason: str | None
    decided_by: str
    decided_at: datetime
    revoked_at: datetime | None = None

    def as_json(self) -> dict[str, Any]:
        """Plain JSON (times as ISO strings)."""
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d["decided_at"] = self.decided_at.isoformat()
        d["revoked_at"] = self.revoked_at.isoformat() if self.revoked_at else None
        return d


@dataclass
class Outcome:
    """What became of one document: its report (if it was read), its findings, and so its status."""

    agency_id: str
    year: int
    sha256: str
    source_url: str | None
    report: Report | None = None
    findings: list[Finding] = field(default_factory=list)
    error_code: str | None = None
    error_message: str | None = None
    extractor_version: str = EXTRACTOR_VERSION
    extracted_at: datetime | None = None  # default: the load time
    first_seen: datetime | None = None  # default: raw.documents.first_seen, else the load time
    accepted_by: str | None = None  # a reviewer's accept: admitted despite blocking findings

    @property
    def report_id(self) -> str:
        """agency/year/sha256: one document's reading of one agency-year."""
        return f"{self.agency_id}/{self.year}/{self.sha256}"

    @property
    def status(self) -> str:
        """unreadable, quarantined (a blocking finding not accepted by a reviewer) or loaded."""
        if self.report is None:
            return "unreadable"
        if self.accepted_by is None and any(f.blocking for f in self.findings):
            return "quarantined"
        return "loaded"
