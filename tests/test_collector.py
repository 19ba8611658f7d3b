"""The garbage collector held back while a night holds its readings (`nianbao.pipeline.collector`)."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from nianbao.pipeline.collector import full_collections_paused, gc_paused


@contextmanager
def collections_seen() -> Iterator[list[int]]:
    """The generation of every collection that ends in the block."""
    seen: list[int] = []

    def note(phase: str, info: dict[str, Any]) -> None:
        if phase == "stop":
            seen.append(info["generation"])

    gc.callbacks.append(note)
    try:
        yield seen
    finally:
        gc.callbacks.remove(note)


def _keep_alive(n: int) -> list[list[int]]:
    """n small tracked containers, all kept: what a night's readings are to the collector."""
    return [[i] for i in range(n)]


def test_many_kept_objects_set_off_full_collections_unpaused() -> None:
    """The cost the pause avoids (this is what makes the next test mean something)."""
    gc.collect()
    with collections_seen() as seen:
        kept = _keep_alive(2_000_000)
    assert 2 in seen
    del kept


def test_no_full_collection_while_paused_but_young_ones_go_on() -> None:
    before = gc.get_threshold()
    gc.collect()
    with full_collections_paused(), collections_seen() as seen:
        kept = _keep_alive(2_000_000)
        assert gc.get_threshold()[:2] == before[:2]
    assert 2 not in seen
    assert 0 in seen and 1 in seen  # cycles other threads make are still collected young
    assert gc.get_threshold() == before
    del kept


def test_overlapping_pauses_restore_the_thresholds_once_the_last_ends() -> None:
    before = gc.get_threshold()
    inside, leave = threading.Event(), threading.Event()

    def other() -> None:
        with full_collections_paused():
            inside.set()
            leave.wait(30)

    t = threading.Thread(target=other)
    with full_collections_paused():
        paused = gc.get_threshold()
        assert paused[2] > before[2]
        t.start()
        assert inside.wait(30)
    assert gc.get_threshold() == paused  # the other thread is still inside
    leave.set()
    t.join(30)
    assert gc.get_threshold() == before
    with full_collections_paused(), full_collections_paused():  # nested
        assert gc.get_threshold() == paused
    assert gc.get_threshold() == before


def test_gc_paused_puts_the_collector_back_as_it_was() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # it was off: left off
    finally:
        gc.enable()


def test_a_whole_run_holds_full_collections_back(monkeypatch: Any) -> None:
    """A night of `nianbao run`, crawl included, runs with full collections held back: in a process that
    ran nights before (a served deployment, the benchmarks) one walks every object the process keeps,
    ~0.3 s of a night with nothing new. The night's body is replaced here to see the collector's thresholds
    from inside it; afterwards they are as before."""
    from nianbao.flows import run as run_module

    before = gc.get_threshold()
    thresholds: list[tuple[int, int, int]] = []
    generations: list[int] = []

    def night(*args: Any) -> None:
        thresholds.append(gc.get_threshold())
        with collections_seen() as seen:
            kept = _keep_alive(2_000_000)  # what sets off a full collection unpaused (the first test)
        generations.extend(seen)
        del kept

    monkeypatch.setattr(run_module, "_night", night)
    run_module.run_flow.fn("catalog.yaml")
    assert thresholds[0][:2] == before[:2] and thresholds[0][2] > 1_000_000
    assert generations and 2 not in generations  # young collections, no full one
    assert gc.get_threshold() == before
