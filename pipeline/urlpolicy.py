"""What nianbao may fetch: one policy object that every fetch goes through (issue 18).

A URL comes from one of two places, and that decides what it may name:

- `catalog`: written by the operator. http(s) on an allowed host, or a local file (`file:`).
- `web`: found on a page (a listing's link, an article's attachment, a redirect's Location). http(s) on
  an allowed host, nothing else, whatever its case or spelling: a web page never makes nianbao read a
  local file, nor speak ftp, gopher or anything but HTTP.

The host is checked on every hop, redirects included; two URL parsers (the standard library's, which
the policy reads, and urllib3's, which the request uses) must agree on it, so that no spelling such as
`http://allowed\\@elsewhere/` means one host to the check and another to the connection. The policy also
carries the size cap and the deadlines: one for the whole download of a document (every attempt, redirect
and backoff included), and one for an agency's whole crawl, after which its remaining fetches are refused
without a request. A run therefore ends whatever a site does.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import unquote, urlsplit

from nianbao.pipeline.errors import FetchError

Origin = Literal["catalog", "web"]
WEB_SCHEMES = frozenset({"http", "https"})
CATALOG_SCHEMES = frozenset({"http", "https", "file"})


@dataclass(frozen=True)
class FetchPolicy:
    """How politely and how stubbornly to fetch, and how much and how long one document may take."""

    retries: int = 3
    timeout_s: float = 30.0  # one connect or read
    max_bytes: int = 50 * 1024 * 1024
    backoff_s: float = 0.5
    per_host: int = 2
    deadline_s: float = 300.0  # one document's whole download: every attempt, redirect and backoff
    agency_deadline_s: float = 1800.0  # one agency's whole crawl: listing pages, articles, documents

    def __post_init__(self) -> None:
        if (
            self.retries < 0
            or self.timeout_s <= 0
            or self.max_bytes <= 0
            or self.backoff_s < 0
            or self.per_host < 1
            or self.deadline_s <= 0
            or self.agency_deadline_s <= 0
        ):
            raise ValueError(
                "retries >= 0, timeout_s > 0, max_bytes > 0, backoff_s >= 0, per_host >= 1, deadlines > 0"
            )


@dataclass(frozen=True)
class Target:
    """A URL the policy admitted: what to request (or which file to read), and its host."""

    url: str
    scheme: str
    host: str  # '' for a file
    path: str  # the local path of a file: URL ('' for http)


class Deadline:
    """A point in time (monotonic clock) after which a download, or a crawl, is over."""

    def __init__(self, seconds: float, not_after: float | None = None, what: str = "download") -> None:
        end = time.monotonic() + seconds
        self.at = end if not_after is None else min(end, not_after)
        self.seconds = seconds
        self.what = what

    def left(self) -> float:
        """Seconds left (0 when it has passed)."""
        return max(0.0, self.at - time.monotonic())

    def check(self, url: str) -> None:
        """Raise deadline_exceeded once the deadline has passed."""
        if self.left() <= 0:
            raise FetchError("deadline_exceeded", f"{url}: the {self.what} ran over its deadline")


@dataclass(frozen=True)
class UrlPolicy:
    """Schemes by origin, allowed hosts (every redirect hop too), the size cap and the deadlines."""

    allowed_hosts: frozenset[str]
    fetch: FetchPolicy = field(default_factory=FetchPolicy)

    @classmethod
    def of(cls, allowed_hosts: tuple[str, ...] | list[str], fetch: FetchPolicy | None = None) -> UrlPolicy:
        """The policy of a catalog's allowed hosts (compared without case or a trailing dot)."""
        return cls(frozenset(_host(h) for h in allowed_hosts), fetch or FetchPolicy())

    def admit(self, url: str, origin: Origin) -> Target:
        """The URL as it will be requested, or FetchError(scheme_not_allowed | host_not_allowed)."""
        try:
            parts = urlsplit(url.strip())
        except ValueError as e:
            raise FetchError("scheme_not_allowed", f"not a URL nianbao can fetch: {url[:200]!r} ({e})") from e
        scheme = parts.scheme.lower()
        allowed = CATALOG_SCHEMES if origin == "catalog" else WEB_SCHEMES
        if scheme not in allowed:
            where = "a link found on the web" if origin == "web" else "a catalog URL"
            raise FetchError(
                "scheme_not_allowed",
                f"{url[:200]!r}: {where} may be {' or '.join(sorted(allowed))}, not {scheme or 'scheme-less'}",
            )
        if scheme == "file":
            if parts.netloc not in ("", "localhost"):
                raise FetchError("scheme_not_allowed", f"{url[:200]!r}: a file URL names no remote host")
            return Target(url, "file", "", unquote(parts.path))
        host = _host(parts.hostname or "")
        # here, not at the top: commands that never fetch (query, --help) need not load urllib3
        from urllib3.exceptions import LocationParseError
        from urllib3.util import parse_url

        try:
            theirs = parse_url(url.strip())
        except (LocationParseError, ValueError) as e:
            raise FetchError(
                "host_not_allowed", f"{url[:200]!r} is not a URL urllib3 can request ({e})"
            ) from e
        their_host = _host((theirs.host or "").strip("[]"))  # an IPv6 literal keeps its brackets there
        if not host or their_host != host:
            raise FetchError(
                "host_not_allowed", f"{url[:200]!r}: its host is ambiguous ({host!r} or {their_host!r})"
            )
        if host not in self.allowed_hosts:
            raise FetchError("host_not_allowed", f"{host} is not in allowed_hosts")
        return Target(theirs.url, scheme, host, "")

    def deadline(self, not_after: float | None = None) -> Deadline:
        """The deadline of one document's whole download (never later than `not_after`)."""
        return Deadline(self.fetch.deadline_s, not_after)


def _host(host: str) -> str:
    return host.strip().lower().rstrip(".")
