"""Issue 18, hostile sites: a web page never makes nianbao read a local file or leave the allowed hosts, one
deadline bounds a document's download and one budget an agency's crawl, and a year no template covers is
skipped with its reason. Against a hostile agency site served on loopback (`hostile_site.py`).
"""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from nianbao.pipeline.catalog import load_catalog
from nianbao.pipeline.errors import FetchError
from nianbao.pipeline.fetch import Crawler, FetchPolicy
from nianbao.pipeline.rawstore import RawStore
from nianbao.pipeline.urlpolicy import UrlPolicy

from helpers import nianbao, rows, settings_for
from hostile_site import AGENCY, HostileSite, OffSite

# every test here is bounded: the policy's deadlines are seconds, not minutes
HOSTILE = FetchPolicy(retries=1, timeout_s=2.0, backoff_s=0.01, deadline_s=2.0, agency_deadline_s=60.0)
CANARY_TEXT = "nianbao-canary-7f3e1c: a local file no web page may make nianbao read"

_opened: list[str] = []
_watching: set[str] = set()
_watch_lock = threading.Lock()


def _audit(event: str, args: tuple[Any, ...]) -> None:
    """Every `open` of a watched path, by anyone in this process (audit hooks cannot be removed: a set)."""
    if event == "open" and _watching and args and isinstance(args[0], str | bytes | Path):
        path = str(args[0] if not isinstance(args[0], bytes) else args[0].decode(errors="replace"))
        if any(w in path for w in _watching):
            with _watch_lock:
                _opened.append(path)


sys.addaudithook(_audit)


def _canary(folder: Path) -> Path:
    """A local file the hostile site links to; every open of it in this process is recorded."""
    path = folder / "secret" / "canary.txt"
    path.parent.mkdir(parents=True)
    path.write_text(CANARY_TEXT, encoding="utf-8")
    _watching.add(path.name)
    return path


@pytest.fixture
def canary(tmp_path: Path) -> Any:
    path = _canary(tmp_path)
    # what was recorded before is not this test's: another test's canary (the same name) written while a
    # module-wide crawl watched its own, or an earlier test's crawl
    _opened.clear()
    yield path
    _watching.discard(path.name)


@dataclass
class Crawled:
    """One crawl of the hostile site, shared by the tests that read it."""

    crawl: Any
    warehouse: Path
    raw: Path
    site: HostileSite
    off: OffSite
    opened: list[str]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from nianbao.flows.nightly import crawl_and_record

    tmp = tmp_path_factory.mktemp("hostile")
    canary = _canary(tmp)
    _opened.clear()
    wh = tmp / "wh" / "nianbao.duckdb"
    with OffSite() as off, HostileSite(canary, off) as site:
        catalog = load_catalog(site.write_catalog(tmp / "catalog.yaml"))
        crawl = crawl_and_record(catalog, settings_for(wh, tmp / "raw", HOSTILE), "run-1")
    yield Crawled(crawl, wh, tmp / "raw", site, off, list(_opened))
    _watching.discard(canary.name)


def test_web_links_never_read_local_files_nor_leave_the_allowed_hosts(crawled: Crawled) -> None:
    """Issue 18 item 1: file: links (any case, directly, as attachments, behind a redirect) are refused."""
    crawl, wh, site, off = crawled.crawl, crawled.warehouse, crawled.site, crawled.off
    assert crawled.opened == []  # nothing in this process opened the canary
    for body in crawled.raw.rglob("*"):
        assert not body.is_file() or CANARY_TEXT.encode() not in body.read_bytes()
    assert off.requests == []  # not one request reached the other host
    assert {host for _m, _t, host in site.requests} == {f"127.0.0.1:{site.port}"}
    refused = dict(
        rows(
            wh,
            "select url, error_code from raw.fetch_log where error_code in"
            " ('scheme_not_allowed', 'host_not_allowed')",
        )
    )
    local = {u for u, code in refused.items() if code == "scheme_not_allowed"}
    assert sum("canary" in u for u in local) >= 5  # file:, FILE:, File://localhost, fIlE:, ' file:'
    # other schemes are not even links to discovery; were one to reach the fetch, the policy refuses it
    assert rows(wh, "select count(*) from raw.fetch_log where url like 'ftp:%' or url like 'gopher:%'") == [
        (0,)
    ]
    assert refused[f"{site.base_url}/redirect-file"] == "scheme_not_allowed"
    assert refused[f"{site.base_url}/redirect-off"] == "host_not_allowed"
    assert refused[f"{off.base_url}/stolen.pdf"] == "host_not_allowed"
    assert rows(wh, "select count(*) from raw.fetch_log where url like '%canary%' and status = 'ok'") == [
        (0,)
    ]
    # what was refused is counted, and the one real report was fetched
    assert crawl.summary.reasons["fetch: scheme_not_allowed"] >= 6
    assert any(r.url.endswith("/report-2020.txt") for r in crawl.fetched())


