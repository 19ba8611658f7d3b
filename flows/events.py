"""What the flows tell the world: Prefect events (spec/interfaces.md), run artifacts, the run id."""

from __future__ import annotations

import logging
from typing import Any

from nianbao.pipeline.model import DocRef
from nianbao.pipeline.summary import Ingested, Summary

log = logging.getLogger("nianbao.flows")

DOCUMENT_FETCHED = "nianbao.document.fetched"
# resource id of all three: nianbao.report.<agency>.<year> (spec/interfaces.md)
REPORT_EVENTS = {
    "loaded": "nianbao.report.loaded",
    "quarantined": "nianbao.report.quarantined",
    "unreadable": "nianbao.document.unreadable",
}


def emit(event: str, resource_id: str, payload: dict[str, Any], **labels: str) -> bool:
    """Emit a Prefect event (a no-op without a server); True when it was handed to the client."""
    from prefect.events import emit_event

    try:
        return (
            emit_event(event=event, resource={"prefect.resource.id": resource_id, **labels}, payload=payload)
            is not None
        )
    except Exception as e:  # an event is a courtesy to listeners: never fail a run over it
        log.warning("could not emit %s: %s", event, e)
        return False


def announce_documents(refs: list[DocRef]) -> int:
    """Emit nianbao.document.fetched for each document (resource nianbao.document.<sha256>); how many went out."""
    sent = 0
    for r in refs:
        sent += emit(
            DOCUMENT_FETCHED,
            f"nianbao.document.{r.sha256}",
            {"agency": r.agency_id, "year": r.year, "url": r.url, "sha256": r.sha256, "via": r.via or ""},
            **{"nianbao.agency": r.agency_id},
        )
    return sent


def announce_reports(results: list[Ingested]) -> None:
    """Emit each changed report's fate: nianbao.report.loaded / .quarantined, nianbao.document.unreadable."""
    for i in results:
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


def publish_summary(summary: Summary, key: str) -> None:
    """Attach the summary to the current flow run as a markdown artifact (and log its headline)."""
    from prefect.artifacts import create_markdown_artifact

    try:
        create_markdown_artifact(markdown=summary.as_markdown(), key=key, description=summary.title)
    except Exception as e:  # an artifact is a courtesy: never fail a run over it
        log.warning("could not attach the summary artifact: %s", e)


def local_run_id() -> str:
    """A fresh id for a run made without Prefect (`local-` and a random hex), unique in the warehouse's logs."""
    import uuid

    return f"local-{uuid.uuid4().hex[:16]}"


def run_id() -> str:
    """The current flow run's id (or 'local' outside a flow run)."""
    from prefect.context import FlowRunContext

    ctx = FlowRunContext.get()
    return str(ctx.flow_run.id) if ctx and ctx.flow_run else "local"
