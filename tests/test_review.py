"""Outcomes in the warehouse (issue 5): quarantine, warnings beside admitted reports, cross-year carry
whichever year loads first, and review overrides (accept, correct with a citation) that reruns keep.

Every test writes a real DuckDB file and closes it between "runs", as separate pipeline runs would.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from functools import cache
from pathlib import Path

import duckdb
import pytest

from nianbao.pipeline.errors import ReviewError
from nianbao.pipeline.extract import extract_report
from nianbao.pipeline.model import DocRef, Outcome, Override, Report
from nianbao.pipeline.rawstore import RawStore
from nianbao.warehouse.connect import connect
from nianbao.warehouse.ingest import load
from nianbao.warehouse.read import findings
from nianbao.warehouse.read import overrides as list_overrides
from nianbao.warehouse.review import reload as reprocess
from nianbao.warehouse.review import review
from nianbao.warehouse.rollup import rollup
from nianbao.warehouse.write import record_document

from helpers import nianbao, settings_for

FILES = Path(__file__).resolve().parent / "files"
Plant = Callable[[Report], None]


@cache
def _read(path: str) -> tuple[bytes, Report]:
    data = (FILES / path).read_bytes()
    return data, extract_report(data)


def _load(wh: Path, agency: str, year: int, path: str, plant: Plant | None = None) -> Outcome:
    """One 'run' of one document: store its bytes, extract, (plant a defect), validate, load, close."""
    data, extracted = _read(path)
    if plant is not None:
        data = data + f"\n<!-- planted {plant.__name__} -->".encode()  # a different document (sha256)
    report = copy.deepcopy(extracted)
    if plant is not None:
        plant(report)
    store = RawStore(wh.parent / "raw")
    sha = store.put(data)
    con = connect(wh)
    try:
        record_document(con, sha, len(data), "text", str(store.path(sha)))
        (o,) = load(con, [(DocRef(agency, year, f"http://127.0.0.1/{agency}/{year}", sha), report)]).outcomes
    finally:
        con.close()
    return o


def record_override(
    con: duckdb.DuckDBPyConnection,
    agency: str,
    year: int,
    action: str,
    *,
    decided_by: str = "tester",
    **kw: str | None,
) -> Override:
    """A reviewer's decision, recorded."""
    return review(con, agency, year, action, decided_by=decided_by, **kw)


def _findings(wh: Path) -> list[dict]:
    con = duckdb.connect(str(wh), read_only=True)
    try:
        return findings(con)
    finally:
        con.close()


def _carry(wh: Path) -> set[tuple]:
    return {
        (f["agency"], f["year"], f["column"], f["left"], f["right"], f["difference"])
        for f in _findings(wh)
        if f["check"] == "cross_year_carry"
    }


# html_hz-sfj_2020 carries out 2/2/0/2/3/0 (9); md_hz-czj_2021 carries in 0/3/0/0/0/0 (3)
EXPECTED_CARRY = {
    ("hz-x", 2021, "natural_person", 0, 2, -2),
    ("hz-x", 2021, "commercial", 3, 2, 1),
    ("hz-x", 2021, "social_welfare", 0, 2, -2),
    ("hz-x", 2021, "legal_services", 0, 3, -3),
    ("hz-x", 2021, "total", 3, 9, -6),
}


@pytest.mark.parametrize("order", [(2020, 2021), (2021, 2020)], ids=["2020-then-2021", "2021-then-2020"])
def test_cross_year_carry_whichever_year_loads_first(tmp_path: Path, order: tuple[int, int]) -> None:
    wh = tmp_path / "wh.duckdb"
    docs = {2020: "html/html_hz-sfj_2020.html", 2021: "text/md_hz-czj_2021.md"}
    for year in order:
        _load(wh, "hz-x", year, docs[year])
    assert _carry(wh) == EXPECTED_CARRY
    f = next(f for f in _findings(wh) if f["check"] == "cross_year_carry" and f["column"] == "total")
    assert f["severity"] == "warning" and f["report_status"] == "loaded"
    sha2020 = RawStore(tmp_path / "raw").put(_read(docs[2020])[0])
    refs = {loc["ref"]: loc for loc in f["locations"]}
    assert refs["applications.carried_in.total"]["line"]  # the 2021 Markdown's own line
    assert refs["2020:applications.carried_out.total"]["document"] == sha2020  # and the 2020 HTML's cell
    assert refs["2020:applications.carried_out.total"]["table_index"] is not None
    # a rerun of either year changes nothing
    before = _findings(wh)
    for year in order:
        _load(wh, "hz-x", year, docs[year])
    assert _findings(wh) == before


