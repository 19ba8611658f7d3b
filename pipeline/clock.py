"""The one clock: the current UTC time without tzinfo, as the warehouse stores times (DuckDB TIMESTAMP)."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """The current UTC time, naive."""
    return datetime.now(UTC).replace(tzinfo=None)