def test_a_hostile_listing_cannot_make_discovery_endless(crawled: Crawled) -> None:
    """下一页 without end stops at the listing-page cap; an article page over the HTML limits is not read."""
    from nianbao.pipeline.sources.discover import MAX_LISTING_PAGES

    pages = [t for _m, t, _h in crawled.site.requests if t.startswith("/ndbg/")]
    assert len(pages) == MAX_LISTING_PAGES
    assert crawled.crawl.summary.reasons["discovery: too_large"] == 1  # /big.html, 20 MiB


def test_a_report_year_no_template_covers_is_skipped_with_its_reason(crawled: Crawled) -> None:
    """Issue 18 item 5: a 2018 link is not followed (no template reads it); the discovery says why."""
    crawl = crawled.crawl
    assert crawl.summary.reasons["discovery: year_not_covered"] == 1
    assert "/report-2018.txt" not in {t for _m, t, _h in crawled.site.requests}
    assert all(f.year >= 2019 for a in crawl.agencies for f, _g in a.documents)


def test_one_deadline_bounds_the_whole_download(tmp_path: Path, canary: Path) -> None:
    """Issue 18 item 4: a body dripping one byte a second ends at the download's deadline, not retried."""
    policy = FetchPolicy(retries=3, timeout_s=5.0, backoff_s=0.01, deadline_s=1.5)
    with OffSite() as off, HostileSite(canary, off) as site:
        crawler = Crawler(["127.0.0.1"], RawStore(tmp_path / "raw"), {}, policy)
        try:
            got = crawler.get(f"{site.base_url}/drip.pdf", "document")
        finally:
            crawler.close()
    assert (got.state, got.error_code) == ("failed", "deadline_exceeded")
    assert [a.error_code for a, _r, _g in crawler.attempts] == ["deadline_exceeded"]  # one attempt only
    assert [t for _m, t, _h in site.requests] == ["/drip.pdf"]


def test_an_agency_crawl_ends_when_its_budget_is_spent(tmp_path: Path, canary: Path) -> None:
    """Issue 18 item 4: once an agency's budget is spent, its remaining fetches are refused unasked."""
    from nianbao.pipeline.crawl import crawl_agency

    policy = replace(HOSTILE, retries=0, deadline_s=1.0, agency_deadline_s=2.5)
    with OffSite() as off, HostileSite(canary, off) as site:
        listing = "".join(
            f'<a href="/drip.pdf?{i}">XX局{2019 + i}年政府信息公开工作年度报告</a>' for i in range(6)
        )
        site.listing = lambda: f"<html><body>{listing}</body></html>"  # type: ignore[method-assign]
        site.bombs = {f"/drip.pdf?{i}": (b"", "") for i in range(0)}
        catalog = load_catalog(site.write_catalog(tmp_path / "catalog.yaml"))
        crawler = Crawler(catalog.allowed_hosts, RawStore(tmp_path / "raw"), {}, policy)
        original = site.respond

        def drip_all(handler: Any) -> None:
            if handler.path.startswith("/drip.pdf?"):
                site._drip(handler)
            else:
                original(handler)

        site.respond = drip_all  # type: ignore[method-assign]
        try:
            crawl = crawl_agency(catalog.agencies[0], crawler)
        finally:
            crawler.close()
    codes = [g.error_code for _f, g in crawl.documents]
    assert len(codes) == 6 and set(codes) == {"deadline_exceeded"}
    asked = [t for _m, t, _h in site.requests if t.startswith("/drip.pdf")]
    assert 0 < len(asked) < 6  # the budget ran out before the last links were asked for


