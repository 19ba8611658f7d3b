"""Fetching (issue 7) against a real loopback server with faults: retries, truncation, refusals, all logged."""

from __future__ import annotations

import functools
import gzip
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from nianbao.demo.city import CITY_DIR
from nianbao.demo.server import OFFSITE, Faults, SampleServer
from nianbao.pipeline.catalog import load_catalog
from nianbao.pipeline.fetch import Crawler, FetchPolicy, HostLimiter, pdf_complete
from nianbao.pipeline.rawstore import RawStore

from helpers import rows, settings_for, sub_catalog

FAST = FetchPolicy(retries=3, timeout_s=2.0, backoff_s=0.01)
ATTACHMENT = "/download?id=3735"  # hz-fgw's 2020 report, a PDF behind a query-string download link


def _crawl(
    tmp_path: Path,
    faults: Faults,
    policy: FetchPolicy = FAST,
    agencies: tuple[str, ...] = ("hz-fgw",),
    ingest: bool = True,
) -> tuple[Path, object, SampleServer]:
    from nianbao.flows.ingest import ingest_documents
    from nianbao.flows.nightly import crawl_and_record

    wh = tmp_path / "wh" / "nianbao.duckdb"
    with SampleServer(CITY_DIR, faults=faults, lifetime_s=120) as srv:
        catalog = load_catalog(sub_catalog(srv, tmp_path / "catalog.yaml", list(agencies)))
        crawl = crawl_and_record(catalog, settings_for(wh, tmp_path / "raw", policy), "run-1")
    if ingest:
        ingest_documents(crawl.fetched(), settings_for(wh, tmp_path / "raw"), "run-1", prefect=False)
    return wh, crawl, srv


def test_5xx_burst_is_retried_and_loaded_exactly_once(tmp_path: Path) -> None:
    wh, crawl, srv = _crawl(tmp_path, Faults(fail_first={ATTACHMENT: 2}))
    log = rows(
        wh,
        "select attempt, status, http_status from raw.fetch_log where url like ? order by attempt",
        [f"%{ATTACHMENT}"],
    )
    assert log == [(1, "retry", 503), (2, "retry", 503), (3, "ok", 200)]
    assert [t for t in srv.requests if t[1] == ATTACHMENT] == [("GET", ATTACHMENT, 503)] * 2 + [
        ("GET", ATTACHMENT, 200)
    ]
    loaded = rows(wh, "select count(*) from staging.reports where agency_id = 'hz-fgw' and year = 2020")
    assert loaded == [(1,)]
    assert crawl.summary.fetch_failed == 0  # type: ignore[attr-defined]


def test_slow_answer_within_the_timeout_is_fine_beyond_it_is_retried_then_failed(tmp_path: Path) -> None:
    policy = FetchPolicy(retries=1, timeout_s=0.5, backoff_s=0.01)
    wh, _crawled, _ = _crawl(tmp_path, Faults(slow={ATTACHMENT: 1.5}), policy, ingest=False)
    log = rows(
        wh,
        "select attempt, status, error_code from raw.fetch_log where url like ? order by attempt",
        [f"%{ATTACHMENT}"],
    )
    assert log == [(1, "retry", "timeout"), (2, "failed", "timeout")]
    wh2, _, _ = _crawl(tmp_path / "b", Faults(slow={ATTACHMENT: 0.2}), policy, ingest=False)
    assert rows(wh2, "select status from raw.fetch_log where url like ?", [f"%{ATTACHMENT}"]) == [("ok",)]


def test_dropped_connection_is_retried_and_logged(tmp_path: Path) -> None:
    wh, _, _srv = _crawl(
        tmp_path, Faults(drop={ATTACHMENT}), FetchPolicy(retries=2, backoff_s=0.01), ingest=False
    )
    log = rows(
        wh,
        "select status, error_code from raw.fetch_log where url like ? order by attempt",
        [f"%{ATTACHMENT}"],
    )
    assert log == [
        ("retry", "connection_error"),
        ("retry", "connection_error"),
        ("failed", "connection_error"),
    ]


