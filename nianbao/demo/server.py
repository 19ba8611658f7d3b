"""A local HTTP server for a generated sample city, with ETags, conditional GET and switchable faults.

    with SampleServer(CITY_DIR, faults=Faults(fail_first={"/hz-mzj/ndbg/index.html": 2}), lifetime_s=600) as srv:
        catalog = srv.write_catalog(tmp / "catalog.yaml")
        httpx.get(srv.url("/hz-mzj/ndbg/index.html"))

    python -m nianbao.demo.server [DIR] --port 8765 [--lifetime 3600] [--catalog catalog.yaml]

Binds 127.0.0.1 only, and stops by itself after `lifetime_s` seconds whatever happens.
"""

from __future__ import annotations

import argparse
import hashlib
import mimetypes
import socket
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from nianbao.demo.city import CITY_DIR, DOCX_TYPE, read_routes, write_catalog

DEFAULT_LAST_MODIFIED = "Mon, 01 Jan 2024 00:00:00 GMT"
CORRECTED_LAST_MODIFIED = "Mon, 01 Jul 2024 02:00:00 GMT"
OFFSITE = "http://example.invalid"
_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".pdf": "application/pdf",
    ".docx": DOCX_TYPE,
    ".json": "application/json",
    ".yaml": "text/yaml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}
_NOT_FOUND = (
    '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>404 页面不存在</title></head>'
    "<body><h1>404</h1><p>您访问的页面不存在或已被删除。</p></body></html>\n"
).encode()


