"""The deployments `nightly` (cron), `ingest` (on nianbao.document.fetched) and `refresh` (on
nianbao.report.loaded), as declared once in the packaged `prefect.yaml`, served from this process.

`prefect deploy --prefect-file flows/prefect.yaml` registers the same file for work pools and workers.
"""

from __future__ import annotations

from dataclasses import replace
from importlib import import_module, resources
from pathlib import Path
from typing import Any

import yaml
from prefect.client.schemas.objects import ConcurrencyLimitConfig
from prefect.events import DeploymentEventTrigger
from prefect.schedules import Cron

from nianbao.flows.parallel import local_cluster, task_runner
from nianbao.pipeline.settings import Settings


def declared() -> list[dict[str, Any]]:
    """The deployments of the packaged prefect.yaml."""
    text = resources.files("nianbao.flows").joinpath("prefect.yaml").read_text(encoding="utf-8")
    deployments: list[dict[str, Any]] = yaml.safe_load(text)["deployments"]
    return deployments


def deployments(catalog: str | Path, settings: Settings) -> list[Any]:
    """Runner deployments of the declared ones, their parameters pointing at this catalog and warehouse."""
    out = []
    for d in declared():
        module, name = d["entrypoint"].split(":")
        flow = getattr(import_module(module), name)
        if name == "ingest" and settings.dask_address:  # extraction on the serve's Dask cluster
            flow = flow.with_options(task_runner=task_runner(settings))
        parameters = dict(d.get("parameters") or {})
        if "catalog_path" in parameters:
            parameters["catalog_path"] = str(Path(catalog).resolve())
        if "warehouse" in parameters:
            parameters["warehouse"] = str(settings.warehouse.resolve())
        if "debounce_s" in parameters:
            parameters["debounce_s"] = settings.refresh_debounce_s
        schedules = [
            Cron(settings.nightly_cron if d["name"] == "nightly" else s["cron"], timezone=s["timezone"])
            for s in d.get("schedules") or []
        ]
        triggers = []
        for t in d.get("triggers") or []:
            fixed = {k: v for k, v in parameters.items() if k in ("warehouse", "debounce_s")}
            triggers.append(
                DeploymentEventTrigger(
                    name=t["name"],
                    expect=set(t["expect"]),
                    match=t["match"],
                    posture=t.get("posture", "Reactive"),
                    threshold=t.get("threshold", 1),
                    within=t.get("within", 0),
                    parameters={**(t.get("parameters") or {}), **fixed},
                )
            )
        limit = d.get("concurrency_limit")
        out.append(
            flow.to_deployment(
                name=d["name"],
                concurrency_limit=ConcurrencyLimitConfig(**limit) if isinstance(limit, dict) else limit,
                description=d.get("description"),
                parameters=parameters,
                schedules=schedules or None,
                triggers=triggers or None,
            )
        )
    return out


def serve_all(catalog: str | Path, settings: Settings) -> None:
    """Register and serve the deployments until SIGTERM/SIGINT.

    With `workers` and no `dask_address`, one local Dask cluster is started for as long as `serve`
    runs and every ingest run extracts on it (a cluster per run would cost its start each time).
    """
    from prefect import serve

    if settings.workers > 0 and not settings.dask_address:
        with local_cluster(settings) as address:
            serve(*deployments(catalog, replace(settings, dask_address=address)), limit=settings.serve_limit)
        return
    serve(*deployments(catalog, settings), limit=settings.serve_limit)