def test_cross_year_carry_cleared_when_the_neighbour_is_corrected(tmp_path: Path) -> None:
    wh = tmp_path / "wh.duckdb"
    _load(wh, "hz-x", 2021, "text/md_hz-czj_2021.md")
    _load(wh, "hz-x", 2020, "html/html_hz-sfj_2020.html")
    assert len(_carry(wh)) == 5
    con = connect(wh)
    try:
        for a, v in {"natural_person": 0, "commercial": 3, "social_welfare": 0, "legal_services": 0}.items():
            record_override(
                con,
                "hz-x",
                2020,
                "correct",
                cell=f"applications.carried_out.{a}",
                value=str(v),
                citation="test",
                reason="carry",
            )
        record_override(
            con, "hz-x", 2020, "correct", cell="applications.carried_out.total", value="3", citation="test"
        )
        o = reprocess(con, "hz-x", 2020)
    finally:
        con.close()
    # 2020's own balance now fails (its table printed 9 carried out), but 2021's carry warning is gone
    assert o.status == "quarantined"
    assert _carry(wh) == set()


def _balance_defect(r: Report) -> None:
    r.applications["carried_out"]["research"] += 2
    r.applications["carried_out"]["total"] += 2


def _narrative_defect(r: Report) -> None:
    r.narrative["applications_received"] = {"value": 999, "raw": "收到政府信息公开申请999件"}


def test_quarantine_keeps_everything_visible_but_out_of_curated(tmp_path: Path) -> None:
    wh = tmp_path / "wh.duckdb"
    bad = _load(wh, "hz-bad", 2020, "html/html_hz-sfj_2020.html", _balance_defect)
    warned = _load(wh, "hz-warn", 2020, "docx/docx_hz-ghzy_2020.docx", _narrative_defect)
    good = _load(wh, "hz-good", 2020, "text/hz-yjglj_2020.txt")
    assert (bad.status, warned.status, good.status) == ("quarantined", "loaded", "loaded")
    con = duckdb.connect(str(wh), read_only=True)
    try:
        status = dict(con.execute("select agency_id, status from staging.reports").fetchall())
        assert status == {"hz-bad": "quarantined", "hz-warn": "loaded", "hz-good": "loaded"}
        record = con.execute(
            "select record::varchar from staging.reports where agency_id = 'hz-bad'"
        ).fetchone()[0]
        assert json.loads(record)["applications"]["carried_out"]["total"] == 11  # the record as read, kept
        facts = dict(
            con.execute(
                "select r.agency_id, count(*) from curated.fct_applications f join staging.reports r"
                " using (report_id) group by 1"
            ).fetchall()
        )
        assert "hz-bad" not in facts and facts["hz-warn"] == facts["hz-good"] == 161  # never partly loaded
        roll = rollup(con, 2020)
        found = findings(con)
    finally:
        con.close()
    assert roll["agencies_counted"] == ["hz-good", "hz-warn"]
    assert [x for x in roll["left_out"] if x["agency"] == "hz-bad"] == [] or all(
        x["reason"] == "quarantined" and x["checks"] == ["t3_balance"]
        for x in roll["left_out"]
        if x["agency"] == "hz-bad"
    )
    by = {(f["agency"], f["check"], f["column"]) for f in found}
    assert by == {
        ("hz-bad", "t3_balance", "research"),
        ("hz-bad", "t3_balance", "total"),
        ("hz-warn", "narrative_consistency", "total"),
    }
    w = next(f for f in found if f["agency"] == "hz-warn")
    assert (w["severity"], w["left"], w["right"], w["report_status"]) == ("warning", 215, 999, "loaded")


