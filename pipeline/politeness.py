"""Politeness that holds across processes (issue 17): per-host concurrency, request rate and pauses.

`fetch.HostLimiter` counts requests in flight per host among the threads of one process. With several
processes fetching (a night and a rerun, two nights of neighbouring catalogs, the deployments of
`nianbao serve`), each would allow its own `per_host`. `HostGate` counts through lock files instead,
so the limits hold for every process of the machine that shares the gate's folder (the default is
beside the warehouse):

- `<host>.<n>.slot` (n < per_host): a request holds one of these with `flock` while it is in flight;
  the kernel drops the lock when a process dies, so a killed fetcher never leaks a slot;
- `<host>.next`: the earliest time the next request to the host may start (`interval_s` after the
  last start, or later when the host asked for a pause with `Retry-After`), read and written under
  an `flock` of its own.

This works without a Prefect server (Prefect's global concurrency limits need one) and on one machine;
a cluster of machines needs a shared lock service instead (docs/scaling.md).
"""

from __future__ import annotations

import fcntl
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

from nianbao.pipeline.fetch import HostLimiter
from nianbao.pipeline.settings import Settings

_POLL_S = 0.02


def _host_file(host: str) -> str:
    """A host (with its port) as a safe file name."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", host.lower()) or "_"


class HostGate(HostLimiter):
    """At most `per_host` requests in flight to a host and one started every `interval_s`, across the
    threads and the processes that share `root`."""

    def __init__(self, root: str | Path, per_host: int = 2, interval_s: float = 0.0) -> None:
        super().__init__(per_host)
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.interval_s = interval_s

    @contextmanager
    def slot(self, url: str) -> Iterator[None]:
        """Hold one of the host's slots (this process's and the machine's) for the duration of a request."""
        host = urlsplit(url).netloc
        with super().slot(url), self._file_slot(host):
            self._wait_turn(host)
            yield

    @contextmanager
    def _file_slot(self, host: str) -> Iterator[None]:
        name = _host_file(host)
        files: list[IO[bytes]] = []
        try:
            for n in range(self.per_host):
                files.append(open(self.root / f"{name}.{n}.slot", "ab"))  # noqa: SIM115
            while True:
                for f in files:
                    try:
                        fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    except BlockingIOError:
                        continue
                    try:
                        yield
                    finally:
                        fcntl.flock(f.fileno(), fcntl.LOCK_UN)
                    return
                time.sleep(_POLL_S)
        finally:
            for f in files:
                f.close()

    @contextmanager
    def _next(self, host: str) -> Iterator[IO[bytes]]:
        """The host's `.next` file, locked for this process alone."""
        with open(self.root / f"{_host_file(host)}.next", "a+b") as f:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX)
            try:
                yield f
            finally:
                fcntl.flock(f.fileno(), fcntl.LOCK_UN)

    @staticmethod
    def _read(f: IO[bytes]) -> float:
        f.seek(0)
        try:
            return float(f.read().decode() or 0.0)
        except ValueError:
            return 0.0

    @staticmethod
    def _write(f: IO[bytes], at: float) -> None:
        f.seek(0)
        f.truncate()
        f.write(repr(at).encode())
        f.flush()

    def _wait_turn(self, host: str) -> None:
        """Wait until the host may be asked again, then claim the start (wall clock: shared by processes)."""
        while True:
            with self._next(host) as f:
                at = self._read(f)
                now = time.time()
                if now >= at:
                    if self.interval_s > 0:  # with no spacing asked, a start delays nobody: nothing to write
                        self._write(f, now + self.interval_s)
                    return
            time.sleep(min(max(at - now, _POLL_S), 1.0))

    def pause(self, url: str, seconds: float) -> None:
        """The host asked for a pause (Retry-After): no process starts a request to it for `seconds`."""
        host = urlsplit(url).netloc
        with self._next(host) as f:
            self._write(f, max(self._read(f), time.time() + seconds))


def host_gate(settings: Settings) -> HostLimiter:
    """The limiter a crawl with these settings uses: a `HostGate` in `settings.hosts_dir` (per process
    when no folder is set)."""
    if settings.hosts_dir is None:
        return HostLimiter(settings.fetch.per_host)
    return HostGate(settings.hosts_dir, settings.fetch.per_host, settings.host_interval_s)
