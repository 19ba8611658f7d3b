"""`rerun --failed` processes again exactly what failed, and says what changed (issue 7)."""

from __future__ import annotations

from pathlib import Path

import pytest

from nianbao.demo.city import CITY_DIR
from nianbao.demo.server import Faults, SampleServer
from nianbao.pipeline.catalog import load_catalog
from nianbao.pipeline.fetch import FetchPolicy

from helpers import rows, settings_for, sub_catalog

ATTACHMENT = "/download?id=3735"  # hz-fgw's 2020 report, a PDF behind a query-string download link


@pytest.mark.slow
def test_rerun_failed_refetches_and_loads_what_the_night_missed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, prefect_harness: None
) -> None:
    from nianbao.flows.ingest import ingest_documents
    from nianbao.flows.nightly import crawl_and_record
    from nianbao.flows.rerun import rerun

    wh = tmp_path / "wh" / "nianbao.duckdb"
    raw = tmp_path / "raw"
    monkeypatch.setenv("NIANBAO_RAW_STORE", str(raw))
    monkeypatch.setenv("NIANBAO_RETRIES", "1")
    monkeypatch.setenv("NIANBAO_FETCH_BACKOFF_S", "0.01")
    with SampleServer(CITY_DIR, faults=Faults(fail_first={ATTACHMENT: 1000}), lifetime_s=300) as srv:
        catalog_path = sub_catalog(srv, tmp_path / "catalog.yaml", ["hz-fgw"])
        crawl = crawl_and_record(
            load_catalog(catalog_path),
            settings_for(wh, raw, FetchPolicy(retries=1, backoff_s=0.01)),
            "night-1",
        )
        ingest_documents(crawl.fetched(), settings_for(wh, raw), "night-1", prefect=False)
        loaded_before = rows(
            wh, "select distinct year from staging.reports where agency_id = 'hz-fgw' order by year"
        )
        assert (2020,) not in loaded_before and len(loaded_before) == 3  # the night missed only 2020

        srv.faults.fail_first = {}  # the site recovers
        result = rerun(str(wh), failed=True, catalog_path=str(catalog_path))

    changes = [(c["agency"], c["year"], c["before"], c["after"]) for c in result.changes]
    assert changes == [("hz-fgw", 2020, "fetch_failed", "loaded")]
    assert rows(
        wh, "select distinct year, status from staging.reports where agency_id = 'hz-fgw' order by year"
    ) == [(2020, "loaded"), (2021, "loaded"), (2022, "loaded"), (2023, "loaded")]
    # a second rerun finds nothing left to do
    again = rerun(str(wh), failed=True, catalog_path=str(catalog_path))
    assert again.changes == []
