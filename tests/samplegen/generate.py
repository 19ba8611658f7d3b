"""Generate the sample city: truth records, rendered documents, agency sites, routes, catalog and manifest.

    python -m samplegen.generate --out DIR [--seed N] [--scale AGENCIESxYEARS]

Deterministic: the same seed writes the same bytes. Without --scale it writes the bundled city
(37 agencies × 2020–2023, every format); with --scale it writes N agencies × Y years as HTML only,
or with --mixed in mixed forms (mostly PDF, some tables split over pages, DOCX; benchmarks/scale.py).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import random
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from nianbao.demo.city import DOCX_TYPE
from nianbao.pipeline import tables as T
from nianbao.pipeline.model import Report

from samplegen.agencies import CITY, Agency, city_agencies, scale_agencies
from samplegen.identities import blocking_failures, check_ids, warning_failures
from samplegen.layout import printed
from samplegen.plan import Plan, make_plan, scale_fault
from samplegen.records import agency_records, narrative_claims, plant_carry_break, plant_misprint
from samplegen.render_html import article_html
from samplegen.site import SiteWriter, nav

DEFAULT_SEED = 2024
CITY_YEARS = [2020, 2021, 2022, 2023]
MANIFEST = "truth/manifest.json"


def _dump(obj: Any, compact: bool = False) -> str:
    # scale runs write compact JSON: the C encoder is only used without indent
    return json.dumps(obj, ensure_ascii=False, indent=None if compact else 1) + "\n"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _attachment(plan: Plan, rec: Report, claims: dict[str, int], seed: int) -> bytes:
    """The attachment's bytes as planned: DOCX, PDF, or one of the unreadable PDFs."""
    from samplegen.render_docx import render_docx
    from samplegen.render_pdf import PdfStyle, render_image_only, render_pdf

    doc = printed(rec, claims, plan.style, random.Random(f"{seed}:text:{plan.agency_id}:{plan.year}"))
    rows = list(T.application_row_codes(rec.template))
    if plan.doc_format() == "docx":
        return render_docx(doc)
    if plan.unreadable == "encrypted":
        return render_pdf(doc, PdfStyle(password="nianbao"), rows)
    if plan.unreadable == "no_text_layer":
        return render_image_only(doc, seed)
    data = render_pdf(doc, plan.pdf, rows)
    if plan.unreadable == "truncated":
        return data[: int(len(data) * 0.6)]
    return data


