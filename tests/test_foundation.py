"""One report end to end through the real parts: extract → GX → Prefect flow → DuckDB → rollup (issue 2)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from helpers import EXAMPLE_TXT, GOLDEN, nianbao

BROKEN_OLD = "四、结转下年度继续办理\t\t0\t0\t0\t0\t0\t0\t0"
BROKEN_NEW = "四、结转下年度继续办理\t\t2\t0\t0\t0\t0\t0\t2"


def test_extract_cli_prints_the_spec_record(tmp_path: Path) -> None:
    out = nianbao("extract", str(EXAMPLE_TXT))
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert len(lines) == 1
    got = json.loads(lines[0])
    expected = json.loads((GOLDEN / "hz-yjglj_2020.json").read_text(encoding="utf-8"))
    assert got.pop("source") == str(EXAMPLE_TXT)
    assert got.pop("reading") == {"method": "text", "verified": True, "assumptions": []}
    assert got == expected


def test_extract_cli_reports_errors_per_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    out = nianbao("extract", str(EXAMPLE_TXT), str(empty))
    assert out.returncode == 1
    first, second = (json.loads(line) for line in out.stdout.splitlines())
    assert first["agency"] == "杭州市应急管理局"
    assert second == {"source": str(empty), "error": {"code": "empty", "message": "the document is empty"}}


def test_gx_flags_a_broken_balance_and_nothing_else(example_text: str) -> None:
    from nianbao.expectations.validate import validate
    from nianbao.pipeline.extract import extract_report

    assert BROKEN_OLD in example_text
    good = extract_report(example_text.encode())
    bad = extract_report(example_text.replace(BROKEN_OLD, BROKEN_NEW).encode())
    result = validate([good, bad])
    assert 0 not in result.findings
    found = {(f.check, f.column, f.left, f.right) for f in result.findings[1]}
    assert found == {("t3_balance", "natural_person", 10, 12), ("t3_balance", "total", 11, 13)}
    f = next(f for f in result.findings[1] if f.column == "natural_person")
    assert f.severity == "blocking" and f.difference == -2
    raws = {loc["ref"]: loc["raw"] for loc in f.locations}
    assert raws["applications.carried_out.natural_person"] == "2"


def _catalog(tmp_path: Path, base_url: str, files: dict[str, str]) -> Path:
    lines = ["city: 杭州市", "allowed_hosts: [127.0.0.1]", "agencies:"]
    for agency_id, name in files.items():
        lines += [
            f"  - id: {agency_id}",
            f"    name: {name}",
            "    region: 杭州市",
            "    level: municipal",
            "    kind: department",
            "    reports:",
            "      - year: 2020",
            f"        url: {base_url}/{agency_id}.txt",
        ]
    lines += [
        "  - id: hz-tjj",
        "    name: 杭州市统计局",
        "    region: 杭州市",
        "    level: municipal",
        "    kind: department",
    ]
    path = tmp_path / "catalog.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _dump(path: Path) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        out = {}
        for table in (
            "staging.reports",
            "staging.findings",
            "curated.fct_applications",
            "curated.fct_proactive",
            "curated.fct_review_litigation",
            "raw.documents",
            "curated.dim_agency",
        ):
            cols = (
                "* exclude (extracted_at)"
                if table == "staging.reports"
                else ("* exclude (first_seen)" if table == "raw.documents" else "*")
            )
            out[table] = sorted(con.execute(f"select {cols} from {table}").fetchall(), key=repr)
        return out
    finally:
        con.close()


@pytest.mark.slow
def test_run_over_http_is_idempotent_and_quarantines(
    tmp_path: Path, example_text: str, prefect_harness: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nianbao.demo.server import SampleServer
    from nianbao.flows.run import run
    from nianbao.warehouse.connect import open_for_reading
    from nianbao.warehouse.read import findings
    from nianbao.warehouse.rollup import rollup

    site = tmp_path / "site"
    site.mkdir()
    (site / "hz-yjglj.txt").write_text(example_text, encoding="utf-8")
    (site / "hz-sfj.txt").write_text(
        example_text.replace("杭州市应急管理局 2020", "杭州市司法局 2020").replace(BROKEN_OLD, BROKEN_NEW),
        encoding="utf-8",
    )
    wh = tmp_path / "wh" / "nianbao.duckdb"
    monkeypatch.setenv("NIANBAO_SITE", str(tmp_path / "analysts"))  # the run ends with the analysts' site
    with SampleServer(tmp_path, lifetime_s=300) as server:  # serves tmp_path/site
        catalog = _catalog(
            tmp_path, server.base_url, {"hz-yjglj": "杭州市应急管理局", "hz-sfj": "杭州市司法局"}
        )
        first = run(catalog, wh)
        state1 = _dump(wh)
        second = run(catalog, wh)
        state2 = _dump(wh)
    assert (first.summary.loaded, first.summary.quarantined, first.summary.changed) == (1, 1, 2)
    # nothing changed: neither document is read, checked or loaded again (issue 17)
    assert (second.summary.loaded, second.summary.quarantined, second.summary.changed) == (0, 0, 0)
    assert second.summary.unchanged == 2
    assert sorted(o["status"] for o in second.outcomes) == ["unchanged", "unchanged"]
    assert state1 == state2
    # the first run built the site from its snapshot; the second, which refreshed nothing, left it alone
    assert first.site["built"] and first.site["path"] == str(tmp_path / "analysts" / "index.html")
    assert (tmp_path / "analysts" / "agency" / "hz-sfj.html").exists()
    assert second.site["built"] is False and second.site["current"] and second.site["error"] is None
    from nianbao.pipeline.tables import APPLICANT_CODES, application_row_codes

    # only the admitted report's cells: 23 rows × 7 columns of the v2019 table 3
    assert (
        len(state1["curated.fct_applications"])
        == len(application_row_codes("v2019")) * len(APPLICANT_CODES)
        == 161
    )
    assert len(state1["raw.documents"]) == 2

    con = open_for_reading(wh)
    try:
        r = rollup(con, 2020)
        f = findings(con)
    finally:
        con.close()
    expected = json.loads((GOLDEN / "hz-yjglj_2020.json").read_text(encoding="utf-8"))
    assert r["agencies_counted"] == ["hz-yjglj"]
    assert r["applications"] == expected["applications"]
    assert r["review_litigation"] == expected["review_litigation"]
    assert r["proactive"] == expected["proactive"]
    assert {(x["agency"], x["reason"]) for x in r["left_out"]} == {
        ("hz-sfj", "quarantined"),
        ("hz-tjj", "no_report"),
    }
    assert next(x for x in r["left_out"] if x["agency"] == "hz-sfj")["checks"] == ["t3_balance"]
    assert {(x["agency"], x["check"], x["column"], x["left"], x["right"]) for x in f} == {
        ("hz-sfj", "t3_balance", "natural_person", 10, 12),
        ("hz-sfj", "t3_balance", "total", 11, 13),
    }
