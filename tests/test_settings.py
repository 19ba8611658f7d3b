"""Settings come from NIANBAO_* variables in one place, and nonsense is refused at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from nianbao.pipeline.settings import load_settings


def test_environment_is_read_in_one_place(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NIANBAO_HOME", str(tmp_path))
    monkeypatch.delenv("NIANBAO_WAREHOUSE", raising=False)
    monkeypatch.delenv("NIANBAO_RAW_STORE", raising=False)
    monkeypatch.delenv("NIANBAO_DATA_DOCS", raising=False)
    monkeypatch.delenv("NIANBAO_SITE", raising=False)
    monkeypatch.setenv("NIANBAO_PER_HOST", "3")
    monkeypatch.setenv("NIANBAO_NIGHTLY_CRON", "30 1 * * *")
    s = load_settings()
    assert (s.warehouse, s.raw_store, s.data_docs, s.site) == (
        tmp_path / "nianbao.duckdb",
        tmp_path / "raw",
        tmp_path / "data_docs",
        tmp_path / "site",
    )
    assert (s.fetch.per_host, s.nightly_cron) == (3, "30 1 * * *")
    assert load_settings(tmp_path / "other.duckdb").raw_store == tmp_path / "raw"
    monkeypatch.setenv("NIANBAO_DATA_DOCS", "")
    assert load_settings().data_docs is None
    monkeypatch.setenv("NIANBAO_SITE", "")
    assert load_settings().site is None
    monkeypatch.setenv("NIANBAO_SITE", str(tmp_path / "elsewhere"))
    assert load_settings().site == tmp_path / "elsewhere"


@pytest.mark.parametrize(
    ("var", "value"),
    [
        ("NIANBAO_PER_HOST", "0"),
        ("NIANBAO_RETRIES", "-1"),
        ("NIANBAO_NIGHTLY_CRON", "every night"),
        ("NIANBAO_TIMEOUT_S", "0"),
        ("NIANBAO_WORKERS", "-1"),
        ("NIANBAO_WORKERS", "many"),
        ("NIANBAO_WORKER_MEMORY_MB", "64"),
        ("NIANBAO_DASK_ADDRESS", "127.0.0.1:8786"),
        ("NIANBAO_HOST_INTERVAL_S", "-0.5"),
    ],
)
def test_nonsense_is_refused(monkeypatch: pytest.MonkeyPatch, var: str, value: str) -> None:
    monkeypatch.setenv(var, value)
    with pytest.raises(ValueError):
        load_settings()


def test_where_extraction_runs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Issue 17: a local cluster of one worker per core by default, a number, or an existing cluster."""
    import os

    monkeypatch.setenv("NIANBAO_WAREHOUSE", str(tmp_path / "wh" / "n.duckdb"))
    monkeypatch.delenv("NIANBAO_HOSTS_DIR", raising=False)
    monkeypatch.setenv("NIANBAO_WORKERS", "auto")
    s = load_settings()
    assert s.workers == (os.cpu_count() or 1) and s.dask_address is None
    assert s.hosts_dir == tmp_path / "wh" / "hosts"  # shared by every process using this warehouse
    monkeypatch.setenv("NIANBAO_WORKERS", "0")
    monkeypatch.setenv("NIANBAO_DASK_ADDRESS", "tcp://10.0.0.5:8786")
    monkeypatch.setenv("NIANBAO_HOST_INTERVAL_S", "0.5")
    s = load_settings()
    assert (s.workers, s.dask_address, s.host_interval_s) == (0, "tcp://10.0.0.5:8786", 0.5)
