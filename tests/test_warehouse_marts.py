"""Rollup marts, CLI query/export and the data dictionary, each checked against sums computed here."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import duckdb
import pytest

from nianbao.pipeline.catalog import Agency
from nianbao.pipeline.model import Finding
from nianbao.warehouse.connect import MARTS, connect, publish_snapshot
from nianbao.warehouse.dictionary import MARKER, render
from nianbao.warehouse.marts import is_fresh, refresh_marts
from nianbao.warehouse.rollup import ROLLUP_MARTS, rollup
from nianbao.warehouse.write import upsert_agencies, write_outcomes

from helpers import nianbao
from test_warehouse import GOLDENS_2020, GOLDENS_2022, golden, outcome, scaled

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A warehouse with 2020 and 2022 reports of six agencies, one quarantined, one unreadable, one missing."""
    path = tmp_path_factory.mktemp("wh") / "wh.duckdb"
    con = connect(path)
    agencies = [
        Agency(
            f"ag{i}",
            f"机关{i}",
            "杭州市" if i < 3 else "西湖区",
            "municipal" if i < 3 else "district",
            "department",
        )
        for i in range(6)
    ]
    upsert_agencies(con, agencies)
    counted: dict[int, list[Any]] = {2020: [], 2022: []}
    batch = []
    for year, names in ((2020, GOLDENS_2020), (2022, GOLDENS_2022)):
        for i, name in enumerate(names):
            r = scaled(golden(name), i + 1)
            batch.append(outcome(f"ag{i}", year, r))
            counted[year].append((f"ag{i}", r))
        r = scaled(golden(names[0]), 9)
        batch.append(
            outcome(
                "ag3",
                year,
                r,
                findings=[
                    Finding(
                        "t3_balance", "applications", column="total", left=1, right=2, severity="blocking"
                    )
                ],
            )
        )
        batch.append(outcome("ag4", year, None, error_code="no_text_layer", error_message="scanned"))
    assert len(write_outcomes(con, batch).changed) == len(batch)
    refresh_marts(con)
    con.close()
    publish_snapshot(path)
    return {"path": path, "counted": counted}


