"""What people read on stderr: run summaries, findings tables, progress. Data goes to stdout elsewhere."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import groupby
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from nianbao.pipeline.settings import Settings
    from nianbao.pipeline.summary import Summary

err = Console(stderr=True)
if not err.is_terminal:  # a log, CI or `| tee`: no 80-column wrapping of paths and table cells
    err = Console(stderr=True, width=200)


def summary(s: Summary) -> None:
    """A run's counts, and its failures by reason."""
    t = Table(title=s.title, show_header=False)
    for label, n in s.rows():
        t.add_row(label, str(n))
    err.print(t)
    if s.reasons:
        r = Table(title="failures by reason")
        r.add_column("reason")
        r.add_column("count", justify="right")
        for reason, n in s.reasons.most_common():
            r.add_row(reason, str(n))
        err.print(r)


_ROLLUP_ROWS: list[tuple[str, Callable[[dict[str, Any]], int]]] = [
    ("agencies counted", lambda r: len(r["agencies_counted"])),
    ("agencies left out", lambda r: len(r["left_out"])),
    *[
        (f"{label} ({code})", lambda r, c=code: int(r["applications"][c]["total"]))
        for code, label in [
            ("received_new", "新收申请"),
            ("carried_in", "上年结转"),
            ("granted", "予以公开"),
            ("partially_granted", "部分公开"),
            ("handled_total", "办理结果总计"),
            ("carried_out", "结转下年度"),
        ]
    ],
    ("行政复议 (review)", lambda r: int(r["review_litigation"]["review"]["total"])),
    (
        "行政诉讼 (litigation)",
        lambda r: int(
            r["review_litigation"]["litigation_direct"]["total"]
            + r["review_litigation"]["litigation_after_review"]["total"]
        ),
    ),
]


def run(
    outcomes: list[dict[str, Any]],
    rollups: dict[int, dict[str, Any]],
    settings: Settings | None,
    site: dict[str, Any] | None = None,
) -> None:
    """After a run's counts: what was not loaded and why, the rollup by year, and (given the settings)
    where everything is."""
    bad = [o for o in outcomes if o["status"] not in ("loaded", "unchanged")]
    if bad:
        q = Table(title="not loaded")
        for col in ("agency", "year", "status", "why"):
            q.add_column(col)
        for o in bad:
            q.add_row(o["agency"], str(o["year"]), o["status"], o["error"] or ", ".join(o["checks"]))
        err.print(q)
    if rollups:
        years = sorted(rollups)
        t = Table(title="citywide rollup (admitted reports only)")
        t.add_column("")
        for y in years:
            t.add_column(str(y), justify="right")
        for label, get in _ROLLUP_ROWS:
            t.add_row(label, *(str(get(rollups[y])) for y in years))
        err.print(t)
    if settings is not None:
        written(settings, sorted(rollups), site)


def written(settings: Settings, years: list[int] | None = None, site: dict[str, Any] | None = None) -> None:
    """The last lines of a run: where everything it wrote is, and how to query it (`site`: what became
    of the analysts' site, `nianbao.site.publish`'s record)."""
    from nianbao.warehouse.connect import snapshot_path

    rows = [
        ("warehouse", str(settings.warehouse)),
        ("analysts' snapshot", str(snapshot_path(settings.warehouse))),
    ]
    if settings.data_docs is not None:
        rows.append(("quality report", str(settings.data_docs / "index.html")))
    if settings.site is not None:
        state = ""
        if site and site.get("error"):
            state = " (NOT rebuilt: see the error above; an earlier build, if any, is still there)"
        elif site and site.get("empty"):
            state = " (not built: no report loaded yet)"
        rows.append(("analysts' site", str(settings.site / "index.html") + state))
    rollups = settings.exports / "rollups"
    rows.append(
        ("year rollups (JSON)", f"{rollups}/{{{','.join(map(str, years))}}}.json" if years else f"{rollups}/")
    )
    rows.append(("documents (by sha256)", f"{settings.raw_store}/"))
    t = Table(title="written", show_header=False, title_justify="left")
    for label, where in rows:
        t.add_row(label, where)
    err.print(t, soft_wrap=True)
    if site and site.get("error"):
        err.print(f"[red]the analysts' site was not rebuilt[/red]: {site['error']}", soft_wrap=True)
    for problem in (site or {}).get("crop_errors") or []:
        err.print(f"[yellow]crop not rendered[/yellow] {problem}", soft_wrap=True)
    err.print(
        'query it: nianbao query "select * from marts.citywide_metrics"; '
        "exports for spreadsheets: nianbao export --out DIR",
        highlight=False,
        soft_wrap=True,
    )


