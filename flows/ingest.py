"""`ingest`: stored documents → extract (cached on their hash) → admit and load → announce each report's fate.

Each document is read in a reader process capped in memory and time (pipeline.extract.isolate), so a
hostile one is refused (`resource_limit`) instead of taking the run down. Idempotent by content hash:
extraction is cached on (sha256, reader version, read limits); the load writes a report
only when the warehouse does not already hold exactly it, so retries, reruns and duplicate events never
double-load. Extraction runs in parallel tasks; the load holds the warehouse lock, so any number of ingest
runs in any number of processes queue for it.

The warehouse and the checks are imported inside the functions that use them: a Dask worker that reads
for an `ingest` run imports this module (the flow travels to it by reference), and needs neither (see
`flows.run`).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NONE
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import quote

from nianbao.flows.events import announce_documents, announce_reports, publish_summary, run_id
from nianbao.flows.extract import Reading, Sent, extract_all, read_documents
from nianbao.flows.parallel import slots
from nianbao.flows.retry import FLOW_RETRIES, FLOW_RETRY_DELAY_S, TASK_RETRIES, TASK_RETRY_DELAYS, transient
from nianbao.pipeline.collector import full_collections_paused
from nianbao.pipeline.model import DocRef
from nianbao.pipeline.progress import stage
from nianbao.pipeline.settings import Settings, load_settings
from nianbao.pipeline.summary import Ingested, Summary


def load_readings(documents: list[tuple[DocRef, Reading]], settings: Settings, rid: str) -> list[Ingested]:
    """Admit and write the readings under the warehouse lock; log what became of each document."""
    from nianbao.expectations.validate import prepare
    from nianbao.warehouse.ingest import load
    from nianbao.warehouse.lock import writing
    from nianbao.warehouse.write import log_ingests

    stage("check and load: %d readings (admission, Great Expectations, the warehouse)", len(documents))
    prepare()  # the checks' set-up costs seconds once per process: not while holding the lock
    out: list[Ingested] = []
    logged: list[tuple[Any, ...]] = []
    with writing(settings.warehouse, settings.lock_timeout_s) as con:
        loaded = load(con, documents)
        for (ref, _reading), o in zip(documents, loaded.outcomes, strict=True):
            why = loaded.failed(o)
            if why is not None:  # one bad report does not stop the others; rerun --failed finds it
                logged.append(
                    (rid, ref.sha256, ref.agency_id, ref.year, ref.url, "failed", None, "load_failed", why)
                )
                out.append(Ingested(ref, "failed", False, "load_failed"))
                continue
            changed = loaded.changed(o)
            logged.append(
                (
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
            )
            out.append(
                Ingested(ref, o.status, changed, o.error_code, tuple(sorted({f.check for f in o.findings})))
            )
        log_ingests(con, logged)
    return out


load_task = task(
    cache_policy=NONE,
    name="load",
    retries=TASK_RETRIES,
    retry_delay_seconds=TASK_RETRY_DELAYS,
    retry_condition_fn=transient,  # a lock wait may pass; a refused load would fail the same way again
)(load_readings)


def ingest_documents(
    refs: list[DocRef],
    settings: Settings,
    rid: str,
    *,
    announce: bool = False,
    prefect: bool = True,
    sent: Sequence[Sent] = (),
) -> list[Ingested]:
    """Extract (outside the lock), then admit and load (inside it); what became of each document.

    Inside a flow run the steps are Prefect tasks (extraction cached and in parallel); `prefect=False`
    runs the same steps as plain calls. `sent`: extraction batches already submitted (`ReadAhead`).
    """
    refs = list(dict.fromkeys(refs))
    if not refs:
        return []
    early = sum(len(b) for b, _f in sent)
    stage(
        "read: %d documents, %d of them sent to the readers during the crawl (each in a reader process; "
        "cached by content hash)",
        len(refs),
        early,
    )
    # every reading stays alive until it is loaded: no full collection walks them meanwhile (`pipeline.collector`)
    with full_collections_paused():
        if prefect:
            readings = extract_all(refs, settings.raw_store, settings.reader, slots(settings), sent)
            # quoted: Prefect would otherwise walk every cell of every reading looking for futures (~150 ms
            # a document, longer than a second worker saves on a 1,000-report night)
            results: list[Ingested] = load_task(cast(Any, quote(readings)), settings, rid)
        else:
            readings = read_documents(refs, settings.raw_store, settings.reader)
            results = load_readings(readings, settings, rid)
        del readings  # dropped before full collections resume, so that none walks them
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
    drain: bool = False,
    event_at: str | None = None,
    window_s: float = 0.0,
) -> Summary:
    """Extract, check and load one document (event parameters) or several (`documents`); announce the results.

    With `drain` (as the `document.fetched` trigger asks), the run takes every fetched document not yet
    ingested, the event's own among them, and goes on until none is left and the trigger's window has
    closed: `window_s` after `event_at`, by default after the run was created (which the trigger does
    after the event that opened the window; it starts no other run in it). Then, the burst drained, it
    refreshes the marts and the snapshot itself (issue 17).
    """
    from nianbao.warehouse.refresh import refresh_warehouse

    settings = load_settings(warehouse)
    refs = [DocRef.parse(d) for d in documents or []]
    if sha256:
        if not agency or year is None:
            raise ValueError("ingest needs agency and year with sha256")
        refs.append(DocRef(agency, int(year), url or None, sha256, via or None))
    rid = run_id()
    if drain:
        refs = _pending(settings, refs)
    results = ingest_documents(refs, settings, rid, announce=True)
    if drain:
        until = window_end(event_at or _created(), window_s)
        more, later = drain_rest(settings, rid, set(refs), until)
        refs, results = refs + more, results + later
        if results:  # the burst is drained: refresh now rather than after the refresh's debounce
            refresh_warehouse(settings, rid)
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


DRAIN_ROUNDS = 5
WINDOW_POLL_S = 1.0


def window_end(event_at: str | None, window_s: float) -> datetime | None:
    """When the trigger's window opened by the event at `event_at` closes (None: no window). An
    unreadable time counts from now, which is later than the event."""
    if window_s <= 0:
        return None
    try:
        at = datetime.fromisoformat(str(event_at))
        at = at if at.tzinfo else at.replace(tzinfo=UTC)
    except ValueError:
        at = datetime.now(UTC)
    return at + timedelta(seconds=window_s)


def _created() -> str | None:
    """When the current flow run was created (None outside one: the window then counts from now)."""
    from prefect.context import FlowRunContext

    ctx = FlowRunContext.get()
    created = ctx.flow_run.created if ctx and ctx.flow_run else None
    return created.isoformat() if created else None


def drain_rest(
    settings: Settings, rid: str, seen: set[DocRef], until: datetime | None
) -> tuple[list[DocRef], list[Ingested]]:
    """Ingest the documents fetched while this run worked, until none is left and `until` has passed.

    Past DRAIN_ROUNDS rounds that each found more, the rest are announced again: their events start
    the next run (which waits for this one), so nothing is left behind unannounced.
    """
    refs: list[DocRef] = []
    results: list[Ingested] = []
    rounds = 0
    while True:
        more = [r for r in _pending(settings, []) if r not in seen]
        if more and rounds == DRAIN_ROUNDS:
            announce_documents(more)
            break
        if more:
            rounds += 1
            seen.update(more)
            refs += more
            results += ingest_documents(more, settings, rid, announce=True)
            continue
        left = 0.0 if until is None else (until - datetime.now(UTC)).total_seconds()
        if left <= 0:
            break
        time.sleep(min(left, WINDOW_POLL_S))
    return refs, results


def _pending(settings: Settings, asked: list[DocRef]) -> list[DocRef]:
    """The documents asked for that are not ingested yet, then every other fetched one not ingested."""
    from nianbao.warehouse.lock import writing
    from nianbao.warehouse.nights import pending, settled

    with writing(settings.warehouse, settings.lock_timeout_s) as con:
        done = settled(con)
        waiting = pending(con)
    mine = [r for r in asked if (r.sha256, r.agency_id, r.year) not in done]
    return list(dict.fromkeys(mine + waiting))
