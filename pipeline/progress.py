"""Progress, as records on the `nianbao.progress` logger: whoever runs the work decides how to show them.

Two kinds: a stage beginning (`stage`, always worth a line) and a unit of work done within it (`step`,
with `done`/`total`, e.g. one agency crawled or one document read). The CLI prints stages always and
steps at a rate that suits where stderr goes (`nianbao.cli.show.progress`); a flow run logs nothing more.
"""

from __future__ import annotations

import logging

log = logging.getLogger("nianbao.progress")


def stage(message: str, *args: object) -> None:
    """A stage begins (crawl, read, check and load, refresh): one line wherever stderr goes."""
    log.info(message, *args, extra={"stage": True})


def step(message: str, *args: object, done: int, total: int, unit: str) -> None:
    """One unit of a stage done (`done` of `total` `unit`s)."""
    log.info(message, *args, extra={"done": done, "total": total, "unit": unit})
