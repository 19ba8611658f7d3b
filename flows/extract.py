"""Reading a night's stored documents: in batches, one Prefect task each, on the flow's task runner (a Dask
cluster or threads, `flows.parallel`), each document read in a capped reader process
(`pipeline.extract.isolate`) and cached on its hash, the readers' version and the read limits.

A run reads a first night's new documents while its crawl still goes on (`ReadAhead`): on the web the
crawl waits on the sites and the cores would idle through it.

Its own module, apart from the load (`flows.ingest`): a Dask worker imports the module of the task it
runs, and this one needs neither the warehouse nor the checks (pandas, DuckDB, Arrow: ~0.6 s of
processor time at each worker's start, on the cores the readers need). The worker imports the module of
the flow that sent the task too, so `flows.run` and `flows.ingest` import those layers inside their
functions (`tests/test_scale.py` looks at what a worker ends up with).
"""

from __future__ import annotations

import contextlib
import contextvars
import pickle
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from types import TracebackType
from typing import Any

from prefect import task
from prefect.cache_policies import NONE
from prefect.futures import PrefectFuture, PrefectWrappedFuture
from prefect.results import get_result_store

from nianbao.flows.parallel import MIN_BATCH, THREADS, batches
from nianbao.pipeline.errors import ExtractError
from nianbao.pipeline.extract import reader_version
from nianbao.pipeline.extract.isolate import read_isolated
from nianbao.pipeline.extract.limits import ReadLimits
from nianbao.pipeline.model import DocRef, Report
from nianbao.pipeline.progress import step
from nianbao.pipeline.rawstore import RawStore

Reading = Report | ExtractError
Sent = tuple[list[str], PrefectFuture[list[bytes]]]  # a batch of hashes, and its task run's future
# documents a batch sent during the crawl holds at most (~3 s of one worker's reading): a 256-document
# batch sent as a network-bound crawl ended was still being read 15 s after the others had finished
AHEAD_BATCH = 4 * MIN_BATCH


def extract_key(sha256: str, limits: ReadLimits) -> str:
    """The cache key of one document's reading: its hash, the readers' version and the read limits (a
    refusal depends on the limits too: a document too large under one cap may read under another)."""
    return f"extract-{sha256}-{reader_version()}-{limits.key()}"


@task(cache_policy=NONE, retries=0, name="extract")
def extract_batch(shas: list[str], raw_store: str, limits: dict[str, Any] | None = None) -> list[bytes]:
    """Read stored documents one after another in a capped reader process, each cached on its hash, the
    readers' version and the read limits in the run's result store (pickled readings, in order)."""
    read = ReadLimits(**limits) if limits else ReadLimits()
    results = get_result_store()
    store = RawStore(raw_store)
    out = []
    for sha in shas:
        key = extract_key(sha, read)
        try:
            cached = results.read(key).result if results.exists(key) else None
        except Exception:  # a cache entry cut short (a worker killed while writing it) is read again
            cached = None
        if not isinstance(cached, bytes):
            cached = pickle.dumps(read_isolated(store.get(sha), read))
            results.write(cached, key=key)
        out.append(cached)
    return out


def extract_all(
    refs: list[DocRef],
    raw_store: str | Path,
    limits: ReadLimits | None = None,
    slots: int = THREADS,
    sent: Sequence[Sent] = (),
) -> list[tuple[DocRef, Reading]]:
    """Every document's reading: distinct documents in batches, one task each, run on the flow's task
    runner (a Dask cluster or threads, `flows.parallel`).

    `sent` are batches already submitted with the same store and limits (`ReadAhead.sent`): their
    documents are not sent again. The largest of the others go first: size is what predicts a long read
    (a scan's page images, a long PDF), and the batches shrink towards the end, so the last ones are
    short and no worker waits long for another's.
    """
    plain = asdict(limits or ReadLimits())
    before = {sha for b, _f in sent for sha in b}
    shas = largest_first((r.sha256 for r in refs), RawStore(raw_store))
    rest = [sha for sha in shas if sha not in before]
    futures = [*sent, *((b, extract_batch.submit(b, str(raw_store), plain)) for b in batches(rest, slots))]
    done: dict[str, Reading] = {}
    wanted = set(shas)
    for b, f in futures:
        for sha, answer in zip(b, f.result(), strict=True):
            if sha in wanted:
                done[sha] = pickle.loads(answer)
                step("read %s", sha[:12], done=len(done), total=len(shas), unit="documents")
    return [(r, done[r.sha256]) for r in refs]


