"""The NIANBAO_* environment variables as one pydantic-settings model, checked (pipeline/settings.py uses it).

Kept apart from `settings` so that importing the settings' types costs nothing: pydantic is imported by
the first `load_settings` of a process.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from nianbao.pipeline.settings_rules import (
    DASK_SCHEMES,
    HOST_LIMITS,
    PROGRESS_ALIASES,
    PROGRESS_MODES,
    SettingsError,
)

# the mapping `load_settings(env=…)` reads instead of os.environ (None: os.environ)
_ENVIRON: ContextVar[Mapping[str, str] | None] = ContextVar("nianbao_environ", default=None)


class _Environ(EnvSettingsSource):
    """The process environment, or the mapping handed to `load_settings`."""

    def _load_env_vars(self) -> Mapping[str, str | None]:
        given = _ENVIRON.get()
        if given is None:
            return super()._load_env_vars()
        return {k if self.case_sensitive else k.lower(): v for k, v in given.items()}


def _accepts(text: str, **constraints: Any) -> Any:
    """A field whose description says what the variable accepts (quoted back when a value is refused)."""
    return Field(description=text, **constraints)


class Environment(BaseSettings):
    """The NIANBAO_* variables as given: each field is a variable's name without the prefix.

    Unset means the default; the path variables left unset (None) are derived from NIANBAO_HOME and
    NIANBAO_WAREHOUSE by `load_settings`. An empty NIANBAO_DATA_DOCS turns the quality report off; an empty
    NIANBAO_REVIEWER, NIANBAO_DASK_ADDRESS or NIANBAO_HOSTS_DIR counts as unset.
    """

    model_config = SettingsConfigDict(
        env_prefix="NIANBAO_", case_sensitive=True, extra="ignore", frozen=True, validate_default=True
    )

    HOME: Path = _accepts("a directory", default=Path("data"))
    WAREHOUSE: Path | None = _accepts("the DuckDB file's path", default=None)
    RAW_STORE: Path | None = _accepts("a directory", default=None)
    DATA_DOCS: str | None = _accepts("a directory, or empty for no quality report", default=None)
    SITE: str | None = _accepts("a directory, or empty for no analysts' site", default=None)
    RETRIES: int = _accepts("a whole number ≥ 0", default=3, ge=0)
    TIMEOUT_S: float = _accepts("seconds > 0", default=30.0, gt=0)
    MAX_BYTES: int = _accepts("a whole number of bytes > 0", default=50 * 1024 * 1024, gt=0)
    FETCH_BACKOFF_S: float = _accepts("seconds ≥ 0", default=0.5, ge=0)
    PER_HOST: int = _accepts("a whole number ≥ 1", default=2, ge=1)
    FETCH_DEADLINE_S: float = _accepts("seconds > 0", default=300.0, gt=0)
    AGENCY_DEADLINE_S: float = _accepts("seconds > 0", default=1800.0, gt=0)
    READER_MEMORY_MB: int = _accepts("a whole number of MiB > 0", default=1024, gt=0)
    READER_TIMEOUT_S: float = _accepts("seconds > 0", default=60.0, gt=0)
    READER_ISOLATION: bool = _accepts("1 or 0 (also true/false, yes/no, on/off)", default=True)
    OCR_MEMORY_MB: int = _accepts("a whole number of MiB > 0", default=3072, gt=0)
    OCR_TIMEOUT_S: float = _accepts("seconds > 0", default=300.0, gt=0)
    AGENCIES_IN_PARALLEL: int = _accepts("a whole number ≥ 1", default=4, ge=1)
    CRAWL_PROCESSES: int = _accepts(
        "a whole number ≥ 1, or auto (one per core, at most 4)", default="auto", ge=1
    )
    LOCK_TIMEOUT_S: float = _accepts("seconds > 0", default=900.0, gt=0)
    NIGHTLY_CRON: str = _accepts("a five-field cron expression such as '0 2 * * *'", default="0 2 * * *")
    REFRESH_DEBOUNCE_S: float = _accepts("seconds ≥ 0", default=5.0, ge=0)
    SERVE_LIMIT: int = _accepts("a whole number ≥ 1", default=8, ge=1)
    PROGRESS: str = _accepts("auto, all or off (1 means all, 0 off)", default="auto")
    PROGRESS_EVERY_S: float = _accepts("seconds ≥ 0", default=10.0, ge=0)
    REVIEWER: str | None = _accepts("a reviewer's name", default=None)
    WORKERS: int = _accepts("a whole number ≥ 0, or auto (one per core)", default="auto", ge=0)
    DASK_ADDRESS: str | None = _accepts(
        "a Dask scheduler address (tcp://, tls:// or inproc://…), or empty", default=None
    )
    READ_DURING_CRAWL: bool = _accepts("1 or 0 (also true/false, yes/no, on/off)", default=True)
    WORKER_MEMORY_MB: int = _accepts("a whole number of MiB ≥ 256", default=2048, ge=256)
    HOST_INTERVAL_S: float = _accepts("seconds ≥ 0", default=0.0, ge=0)
    HOSTS_DIR: Path | None = _accepts("a directory", default=None)
    HOST_LIMITS: str = _accepts("files or prefect", default="files")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """The environment only (or the mapping given to `load_settings`): no .env file, no secrets dir."""
        return (init_settings, _Environ(settings_cls))

    @field_validator("REVIEWER", "DASK_ADDRESS", "HOSTS_DIR", mode="before")
    @classmethod
    def _empty_is_unset(cls, v: object) -> object:
        return None if v == "" else v

    @field_validator("HOST_LIMITS", mode="before")
    @classmethod
    def _host_limits(cls, v: object) -> object:
        h = str(v).strip().lower()
        if h not in HOST_LIMITS:
            raise ValueError(f"not one of {', '.join(HOST_LIMITS)}")
        return h

    @field_validator("PROGRESS", mode="before")
    @classmethod
    def _progress(cls, v: object) -> object:
        p = str(v).strip().lower()
        p = PROGRESS_ALIASES.get(p, p)
        if p not in PROGRESS_MODES:
            raise ValueError(f"not one of {', '.join(PROGRESS_MODES)}")
        return p

    @field_validator("CRAWL_PROCESSES", mode="before")
    @classmethod
    def _crawl_processes(cls, v: object) -> object:
        # a crawl waits on the sites more than on the processor: past a few processes, more sites at a
        # time come from NIANBAO_AGENCIES_IN_PARALLEL, not from more interpreters
        return min(4, max(1, os.cpu_count() or 1)) if v == "auto" else v

    @field_validator("WORKERS", mode="before")
    @classmethod
    def _workers(cls, v: object) -> object:
        return max(1, os.cpu_count() or 1) if v == "auto" else v

    @field_validator("NIGHTLY_CRON")
    @classmethod
    def _cron(cls, v: str) -> str:
        if len(v.split()) != 5:
            raise ValueError("not five fields")
        return v

    @field_validator("DASK_ADDRESS")
    @classmethod
    def _dask(cls, v: str | None) -> str | None:
        if v is not None and not v.startswith(DASK_SCHEMES):
            raise ValueError("no tcp://, tls:// or inproc:// scheme")
        return v


@contextmanager
def _reading(env: Mapping[str, str] | None) -> Iterator[None]:
    token = _ENVIRON.set(env)
    try:
        yield
    finally:
        _ENVIRON.reset(token)


def _refusal(e: ValidationError) -> SettingsError:
    """One line per refused variable: its name, the value given and what it accepts."""
    lines = []
    for err in e.errors(include_url=False):
        name = str(err["loc"][0]) if err["loc"] else ""
        info = Environment.model_fields.get(name)
        accepts = info.description if info is not None else ""
        reason = str(err["msg"]).removeprefix("Value error, ")
        lines.append(f"NIANBAO_{name}={err.get('input')!r} is refused ({reason}): it takes {accepts}")
    return SettingsError("\n".join(lines))


def read_environment(env: Mapping[str, str] | None = None) -> Environment:
    """The NIANBAO_* variables of os.environ (or `env`), checked; a `SettingsError` names what is wrong."""
    try:
        with _reading(env):
            return Environment()
    except ValidationError as e:
        raise _refusal(e) from None
