"""Fetching documents: file:// and http(s) within the catalog's allowed hosts, with retries.

Retries (exponential backoff with jitter) cover connection errors, timeouts, 5xx and truncated
bodies (short of Content-Length, or a PDF without %%EOF); never 4xx. Redirects are followed by hand
so that every hop is checked against `allowed_hosts`. Conditional GET: pass the ETag / Last-Modified
of the last fetch and a 304 comes back as `not_modified` without a body. Every attempt is reported
to `on_attempt` (the flows log them in raw.fetch_log); `HostLimiter` keeps fetching polite.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import httpx
from tenacity import (
    RetryError,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

from nianbao.pipeline.clock import now
from nianbao.pipeline.errors import FetchError
from nianbao.pipeline.rawstore import RawStore

MAX_REDIRECTS = 5


class _Retryable(Exception):
    """A failure worth another try (connection, timeout, 5xx, truncated body)."""

    def __init__(
        self,
        message: str,
        code: str = "fetch_failed",
        http_status: int | None = None,
        size: int | None = None,
        data: bytes | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.http_status = http_status
        self.size = size
        self.data = data  # the body as received, when it came incomplete


@dataclass(frozen=True)
class Attempt:
    """One HTTP attempt of a fetch: when, what came back, and why it failed (if it did)."""

    url: str
    number: int
    at: datetime
    http_status: int | None
    size: int | None
    error_code: str | None = None
    error: str | None = None
    final: bool = True


AttemptHook = Callable[[Attempt], None]


def pdf_complete(data: bytes) -> bool:
    """False for a PDF whose end-of-file marker is missing (a body cut short); True for anything else."""
    if data[:1024].find(b"%PDF-") == -1:
        return True
    return data.rfind(b"%%EOF", max(0, len(data) - 4096)) != -1


class HostLimiter:
    """At most `per_host` requests in flight to any one host, across the threads of a process."""

    def __init__(self, per_host: int = 2) -> None:
        self.per_host = per_host
        self._lock = threading.Lock()
        self._sems: dict[str, threading.BoundedSemaphore] = {}
        self.in_flight: dict[str, int] = {}
        self.peak: dict[str, int] = {}

    @contextmanager
    def slot(self, url: str) -> Iterator[None]:
        """Hold one of the host's slots for the duration of a request."""
        host = urlsplit(url).netloc
        with self._lock:
            sem = self._sems.setdefault(host, threading.BoundedSemaphore(self.per_host))
        with sem:
            with self._lock:
                self.in_flight[host] = self.in_flight.get(host, 0) + 1
                self.peak[host] = max(self.peak.get(host, 0), self.in_flight[host])
            try:
                yield
            finally:
                with self._lock:
                    self.in_flight[host] -= 1


@dataclass(frozen=True)
class Fetched:
    """One fetch's outcome. `data` is None when the server answered 304."""

    url: str
    final_url: str
    status: int
    data: bytes | None
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    attempts: int = 1

    @property
    def not_modified(self) -> bool:
        """True for a 304 answer to a conditional GET."""
        return self.status == 304


def check_host(url: str, allowed_hosts: tuple[str, ...] | list[str]) -> None:
    """Raise host_not_allowed unless the URL's host is in the catalog's allowed_hosts."""
    host = urlsplit(url).hostname or ""
    if host not in allowed_hosts:
        raise FetchError("host_not_allowed", f"{host or url} is not in allowed_hosts")


def _read_file(url: str, max_bytes: int) -> Fetched:
    path = Path(unquote(urlsplit(url).path))
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise FetchError("too_large", f"{path} is {size} bytes, over the cap of {max_bytes}")
        data = path.read_bytes()
    except OSError as e:
        raise FetchError("fetch_failed", f"cannot read {path}: {e.strerror}") from e
    return Fetched(url=url, final_url=url, status=200, data=data)


