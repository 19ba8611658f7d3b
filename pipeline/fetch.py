"""Fetching documents through the URL policy (`urlpolicy.UrlPolicy`), with retries and one deadline.

Every URL, and every redirect hop, is admitted by the policy first: its scheme by where the URL came
from (a catalog may name a local file, a web page never), its host against `allowed_hosts`. Redirects
are followed by hand so that each hop is checked. Retries (exponential backoff with jitter) cover
connection errors, timeouts, 5xx, 429 and truncated bodies (short of Content-Length, or a PDF without
%%EOF); never another 4xx, never a refusal; a Retry-After is honoured (the whole host pauses). One
deadline covers a document's whole download: every attempt, redirect and backoff. Conditional GET:
pass the ETag / Last-Modified of the last fetch and a 304 comes back as `not_modified` without a body.
Every attempt is reported to `on_attempt` (the flows log them in raw.fetch_log); `HostLimiter` keeps
fetching polite within a process, `politeness.HostGate` across processes.

Requests go through urllib3 (`http_pool`: connections kept per host, compressed answers decompressed a
chunk at a time, certificates checked against certifi's roots); it neither retries nor follows redirects
itself. It replaced httpx for ~0.25 ms less processor time per conditional GET (docs/notes.md, #17).
"""

from __future__ import annotations

import http.client
import os
import stat
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import partial
from typing import Any
from urllib.parse import urljoin, urlsplit

import certifi
import urllib3
from tenacity import (
    RetryError,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)
from tenacity.stop import stop_base

from nianbao.pipeline.clock import now
from nianbao.pipeline.errors import FetchError
from nianbao.pipeline.rawstore import RawStore
from nianbao.pipeline.urlpolicy import Deadline, FetchPolicy, Origin, Target, UrlPolicy

__all__ = [
    "Attempt",
    "Crawler",
    "FetchPolicy",
    "Fetched",
    "Got",
    "HostLimiter",
    "Known",
    "fetch",
    "http_pool",
]

MAX_REDIRECTS = 5
_CHUNK = 64 * 1024  # bytes read at a time


