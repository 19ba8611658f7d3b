"""`refresh`: after loads, once — the rollup marts, the year JSON exports, the quality report, the snapshot,
and the analysts' site built from it (NIANBAO_SITE), linked from the flow run as an artifact.

A burst of `nianbao.report.loaded` events starts a burst of refresh runs; the deployment runs one at a
time and cancels the others at once (prefect.yaml), and the one that runs waits `debounce_s`, then takes
the warehouse lock and does the work only when some load is newer than what the last refresh covered,
and again while loads keep landing. So a burst of loads costs one real refresh.

The site is rebuilt only when the snapshot was refreshed since the site was built (`nianbao.site.publish`);
a build that fails is logged and recorded in the result (`site.error`) and the refresh still succeeds.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger

from nianbao.flows.events import run_id
from nianbao.flows.retry import FLOW_RETRIES, FLOW_RETRY_DELAY_S
from nianbao.pipeline.settings import Settings, load_settings
from nianbao.site.publish import publish_site
from nianbao.warehouse.refresh import refresh_warehouse

__all__ = ["refresh", "refresh_warehouse", "site_after_refresh"]

SITE_ARTIFACT = "analysts-site"  # the key of the link artifact (lowercase letters, digits, dashes)


@flow(name="refresh", retries=FLOW_RETRIES, retry_delay_seconds=FLOW_RETRY_DELAY_S)
def refresh(warehouse: str | None = None, debounce_s: float = 5.0, force: bool = False) -> dict[str, Any]:
    """Wait for a burst of loads to settle, then rebuild the rollups and publish the snapshot (once per burst)."""
    settings = load_settings(warehouse)
    if debounce_s > 0:
        time.sleep(debounce_s)
    result = refresh_warehouse(settings, run_id(), force)
    # loads that landed while this one worked: their events' runs were cancelled (one refresh at a time)
    for _round in range(3):
        again = refresh_warehouse(settings, run_id())
        if not again["refreshed"]:
            break
        result = again
    result["site"] = site_after_refresh(settings)
    get_run_logger().info("refresh: %s", result)
    return result


def site_after_refresh(settings: Settings) -> dict[str, Any]:
    """Rebuild the analysts' site if the snapshot moved on (never raises); inside a flow run, link it."""
    record = publish_site(settings)
    from prefect.context import FlowRunContext

    if record["path"] is not None and FlowRunContext.get() is not None and Path(record["path"]).exists():
        _link_artifact(record)
    return record


def _link_artifact(record: dict[str, Any]) -> None:
    """The run's link to the site's index.html (file://), described: built now, unchanged, or failed."""
    from prefect.artifacts import create_link_artifact

    index = Path(record["path"]).resolve()
    if record["error"]:
        what = f"**Not rebuilt**: {record['error']}. The site shown is from an earlier refresh."
    elif record["built"]:
        what = (
            f"Rebuilt by this run from the snapshot: {record['pages']} pages, {record['bytes'] / 1e6:.1f} MB "
            f"(largest {record['largest_page'][0]}, {record['largest_page'][1] / 1e3:.0f} kB), "
            f"{record['crops']} evidence crops, in {record['seconds']} s."
        )
    else:
        what = "Unchanged: the snapshot has not been refreshed since the site was built."
    try:
        create_link_artifact(
            link=index.as_uri(),
            link_text="the analysts' site",
            key=SITE_ARTIFACT,
            description=f"The analysts' static site at `{index}`. {what}",
        )
    except Exception as e:  # an artifact is a courtesy: never fail a run over it
        get_run_logger().warning("could not attach the site's link artifact: %s", e)
