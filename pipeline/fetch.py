"""Fetching documents: file:// and http(s) within the catalog's allowed hosts, with retries.

Retries (exponential backoff with jitter) cover connection errors, timeouts, 5xx and truncated
bodies; never 4xx. Redirects are followed by hand so that every hop is checked against
`allowed_hosts`. Conditional GET: pass the ETag / Last-Modified of the last fetch and a 304 comes
back as `not_modified` without a body.
"""

from __future__ import annotations

from dataclasses import dataclass
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

from pipeline.errors import FetchError

MAX_REDIRECTS = 5


class _Retryable(Exception):
    """A failure worth another try (connection, timeout, 5xx, truncated body)."""


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
                if resp.is_redirect:
                    current = urljoin(current, resp.headers.get("location", ""))
                    continue
                if resp.status_code >= 500:
                    raise _Retryable(f"HTTP {resp.status_code} from {current}")
                if resp.status_code == 304:
                    return Fetched(url, current, 304, None, resp.headers.get("etag"),
                                   resp.headers.get("last-modified"), resp.headers.get("content-type"))
                if resp.status_code >= 400:
                    raise FetchError("fetch_failed", f"HTTP {resp.status_code} from {current}")
                declared = resp.headers.get("content-length")
                if declared and int(declared) > max_bytes:
                    raise FetchError("too_large", f"{current} declares {declared} bytes, over the cap of {max_bytes}")
                chunks: list[bytes] = []
                size = 0
                for chunk in resp.iter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise FetchError("too_large", f"{current} is over the cap of {max_bytes} bytes")
                    chunks.append(chunk)
                data = b"".join(chunks)
                if declared and len(data) != int(declared):
                    raise _Retryable(f"truncated body from {current}: {len(data)} of {declared} bytes")
                return Fetched(url, current, resp.status_code, data, resp.headers.get("etag"),
                               resp.headers.get("last-modified"), resp.headers.get("content-type"))
        except (httpx.TransportError, httpx.RemoteProtocolError) as e:
            raise _Retryable(f"{type(e).__name__} on {current}: {e}") from e
    raise FetchError("fetch_failed", f"more than {MAX_REDIRECTS} redirects from {url}")


def fetch(
    url: str,
    allowed_hosts: tuple[str, ...] | list[str],
    *,
    client: httpx.Client | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    retries: int = 3,
    timeout_s: float = 30.0,
    max_bytes: int = 50 * 1024 * 1024,
    backoff_s: float = 0.5,
) -> Fetched:
    """Fetch one URL (file:// or http[s]://) or raise FetchError with a code."""
    if url.startswith("file:"):
        return _read_file(url, max_bytes)
    headers = {"user-agent": "nianbao/0.1 (+government report research)"}
    if etag:
        headers["if-none-match"] = etag
    if last_modified:
        headers["if-modified-since"] = last_modified
    own = client is None
    client = client or httpx.Client(timeout=timeout_s, follow_redirects=False)
    attempts = 0
    try:
        for attempt in Retrying(
            stop=stop_after_attempt(retries + 1),
            wait=wait_exponential_jitter(multiplier=backoff_s, max=8 * backoff_s, jitter=backoff_s),
            retry=retry_if_exception_type(_Retryable),
            reraise=False,
        ):
            with attempt:
                attempts += 1
                result = _get_once(client, url, tuple(allowed_hosts), headers, max_bytes)
                return Fetched(**{**result.__dict__, "attempts": attempts})
    except RetryError as e:
        last = e.last_attempt.exception()
        code = "truncated" if last is not None and "truncated" in str(last) else "fetch_failed"
        raise FetchError(code, f"gave up after {attempts} attempts: {last}") from e
    finally:
        if own:
            client.close()
    raise FetchError("fetch_failed", url)  # pragma: no cover - Retrying always returns or raises