def publish(
    w: SiteWriter,
    seed: int,
    agency: Agency,
    plan: Plan,
    rec: Report,
    claims: dict[str, int],
    corrected: Report | None,
) -> list[dict[str, Any]]:
    """Put one report on its agency's site as planned; returns the documents that carry it."""
    rng = random.Random(f"{seed}:publish:{agency.id}:{plan.year}")
    day = f"{plan.year + 1}-01-{rng.randint(10, 31):02d}"
    generic = rng.random() < 0.25
    doc = printed(rec, claims, plan.style, random.Random(f"{seed}:text:{agency.id}:{plan.year}"))
    docs: list[dict[str, Any]] = []
    art_url = w.article_url(agency, day) if plan.mode != "direct_pdf" else None
    links: list[tuple[str, str]] = []
    att_url = None
    if plan.mode != "html":
        fmt = plan.doc_format()
        att_url = w.attachment_url(agency, plan.link, fmt, day)
        data = _attachment(plan, rec, claims, seed)
        static_type = DOCX_TYPE if fmt == "docx" else "application/pdf"
        ctype = static_type if plan.link == "static" and not generic else "application/octet-stream"
        w.put(att_url, data, fmt, ctype, day)
        quirks = plan.style.tags() + (plan.pdf.tags() if fmt == "pdf" and not plan.unreadable else [])
        quirks += [f"url_{plan.link}"] + (
            ["generic_content_type"] if ctype == "application/octet-stream" else []
        )
        entry: dict[str, Any] = {
            "url": att_url,
            "role": "direct" if plan.mode == "direct_pdf" else "attachment",
            "format": fmt,
            "content_type": ctype,
            "quirks": sorted(quirks),
            "sha256": _sha(data),
        }
        if art_url:
            entry["via"] = art_url
        if plan.unreadable:
            entry["error"] = plan.unreadable
        if corrected is not None:
            fixed = _attachment(plan, corrected, narrative_claims(corrected), seed)
            rel = w.put(att_url, fixed, fmt, correction=True)
            entry["after_correction"] = {"file": rel, "sha256": _sha(fixed)}
        docs.append(entry)
        text = (
            f"{doc.title}.{fmt}"
            if plan.link == "static"
            else rng.choice(("附件：" + doc.title, "点击下载", "附件下载"))
        )
        links.append((att_url, text))
    if art_url:
        plan.html.attachments = links
        page_bytes = article_html(doc, plan.html, agency.name, day, nav(agency.id))
        if plan.unreadable == "fetch_failed":
            docs.append(
                {
                    "url": art_url,
                    "role": "article",
                    "format": None,
                    "http_status": 404,
                    "error": "fetch_failed",
                    "quirks": ["missing_page"],
                }
            )
        else:
            w.article(agency, art_url, page_bytes, day, plan.html.encoding)
            if plan.html.inline:
                docs.append(
                    {
                        "url": art_url,
                        "role": "article",
                        "format": "html",
                        "content_type": w.routes["types"][art_url],
                        "quirks": sorted(plan.style.tags() + plan.html.tags()),
                        "sha256": _sha(page_bytes),
                    }
                )
    href = att_url if plan.mode == "direct_pdf" else art_url
    assert href is not None
    if plan.old_url:
        old = f"/{agency.id}/art/old/{plan.year}.html"
        w.routes["redirects"][old] = href
        href = old
        for d in docs:
            d["quirks"] = sorted([*d["quirks"], "listed_under_redirect"])
    w.list_item(agency, href, doc.title, day)
    return docs


