"""Settings: one typed object, built once at the edge (a CLI command, a flow run) and passed down.

Every `NIANBAO_*` environment variable is read here and nowhere else; nonsense is refused at once.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from nianbao.pipeline.extract.limits import ReadLimits
from nianbao.pipeline.urlpolicy import FetchPolicy

PROGRESS_MODES = ("auto", "all", "off")
_PROGRESS_ALIASES = {"1": "all", "0": "off", "": "auto"}  # NIANBAO_PROGRESS=1 meant "even off a terminal"


@dataclass(frozen=True)
class Settings:
    """Where nianbao keeps its files, how politely it fetches, and how its deployments run."""

    home: Path
    warehouse: Path
    raw_store: Path
    data_docs: Path | None  # None: no quality report is written (NIANBAO_DATA_DOCS set to '')
    site: Path | None = None  # the analysts' site a refresh rebuilds; None: none (NIANBAO_SITE set to '')
    fetch: FetchPolicy = field(default_factory=FetchPolicy)
    reader: ReadLimits = field(default_factory=ReadLimits)  # what one document may take to read
    agencies_in_parallel: int = 4
    lock_timeout_s: float = 900.0
    nightly_cron: str = "0 2 * * *"  # Asia/Shanghai
    refresh_debounce_s: float = 5.0
    serve_limit: int = 8
    # progress lines on stderr (NIANBAO_PROGRESS): auto (every line on a terminal; elsewhere each stage and
    # at most one line per stage every `progress_every_s`), all (every line), off
    progress: str = "auto"
    progress_every_s: float = 10.0
    reviewer: str | None = None
    # where extraction runs (flows/parallel.py): a local Dask cluster of `workers` processes (0: the flow's
    # own threads), or the existing cluster at `dask_address`; each worker process capped at worker_memory_mb
    workers: int = 1
    dask_address: str | None = None
    worker_memory_mb: int = 2048
    # politeness that holds across processes (pipeline/politeness.py): at most fetch.per_host requests in
    # flight to a host and one request started every host_interval_s, counted through lock files in hosts_dir
    host_interval_s: float = 0.0
    hosts_dir: Path | None = None

    def __post_init__(self) -> None:
        if self.agencies_in_parallel < 1 or self.serve_limit < 1:
            raise ValueError("agency and serve concurrency must be at least 1")
        if self.workers < 0 or self.worker_memory_mb < 256 or self.host_interval_s < 0:
            raise ValueError(
                "NIANBAO_WORKERS must not be negative, NIANBAO_WORKER_MEMORY_MB at least 256 and "
                "NIANBAO_HOST_INTERVAL_S not negative"
            )
        if self.dask_address is not None and not self.dask_address.startswith(
            ("tcp://", "tls://", "inproc://")
        ):
            raise ValueError(f"NIANBAO_DASK_ADDRESS is not a Dask scheduler address: {self.dask_address!r}")
        if self.lock_timeout_s <= 0 or self.refresh_debounce_s < 0:
            raise ValueError("lock timeout must be positive and the refresh debounce not negative")
        if self.progress not in PROGRESS_MODES:
            raise ValueError(f"NIANBAO_PROGRESS is one of {', '.join(PROGRESS_MODES)}, not {self.progress!r}")
        if len(self.nightly_cron.split()) != 5:
            raise ValueError(
                f"NIANBAO_NIGHTLY_CRON is not a five-field cron expression: {self.nightly_cron!r}"
            )

    @property
    def exports(self) -> Path:
        """Where the refresh writes each year's rollup as JSON."""
        return self.warehouse.parent / "exports"


def load_settings(warehouse: str | Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Settings from the environment (or `env`); `warehouse` overrides NIANBAO_WAREHOUSE."""
    get = (os.environ if env is None else env).get
    home = Path(get("NIANBAO_HOME", "data"))
    wh = Path(warehouse or get("NIANBAO_WAREHOUSE", str(home / "nianbao.duckdb")))
    docs = get("NIANBAO_DATA_DOCS")
    site = get("NIANBAO_SITE")
    return Settings(
        home=home,
        warehouse=wh,
        raw_store=Path(get("NIANBAO_RAW_STORE", str(wh.parent / "raw"))),
        data_docs=None if docs == "" else Path(docs) if docs else home / "data_docs",
        site=None if site == "" else Path(site) if site else home / "site",
        fetch=FetchPolicy(
            retries=int(get("NIANBAO_RETRIES", "3")),
            timeout_s=float(get("NIANBAO_TIMEOUT_S", "30")),
            max_bytes=int(get("NIANBAO_MAX_BYTES", str(50 * 1024 * 1024))),
            backoff_s=float(get("NIANBAO_FETCH_BACKOFF_S", "0.5")),
            per_host=int(get("NIANBAO_PER_HOST", "2")),
            deadline_s=float(get("NIANBAO_FETCH_DEADLINE_S", "300")),
            agency_deadline_s=float(get("NIANBAO_AGENCY_DEADLINE_S", "1800")),
        ),
        reader=ReadLimits(
            memory_mb=int(get("NIANBAO_READER_MEMORY_MB", "1024")),
            seconds=float(get("NIANBAO_READER_TIMEOUT_S", "60")),
            isolated=get("NIANBAO_READER_ISOLATION", "1") != "0",
            ocr_memory_mb=int(get("NIANBAO_OCR_MEMORY_MB", "3072")),
            ocr_seconds=float(get("NIANBAO_OCR_TIMEOUT_S", "300")),
        ),
        agencies_in_parallel=int(get("NIANBAO_AGENCIES_IN_PARALLEL", "4")),
        lock_timeout_s=float(get("NIANBAO_LOCK_TIMEOUT_S", "900")),
        nightly_cron=get("NIANBAO_NIGHTLY_CRON", "0 2 * * *"),
        refresh_debounce_s=float(get("NIANBAO_REFRESH_DEBOUNCE_S", "5")),
        serve_limit=int(get("NIANBAO_SERVE_LIMIT", "8")),
        progress=_PROGRESS_ALIASES.get(p := get("NIANBAO_PROGRESS", "auto").strip().lower(), p),
        progress_every_s=float(get("NIANBAO_PROGRESS_EVERY_S", "10")),
        reviewer=get("NIANBAO_REVIEWER") or None,
        workers=_workers(get("NIANBAO_WORKERS", "auto")),
        dask_address=get("NIANBAO_DASK_ADDRESS") or None,
        worker_memory_mb=int(get("NIANBAO_WORKER_MEMORY_MB", "2048")),
        host_interval_s=float(get("NIANBAO_HOST_INTERVAL_S", "0")),
        hosts_dir=Path(get("NIANBAO_HOSTS_DIR") or wh.parent / "hosts"),
    )


def _workers(value: str) -> int:
    """NIANBAO_WORKERS: a number of worker processes, or `auto` (one per core)."""
    return max(1, os.cpu_count() or 1) if value == "auto" else int(value)