def test_truncated_body_is_detected_retried_and_refused(tmp_path: Path) -> None:
    wh, crawl, _ = _crawl(tmp_path, Faults(truncate={ATTACHMENT}), FetchPolicy(retries=1, backoff_s=0.01))
    log = rows(
        wh,
        "select status, error_code, sha256 from raw.fetch_log where url like ? order by attempt",
        [f"%{ATTACHMENT}"],
    )
    assert [r[:2] for r in log] == [("retry", "truncated"), ("failed", "truncated")]
    # the incomplete body is kept by its hash all the same, and nothing of it reaches the reports
    assert log[0][2] is None and log[1][2] is not None
    kept = RawStore(tmp_path / "raw").get(log[1][2])
    full = _served(ATTACHMENT)
    assert 0 < len(kept) < len(full) and full.startswith(kept)
    assert rows(wh, "select count(*) from staging.reports where year = 2020") == [(0,)]
    assert crawl.summary.reasons["fetch: truncated"] == 1  # type: ignore[attr-defined]


def _served(target: str) -> bytes:
    """The whole body the sample server sends for a target, from the committed site."""
    import json

    routes = json.loads((CITY_DIR / "routes.json").read_text(encoding="utf-8"))
    return (CITY_DIR / "site" / routes["files"][target]).read_bytes()


