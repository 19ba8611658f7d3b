"""A hostile agency site on loopback, for the tests of issue 18 (never part of the product).

`HostileSite` serves one agency's listing whose report links lead everywhere nianbao must not go: local
files (`file:` in every case and spelling, directly and through redirects), other schemes, other hosts
(`OffSite`, a second server on 127.0.0.2, counts every request it gets), a body that drips one byte at a
time, listing pages without end, a report year no template covers, and decompression bombs made at run
time. It also serves one real report, so a run over it has something to load.

    with OffSite() as off, HostileSite(canary, off) as site:
        catalog = site.write_catalog(tmp / "catalog.yaml")

Every request is kept (`requests`: method, target, Host header), so a test can say which hosts were asked.
"""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import bombs
from helpers import EXAMPLE_TXT

AGENCY = "xx-hostile"
TITLE = "XX局{year}年政府信息公开工作年度报告"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: Any


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        """Headers and body go out in separate writes: without TCP_NODELAY each response waits ~40 ms."""
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the owner keeps the requests."""

    def do_GET(self) -> None:
        owner = self.server.owner
        with owner.lock:
            owner.requests.append(("GET", self.path, self.headers.get("Host", "")))
        owner.respond(self)


def _send(handler: BaseHTTPRequestHandler, status: int, body: bytes, ctype: str, **headers: str) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", ctype)
    handler.send_header("Content-Length", str(len(body)))
    for k, v in headers.items():
        handler.send_header(k.replace("_", "-"), v)
    handler.end_headers()
    handler.wfile.write(body)


class _Base:
    """A threaded HTTP server on one loopback address that stops after `lifetime_s` whatever happens."""

    def __init__(self, host: str, lifetime_s: float) -> None:
        self.host = host
        self.requests: list[tuple[str, str, str]] = []
        self.lock = threading.Lock()
        self._httpd = _Server((host, 0), _Handler)
        self._httpd.owner = self
        self._stopping = threading.Event()
        self._timer = threading.Timer(lifetime_s, self.stop)
        self._timer.daemon = True

    @property
    def base_url(self) -> str:
        """http://HOST:PORT"""
        return f"http://{self.host}:{self._httpd.server_address[1]}"

    def respond(self, handler: BaseHTTPRequestHandler) -> None:
        raise NotImplementedError

    def __enter__(self) -> Any:
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop serving (idempotent)."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        self._timer.cancel()
        self._httpd.shutdown()
        self._httpd.server_close()


class OffSite(_Base):
    """The host nianbao must never reach (127.0.0.2): it answers every request with a PDF-looking body."""

    def __init__(self, lifetime_s: float = 300.0) -> None:
        super().__init__("127.0.0.2", lifetime_s)

    def respond(self, handler: BaseHTTPRequestHandler) -> None:
        _send(handler, 200, b"%PDF-1.4 stolen\n%%EOF\n", "application/pdf")