def _n(v: Any) -> str:
    return "-" if v is None else str(v)


def _where(locations: list[dict[str, Any]]) -> str:
    from nianbao.expectations.quality import where

    more = f"\n… {len(locations) - 4} more" if len(locations) > 4 else ""
    return (
        "\n".join(f"{str(loc.get('ref', '')).rsplit('.', 1)[-1]}: {where(loc)}" for loc in locations[:4])
        + more
    )


def findings_table(rows: list[dict[str, Any]], console: Console | None = None) -> None:
    """Findings as rich tables: one per agency-year, rows grouped by check, blocking first."""
    console = console or Console()
    if not rows:
        console.print("no findings")
        return
    key = lambda r: (r["agency"], r["year"])  # noqa: E731
    for (agency, year), group in groupby(sorted(rows, key=key), key=key):
        items = sorted(group, key=lambda r: (r["severity"] != "blocking", r["check"]))
        first = items[0]
        t = Table(
            title=f"{agency} {year} — {first.get('report_status', '')} — document {first['document'][:12]}",
            title_justify="left",
            show_lines=False,
        )
        for col, just in (
            ("check", "left"),
            ("severity", "left"),
            ("cells", "left"),
            ("left", "right"),
            ("right", "right"),
            ("diff", "right"),
            ("where", "left"),
        ):
            t.add_column(col, justify=just)  # type: ignore[arg-type]
        for check, same_check in groupby(items, key=lambda r: r["check"]):
            same = list(same_check)
            for i, r in enumerate(same):
                about = ".".join(x for x in (r["table"], r["row"], r["proceeding"], r["column"]) if x) or "-"
                style = "red" if r["severity"] == "blocking" else "yellow"
                t.add_row(
                    check if i == 0 else "",
                    f"[{style}]{r['severity']}[/{style}]" if i == 0 else "",
                    about,
                    _n(r["left"]),
                    _n(r["right"]),
                    _n(r.get("difference")),
                    _where(r["locations"]),
                    end_section=i == len(same) - 1,
                )
        console.print(t)


class ProgressLines(logging.Handler):
    """Stderr lines for the pipeline's progress records (`nianbao.pipeline.progress`).

    A stage always gets its line. Steps (an agency crawled, a document read) each get one with `every_s`
    at 0 (on a terminal, or NIANBAO_PROGRESS=all); otherwise one line per stage at most every `every_s`
    seconds, and its last step, so a log, CI or `| tee` sees the run move without a flood.
    """

    def __init__(self, every_s: float = 0.0, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(logging.INFO)
        self.every_s = every_s
        self.clock = clock
        self.last: dict[str, float] = {}
        self.started = clock()

    def emit(self, record: logging.LogRecord) -> None:
        done, total = getattr(record, "done", None), getattr(record, "total", None)
        unit = str(getattr(record, "unit", ""))
        now = self.clock()
        if done is not None and total:
            last = self.last.get(unit)
            if self.every_s and last is not None and now - last < self.every_s and done != total:
                return
            self.last[unit] = now
            line = f"[{done}/{total} {unit}] {record.getMessage()}"
        else:
            self.last.clear()
            line = record.getMessage()
        err.print(f"{now - self.started:6.1f}s {line}", highlight=False, markup=False, soft_wrap=True)


@contextmanager
def progress(mode: str = "auto", every_s: float = 10.0) -> Iterator[None]:
    """Show the pipeline's progress on stderr while the block runs: `auto` (every line on a terminal,
    stages and a line every `every_s` seconds elsewhere), `all`, or `off`."""
    logger = logging.getLogger("nianbao.progress")
    if mode == "off":
        yield
        return
    handler = ProgressLines(0.0 if mode == "all" or err.is_terminal else every_s)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False  # the lines are ours; a library's root handler should not repeat them
    try:
        yield
    finally:
        logger.removeHandler(handler)
