"""One way to hand work to a renderer in a process of its own (`crops.py`, `vega.py`).

The renderer is run as `python -m <module>`: a JSON list on its stdin, a JSON list of answers (in the
same order) on its stdout. It holds no lock of this process's, so a caller may wait for it in a thread
while it writes other pages.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any


def run_module(module: str, items: list[Any]) -> list[Any]:
    """`python -m module` fed `items`; its answers, one per item. `RuntimeError` with the last line of its
    stderr (or its exit status) when it failed."""
    done = subprocess.run(
        [sys.executable, "-m", module],
        input=json.dumps(items),
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    if done.returncode != 0:
        err = done.stderr.strip()
        raise RuntimeError(err.splitlines()[-1] if err else f"{module} ended with status {done.returncode}")
    answers: list[Any] = json.loads(done.stdout)
    if len(answers) != len(items):
        raise RuntimeError(f"{module} answered {len(answers)} of {len(items)}")
    return answers