def test_pdf_without_eof_marker_counts_as_truncated(tmp_path: Path) -> None:
    pdf = next((CITY_DIR / "site" / "_files").glob("*.pdf")).read_bytes()
    assert pdf_complete(pdf) and not pdf_complete(pdf[: len(pdf) // 2])
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "cut.pdf").write_bytes(pdf[: len(pdf) // 2])
    with SampleServer(tmp_path) as s:
        crawler = Crawler(
            ["127.0.0.1"], RawStore(tmp_path / "raw"), {}, FetchPolicy(retries=1, backoff_s=0.01)
        )
        got = crawler.get(f"{s.base_url}/cut.pdf", "document")
        crawler.close()
    assert (got.state, got.error_code) == ("failed", "truncated")
    assert [a.error_code for a, _r, _g in crawler.attempts] == ["truncated", "truncated"]
    assert got.sha256 is not None and RawStore(tmp_path / "raw").get(got.sha256) == pdf[: len(pdf) // 2]


def test_redirect_outside_allowed_hosts_is_refused_and_logged(tmp_path: Path) -> None:
    wh, crawl, _ = _crawl(tmp_path, Faults(redirects={ATTACHMENT: f"{OFFSITE}/stolen.pdf"}), ingest=False)
    log = rows(wh, "select status, error_code, error from raw.fetch_log where url like ?", [f"%{ATTACHMENT}"])
    assert len(log) == 1 and log[0][:2] == ("failed", "host_not_allowed")
    assert "example.invalid" in log[0][2]
    assert crawl.summary.reasons["fetch: host_not_allowed"] == 1  # type: ignore[attr-defined]


def test_host_limiter_bounds_requests_in_flight() -> None:
    import threading
    import time

    limiter = HostLimiter(per_host=2)

    def hit() -> None:
        with limiter.slot("http://127.0.0.1:1/x"):
            time.sleep(0.05)

    threads = [threading.Thread(target=hit) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert limiter.peak == {"127.0.0.1:1": 2}


@pytest.mark.parametrize("per_host", [1, 3])
def test_crawl_respects_per_host_limit(tmp_path: Path, per_host: int) -> None:
    policy = FetchPolicy(retries=0, backoff_s=0.01, per_host=per_host)
    with SampleServer(CITY_DIR, faults=Faults(slow={"*": 0.02}), lifetime_s=60) as srv:
        catalog = load_catalog(
            sub_catalog(srv, tmp_path / "c.yaml", ["hz-fgw", "hz-jyj", "hz-mzj", "hz-czj"])
        )
        from nianbao.pipeline.crawl import crawl_agency

        crawler = Crawler(catalog.allowed_hosts, RawStore(tmp_path / "raw"), {}, policy)
        threads = [
            __import__("threading").Thread(target=crawl_agency, args=(a, crawler)) for a in catalog.agencies
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        crawler.close()
    assert max(crawler.limiter.peak.values()) == per_host


def test_conditional_gets_answered_304_reuse_one_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 304 has no body, yet its response must be read to its end before the connection goes back to
    the pool: closed unread, each conditional GET of a no-change night opened a new TCP connection."""
    import socket

    from nianbao.pipeline.fetch import fetch, http_pool
    from nianbao.pipeline.urlpolicy import UrlPolicy

    opened = []

    class Counting(socket.socket):  # every TCP connection the client opens, whatever opens it
        def connect(self, address: object) -> None:
            opened.append(address)
            super().connect(address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "socket", Counting)
    urls = UrlPolicy.of(("127.0.0.1",), FAST)
    client = http_pool(FAST)
    with SampleServer(CITY_DIR, lifetime_s=60) as srv:
        first = fetch(srv.url(ATTACHMENT), urls, client=client)
        answers = [fetch(srv.url(ATTACHMENT), urls, client=client, etag=first.etag) for _ in range(10)]
    client.clear()
    assert [a.status for a in answers] == [304] * 10
    assert len(opened) == 1


class _Quiet(BaseHTTPRequestHandler):
    """A test site's handler, its requests kept out of the test's output."""

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def _serving(handler: type[BaseHTTPRequestHandler], tls: ssl.SSLContext | None = None) -> Iterator[str]:
    """A real server on loopback answering with `handler` (over TLS with `tls`) for the block: its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"{'https' if tls else 'http'}://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _Compressing(_Quiet):
    """Answers every GET with `BODY` gzip-compressed and the compressed length as its Content-Length (what
    a server that keeps precompressed files, or compresses whole pages, sends to a client that asks)."""

    BODY = "<html><body>政府信息公开工作年度报告 ".encode() * 400

    def do_GET(self) -> None:
        asked = self.headers.get("accept-encoding", "")
        body = gzip.compress(self.BODY) if "gzip" in asked else self.BODY
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        if "gzip" in asked:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_a_compressed_answer_is_whole_when_its_compressed_length_arrived() -> None:
    """Content-Length counts the bytes on the wire, not the decompressed body: a gzip-compressed page was
    taken for a truncated one (its decompressed length is longer than the length declared), retried and
    refused."""
    from nianbao.pipeline.fetch import fetch
    from nianbao.pipeline.urlpolicy import UrlPolicy

    with _serving(_Compressing) as base:
        got = fetch(f"{base}/nb.html", UrlPolicy.of(("127.0.0.1",), FAST))
    assert (got.status, got.data) == (200, _Compressing.BODY)


class _RedirectingInUtf8(_Quiet):
    """/old redirects to a path of Chinese characters written unescaped, in UTF-8, into the Location header
    (as some sites do); that path, percent-encoded as a client sends it, serves a PDF."""

    TARGET = "/公开/2023年报.pdf"
    BODY = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"

    def do_GET(self) -> None:
        from urllib.parse import quote

        if self.path == "/old":
            self.send_response(302)
            # http.server writes header values as Latin-1: these are the UTF-8 bytes of the path
            self.send_header("Location", self.TARGET.encode().decode("latin-1"))
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == quote(self.TARGET):
            self.send_response(200)
            self.send_header("Content-Length", str(len(self.BODY)))
            self.end_headers()
            self.wfile.write(self.BODY)
        else:
            self.send_error(404)


def test_a_redirect_to_an_unescaped_utf8_location_is_followed_where_it_points() -> None:
    from nianbao.pipeline.fetch import fetch
    from nianbao.pipeline.urlpolicy import UrlPolicy

    with _serving(_RedirectingInUtf8) as base:
        got = fetch(f"{base}/old", UrlPolicy.of(("127.0.0.1",), FAST))
    assert (got.status, got.data, got.final_url) == (
        200,
        _RedirectingInUtf8.BODY,
        base + _RedirectingInUtf8.TARGET,
    )


def _self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 that no authority signed, and its key (PEM files)."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


def test_a_certificate_no_authority_signed_is_refused(tmp_path: Path) -> None:
    """HTTPS is verified against the packaged roots: a site whose certificate nobody signed gets no request,
    and the failure says why."""
    from nianbao.pipeline.errors import FetchError
    from nianbao.pipeline.fetch import fetch
    from nianbao.pipeline.urlpolicy import UrlPolicy

    served: list[str] = []

    class Recording(_Compressing):
        def do_GET(self) -> None:
            served.append(self.path)
            super().do_GET()

    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(*_self_signed(tmp_path))
    attempts: list[object] = []
    with _serving(Recording, tls) as base, pytest.raises(FetchError) as refused:
        fetch(
            f"{base}/nb.html",
            UrlPolicy.of(("127.0.0.1",), FetchPolicy(retries=1, timeout_s=5.0, backoff_s=0.01)),
            on_attempt=attempts.append,
        )
    assert "CERTIFICATE_VERIFY_FAILED" in refused.value.message
    assert served == [] and len(attempts) == 2  # tried again (it may be passing), never sent


@functools.cache
def _bomb() -> bytes:
    """64 MiB of zeros, gzip-compressed to ~64 KB (made once, by the first test that serves it)."""
    return gzip.compress(b"\0" * (64 << 20), compresslevel=9)


class _Bomb(_Quiet):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(_bomb())))
        self.end_headers()
        self.wfile.write(_bomb())


def test_a_compressed_answer_is_capped_by_what_it_decompresses_to() -> None:
    """A small answer that decompresses to more than `max_bytes` is refused as too large, without keeping
    more than about the cap in memory."""
    import tracemalloc

    from nianbao.pipeline.errors import FetchError
    from nianbao.pipeline.fetch import fetch
    from nianbao.pipeline.urlpolicy import UrlPolicy

    _bomb()  # before the count starts
    policy = FetchPolicy(retries=0, timeout_s=5.0, max_bytes=1 << 20)
    with _serving(_Bomb) as base:
        tracemalloc.start()
        try:
            with pytest.raises(FetchError) as refused:
                fetch(f"{base}/bomb.html", UrlPolicy.of(("127.0.0.1",), policy))
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert refused.value.code == "too_large"
    assert peak < 8 << 20  # the cap and a few chunks, not the 64 MiB it would have become


class _Chunked(_Quiet):
    """Answers in chunks of 1,000 bytes (`Transfer-Encoding: chunked`, no Content-Length: how a CMS sends a
    page it builds as it goes), gzip-compressed when the path ends in .gz."""

    protocol_version = "HTTP/1.1"  # chunks, and the connection kept for the next request
    BODY = _Compressing.BODY * 10

    def do_GET(self) -> None:
        body = gzip.compress(self.BODY) if self.path.endswith(".gz") else self.BODY
        self.send_response(200)
        self.send_header("Transfer-Encoding", "chunked")
        if self.path.endswith(".gz"):
            self.send_header("Content-Encoding", "gzip")
        self.end_headers()
        for i in range(0, len(body), 1000):
            self.wfile.write(b"%x\r\n%s\r\n" % (len(body[i : i + 1000]), body[i : i + 1000]))
        self.wfile.write(b"0\r\n\r\n")


def test_a_chunked_answer_is_read_whole_compressed_or_not() -> None:
    from nianbao.pipeline.fetch import fetch, http_pool
    from nianbao.pipeline.urlpolicy import UrlPolicy

    client = http_pool(FAST)
    try:
        with _serving(_Chunked) as base:
            got = [
                fetch(f"{base}{p}", UrlPolicy.of(("127.0.0.1",), FAST), client=client)
                for p in ("/a", "/a.gz") * 2
            ]
    finally:
        client.clear()
    assert [(g.status, g.data) for g in got] == [(200, _Chunked.BODY)] * 4
