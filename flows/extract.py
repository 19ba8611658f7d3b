"""Reading a night's stored documents: in batches, one Prefect task each, on the flow's task runner (a Dask
cluster or threads, `flows.parallel`), each document read in a capped reader process
(`pipeline.extract.isolate`) and cached on its hash, the readers' version and the read limits.

Its own module, apart from the load (`flows.ingest`): a Dask worker imports the module of the task it
runs, and this one needs neither the warehouse nor the checks (pandas, DuckDB, Arrow: ~0.6 s of
processor time at each worker's start, on the cores the readers need). The worker imports the module of
the flow that sent the task too, so `flows.run` and `flows.ingest` import those layers inside their
functions (`tests/test_scale.py` looks at what a worker ends up with).
"""

from __future__ import annotations

import pickle
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from prefect import task
from prefect.cache_policies import NONE
from prefect.results import get_result_store

from nianbao.flows.parallel import THREADS, batches
from nianbao.pipeline.errors import ExtractError
from nianbao.pipeline.extract import reader_version
from nianbao.pipeline.extract.isolate import read_isolated
from nianbao.pipeline.extract.limits import ReadLimits
from nianbao.pipeline.model import DocRef, Report
from nianbao.pipeline.progress import step
from nianbao.pipeline.rawstore import RawStore

Reading = Report | ExtractError


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
    refs: list[DocRef], raw_store: str | Path, limits: ReadLimits | None = None, slots: int = THREADS
) -> list[tuple[DocRef, Reading]]:
    """Every document's reading: distinct documents in batches, one task each, run on the flow's task
    runner (a Dask cluster or threads, `flows.parallel`).

    The largest documents go first: size is what predicts a long read (a scan's page images, a long
    PDF), and the batches shrink towards the end, so the last ones are short and no worker waits long
    for another's.
    """
    plain = asdict(limits or ReadLimits())
    shas = largest_first((r.sha256 for r in refs), RawStore(raw_store))
    futures = [(b, extract_batch.submit(b, str(raw_store), plain)) for b in batches(shas, slots)]
    done: dict[str, Reading] = {}
    for b, f in futures:
        for sha, answer in zip(b, f.result(), strict=True):
            done[sha] = pickle.loads(answer)
            step("read %s", sha[:12], done=len(done), total=len(shas), unit="documents")
    return [(r, done[r.sha256]) for r in refs]


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
