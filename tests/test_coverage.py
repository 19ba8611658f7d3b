"""`marts.coverage` says when a report was found but never arrived, with the server's answer (issue 16:
a 404 article was `no_report` with a NULL HTTP status). Real HTTP on loopback: the sample city's hz-kjj,
whose 2023 article answers 404."""

from __future__ import annotations

from pathlib import Path

from nianbao.demo.city import CITY_DIR
from nianbao.demo.server import SampleServer
from nianbao.flows.ingest import ingest_documents
from nianbao.flows.nightly import crawl_and_record
from nianbao.pipeline.catalog import load_catalog
from nianbao.pipeline.fetch import FetchPolicy
from nianbao.warehouse.connect import connect
from nianbao.warehouse.marts import refresh_marts
from nianbao.warehouse.rollup import rollup

from helpers import rows, settings_for, sub_catalog


def test_a_404_report_is_fetch_failed_with_its_status(tmp_path: Path) -> None:
    wh, raw = tmp_path / "wh" / "nianbao.duckdb", tmp_path / "raw"
    with SampleServer(CITY_DIR, lifetime_s=300) as srv:
        catalog = sub_catalog(srv, tmp_path / "catalog.yaml", ["hz-kjj"])
        settings = settings_for(wh, raw, FetchPolicy(retries=1, backoff_s=0.01))
        crawl = crawl_and_record(load_catalog(catalog), settings, "night-1")
        ingest_documents(crawl.fetched(), settings_for(wh, raw), "night-1", prefect=False)
    assert rows(
        wh, "select http_status, error_code from raw.fetch_log where agency_id = 'hz-kjj' and year = 2023"
    ) == [(404, "fetch_failed")]
    con = connect(wh)
    try:
        refresh_marts(con)
        got = con.execute(
            "select year, status, http_status, error_code, fetch_url like '%/hz-kjj/%', fetch_error"
            " from marts.coverage where agency_id = 'hz-kjj' order by year"
        ).fetchall()
        left_out = rollup(con, 2023)["left_out"]
    finally:
        con.close()
    assert [g[:2] for g in got] == [
        (2020, "counted"),
        (2021, "counted"),
        (2022, "counted"),
        (2023, "fetch_failed"),
    ]
    assert got[3][2:5] == (404, "fetch_failed", True) and "HTTP 404" in got[3][5]
    assert got[0][2:] == (None, None, None, None)
    # the rollup's contract is unchanged: a report that never arrived is left out as unreadable
    assert left_out == [{"agency": "hz-kjj", "reason": "unreadable", "error": "fetch_failed"}]
