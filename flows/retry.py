"""How the flows and tasks retry: only what a second try can fix, with growing waits.

A document that cannot be read fails the same way every time, so extraction is never retried. What can
pass on its own is the wait for the warehouse (another process holding the write lock past its timeout,
DuckDB's file lock) and the network (a crawl whose site was down for a minute; each fetch already
retries its own errors, `pipeline/fetch.py`). Served flows retry as a whole after a minute: each is
idempotent (content-hashed documents, loads that only write what changed).
"""

from __future__ import annotations

from typing import Any

from prefect.tasks import exponential_backoff

TASK_RETRIES = 3
TASK_RETRY_DELAYS = exponential_backoff(backoff_factor=10)  # 10 s, 20 s, 40 s
FLOW_RETRIES = 1
FLOW_RETRY_DELAY_S = 60


def transient(_task: Any, _task_run: Any, state: Any) -> bool:
    """Whether a failed task run is worth another try: a lock wait or an I/O or network error."""
    import duckdb
    import httpx

    try:
        state.result()
    except (TimeoutError, duckdb.IOException, httpx.TransportError, ConnectionError):
        return True
    except Exception:
        return False
    return False
