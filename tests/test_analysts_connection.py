"""Issue 18 items 2 and 7: the analysts' connection reaches the snapshot's own tables and nothing else, and a
reader during a first run is told that no snapshot is published yet (it used to get a lock traceback)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from nianbao.warehouse.connect import connect, publish_snapshot

from helpers import nianbao

SECRET = "nianbao-canary-2b9d: no query may read this file"


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty warehouse (the real schema) with its snapshot published."""
    wh = tmp_path_factory.mktemp("analysts") / "nianbao.duckdb"
    connect(wh).close()
    publish_snapshot(wh)
    return wh


@pytest.mark.parametrize(
    "sql",
    [
        "select * from read_text('{secret}')",
        "select * from read_csv('{secret}')",
        "select * from read_blob('{secret}')",
        "select * from '{secret}'",
        "select * from glob('{folder}/*')",
        "select * from read_json_auto('{folder}/secret.txt')",
        "select * from read_parquet('http://127.0.0.1:9/x.parquet')",
        "select * from read_csv('https://127.0.0.1:9/x.csv')",
    ],
)
def test_query_cannot_reach_files_or_urls(sql: str, snapshot: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    ran = nianbao("query", sql.format(secret=secret, folder=tmp_path), "--warehouse", str(snapshot))
    assert ran.returncode == 1
    assert SECRET not in ran.stdout and "secret.txt" not in ran.stdout
    said = " ".join(ran.stderr.split())
    # refused outright, or (a path in FROM) not even looked up as a file: replacement scans are off too
    assert "disabled by configuration" in said or "does not exist" in said


def test_query_cannot_install_or_load_an_extension_nor_unlock_itself(
    snapshot: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # where DuckDB would put a downloaded extension
    for sql in (
        "select * from read_parquet('https://example.invalid/x.parquet')",
        "pragma enable_profiling",
        "select * from duckdb_extensions() where installed",
    ):
        ran = nianbao("query", sql, "--warehouse", str(snapshot))
        assert ran.returncode == 1, sql
    assert not (tmp_path / "home" / ".duckdb").exists()  # nothing was installed, nor even looked for


def test_query_still_reads_the_snapshot(snapshot: Path) -> None:
    ran = nianbao(
        "query",
        "select count(*) as n from curated.dim_agency",
        "--warehouse",
        str(snapshot),
        "--format",
        "json",
    )
    assert ran.returncode == 0 and ran.stdout.strip() == '{"n": 0}'
    ran = nianbao(
        "query", "select current_setting('enable_external_access') as e", "--warehouse", str(snapshot)
    )
    assert ran.returncode == 0 and "False" in ran.stdout


def test_a_reader_during_the_first_run_is_told_no_snapshot_is_published_yet(tmp_path: Path) -> None:
    wh = tmp_path / "wh" / "nianbao.duckdb"
    connect(wh).close()  # a first run has created the warehouse and is writing it: no snapshot yet
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('ready', flush=True);"
            " time.sleep(120)",
            str(wh),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
        for args in (["query", "select 1"], ["rollup", "--year", "2022"], ["findings"], ["review", "list"]):
            ran = nianbao(*args, "--warehouse", str(wh))
            assert ran.returncode == 1, args
            assert "no snapshot published yet" in ran.stderr and "Traceback" not in ran.stderr
            assert "IOException" not in ran.stderr
    finally:
        writer.kill()
        writer.wait()


def test_no_warehouse_at_all_is_one_line(tmp_path: Path) -> None:
    ran = nianbao("query", "select 1", "--warehouse", str(tmp_path / "none.duckdb"))
    assert ran.returncode == 1 and "no warehouse at" in ran.stderr and "Traceback" not in ran.stderr
