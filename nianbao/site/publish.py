"""The site after a refresh: rebuilt from the freshly published snapshot, at `settings.site` (NIANBAO_SITE).

The refresh flow, the end of `nianbao run`, a rerun and `nianbao review` call `publish_site` after they
refresh. The site's marker records which refresh (raw.refresh_log's last row) it was built from, so the
site is rebuilt exactly when the snapshot has been refreshed since: a night that loaded nothing leaves it
as it is, and a site missing or left behind by an earlier failed build is built again the next time.

A build that fails does not fail the night's data work: the error is logged and returned in the record
(the warehouse, rollups and snapshot are already published), and the site last built stays in place.
"""

from __future__ import annotations

import fcntl
import logging
import os
from pathlib import Path
from typing import Any

from nianbao.pipeline.errors import NianbaoError
from nianbao.pipeline.progress import stage
from nianbao.pipeline.settings import Settings
from nianbao.site.build import build_site, built_from, refresh_stamp
from nianbao.warehouse.connect import open_for_reading, snapshot_path

log = logging.getLogger("nianbao.site")


def publish_site(settings: Settings) -> dict[str, Any]:
    """Rebuild the site if the snapshot was refreshed since it was built; what happened, as a record.

    The record: `path` (index.html, or None when NIANBAO_SITE is ''), `built` (this call wrote it),
    `current` (the site matches the snapshot), `pages`, `bytes`, `largest_page`, `crop_errors`,
    `seconds`, `error` (why the build failed, else None).
    """
    if settings.site is None:
        return {"path": None, "built": False, "current": False, "error": None}
    out = settings.site
    record: dict[str, Any] = {
        "path": str(out / "index.html"),
        "built": False,
        "current": False,
        "error": None,
    }
    try:
        with _site_lock(out):  # one build at a time per folder (a review during a night's refresh)
            con = open_for_reading(settings.warehouse)
            try:
                stamp = refresh_stamp(con)
                if built_from(out) == stamp and (out / "index.html").exists():
                    record["current"] = True
                    return record
                stage("analysts' site: rebuilding %s from the refreshed snapshot", out)
                snap = snapshot_path(settings.warehouse)
                built = build_site(
                    con,
                    out,
                    raw_store=settings.raw_store,
                    source_name=str(snap if snap.exists() else settings.warehouse),
                )
            finally:
                con.close()
    except NianbaoError as e:
        if e.code != "site_empty":
            return _failed(record, out, e)
        log.info("no analysts' site yet at %s: %s", out, e.message)  # no report loaded yet: nothing to show
        record["empty"] = True
        return record
    except Exception as e:  # the night's data is published already: a site that fails must not undo it
        return _failed(record, out, e)
    record.update(
        built=True,
        current=True,
        pages=built.pages,
        bytes=built.bytes,
        largest_page=list(built.largest_page),
        crops=built.crops,
        crop_errors=built.crop_errors,
        seconds=round(built.seconds.get("total", 0.0), 1),
    )
    log.info(
        "analysts' site rebuilt at %s: %d pages, %.1f MB, in %.1f s",
        out,
        built.pages,
        built.bytes / 1e6,
        record["seconds"],
    )
    return record


def _failed(record: dict[str, Any], out: Path, e: Exception) -> dict[str, Any]:
    log.error("the analysts' site was not rebuilt at %s: %s: %s", out, type(e).__name__, e)
    record["error"] = f"{type(e).__name__}: {e}"
    return record


class _site_lock:
    """An exclusive lock on `<site>.lock` beside the site folder, waited for (a build takes seconds)."""

    def __init__(self, out: Path) -> None:
        self.path = out.with_name(out.name + ".lock")
        self.fd = -1

    def __enter__(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(self.fd, fcntl.LOCK_EX)

    def __exit__(self, *exc: object) -> None:
        os.close(self.fd)  # closing releases the lock
