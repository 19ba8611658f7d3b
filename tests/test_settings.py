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
    monkeypatch.setenv("NIANBAO_PER_HOST", "3")
    monkeypatch.setenv("NIANBAO_NIGHTLY_CRON", "30 1 * * *")
    s = load_settings()
    assert (s.warehouse, s.raw_store, s.data_docs) == (
        tmp_path / "nianbao.duckdb",
        tmp_path / "raw",
        tmp_path / "data_docs",
    )
    assert (s.fetch.per_host, s.nightly_cron) == (3, "30 1 * * *")
    assert load_settings(tmp_path / "other.duckdb").raw_store == tmp_path / "raw"
    monkeypatch.setenv("NIANBAO_DATA_DOCS", "")
    assert load_settings().data_docs is None


@pytest.mark.parametrize(
    ("var", "value"),
    [
        ("NIANBAO_PER_HOST", "0"),
        ("NIANBAO_RETRIES", "-1"),
        ("NIANBAO_NIGHTLY_CRON", "every night"),
        ("NIANBAO_TIMEOUT_S", "0"),
    ],
)
def test_nonsense_is_refused(monkeypatch: pytest.MonkeyPatch, var: str, value: str) -> None:
    monkeypatch.setenv(var, value)
    with pytest.raises(ValueError):
        load_settings()
