"""What several test modules share: where the fixtures are, a sub-catalog of the sample city, warehouse peeks."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import duckdb
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
FILES = ROOT / "tests" / "files"
GOLDEN = ROOT / "tests" / "golden"
EXAMPLE_TXT = FILES / "text" / "hz-yjglj_2020.txt"
# where Debian keeps the machine's fonts
FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path("/usr/share/X11/fonts"))


def required(package: str) -> bool:
    """Whether CI has installed this Debian package and insists on it: named in NIANBAO_REQUIRE_PACKAGES
    (space-separated, set by `.ci/run` for what it installed). A test that needs such a package fails
    where it is missing instead of skipping."""
    return package in os.environ.get("NIANBAO_REQUIRE_PACKAGES", "").split()


def missing(*packages: str) -> NoReturn:
    """Skip a test that needs these Debian packages, missing here; fail it where CI requires one of them
    (`required`)."""
    absent = " ".join(sorted(p for p in set(packages) if required(p)))
    if absent:
        pytest.fail(f"NIANBAO_REQUIRE_PACKAGES names {absent}, missing here (apt-get install {absent})")
    pytest.skip(f"needs {', '.join(packages)} (apt-get install {' '.join(packages)})")


def skip_unless_installed(lacking: list[str]) -> None:
    """`missing(*lacking)` unless nothing is lacking."""
    if lacking:
        missing(*lacking)


def installed_fonts(pattern: str) -> list[str]:
    """File names of the machine's fonts whose names match a glob pattern."""
    return sorted(p.name for d in FONT_DIRS if d.is_dir() for p in d.rglob(pattern))


@contextmanager
def progress_records() -> Iterator[list[logging.LogRecord]]:
    """Every record the `nianbao.progress` logger writes in the block (stages and steps), as it is written."""
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    log, keep = logging.getLogger("nianbao.progress"), Keep()
    old = log.level
    log.addHandler(keep)
    log.setLevel(logging.INFO)
    try:
        yield records
    finally:
        log.removeHandler(keep)
        log.setLevel(old)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now (for a server a test starts as a command)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def stop_process(p: subprocess.Popen[Any] | None, timeout: float = 30) -> int | None:
    """End a process a test started (SIGTERM, SIGKILL after `timeout`); its exit status (None: no process)."""
    if p is None:
        return None
    if p.poll() is None:
        p.terminate()
        try:
            p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(timeout=10)
    return p.returncode


def prefect_api_url() -> str:
    """The Prefect API of the test session (the `prefect_harness` fixture), for processes a test starts."""
    from prefect.settings import get_current_settings

    url = get_current_settings().api.url
    assert url, "the test needs the prefect_harness fixture"
    return url


def sub_catalog(server: Any, dest: Path, agencies: list[str]) -> Path:
    """The sample city's catalog on `server`, narrowed to some agencies."""
    full = server.write_catalog(dest.with_suffix(".full.yaml"))
    data = yaml.safe_load(full.read_text(encoding="utf-8"))
    data["agencies"] = [a for a in data["agencies"] if a["id"] in agencies]
    dest.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return dest


def rows(warehouse: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    """Query the warehouse file read-only (no writer may hold it)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def settings_for(warehouse: Path, raw_store: Path | None = None, fetch: Any = None) -> Any:
    """Settings for a test's own warehouse (and raw store, and fetch policy), nothing else from the environment."""
    from dataclasses import replace

    from nianbao.pipeline.settings import load_settings

    env = {"NIANBAO_RAW_STORE": str(raw_store)} if raw_store else {}
    s = load_settings(warehouse, env={**env, "NIANBAO_DATA_DOCS": ""})
    return replace(s, fetch=fetch) if fetch is not None else s


@dataclass(frozen=True)
class Ran:
    """What a `nianbao` command did: its exit status and what it printed on each stream."""

    returncode: int
    stdout: str
    stderr: str


def nianbao(*args: str, env: dict[str, str] | None = None) -> Ran:
    """Run a `nianbao` command in this process (typer's CliRunner), as a user would type it."""
    from typer.testing import CliRunner

    from nianbao.cli import app

    result = CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)
    return Ran(result.exit_code, result.stdout, result.stderr)