def _counted(wh: Path, year: int) -> list[str]:
    con = duckdb.connect(str(wh), read_only=True)
    try:
        return rollup(con, year)["agencies_counted"]
    finally:
        con.close()


def test_accept_counts_a_quarantined_report_and_reruns_keep_it(tmp_path: Path) -> None:
    wh = tmp_path / "wh.duckdb"
    _load(wh, "hz-06", 2023, "real/06_hongze-qzf-2023.pdf")  # the agency's own 行政复议 total (0 ≠ 11)
    assert _counted(wh, 2023) == []
    con = connect(wh)
    try:
        with pytest.raises(ReviewError):
            record_override(con, "hz-06", 2023, "accept")  # no reason
        o = record_override(
            con,
            "hz-06",
            2023,
            "accept",
            reason="totals misprinted; parts confirmed by phone",
            decided_by="reviewer-a",
        )
        assert reprocess(con, "hz-06", 2023).status == "loaded"
        (stored,) = list_overrides(con, "hz-06", 2023)
    finally:
        con.close()
    assert stored.decided_by == "reviewer-a" and stored.reason.startswith("totals") and stored.decided_at
    assert stored.sha256 == o.sha256 and stored.action == "accept"
    assert _counted(wh, 2023) == ["hz-06"]
    blocking = {f["check"] for f in _findings(wh) if f["severity"] == "blocking"}
    assert "t4_group_total" in blocking  # the findings stay beside the accepted report
    # a rerun (the same document loaded again by the pipeline) keeps the decision
    _load(wh, "hz-06", 2023, "real/06_hongze-qzf-2023.pdf")
    assert _counted(wh, 2023) == ["hz-06"]


def test_correct_revalidates_and_admits_only_when_it_passes(tmp_path: Path) -> None:
    wh = tmp_path / "wh.duckdb"
    bad = _load(wh, "hz-bad", 2020, "html/html_hz-sfj_2020.html", _balance_defect)
    assert bad.status == "quarantined"
    con = connect(wh)
    try:
        with pytest.raises(ReviewError, match="citation"):
            record_override(
                con, "hz-bad", 2020, "correct", cell="applications.carried_out.research", value="0"
            )
        with pytest.raises(ReviewError, match="not a cell"):
            record_override(
                con, "hz-bad", 2020, "correct", cell="applications.nope.total", value="0", citation="x"
            )
        record_override(
            con,
            "hz-bad",
            2020,
            "correct",
            cell="applications.carried_out.research",
            value="0",
            citation="https://example.gov.cn/2020-corrigendum.html",
        )
        half = reprocess(con, "hz-bad", 2020)
        assert half.status == "quarantined"  # 总计 still disagrees: with the research cell, and with its row
        assert {(f.check, f.row, f.column) for f in half.findings} == {
            ("t3_balance", None, "total"),
            ("t3_row_total", "carried_out", None),
        }
        record_override(
            con,
            "hz-bad",
            2020,
            "correct",
            cell="applications.carried_out.total",
            value="9",
            citation="https://example.gov.cn/2020-corrigendum.html",
            reason="typo in 总计",
        )
        done = reprocess(con, "hz-bad", 2020)
        corrections = list_overrides(con, "hz-bad", 2020)
    finally:
        con.close()
    assert done.status == "loaded" and done.findings == []
    assert [(c.cell, c.printed_value, c.value) for c in corrections] == [
        ("applications.carried_out.research", "2", "0"),
        ("applications.carried_out.total", "11", "9"),
    ]
    assert _counted(wh, 2020) == ["hz-bad"]
    con = duckdb.connect(str(wh), read_only=True)
    try:
        value = con.execute(
            "select f.value from curated.fct_applications f join staging.reports r using (report_id)"
            " where r.agency_id = 'hz-bad' and row_code = 'carried_out' and applicant = 'total'"
        ).fetchone()[0]
        record = json.loads(con.execute("select record::varchar from staging.reports").fetchone()[0])
    finally:
        con.close()
    assert value == 9
    notes = [w for w in record["warnings"] if w.get("code") == "review_correction"]
    assert {(n["cell"], n["printed"], n["value"]) for n in notes} == {
        ("applications.carried_out.research", "2", "0"),
        ("applications.carried_out.total", "11", "9"),
    }
    # rerun: the planted document loaded again by the pipeline keeps both corrections applied
    again = _load(wh, "hz-bad", 2020, "html/html_hz-sfj_2020.html", _balance_defect)
    assert again.status == "loaded" and again.report is not None
    assert again.report.applications["carried_out"]["total"] == 9
    assert _counted(wh, 2020) == ["hz-bad"]