@pytest.fixture
def ro(city: dict[str, Any]) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the snapshot."""
    con = duckdb.connect(str(city["path"].with_name("wh.snapshot.duckdb")), read_only=True)
    yield con
    con.close()


def _apps(reports: list[Any], row: str, col: str = "total") -> int:
    return sum(r.applications[row][col] for _, r in reports)


@pytest.mark.parametrize("year", [2020, 2022])
def test_rollup_json_equals_sums_of_the_records(
    ro: duckdb.DuckDBPyConnection, city: dict[str, Any], year: int
) -> None:
    reports = city["counted"][year]
    got = rollup(ro, year)
    assert got["agencies_counted"] == [a for a, _ in reports]
    assert got["left_out"] == [
        {"agency": "ag3", "reason": "quarantined", "checks": ["t3_balance"]},
        {"agency": "ag4", "reason": "unreadable", "error": "no_text_layer"},
        {"agency": "ag5", "reason": "no_report"},
    ]
    for row, cols in got["applications"].items():
        for col, value in cols.items():
            assert value == _apps(reports, row, col), (row, col)
    for p, cols in got["review_litigation"].items():
        for o, value in cols.items():
            assert value == sum(r.review_litigation[p][o] for _, r in reports)
    for item, cols in got["proactive"].items():
        for m, value in cols.items():
            assert value == pytest.approx(float(sum(r.proactive[item][m] for _, r in reports)))


def test_rates_mix_and_league_equal_sums_of_the_records(
    ro: duckdb.DuckDBPyConnection, city: dict[str, Any]
) -> None:
    reports = city["counted"][2022]
    handled = _apps(reports, "handled_total")
    rate = (_apps(reports, "granted") + _apps(reports, "partially_granted")) / handled
    assert ro.execute("select disclosure_rate from marts.disclosure_rate where year = 2022").fetchall() == [
        (pytest.approx(rate),)
    ]
    denied = {row: _apps(reports, row) for row in reports[0][1].applications if row.startswith("denied_")}
    got = dict(
        ro.execute(
            "select row_code, value from marts.refusal_reasons where year = 2022 and group_code = 'denied'"
        ).fetchall()
    )
    assert got == denied
    mix = dict(ro.execute("select row_code, value from marts.outcome_mix where year = 2022").fetchall())
    assert sum(mix.values()) == handled  # the outcome rows add up to handled_total (t3_outcome_total)
    by_type = dict(
        ro.execute(
            "select applicant, received_new from marts.applications_by_applicant_type where year = 2022"
        ).fetchall()
    )
    assert by_type == {
        a: _apps(reports, "received_new", a) for a in reports[0][1].applications["received_new"]
    }
    league = ro.execute(
        "select agency_id, received_new, rank_by_received from marts.agency_league "
        "where year = 2022 order by agency_id"
    ).fetchall()
    expect = sorted(((a, r.applications["received_new"]["total"]) for a, r in reports), key=lambda x: -x[1])
    ranks = {a: 1 + sum(v > n for _, v in expect) for a, n in expect}
    assert league == [(a, r.applications["received_new"]["total"], ranks[a]) for a, r in reports]
    region = dict(
        ro.execute(
            "select region, value from marts.applications_by_region_level where year = 2022 "
            "and row_code = 'received_new' and applicant = 'total'"
        ).fetchall()
    )
    assert region == {"杭州市": _apps(reports, "received_new")}


def test_correction_rate_and_year_over_year(ro: duckdb.DuckDBPyConnection, city: dict[str, Any]) -> None:
    for year in (2020, 2022):
        reports = city["counted"][year]
        rl = {
            o: sum(r.review_litigation["review"][o] for _, r in reports)
            for o in ("corrected", "total", "pending")
        }
        got = ro.execute(
            "select corrected, total, correction_rate from marts.correction_rate "
            "where year = ? and proceeding = 'review'",
            [year],
        ).fetchall()
        concluded = rl["total"] - rl["pending"]
        assert got == [
            (
                rl["corrected"],
                rl["total"],
                None if concluded == 0 else pytest.approx(rl["corrected"] / concluded),
            )
        ]
    yoy = ro.execute(
        "select year, value, prev_value from marts.yoy_change where metric = 'received_new' order by year"
    ).fetchall()
    a, b = _apps(city["counted"][2020], "received_new"), _apps(city["counted"][2022], "received_new")
    assert yoy == [(2020, a, None), (2022, b, None)]  # 2021 absent: no previous year to compare with


def test_coverage_names_every_agency_and_year(ro: duckdb.DuckDBPyConnection) -> None:
    got = ro.execute("select year, agency_id, status from marts.coverage order by all").fetchall()
    statuses = ["counted", "counted", "counted", "quarantined", "unreadable", "no_report"]
    assert got == [(y, f"ag{i}", s) for y in (2020, 2022) for i, s in enumerate(statuses)]


def test_every_table_view_and_column_has_a_comment(ro: duckdb.DuckDBPyConnection) -> None:
    missing = ro.execute(
        "select schema_name, table_name, column_name from duckdb_columns()"
        " where schema_name in ('raw', 'staging', 'curated', 'marts') and comment is null"
    ).fetchall()
    assert missing == []
    uncommented = ro.execute(
        "select schema_name, table_name from duckdb_tables() where schema_name in ('raw', 'staging', 'curated', 'marts')"
        " and comment is null union all select schema_name, view_name from duckdb_views()"
        " where schema_name in ('raw', 'staging', 'curated', 'marts') and comment is null"
    ).fetchall()
    assert uncommented == []


def test_the_data_dictionary_is_generated_from_the_schema_and_its_sql_runs(
    ro: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    text = (ROOT / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    con = connect(tmp_path / "fresh.duckdb")
    try:
        assert text.split(MARKER)[1] == render(con).split(MARKER)[1], "run `make docs`"
    finally:
        con.close()
    blocks = re.findall(r"```sql\n(.*?)```", text, re.S)
    assert len(blocks) >= 10
    for sql in blocks:
        ro.execute(sql).fetchall()


def test_query_cli_is_read_only_and_reports_sql_errors(city: dict[str, Any]) -> None:
    wh = str(city["path"])
    ok = nianbao(
        "query",
        "select code from curated.dim_code where short_label_zh = '予以公开'",
        "--warehouse",
        wh,
        "--format",
        "csv",
    )
    assert ok.returncode == 0 and ok.stdout.split() == ["code", "granted"]
    bad = nianbao("query", "select * from no_such_table", "--warehouse", wh)
    assert bad.returncode == 1 and "no_such_table" in bad.stderr and "Catalog Error" in bad.stderr
    for write in ("delete from curated.dim_agency", "copy curated.dim_agency to '/tmp/x.csv'"):
        refused = nianbao("query", write, "--warehouse", wh)
        assert refused.returncode == 1 and "read-only" in refused.stderr
    con = duckdb.connect(str(city["path"].with_name("wh.snapshot.duckdb")), read_only=True)
    assert con.execute("select count(*) from curated.dim_agency").fetchall() == [(6,)]
    con.close()


def test_rollup_and_export_cli(city: dict[str, Any], tmp_path: Path) -> None:
    import json

    import pandas as pd

    wh = str(city["path"])
    out = nianbao("rollup", "--year", "2020", "--warehouse", wh, "--format", "json")
    assert out.returncode == 0
    got = json.loads(out.stdout)
    assert got["applications"]["received_new"]["total"] == _apps(city["counted"][2020], "received_new")
    exp = nianbao("export", "--out", str(tmp_path / "x"), "--warehouse", wh)
    assert exp.returncode == 0, exp.stderr
    facts = pd.read_parquet(tmp_path / "x" / "parquet" / "curated.fct_applications.parquet")
    assert len(facts) == sum(len(r.applications) * 7 for y in (2020, 2022) for _, r in city["counted"][y])
    for name in ROLLUP_MARTS:
        assert (tmp_path / "x" / "rollups" / f"{name}.csv").exists()
    book = pd.read_excel(tmp_path / "x" / "rollups" / "rollups.xlsx", sheet_name=None)
    assert set(book) == {n[:31] for n in ROLLUP_MARTS} | {"dictionary"}


def test_exports_people_open(city: dict[str, Any], tmp_path: Path) -> None:
    """CSV that Excel reads as Chinese (BOM on request), LF and JSON lists; XLSX with frozen headers, filters,
    notes and a dictionary sheet; Parquet with the warehouse's types (issue 16)."""
    import pyarrow.parquet as pq
    from openpyxl import load_workbook

    wh = str(city["path"])
    plain = nianbao("export", "--out", str(tmp_path / "plain"), "--warehouse", wh)
    excel = nianbao("export", "--out", str(tmp_path / "excel"), "--warehouse", wh, "--bom")
    assert plain.returncode == excel.returncode == 0, plain.stderr + excel.stderr
    raw = (tmp_path / "plain" / "rollups" / "coverage.csv").read_bytes()
    with_bom = (tmp_path / "excel" / "rollups" / "coverage.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and with_bom == b"\xef\xbb\xbf" + raw
    assert b"\r" not in raw and b'"[""t3_balance""]"' in raw and "机关3".encode() in raw
    labels = (tmp_path / "plain" / "rollups" / "applications_by_year.csv").read_text(encoding="utf-8")
    assert labels.splitlines()[0].startswith("year,row_code,row_label_zh,applicant,applicant_label_zh,value")
    assert ",予以公开," in labels

    book = load_workbook(tmp_path / "plain" / "rollups" / "rollups.xlsx")
    ws = book["applications_by_year"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:")
    assert ws["A1"].value == "year" and "Report year" in ws["A1"].comment.text
    dictionary = list(book["dictionary"].iter_rows(values_only=True))
    assert dictionary[0] == ("sheet", "column", "type", "meaning")
    assert ("applications_by_year", "row_label_zh", "VARCHAR") in {r[:3] for r in dictionary}
    assert all(r[3] for r in dictionary[1:])  # every column has its meaning

    schema = pq.read_schema(tmp_path / "plain" / "parquet" / "marts.applications_by_year.parquet")
    assert str(schema.field("value").type) == "int64" and str(schema.field("row_label_zh").type) == "string"
    money = pq.read_schema(tmp_path / "plain" / "parquet" / "marts.proactive_by_year.parquet")
    assert str(money.field("value").type) == "decimal128(18, 2)"


def _marts_equal_definitions(con: duckdb.DuckDBPyConnection) -> None:
    for name in MARTS:
        table = sorted(map(repr, con.execute(f"select * from marts.{name}").fetchall()))
        view = sorted(map(repr, con.execute(f"select * from build.{name}").fetchall()))
        assert table == view, name


def test_rollups_are_never_stale_and_marts_refresh_once_per_run(tmp_path: Path) -> None:
    """Marts are tables refreshed once per run; until then (or on a read-only file) rollups read the definitions."""
    path = tmp_path / "wh.duckdb"
    con = connect(path)
    upsert_agencies(
        con, [Agency(f"ag{i}", f"机关{i}", "杭州市", "municipal", "department") for i in range(2)]
    )
    write_outcomes(
        con, [outcome("ag0", 2020, golden(GOLDENS_2020[0])), outcome("ag1", 2022, golden(GOLDENS_2022[0]))]
    )
    assert not is_fresh(con)
    assert rollup(con, 2022)["agencies_counted"] == ["ag1"]  # read from build.* while the tables are stale
    assert refresh_marts(con) == [2020, 2022] and is_fresh(con)
    _marts_equal_definitions(con)
    # a new reading of one year, a quarantined one, a re-published version, a renamed agency
    quarantined = Finding("t3_balance", "applications", column="total", left=1, right=2, severity="blocking")
    write_outcomes(con, [outcome("ag1", 2022, golden(GOLDENS_2022[0]), findings=[quarantined])])
    assert {"agency": "ag1", "reason": "quarantined", "checks": ["t3_balance"]} in rollup(con, 2022)[
        "left_out"
    ]
    write_outcomes(con, [outcome("ag0", 2020, scaled(golden(GOLDENS_2020[0]), 2), "v2")])
    upsert_agencies(con, [Agency("ag1", "机关1", "西湖区", "district", "department")])
    assert sorted(refresh_marts(con)) == [2020, 2022]
    _marts_equal_definitions(con)
    assert con.execute("select count(*) from marts.coverage where agency_id = 'ag1'").fetchone() == (2,)
    assert refresh_marts(con) == []  # nothing moved: nothing rewritten
    # rows written behind the package's back: a read-only reader falls back to the definitions
    con.execute(
        "update staging.reports set status = 'unreadable', loaded_at = current_timestamp where agency_id = 'ag0'"
    )
    con.close()
    ro = duckdb.connect(str(path), read_only=True)
    assert {"agency": "ag0", "reason": "unreadable", "error": None} in rollup(ro, 2020)["left_out"]
    ro.close()


# ---------------------------------------------------------------- for analysts (issue 16)


def test_no_hugeint_anywhere_an_analyst_reads(ro: duckdb.DuckDBPyConnection) -> None:
    """Sums of 件 are BIGINT and sums of money DECIMAL(18, 2): pandas reads int64, not float64 or object."""
    wide = ro.execute(
        "select schema_name, table_name, column_name, data_type from duckdb_columns()"
        " where schema_name in ('raw', 'staging', 'curated', 'marts') and data_type in ('HUGEINT', 'DECIMAL(38,2)')"
    ).fetchall()
    assert wide == []
    df = ro.execute("select * from marts.citywide_metrics").df()
    assert str(df["value"].dtype) == "int64"
    assert str(ro.execute("select value from marts.applications_by_year").df()["value"].dtype) == "int64"


def test_chinese_labels_beside_the_codes(ro: duckdb.DuckDBPyConnection) -> None:
    got = ro.execute(
        "select distinct row_label_zh, applicant_label_zh from marts.applications_by_year"
        " where row_code = 'granted' and applicant = 'natural_person'"
    ).fetchall()
    assert got == [("予以公开", "自然人")]
    (review,) = ro.execute(
        "select distinct proceeding_label_zh from marts.review_litigation_by_year where proceeding = 'review'"
    ).fetchall()
    assert review == ("行政复议",)
    assert ro.execute(
        "select count(*) from marts.proactive_by_year where item_label_zh is null or measure_label_zh is null"
    ).fetchall() == [(0,)]
    names = ro.execute("select distinct agency_name from marts.wide_applications order by 1").fetchall()
    assert ("机关0",) in names


@pytest.mark.parametrize("table", ["proactive", "applications", "review_litigation"])
def test_the_labelled_wide_views_are_the_coded_ones_under_chinese_names(
    ro: duckdb.DuckDBPyConnection, table: str
) -> None:
    """marts.wide_<table>_zh: every column named by its printed labels, unique, and equal to its coded column."""
    from nianbao.warehouse.codes import wide_columns, wide_labels

    def columns(view: str) -> list[str]:
        return [
            r[0]
            for r in ro.execute(
                "select column_name from duckdb_columns() where schema_name = 'marts' and table_name = ? "
                "order by column_index",
                [view],
            ).fetchall()
        ]

    coded, labelled = columns(f"wide_{table}"), columns(f"wide_{table}_zh")
    pairs = wide_labels(table)
    assert coded[8:] == [c for c, _ in pairs] == [c for c, _ in wide_columns(table)]
    assert labelled == coded[:8] + [name for _, name in pairs]
    assert len(set(labelled)) == len(labelled)
    # each name is made of the labels curated.dim_code gives its row and its column code
    short = dict(
        ro.execute(
            "select code_kind || ':' || code, short_label_zh from curated.dim_code where table_name = ?",
            [table],
        ).fetchall()
    )
    first, second = {"proactive": ("item", "measure"), "applications": ("row", "applicant")}.get(
        table, ("proceeding", "outcome")
    )
    for column, name in pairs:
        a, b = column.split("__")
        row_label, col_label = name.split(" · ")
        for label, own in ((row_label, short[f"{first}:{a}"]), (col_label, short[f"{second}:{b}"])):
            assert label == own or label.endswith("/" + own)  # under its family's heading, where it has one
    # the values: the same rows, every labelled column equal to its coded column
    q = ", ".join(f'"{c}"' for c in coded)
    base = ro.execute(f"select {q} from marts.wide_{table} order by report_id").fetchall()
    assert base and any(v is not None for row in base for v in row[8:])
    zh = ", ".join(f'"{c}"' for c in labelled)
    assert ro.execute(f"select {zh} from marts.wide_{table}_zh order by report_id").fetchall() == base
    unequal = " or ".join(f'c."{c}" is distinct from z."{name}"' for c, name in pairs)
    assert ro.execute(
        f"select count(*) from marts.wide_{table} c join marts.wide_{table}_zh z using (report_id) "
        f"where {unequal}"
    ).fetchone() == (0,)
    assert ro.execute(
        "select comment from duckdb_views() where view_name = ?", [f"wide_{table}_zh"]
    ).fetchone()


def test_changed_definitions_are_applied_when_a_writer_opens_the_file(tmp_path: Path) -> None:
    """A warehouse written with older view definitions gets this version's views and mart tables."""
    path = tmp_path / "old.duckdb"
    con = connect(path)
    write_outcomes(con, [outcome("ag0", 2020, scaled(golden(GOLDENS_2020[0]), 1))])
    refresh_marts(con)
    con.execute(
        "create or replace view build.applications_by_year as select 2020 as year, 1::hugeint as value"
    )
    con.execute("drop table marts.applications_by_year")
    con.execute("create table marts.applications_by_year as select * from build.applications_by_year")
    con.execute("update main.nianbao_state set value = 'older' where key = 'definitions'")
    con.close()
    con = connect(path)
    try:
        cols = dict(con.execute("describe marts.applications_by_year").fetchall()[i][:2] for i in range(7))
        assert cols["row_label_zh"] == "VARCHAR" and cols["value"] == "BIGINT"
        assert not is_fresh(con)  # emptied: the next refresh fills them
        refresh_marts(con)
        assert con.execute(
            "select count(*) > 0 from marts.applications_by_year where row_label_zh = '予以公开'"
        ).fetchall() == [(True,)]
    finally:
        con.close()


def test_the_html_data_dictionary_is_the_markdown_one_and_up_to_date() -> None:
    from nianbao.warehouse.dictionary import to_html

    md = (ROOT / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    page = (ROOT / "docs" / "data-dictionary.html").read_text(encoding="utf-8")
    assert page == to_html(md), "run `make docs`"
    assert "<code>marts.coverage</code>" in page and "<table>" in page and "<script" not in page
    assert "http://" not in page.split("<body>")[0] and "https://" not in page.split("<body>")[0]


def test_the_snapshot_hides_the_internal_build_schema(
    ro: duckdb.DuckDBPyConnection, city: dict[str, Any]
) -> None:
    schemas = {
        r[0] for r in ro.execute("select schema_name from duckdb_schemas() where not internal").fetchall()
    }
    assert "build" not in schemas and {"raw", "staging", "curated", "marts"} <= schemas
    assert rollup(ro, 2020)["agencies_counted"]  # the rollup reads the snapshot's fresh tables
    writer = duckdb.connect(str(city["path"]), read_only=True)
    try:  # the warehouse itself keeps it
        assert writer.execute(
            "select count(*) from duckdb_schemas() where schema_name = 'build'"
        ).fetchall() == [(1,)]
    finally:
        writer.close()