def _get_once(
    client: httpx.Client, url: str, allowed: tuple[str, ...], headers: dict[str, str], max_bytes: int
) -> Fetched:
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        check_host(current, allowed)
        try:
            with client.stream("GET", current, headers=headers) as resp:
                if resp.status_code != 304 and resp.has_redirect_location:
                    current = urljoin(current, resp.headers.get("location", ""))
                    continue
                if resp.status_code >= 500:
                    raise _Retryable(f"HTTP {resp.status_code} from {current}", "http_5xx", resp.status_code)
                if resp.status_code == 304:
                    return Fetched(
                        url,
                        current,
                        304,
                        None,
                        resp.headers.get("etag"),
                        resp.headers.get("last-modified"),
                        resp.headers.get("content-type"),
                    )
                if resp.status_code >= 400:
                    raise FetchError("fetch_failed", f"HTTP {resp.status_code} from {current}")
                declared = resp.headers.get("content-length")
                if declared and int(declared) > max_bytes:
                    raise FetchError(
                        "too_large", f"{current} declares {declared} bytes, over the cap of {max_bytes}"
                    )
                chunks: list[bytes] = []
                size = 0
                try:
                    for chunk in resp.iter_bytes():
                        size += len(chunk)
                        if size > max_bytes:
                            raise FetchError("too_large", f"{current} is over the cap of {max_bytes} bytes")
                        chunks.append(chunk)
                except httpx.RemoteProtocolError as e:
                    # the server closed the connection before the declared Content-Length arrived
                    raise _Retryable(
                        f"truncated body from {current}: {size} of {declared} bytes ({e})",
                        "truncated",
                        resp.status_code,
                        size,
                        b"".join(chunks),
                    ) from e
                data = b"".join(chunks)
                if declared and len(data) != int(declared):
                    raise _Retryable(
                        f"truncated body from {current}: {len(data)} of {declared} bytes",
                        "truncated",
                        resp.status_code,
                        len(data),
                        data,
                    )
                if not pdf_complete(data):
                    raise _Retryable(
                        f"truncated body from {current}: a PDF without %%EOF ({len(data)} bytes)",
                        "truncated",
                        resp.status_code,
                        len(data),
                        data,
                    )
                return Fetched(
                    url,
                    current,
                    resp.status_code,
                    data,
                    resp.headers.get("etag"),
                    resp.headers.get("last-modified"),
                    resp.headers.get("content-type"),
                )
        except httpx.TimeoutException as e:
            raise _Retryable(f"{type(e).__name__} on {current}: {e}", "timeout") from e
        except httpx.RemoteProtocolError as e:
            # the server closed the connection before the declared Content-Length arrived
            short = "incomplete" in str(e) or "expected" in str(e)
            raise _Retryable(
                f"{type(e).__name__} on {current}: {e}", "truncated" if short else "connection_error"
            ) from e
        except httpx.TransportError as e:
            raise _Retryable(f"{type(e).__name__} on {current}: {e}", "connection_error") from e
    raise FetchError("fetch_failed", f"more than {MAX_REDIRECTS} redirects from {url}")


@dataclass(frozen=True)
class FetchPolicy:
    """How politely and how stubbornly to fetch."""

    retries: int = 3
    timeout_s: float = 30.0
    max_bytes: int = 50 * 1024 * 1024
    backoff_s: float = 0.5
    per_host: int = 2

    def __post_init__(self) -> None:
        if (
            self.retries < 0
            or self.timeout_s <= 0
            or self.max_bytes <= 0
            or self.backoff_s < 0
            or self.per_host < 1
        ):
            raise ValueError("retries >= 0, timeout_s > 0, max_bytes > 0, backoff_s >= 0, per_host >= 1")


def fetch(
    url: str,
    allowed_hosts: tuple[str, ...] | list[str],
    policy: FetchPolicy | None = None,
    *,
    client: httpx.Client | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    on_attempt: AttemptHook | None = None,
    limiter: HostLimiter | None = None,
) -> Fetched:
    """Fetch one URL (file:// or http[s]://) or raise FetchError with a code; each attempt goes to `on_attempt`."""
    policy = policy or FetchPolicy()
    hook: AttemptHook = on_attempt or (lambda a: None)
    if url.startswith("file:"):
        return _fetch_file(url, policy.max_bytes, hook)
    headers = {"user-agent": "nianbao/0.1 (+government report research)"}
    if etag:
        headers["if-none-match"] = etag
    if last_modified:
        headers["if-modified-since"] = last_modified
    own = client is None
    client = client or httpx.Client(timeout=policy.timeout_s, follow_redirects=False)
    attempts = 0

    def once() -> Fetched:
        nonlocal attempts
        attempts += 1
        started = now()
        try:
            with limiter.slot(url) if limiter else nullcontext():
                result = _get_once(client, url, tuple(allowed_hosts), headers, policy.max_bytes)
        except _Retryable as e:
            hook(
                Attempt(
                    url,
                    attempts,
                    started,
                    e.http_status,
                    e.size,
                    e.code,
                    str(e),
                    final=attempts > policy.retries,
                )
            )
            raise
        except FetchError as e:
            hook(Attempt(url, attempts, started, None, None, e.code, e.message))
            raise
        hook(
            Attempt(url, attempts, started, result.status, None if result.data is None else len(result.data))
        )
        return replace(result, attempts=attempts)

    retrying = Retrying(
        stop=stop_after_attempt(policy.retries + 1),
        wait=wait_exponential_jitter(
            multiplier=policy.backoff_s, max=8 * policy.backoff_s, jitter=policy.backoff_s
        ),
        retry=retry_if_exception_type(_Retryable),
        reraise=False,
    )
    try:
        return retrying(once)
    except RetryError as e:
        raise _gave_up(e, attempts) from e
    finally:
        if own:
            client.close()


