"""Per-host politeness kept by the Prefect server (issue 17), for fetching processes on several machines.

`pipeline.politeness.HostGate` counts through lock files, so its limits hold for the processes of one
machine (or of machines sharing its folder). With `NIANBAO_HOST_LIMITS=prefect` the same three rules are
kept by the Prefect server the flows already report to, so they hold for every process of every machine
that uses it (a province's nights on the workers of one work pool, say):

- **in flight**: a global concurrency limit `host:<host>` of `per_host` slots; a request holds one under
  a lease while it runs and gives it back when it ends. A process that dies holding one loses it when the
  lease runs out (`lease_s`: longer than a download may take; the server takes back expired leases);
- **spacing**: with `interval_s` > 0, a limit `host-rate:<host>` of one slot that decays in `interval_s`
  (a Prefect rate limit): one request started per interval;
- **pauses**: a `Retry-After` writes the time the host may be asked again into a Prefect variable
  (`nianbao-pause-…`), which every request reads before it starts.

A limit missing on the server is created with the settings' values; one an operator made beforehand
(`prefect gcl create host:www.example.gov.cn --limit 1`) is used as it is. Each request costs the server
three or four calls (docs/scaling.md has the figure), so the lock files stay the default.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from uuid import UUID

import httpx
from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound

from nianbao.pipeline.fetch import HostLimiter, retry_after
from nianbao.pipeline.politeness import host_gate as files_gate
from nianbao.pipeline.settings import Settings

if TYPE_CHECKING:
    from prefect.client.orchestration import SyncPrefectClient

# between two asks for a slot the server said was taken, a request waits what the server suggests
# (Retry-After), but at least _POLL_S and at most _MAX_WAIT_S
_POLL_S = 0.05
_MAX_WAIT_S = 1.0
_LOCKED = 423  # the server's answer when a limit has no free slot


def limit_name(host: str) -> str:
    """The concurrency limit of a host (with its port)."""
    return f"host:{host.lower()}"


def rate_name(host: str) -> str:
    """The rate limit of a host."""
    return f"host-rate:{host.lower()}"


def pause_name(host: str) -> str:
    """The variable holding when a host may be asked again (a variable name takes letters, digits, - and _:
    the digest keeps two hosts that read alike apart)."""
    digest = hashlib.sha256(host.lower().encode()).hexdigest()[:12]
    readable = re.sub(r"[^a-z0-9]+", "-", host.lower()).strip("-")[:200]  # a name holds 255 characters
    return f"nianbao-pause-{readable}-{digest}"


class PrefectHostGate(HostLimiter):
    """At most `per_host` requests in flight to a host, one started every `interval_s`, and pauses
    honoured, across every process that uses the Prefect API at `api_url`."""

    across_processes = True

    def __init__(
        self, api_url: str, per_host: int = 2, interval_s: float = 0.0, lease_s: float = 600.0
    ) -> None:
        super().__init__(per_host)
        self.api_url = api_url
        self.interval_s = interval_s
        self.lease_s = max(60.0, lease_s)  # the server's shortest lease
        self._connecting = threading.Lock()
        self._making = threading.Lock()
        self._client: SyncPrefectClient | None = None
        self._known: set[str] = set()  # limits this process has seen on the server

    def __reduce__(self) -> tuple[type[PrefectHostGate], tuple[str, int, float, float]]:
        """Sent to another process, the gate is the same gate: the same server and limits."""
        return (type(self), (self.api_url, self.per_host, self.interval_s, self.lease_s))

    @contextmanager
    def slot(self, url: str) -> Iterator[None]:
        """Hold one of the host's slots (this process's, then the server's) for the duration of a request."""
        host = urlsplit(url).netloc
        with super().slot(url):
            lease = self._lease(host)
            try:
                self._wait_out_pause(host)
                if self.interval_s > 0:
                    self._space(host)
                yield
            finally:
                self._server().release_concurrency_slots_with_lease(lease)

    def pause(self, url: str, seconds: float) -> None:
        """The host asked for a pause (Retry-After): no process that uses the server asks it for `seconds`
        (a later end already written stays)."""
        from prefect.client.schemas.actions import VariableCreate, VariableUpdate

        super().pause(url, seconds)
        name = pause_name(urlsplit(url).netloc)
        server = self._server()
        until = time.time() + seconds
        found = server.read_variable_by_name(name)
        if found is None:
            try:
                server.create_variable(VariableCreate(name=name, value=until))
                return
            except (ObjectAlreadyExists, httpx.HTTPStatusError):  # another process wrote it first
                found = server.read_variable_by_name(name)
                if found is None:
                    raise
        if _seconds(found.value) < until:
            server.update_variable(VariableUpdate(name=name, value=until))

    def close(self) -> None:
        """Close this process's connection to the server."""
        with self._connecting:
            client, self._client = self._client, None
        if client is not None:
            client.__exit__(None, None, None)

    def _server(self) -> SyncPrefectClient:
        with self._connecting:
            if self._client is None:
                from prefect.client.orchestration import SyncPrefectClient
                from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_API_KEY

                # the server named by the flow; the credentials of this process (as Prefect's own client)
                client = SyncPrefectClient(
                    self.api_url, auth_string=PREFECT_API_AUTH_STRING.value(), api_key=PREFECT_API_KEY.value()
                )
                client.__enter__()
                self._client = client
            return self._client

    def _lease(self, host: str) -> UUID:
        """One of the host's slots on the server, waited for; the lease's id (given back by `slot`)."""
        name = limit_name(host)
        self._ensure(name, self.per_host, 0.0)
        answer = _when_free(
            lambda: self._server().increment_concurrency_slots_with_lease(
                names=[name], slots=1, mode="concurrency", lease_duration=self.lease_s
            )
        )
        return UUID(answer.json()["lease_id"])

    def _space(self, host: str) -> None:
        """The host's next start, waited for. Taken without a lease: the slot decays by itself, and a
        lease running out would take a slot back from a later request."""
        name = rate_name(host)
        self._ensure(name, 1, 1.0 / self.interval_s)
        _when_free(
            lambda: self._server().increment_concurrency_slots(names=[name], slots=1, mode="rate_limit")
        )

    def _ensure(self, name: str, limit: int, decay: float) -> None:
        """The limit `name` on the server (made if it has none), asked once per process."""
        if name in self._known:
            return
        with self._making:  # one thread of this process asks the server; the others wait for it
            if name not in self._known:
                _make(self._server(), name, limit, decay)
                self._known.add(name)

    def _wait_out_pause(self, host: str) -> None:
        found = self._server().read_variable_by_name(pause_name(host))
        if found is not None:
            wait = _seconds(found.value) - time.time()
            if wait > 0:
                time.sleep(wait)


