"""Settings: one typed object, built once at the edge (a CLI command, a flow run) and passed down.

Every `NIANBAO_*` environment variable is read by one pydantic-settings model (`environment.Environment`:
a field per variable, named as the variable without its prefix, with what it accepts) and nowhere else;
nonsense is refused at once with a `SettingsError` naming the variable, the value and what it takes.
`load_settings` turns that model into `Settings`, the frozen dataclass every caller uses (paths resolved
against each other, the fetch policy and read limits built as their own dataclasses). The model's module
is imported on the first `load_settings` only: `nianbao --help` does not pay for pydantic.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from nianbao.pipeline.extract.limits import ReadLimits
from nianbao.pipeline.settings_rules import DASK_SCHEMES, HOST_LIMITS, PROGRESS_MODES, SettingsError
from nianbao.pipeline.urlpolicy import FetchPolicy

__all__ = ["PROGRESS_MODES", "Settings", "SettingsError", "load_settings"]


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
    # processes a crawl may use (pipeline/crawl.py: one per 32 agencies at most, this one included); each
    # runs agencies_in_parallel agencies at a time, and politeness holds across them (a HostGate)
    crawl_processes: int = 1
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
    # `nianbao run` reads new documents while its crawl goes on (flows/extract.py, ReadAhead)
    read_during_crawl: bool = True
    worker_memory_mb: int = 2048
    # politeness that holds across processes (pipeline/politeness.py): at most fetch.per_host requests in
    # flight to a host and one request started every host_interval_s, counted through lock files in hosts_dir
    host_interval_s: float = 0.0
    hosts_dir: Path | None = None
    # where those limits are kept: "files" (hosts_dir: the processes of one machine) or "prefect" (the
    # Prefect server's global concurrency limits: every machine that uses the server; flows/politeness.py)
    host_limits: str = "files"

    def __post_init__(self) -> None:
        # the environment is checked by `Environment`; these hold for values set in code too (CLI options,
        # dataclasses.replace)
        if self.agencies_in_parallel < 1 or self.serve_limit < 1 or self.crawl_processes < 1:
            raise ValueError("agency, crawl-process and serve concurrency must be at least 1")
        if self.workers < 0 or self.worker_memory_mb < 256 or self.host_interval_s < 0:
            raise ValueError(
                "NIANBAO_WORKERS must not be negative, NIANBAO_WORKER_MEMORY_MB at least 256 and "
                "NIANBAO_HOST_INTERVAL_S not negative"
            )
        if self.dask_address is not None and not self.dask_address.startswith(DASK_SCHEMES):
            raise ValueError(f"NIANBAO_DASK_ADDRESS is not a Dask scheduler address: {self.dask_address!r}")
        if self.lock_timeout_s <= 0 or self.refresh_debounce_s < 0:
            raise ValueError("lock timeout must be positive and the refresh debounce not negative")
        if self.host_limits not in HOST_LIMITS:
            raise ValueError(
                f"NIANBAO_HOST_LIMITS is one of {', '.join(HOST_LIMITS)}, not {self.host_limits!r}"
            )
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


def _beside(value: str | None, warehouse: Path, name: str) -> Path | None:
    """A folder a setting names: none when set empty, the path when set, else `name` beside the warehouse."""
    if value == "":
        return None
    return Path(value) if value else warehouse.parent / name


def load_settings(warehouse: str | Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Settings from the environment (or `env`); `warehouse` overrides NIANBAO_WAREHOUSE."""
    from nianbao.pipeline.environment import read_environment

    e = read_environment(env)
    wh = Path(warehouse) if warehouse else e.WAREHOUSE or e.HOME / "nianbao.duckdb"
    # what a warehouse makes sits beside it (raw store, exports, host locks, quality report, site), so that
    # two warehouses named on one machine keep theirs apart; by default that is NIANBAO_HOME
    return Settings(
        home=e.HOME,
        warehouse=wh,
        raw_store=e.RAW_STORE or wh.parent / "raw",
        data_docs=_beside(e.DATA_DOCS, wh, "data_docs"),
        site=_beside(e.SITE, wh, "site"),
        fetch=FetchPolicy(
            retries=e.RETRIES,
            timeout_s=e.TIMEOUT_S,
            max_bytes=e.MAX_BYTES,
            backoff_s=e.FETCH_BACKOFF_S,
            per_host=e.PER_HOST,
            deadline_s=e.FETCH_DEADLINE_S,
            agency_deadline_s=e.AGENCY_DEADLINE_S,
        ),
        reader=ReadLimits(
            memory_mb=e.READER_MEMORY_MB,
            seconds=e.READER_TIMEOUT_S,
            isolated=e.READER_ISOLATION,
            ocr_memory_mb=e.OCR_MEMORY_MB,
            ocr_seconds=e.OCR_TIMEOUT_S,
        ),
        agencies_in_parallel=e.AGENCIES_IN_PARALLEL,
        crawl_processes=e.CRAWL_PROCESSES,
        lock_timeout_s=e.LOCK_TIMEOUT_S,
        nightly_cron=e.NIGHTLY_CRON,
        refresh_debounce_s=e.REFRESH_DEBOUNCE_S,
        serve_limit=e.SERVE_LIMIT,
        progress=e.PROGRESS,
        progress_every_s=e.PROGRESS_EVERY_S,
        reviewer=e.REVIEWER,
        workers=e.WORKERS,
        dask_address=e.DASK_ADDRESS,
        read_during_crawl=e.READ_DURING_CRAWL,
        worker_memory_mb=e.WORKER_MEMORY_MB,
        host_interval_s=e.HOST_INTERVAL_S,
        hosts_dir=e.HOSTS_DIR or wh.parent / "hosts",
        host_limits=e.HOST_LIMITS,
    )
