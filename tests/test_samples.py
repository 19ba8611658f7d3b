"""The sample city: byte-for-byte regeneration, truth that satisfies checks.md, planted faults exactly as recorded."""

from __future__ import annotations

import ast
import hashlib
import html as htmllib
import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from nianbao.demo.city import CITY_DIR, read_routes, write_catalog
from nianbao.pipeline import tables as T

from samplegen.generate import _parse_scale, generate

MANIFEST = json.loads((CITY_DIR / "truth" / "manifest.json").read_text(encoding="utf-8"))
REPORTS: list[dict[str, Any]] = MANIFEST["reports"]
ROUTES = read_routes(CITY_DIR)
SPEC = Path(__file__).resolve().parents[2] / "shared" / "spec"


def truth(entry: dict[str, Any], key: str = "truth") -> dict[str, Any]:
    """A report's canonical truth record."""
    return json.loads((CITY_DIR / entry[key]).read_text(encoding="utf-8"))


def body(url: str, corrected: bool = False) -> bytes:
    """The bytes the server would send for a URL, read from disk."""
    if corrected and url in ROUTES["corrections"]:
        return (CITY_DIR / "site" / ROUTES["corrections"][url]).read_bytes()
    return (CITY_DIR / "site" / ROUTES["files"].get(url, url.lstrip("/"))).read_bytes()


