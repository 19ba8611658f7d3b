"""Settings from NIANBAO_* environment variables, read in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    """Where nianbao keeps its files, how politely it fetches, and how its deployments run."""

    home: Path
    warehouse: Path
    raw_store: Path
    data_docs: Path | None  # None: no quality report is written (NIANBAO_DATA_DOCS set to '')
    timeout_s: float = 30.0
    retries: int = 3
    max_bytes: int = 50 * 1024 * 1024
    fetch_backoff_s: float = 0.5
    per_host: int = 2
    agencies_in_parallel: int = 4
    lock_timeout_s: float = 900.0
    nightly_cron: str = "0 2 * * *"  # Asia/Shanghai
    refresh_debounce_s: float = 5.0
    serve_limit: int = 8
    progress: bool = False  # force the progress bar when stderr is not a terminal
    reviewer: str | None = None

    def __post_init__(self) -> None:
        if self.timeout_s <= 0 or self.retries < 0 or self.max_bytes <= 0 or self.fetch_backoff_s < 0:
            raise ValueError("timeout, retries, max_bytes and backoff must be positive")
        if self.per_host < 1 or self.agencies_in_parallel < 1 or self.serve_limit < 1:
            raise ValueError("per-host, agency and serve concurrency must be at least 1")
        if self.lock_timeout_s <= 0 or self.refresh_debounce_s < 0:
            raise ValueError("lock timeout must be positive and the refresh debounce not negative")
        if len(self.nightly_cron.split()) != 5:
            raise ValueError(
                f"NIANBAO_NIGHTLY_CRON is not a five-field cron expression: {self.nightly_cron!r}"
            )


def load_settings(warehouse: str | Path | None = None) -> Settings:
    """Settings from the environment; `warehouse` overrides NIANBAO_WAREHOUSE."""
    env = os.environ.get
    home = Path(env("NIANBAO_HOME", "data"))
    wh = Path(warehouse or env("NIANBAO_WAREHOUSE", home / "nianbao.duckdb"))
    docs = env("NIANBAO_DATA_DOCS")
    return Settings(
        home=home,
        warehouse=wh,
        raw_store=Path(env("NIANBAO_RAW_STORE", wh.parent / "raw")),
        data_docs=None if docs == "" else Path(docs) if docs else home / "data_docs",
        timeout_s=float(env("NIANBAO_TIMEOUT_S", "30")),
        retries=int(env("NIANBAO_RETRIES", "3")),
        max_bytes=int(env("NIANBAO_MAX_BYTES", str(50 * 1024 * 1024))),
        fetch_backoff_s=float(env("NIANBAO_FETCH_BACKOFF_S", "0.5")),
        per_host=int(env("NIANBAO_PER_HOST", "2")),
        agencies_in_parallel=int(env("NIANBAO_AGENCIES_IN_PARALLEL", "4")),
        lock_timeout_s=float(env("NIANBAO_LOCK_TIMEOUT_S", "900")),
        nightly_cron=env("NIANBAO_NIGHTLY_CRON", "0 2 * * *"),
        refresh_debounce_s=float(env("NIANBAO_REFRESH_DEBOUNCE_S", "5")),
        serve_limit=int(env("NIANBAO_SERVE_LIMIT", "8")),
        progress=env("NIANBAO_PROGRESS") == "1",
        reviewer=env("NIANBAO_REVIEWER") or None,
    )