def _when_free(ask: Callable[[], httpx.Response]) -> httpx.Response:
    """`ask` for a slot until the server gives one (it answers 423 while the limit is full)."""
    while True:
        try:
            return ask()
        except httpx.HTTPStatusError as e:
            if e.response.status_code != _LOCKED:
                raise
            wait = retry_after(e.response.headers.get("Retry-After")) or _POLL_S
            time.sleep(min(max(wait, _POLL_S), _MAX_WAIT_S))


def _make(server: SyncPrefectClient, name: str, limit: int, decay: float) -> None:
    """Create the limit unless the server has it (an operator's limit is left as they made it)."""
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate

    if _exists(server, name):
        return
    try:
        server.create_global_concurrency_limit(
            GlobalConcurrencyLimitCreate(name=name, limit=limit, slot_decay_per_second=decay)
        )
    except (httpx.HTTPStatusError, ObjectAlreadyExists):
        # another process made it first (a server on SQLite may answer that race with a 500)
        if not _exists(server, name):
            raise


def _exists(server: SyncPrefectClient, name: str) -> bool:
    try:
        server.read_global_concurrency_limit_by_name(name)
    except ObjectNotFound:
        return False
    return True


def _seconds(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0.0


def host_gate(settings: Settings) -> HostLimiter:
    """The limiter a crawl with these settings uses: kept by the Prefect server the flow reports to
    (`NIANBAO_HOST_LIMITS=prefect`), or in lock files (`pipeline.politeness.host_gate`)."""
    if settings.host_limits != "prefect":
        return files_gate(settings)
    from prefect.settings import get_current_settings

    url = get_current_settings().api.url
    if not url:
        raise RuntimeError("NIANBAO_HOST_LIMITS=prefect needs a Prefect API (PREFECT_API_URL)")
    return PrefectHostGate(
        url, settings.fetch.per_host, settings.host_interval_s, settings.fetch.deadline_s + 60
    )
