"""A small real city for the site's tests: real documents of every format, read, checked and loaded.

Five agencies, 2020 and 2022: a PDF, an HTML page and a DOCX report counted in 2020; in 2022 the PDF and
the HTML report each carry one planted fault (a printed total one too high, as agencies misprint them) and
are quarantined with findings that point into the real documents, the DOCX is counted, one document is
encrypted (unreadable) and one agency published nothing. The documents are kept in a raw store by hash,
as a run keeps them, so the site can crop and re-draw them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nianbao.pipeline.catalog import Agency
from nianbao.pipeline.extract import read_document, sniff
from nianbao.pipeline.model import DocRef, Report
from nianbao.pipeline.rawstore import RawStore
from nianbao.warehouse.connect import connect, publish_snapshot
from nianbao.warehouse.ingest import load
from nianbao.warehouse.marts import refresh_marts
from nianbao.warehouse.write import record_document, upsert_agencies

from helpers import FILES

AGENCIES = [
    Agency("ag-pdf", "杭州市测试局", "杭州市", "municipal", "department"),
    Agency("ag-html", "杭州市民政局", "杭州市", "municipal", "department"),
    Agency("ag-docx", "杭州市西湖区人民政府", "西湖区", "district", "government"),
    Agency("ag-bad", "杭州市西湖区测试局", "西湖区", "district", "department"),
    Agency("ag-none", "杭州市西湖区无报告局", "西湖区", "district", "department"),
]
DOCUMENTS = [  # agency, year, fixture, planted fault (cell printed one too high)
    ("ag-pdf", 2020, "pdf/rl_v2019_split_repeat.pdf", None),
    ("ag-html", 2020, "html/html_hz-sfj_2020.html", None),
    ("ag-docx", 2020, "docx/docx_hz-ghzy_2020.docx", None),
    ("ag-pdf", 2022, "pdf/rl_v2021_total_first.pdf", ("applications", "granted", "total")),
    ("ag-html", 2022, "html/html_hz-mzj_2022_gbk.html", ("review_litigation", "review", "total")),
    ("ag-docx", 2022, "docx/docx_t1-gongshu_2022.docx", None),
    ("ag-bad", 2022, "pdf/refuse_encrypted.pdf", None),
]
QUARANTINED = {("ag-pdf", 2022), ("ag-html", 2022)}


@dataclass(frozen=True)
class SiteCity:
    """Where the small city's warehouse and raw store are."""

    warehouse: Path
    raw_store: Path


def make_city(root: Path) -> SiteCity:
    """Read, check and load the documents into a warehouse under `root`; publish its snapshot."""
    store = RawStore(root / "raw")
    warehouse = root / "city.duckdb"
    con = connect(warehouse)
    try:
        upsert_agencies(con, AGENCIES)
        batch = []
        for agency, year, fixture, fault in DOCUMENTS:
            data = (FILES / fixture).read_bytes()
            sha = store.put(data)
            try:
                fmt: str | None = sniff(data)
            except Exception:
                fmt = None
            record_document(con, sha, len(data), fmt, str(store.path(sha)))
            reading = read_document(data)
            if isinstance(reading, Report):
                reading.year = year
                if fault:
                    table, row, col = fault
                    getattr(reading, table)[row][col] += 1
            batch.append(
                (
                    DocRef(agency, year, f"http://127.0.0.1:9/{agency}/{year}/{Path(fixture).name}", sha),
                    reading,
                )
            )
        load(con, batch)
        refresh_marts(con)
    finally:
        con.close()
    publish_snapshot(warehouse)
    return SiteCity(warehouse, root / "raw")
