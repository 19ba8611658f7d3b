"""Warehouse (issue 6): migrations from fresh and version-2 files, idempotent and atomic loads, versions."""

from __future__ import annotations

import copy
import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from nianbao.pipeline.model import Finding, Location, Report
from nianbao.warehouse import load
from nianbao.warehouse.connect import connect, migrate, migrations
from nianbao.warehouse.load import Outcome, load_outcome, load_outcomes

from helpers import GOLDEN

GOLDENS_2020 = ("hz-yjglj_2020", "html_hz-sfj_2020", "docx_hz-ghzy_2020")
GOLDENS_2022 = ("html_hz-mzj_2022_gbk", "docx_t1-gongshu_2022", "pdf_rl_v2021_total_first")


def golden(name: str) -> Report:
    """A golden record as a Report."""
    return Report.from_json(json.loads((GOLDEN / f"{name}.json").read_text(encoding="utf-8")))


def scaled(report: Report, k: int) -> Report:
    """The report with every count times k (keeps its arithmetic; change and money scale too)."""
    r = copy.deepcopy(report)
    for table in ("proactive", "applications", "review_litigation"):
        for cols in getattr(r, table).values():
            for col in cols:
                cols[col] = cols[col] * k
    return r


def sha(text: str) -> str:
    """A stand-in document hash."""
    return hashlib.sha256(text.encode()).hexdigest()


def outcome(agency: str, year: int, report: Report | None, doc: str = "", **kw: Any) -> Outcome:
    """An Outcome for a document named `doc` (its sha is derived from agency, year and doc)."""
    return Outcome(
        agency,
        year,
        sha(f"{agency}/{year}/{doc}"),
        f"http://127.0.0.1/{agency}/{year}{doc}.pdf",
        report=report,
        **kw,
    )


def dump(con: duckdb.DuckDBPyConnection, times: bool = True) -> dict[str, list[Any]]:
    """Every row of every warehouse table (optionally without load-time columns), sorted."""
    out = {}
    for schema, table in con.execute(
        "select schema_name, table_name from duckdb_tables() where schema_name in ('raw','staging','curated')"
    ).fetchall():
        cols = (
            "*" if times else "* exclude (extracted_at, loaded_at, first_seen)" if table == "reports" else "*"
        )
        out[f"{schema}.{table}"] = sorted(
            map(repr, con.execute(f"select {cols} from {schema}.{table}").fetchall())
        )
    return out