def one_report(
    w: SiteWriter,
    seed: int,
    agency: Agency,
    clean: Report,
    previous: dict[str, Any] | None,
    scale: bool,
    truth_dir: Path,
    mixed: bool = False,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Plant the planned faults, write the truth, publish; returns the manifest entry and the printed record."""
    plan = make_plan(seed, agency.id, clean.year, scale, mixed)
    if scale:
        plan.misprint = scale_fault(seed, agency.id, clean.year)
        plan.html.word = False  # the cheap rendering: plain HTML
    rec = dataclasses.replace(
        clean,
        proactive={k: dict(v) for k, v in clean.proactive.items()},
        applications={k: dict(v) for k, v in clean.applications.items()},
        review_litigation={k: dict(v) for k, v in clean.review_litigation.items()},
    )
    planted: list[dict[str, Any]] = []
    if plan.carry_break:
        planted.append({"kind": "carry_break", "check": "cross_year_carry", "cells": plant_carry_break(rec)})
    if plan.misprint == "t3_row_total" and not any(
        rec.applications[r]["natural_person"] for r in T.OUTCOME_ROWS[rec.template]
    ):
        plan.misprint = "t3_balance"
    if plan.misprint:
        planted.append(
            {"kind": "misprint", "check": plan.misprint, "cells": plant_misprint(rec, plan.misprint)}
        )
    claims = narrative_claims(rec)
    if plan.narrative_off:
        claims["applications_received"] += plan.narrative_off
        planted.append(
            {"kind": "narrative", "check": "narrative_consistency", "claim": "applications_received"}
        )
    if plan.unreadable:
        planted.append({"kind": "unreadable", "error": plan.unreadable})
    canon = rec.canonical()
    blocking = blocking_failures(canon)
    warns = warning_failures(canon, previous, claims)
    truth = f"truth/{agency.id}_{clean.year}.json"
    (truth_dir / f"{agency.id}_{clean.year}.json").write_text(_dump(canon, scale), encoding="utf-8")
    corrected = clean if plan.corrected else None
    docs = publish(w, seed, agency, plan, rec, claims, corrected)
    expect = (
        "unreadable" if plan.unreadable else "quarantined" if blocking else "warning" if warns else "admitted"
    )
    entry: dict[str, Any] = {
        "agency_id": agency.id,
        "agency": agency.name,
        "year": clean.year,
        "template": clean.template,
        "truth": truth,
        "expect": expect,
        "checks": check_ids(blocking),
        "warnings": check_ids(warns),
        "failures": blocking + warns,
        "error": plan.unreadable,
        "narrative": claims,
        "planted": planted,
        "documents": docs,
    }
    if corrected is not None:
        ctruth = f"truth/{agency.id}_{clean.year}.corrected.json"
        (truth_dir / f"{agency.id}_{clean.year}.corrected.json").write_text(
            _dump(corrected.canonical()), encoding="utf-8"
        )
        entry["after_correction"] = {"truth": ctruth, "expect": "admitted", "checks": [], "warnings": []}
        planted.append({"kind": "correction", "fixes": plan.misprint})
    return entry, canon


def generate(
    out: Path, seed: int = DEFAULT_SEED, scale: tuple[int, int] | None = None, mixed: bool = False
) -> dict[str, Any]:
    """Write a sample city into `out` (its site/, truth/ and routing files are replaced); returns the manifest."""
    out = Path(out)
    for sub in ("site", "truth"):
        shutil.rmtree(out / sub, ignore_errors=True)
    truth_dir = out / "truth"
    truth_dir.mkdir(parents=True)
    agencies = scale_agencies(scale[0]) if scale else city_agencies()
    years = list(range(2020, 2020 + scale[1])) if scale else CITY_YEARS
    w = SiteWriter(out, seed, flat=scale is not None)
    reports: list[dict[str, Any]] = []
    for agency in agencies:
        previous: dict[str, Any] | None = None
        for clean in agency_records(seed, agency, years):
            entry, previous = one_report(
                w, seed, agency, clean, previous, scale is not None, truth_dir, mixed and scale is not None
            )
            reports.append(entry)
        w.distractors(agency, years, few=scale is not None)
    w.write_listings(agencies, per_page=10 if scale else 6)
    w.finish(agencies)
    manifest = {
        "schema": "nianbao.samples.truth/1",
        "city": CITY,
        "seed": seed,
        "scale": f"{scale[0]}x{scale[1]}" if scale else None,
        "agencies": len(agencies),
        "years": years,
        "reports": reports,
    }
    (out / MANIFEST).write_text(_dump(manifest, scale is not None), encoding="utf-8")
    return manifest


def _parse_scale(text: str) -> tuple[int, int]:
    n, _, y = text.lower().partition("x")
    agencies, years = int(n), int(y)
    if agencies < 1 or years < 1 or agencies * years > 10_000:
        raise argparse.ArgumentTypeError("scale is AGENCIESxYEARS with at most 10,000 reports")
    return agencies, years


def main(argv: list[str] | None = None) -> int:
    """Command line entry: generate into --out and print a one-line summary to stderr."""
    ap = argparse.ArgumentParser(prog="python -m samplegen.generate", description=__doc__.splitlines()[0])
    ap.add_argument(
        "--out", type=Path, required=True, help="directory to write (site/ and truth/ are replaced)"
    )
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument(
        "--scale", type=_parse_scale, default=None, help="AGENCIESxYEARS, HTML only (e.g. 2500x4)"
    )
    ap.add_argument("--mixed", action="store_true", help="with --scale: mixed forms, mostly PDF")
    args = ap.parse_args(argv)
    started = time.monotonic()
    manifest = generate(args.out, args.seed, args.scale, args.mixed)
    n_docs = sum(len(r["documents"]) for r in manifest["reports"])
    print(
        f"wrote {len(manifest['reports'])} reports, {n_docs} documents to {args.out} "
        f"in {time.monotonic() - started:.1f}s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
