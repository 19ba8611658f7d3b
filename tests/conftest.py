"""Test set-up: hermetic Prefect/GX settings before anything imports them, and shared fixtures."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

_TMP = Path(tempfile.mkdtemp(prefix="nianbao-tests-"))
os.environ["PREFECT_HOME"] = str(_TMP / "prefect")
os.environ["PREFECT_API_DATABASE_CONNECTION_URL"] = f"sqlite+aiosqlite:///{_TMP / 'prefect' / 'prefect.db'}"
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ["DO_NOT_TRACK"] = "1"
os.environ["GX_ANALYTICS_ENABLED"] = "false"
os.environ["PREFECT_LOGGING_LEVEL"] = "WARNING"
os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = "180"
os.environ.pop("PREFECT_API_URL", None)
# never the user's warehouse: a test that forgets --warehouse writes here
os.environ["NIANBAO_HOME"] = str(_TMP / "home")
os.environ["NIANBAO_WAREHOUSE"] = str(_TMP / "home" / "default.duckdb")
# extraction in the flow's own threads unless a test asks for Dask (a local cluster costs seconds to start)
os.environ["NIANBAO_WORKERS"] = "0"
# no analysts' site after each test's refresh (seconds each, into one shared folder) unless a test names one
os.environ["NIANBAO_SITE"] = ""
os.environ["DASK_LOGGING__DISTRIBUTED"] = "error"

import pytest  # noqa: E402

from helpers import EXAMPLE_TXT  # noqa: E402


@pytest.fixture(scope="session")
def prefect_harness():
    """A real Prefect API (temporary SQLite DB) for the whole session."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def example_text() -> str:
    """The spec's real report as text (杭州市应急管理局 2020)."""
    return EXAMPLE_TXT.read_text(encoding="utf-8")