@pytest.mark.parametrize(
    ("url", "origin", "code"),
    [
        ("file:///etc/passwd", "web", "scheme_not_allowed"),
        ("FILE:///etc/passwd", "web", "scheme_not_allowed"),
        ("File:/etc/passwd", "web", "scheme_not_allowed"),
        (" file:///etc/passwd", "web", "scheme_not_allowed"),
        ("ftp://127.0.0.1/x.pdf", "web", "scheme_not_allowed"),
        ("gopher://127.0.0.1:70/_x", "catalog", "scheme_not_allowed"),
        ("ftp://127.0.0.1/x.pdf", "catalog", "scheme_not_allowed"),
        ("data:text/html,<a>", "web", "scheme_not_allowed"),
        ("file://evil.example/etc/passwd", "catalog", "scheme_not_allowed"),
        ("http://evil.example/x.pdf", "web", "host_not_allowed"),
        ("http://127.0.0.1@evil.example/x.pdf", "web", "host_not_allowed"),
        ("http://127.0.0.1:80@evil.example/x.pdf", "catalog", "host_not_allowed"),
        ("http://169.254.169.254/latest/meta-data/", "web", "host_not_allowed"),
        ("http://localhost/x.pdf", "web", "host_not_allowed"),
        ("http://[::1]/x.pdf", "web", "host_not_allowed"),
    ],
)
def test_url_policy_refuses(url: str, origin: Any, code: str) -> None:
    with pytest.raises(FetchError) as e:
        UrlPolicy.of(["127.0.0.1", "www.example.gov.cn"]).admit(url, origin)
    assert e.value.code == code


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("http://127.0.0.1:8765/a/2020.pdf", "web"),
        ("HTTPS://WWW.Example.GOV.cn./a.pdf", "web"),
        ("http://127.0.0.1\\@127.0.0.1/a.pdf", "web"),
        ("file:///srv/reports/2020.pdf", "catalog"),
        ("file://localhost/srv/reports/2020.pdf", "catalog"),
    ],
)
def test_url_policy_admits(url: str, origin: Any) -> None:
    target = UrlPolicy.of(["127.0.0.1", "www.example.gov.cn"]).admit(url, origin)
    assert target.scheme in ("http", "https", "file")


def test_a_catalog_may_still_name_a_local_file(tmp_path: Path) -> None:
    """Only the operator's catalog names local files: a report listed there as file: is read."""
    from nianbao.flows.nightly import crawl_and_record

    from helpers import EXAMPLE_TXT

    report = tmp_path / "reports" / "2020.txt"
    report.parent.mkdir()
    report.write_bytes(EXAMPLE_TXT.read_bytes())
    (tmp_path / "catalog.yaml").write_text(
        f"city: 测试市\nallowed_hosts: [127.0.0.1]\nagencies:\n  - id: {AGENCY}\n    name: XX局\n"
        "    region: 测试市\n    level: municipal\n    kind: department\n    reports:\n"
        "      - year: 2020\n        url: file:reports/2020.txt\n",
        encoding="utf-8",
    )
    catalog = load_catalog(tmp_path / "catalog.yaml")
    crawl = crawl_and_record(catalog, settings_for(tmp_path / "nianbao.duckdb", tmp_path / "raw"), "run-1")
    assert [(f.year, g.state) for a in crawl.agencies for f, g in a.documents] == [(2020, "new")]


def test_a_catalog_file_that_is_not_a_regular_file_is_refused(tmp_path: Path) -> None:
    """Even the catalog cannot make the crawl read a device or block on a FIFO."""
    import os

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    crawler = Crawler(["127.0.0.1"], RawStore(tmp_path / "raw"), {}, HOSTILE)
    try:
        got = [crawler.get(u, "document", "catalog") for u in (fifo.as_uri(), "file:///dev/zero")]
    finally:
        crawler.close()
    assert [(g.state, g.error_code) for g in got] == [("failed", "fetch_failed")] * 2


