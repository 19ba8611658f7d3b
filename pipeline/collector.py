"""The cyclic garbage collector, held back while a step builds up many objects that stay alive.

A report's reading is ~2,000 tracked objects (~200 cells, each with its location), and a night holds
every reading until it is loaded: 1,130 readings are ~2.3 million objects. CPython's full collection
walks all of them, again each time the long-lived objects have grown by a quarter: measured on a
1,000-report night, four full collections in the flow's process took 2.0 s while the readings arrived
(issue 17), on the cores the readers need. Reference counting still frees whatever is dropped; only
garbage in reference cycles waits.

- `gc_paused`: no collection at all (a load: millions of short-lived objects, a few seconds).
- `full_collections_paused`: the young generations are still collected (the cycles other threads
  make as they go: event loops, exceptions), only the full collections wait (a night's reading and load,
  minutes). The objects should be dropped before the block ends, or the first full collection after it
  walks them.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_NEVER = 1 << 30  # a full collection's threshold no night reaches: young collections between full ones
_lock = threading.Lock()
_holders = 0  # blocks inside `full_collections_paused`
_saved: tuple[int, int, int] = gc.get_threshold()  # the thresholds before the first of them


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off for a while (as it was, after)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@contextmanager
def full_collections_paused() -> Iterator[None]:
    """No full collection while any thread is inside such a block; young ones go on. The thresholds are
    put back as they were when the last block ends (blocks may overlap, in threads or nested)."""
    global _holders, _saved
    with _lock:
        if _holders == 0:
            _saved = gc.get_threshold()
            gc.set_threshold(_saved[0], _saved[1], _NEVER)
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0:
                gc.set_threshold(*_saved)