class _Retryable(Exception):
    """A failure worth another try (connection, timeout, 5xx, truncated body)."""

    def __init__(
        self,
        message: str,
        code: str = "fetch_failed",
        http_status: int | None = None,
        size: int | None = None,
        data: bytes | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.http_status = http_status
        self.size = size
        self.data = data  # the body as received, when it came incomplete
        self.retry_after = retry_after  # seconds the server asked us to wait (Retry-After)


def retry_after(value: str | None) -> float | None:
    """Seconds a Retry-After header asks for (delay-seconds or an HTTP-date; RFC 9110 §10.2.3), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


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
    """At most `per_host` requests in flight to any one host, across the threads of a process (across
    processes: `politeness.HostGate`); a host that asked for a pause is not asked again before its end."""

    # whether a copy in another process counts with this one (`Crawler.recipe`): a HostLimiter's counts
    # live in this process's memory, so a crawl in several processes needs a `politeness.HostGate`
    across_processes = False

    def __init__(self, per_host: int = 2) -> None:
        self.per_host = per_host
        self._lock = threading.Lock()
        self._sems: dict[str, threading.BoundedSemaphore] = {}
        self._not_before: dict[str, float] = {}
        self.in_flight: dict[str, int] = {}
        self.peak: dict[str, int] = {}

    def pause(self, url: str, seconds: float) -> None:
        """The host asked for a pause (Retry-After): no request to it starts for `seconds`."""
        host = urlsplit(url).netloc
        with self._lock:
            self._not_before[host] = max(self._not_before.get(host, 0.0), time.monotonic() + seconds)

    def close(self) -> None:
        """Give back what the limiter holds between requests (nothing here; `HostGate` its lock files)."""

    @contextmanager
    def slot(self, url: str) -> Iterator[None]:
        """Hold one of the host's slots for the duration of a request."""
        host = urlsplit(url).netloc
        with self._lock:
            sem = self._sems.setdefault(host, threading.BoundedSemaphore(self.per_host))
        with sem:
            with self._lock:
                wait = self._not_before.get(host, 0.0) - time.monotonic()
            if wait > 0:
                time.sleep(wait)
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


def _read_file(path: str, max_bytes: int) -> bytes:
    """A local file a catalog names: a regular file only (never a FIFO or a device), read up to the cap."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO must not block the crawl
    except OSError as e:
        raise FetchError("fetch_failed", f"cannot read {path}: {e.strerror}") from e
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise FetchError("fetch_failed", f"{path} is not a regular file")
        if info.st_size > max_bytes:
            raise FetchError("too_large", f"{path} is {info.st_size} bytes, over the cap of {max_bytes}")
        try:
            data = f.read(max_bytes + 1)
        except OSError as e:
            raise FetchError("fetch_failed", f"cannot read {path}: {e.strerror}") from e
    if len(data) > max_bytes:
        raise FetchError("too_large", f"{path} is over the cap of {max_bytes} bytes")
    return data


def http_pool(policy: FetchPolicy) -> urllib3.PoolManager:
    """The connections of one crawler: kept open per host between requests (up to `per_host` of them, as
    many as `HostLimiter` lets run at once), nothing retried or redirected by urllib3 itself (`fetch`
    does both, so that every attempt is logged and every hop admitted), no cookies kept."""
    return urllib3.PoolManager(
        # certificates checked against Mozilla's roots as packaged by certifi (as httpx did), not against
        # whatever the machine has installed (a fresh machine may have none)
        cert_reqs="CERT_REQUIRED",
        ca_certs=certifi.where(),
        num_pools=64,
        maxsize=policy.per_host,
        block=False,
        retries=False,
        timeout=urllib3.Timeout(connect=policy.timeout_s, read=policy.timeout_s),
    )


# what every request says (`fetch` adds the validators): who asks, and that a compressed answer is welcome
# (urllib3 decompresses it)
_HEADERS = {
    "user-agent": "nianbao/0.1 (+government report research)",
    **urllib3.util.make_headers(accept_encoding=True),
}


def _header_text(value: str) -> str:
    """A header value as the server meant it: http.client reads every header as Latin-1, but a site that
    puts a path such as /公开/年报.pdf unescaped into its Location sends it in UTF-8 (as requests does,
    the value is read again as UTF-8 when its bytes are UTF-8)."""
    try:
        return value.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return value


def _get_once(
    client: urllib3.PoolManager,
    url: str,
    urls: UrlPolicy,
    origin: Origin,
    headers: dict[str, str],
    deadline: Deadline,
    first: Target,
) -> Fetched:
    """One attempt: every hop admitted by the policy (the URL itself was, as `first`), the body read within
    the size cap and the deadline."""
    current, hop_origin = url, origin
    max_bytes = urls.fetch.max_bytes
    for hop in range(MAX_REDIRECTS + 1):
        deadline.check(current)
        target = first if hop == 0 else urls.admit(current, hop_origin)
        if target.scheme == "file":  # only a catalog's own URL, handled before any request
            raise FetchError("scheme_not_allowed", f"{current}: a redirect may not lead to a local file")
        seconds = min(urls.fetch.timeout_s, max(deadline.left(), 0.001))
        resp: urllib3.BaseHTTPResponse | None = None
        whole = False  # read to its end: its connection can serve the next request
        try:
            resp = client.request(
                "GET",
                target.url,
                headers=headers,
                timeout=urllib3.Timeout(connect=seconds, read=seconds),
                preload_content=False,
                redirect=False,
                retries=False,
            )
            status = resp.status
            location = resp.get_redirect_location() if status != 304 else False
            if location:
                # wherever a redirect leads is named by the site, not by the operator
                current, hop_origin = urljoin(current, _header_text(location)), "web"
                continue
            if status >= 500 or status == 429:
                raise _Retryable(
                    f"HTTP {status} from {current}",
                    "http_5xx" if status >= 500 else "http_429",
                    status,
                    retry_after=retry_after(resp.headers.get("retry-after")),
                )
            if status == 304:
                # no body, but read to its end: a response closed unread takes its connection with it
                # (a no-change night opened a TCP connection per conditional GET)
                resp.read()
                whole = True
                return Fetched(
                    url,
                    current,
                    304,
                    None,
                    resp.headers.get("etag"),
                    resp.headers.get("last-modified"),
                    resp.headers.get("content-type"),
                )
            if status >= 400:
                refused = FetchError("fetch_failed", f"HTTP {status} from {current}")
                refused.http_status = status
                raise refused
            # the length on the wire (compressed, when the server compressed the body); urllib3 raises
            # IncompleteRead when fewer bytes arrive than it declares
            declared = resp.headers.get("content-length")
            if declared and not declared.isdigit():
                raise FetchError("fetch_failed", f"{current} declares a Content-Length of {declared[:40]!r}")
            if declared and int(declared) > max_bytes:
                raise FetchError(
                    "too_large", f"{current} declares {declared} bytes, over the cap of {max_bytes}"
                )
            chunks: list[bytes] = []
            size = 0  # of the body as it will be kept (decompressed)
            try:
                # read1: whatever has arrived (up to a chunk), so that a body that trickles in still
                # meets the deadline; b"" at the end
                while chunk := resp.read1(_CHUNK):
                    size += len(chunk)
                    if size > max_bytes:
                        raise FetchError("too_large", f"{current} is over the cap of {max_bytes} bytes")
                    if deadline.left() <= 0:
                        raise FetchError(
                            "deadline_exceeded",
                            f"{current}: the download ran over its deadline of {deadline.seconds:g} s"
                            f" after {size} bytes",
                        )
                    chunks.append(chunk)
            except urllib3.exceptions.ProtocolError as e:
                # the server closed the connection before the declared Content-Length arrived
                raise _Retryable(
                    f"truncated body from {current}: {resp.tell()} of {declared} bytes ({e})",
                    "truncated",
                    status,
                    size,
                    b"".join(chunks),
                ) from e
            whole = True
            data = b"".join(chunks)
            if not pdf_complete(data):
                raise _Retryable(
                    f"truncated body from {current}: a PDF without %%EOF ({len(data)} bytes)",
                    "truncated",
                    status,
                    len(data),
                    data,
                )
            return Fetched(
                url,
                current,
                status,
                data,
                resp.headers.get("etag"),
                resp.headers.get("last-modified"),
                resp.headers.get("content-type"),
            )
        except urllib3.exceptions.NewConnectionError as e:  # refused, or no such host: not a timeout
            raise _Retryable(f"{type(e).__name__} on {current}: {e}", "connection_error") from e
        except urllib3.exceptions.TimeoutError as e:
            if deadline.left() <= 0:
                raise FetchError(
                    "deadline_exceeded",
                    f"{current}: the download ran over its deadline of {deadline.seconds:g} s",
                ) from e
            raise _Retryable(f"{type(e).__name__} on {current}: {e}", "timeout") from e
        except urllib3.exceptions.ProtocolError as e:
            # the connection ended before the answer did
            short = any(isinstance(a, http.client.IncompleteRead) for a in e.args)
            raise _Retryable(
                f"{type(e).__name__} on {current}: {e}", "truncated" if short else "connection_error"
            ) from e
        except urllib3.exceptions.HTTPError as e:  # TLS, a malformed answer, a body that does not decompress
            raise _Retryable(f"{type(e).__name__} on {current}: {e}", "connection_error") from e
        finally:
            if resp is not None:
                if not whole:  # what is left of the body is not worth reading: the connection goes
                    resp.close()
                resp.release_conn()
    raise FetchError("fetch_failed", f"more than {MAX_REDIRECTS} redirects from {url}")


def fetch(
    url: str,
    urls: UrlPolicy,
    origin: Origin = "web",
    *,
    client: urllib3.PoolManager | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    on_attempt: AttemptHook | None = None,
    limiter: HostLimiter | None = None,
    not_after: float | None = None,
) -> Fetched:
    """Fetch one URL the policy admits or raise FetchError with a code; each attempt goes to `on_attempt`.

    `origin` says who named the URL (only a catalog may name a local file); `not_after` (a monotonic
    time) ends the download earlier than its own deadline, e.g. when the agency's crawl budget runs out.
    """
    hook: AttemptHook = on_attempt or (lambda a: None)
    deadline = urls.deadline(not_after)
    try:
        deadline.check(url)
        first = urls.admit(url, origin)
    except FetchError as e:
        hook(Attempt(url, 1, now(), None, None, e.code, e.message))
        raise
    if first.scheme == "file":
        return _fetch_file(url, first.path, urls.fetch.max_bytes, hook)
    policy = urls.fetch
    headers = dict(_HEADERS)
    if etag:
        headers["if-none-match"] = etag
    if last_modified:
        headers["if-modified-since"] = last_modified
    own = client is None
    client = client or http_pool(policy)
    attempts = 0

    def once() -> Fetched:
        nonlocal attempts
        attempts += 1
        started = now()
        try:
            deadline.check(url)
            with limiter.slot(url) if limiter else nullcontext():
                result = _get_once(client, url, urls, origin, headers, deadline, first)
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
                    final=attempts > policy.retries or deadline.left() <= 0,
                )
            )
            raise
        except FetchError as e:
            hook(Attempt(url, attempts, started, e.http_status, None, e.code, e.message))
            raise
        hook(
            Attempt(url, attempts, started, result.status, None if result.data is None else len(result.data))
        )
        return replace(result, attempts=attempts)

    backoff = wait_exponential_jitter(
        multiplier=policy.backoff_s, max=8 * policy.backoff_s, jitter=policy.backoff_s
    )

    def wait(state: Any) -> float:
        """The backoff, or longer when the server said so (Retry-After), never past the download's deadline."""
        seconds = float(backoff(state))
        failed = state.outcome.exception() if state.outcome is not None else None
        if isinstance(failed, _Retryable) and failed.retry_after is not None:
            seconds = max(seconds, failed.retry_after)
            if limiter is not None:  # the whole host waits, not only this download
                limiter.pause(url, min(failed.retry_after, deadline.left()))
        return min(seconds, deadline.left())

    retrying = Retrying(
        stop=stop_after_attempt(policy.retries + 1) | _StopAtDeadline(deadline),
        wait=wait,
        retry=retry_if_exception_type(_Retryable),
        reraise=False,
    )
    try:
        return retrying(once)
    except RetryError as e:
        raise _gave_up(e, attempts, deadline) from e
    finally:
        if own:
            client.clear()


class _StopAtDeadline(stop_base):
    """Stop retrying once the download's deadline has passed."""

    def __init__(self, deadline: Deadline) -> None:
        self.deadline = deadline

    def __call__(self, retry_state: Any) -> bool:
        return self.deadline.left() <= 0


def _fetch_file(url: str, path: str, max_bytes: int, hook: AttemptHook) -> Fetched:
    """A file: URL (only a catalog names those), reported as one attempt."""
    try:
        data = _read_file(path, max_bytes)
    except FetchError as e:
        hook(Attempt(url, 1, now(), None, None, e.code, e.message))
        raise
    hook(Attempt(url, 1, now(), 200, len(data)))
    return Fetched(url=url, final_url=url, status=200, data=data)


def _gave_up(e: RetryError, attempts: int, deadline: Deadline) -> FetchError:
    """The error after the last retry; an incomplete body is kept on it (the caller stores it: it is evidence)."""
    last = e.last_attempt.exception()
    code = last.code if isinstance(last, _Retryable) and last.code == "truncated" else "fetch_failed"
    if deadline.left() <= 0 and code != "truncated":
        code = "deadline_exceeded"
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
    """A fetch through `Crawler`: the body (from the wire or, after a 304, from the raw store; not for a
    document a 304 confirmed, whose bytes stay in the raw store under `sha256`) and its state."""

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
        self.urls = UrlPolicy.of(self.allowed_hosts, self.policy)
        self.limiter = limiter or HostLimiter(self.policy.per_host)
        self.attempts: list[tuple[Attempt, str, Got | None]] = []
        self._lock = threading.Lock()
        self._client = http_pool(self.policy)
        self._seen: dict[tuple[Origin, str], Got] = {}

    def close(self) -> None:
        """Close the HTTP client and the limiter's files."""
        self._client.clear()
        self.limiter.close()

    def recipe(self) -> Callable[[], Crawler]:
        """A picklable maker of this crawler for another process: the same hosts, raw store, knowledge,
        policy and limiter (a `HostGate` on the same folder, so that politeness holds across both); its
        own client, attempts and once-per-crawl memory. ValueError when the limiter counts in this
        process only."""
        if not self.limiter.across_processes:
            raise ValueError(
                f"a {type(self.limiter).__name__} holds its limits within one process: a crawl in several"
                " processes needs a politeness.HostGate"
            )
        return partial(Crawler, self.allowed_hosts, self.store, self.known, self.policy, self.limiter)

    def assembled(self, url: str, data: bytes) -> Got:
        """A document this crawl made of what it fetched (an article page and its pictures, as one web
        archive): kept in the raw store by its hash and recorded as one attempt without a request, so that
        the fetch log names it as any document (`url`: the page's, with a fragment of its own; the page and
        each picture keep their own rows). Its state is told against the last one made at `url`."""
        digest = self.store.put(data)
        prev = self.known.get(url)
        state = "new" if prev is None else ("unchanged" if prev.sha256 == digest else "changed")
        got = Got(url, "document", None if state == "unchanged" else data, digest, state)
        attempt = Attempt(url, 1, now(), None, len(data))
        with self._lock:
            self.attempts.append((attempt, "document", got))
            self._seen[("web", url)] = got
        return got

    def get(
        self,
        url: str,
        role: str,
        origin: Origin = "web",
        *,
        conditional: bool = True,
        not_after: float | None = None,
    ) -> Got:
        """Fetch a URL once per crawl (and origin): conditionally when its last body is still in the raw store.

        `origin` is who named the URL: `catalog` (the operator) or `web` (a page); `not_after` (monotonic
        time) is the end of the caller's crawl budget.
        """
        with self._lock:
            if (origin, url) in self._seen:
                return self._seen[(origin, url)]
        prev = self.known.get(url) if conditional else None
        usable = prev is not None and prev.sha256 is not None and prev.sha256 in self.store
        mine: list[Attempt] = []
        try:
            f = fetch(
                url,
                self.urls,
                origin,
                client=self._client,
                etag=prev.etag if usable and prev else None,
                last_modified=prev.last_modified if usable and prev else None,
                on_attempt=mine.append,
                limiter=self.limiter,
                not_after=not_after,
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
                # a page's links are read again from its stored body; an unchanged document's bytes are
                # not needed (they stay in the raw store under their hash): a no-change night reads none
                got = Got(
                    url,
                    role,
                    None if role == "document" else self.store.get(prev.sha256),
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
            self._seen[(origin, url)] = got
        return got
