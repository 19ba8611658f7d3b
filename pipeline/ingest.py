"""The pipeline's steps as plain functions (Prefect tasks wrap these): fetch → store → extract → check → load."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb

from expectations.checkpoint import validate_batch
from pipeline.catalog import Agency, Catalog
from pipeline.errors import ExtractError, FetchError
from pipeline.extract import extract_report, sniff
from pipeline.fetch import fetch
from pipeline.model import Report
from pipeline.rawstore import RawStore
from pipeline.settings import Settings
from warehouse.load import Outcome, load_outcome, log_fetch, now, record_document


@dataclass
class Document:
    """A fetched document: the agency-year it is for, where it came from, and its hash (or why it failed)."""

    agency_id: str
    year: int
    url: str
    sha256: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    http_status: int | None = None
    size: int | None = None


def fetch_document(agency: Agency, year: int, url: str, catalog: Catalog, store: RawStore, settings: Settings) -> Document:
    """Fetch one document and keep its bytes in the raw store before anything parses them."""
    try:
        got = fetch(url, catalog.allowed_hosts, retries=settings.retries, timeout_s=settings.timeout_s,
                    max_bytes=settings.max_bytes)
    except FetchError as e:
        return Document(agency.id, year, url, error_code=e.code, error_message=e.message)
    assert got.data is not None
    digest = store.put(got.data)
    return Document(agency.id, year, url, sha256=digest, http_status=got.status, size=len(got.data))


def record_fetch(con: duckdb.DuckDBPyConnection, run_id: str, doc: Document, store: RawStore) -> None:
    """Log the attempt, and the stored document, in the warehouse's raw layer."""
    if doc.sha256:
        data = store.get(doc.sha256)
        try:
            fmt: str | None = sniff(data)
        except ExtractError:
            fmt = None
        record_document(con, doc.sha256, len(data), fmt, str(store.path(doc.sha256)))
    log_fetch(con, {
        "attempt_id": f"{run_id}:{doc.url}", "run_id": run_id, "agency_id": doc.agency_id, "year": doc.year,
        "url": doc.url, "status": "ok" if doc.sha256 else "failed", "http_status": doc.http_status,
        "size_bytes": doc.size, "sha256": doc.sha256, "error_code": doc.error_code, "error": doc.error_message,
        "fetched_at": now(),
    })


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


def check_and_build(
    con: duckdb.DuckDBPyConnection, docs: list[Document], store: RawStore
) -> list[Outcome]:
    """Extract every fetched document and validate the readable ones in one batch."""
    outcomes: list[Outcome] = []
    readable: list[tuple[int, Report]] = []
    for doc in docs:
        if doc.sha256 is None:
            continue
        result = extract_document(store.get(doc.sha256))
        o = Outcome(doc.agency_id, doc.year, doc.sha256, doc.url)
        if isinstance(result, ExtractError):
            o.error_code, o.error_message = result.code, result.message
        else:
            o.report = result
            readable.append((len(outcomes), result))
        outcomes.append(o)
    reports = [r for _, r in readable]
    batch_prev: dict[tuple[str, int], dict[str, int]] = {}
    for (i, r) in readable:
        batch_prev[(outcomes[i].agency_id, outcomes[i].year)] = r.applications.get("carried_out", {})
    prev: dict[int, dict[str, int]] = {}
    for k, (i, _r) in enumerate(readable):
        o = outcomes[i]
        p = batch_prev.get((o.agency_id, o.year - 1)) or previous_carried_out(con, o.agency_id, o.year)
        if p:
            prev[k] = p
    validation = validate_batch(reports, prev)
    for k, (i, _r) in enumerate(readable):
        outcomes[i].findings = validation.findings.get(k, [])
    return outcomes


def load_all(con: duckdb.DuckDBPyConnection, outcomes: list[Outcome]) -> dict[str, Any]:
    """Load each outcome in its own transaction; counts of what changed."""
    changed = sum(load_outcome(con, o) for o in outcomes)
    return {"changed": changed}
