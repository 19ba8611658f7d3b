"""What the flows share: the run summary (stderr table + Prefect markdown artifact), progress, events."""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from nianbao.pipeline.settings import load_settings

err = Console(stderr=True)

DOCUMENT_FETCHED = "nianbao.document.fetched"
# resource id of all three: nianbao.report.<agency>.<year> (spec/interfaces.md)
REPORT_EVENTS = {
    "loaded": "nianbao.report.loaded",
    "quarantined": "nianbao.report.quarantined",
    "unreadable": "nianbao.document.unreadable",
}


@dataclass
class Summary:
    """Counts of one run (nightly, ingest, run or rerun) and the reasons behind every failure."""

    title: str
    agencies: int = 0
    listing_pages: int = 0
    discovered: int = 0
    fetched: int = 0
    unchanged: int = 0
    new: int = 0
    changed_docs: int = 0
    fetch_failed: int = 0
    loaded: int = 0
    quarantined: int = 0
    unreadable: int = 0
    ingest_failed: int = 0
    changed: int = 0
    warnings: int = 0
    announced: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    failures: list[dict[str, Any]] = field(default_factory=list)

    def rows(self) -> list[tuple[str, int]]:
        """(label, count) in the order people read them."""
        return [
            ("agencies", self.agencies),
            ("listing pages read", self.listing_pages),
            ("documents discovered", self.discovered),
            ("fetched (body downloaded)", self.fetched),
            ("unchanged (304 or same bytes)", self.unchanged),
            ("new", self.new),
            ("changed", self.changed_docs),
            ("fetch failed", self.fetch_failed),
            ("announced for ingest", self.announced),
            ("loaded (passed blocking checks)", self.loaded),
            ("quarantined", self.quarantined),
            ("unreadable", self.unreadable),
            ("ingest failed", self.ingest_failed),
            ("reports changed in the warehouse", self.changed),
            ("warnings", self.warnings),
        ]

    def fail(self, kind: str, reason: str, **where: Any) -> None:
        """Count a failure and keep where it happened."""
        self.reasons[f"{kind}: {reason}"] += 1
        self.failures.append({"kind": kind, "reason": reason, **where})

    def as_markdown(self) -> str:
        """The summary as a markdown table (the flow run's artifact)."""
        lines = [f"## {self.title}", "", "| | count |", "|---|---:|"]
        lines += [
            f"| {label} | {n} |" for label, n in self.rows() if n or label.startswith(("documents", "loaded"))
        ]
        if self.reasons:
            lines += ["", "### failures by reason", "", "| reason | count |", "|---|---:|"]
            lines += [f"| {r} | {n} |" for r, n in self.reasons.most_common()]
        if self.failures:
            lines += [
                "",
                "### failures",
                "",
                "| kind | agency | year | url | reason |",
                "|---|---|---|---|---|",
            ]
            lines += [
                f"| {f['kind']} | {f.get('agency', '')} | {f.get('year', '')} | {f.get('url', '')} | "
                f"{f['reason']} |"
                for f in self.failures[:200]
            ]
        return "\n".join(lines) + "\n"

    def print(self) -> None:
        """The summary as rich tables on stderr."""
        t = Table(title=self.title, show_header=False)
        for label, n in self.rows():
            t.add_row(label, str(n))
        err.print(t)
        if self.reasons:
            r = Table(title="failures by reason")
            r.add_column("reason")
            r.add_column("count", justify="right")
            for reason, n in self.reasons.most_common():
                r.add_row(reason, str(n))
            err.print(r)


def publish_summary(summary: Summary, key: str) -> None:
    """Print the summary to stderr and attach it to the current flow run as a markdown artifact."""
    from prefect.artifacts import create_markdown_artifact

    summary.print()
    try:
        create_markdown_artifact(markdown=summary.as_markdown(), key=key, description=summary.title)
    except Exception as e:  # an artifact is a courtesy: never fail a run over it
        err.print(f"[yellow]could not attach the summary artifact: {e}[/yellow]")


def progress() -> Progress:
    """A rich progress bar on stderr (silent when stderr is not a terminal unless NIANBAO_PROGRESS=1)."""
    show = sys.stderr.isatty() or load_settings().progress
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=not show,
        transient=False,
    )


def emit(event: str, resource_id: str, payload: dict[str, Any], **labels: str) -> bool:
    """Emit a Prefect event (a no-op without a server); True when it was handed to the client."""
    from prefect.events import emit_event

    try:
        return (
            emit_event(event=event, resource={"prefect.resource.id": resource_id, **labels}, payload=payload)
            is not None
        )
    except Exception as e:
        err.print(f"[yellow]could not emit {event}: {e}[/yellow]")
        return False


def run_id() -> str:
    """The current flow run's id (or 'local' outside a flow run)."""
    from prefect.context import FlowRunContext

    ctx = FlowRunContext.get()
    return str(ctx.flow_run.id) if ctx and ctx.flow_run else "local"
