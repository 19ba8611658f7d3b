"""`ingest`: stored documents → extract (cached on their hash) → admit and load → announce each report's fate.

Each document is read in a reader process capped in memory and time (pipeline.extract.isolate), so a
hostile one is refused (`resource_limit`) instead of taking the run down. Idempotent by content hash:
extraction is cached on (sha256, reader version, read limits); the load writes a report
only when the warehouse does not already hold exactly it, so retries, reruns and duplicate events never
double-load. Extraction runs in parallel tasks; the load holds the warehouse lock, so any number of ingest
runs in any number of processes queue for it.
"""

from __future__ import annotations

import pickle
from dataclasses import asdict
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NONE
from prefect.context import TaskRunContext
from prefect.task_runners import ThreadPoolTaskRunner

from nianbao.expectations.validate import prepare
from nianbao.flows.events import announce_reports, publish_summary, run_id
from nianbao.flows.retry import FLOW_RETRIES, FLOW_RETRY_DELAY_S, TASK_RETRIES, TASK_RETRY_DELAYS, transient
from nianbao.pipeline.errors import ExtractError
from nianbao.pipeline.extract import reader_version
from nianbao.pipeline.extract.isolate import read_isolated
from nianbao.pipeline.extract.limits import ReadLimits
from nianbao.pipeline.model import DocRef, Report
from nianbao.pipeline.progress import stage, step
from nianbao.pipeline.rawstore import RawStore
from nianbao.pipeline.settings import Settings, load_settings
from nianbao.pipeline.summary import Ingested, Summary
from nianbao.warehouse.ingest import load
from nianbao.warehouse.lock import writing
from nianbao.warehouse.write import log_ingest

Reading = Report | ExtractError


def _extract_key(_ctx: TaskRunContext, params: dict[str, Any]) -> str:
    # a refusal depends on the read limits too (a document too large under one cap may read under another)
    limits = ReadLimits(**params["limits"]) if params.get("limits") else ReadLimits()
    return f"extract-{params['sha256']}-{reader_version()}-{limits.key()}"


@task(cache_key_fn=_extract_key, persist_result=True, retries=0)
def extract_task(sha256: str, raw_store: str, limits: dict[str, Any] | None = None) -> bytes:
    """Read one stored document in a capped reader process, cached on its hash, the readers' version and
    the read limits (pickled: a persisted result)."""
    read = ReadLimits(**limits) if limits else ReadLimits()
    return pickle.dumps(read_isolated(RawStore(raw_store).get(sha256), read))


def extract_all(
    refs: list[DocRef], raw_store: str | Path, limits: ReadLimits | None = None
) -> list[tuple[DocRef, Reading]]:
    """Every document's reading (one task per distinct document, run in parallel)."""
    plain = asdict(limits or ReadLimits())
    futures = {
        sha: extract_task.submit(sha, str(raw_store), plain) for sha in dict.fromkeys(r.sha256 for r in refs)
    }
    done: dict[str, Reading] = {}
    for n, (sha, f) in enumerate(futures.items(), 1):
        done[sha] = pickle.loads(f.result())
        step("read %s", sha[:12], done=n, total=len(futures), unit="documents")
    return [(r, done[r.sha256]) for r in refs]


def read_documents(
    refs: list[DocRef], raw_store: str | Path, limits: ReadLimits | None = None
) -> list[tuple[DocRef, Reading]]:
    """Every document's reading, one after the other, uncached (what the tasks do, without Prefect)."""
    store = RawStore(raw_store)
    out: list[tuple[DocRef, Reading]] = []
    for n, r in enumerate(refs, 1):
        out.append((r, read_isolated(store.get(r.sha256), limits)))
        step("read %s %s", r.agency_id, r.year, done=n, total=len(refs), unit="documents")
    return out


def load_readings(documents: list[tuple[DocRef, Reading]], settings: Settings, rid: str) -> list[Ingested]:
    """Admit and write the readings under the warehouse lock; log what became of each document."""
    stage("check and load: %d readings (admission, Great Expectations, the warehouse)", len(documents))
    prepare()  # the checks' set-up costs seconds once per process: not while holding the lock
    out: list[Ingested] = []
    with writing(settings.warehouse, settings.lock_timeout_s) as con:
        loaded = load(con, documents)
        for (ref, _reading), o in zip(documents, loaded.outcomes, strict=True):
            why = loaded.failed(o)
            if why is not None:  # one bad report does not stop the others; rerun --failed finds it
                log_ingest(
                    con, rid, ref.sha256, ref.agency_id, ref.year, ref.url, "failed", None, "load_failed", why
                )
                out.append(Ingested(ref, "failed", False, "load_failed"))
                continue
            changed = loaded.changed(o)
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
    return out


load_task = task(
    cache_policy=NONE,
    name="load",
    retries=TASK_RETRIES,
    retry_delay_seconds=TASK_RETRY_DELAYS,
    retry_condition_fn=transient,  # a lock wait may pass; a refused load would fail the same way again
)(load_readings)


def ingest_documents(
    refs: list[DocRef], settings: Settings, rid: str, *, announce: bool = False, prefect: bool = True
) -> list[Ingested]:
    """Extract (outside the lock), then admit and load (inside it); what became of each document.

    Inside a flow run the steps are Prefect tasks (extraction cached and in parallel); `prefect=False`
    runs the same steps as plain calls.
    """
    refs = list(dict.fromkeys(refs))
    if not refs:
        return []
    stage("read: %d documents (each in a reader process; cached by content hash)", len(refs))
    if prefect:
        results = load_task(extract_all(refs, settings.raw_store, settings.reader), settings, rid)
    else:
        results = load_readings(read_documents(refs, settings.raw_store, settings.reader), settings, rid)
    if announce:
        announce_reports(results)
    return results


@flow(
    name="ingest",
    task_runner=ThreadPoolTaskRunner(max_workers=2),  # type: ignore[arg-type]
    retries=FLOW_RETRIES,
    retry_delay_seconds=FLOW_RETRY_DELAY_S,
)
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
    results = ingest_documents(refs, settings, run_id(), announce=True)
    summary = Summary("nianbao ingest", discovered=len(refs)).add(results)
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