@pytest.mark.slow
def test_review_cli_and_findings_views(tmp_path: Path) -> None:
    wh = tmp_path / "wh.duckdb"
    _load(wh, "hz-bad", 2020, "html/html_hz-sfj_2020.html", _balance_defect)
    _load(wh, "hz-warn", 2020, "docx/docx_hz-ghzy_2020.docx", _narrative_defect)
    out = nianbao("findings", "--warehouse", str(wh), "--format", "json")
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert {(r["agency"], r["check"]) for r in rows} == {
        ("hz-bad", "t3_balance"),
        ("hz-warn", "narrative_consistency"),
    }
    for key in (
        "agency",
        "year",
        "check",
        "severity",
        "table",
        "row",
        "column",
        "proceeding",
        "left",
        "right",
        "document",
        "locations",
    ):
        assert all(key in r for r in rows), key
    table = nianbao("findings", "--warehouse", str(wh), "--format", "table")
    assert table.returncode == 0, table.stderr
    assert (
        "hz-bad" in table.stdout and "t3_balance" in table.stdout and "narrative_consistency" in table.stdout
    )
    assert table.stdout.index("hz-bad") < table.stdout.index("hz-warn")

    refused = nianbao(
        "review",
        "correct",
        "hz-bad",
        "2020",
        "--cell",
        "applications.carried_out.total=9",
        "--warehouse",
        str(wh),
    )
    assert refused.returncode == 1 and "citation" in refused.stderr
    for cell, value in (("research", 0), ("total", 9)):
        done = nianbao(
            "review",
            "correct",
            "hz-bad",
            "2020",
            "--cell",
            f"applications.carried_out.{cell}={value}",
            "--citation",
            "https://example.gov.cn/corrigendum",
            "--reason",
            "typo",
            "--warehouse",
            str(wh),
        )
        assert done.returncode == 0, done.stderr
    assert "loaded" in done.stderr and "quality report" in done.stderr
    accept = nianbao("review", "accept", "hz-bad", "2020", "--reason", "x", "--warehouse", str(wh))
    assert accept.returncode == 1 and "not quarantined" in accept.stderr
    listed = nianbao("review", "list", "--warehouse", str(wh))
    assert listed.returncode == 0 and len(listed.stdout.splitlines()) == 2
    assert json.loads(listed.stdout.splitlines()[1])["citation"] == "https://example.gov.cn/corrigendum"
    out = nianbao("rollup", "--year", "2020", "--warehouse", str(wh), "--format", "json")
    assert json.loads(out.stdout)["agencies_counted"] == ["hz-bad", "hz-warn"]


@pytest.mark.parametrize("order", [(2020, 2021), (2021, 2020)], ids=["2020-then-2021", "2021-then-2020"])
def test_cross_year_carry_through_the_ingest_flow(tmp_path: Path, order: tuple[int, int]) -> None:
    """The same, through the ingest flow's plain function: two runs into one warehouse file."""
    from nianbao.flows.ingest import ingest_documents
    from nianbao.pipeline.model import DocRef

    wh, raw = tmp_path / "wh.duckdb", tmp_path / "raw"
    docs = {2020: "html/html_hz-sfj_2020.html", 2021: "text/md_hz-czj_2021.md"}
    for year in order:
        sha = RawStore(raw).put((FILES / docs[year]).read_bytes())
        (done,) = ingest_documents(
            [DocRef("hz-x", year, f"http://127.0.0.1/hz-x/{year}", sha)],
            settings_for(wh, raw),
            f"run-{year}",
            prefect=False,
        )
        assert done.status == "loaded"
    assert _carry(wh) == EXPECTED_CARRY
