"""Sample a process tree from outside it: `python treesample.py ROOT_PID [SKIP_PID ...]`.

Every 0.2 s, one JSON line on stdout: `[rss_bytes, {pid: processor_seconds}]` for ROOT_PID and its
descendants (less SKIP_PID and this process). Ends when ROOT_PID ends or stdin closes.

A process of its own, not a thread of the process it samples: psutil's walk of /proc takes the
interpreter from that process's threads, and a thread sampling `benchmarks/scale.py` every 0.2 s made a
~1.8-s no-change night 0.2-0.3 s longer (the crawl runs in the same process's threads)."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading

import psutil

INTERVAL_S = 0.2


def scan(root: psutil.Process, skip: set[int]) -> tuple[int, dict[int, float]]:
    """The tree's summed RSS and each process's processor time (user + system) now."""
    total, cpu = 0, {}
    for p in [root, *root.children(recursive=True)]:
        if p.pid in skip:
            continue
        with contextlib.suppress(psutil.Error):
            total += p.memory_info().rss
            t = p.cpu_times()
            cpu[p.pid] = t.user + t.system
    return total, cpu


def main() -> int:
    root = psutil.Process(int(sys.argv[1]))
    skip = {int(a) for a in sys.argv[2:]} | {os.getpid()}
    done = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    while not done.wait(INTERVAL_S) and root.is_running():
        with contextlib.suppress(psutil.Error):
            print(json.dumps(scan(root, skip)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
