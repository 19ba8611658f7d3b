"""The ingest steps as plain functions (Prefect tasks wrap these): extract → check → compare siblings → outcome.

Nothing here opens the warehouse itself: callers pass a connection (held under the warehouse lock)
or the values read from it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Any

import duckdb

from nianbao.expectations.checkpoint import validate_batch
from nianbao.pipeline.errors import ExtractError
from nianbao.pipeline.extract import extract_report
from nianbao.pipeline.model import EXTRACTOR_VERSION, Finding, Report
from nianbao.warehouse.load import Outcome

DISAGREEMENT = "document_disagreement"


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
        return asdict(self)

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


@cache
def code_version() -> str:
    """EXTRACTOR_VERSION plus a hash of the readers' and checks' sources: a code change invalidates cached reads."""
    h = hashlib.sha256(EXTRACTOR_VERSION.encode())
    root = Path(__file__).resolve().parent
    for folder in (root / "extract", root / "tables", root.parent / "expectations"):
        for p in sorted(folder.glob("*.py")):
            h.update(p.name.encode())
            h.update(p.read_bytes())
    return f"{EXTRACTOR_VERSION}+{h.hexdigest()[:12]}"


def extract_document(data: bytes) -> Report | ExtractError:
    """The document's report, or the typed reason it cannot be read (never an exception)."""
    try:
        return extract_report(data)
    except ExtractError as e:
        return e
    except Exception as e:  # a reader bug must not stop the night: quarantine the document with the reason
        return ExtractError("extractor_error", f"{type(e).__name__}: {e}")


def previous_carried_out(con: duckdb.DuckDBPyConnection, agency_id: str, year: int) -> dict[str, int] | None:
    """The agency's previous-year admitted report's carried_out, by applicant, if the warehouse has it."""
    rows = con.execute(
        """
        select f.applicant, f.value from curated.fct_applications f
        join curated.admitted_reports a using (report_id)
        where a.agency_id = ? and a.year = ? and f.row_code = 'carried_out'
        """,
        [agency_id, year - 1],
    ).fetchall()
    return {a: int(v) for a, v in rows} or None


PreviousLookup = Callable[[str, int], dict[str, int] | None]


def build_outcomes(
    refs: list[DocRef], results: list[Report | ExtractError], previous: PreviousLookup
) -> list[Outcome]:
    """Outcomes of extracted documents, the readable ones validated in one GX batch."""
    outcomes: list[Outcome] = []
    readable: list[tuple[int, Report]] = []
    for ref, result in zip(refs, results, strict=True):
        o = Outcome(ref.agency_id, ref.year, ref.sha256, ref.url)
        if isinstance(result, ExtractError):
            o.error_code, o.error_message = result.code, result.message
        else:
            o.report = result
            readable.append((len(outcomes), result))
        outcomes.append(o)
    in_batch = {
        (outcomes[i].agency_id, outcomes[i].year): r.applications.get("carried_out", {}) for i, r in readable
    }
    prev: dict[int, dict[str, int]] = {}
    for k, (i, _r) in enumerate(readable):
        o = outcomes[i]
        p = in_batch.get((o.agency_id, o.year - 1)) or previous(o.agency_id, o.year)
        if p:
            prev[k] = p
    if readable:
        validation = validate_batch([r for _, r in readable], prev)  # type: ignore[arg-type]
        for k, (i, _r) in enumerate(readable):
            outcomes[i].findings = list(validation.findings.get(k, []))
    return outcomes


def _tables(record: dict[str, Any]) -> dict[str, Any]:
    return {t: record.get(t) or {} for t in ("proactive", "applications", "review_litigation")}


def record_differences(a: dict[str, Any], b: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """(table.row.column, a's value, b's value) for every cell where two canonical records differ."""
    out: list[tuple[str, Any, Any]] = []
    ta, tb = _tables(a), _tables(b)
    for table in ta:
        for row in sorted(set(ta[table]) | set(tb[table])):
            ra, rb = ta[table].get(row) or {}, tb[table].get(row) or {}
            for col in sorted(set(ra) | set(rb)):
                va, vb = ra.get(col), rb.get(col)
                if va != vb and not (va is not None and vb is not None and float(va) == float(vb)):
                    out.append((f"{table}.{row}.{col}", va, vb))
    return out


def disagreement(
    report: Report, other_sha: str, other_url: str | None, other_record: dict[str, Any]
) -> Finding | None:
    """A warning finding when a document's tables differ from another document of the same article page."""
    diffs = record_differences(report.canonical(), other_record)
    if not diffs:
        return None
    cell, mine, theirs = diffs[0]
    table, row, col = cell.split(".", 2)
    nums = [v for v in (mine, theirs) if isinstance(v, int | float) or v is None]
    left, right = (mine, theirs) if len(nums) == 2 else (None, None)
    loc = report.provenance.get(cell)
    return Finding(
        DISAGREEMENT,
        table,
        row,
        col,
        left=left,
        right=right,
        cells=[d[0] for d in diffs],
        locations=([{"ref": cell, **loc.as_json()}] if loc else [])
        + [{"ref": cell, "document": other_sha, "url": other_url}],
        message=f"{len(diffs)} cells differ from the same article's other document {other_sha[:12]} "
        f"({other_url}); first: {cell} = {mine} here, {theirs} there",
    )


def add_disagreements(o: Outcome, others: list[tuple[str, str, str]]) -> None:
    """Append a document_disagreement finding per sibling (sha256, url, record json) whose tables differ."""
    if o.report is None:
        return
    o.findings = [f for f in o.findings if f.check != DISAGREEMENT]
    for sha, url, record in others:
        if sha == o.sha256:
            continue
        f = disagreement(o.report, sha, url, json.loads(record))
        if f is not None:
            o.findings.append(f)
