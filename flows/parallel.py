"""Where extraction runs (issue 17): a Dask cluster through prefect-dask, or the flow's own threads.

- `workers` > 0: a local `distributed` cluster of that many worker *processes* (one thread each, each
  worker's memory capped at `worker_memory_mb`; the nanny restarts a worker that grows past it and Dask
  hands its tasks to another). Each worker reads through its own reader process (`extract.isolate`),
  itself capped by `ReadLimits.memory_mb`.
- `dask_address`: an existing cluster (`dask scheduler` + `dask worker` on other machines).
- `workers` = 0 and no address: threads of the flow's process (the "single-process path").

Only extraction is submitted to the runner; discovery and fetching, admission and the load run in the
flow's process, so the warehouse keeps its single writer. Prefect orchestration costs about a tenth of a
second per task run, so documents go to the workers in batches (`batches`), not one task each.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from prefect.task_runners import ThreadPoolTaskRunner

from nianbao.pipeline.settings import Settings

T = TypeVar("T")

THREADS = 4  # the single-process path: threads of the flow, each with its own reader process
MAX_BATCH = 256  # documents per extraction task at most (each is cached as it is read: a worker killed
# mid-batch costs the retry only the documents it had not finished)
MIN_BATCH = 16  # and at least, but for the last (a second's work or so: the end of a night stays balanced)


def task_runner(settings: Settings) -> Any:
    """The task runner for a run with these settings (a DaskTaskRunner, or threads when workers is 0)."""
    if settings.dask_address:
        from prefect_dask.task_runners import DaskTaskRunner

        return DaskTaskRunner(address=settings.dask_address)
    if settings.workers > 0:
        from prefect_dask.task_runners import DaskTaskRunner

        return DaskTaskRunner(cluster_class=start_local_cluster, cluster_kwargs=_local(settings))
    return ThreadPoolTaskRunner(max_workers=THREADS)


@contextmanager
def local_cluster(settings: Settings) -> Iterator[str]:
    """A local Dask cluster of `settings.workers` processes for the length of the block; its address."""
    with start_local_cluster(**_local(settings)) as cluster:
        yield str(cluster.scheduler_address)


# What a local cluster here does not need to do as often as Dask's defaults (made for a dashboard and for
# workers that hold data), paid where the cores are busiest, beside the readers: the per-worker statistical
# profiler samples the running thread every 10 ms for the dashboard's profile page (~3 % of a core per
# worker, measured idle); the scheduler, each nanny and each worker sample the host with psutil twice a
# second (system monitor, disk counters) and each nanny and worker read their worker's memory ten times a
# second. Measured on a 2-worker night: the flow's event loop spent ~1.4 s of processor time in these.
# A nanny still restarts a worker past its memory limit, within half a second.
# Every Dask server (the scheduler, each nanny, each worker, the client's) also wakes 50 times a second
# to time its own event loop (`admin.tick`, a health figure for the dashboard and for the "event loop was
# unresponsive" warning, which still fires past `tick.limit`, 3 s): an idle 2-worker cluster used 0.082
# of a core at that rate and 0.016 at 500 ms, measured over 20 s (`tests/test_scale.py` keeps the rate).
# The nannies start their workers by forking a server process that has imported what a worker needs
# (`WORKER_PRELOAD`) once, instead of each worker starting a fresh interpreter that imports it (`spawn`,
# Dask's default): on a 2-worker night each worker spent ~3.5 s of processor time importing distributed,
# Prefect and the flow's modules, beside the readers.
CLUSTER_CONFIG: dict[str, Any] = {
    "distributed.worker.multiprocessing-method": "forkserver",
    "distributed.worker.profile.enabled": False,
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.admin.system-monitor.disk": False,
    "distributed.worker.memory.monitor-interval": "500ms",
    "distributed.admin.tick.interval": "500ms",
}


# What a worker imports to run the night's tasks: Dask's worker, Prefect's task engine, the extraction
# task's module and the module of the flow Prefect sends with each task. Neither the warehouse nor the
# checks (`tests/test_scale.py`); importing these starts no thread, so forking after them is safe.
WORKER_PRELOAD = [
    "distributed",
    "prefect_dask",
    "prefect.task_engine",
    "nianbao.flows.extract",
    "nianbao.flows.run",
    "nianbao.flows.ingest",
]


def start_local_cluster(**kwargs: Any) -> Any:
    """A `distributed.LocalCluster` whose scheduler, nannies and workers run with `CLUSTER_CONFIG` (the
    scheduler and the nannies read their configuration as they start, in this process), its workers forked
    from the process's server (`worker_server`)."""
    import dask
    from distributed import LocalCluster

    with dask.config.set(CLUSTER_CONFIG):
        worker_server()
        return LocalCluster(**kwargs)  # type: ignore[no-untyped-call]


