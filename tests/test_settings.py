"""Settings come from NIANBAO_* variables in one place, and nonsense is refused at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from nianbao.pipeline.extract.limits import ReadLimits
from nianbao.pipeline.settings import SettingsError, load_settings
from nianbao.pipeline.urlpolicy import FetchPolicy


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
    assert s.read_during_crawl
    monkeypatch.setenv("NIANBAO_READ_DURING_CRAWL", "off")
    assert not load_settings().read_during_crawl
    assert load_settings(tmp_path / "other.duckdb").raw_store == tmp_path / "raw"
    monkeypatch.setenv("NIANBAO_DATA_DOCS", "")
    assert load_settings().data_docs is None
    monkeypatch.setenv("NIANBAO_SITE", "")
    assert load_settings().site is None
    monkeypatch.setenv("NIANBAO_SITE", str(tmp_path / "elsewhere"))
    assert load_settings().site == tmp_path / "elsewhere"


@pytest.mark.parametrize(
    ("var", "value", "accepts"),
    [
        # below the least value a setting takes
        ("NIANBAO_PER_HOST", "0", "a whole number ≥ 1"),
        ("NIANBAO_RETRIES", "-1", "a whole number ≥ 0"),
        ("NIANBAO_TIMEOUT_S", "0", "seconds > 0"),
        ("NIANBAO_WORKERS", "-1", "a whole number ≥ 0, or auto"),
        ("NIANBAO_WORKER_MEMORY_MB", "64", "a whole number of MiB ≥ 256"),
        ("NIANBAO_HOST_INTERVAL_S", "-0.5", "seconds ≥ 0"),
        ("NIANBAO_OCR_TIMEOUT_S", "nan", "seconds > 0"),
        # not a number at all
        ("NIANBAO_WORKERS", "many", "a whole number ≥ 0, or auto"),
        ("NIANBAO_SERVE_LIMIT", "", "a whole number ≥ 1"),
        ("NIANBAO_LOCK_TIMEOUT_S", "15m", "seconds > 0"),
        ("NIANBAO_AGENCIES_IN_PARALLEL", "2.5", "a whole number ≥ 1"),
        ("NIANBAO_CRAWL_PROCESSES", "0", "a whole number ≥ 1, or auto"),
        # not one of the words it knows
        ("NIANBAO_PROGRESS", "loud", "auto, all or off"),
        ("NIANBAO_READER_ISOLATION", "maybe", "1 or 0"),
        ("NIANBAO_READ_DURING_CRAWL", "sometimes", "1 or 0"),
        ("NIANBAO_HOST_LIMITS", "redis", "files or prefect"),
        # not in the shape it must have
        ("NIANBAO_NIGHTLY_CRON", "every night", "a five-field cron expression"),
        ("NIANBAO_DASK_ADDRESS", "127.0.0.1:8786", "a Dask scheduler address"),
    ],
)
def test_nonsense_is_refused(var: str, value: str, accepts: str) -> None:
    """Each class of nonsense is refused at once, the message naming the variable, the value, what it takes."""
    with pytest.raises(SettingsError) as refused:
        load_settings(env={var: value})
    assert str(refused.value).startswith(f"{var}={value!r} is refused")
    assert f"it takes {accepts}" in str(refused.value)


def test_every_refusal_is_named_at_once() -> None:
    with pytest.raises(ValueError) as refused:  # SettingsError is a ValueError, as before
        load_settings(env={"NIANBAO_PER_HOST": "0", "NIANBAO_PROGRESS": "loud", "NIANBAO_RETRIES": "x"})
    lines = str(refused.value).splitlines()
    assert sorted(line.split("=")[0] for line in lines) == [
        "NIANBAO_PER_HOST",
        "NIANBAO_PROGRESS",
        "NIANBAO_RETRIES",
    ]


def test_defaults_aliases_and_empty_strings(tmp_path: Path) -> None:
    """The documented defaults, the progress aliases, and the variables an empty string turns off or unsets."""
    s = load_settings(env={})
    assert (s.home, s.warehouse, s.raw_store, s.data_docs, s.hosts_dir) == (
        Path("data"),
        Path("data/nianbao.duckdb"),
        Path("data/raw"),
        Path("data/data_docs"),
        Path("data/hosts"),
    )
    assert s.fetch == FetchPolicy() and s.reader == ReadLimits()
    assert (s.progress, s.reviewer, s.dask_address, s.nightly_cron) == ("auto", None, None, "0 2 * * *")
    assert [load_settings(env={"NIANBAO_PROGRESS": v}).progress for v in ("1", "0", "", " ALL ")] == [
        "all",
        "off",
        "auto",
        "all",
    ]
    empty = load_settings(
        env={
            "NIANBAO_HOME": str(tmp_path),
            "NIANBAO_DATA_DOCS": "",
            "NIANBAO_REVIEWER": "",
            "NIANBAO_DASK_ADDRESS": "",
            "NIANBAO_HOSTS_DIR": "",
        }
    )
    assert (empty.data_docs, empty.reviewer, empty.dask_address, empty.hosts_dir) == (
        None,
        None,
        None,
        tmp_path / "hosts",
    )
    assert load_settings(env={"NIANBAO_READER_ISOLATION": "0"}).reader.isolated is False


def test_what_a_warehouse_makes_sits_beside_it(tmp_path: Path) -> None:
    """Two cities' warehouses named on one machine (`--warehouse`, or NIANBAO_WAREHOUSE) keep apart all
    they make: raw store, exports, host locks, quality report and analysts' site sit beside each; a
    warehouse under NIANBAO_HOME (the default) keeps them where they always were."""
    made = ("raw_store", "exports", "hosts_dir", "data_docs", "site")
    for city in ("hz", "nb"):
        wh = tmp_path / city / "nianbao.duckdb"
        for s in (load_settings(wh, env={}), load_settings(env={"NIANBAO_WAREHOUSE": str(wh)})):
            assert [getattr(s, name) for name in made] == [
                wh.parent / "raw",
                wh.parent / "exports",
                wh.parent / "hosts",
                wh.parent / "data_docs",
                wh.parent / "site",
            ]
    home = load_settings(env={"NIANBAO_HOME": str(tmp_path / "home")})
    assert (home.data_docs, home.site) == (tmp_path / "home" / "data_docs", tmp_path / "home" / "site")
    assert load_settings(env={}).site == Path("data/site")


def test_only_the_exact_names_are_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Names are case-sensitive and nothing comes from a .env file: the environment is the one source."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("NIANBAO_PER_HOST=7\n", encoding="utf-8")
    assert load_settings(env={"nianbao_per_host": "0", "NIANBAO_PER_HOST_X": "0"}).fetch.per_host == 2
    monkeypatch.delenv("NIANBAO_PER_HOST", raising=False)
    assert load_settings().fetch.per_host == 2
    monkeypatch.setenv("NIANBAO_PER_HOST", "5")
    assert load_settings().fetch.per_host == 5
    assert load_settings(env={}).fetch.per_host == 2  # a mapping given replaces os.environ whole


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


def test_where_politeness_is_kept(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Issue 17: per-host limits in lock files by default (one machine), or kept by the Prefect server the
    flows use (NIANBAO_HOST_LIMITS=prefect: every machine that uses it)."""
    from nianbao.flows.politeness import PrefectHostGate, host_gate
    from nianbao.pipeline.politeness import HostGate

    monkeypatch.setenv("NIANBAO_WAREHOUSE", str(tmp_path / "n.duckdb"))
    monkeypatch.delenv("NIANBAO_HOST_LIMITS", raising=False)
    monkeypatch.setenv("NIANBAO_HOST_INTERVAL_S", "0.5")
    files = host_gate(load_settings())
    assert type(files) is HostGate and files.root == tmp_path / "hosts" and files.interval_s == 0.5
    monkeypatch.setenv("NIANBAO_HOST_LIMITS", " Prefect ")
    s = load_settings()
    assert s.host_limits == "prefect"
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: "http://127.0.0.1:4200/api"}):
        gate = host_gate(s)
    assert isinstance(gate, PrefectHostGate)
    assert (gate.api_url, gate.per_host, gate.interval_s) == ("http://127.0.0.1:4200/api", 2, 0.5)
    assert gate.lease_s > s.fetch.deadline_s  # a slot outlives the longest download


def test_how_many_processes_a_crawl_may_use(monkeypatch: pytest.MonkeyPatch) -> None:
    """One per core, at most 4, unless told (the crawl itself starts one per 32 agencies at most:
    pipeline/crawl.py)."""
    import os

    monkeypatch.delenv("NIANBAO_CRAWL_PROCESSES", raising=False)
    assert load_settings().crawl_processes == min(4, os.cpu_count() or 1)
    monkeypatch.setenv("NIANBAO_CRAWL_PROCESSES", "1")
    assert load_settings().crawl_processes == 1
