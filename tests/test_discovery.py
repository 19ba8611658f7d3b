"""Discovery (issue 7): saved listing and article pages → report links and documents; the sample city end to end."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from nianbao.pipeline.catalog import Agency
from nianbao.pipeline.sources.base import DEFAULT_PLATFORM, Link, is_attachment, report_year
from nianbao.pipeline.sources.discover import discover_agency, kind_of

SITES = Path(__file__).parent / "files" / "sites"
BASE = "http://127.0.0.1:8765"
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.mark.parametrize(
    ("title", "year"),
    [
        ("杭州市发展和改革委员会2023年政府信息公开工作年度报告", 2023),
        ("2021年度杭州市民政局政府信息公开年报", 2021),
        ("杭州市教育局政府信息公开工作年度报告（2020年）", 2020),
        ("政府信息公开年度报告", None),  # the navigation's link to the listing itself
        ("杭州市发展和改革委员会2023年法治政府建设年度报告", None),
        ("杭州市发展和改革委员会政府信息公开指南（2023年修订）", None),
        ("杭州市教育局2022年政府信息公开工作要点", None),
        ("杭州市教育局2022年度政务新媒体工作年度报表", None),
    ],
)
def test_year(title: str, year: int | None) -> None:
    assert report_year(title) == year


@pytest.mark.parametrize(
    ("url", "text", "expected"),
    [
        (f"{BASE}/files/P020230111.pdf", "杭州市发改委2022年报.pdf", True),
        (f"{BASE}/download?id=3753", "附件下载", True),
        (f"{BASE}/x/downfile.jsp?filename=abc", "点击下载", True),
        (f"{BASE}/x/report.DOCX", "全文", True),
        (f"{BASE}/x/art_1.html", "相关新闻", False),
    ],
)
def test_attachment_links(url: str, text: str, expected: bool) -> None:
    assert is_attachment(Link(url, text)) is expected


def test_listing_pages_report_links_and_next_page() -> None:
    url = f"{BASE}/hz-fgw/ndbg/index.html"
    page = DEFAULT_PLATFORM.parse_listing((SITES / "hz-fgw/ndbg/index.html").read_bytes(), url)
    assert [(r.year, r.url) for r in page.reports] == [
        (2023, f"{BASE}/hz-fgw/art/2024/1/12/art_1229337_5127534.html")
    ]
    assert page.next_url == f"{BASE}/hz-fgw/ndbg/index_2.html"
    second = DEFAULT_PLATFORM.parse_listing((SITES / "hz-fgw/ndbg/index_2.html").read_bytes(), page.next_url)
    assert sorted(r.year for r in second.reports) == [2020, 2021, 2022]
    assert second.next_url is None


def test_article_with_inline_report_and_attachment() -> None:
    url = f"{BASE}/hz-fgw/art/2023/1/11/art_1229337_5126704.html"
    art = DEFAULT_PLATFORM.parse_article((SITES / "hz-fgw/art/inline_and_attachment.html").read_bytes(), url)
    assert art.inline
    assert [a.url for a in art.attachments] == [f"{BASE}/download?id=3753"]


def test_article_with_attachment_only() -> None:
    url = f"{BASE}/hz-fgw/art/2021/1/16/art_1229337_5126097.html"
    art = DEFAULT_PLATFORM.parse_article((SITES / "hz-fgw/art/attachment_only.html").read_bytes(), url)
    assert not art.inline
    assert [a.url for a in art.attachments] == [f"{BASE}/download?id=3735"]


@dataclass
class _Page:
    data: bytes | None
    error_code: str | None = None
    final_url: str | None = None


def test_discover_agency_on_saved_pages_tells_documents_by_bytes() -> None:
    """A listed link ending .html that serves a PDF is the document itself; an article yields inline + attachment."""
    listing = (
        '<html><body><ul><li><a href="/a/2023.html">XX局2023年政府信息公开工作年度报告</a></li>'
        '<li><a href="/a/art1.html">XX局2022年政府信息公开工作年度报告</a></li>'
        '<li><a href="/a/guide.html">XX局政府信息公开指南</a></li></ul>'
        '<a href="/a/index_2.html">下一页</a></body></html>'
    ).encode()
    listing2 = '<html><body><a href="/a/2021">XX局2021年政府信息公开年报</a></body></html>'.encode()
    article = (SITES / "hz-fgw/art/inline_and_attachment.html").read_bytes()
    pages = {
        f"{BASE}/a/index.html": listing,
        f"{BASE}/a/index_2.html": listing2,
        f"{BASE}/a/2023.html": PDF,
        f"{BASE}/a/art1.html": article,
        f"{BASE}/a/2021": b"PK\x03\x04 not really a docx",
    }
    asked: list[tuple[str, str]] = []

    def get(url: str, role: str, origin: str) -> _Page:
        asked.append((url, role))
        return _Page(pages.get(url), None if url in pages else "fetch_failed")

    agency = Agency("xx", "XX局", "杭州市", "municipal", "department", index_url=f"{BASE}/a/index.html")
    found = discover_agency(agency, get)
    assert [(f.year, f.url, f.how) for f in found.documents] == [
        (2023, f"{BASE}/a/2023.html", "listed"),
        (2022, f"{BASE}/a/art1.html", "inline"),
        (2022, f"{BASE}/download?id=3753", "attachment"),
        (2021, f"{BASE}/a/2021", "listed"),
    ]
    assert found.listing_pages == 2
    assert f"{BASE}/a/guide.html" not in {u for u, _ in asked}
    assert kind_of(PDF) == "document" and kind_of(article) == "html"


def test_a_listed_report_that_leads_to_an_error_page_is_read_as_unreadable_not_missing() -> None:
    """Issue 12: 页面不存在 served with 200 under a report link: the page is this year's document, and it is
    refused as not_a_report, so the rollup says unreadable rather than no_report."""
    from nianbao.pipeline.errors import ExtractError
    from nianbao.pipeline.extract import read_document

    error_page = (Path(__file__).parent / "files" / "html" / "refuse_404.html").read_bytes()
    listing = (
        '<html><body><a href="/a/2022.html">XX局2022年政府信息公开工作年度报告</a></body></html>'.encode()
    )
    pages = {f"{BASE}/a/index.html": listing, f"{BASE}/a/2022.html": error_page}

    def get(url: str, role: str, origin: str) -> _Page:
        return _Page(pages.get(url), None if url in pages else "fetch_failed")

    agency = Agency("xx", "XX局", "杭州市", "municipal", "department", index_url=f"{BASE}/a/index.html")
    found = discover_agency(agency, get)
    assert [(f.year, f.url, f.how) for f in found.documents] == [(2022, f"{BASE}/a/2022.html", "inline")]
    assert found.problems == [(f"{BASE}/a/2022.html", "no_document_on_page")]
    refused = read_document(error_page)
    assert isinstance(refused, ExtractError) and refused.code == "not_a_report"


@pytest.mark.slow
def test_discovery_finds_exactly_the_sample_citys_documents(tmp_path: Path) -> None:
    """Over the whole generated city (redirected listings, query-string downloads, JSP links, 下一页)."""
    from nianbao.demo.city import CITY_DIR
    from nianbao.demo.server import SampleServer
    from nianbao.pipeline.catalog import load_catalog
    from nianbao.pipeline.fetch import Crawler, FetchPolicy
    from nianbao.pipeline.rawstore import RawStore

    manifest = json.loads((CITY_DIR / "truth" / "manifest.json").read_text(encoding="utf-8"))
    got: dict[tuple[str, int], set[str]] = {}
    with SampleServer(CITY_DIR, lifetime_s=120) as srv:
        catalog = load_catalog(srv.write_catalog(tmp_path / "catalog.yaml"))
        crawler = Crawler(catalog.allowed_hosts, RawStore(tmp_path / "raw"), {}, FetchPolicy(retries=0))
        try:
            for a in catalog.agencies:
                for f in discover_agency(a, crawler.get).documents:
                    got.setdefault((a.id, f.year), set()).add(f.url.removeprefix(srv.base_url))
        finally:
            crawler.close()
    expected = {(r["agency_id"], r["year"]): {d["url"] for d in r["documents"]} for r in manifest["reports"]}
    assert got == expected
