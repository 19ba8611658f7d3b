"""Settings from NIANBAO_* environment variables, read in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    """Where nianbao keeps its files and how politely it fetches."""

    home: Path
    warehouse: Path
    raw_store: Path
    timeout_s: float = 30.0
    retries: int = 3
    max_bytes: int = 50 * 1024 * 1024

    def __post_init__(self) -> None:
        if self.timeout_s <= 0 or self.retries < 0 or self.max_bytes <= 0:
            raise ValueError("timeout, retries and max_bytes must be positive")


def load_settings(warehouse: str | Path | None = None) -> Settings:
    """Settings from the environment; `warehouse` overrides NIANBAO_WAREHOUSE."""
    home = Path(os.environ.get("NIANBAO_HOME", "data"))
    wh = Path(warehouse or os.environ.get("NIANBAO_WAREHOUSE", home / "nianbao.duckdb"))
    raw = Path(os.environ.get("NIANBAO_RAW_STORE", wh.parent / "raw"))
    return Settings(
        home=home,
        warehouse=wh,
        raw_store=raw,
        timeout_s=float(os.environ.get("NIANBAO_TIMEOUT_S", "30")),
        retries=int(os.environ.get("NIANBAO_RETRIES", "3")),
        max_bytes=int(os.environ.get("NIANBAO_MAX_BYTES", str(50 * 1024 * 1024))),
    )