@pytest.fixture
def wh(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    """A fresh warehouse file at the current schema."""
    con = connect(tmp_path / "wh.duckdb")
    yield con
    con.close()


# ---------------------------------------------------------------- migrations


def _v2_file(path: Path, report: Report) -> None:
    """A warehouse file as the version-2 code made it: migrations 1–2 and the old positional inserts."""
    con = duckdb.connect(str(path))
    assert migrate(con, upto=2) == 2
    rid = f"hz-yjglj/2020/{sha('v2')}"
    con.execute(
        "insert into raw.documents values (?, 1, 'text', timestamp '2021-01-05 10:00', 'x')", [sha("v2")]
    )
    con.execute(
        "insert into curated.dim_agency values ('hz-yjglj', '杭州市应急管理局', '杭州市', 'municipal', 'department')"
    )
    con.execute(
        "insert into staging.reports values (?, 'hz-yjglj', 2020, ?, 'http://x', 'v2019', 'loaded', null, null, ?, "
        "timestamp '2021-01-05 10:01')",
        [rid, sha("v2"), json.dumps(report.as_json(), ensure_ascii=False, sort_keys=True)],
    )
    for table, row, col, value in report.cells():
        target, _, _ = load.FACT_TABLES[table]
        con.execute(f"insert into {target} values (?, ?, ?, ?)", [rid, row, col, str(value)])
    con.close()


def test_a_fresh_file_and_a_version_2_file_end_at_the_same_schema(tmp_path: Path) -> None:
    report = golden("hz-yjglj_2020")
    report.provenance = {"applications.granted.total": Location(raw="3", page=4, bbox=(1.0, 2.0, 3.0, 4.0))}
    old = tmp_path / "old.duckdb"
    _v2_file(old, report)
    fresh = connect(tmp_path / "fresh.duckdb")
    upgraded = connect(old)

    def schema(con: duckdb.DuckDBPyConnection) -> list[tuple[Any, ...]]:
        return con.execute(
            "select schema_name, table_name, column_name, data_type from duckdb_columns() "
            "where schema_name <> 'main' order by all"
        ).fetchall()

    latest = max(v for v, _ in migrations() if v < 10)
    for con in (fresh, upgraded):
        versions = {r[0] for r in con.execute("select version from main.schema_version").fetchall()}
        assert set(range(1, latest + 1)) <= versions
    assert schema(fresh) == schema(upgraded)
    # the old rows were carried over: lineage backfilled, provenance taken from the stored record
    rid = f"hz-yjglj/2020/{sha('v2')}"
    assert upgraded.execute(
        "select first_seen, loaded_at, extractor_version, is_current from curated.dim_report "
        "where report_id = ?",
        [rid],
    ).fetchone() == (datetime(2021, 1, 5, 10, 0), datetime(2021, 1, 5, 10, 1), "0.1.0", True)
    assert upgraded.execute(
        "select page, bbox, raw_text, extractor_version from curated.fct_applications "
        "where row_code = 'granted' and applicant = 'total'"
    ).fetchone() == (4, [1.0, 2.0, 3.0, 4.0], "3", "0.1.0")
    # the same document loaded again by the new code changes nothing
    before = dump(upgraded)
    again = Outcome("hz-yjglj", 2020, sha("v2"), "http://x", report=report)
    assert load_outcome(upgraded, again) is False
    assert dump(upgraded) == before
    assert upgraded.execute("select count(*) from curated.dim_code where code = 'granted'").fetchone() == (1,)
    fresh.close()
    upgraded.close()


def test_reconnecting_is_a_no_op(tmp_path: Path) -> None:
    con = connect(tmp_path / "wh.duckdb")
    load_outcome(con, outcome("a", 2020, golden("hz-yjglj_2020")))
    before = dump(con)
    con.close()
    con = connect(tmp_path / "wh.duckdb")
    assert dump(con) == before
    con.close()


# ---------------------------------------------------------------- idempotence, versions


def test_the_same_document_twice_changes_nothing(wh: duckdb.DuckDBPyConnection) -> None:
    o = outcome("hz-yjglj", 2020, golden("hz-yjglj_2020"))
    bad = outcome(
        "hz-sfj",
        2020,
        golden("html_hz-sfj_2020"),
        findings=[Finding("t3_balance", "applications", column="total", left=1, right=2)],
    )
    assert load_outcome(wh, o) and load_outcome(wh, bad)
    before = dump(wh)
    assert load_outcome(wh, o) is False and load_outcome(wh, bad) is False
    assert load_outcomes(wh, [o, bad]).unchanged == 2
    assert dump(wh) == before


def test_a_republished_document_becomes_current_and_the_old_stays_as_history(
    wh: duckdb.DuckDBPyConnection,
) -> None:
    first = outcome("hz-yjglj", 2020, golden("hz-yjglj_2020"), "a")
    second = outcome("hz-yjglj", 2020, scaled(golden("hz-yjglj_2020"), 2), "b")
    load_outcome(wh, first)
    load_outcome(wh, second)

    def versions() -> list[tuple[Any, ...]]:
        return wh.execute(
            "select sha256, version, is_current from curated.dim_report order by version"
        ).fetchall()

    assert versions() == [(first.sha256, 1, False), (second.sha256, 2, True)]
    total = wh.execute(
        "select value from marts.applications_by_year where row_code = 'received_new' and applicant = 'total'"
    ).fetchone()
    assert total == (2 * golden("hz-yjglj_2020").applications["received_new"]["total"],)
    # history stays queryable
    assert wh.execute("select count(distinct report_id) from curated.fct_applications").fetchone() == (2,)
    # rerunning the older document, even re-extracted differently, never flips the current version
    rerun = outcome("hz-yjglj", 2020, scaled(golden("hz-yjglj_2020"), 3), "a", extractor_version="0.2.0")
    assert load_outcome(wh, rerun) is True
    assert versions() == [(first.sha256, 1, False), (second.sha256, 2, True)]


# ---------------------------------------------------------------- atomicity


class FaultyConnection:
    """A real DuckDB connection whose `execute` raises once a statement matching `when` runs (fault injector)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, when: str, fail_calls: set[int]) -> None:
        self.con, self.when, self.fail_calls, self.calls = con, when, fail_calls, 0

    def execute(self, sql: str, *args: Any) -> Any:
        """Delegate, failing the matching statements whose ordinal is in fail_calls."""
        if self.when in sql:
            self.calls += 1
            if self.calls in self.fail_calls:
                raise duckdb.IOException("injected fault: disk full")
        return self.con.execute(sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.con, name)


def test_a_crash_mid_load_leaves_no_trace(tmp_path: Path) -> None:
    path = tmp_path / "wh.duckdb"
    con = connect(path)
    old = outcome("hz-yjglj", 2020, golden("hz-yjglj_2020"))
    load_outcome(con, old)
    before = dump(con)
    # a new reading of the same document fails after its report row and table-2 facts were written
    new = outcome("hz-yjglj", 2020, scaled(golden("hz-yjglj_2020"), 5), extractor_version="0.2.0")
    fresh = outcome("hz-sfj", 2020, golden("html_hz-sfj_2020"))
    for o in (new, fresh):
        with pytest.raises(duckdb.IOException):
            load_outcome(FaultyConnection(con, "insert into curated.fct_applications", {1}), o)  # type: ignore[arg-type]
    con.close()
    con = connect(path)  # what is on disk
    assert dump(con) == before
    con.close()


def test_a_report_violating_a_constraint_is_refused_whole(wh: duckdb.DuckDBPyConnection) -> None:
    r = golden("hz-yjglj_2020")
    r.applications["granted"]["total"] = 2**70  # beyond bigint
    before = dump(wh)
    with pytest.raises(ValueError, match="bigint"):
        load_outcome(wh, outcome("hz-yjglj", 2020, r))
    result = load_outcomes(
        wh, [outcome("hz-yjglj", 2020, r), outcome("hz-sfj", 2020, golden("html_hz-sfj_2020"))]
    )
    assert result.changed == 1 and [rid.split("/")[0] for rid, _ in result.failed] == ["hz-yjglj"]
    after = dump(wh)
    assert after["staging.reports"] != before["staging.reports"]
    assert wh.execute("select distinct agency_id from staging.reports").fetchall() == [("hz-sfj",)]


def test_a_failing_chunk_falls_back_to_one_transaction_per_report(tmp_path: Path) -> None:
    con = connect(tmp_path / "wh.duckdb")
    batch = [outcome(f"a{i}", 2020, golden("hz-yjglj_2020")) for i in range(4)]
    # statement 1: the whole chunk (rolled back); 2..5: one per report, the second of which fails
    faulty = FaultyConnection(con, "insert into curated.fct_applications", {1, 3})
    result = load_outcomes(faulty, batch, chunk=10)  # type: ignore[arg-type]
    assert result.changed == 3 and [rid for rid, _ in result.failed] == [batch[1].report_id]
    loaded = {r[0] for r in con.execute("select distinct report_id from staging.reports").fetchall()}
    facts = {r[0] for r in con.execute("select distinct report_id from curated.fct_proactive").fetchall()}
    assert loaded == facts == {o.report_id for o in batch} - {batch[1].report_id}
    con.close()


def test_bulk_and_single_loads_write_the_same_rows(tmp_path: Path) -> None:
    batch = [
        outcome(f"a{i}", y, scaled(golden(n), i + 1))
        for i, (y, n) in enumerate([(2020, g) for g in GOLDENS_2020] + [(2022, g) for g in GOLDENS_2022])
    ]
    batch.append(outcome("bad", 2020, None, error_code="no_text_layer", error_message="scanned"))
    one, many = connect(tmp_path / "one.duckdb"), connect(tmp_path / "many.duckdb")
    for o in batch:
        load_outcome(one, o)
    assert load_outcomes(many, batch, chunk=3).changed == len(batch)
    assert dump(one, times=False) == dump(many, times=False)
    one.close()
    many.close()


def test_facts_carry_provenance_and_extractor_version(wh: duckdb.DuckDBPyConnection) -> None:
    r = golden("hz-yjglj_2020")
    r.provenance = {
        "applications.granted.natural_person": Location(raw="3", page=4, bbox=(10, 20, 30, 40)),
        "review_litigation.review.total": Location(raw="0", table_index=2, cell=(5, 1)),
    }
    load_outcome(wh, outcome("hz-yjglj", 2020, r))
    assert wh.execute(
        "select page, bbox, raw_text, extractor_version from curated.fct_applications "
        "where row_code = 'granted' and applicant = 'natural_person'"
    ).fetchone() == (4, [10.0, 20.0, 30.0, 40.0], "3", "0.1.0")
    assert wh.execute(
        "select table_index, cell, raw_text from curated.fct_review_litigation "
        "where proceeding = 'review' and outcome = 'total'"
    ).fetchone() == (2, [5, 1], "0")


def test_dim_code_holds_every_code_with_its_label(wh: duckdb.DuckDBPyConnection) -> None:
    from nianbao.pipeline import tables as T

    for template in T.TEMPLATES:
        for table, row, col in T.expected_cells(template):
            kinds = {
                "proactive": ("item", "measure"),
                "applications": ("row", "applicant"),
                "review_litigation": ("proceeding", "outcome"),
            }[table]
            for kind, code in zip(kinds, (row, col), strict=True):
                got = wh.execute(
                    "select label_zh from curated.dim_code_label where table_name = ? and code_kind = ? "
                    "and code = ? and template = ?",
                    [table, kind, code, template],
                ).fetchone()
                assert got == (T.label_of(table, code, template),)
    assert wh.execute("select short_label_zh from curated.dim_code where code = 'granted'").fetchone() == (
        "予以公开",
    )


def test_the_checked_in_wide_views_match_the_codes() -> None:
    from nianbao.warehouse.codes import wide_views_sql

    path = Path(__file__).resolve().parent.parent / "warehouse" / "sql" / "005_wide_views.sql"
    assert path.read_text(encoding="utf-8") == wide_views_sql()


def test_fact_rows_stay_unique_without_primary_keys(tmp_path: Path) -> None:
    """Migration 007 dropped the fact tables' key indexes: loads, reloads and re-extractions add no duplicates."""
    con = connect(tmp_path / "wh.duckdb")
    batch = [
        outcome(f"a{i}", y, scaled(golden(n), i + 1))
        for i, (y, n) in enumerate([(2020, g) for g in GOLDENS_2020] + [(2022, g) for g in GOLDENS_2022])
    ]
    load_outcomes(con, batch + batch[:2], chunk=4)  # a report twice in one batch, and across chunks
    load_outcomes(con, batch, chunk=3)  # unchanged
    load_outcome(con, outcome("a0", 2020, scaled(golden(GOLDENS_2020[0]), 7), extractor_version="0.2.0"))
    for table, (target, a, b) in load.FACT_TABLES.items():
        assert con.execute(
            f"select count(*) from (select report_id, {a}, {b} from {target} group by all "
            "having count(*) > 1)"
        ).fetchone() == (0,), table
    assert con.execute(
        "select count(*) from duckdb_constraints() where schema_name = 'curated' "
        "and table_name like 'fct_%' and constraint_type = 'PRIMARY KEY'"
    ).fetchone() == (0,)
    con.close()


def test_a_year_loaded_after_its_following_year_in_a_later_chunk_rechecks_it(tmp_path: Path) -> None:
    """cross_year_carry both ways inside one bulk load: year + 1 in chunk 1, year in chunk 2."""
    con = connect(tmp_path / "wh.duckdb")
    later = golden(GOLDENS_2022[0])
    later.year = 2021
    earlier = golden(GOLDENS_2020[0])
    earlier.applications["carried_out"] = {k: v + 1 for k, v in later.applications["carried_in"].items()}
    load_outcomes(con, [outcome("a", 2021, later), outcome("a", 2020, earlier)], chunk=1)
    checks = con.execute(
        "select r.year, count(*) from staging.findings as f join staging.reports as r "
        "using (report_id) where f.check_id = 'cross_year_carry' group by 1"
    ).fetchall()
    assert checks and {y for y, _n in checks} == {2021}
    con.close()
