"""Data Docs that open offline: one self-contained HTML page per validation, built from GX's results.

GX 1.x's own Data Docs templates load bootstrap, jquery, bootstrap-table, font-awesome and vega from
CDNs and a logo from S3, and no installed package ships those assets to vendor, so offline they render
unstyled. This page carries the same content — every suite, expectation, rows evaluated and unexpected —
plus each finding with its cells, both sides, the difference and where it sits in the source, with
inline CSS and no remote reference at all.
"""

from __future__ import annotations

import html
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nianbao.pipeline.settings import load_settings

if TYPE_CHECKING:
    from nianbao.expectations.checkpoint import Validation

KEEP = 20  # validation pages kept beside index.html

_CSS = """
body{font:14px/1.45 system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em;color:#1d2733}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccd}h3{font-size:1em}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccd;padding:.25em .6em;
text-align:left;vertical-align:top}th{background:#eef1f6}.ok{color:#16703a}.fail{color:#b3261e;font-weight:600}
.warning{color:#8a5a00}.blocking{color:#b3261e}.num{text-align:right;font-variant-numeric:tabular-nums}
code{font-size:.92em}.muted{color:#667}
"""


def default_docs_dir() -> Path | None:
    """Where Data Docs go: $NIANBAO_DATA_DOCS, else <NIANBAO_HOME or data>/data_docs; None if set to ''."""
    return load_settings().data_docs


def _e(v: Any) -> str:
    return html.escape("" if v is None else str(v))


def where(loc: dict[str, Any]) -> str:
    """A location as a reader finds it: page and bbox, table and cell, or line."""
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


def _suites(results: list[Any]) -> str:
    rows = []
    for res in results:
        suite = getattr(res, "suite_name", "")
        for r in res.results:
            cfg = r.expectation_config
            stats = r.result or {}
            kwargs = {k: v for k, v in cfg.kwargs.items() if k not in ("batch_id",)}
            rows.append(
                f"<tr><td>{_e(suite)}</td><td><code>{_e(cfg.type)}</code><br><span class=muted>{_e(kwargs)}</span></td>"
                f"<td>{_e(cfg.meta.get('check'))}</td><td class=num>{_e(stats.get('element_count'))}</td>"
                f"<td class=num>{_e(stats.get('unexpected_count'))}</td>"
                f"<td class={'ok' if r.success else 'fail'}>{'passed' if r.success else 'failed'}</td></tr>"
            )
    return (
        "<table><tr><th>suite</th><th>expectation</th><th>check</th><th>rows</th><th>unexpected</th>"
        "<th>result</th></tr>" + "".join(rows) + "</table>"
    )


def _findings(validation: Validation, labels: list[str]) -> str:
    out = []
    for k, found in sorted(validation.findings.items()):
        label = labels[k] if k < len(labels) else str(k)
        rows = []
        for f in found:
            locs = "<br>".join(
                f"<code>{_e(loc.get('ref', ''))}</code> {_e(where(loc))}" for loc in f.locations
            )
            rows.append(
                f"<tr><td>{_e(f.check)}</td><td class={f.severity}>{f.severity}</td>"
                f"<td>{_e('.'.join(x for x in (f.table, f.row, f.proceeding, f.column) if x))}</td>"
                f"<td class=num>{_e(f.left)}</td><td class=num>{_e(f.right)}</td>"
                f"<td class=num>{_e(f.difference)}</td><td>{locs}</td><td>{_e(f.message)}</td></tr>"
            )
        out.append(
            f"<h3>{_e(label)}</h3><table><tr><th>check</th><th>severity</th><th>about</th><th>left</th>"
            f"<th>right</th><th>difference</th><th>where</th><th>message</th></tr>{''.join(rows)}</table>"
        )
    return "".join(out) or "<p class=ok>No findings.</p>"


def render(
    validation: Validation, labels: list[str] | None = None, title: str = "nianbao data quality"
) -> str:
    """The validation as one self-contained HTML page."""
    reports = validation.reports
    labels = labels or [f"{r.agency} {r.year} ({r.template}, {r.format})" for r in reports]
    blocking = sum(1 for k in validation.findings if validation.blocking(k))
    n_findings = sum(len(v) for v in validation.findings.values())
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return (
        f"<!doctype html><html lang=zh><head><meta charset=utf-8><title>{_e(title)}</title>"
        f"<style>{_CSS}</style></head><body><h1>{_e(title)}</h1>"
        f"<p>Validated {stamp}: {len(reports)} reports, {n_findings} findings, "
        f"{blocking} reports failing a blocking check (quarantined unless accepted by a reviewer).</p>"
        f"<h2>Findings by report</h2>{_findings(validation, labels)}"
        f"<h2>Expectation suites (Great Expectations)</h2>{_suites(validation.results)}"
        "</body></html>"
    )


def write_data_docs(validation: Validation, out_dir: Path, labels: list[str] | None = None) -> Path:
    """Write the page to out_dir/validations/<stamp>.html and out_dir/index.html; the index's path."""
    page = render(validation, labels)
    runs = out_dir / "validations"
    runs.mkdir(parents=True, exist_ok=True)
    name = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ") + f"-{os.getpid()}.html"
    (runs / name).write_text(page, encoding="utf-8")
    for old in sorted(runs.glob("*.html"))[:-KEEP]:
        old.unlink(missing_ok=True)
    index = out_dir / "index.html"
    tmp = index.with_name(f".index.{os.getpid()}.tmp")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, index)
    return index
