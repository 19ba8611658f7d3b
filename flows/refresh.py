"""`refresh`: after loads, once — the rollup marts, the year JSON exports, the quality report, the snapshot.

A burst of `nianbao.report.loaded` events starts a burst of refresh runs; each waits `debounce_s`, then
takes the warehouse lock and does the work only when some load is newer than what the last refresh
covered. So a burst of loads costs one real refresh; the rest finish at once as no-ops.
"""

from __future__ import annotations

import time
from typing import Any

from prefect import flow, get_run_logger

from nianbao.flows.events import run_id
from nianbao.flows.retry import FLOW_RETRIES, FLOW_RETRY_DELAY_S
from nianbao.pipeline.settings import load_settings
from nianbao.warehouse.refresh import refresh_warehouse

__all__ = ["refresh", "refresh_warehouse"]


@flow(name="refresh", retries=FLOW_RETRIES, retry_delay_seconds=FLOW_RETRY_DELAY_S)
def refresh(warehouse: str | None = None, debounce_s: float = 5.0, force: bool = False) -> dict[str, Any]:
    """Wait for a burst of loads to settle, then rebuild the rollups and publish the snapshot (once per burst)."""
    settings = load_settings(warehouse)
    if debounce_s > 0:
        time.sleep(debounce_s)
    result = refresh_warehouse(settings, run_id(), force)
    get_run_logger().info("refresh: %s", result)
    return result
