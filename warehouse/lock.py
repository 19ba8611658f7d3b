"""The one-writer rule: an exclusive lock beside the warehouse file, held from connect to close.

DuckDB admits one read-write process per file, and a second one fails at once. Every writer goes through
`writing(path)`: an exclusive `fcntl` lock on `<warehouse>.lock`, so writers from many processes
(event-triggered ingests under `serve`, a reviewer's command during a night) queue instead of failing.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from nianbao.warehouse.connect import connect

DEFAULT_TIMEOUT_S = 900.0


@dataclass
class LockStats:
    """How long this process waited for the warehouse lock (for the benchmark and the summary)."""

    acquisitions: int = 0
    waited_s: float = 0.0


LOCK_STATS = LockStats()


def lock_path(warehouse: str | Path) -> Path:
    """The lock file beside a warehouse file."""
    p = Path(warehouse)
    return p.with_name(p.name + ".lock")


@contextmanager
def warehouse_lock(warehouse: str | Path, timeout_s: float = DEFAULT_TIMEOUT_S) -> Iterator[None]:
    """Hold the warehouse's exclusive write lock (waits, polling, up to `timeout_s`)."""
    path = lock_path(warehouse)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    start = time.monotonic()
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() - start > timeout_s:
                    raise TimeoutError(f"waited {timeout_s:.0f} s for the warehouse lock {path}") from None
                time.sleep(0.02)
        LOCK_STATS.acquisitions += 1
        LOCK_STATS.waited_s += time.monotonic() - start
        yield
    finally:
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)


@contextmanager
def writing(
    warehouse: str | Path, timeout_s: float = DEFAULT_TIMEOUT_S
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection to the warehouse, held under its lock, closed (checkpointed) before unlocking."""
    with warehouse_lock(warehouse, timeout_s):
        con = connect(warehouse)
        try:
            yield con
        finally:
            con.close()