def tree_hashes(root: Path) -> dict[str, str]:
    """Relative path → sha256 of every file under root."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


# ------------------------------------------------------------------ identities, written out from checks.md
def blocking(rec: dict[str, Any]) -> set[str]:
    """The blocking checks of checks.md that a canonical record fails (an independent re-statement)."""
    failed: set[str] = set()
    apps, rl = rec["applications"], rec["review_litigation"]
    if [c for c in T.expected_cells(rec["template"]) if c[2] not in rec[c[0]].get(c[1], {})]:
        failed.add("complete")
    for row in apps.values():
        if row["total"] != sum(row[a] for a in T.APPLICANT_PARTS):
            failed.add("t3_row_total")
        if min(row.values()) < 0:
            failed.add("nonnegative")
    for a in T.APPLICANT_CODES:
        if apps["handled_total"][a] != sum(apps[o][a] for o in T.OUTCOME_ROWS[rec["template"]]):
            failed.add("t3_outcome_total")
        if (
            apps["received_new"][a] + apps["carried_in"][a]
            != apps["handled_total"][a] + apps["carried_out"][a]
        ):
            failed.add("t3_balance")
    for g in rl.values():
        if g["total"] != sum(g[o] for o in T.OUTCOME_PARTS):
            failed.add("t4_group_total")
    return failed


def planted(kind: str) -> list[tuple[str, int, Any]]:
    """(agency, year, detail) of every planted fault of a kind."""
    return [
        (r["agency_id"], r["year"], p.get("check") or p.get("error") or p.get("fixes"))
        for r in REPORTS
        for p in r["planted"]
        if p["kind"] == kind
    ]


# ------------------------------------------------------------------ determinism
@pytest.mark.slow
def test_generator_regenerates_the_committed_sample_byte_for_byte(tmp_path: Path) -> None:
    pytest.importorskip("reportlab")
    generate(tmp_path, seed=MANIFEST["seed"])
    assert tree_hashes(tmp_path) == tree_hashes(CITY_DIR)


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    pytest.importorskip("reportlab")
    generate(tmp_path / "a", seed=7, scale=(6, 2))
    generate(tmp_path / "b", seed=7, scale=(6, 2))
    generate(tmp_path / "c", seed=8, scale=(6, 2))
    assert tree_hashes(tmp_path / "a") == tree_hashes(tmp_path / "b")
    assert tree_hashes(tmp_path / "a") != tree_hashes(tmp_path / "c")


def test_committed_sample_is_small_and_needs_no_generator_at_run_time() -> None:
    size = sum(p.stat().st_size for p in CITY_DIR.rglob("*") if p.is_file())
    assert size < 6_000_000
    demo = Path(__file__).resolve().parents[1] / "nianbao" / "demo"
    imported = set()
    for path in demo.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                imported.add(node.module.split(".")[0])
    assert not imported & {"samplegen", "reportlab", "docx", "fontTools"}


# ------------------------------------------------------------------ the city and its truth
def test_city_shape() -> None:
    agencies = {r["agency_id"] for r in REPORTS}
    assert len(agencies) >= 30
    assert {"hz-yjglj", "hz-scq", "hz-szf", "hz-jds"} <= agencies
    for r in REPORTS:
        assert r["template"] == ("v2019" if r["year"] == 2020 else "v2021")
    assert len(REPORTS) == len(agencies) * 4


@pytest.mark.parametrize("entry", REPORTS, ids=lambda r: f"{r['agency_id']}-{r['year']}")
def test_truth_record_shape_and_identities(entry: dict[str, Any]) -> None:
    rec = truth(entry)
    assert rec["schema"] == "nianbao.report/1" and rec["year"] == entry["year"]
    assert list(rec["applications"]) == list(T.application_row_codes(rec["template"]))
    assert set(rec["proactive"]) == set(T.PROACTIVE_LAYOUT[rec["template"]])
    assert (rec["processing_fees_yuan"] is None) == (rec["template"] == "v2019")
    misprints = {p["check"] for p in entry["planted"] if p["kind"] == "misprint"}
    assert blocking(rec) == misprints == set(entry["checks"])
    if "after_correction" in entry:
        assert blocking(truth(entry["after_correction"])) == set()


def test_truth_validates_against_the_report_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    if not (SPEC / "report.schema.json").exists():
        pytest.skip("shared/spec is not beside the checkout")
    schema = json.loads((SPEC / "report.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    for entry in REPORTS:
        errors = list(validator.iter_errors(truth(entry)))
        assert not errors, (entry["truth"], errors[0].message)


def test_cross_year_carry_holds_except_where_planted() -> None:
    by_key = {(r["agency_id"], r["year"]): truth(r) for r in REPORTS}
    broken = set()
    for (aid, year), rec in by_key.items():
        prev = by_key.get((aid, year - 1))
        if prev and prev["applications"]["carried_out"] != rec["applications"]["carried_in"]:
            broken.add((aid, year))
    assert broken == {(a, y) for a, y, _ in planted("carry_break")}
    assert len(broken) == 1


def test_narrative_states_the_recorded_totals() -> None:
    off = {(a, y) for a, y, _ in planted("narrative")}
    assert len(off) == 1
    seen_off = set()
    for r in REPORTS:
        rec = truth(r)
        claims = r["narrative"]
        for d in r["documents"]:
            if d.get("format") == "html":
                text = body(d["url"]).decode("gbk" if "gbk" in d["quirks"] else "utf-8")
                assert f"共收到政府信息公开申请{claims['applications_received']}件" in text
                if "review" in claims:
                    assert (
                        f"行政复议{claims['review']}件" in text
                        and f"行政诉讼{claims['litigation']}件" in text
                    )
                if rec["template"] == "v2021":
                    assert "信息处理费" in text
        if claims["applications_received"] != rec["applications"]["received_new"]["total"]:
            seen_off.add((r["agency_id"], r["year"]))
            assert r["warnings"] == ["narrative_consistency"]
    assert seen_off == off


def test_planted_faults_are_exactly_the_recorded_ones() -> None:
    assert sorted(c for _, _, c in planted("misprint")) == ["t3_balance", "t3_row_total", "t4_group_total"]
    assert sorted(e for _, _, e in planted("unreadable")) == [
        "encrypted",
        "fetch_failed",
        "no_text_layer",
        "truncated",
    ]
    assert [c for _, _, c in planted("correction")] == ["t3_balance"]
    expected = {
        (r["agency_id"], r["year"]): (r["expect"], tuple(r["checks"]), tuple(r["warnings"]), r["error"])
        for r in REPORTS
        if r["expect"] != "admitted"
    }
    faulty = {
        (a, y) for kind in ("misprint", "carry_break", "narrative", "unreadable") for a, y, _ in planted(kind)
    }
    assert set(expected) == faulty
    for r in REPORTS:
        if r["expect"] == "quarantined":
            assert r["checks"] and not r["error"]
        if r["expect"] == "unreadable":
            assert r["error"] and all(d.get("error") == r["error"] for d in r["documents"])


def test_unreadable_documents_are_really_unreadable() -> None:
    for r in REPORTS:
        for d in r["documents"]:
            err = d.get("error")
            if err == "fetch_failed":
                path = CITY_DIR / "site" / d["url"].lstrip("/")
                assert not path.exists() and d["http_status"] == 404
            elif err == "encrypted":
                assert b"/Encrypt" in body(d["url"])
            elif err == "truncated":
                data = body(d["url"])
                assert data.startswith(b"%PDF-") and b"%%EOF" not in data
            elif err == "no_text_layer":
                pdfplumber = pytest.importorskip("pdfplumber")
                import io

                with pdfplumber.open(io.BytesIO(body(d["url"]))) as pdf:
                    assert all(not (p.extract_text() or "").strip() for p in pdf.pages)
                    assert any(p.images for p in pdf.pages)


def test_documents_carry_their_recorded_hashes_and_the_correction_differs() -> None:
    for r in REPORTS:
        for d in r["documents"]:
            if "sha256" in d:
                assert hashlib.sha256(body(d["url"])).hexdigest() == d["sha256"], d["url"]
            if "after_correction" in d:
                fixed = body(d["url"], corrected=True)
                assert hashlib.sha256(fixed).hexdigest() == d["after_correction"]["sha256"] != d["sha256"]


def test_quirks_are_spread_across_the_corpus() -> None:
    docs = [d for r in REPORTS for d in r["documents"]]
    quirks = {q for d in docs for q in d["quirks"]}
    for q in (
        "word_html",
        "gbk",
        "fullwidth",
        "thousands",
        "total_first",
        "repeat_labels",
        "url_download",
        "url_jsp",
        "generic_content_type",
        "t3_header_repeated",
        "listed_under_redirect",
    ):
        assert q in quirks, q
    assert any(q.startswith("t3_break_before_") for q in quirks)
    formats = {(d["role"], d["format"]) for d in docs}
    assert {("article", "html"), ("attachment", "pdf"), ("attachment", "docx"), ("direct", "pdf")} <= formats
    both = [r for r in REPORTS if {d["format"] for d in r["documents"]} >= {"html", "pdf"}]
    assert both


# ------------------------------------------------------------------ the sites, as discovery sees them on disk
_LINK = re.compile(r'<a href="([^"]+)"[^>]*>([^<]*)</a>')


def test_listings_paginate_and_discovery_finds_exactly_the_reports() -> None:
    multi_page = 0
    for aid in sorted({r["agency_id"] for r in REPORTS}):
        page, found, pages = f"/{aid}/ndbg/index.html", {}, 0
        while page:
            html = body(page).decode("utf-8")
            pages += 1
            nxt = None
            for raw_href, text in _LINK.findall(html):
                href = htmllib.unescape(raw_href)
                year = re.search(r"(20\d\d)", text)
                if "政府信息公开" in text and ("年度报告" in text or "年报" in text) and year:
                    found[int(year.group(1))] = href
                if text == "下一页":
                    nxt = f"/{aid}/ndbg/{href}"
            page = nxt
        multi_page += pages > 1
        assert sorted(found) == [2020, 2021, 2022, 2023], aid
        for r in (x for x in REPORTS if x["agency_id"] == aid):
            href = ROUTES["redirects"].get(found[r["year"]], found[r["year"]])
            urls = {d["url"] for d in r["documents"]} | {d.get("via") for d in r["documents"]}
            assert href in urls, (aid, r["year"], href)
    assert multi_page >= 30


def test_catalog_from_template(tmp_path: Path) -> None:
    dest = write_catalog(CITY_DIR, "http://127.0.0.1:8765/", tmp_path / "catalog.yaml")
    cat = yaml.safe_load(dest.read_text(encoding="utf-8"))
    assert cat["city"] == "杭州市" and cat["allowed_hosts"] == ["127.0.0.1"]
    ids = [a["id"] for a in cat["agencies"]]
    assert len(ids) == len(set(ids)) == len({r["agency_id"] for r in REPORTS})
    for a in cat["agencies"]:
        assert re.fullmatch(r"[a-z0-9-]+", a["id"])
        assert a["index_url"] == f"http://127.0.0.1:8765/{a['id']}/ndbg/index.html"
        assert a["level"] in {"municipal", "district", "county"} and a["kind"] in {"government", "department"}


# ------------------------------------------------------------------ scale mode
def test_scale_mode_is_quick_and_html_only(tmp_path: Path) -> None:
    pytest.importorskip("reportlab")
    started = time.monotonic()
    manifest = generate(tmp_path, seed=3, scale=(120, 5))
    assert time.monotonic() - started < 60
    assert len(manifest["reports"]) == 600 and manifest["years"] == [2020, 2021, 2022, 2023, 2024]
    assert not list(tmp_path.rglob("*.pdf")) and not list(tmp_path.rglob("*.docx"))
    for r in manifest["reports"]:
        rec = json.loads((tmp_path / r["truth"]).read_text(encoding="utf-8"))
        assert blocking(rec) == set(r["checks"])
        assert [d["format"] for d in r["documents"]] == ["html"]
    with pytest.raises(Exception, match="10,000"):
        _parse_scale("2001x5")


# ------------------------------------------------------------------ read back by the project's own extractors
def _readable() -> list[tuple[dict[str, Any], dict[str, Any]]]:
    return [(r, d) for r in REPORTS for d in r["documents"] if d.get("http_status") != 404]


@pytest.mark.slow
@pytest.mark.parametrize(
    "entry,doc",
    _readable(),
    ids=lambda x: x.get("url", x.get("agency_id", "")) if isinstance(x, dict) else "",
)
def test_documents_read_back_to_their_truth(entry: dict[str, Any], doc: dict[str, Any]) -> None:
    extract = pytest.importorskip("pipeline.extract")
    from nianbao.pipeline.errors import ExtractError

    data = body(doc["url"])
    if doc.get("error"):
        with pytest.raises(ExtractError) as exc:
            extract.extract_report(data)
        assert exc.value.code == doc["error"]
        return
    assert extract.extract_report(data).canonical() == truth(entry)