def _fetch_file(url: str, max_bytes: int, hook: AttemptHook) -> Fetched:
    """A file:// URL (only a catalog names those), reported as one attempt."""
    try:
        got = _read_file(url, max_bytes)
    except FetchError as e:
        hook(Attempt(url, 1, now(), None, None, e.code, e.message))
        raise
    hook(Attempt(url, 1, now(), 200, len(got.data or b"")))
    return got


def _gave_up(e: RetryError, attempts: int) -> FetchError:
    """The error after the last retry; an incomplete body is kept on it (the caller stores it: it is evidence)."""
    last = e.last_attempt.exception()
    code = last.code if isinstance(last, _Retryable) and last.code == "truncated" else "fetch_failed"
    error = FetchError(code, f"gave up after {attempts} attempts: {last}")
    error.data = last.data if isinstance(last, _Retryable) else None
    return error


@dataclass(frozen=True)
class Known:
    """What the fetch log remembers of a URL: its validators and the hash of the body last seen."""

    etag: str | None
    last_modified: str | None
    sha256: str | None


@dataclass(frozen=True)
class Got:
    """A fetch through `Crawler`: the body (from the wire or, after a 304, from the raw store) and its state."""

    url: str
    role: str
    data: bytes | None
    sha256: str | None
    state: str  # new | changed | unchanged | failed
    http_status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    error_code: str | None = None
    error: str | None = None
    final_url: str | None = None  # where redirects led (None: the URL itself)


class Crawler:
    """Conditional GETs against what the fetch log knows, bodies kept in the raw store, every attempt recorded."""

    def __init__(
        self,
        allowed_hosts: tuple[str, ...] | list[str],
        store: RawStore,
        known: dict[str, Known],
        policy: FetchPolicy | None = None,
        limiter: HostLimiter | None = None,
    ) -> None:
        self.allowed_hosts = tuple(allowed_hosts)
        self.store = store
        self.known = known
        self.policy = policy or FetchPolicy()
        self.limiter = limiter or HostLimiter(self.policy.per_host)
        self.attempts: list[tuple[Attempt, str, Got | None]] = []
        self._lock = threading.Lock()
        self._client = httpx.Client(timeout=self.policy.timeout_s, follow_redirects=False)
        self._seen: dict[str, Got] = {}

    def close(self) -> None:
        """Close the HTTP client."""
        self._client.close()

    def get(self, url: str, role: str, conditional: bool = True) -> Got:
        """Fetch a URL once per crawl: conditionally when its last body is still in the raw store."""
        with self._lock:
            if url in self._seen:
                return self._seen[url]
        prev = self.known.get(url) if conditional else None
        usable = prev is not None and prev.sha256 is not None and prev.sha256 in self.store
        mine: list[Attempt] = []
        try:
            f = fetch(
                url,
                self.allowed_hosts,
                self.policy,
                client=self._client,
                etag=prev.etag if usable and prev else None,
                last_modified=prev.last_modified if usable and prev else None,
                on_attempt=mine.append,
                limiter=self.limiter,
            )
        except FetchError as e:
            # every body received is kept by hash, even one that stayed incomplete after the retries
            kept = self.store.put(e.data) if e.data else None
            got = Got(
                url,
                role,
                None,
                kept,
                "failed",
                mine[-1].http_status if mine else None,
                error_code=e.code,
                error=e.message,
            )
        else:
            if f.not_modified and prev is not None and prev.sha256:
                got = Got(
                    url,
                    role,
                    self.store.get(prev.sha256),
                    prev.sha256,
                    "unchanged",
                    304,
                    f.etag or prev.etag,
                    f.last_modified or prev.last_modified,
                    final_url=f.final_url,
                )
            else:
                data = f.data or b""
                digest = self.store.put(data)
                state = "new" if prev is None else ("unchanged" if prev.sha256 == digest else "changed")
                got = Got(
                    url, role, data, digest, state, f.status, f.etag, f.last_modified, final_url=f.final_url
                )
        with self._lock:
            for a in mine:
                self.attempts.append((a, role, got if a.final else None))
            self._seen[url] = got
        return got