@dataclass
class Faults:
    """Switchable misbehaviour, keyed by request target (path with query); "*" matches every target."""

    fail_first: dict[str, int] = field(default_factory=dict)  # the first N requests get `fail_status`
    fail_status: int = 503
    slow: dict[str, float] = field(default_factory=dict)  # seconds to wait before answering
    drop: set[str] = field(default_factory=set)  # connection closed with no response at all
    truncate: set[str] = field(default_factory=set)  # Content-Length larger than the body sent
    redirects: dict[str, str] = field(default_factory=dict)  # 302 to this Location (may be off-site)
    corrected: bool = False  # serve the re-published (corrected) documents at their original URLs

    def lookup(self, table: dict[str, Any] | set[str], target: str) -> Any:
        """The entry for a target, else the "*" entry, else None."""
        if isinstance(table, set):
            return target in table or "*" in table
        return table.get(target, table.get("*"))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "nianbao-sample/1"
    sys_version = ""
    server: _HTTPServer

    def setup(self) -> None:
        """Headers and body go out in separate writes: without TCP_NODELAY each response waits ~40 ms."""
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: requests are kept in `SampleServer.requests` instead."""

    def do_HEAD(self) -> None:
        """HEAD: as GET without the body."""
        self._serve(head=True)

    def do_GET(self) -> None:
        """GET: faults first, then redirects, then the file (or 304, or 404)."""
        self._serve(head=False)

    def _simple(self, status: int, body: bytes, headers: dict[str, str], head: bool) -> None:
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)
        self.server.owner.record(self.command, self.path, status)

    def _serve(self, head: bool) -> None:
        owner = self.server.owner
        target = self.path
        seen = owner.bump(target)
        faults = owner.faults
        if (loc := faults.lookup(faults.redirects, target)) is not None:
            self._simple(302, b"", {"Location": loc}, head)
            return
        if (n := faults.lookup(faults.fail_first, target)) and seen <= n:
            self._simple(
                faults.fail_status,
                b"Service Unavailable\n",
                {"Retry-After": "0", "Content-Type": "text/plain"},
                head,
            )
            return
        if faults.lookup(faults.drop, target):
            owner.record(self.command, target, 0)
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if delay := faults.lookup(faults.slow, target):
            owner.stopping.wait(float(delay))
        if target in owner.routes["redirects"]:
            self._simple(301, b"", {"Location": owner.routes["redirects"][target]}, head)
            return
        found = owner.resolve(target, faults.corrected)
        if found is None:
            self._simple(404, _NOT_FOUND, {"Content-Type": "text/html; charset=utf-8"}, head)
            return
        file, ctype, last_modified = found
        etag = owner.known_etag(file)  # a 304 reads nothing, as a real server's does
        data: bytes | None = None
        if etag is None:
            etag, data = owner.read_tagged(file)
        headers = {
            "Content-Type": ctype,
            "ETag": etag,
            "Last-Modified": last_modified,
            "Cache-Control": "max-age=0",
        }
        if target.startswith("/download?"):
            headers["Content-Disposition"] = "attachment"
        if _not_modified(
            self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since"), etag, last_modified
        ):
            self.send_response(304)
            for k in ("ETag", "Last-Modified", "Cache-Control"):
                self.send_header(k, headers[k])
            self.end_headers()
            owner.record(self.command, target, 304)
            return
        if data is None:  # known by its tag, not read yet
            etag, data = owner.read_tagged(file)
            headers["ETag"] = etag
        if faults.lookup(faults.truncate, target) and not head:
            self.send_response(200)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            owner.record(self.command, target, 200)
            return
        self._simple(200, data, headers, head)


def _not_modified(inm: str | None, ims: str | None, etag: str, last_modified: str) -> bool:
    """RFC 9110 §13.2.2: If-None-Match wins; If-Modified-Since counts only without it."""
    if inm is not None:
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return "*" in tags or etag in tags
    if ims is not None:
        try:
            return parsedate_to_datetime(last_modified) <= parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
    return False


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: SampleServer


class SampleServer:
    """Serves `root/site` of a generated sample on 127.0.0.1; a context manager; stops after `lifetime_s`."""

    def __init__(
        self,
        root: Path | str = CITY_DIR,
        port: int = 0,
        faults: Faults | None = None,
        lifetime_s: float = 600.0,
        host: str = "127.0.0.1",
    ) -> None:
        self.root = Path(root)
        self.site = (self.root / "site").resolve()
        if not self.site.is_dir():
            raise FileNotFoundError(f"no site/ under {self.root}: generate a sample first")
        self.routes = read_routes(self.root)
        self._etags: dict[tuple[str, int, int], str] = {}
        self.faults = faults or Faults()
        self.lifetime_s = lifetime_s
        self.requests: list[tuple[str, str, int]] = []
        self.stopping = threading.Event()
        self.stopped = threading.Event()
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._httpd = _HTTPServer((host, port), _Handler)
        self._httpd.owner = self
        self._thread: threading.Thread | None = None
        self._timer: threading.Timer | None = None

    @property
    def port(self) -> int:
        """The bound port (useful with port 0)."""
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        """e.g. http://127.0.0.1:54321 (no trailing slash)."""
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        """Absolute URL of a site path."""
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def write_catalog(self, dest: Path | str) -> Path:
        """The sample's catalog with this server's address, written to `dest`."""
        return write_catalog(self.root, self.base_url, Path(dest))

    def set_corrected(self, on: bool = True) -> None:
        """Switch the re-published (corrected) documents on or off."""
        self.faults.corrected = on

    def bump(self, target: str) -> int:
        """Count one more request for this target; returns how many arrived so far, this one included."""
        with self._lock:
            self._counts[target] += 1
            return self._counts[target]

    def record(self, method: str, target: str, status: int) -> None:
        """Log one answered request (status 0 for a dropped connection)."""
        with self._lock:
            self.requests.append((method, target, status))

    @staticmethod
    def _key(file: Path) -> tuple[str, int, int]:
        info = file.stat()
        return (str(file), info.st_mtime_ns, info.st_size)

    def known_etag(self, file: Path) -> str | None:
        """The file's ETag from its last reading, while its size and mtime are still those (else None)."""
        key = self._key(file)
        with self._lock:
            return self._etags.get(key)

    def read_tagged(self, file: Path) -> tuple[str, bytes]:
        """The file's ETag (a hash of its bytes) and its bytes."""
        key = self._key(file)
        data = file.read_bytes()
        tag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
        with self._lock:
            self._etags[key] = tag
        return tag, data

    def resolve(self, target: str, corrected: bool) -> tuple[Path, str, str] | None:
        """(file, content type, Last-Modified) for a request target, or None when there is no such page."""
        routes = self.routes
        last_modified = routes["last_modified"].get(target, DEFAULT_LAST_MODIFIED)
        if corrected and target in routes["corrections"]:
            rel, last_modified = routes["corrections"][target], CORRECTED_LAST_MODIFIED
        elif target in routes["files"]:
            rel = routes["files"][target]
        else:
            path = unquote(urlsplit(target).path)
            rel = path.lstrip("/") + ("index.html" if path.endswith("/") else "")
            if rel.startswith("_"):
                return None  # routed bodies are reachable only by their own URL
        file = (self.site / rel).resolve()
        if not file.is_relative_to(self.site) or not file.is_file():
            return None
        ctype = (
            routes["types"].get(target)
            or _TYPES.get(file.suffix)
            or (mimetypes.guess_type(file.name)[0] or "application/octet-stream")
        )
        return file, ctype, last_modified

    def start(self) -> SampleServer:
        """Start serving in a background thread, and the lifetime timer."""
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1}, name="sample-server", daemon=True
        )
        self._thread.start()
        self._timer = threading.Timer(self.lifetime_s, self.stop)
        self._timer.daemon = True
        self._timer.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket (idempotent)."""
        if self.stopped.is_set():
            return
        self.stopping.set()
        if self._timer is not None and self._timer is not threading.current_thread():
            self._timer.cancel()
        self._httpd.shutdown()
        self._httpd.server_close()
        self.stopped.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the server has stopped (lifetime or stop()); True if it has."""
        return self.stopped.wait(timeout)

    def __enter__(self) -> SampleServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    """Serve a sample directory until its lifetime ends or Ctrl-C; prints the base URL on stdout."""
    ap = argparse.ArgumentParser(prog="python -m nianbao.demo.server", description=__doc__.splitlines()[0])
    ap.add_argument(
        "root", nargs="?", type=Path, default=CITY_DIR, help="a generated sample (default: the bundled city)"
    )
    ap.add_argument("--port", type=int, default=0, help="0 picks a free port")
    ap.add_argument("--lifetime", type=float, default=3600.0, help="seconds until the server stops by itself")
    ap.add_argument("--catalog", type=Path, default=None, help="write the catalog for this server here")
    ap.add_argument("--corrected", action="store_true", help="serve the corrected re-publications")
    args = ap.parse_args(argv)
    srv = SampleServer(
        args.root, port=args.port, lifetime_s=args.lifetime, faults=Faults(corrected=args.corrected)
    )
    srv.start()
    print(srv.base_url, flush=True)
    if args.catalog:
        print(f"catalog: {srv.write_catalog(args.catalog)}", file=sys.stderr)
    started = time.monotonic()
    try:
        while not srv.wait(0.5):
            pass
    except KeyboardInterrupt:
        srv.stop()
    print(f"stopped after {time.monotonic() - started:.0f}s, {len(srv.requests)} requests", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
