"""What a run did, counted: the summary people read on stderr and in the Prefect UI (pure)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from nianbao.pipeline.model import DocRef

WARNING_CHECKS = ("document_disagreement", "cross_year_carry", "narrative_consistency", "template_year")


@dataclass(frozen=True)
class Ingested:
    """One document's fate in an ingest: loaded, quarantined (which checks), unreadable (why) or failed."""

    ref: DocRef
    status: str  # loaded | quarantined | unreadable | failed
    changed: bool
    error_code: str | None = None
    checks: tuple[str, ...] = ()


@dataclass
class Summary:
    """Counts of one run (nightly, ingest, run or rerun) and the reasons behind every failure."""

    title: str
    agencies: int = 0
    listing_pages: int = 0
    discovered: int = 0
    fetched: int = 0
    unchanged: int = 0
    moved: int = 0
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
            ("moved (bytes stored before, at a new URL)", self.moved),
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

    def add(self, results: list[Ingested]) -> Summary:
        """Count ingest results in (self, for chaining)."""
        for i in results:
            if i.status == "failed":
                self.ingest_failed += 1
            else:
                setattr(self, i.status, getattr(self, i.status) + 1)
            self.changed += i.changed
            self.warnings += sum(c in WARNING_CHECKS for c in i.checks)
            if i.status != "loaded":
                self.fail(
                    i.status,
                    i.error_code or ", ".join(i.checks) or "-",
                    agency=i.ref.agency_id,
                    year=i.ref.year,
                    url=i.ref.url or i.ref.sha256[:12],
                )
        return self

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