class HostileSite(_Base):
    """One agency's site that tries every trick of issue 18 (see the module's docstring)."""

    def __init__(
        self, canary: Path, offsite: OffSite, lifetime_s: float = 300.0, bomb_size: int = 64 * bombs.MiB
    ) -> None:
        super().__init__("127.0.0.1", lifetime_s)
        self.canary = canary.resolve()
        self.off = offsite.base_url
        self.bombs = {
            "/bomb.pdf": (bombs.pdf_flate_bomb(bomb_size), "application/pdf"),
            "/bomb.docx": (bombs.docx_text_node_bomb(bomb_size), "application/octet-stream"),
            "/big.html": (bombs.html_big(20 * bombs.MiB), "text/html; charset=utf-8"),
        }

    @property
    def port(self) -> int:
        """The bound port."""
        return int(self._httpd.server_address[1])

    def write_catalog(self, dest: Path, *, allowed: str = "127.0.0.1") -> Path:
        """A catalog of the one hostile agency (its listing is the catalog's, everything else the site's)."""
        dest.write_text(
            f"city: 测试市\nallowed_hosts: [{allowed}]\nagencies:\n"
            f"  - id: {AGENCY}\n    name: XX局\n    region: 测试市\n    level: municipal\n"
            f"    kind: department\n    index_url: {self.base_url}/ndbg/index.html\n",
            encoding="utf-8",
        )
        return dest

    def listing(self) -> str:
        """The first listing page: every report link goes somewhere it must not (but one)."""
        c = self.canary
        links = [
            (2023, f"file://{c}"),  # a local file, plainly
            (2022, f"FILE://{c}"),  # … in capitals
            (2021, "/art/2021.html"),  # an article whose attachments try the rest
            (2020, "/report-2020.txt"),  # the one real report
            (2019, "/bomb.pdf"),
            (2024, "/bomb.docx"),
            (2025, "/drip.pdf"),  # one byte per second, for ever
            (2026, "/redirect-file"),  # 302 to the local file
            (2027, "/redirect-off"),  # 302 to the other host
            (2028, "/big.html"),  # an article page far over the HTML limit
            (2018, "/report-2018.txt"),  # a year no template covers
            (2029, f"{self.off}/stolen.pdf"),  # straight to the other host
        ]
        items = "".join(f'<li><a href="{href}">{TITLE.format(year=y)}</a></li>' for y, href in links)
        return f'<html><body><ul>{items}</ul><a href="/ndbg/list?page=2">下一页</a></body></html>'

    def article(self) -> str:
        """An article whose attachments name local files, other schemes and other hosts."""
        c, off, port = self.canary, self.off, self.port
        hrefs = [
            f"file:{c}",
            f"File://localhost{c}",
            f"fIlE:///{str(c).lstrip('/')}",
            f"  file://{c}",
            "ftp://127.0.0.1/report.pdf",
            "gopher://127.0.0.1:70/_report.pdf",
            f"{off}/attachment.pdf",
            f"//127.0.0.2:{off.rsplit(':', 1)[1]}/protocol-relative.pdf",
            f"http://localhost:{port}/same-server-other-name.pdf",
            f"http://127.0.0.1:{port}@127.0.0.2:{off.rsplit(':', 1)[1]}/userinfo.pdf",
            f"http://127.0.0.2:{off.rsplit(':', 1)[1]}\\@127.0.0.1:{port}/backslash.pdf",
        ]
        items = "".join(f'<p><a href="{h}">附件{i}.pdf</a></p>' for i, h in enumerate(hrefs))
        return f"<html><body><h1>{TITLE.format(year=2021)}</h1>{items}</body></html>"

    def respond(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path
        html = "text/html; charset=utf-8"
        if path == "/ndbg/index.html":
            _send(handler, 200, self.listing().encode(), html)
        elif path.startswith("/ndbg/list?page="):  # a listing without end: every page links the next
            n = int(path.rsplit("=", 1)[1])
            body = f'<html><body><a href="/ndbg/list?page={n + 1}">下一页</a></body></html>'
            _send(handler, 200, body.encode(), html)
        elif path == "/art/2021.html":
            _send(handler, 200, self.article().encode(), html)
        elif path in ("/report-2020.txt", "/report-2018.txt"):
            _send(handler, 200, EXAMPLE_TXT.read_bytes(), "text/plain; charset=utf-8")
        elif path in self.bombs:
            body, ctype = self.bombs[path]
            _send(handler, 200, body, ctype)
        elif path == "/drip.pdf":
            self._drip(handler)
        elif path == "/redirect-file":
            _send(handler, 302, b"", html, Location=f"file://{self.canary}")
        elif path == "/redirect-off":
            _send(handler, 302, b"", html, Location=f"{self.off}/redirected.pdf")
        else:
            _send(handler, 404, b"<html><body>404</body></html>", html)

    def _drip(self, handler: BaseHTTPRequestHandler) -> None:
        """Headers at once, then one byte per second until the client gives up or the server stops."""
        handler.send_response(200)
        handler.send_header("Content-Type", "application/pdf")
        handler.send_header("Content-Length", "100000")
        handler.end_headers()
        try:
            for byte in b"%PDF-1.4\n" + b" " * 99_991:
                handler.wfile.write(bytes([byte]))
                handler.wfile.flush()
                if self._stopping.wait(1.0):
                    return
        except OSError:
            return  # the client went away: what a deadline does
        finally:
            handler.close_connection = True
