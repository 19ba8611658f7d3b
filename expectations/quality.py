"""The data-quality report: one self-contained HTML page of the checks and every stored finding.

GX 1.x's own Data Docs load bootstrap, jquery and vega from CDNs and a logo from S3, and no installed
package ships those assets, so offline they render unstyled. This page carries the same content — each
check with its Great Expectations suite and expectations, the rows the last validation saw and how many
were unexpected — plus every finding with its cells, both sides, the difference and where it sits in the
source, with inline CSS and no remote reference at all. It is rendered from the findings the warehouse
holds (the same ones `nianbao findings` prints), so the two never disagree; writing it is the caller's.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from itertools import groupby
from typing import TYPE_CHECKING, Any

from nianbao.expectations.checks import CHECKS
from nianbao.expectations.validate import SuiteResult, suite_name

if TYPE_CHECKING:
    from jinja2 import Environment


@cache
def _env() -> Environment:
    """The package's templates (expectations/templates), every value escaped unless marked as HTML."""
    from jinja2 import Environment, PackageLoader, StrictUndefined

    return Environment(
        loader=PackageLoader("nianbao.expectations", "templates"),
        autoescape=True,  # the one template is HTML; hostile text in a finding or a label stays text
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=lambda v: "" if v is None else v,
        keep_trailing_newline=False,
    )


def where(loc: dict[str, Any]) -> str:
    """A location as a reader finds it: page and bbox, table and cell, or line, and the printed text."""
    parts = ["near"] if loc.get("near") else []
    if loc.get("document"):
        parts.append(f"doc {str(loc['document'])[:12]}")
    if loc.get("page") is not None:
        parts.append(f"p.{loc['page']}")
    if loc.get("bbox"):
        parts.append("bbox " + ",".join(f"{v:g}" for v in loc["bbox"]))
    if loc.get("table_index") is not None:
        parts.append(f"table {loc['table_index']}")
    if loc.get("cell"):
        parts.append(f"cell {tuple(loc['cell'])}")
    if loc.get("line") is not None and loc.get("table_index") is None:
        parts.append(f"line {loc['line']}")
    raw = loc.get("raw")
    return " ".join(parts) + (f" “{raw}”" if raw not in (None, "") else "")


def _checks(findings: Sequence[dict[str, Any]], suites: Sequence[SuiteResult]) -> list[dict[str, Any]]:
    ran = {s.check: s for s in suites}
    counts: dict[str, int] = {}
    for f in findings:
        counts[f["check"]] = counts.get(f["check"], 0) + 1
    rows = []
    for c in CHECKS:
        s = ran.get(c.id)
        expectations = (
            ", ".join(s.expectations)
            if s
            else (", ".join(e.expectation_type for e in c.rule.expectations(c)) if c.validated else "—")
        )
        rows.append(
            {
                "id": c.id,
                "severity": c.severity,
                "scope": c.scope,
                "description": c.description,
                "suite": suite_name(c) if c.validated else "",
                "expectations": expectations,
                "rows": s.rows if s else None,
                "unexpected": s.unexpected if s else None,
                "stored": counts.get(c.id, 0),
            }
        )
    return rows


def _groups(findings: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    key = lambda f: (f["agency"], f["year"], f.get("document") or "")  # noqa: E731
    for (agency, year, document), group in groupby(sorted(findings, key=key), key=key):
        rows = [
            {
                "check": f["check"],
                "severity": f["severity"],
                "about": ".".join(str(x) for x in (f["table"], f["row"], f["proceeding"], f["column"]) if x),
                "left": f["left"],
                "right": f["right"],
                "difference": f["difference"],
                "locations": [{"ref": loc.get("ref", ""), "where": where(loc)} for loc in f["locations"]],
                "message": f["message"],
            }
            for f in group
        ]
        out.append({"agency": agency, "year": year, "document": str(document)[:12], "findings": rows})
    return out


def render(
    findings: Sequence[dict[str, Any]],
    suites: Sequence[SuiteResult] = (),
    *,
    reports: int | None = None,
    stamp: str = "",
    title: str = "nianbao data quality",
    findings_elsewhere: str | None = None,
) -> str:
    """The page: the checks and their suites, then every finding by report (rows as `nianbao findings` prints).

    Rendered from expectations/templates/quality.html with autoescape: every value is text.
    `findings_elsewhere` (HTML, the caller's own markup) stands in for the list of findings where another
    page lists them.
    """
    from markupsafe import Markup

    blocked = {(f["agency"], f["year"], f.get("document")) for f in findings if f["severity"] == "blocking"}
    return (
        _env()
        .get_template("quality.html")
        .render(
            title=title,
            stamp=stamp,
            reports=reports,
            count=len(findings),
            blocked=len(blocked),
            checks=_checks(findings, suites),
            groups=_groups(findings),
            findings_elsewhere=Markup(findings_elsewhere) if findings_elsewhere else None,
        )
    )


def checks_markdown() -> str:
    """docs/checks.md: every check as declared, with the suite and expectations that apply it."""
    out = [
        "# The checks",
        "",
        "Generated from `nianbao/expectations/checks.py` (`make docs`): each check is declared there once, and",
        "its Great Expectations suite, its findings' texts and this page all come from that declaration.",
        "Values are checked as printed; a report whose own arithmetic is wrong is a finding, never repaired.",
        "",
    ]
    for severity, heading in (
        ("blocking", "Blocking: a report that fails one is quarantined, not admitted"),
        ("warning", "Warnings: the report is admitted, the finding stored beside it"),
    ):
        out += [
            f"## {heading}",
            "",
            "| id | what must hold | scope | Great Expectations |",
            "|---|---|---|---|",
        ]
        for c in CHECKS:
            if c.severity != severity:
                continue
            gx = (
                f"`{suite_name(c)}`: " + ", ".join(f"`{e.expectation_type}`" for e in c.rule.expectations(c))
                if c.validated
                else "— (two documents' records compared)"
            )
            out.append(f"| `{c.id}` | {c.description} | {c.scope} | {gx} |")
        out.append("")
    out += [
        "## What a finding carries",
        "",
        "The check id and severity; the cells involved (`table.row.column`, and `row`, `column`, `proceeding`",
        "naming the unit); the values on both sides and their difference; and, for each cell, where it sits in",
        "the source document: page and bbox (PDF), table and cell index (HTML, DOCX) or line (text), with the",
        "text as printed. `nianbao findings` lists them; the quality report shows them beside the checks.",
        "",
    ]
    return "\n".join(out)


if __name__ == "__main__":
    import sys
    from pathlib import Path

    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/checks.md")
    text = checks_markdown()
    changed = not target.exists() or target.read_text(encoding="utf-8") != text
    if changed:
        target.write_text(text, encoding="utf-8")
    print(f"{target}: {'updated' if changed else 'up to date'}")
