"""A document is its bytes, a report its (agency, year): the same site served again at another address is
not news (issue 16: a second `make demo` counted all 172 documents as new and 172 reports as changed).

Real HTTP on loopback: the sample city served twice, each time on a port of its own, into one warehouse and
one raw store; the steps of a run as plain calls (no Prefect).
"""

from __future__ import annotations

from pathlib import Path

from nianbao.demo.city import CITY_DIR
from nianbao.demo.server import SampleServer
from nianbao.flows.ingest import ingest_documents
from nianbao.flows.nightly import crawl_and_record
from nianbao.pipeline.catalog import load_catalog
from nianbao.pipeline.fetch import FetchPolicy
from nianbao.pipeline.summary import Summary

from helpers import rows, settings_for, sub_catalog

AGENCIES = ["hz-szf", "hz-fgw", "hz-mzj"]  # inline HTML, attachments behind article pages, a quarantined PDF


def _night(tmp: Path, n: int, wh: Path, raw: Path) -> tuple[Summary, int]:
    """One run against a fresh server (a new port): the crawl's summary and how many reports changed."""
    with SampleServer(CITY_DIR, lifetime_s=300) as srv:
        catalog = sub_catalog(srv, tmp / f"catalog-{n}.yaml", AGENCIES)
        settings = settings_for(wh, raw, FetchPolicy(retries=1, backoff_s=0.01))
        crawl = crawl_and_record(load_catalog(catalog), settings, f"night-{n}")
        results = ingest_documents(crawl.fetched(), settings_for(wh, raw), f"night-{n}", prefect=False)
    return crawl.summary, sum(i.changed for i in results)


def test_the_same_site_at_a_new_address_brings_no_new_documents_and_changes_no_report(tmp_path: Path) -> None:
    wh, raw = tmp_path / "wh" / "nianbao.duckdb", tmp_path / "raw"
    first, changed_first = _night(tmp_path, 1, wh, raw)
    assert first.new >= 12 and changed_first >= 12
    urls_before = {u for (u,) in rows(wh, "select source_url from staging.reports")}
    second, changed_second = _night(tmp_path, 2, wh, raw)
    assert (second.new, second.changed_docs, changed_second) == (0, 0, 0)
    assert second.moved == first.new  # every document, found at its new address
    # the reports now say where their documents are published today; nothing else was rewritten
    urls_after = {u for (u,) in rows(wh, "select source_url from staging.reports")}
    assert urls_after.isdisjoint(urls_before) and len(urls_after) == len(urls_before)
    assert rows(wh, "select count(*) from staging.reports") == [(len(urls_before),)]
