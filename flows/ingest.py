"""`ingest`: for one or more stored documents, extract → check → load, then announce each report's fate.

Idempotent by content hash: extraction is cached on (sha256, code version); the load writes a report
only when the warehouse does not already hold exactly it, so retries, reruns and duplicate events
never double-load. Extraction runs in parallel; the load is serialised by the warehouse lock
(warehouse.fetchlog.writing), so any number of ingest runs in any number of processes queue for it.
"""

from __future__ import annotations

import pickle
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.context import TaskRunContext
from prefect.task_runners import ThreadPoolTaskRunner

from nianbao.flows.common import REPORT_EVENTS, Summary, emit, publish_summary, run_id
from nianbao.pipeline.errors import ExtractError
from nianbao.pipeline.ingest import (
    DocRef,
    add_disagreements,
    build_outcomes,
    code_version,
    extract_document,
    previous_carried_out,
)
from nianbao.pipeline.model import Report
from nianbao.pipeline.rawstore import RawStore
from nianbao.pipeline.settings import load_settings
from nianbao.warehouse.fetchlog import log_ingest, siblings, writing
from nianbao.warehouse.load import load_outcome

Extracted = Report | ExtractError


@dataclass
class Ingested:
    """One document's fate in an ingest run."""

    ref: DocRef
    status: str  # loaded | quarantined | unreadable | failed
    changed: bool
    error_code: str | None = None
    checks: tuple[str, ...] = ()


def _extract_key(_ctx: TaskRunContext, params: dict[str, Any]) -> str:
    return f"extract-{params['sha256']}-{code_version()}"


# pdfium is not thread-safe (two threads reading PDFs at once segfaulted in libpdfium): one extraction at a
# time per process. Extraction runs in parallel across processes (each served ingest run is one).
_EXTRACTING = threading.Lock()


def extract_stored(sha256: str, raw_store: str) -> bytes:
    """The pickled extraction result of a stored document (pickled so that a Prefect cache can persist it)."""
    data = RawStore(raw_store).get(sha256)
    with _EXTRACTING:
        return pickle.dumps(extract_document(data))


@task(cache_key_fn=_extract_key, persist_result=True, retries=0)
def extract_task(sha256: str, raw_store: str) -> bytes:
    """Extract one stored document, cached on its hash and the readers' code version."""
    return extract_stored(sha256, raw_store)


def _extract_plain(refs: list[DocRef], raw_store: str) -> list[Extracted]:
    return [pickle.loads(extract_stored(r.sha256, raw_store)) for r in refs]


def _extract_prefect(refs: list[DocRef], raw_store: str) -> list[Extracted]:
    futures = {sha: extract_task.submit(sha, raw_store) for sha in dict.fromkeys(r.sha256 for r in refs)}
    done = {sha: pickle.loads(f.result()) for sha, f in futures.items()}
    return [done[r.sha256] for r in refs]


def ingest_documents(
    refs: list[DocRef],
    warehouse: str | Path,
    raw_store: str | Path,
    rid: str,
    extract: Callable[[list[DocRef], str], list[Extracted]] = _extract_plain,
    announce: bool = False,
) -> list[Ingested]:
    """Extract (outside the lock), validate, then compare siblings and load (inside it); what became of each."""
    refs = list(dict.fromkeys(refs))
    if not refs:
        return []
    results = extract(refs, str(raw_store))
    wanted = {(r.agency_id, r.year) for r in refs}
    with writing(warehouse) as con:
        prev = {k: previous_carried_out(con, *k) for k in wanted}
    outcomes = build_outcomes(refs, results, lambda a, y: prev.get((a, y)))
    out: list[Ingested] = []
    with writing(warehouse) as con:
        for ref, o in zip(refs, outcomes, strict=True):
            try:
                add_disagreements(o, siblings(con, ref.agency_id, ref.year, ref.via, ref.url or ""))
                changed = load_outcome(con, o)
            except Exception as e:  # one bad report must not stop the others; rerun --failed finds it
                log_ingest(
                    con,
                    rid,
                    ref.sha256,
                    ref.agency_id,
                    ref.year,
                    ref.url,
                    "failed",
                    None,
                    "load_failed",
                    f"{type(e).__name__}: {e}",
                )
                out.append(Ingested(ref, "failed", False, "load_failed"))
                continue
            log_ingest(
                con,
                rid,
                ref.sha256,
                ref.agency_id,
                ref.year,
                ref.url,
                o.status,
                changed,
                o.error_code,
                o.error_message,
            )
            out.append(
                Ingested(ref, o.status, changed, o.error_code, tuple(sorted({f.check for f in o.findings})))
            )
    if announce:
        for i in out:
            if i.changed and i.status in REPORT_EVENTS:
                emit(
                    REPORT_EVENTS[i.status],
                    f"nianbao.report.{i.ref.agency_id}.{i.ref.year}",
                    {
                        "agency": i.ref.agency_id,
                        "year": i.ref.year,
                        "sha256": i.ref.sha256,
                        "url": i.ref.url or "",
                        "status": i.status,
                        "error": i.error_code or "",
                        "checks": list(i.checks),
                    },
                    **{"nianbao.agency": i.ref.agency_id},
                )
    return out


def tally(summary: Summary, results: list[Ingested]) -> Summary:
    """Add ingest results to a summary."""
    for i in results:
        if i.status == "failed":
            summary.ingest_failed += 1
        else:
            setattr(summary, i.status, getattr(summary, i.status) + 1)
        summary.changed += i.changed
        summary.warnings += sum(
            c in ("document_disagreement", "cross_year_carry", "narrative_consistency", "template_year")
            for c in i.checks
        )
        if i.status != "loaded":
            summary.fail(
                i.status,
                i.error_code or ", ".join(i.checks) or "-",
                agency=i.ref.agency_id,
                year=i.ref.year,
                url=i.ref.url or i.ref.sha256[:12],
            )
    return summary


@flow(name="ingest", task_runner=ThreadPoolTaskRunner(max_workers=2))
def ingest(
    sha256: str | None = None,
    agency: str | None = None,
    year: int | None = None,
    url: str | None = None,
    via: str | None = None,
    documents: list[dict[str, Any]] | None = None,
    warehouse: str | None = None,
) -> Summary:
    """Extract, check and load one document (event parameters) or several (`documents`); announce the results."""
    settings = load_settings(warehouse)
    refs = [DocRef.parse(d) for d in documents or []]
    if sha256:
        if not agency or year is None:
            raise ValueError("ingest needs agency and year with sha256")
        refs.append(DocRef(agency, int(year), url or None, sha256, via or None))
    results = ingest_documents(
        refs, settings.warehouse, settings.raw_store, run_id(), _extract_prefect, announce=True
    )
    summary = tally(Summary("nianbao ingest", discovered=len(refs)), results)
    publish_summary(summary, "ingest-summary")
    get_run_logger().info(
        "ingest: %d documents, %d loaded, %d quarantined, %d unreadable, %d changed",
        len(refs),
        summary.loaded,
        summary.quarantined,
        summary.unreadable,
        summary.changed,
    )
    return summary