def worker_server() -> None:
    """Name what the process's fork server imports as it starts (`WORKER_PRELOAD`), if it has not started.

    A process has one fork server, started the first time something forks from it, with the modules
    named by then; later calls change nothing. Dask names its own list once (distributed and every
    package it knows of, pandas included), the first time it is asked for the context: ask it first, so
    that this list has the last word. A worker forked from the server has the server's environment as it
    was when the server started; the night's settings reach each task in its Prefect context."""
    import multiprocessing

    from distributed.utils import get_mp_context

    get_mp_context()  # type: ignore[no-untyped-call]
    multiprocessing.get_context("forkserver").set_forkserver_preload(WORKER_PRELOAD)


def _local(settings: Settings) -> dict[str, Any]:
    return {
        "n_workers": settings.workers,
        "threads_per_worker": 1,
        "processes": True,
        "memory_limit": f"{settings.worker_memory_mb}MiB",
        "dashboard_address": None,
        "silence_logs": logging.ERROR,
        "config": CLUSTER_CONFIG,  # merged into each worker's Dask configuration by its nanny
    }


def slots(settings: Settings) -> int:
    """How many extractions can run at once (for sizing the batches)."""
    if settings.dask_address:
        return 8  # unknown: enough batches for a small cluster to stay busy
    return settings.workers if settings.workers > 0 else THREADS


def batches(items: list[T], slots: int) -> list[list[T]]:
    """`items` in consecutive batches, large first and smaller towards the end (guided self-scheduling):
    each takes a 1/(2·slots) share of what is left, between MIN_BATCH and MAX_BATCH documents.

    Each batch is one task run, and a task run costs ~0.3 s of processor time outside the reading: the
    flow's process serialises Prefect's settings for the worker (~0.13 s a submit), the worker rebuilds
    them and the API records the run's states. On a machine whose cores the workers fill, that time is
    taken from them. Small batches at the end keep a worker from waiting long for another's last one;
    `extract_all` sends the largest documents first, so the last batches are also the cheapest. On 1,130
    documents and 2 workers: 14 task runs (27 with batches of 4 to 64, 71 with batches of 16).
    """
    out: list[list[T]] = []
    share = 2 * max(1, slots)
    i = 0
    while i < len(items):
        size = max(MIN_BATCH, min(MAX_BATCH, math.ceil((len(items) - i) / share)))
        out.append(items[i : i + size])
        i += size
    return out


@contextmanager
def shared_api() -> Iterator[None]:
    """A Prefect API that every process of the run reaches.

    With PREFECT_API_URL set (a server, or a test harness) nothing changes. Without it a flow run starts
    a temporary API in a subprocess that only this process knows of, and each Dask worker would start
    its own (seconds each, all writing one SQLite file): start it here and name it in the settings, which
    prefect-dask hands to every task it sends to a worker.

    That API lives and dies with this process, so the flow runs' heartbeats are switched off: they exist
    so that a server can mark a run whose process died as crashed, which this server would not outlive,
    and stopping a flow run's heartbeat thread costs up to a second (it sleeps in 1 s steps): half a
    second, on average, of a no-change night's four.
    """
    from prefect.settings import (
        PREFECT_API_URL,
        PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
        get_current_settings,
        temporary_settings,
    )

    if get_current_settings().api.url:
        yield
        return
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()  # the same instance the flow's client would start
    server.start()
    with temporary_settings({PREFECT_API_URL: server.api_url, PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield
