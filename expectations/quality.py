"""The data-quality report: one self-contained HTML page of the checks and every stored finding.

GX 1.x's own Data Docs load bootstrap, jquery and vega from CDNs and a logo from S3, and no installed
package ships those assets, so offline they render unstyled. This page carries the same content — each
check with its Great Expectations suite and expectations, the rows the last validation saw and how many
were unexpected — plus every finding with its cells, both sides, the difference and where it sits in the
source, with inline CSS and no remote reference at all. It is rendered from the findings the warehouse
holds (the same ones `nianbao findings` prints), so the two never disagree; writing it is the caller's.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from itertools import groupby
from typing import Any

from nianbao.expectations.checks import CHECKS
from nianbao.expectations.validate import SuiteResult, suite_name

_CSS = """
body{font:14px/1.45 system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em;color:#1d2733}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccd}h3{font-size:1em}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccd;padding:.25em .6em;
text-align:left;vertical-align:top}th{background:#eef1f6}.ok{color:#16703a}.fail{color:#b3261e;font-weight:600}
.warning{color:#8a5a00}.blocking{color:#b3261e}.num{text-align:right;font-variant-numeric:tabular-nums}
code{font-size:.92em}.muted{color:#667}
"""


def _e(v: Any) -> str:
    return html.escape("" if v is None else str(v))


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


def _checks(findings: Sequence[dict[str, Any]], suites: Sequence[SuiteResult]) -> str:
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
            f"<tr><td><code>{_e(c.id)}</code></td><td class={c.severity}>{c.severity}</td><td>{_e(c.scope)}</td>"
            f"<td>{_e(c.description)}</td><td><code>{_e(suite_name(c) if c.validated else '')}</code><br>"
            f"<span class=muted>{_e(expectations)}</span></td>"
            f"<td class=num>{_e(s.rows if s else '')}</td><td class=num>{_e(s.unexpected if s else '')}</td>"
            f"<td class=num>{counts.get(c.id, 0)}</td></tr>"
        )
    return (
        "<table><tr><th>check</th><th>severity</th><th>scope</th><th>what must hold</th>"
        "<th>Great Expectations suite</th><th>rows (last run)</th><th>unexpected (last run)</th>"
        "<th>stored findings</th></tr>" + "".join(rows) + "</table>"
    )


def _findings(findings: Sequence[dict[str, Any]]) -> str:
    out = []
    key = lambda f: (f["agency"], f["year"], f.get("document") or "")  # noqa: E731
    for (agency, year, document), group in groupby(sorted(findings, key=key), key=key):
        rows = []
        for f in group:
            locs = "<br>".join(
                f"<code>{_e(loc.get('ref', ''))}</code> {_e(where(loc))}" for loc in f["locations"]
            )
            about = ".".join(str(x) for x in (f["table"], f["row"], f["proceeding"], f["column"]) if x)
            rows.append(
                f"<tr><td>{_e(f['check'])}</td><td class={f['severity']}>{f['severity']}</td><td>{_e(about)}</td>"
                f"<td class=num>{_e(f['left'])}</td><td class=num>{_e(f['right'])}</td>"
                f"<td class=num>{_e(f['difference'])}</td><td>{locs}</td><td>{_e(f['message'])}</td></tr>"
            )
        out.append(
            f"<h3>{_e(agency)} {_e(year)} <span class=muted>{_e(str(document)[:12])}</span></h3>"
            f"<table><tr><th>check</th><th>severity</th><th>about</th><th>left</th><th>right</th>"
            f"<th>difference</th><th>where</th><th>message</th></tr>{''.join(rows)}</table>"
        )
    return "".join(out) or "<p class=ok>No findings.</p>"


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

    `findings_elsewhere` (HTML) stands in for the list of findings where another page lists them.
    """
    blocked = {(f["agency"], f["year"], f.get("document")) for f in findings if f["severity"] == "blocking"}
    counted = "" if reports is None else f"{reports} reports, "
    return (
        f"<!doctype html><html lang=zh><head><meta charset=utf-8><title>{_e(title)}</title>"
        f"<style>{_CSS}</style></head><body><h1>{_e(title)}</h1>"
        f"<p>{_e(stamp)} {counted}{len(findings)} findings, {len(blocked)} documents failing a blocking check "
        f"(quarantined unless accepted by a reviewer).</p>"
        f"<h2>Checks (Great Expectations suites)</h2>{_checks(findings, suites)}"
        f"<h2>Findings by report</h2>{findings_elsewhere or _findings(findings)}"
        "</body></html>"
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
