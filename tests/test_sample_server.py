"""The sample server over real HTTP on 127.0.0.1: conditional GET, content types, each fault switch, lifetime."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from nianbao.demo.city import CITY_DIR
from nianbao.demo.server import OFFSITE, Faults, SampleServer

MANIFEST = json.loads((CITY_DIR / "truth" / "manifest.json").read_text(encoding="utf-8"))
ROUTES = json.loads((CITY_DIR / "routes.json").read_text(encoding="utf-8"))
LISTING = "/hz-mzj/ndbg/index.html"


def docs(**match: Any) -> list[dict[str, Any]]:
    """Documents of the manifest whose fields (or quirks) match."""
    out = []
    for r in MANIFEST["reports"]:
        for d in r["documents"]:
            if all((v in d["quirks"]) if k == "quirk" else d.get(k) == v for k, v in match.items()):
                out.append(d)
    return out


@pytest.fixture(scope="module")
def srv() -> Iterator[SampleServer]:
    with SampleServer(CITY_DIR, lifetime_s=300) as server:
        yield server


@pytest.fixture()
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10, follow_redirects=False) as c:
        yield c


def fresh(faults: Faults, lifetime_s: float = 60) -> SampleServer:
    """A server of its own for a fault test."""
    return SampleServer(CITY_DIR, faults=faults, lifetime_s=lifetime_s)


def test_binds_loopback_on_a_free_port(srv: SampleServer, client: httpx.Client) -> None:
    assert srv.base_url.startswith("http://127.0.0.1:") and srv.port > 0
    r = client.get(srv.url("/"))
    assert r.status_code == 200 and "政府信息公开年度报告" in r.text


def test_every_manifest_document_is_served_with_its_bytes(srv: SampleServer, client: httpx.Client) -> None:
    for r in MANIFEST["reports"]:
        for d in r["documents"]:
            resp = client.get(srv.url(d["url"]))
            if d.get("http_status") == 404:
                assert resp.status_code == 404
                continue
            assert resp.status_code == 200, d["url"]
            assert hashlib.sha256(resp.content).hexdigest() == d["sha256"]
            assert resp.headers["content-type"] == d["content_type"]


def test_content_types_correct_and_generic(srv: SampleServer, client: httpx.Client) -> None:
    download = docs(quirk="url_download")[0]
    assert client.get(srv.url(download["url"])).headers["content-type"] == "application/octet-stream"
    static_pdf = next(
        d for d in docs(format="pdf", quirk="url_static") if "generic_content_type" not in d["quirks"]
    )
    assert client.get(srv.url(static_pdf["url"])).headers["content-type"] == "application/pdf"
    gbk = docs(quirk="gbk")[0]
    resp = client.get(srv.url(gbk["url"]))
    assert resp.headers["content-type"] == "text/html"  # the charset is only in the page's meta tag
    assert "政府信息公开" in resp.content.decode("gbk")


def test_conditional_get_etag_and_last_modified(srv: SampleServer, client: httpx.Client) -> None:
    first = client.get(srv.url(LISTING))
    etag, last_modified = first.headers["etag"], first.headers["last-modified"]
    assert first.status_code == 200 and etag.startswith('"')
    assert client.get(srv.url(LISTING), headers={"If-None-Match": etag}).status_code == 304
    assert client.get(srv.url(LISTING), headers={"If-None-Match": f'W/{etag}, "x"'}).status_code == 304
    assert client.get(srv.url(LISTING), headers={"If-None-Match": '"other"'}).status_code == 200
    assert client.get(srv.url(LISTING), headers={"If-Modified-Since": last_modified}).status_code == 304
    older = "Mon, 01 Jan 2001 00:00:00 GMT"
    assert client.get(srv.url(LISTING), headers={"If-Modified-Since": older}).status_code == 200
    # If-None-Match wins over If-Modified-Since
    both = {"If-None-Match": '"other"', "If-Modified-Since": last_modified}
    assert client.get(srv.url(LISTING), headers=both).status_code == 200
    not_modified = client.get(srv.url(LISTING), headers={"If-None-Match": etag})
    assert not_modified.content == b"" and not_modified.headers["etag"] == etag


def test_head_and_404(srv: SampleServer, client: httpx.Client) -> None:
    head = client.head(srv.url(LISTING))
    assert head.status_code == 200 and head.content == b"" and int(head.headers["content-length"]) > 0
    assert client.get(srv.url("/no/such/page.html")).status_code == 404
    assert client.get(srv.url("/_files/q00001.docx")).status_code == 404  # routed bodies only by their URL
    assert client.get(srv.url("/../routes.json")).status_code == 404


def test_site_redirect_stays_on_host(srv: SampleServer, client: httpx.Client) -> None:
    old, new = next(iter(ROUTES["redirects"].items()))
    r = client.get(srv.url(old))
    assert r.status_code == 301 and r.headers["location"] == new
    with httpx.Client(timeout=10, follow_redirects=True) as c:
        assert c.get(srv.url(old)).status_code == 200


def test_fault_5xx_burst_then_success(client: httpx.Client) -> None:
    with fresh(Faults(fail_first={LISTING: 2})) as s:
        assert [client.get(s.url(LISTING)).status_code for _ in range(3)] == [503, 503, 200]
        assert client.get(s.url("/")).status_code == 200  # other paths unaffected
    with fresh(Faults(fail_first={"*": 1}, fail_status=500)) as s:
        assert client.get(s.url("/")).status_code == 500
        assert client.get(s.url("/")).status_code == 200


def test_fault_slow_response(client: httpx.Client) -> None:
    with fresh(Faults(slow={LISTING: 0.6})) as s:
        started = time.monotonic()
        assert client.get(s.url(LISTING)).status_code == 200
        assert time.monotonic() - started >= 0.55
        with pytest.raises(httpx.ReadTimeout):
            httpx.get(s.url(LISTING), timeout=0.2)


def test_fault_dropped_connection(client: httpx.Client) -> None:
    with fresh(Faults(drop={LISTING})) as s:
        with pytest.raises(httpx.RemoteProtocolError):
            httpx.get(s.url(LISTING), timeout=5)
        assert client.get(s.url("/")).status_code == 200
        assert (("GET", LISTING, 0)) in s.requests


def test_fault_truncated_body() -> None:
    pdf = docs(format="pdf", quirk="url_static")[0]["url"]
    with (
        fresh(Faults(truncate={pdf})) as s,
        pytest.raises(httpx.RemoteProtocolError, match=r"complete message body"),
    ):
        httpx.get(s.url(pdf), timeout=5)


def test_fault_redirect_off_the_allowed_hosts(client: httpx.Client) -> None:
    target = docs(format="pdf", quirk="url_static")[0]["url"]
    with fresh(Faults(redirects={target: OFFSITE + target, "/moved": "/index.html"})) as s:
        r = client.get(s.url(target))
        assert r.status_code == 302 and r.headers["location"] == OFFSITE + target
        r = client.get(s.url("/moved"))
        assert r.status_code == 302 and r.headers["location"] == "/index.html"


def test_faults_switch_at_run_time(srv: SampleServer, client: httpx.Client) -> None:
    with fresh(Faults()) as s:
        assert client.get(s.url("/")).status_code == 200
        s.faults.fail_first["/"] = 5  # counts requests since the start: 1 seen, so 4 more fail
        assert client.get(s.url("/")).status_code == 503
        s.faults = Faults()
        assert client.get(s.url("/")).status_code == 200


def test_correction_mode_serves_a_new_document_at_the_same_url(client: httpx.Client) -> None:
    doc = next(d for d in docs() if "after_correction" in d)
    with fresh(Faults()) as s:
        before = client.get(s.url(doc["url"]))
        assert hashlib.sha256(before.content).hexdigest() == doc["sha256"]
        s.set_corrected(True)
        again = client.get(s.url(doc["url"]), headers={"If-None-Match": before.headers["etag"]})
        assert again.status_code == 200
        assert hashlib.sha256(again.content).hexdigest() == doc["after_correction"]["sha256"]
        assert again.headers["etag"] != before.headers["etag"]
        assert again.headers["last-modified"] != before.headers["last-modified"]


def test_write_catalog_points_at_the_server(srv: SampleServer, client: httpx.Client, tmp_path: Path) -> None:
    cat = yaml.safe_load(srv.write_catalog(tmp_path / "c.yaml").read_text(encoding="utf-8"))
    for agency in cat["agencies"]:
        assert agency["index_url"].startswith(srv.base_url + "/")
    assert client.get(cat["agencies"][0]["index_url"]).status_code == 200


def test_lifetime_stops_the_server() -> None:
    s = SampleServer(CITY_DIR, lifetime_s=0.5).start()
    url = s.url("/")
    assert httpx.get(url, timeout=5).status_code == 200
    assert s.wait(5)
    with pytest.raises(httpx.ConnectError):
        httpx.get(url, timeout=2)


def test_command_line_entry_serves_and_exits_by_itself(tmp_path: Path) -> None:
    cmd = [
        sys.executable,
        "-m",
        "nianbao.demo.server",
        str(CITY_DIR),
        "--port",
        "0",
        "--lifetime",
        "3",
        "--catalog",
        str(tmp_path / "cat.yaml"),
    ]
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    try:
        assert proc.stdout is not None
        base = proc.stdout.readline().strip()
        assert base.startswith("http://127.0.0.1:")
        assert httpx.get(base + LISTING, timeout=5).status_code == 200
        assert proc.wait(timeout=20) == 0
        assert base in (tmp_path / "cat.yaml").read_text(encoding="utf-8")
    finally:
        if proc.poll() is None:
            proc.kill()