class ReadAhead:
    """Documents read while the crawl still runs (issue 17): new bodies go to the flow's task runner as
    they land in the raw store, not after the whole crawl.

    On the web a city's crawl waits on its sites (a few requests per host at a time) for minutes, and
    the cores idle through it; what has arrived is read meanwhile. The crawl's threads `offer` bodies; a
    thread of this object's own, started in the flow run's context (which a task's `submit` needs),
    sends them: while at most `slots` of its batches are being read (one more waits at the scheduler,
    so that a worker that finishes one starts the next at once), what is waiting goes as one batch
    (largest first, at most AHEAD_BATCH), once MIN_BATCH documents wait, nothing more has arrived for
    `quiet_s` or the first of them has waited `patience_s`. A slow crawl thus keeps the workers fed
    without a task run for every document; the cap keeps a batch sent just before the crawl ends from
    being read alone long after the others (what is left then is split by `extract_all` across the
    workers).
    After `close` (the end of the block) nothing more is sent: what still waits is read with the rest
    (`extract_all(..., sent=ahead.sent)`). A night with nothing new sends nothing, so it starts no
    cluster.
    """

    def __init__(
        self,
        raw_store: str | Path,
        limits: ReadLimits | None,
        slots: int,
        quiet_s: float = 1.0,
        patience_s: float = 5.0,
    ) -> None:
        self._args = (str(raw_store), asdict(limits or ReadLimits()))
        self._slots = max(1, slots)
        self._quiet_s = quiet_s
        self._patience_s = patience_s
        self._cond = threading.Condition()
        self._waiting: dict[str, int] = {}  # hash → size, offered and not sent yet
        self._offered: set[str] = set()
        self._last = self._first = time.monotonic()  # the last offer; the first of those waiting
        self._closed = False
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self.sent: list[Sent] = []

    def __enter__(self) -> ReadAhead:
        run_in_flow = contextvars.copy_context()
        self._thread = threading.Thread(target=run_in_flow.run, args=(self._send,), name="read-ahead")
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        if kind is None:
            self.close()
            return
        with contextlib.suppress(Exception):  # the block's own error is the one to see
            self.close()

    def offer(self, bodies: Mapping[str, tuple[int, str | None]]) -> None:
        """Bodies stored (hash → (size, format)), to be read as soon as a worker is free; any thread."""
        with self._cond:
            if self._closed:
                return
            now = time.monotonic()
            for sha, (size, _fmt) in bodies.items():
                if sha not in self._offered:
                    if not self._waiting:
                        self._first = now
                    self._offered.add(sha)
                    self._waiting[sha] = size
            self._last = now
            self._cond.notify()

    def close(self) -> None:
        """Send nothing more; wait for a submit under way. Raises what stopped the sending thread (the
        batch it could not send is left to `extract_all`)."""
        with self._cond:
            self._closed = True
            self._cond.notify()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._error is not None:
            raise self._error

    def _ready(self) -> bool:
        if not self._waiting or sum(not _done(f) for _b, f in self.sent) > self._slots:
            return False
        now = time.monotonic()
        return (
            len(self._waiting) >= MIN_BATCH
            or now - self._last >= self._quiet_s
            or now - self._first >= self._patience_s
        )

    def _send(self) -> None:
        try:
            while True:
                with self._cond:
                    while not self._closed and not self._ready():
                        self._cond.wait(0.05)  # woken by an offer; a batch's end and the quiet are polled
                    if self._closed:
                        return
                    batch = sorted(self._waiting, key=lambda sha: (-self._waiting[sha], sha))[:AHEAD_BATCH]
                    for sha in batch:
                        del self._waiting[sha]
                self.sent.append((batch, extract_batch.submit(batch, *self._args)))
        except BaseException as e:
            self._error = e


def _done(f: PrefectFuture[Any]) -> bool:
    """Whether a task run has ended, without fetching its result."""
    if isinstance(f, PrefectWrappedFuture):
        return bool(f.wrapped_future.done())
    return f.state.is_final()


def largest_first(shas: Iterable[str], store: RawStore) -> list[str]:
    """The distinct hashes, the largest stored document first (then by hash; one not stored, last)."""
    return sorted(dict.fromkeys(shas), key=lambda sha: (-store.size(sha), sha))


def read_documents(
    refs: list[DocRef], raw_store: str | Path, limits: ReadLimits | None = None
) -> list[tuple[DocRef, Reading]]:
    """Every document's reading, one after the other, uncached (what the tasks do, without Prefect)."""
    store = RawStore(raw_store)
    out: list[tuple[DocRef, Reading]] = []
    for n, r in enumerate(refs, 1):
        out.append((r, read_isolated(store.get(r.sha256), limits)))
        step("read %s %s", r.agency_id, r.year, done=n, total=len(refs), unit="documents")
    return out