def test_rerun_without_its_catalog_stays_on_the_hosts_that_served_before(crawled: Crawled) -> None:
    """A failed link to another host is not an invitation: without the catalog, a rerun asks only the
    hosts that have served a document before (it used to take every failed URL's host as allowed)."""
    import duckdb

    from nianbao.warehouse.read import answered_hosts, failed_documents

    con = duckdb.connect(str(crawled.warehouse), read_only=True)
    try:
        hosts = answered_hosts(con)
        broken = {urlsplit(t["url"]).hostname for t in failed_documents(con) if t["fetch_status"] == "failed"}
    finally:
        con.close()
    assert hosts == ("127.0.0.1",)
    assert "127.0.0.2" in broken  # the rerun will find it, and refuse it


@pytest.mark.slow
def test_rerun_failed_without_catalog_sends_nothing_off_the_hosts(
    tmp_path: Path, canary: Path, monkeypatch: pytest.MonkeyPatch, prefect_harness: None
) -> None:
    from nianbao.flows.nightly import crawl_and_record
    from nianbao.flows.rerun import rerun

    wh, raw = tmp_path / "wh" / "nianbao.duckdb", tmp_path / "raw"
    monkeypatch.setenv("NIANBAO_RAW_STORE", str(raw))
    monkeypatch.setenv("NIANBAO_FETCH_DEADLINE_S", "2")
    monkeypatch.setenv("NIANBAO_RETRIES", "0")
    with OffSite() as off, HostileSite(canary, off) as site:
        catalog = load_catalog(site.write_catalog(tmp_path / "catalog.yaml"))
        crawl_and_record(catalog, settings_for(wh, raw, HOSTILE), "night-1")
        result = rerun(str(wh), failed=True)
    assert off.requests == []
    assert _opened == []
    assert {c["after"] for c in result.changes if urlsplit(c["url"] or "").hostname == "127.0.0.2"} == {
        "fetch_failed (host_not_allowed)"
    }


@pytest.mark.slow
def test_a_whole_run_over_the_hostile_site_completes(
    tmp_path: Path, canary: Path, prefect_harness: None
) -> None:
    """Issue 18: `nianbao run` over the hostile site ends with exit 0, reads no local file, sends nothing off
    the allowed hosts, refuses the bombs with a typed code, and publishes the analysts' snapshot. Its time is
    bounded by the policy (a 2 s download deadline, a 60 s agency budget, the reader's 60 s cap)."""
    import json

    from nianbao.warehouse.connect import snapshot_path

    wh = tmp_path / "wh" / "nianbao.duckdb"
    env = {
        "NIANBAO_RAW_STORE": str(tmp_path / "raw"),
        "NIANBAO_DATA_DOCS": "",
        "NIANBAO_FETCH_DEADLINE_S": "2",
        "NIANBAO_AGENCY_DEADLINE_S": "60",
        "NIANBAO_TIMEOUT_S": "2",
        "NIANBAO_RETRIES": "1",
        "NIANBAO_FETCH_BACKOFF_S": "0.01",
    }
    with OffSite() as off, HostileSite(canary, off) as site:
        catalog = site.write_catalog(tmp_path / "catalog.yaml")
        ran = nianbao("run", "--catalog", str(catalog), "--warehouse", str(wh), env=env)
    assert ran.returncode == 0, ran.stderr[-3000:]
    assert _opened == [] and off.requests == []
    assert {host for _m, _t, host in site.requests} == {f"127.0.0.1:{site.port}"}
    assert snapshot_path(wh).exists()
    unreadable = dict(
        rows(wh, "select source_url, error_code from staging.reports where status = 'unreadable'")
    )
    assert unreadable[f"{site.base_url}/bomb.pdf"] == "too_large"
    assert unreadable[f"{site.base_url}/bomb.docx"] == "too_large"
    assert rows(wh, "select year, status from staging.reports where source_url like '%report-2020.txt'") == [
        (2020, "loaded")
    ]
    refused = {
        code for (code,) in rows(wh, "select distinct error_code from raw.fetch_log where status = 'failed'")
    }
    assert {"scheme_not_allowed", "host_not_allowed", "deadline_exceeded"} <= refused
    rollup = nianbao("rollup", "--year", "2020", "--warehouse", str(wh))
    assert rollup.returncode == 0 and json.loads(rollup.stdout)["agencies_counted"] == [AGENCY]
