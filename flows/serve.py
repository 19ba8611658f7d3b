"""`nianbao serve`: the deployments nightly (cron), ingest (on nianbao.document.fetched) and refresh
(on nianbao.report.loaded), served from this process against the server at PREFECT_API_URL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect.events import DeploymentEventTrigger
from prefect.schedules import Cron

from nianbao.flows.common import DOCUMENT_FETCHED, REPORT_EVENTS
from nianbao.flows.ingest import ingest
from nianbao.flows.nightly import nightly
from nianbao.flows.refresh import refresh
from nianbao.pipeline.settings import load_settings

NIGHTLY_CRON = load_settings().nightly_cron
TIMEZONE = "Asia/Shanghai"


def deployments(
    catalog: str | Path, warehouse: str | Path | None = None, refresh_debounce_s: float = 5.0
) -> list[Any]:
    """The three runner deployments, their parameters pointing at this catalog and warehouse."""
    wh = None if warehouse is None else str(Path(warehouse).resolve())
    return [
        nightly.to_deployment(
            name="nightly",
            schedule=Cron(NIGHTLY_CRON, timezone=TIMEZONE),
            parameters={"catalog_path": str(Path(catalog).resolve()), "warehouse": wh},
            description="discover and fetch every agency's documents; announce new and changed ones",
        ),
        ingest.to_deployment(
            name="ingest",
            triggers=[
                DeploymentEventTrigger(
                    name="ingest fetched documents",
                    expect={DOCUMENT_FETCHED},
                    match={"prefect.resource.id": "nianbao.document.*"},
                    parameters={
                        "sha256": "{{ event.payload.sha256 }}",
                        "agency": "{{ event.payload.agency }}",
                        "year": "{{ event.payload.year }}",
                        "url": "{{ event.payload.url }}",
                        "via": "{{ event.payload.via }}",
                        "warehouse": wh,
                    },
                )
            ],
            parameters={"warehouse": wh},
            description="extract, check and load a fetched document",
        ),
        refresh.to_deployment(
            name="refresh",
            triggers=[
                DeploymentEventTrigger(
                    name="refresh after loads",
                    expect={REPORT_EVENTS["loaded"]},
                    match={"prefect.resource.id": "nianbao.report.*"},
                    parameters={"warehouse": wh, "debounce_s": refresh_debounce_s},
                )
            ],
            parameters={"warehouse": wh, "debounce_s": refresh_debounce_s},
            description="rebuild the rollups and publish the analysts' snapshot (debounced)",
        ),
    ]


def serve_all(catalog: str | Path, warehouse: str | Path | None = None) -> None:
    """Register and serve the deployments until SIGTERM/SIGINT."""
    from prefect import serve

    settings = load_settings(warehouse)
    serve(*deployments(catalog, warehouse, settings.refresh_debounce_s), limit=settings.serve_limit)
