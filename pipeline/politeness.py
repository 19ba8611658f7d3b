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
import itertools
import re
import threading
import time
from collections import OrderedDict
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


class _HostFiles:
    """One host's lock files, open while any request to the host uses them. A `flock` belongs to an open
    file, which every thread of the process shares: each file has a thread lock beside it, so that two
    threads of one process never both think they hold it."""

    def __init__(self, root: Path, host: str, per_host: int) -> None:
        name = _host_file(host)
        self.slots = [
            (open(root / f"{name}.{n}.slot", "ab"), threading.Lock())  # noqa: SIM115 (closed by close())
            for n in range(per_host)
        ]
        self.next = (open(root / f"{name}.next", "a+b"), threading.Lock())  # noqa: SIM115
        self.users = 0
        self._turns = itertools.count()

    def turn(self) -> int:
        """Which slot a thread that found none free waits on (in turn, so waiters spread over the slots)."""
        return next(self._turns) % len(self.slots)

    def close(self) -> None:
        for f, _ in [*self.slots, self.next]:
            f.close()


class HostGate(HostLimiter):
    """At most `per_host` requests in flight to a host and one started every `interval_s`, across the
    threads and the processes that share `root`.

    A host's lock files stay open between its requests (opening three files per request was a third of a
    no-change night's cost per request); at most `OPEN_HOSTS` hosts' files are kept open when unused."""

    OPEN_HOSTS = 64
    across_processes = True

    def __init__(self, root: str | Path, per_host: int = 2, interval_s: float = 0.0) -> None:
        super().__init__(per_host)
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.interval_s = interval_s
        self._open: OrderedDict[str, _HostFiles] = OrderedDict()
        self._open_lock = threading.Lock()

    def __reduce__(self) -> tuple[type[HostGate], tuple[Path, int, float]]:
        """Sent to another process, a gate is the same gate: the same folder and limits (its open files
        and thread locks are this process's own and stay here)."""
        return (type(self), (self.root, self.per_host, self.interval_s))

    @contextmanager
    def slot(self, url: str) -> Iterator[None]:
        """Hold one of the host's slots (this process's and the machine's) for the duration of a request."""
        host = urlsplit(url).netloc
        with super().slot(url), self._files(host) as files, self._file_slot(files):
            self._wait_turn(files)
            yield

    @contextmanager
    def _files(self, host: str) -> Iterator[_HostFiles]:
        """The host's open lock files, for the length of the block (never closed while in use)."""
        with self._open_lock:
            files = self._open.pop(host, None) or _HostFiles(self.root, host, self.per_host)
            self._open[host] = files  # the most recently used last
            files.users += 1
            idle = [h for h, f in self._open.items() if f.users == 0]
            for h in idle[: max(0, len(self._open) - self.OPEN_HOSTS)]:
                self._open.pop(h).close()
        try:
            yield files
        finally:
            with self._open_lock:
                files.users -= 1

    def close(self) -> None:
        """Close every host's lock files (none may be in use)."""
        with self._open_lock:
            for files in self._open.values():
                files.close()
            self._open.clear()

    @staticmethod
    @contextmanager
    def _file_slot(files: _HostFiles) -> Iterator[None]:
        """One of the host's slot files, locked for this thread: a free one if any, else the next one in
        turn, waited for (the kernel wakes a blocked `flock` as soon as its holder lets go; a poll would
        leave the slot idle for up to its period)."""
        for f, mine in files.slots:
            if not mine.acquire(blocking=False):
                continue
            try:
                fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                mine.release()
                continue  # another process holds it
            try:
                yield
            finally:
                fcntl.flock(f.fileno(), fcntl.LOCK_UN)
                mine.release()
            return
        f, mine = files.slots[files.turn()]
        with mine:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(f.fileno(), fcntl.LOCK_UN)

    @staticmethod
    @contextmanager
    def _next(files: _HostFiles) -> Iterator[IO[bytes]]:
        """The host's `.next` file, locked for this thread alone."""
        f, mine = files.next
        with mine:
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

    def _wait_turn(self, files: _HostFiles) -> None:
        """Wait until the host may be asked again, then claim the start (wall clock: shared by processes)."""
        while True:
            with self._next(files) as f:
                at = self._read(f)
                now = time.time()
                if now >= at:
                    if self.interval_s > 0:  # with no spacing asked, a start delays nobody: nothing to write
                        self._write(f, now + self.interval_s)
                    return
            time.sleep(min(max(at - now, _POLL_S), 1.0))

    def pause(self, url: str, seconds: float) -> None:
        """The host asked for a pause (Retry-After): no process starts a request to it for `seconds`."""
        with self._files(urlsplit(url).netloc) as files, self._next(files) as f:
            self._write(f, max(self._read(f), time.time() + seconds))


def host_gate(settings: Settings) -> HostLimiter:
    """The limiter a crawl with these settings uses: a `HostGate` in `settings.hosts_dir` (per process
    when no folder is set)."""
    if settings.hosts_dir is None:
        return HostLimiter(settings.fetch.per_host)
    return HostGate(settings.hosts_dir, settings.fetch.per_host, settings.host_interval_s)
