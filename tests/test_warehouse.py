"""Warehouse (issues 6, 14): the baseline schema and migrations, idempotent and atomic writes, versions, carry."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import duckdb
import pytest

from nianbao.pipeline.errors import NianbaoError
from nianbao.pipeline.model import DocRef, Finding, Location, Outcome, Report
from nianbao.warehouse import connect as connect_module
from nianbao.warehouse import write
from nianbao.warehouse.connect import BASELINE, connect, schema_version
from nianbao.warehouse.ingest import load
from nianbao.warehouse.marts import refresh_marts
from nianbao.warehouse.write import write_outcomes

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


def load_outcome(con: duckdb.DuckDBPyConnection, o: Outcome) -> bool:
    """Write one outcome; whether it changed the warehouse (raises what the warehouse refused it for)."""
    done = write_outcomes(con, [o])
    if done.failed:
        raise ValueError(done.failed[0][1])
    return bool(done.changed)


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


# ---------------------------------------------------------------- the baseline and migrations


def test_a_new_file_is_at_the_baseline_and_later_migrations_apply_once(tmp_path: Path, monkeypatch) -> None:
    latest = max([BASELINE, *(n for n, _sql in connect_module.migrations())])
    con = connect(tmp_path / "wh.duckdb")
    assert schema_version(con) == latest
    load_outcome(con, outcome("a", 2020, golden("hz-yjglj_2020")))
    before = dump(con)
    con.close()
    step = "alter table staging.reports add column reviewed boolean"
    real = connect_module.migrations()
    monkeypatch.setattr(connect_module, "migrations", lambda: [*real, (latest + 1, step)])
    con = connect(tmp_path / "wh.duckdb")
    assert schema_version(con) == latest + 1
    assert ("reviewed",) in con.execute(
        "select column_name from duckdb_columns() where table_name = 'reports'"
    ).fetchall()
    con.close()
    con = connect(tmp_path / "wh.duckdb")  # applied once: a second open does not run it again
    assert schema_version(con) == latest + 1
    unchanged = {k: v for k, v in dump(con).items() if k != "staging.reports"}
    assert unchanged == {k: v for k, v in before.items() if k != "staging.reports"}
    con.close()


def test_a_pre_release_file_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    old = duckdb.connect(str(tmp_path / "old.duckdb"))
    old.execute("create table main.schema_version (version integer primary key, applied_at timestamp)")
    old.execute("insert into main.schema_version values (20, now())")
    old.close()
    with pytest.raises(NianbaoError) as err:
        connect(tmp_path / "old.duckdb")
    assert err.value.code == "pre_release_warehouse" and "move it aside" in err.value.message


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
        findings=[
            Finding("t3_balance", "applications", column="total", left=1, right=2, severity="blocking")
        ],
    )
    assert load_outcome(wh, o) and load_outcome(wh, bad)
    before = dump(wh)
    assert load_outcome(wh, o) is False and load_outcome(wh, bad) is False
    assert len(write_outcomes(wh, [o, bad]).unchanged) == 2
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
    refresh_marts(wh)  # once per run, after its writes
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
    for o in (new, fresh):  # the chunk's transaction and its one-report retry both fail: refused, rolled back
        done = write_outcomes(FaultyConnection(con, "insert into curated.fct_applications", {1, 2}), [o])  # type: ignore[arg-type]
        assert done.changed == [] and [rid for rid, _ in done.failed] == [o.report_id]
        assert "injected fault" in done.failed[0][1]
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
    result = write_outcomes(
        wh, [outcome("hz-yjglj", 2020, r), outcome("hz-sfj", 2020, golden("html_hz-sfj_2020"))]
    )
    assert len(result.changed) == 1 and [rid.split("/")[0] for rid, _ in result.failed] == ["hz-yjglj"]
    after = dump(wh)
    assert after["staging.reports"] != before["staging.reports"]
    assert wh.execute("select distinct agency_id from staging.reports").fetchall() == [("hz-sfj",)]


def test_a_failing_chunk_falls_back_to_one_transaction_per_report(tmp_path: Path) -> None:
    con = connect(tmp_path / "wh.duckdb")
    batch = [outcome(f"a{i}", 2020, golden("hz-yjglj_2020")) for i in range(4)]
    # statement 1: the whole chunk (rolled back); 2..5: one per report, the second of which fails
    faulty = FaultyConnection(con, "insert into curated.fct_applications", {1, 3})
    result = write_outcomes(faulty, batch, chunk=10)  # type: ignore[arg-type]
    assert len(result.changed) == 3 and [rid for rid, _ in result.failed] == [batch[1].report_id]
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
    assert len(write_outcomes(many, batch, chunk=3).changed) == len(batch)
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


def test_the_wide_views_have_a_column_per_code_pair(wh: duckdb.DuckDBPyConnection) -> None:
    from nianbao.warehouse.codes import wide_columns

    for table in ("proactive", "applications", "review_litigation"):
        got = [
            r[0]
            for r in wh.execute(
                "select column_name from duckdb_columns() where schema_name = 'marts' and table_name = ? "
                "order by column_index",
                [f"wide_{table}"],
            ).fetchall()
        ]
        assert got[8:] == [c for c, _ in wide_columns(table)]


def test_fact_rows_stay_unique_without_primary_keys(tmp_path: Path) -> None:
    """The fact tables have no key index: loads, reloads and re-extractions add no duplicates."""
    con = connect(tmp_path / "wh.duckdb")
    batch = [
        outcome(f"a{i}", y, scaled(golden(n), i + 1))
        for i, (y, n) in enumerate([(2020, g) for g in GOLDENS_2020] + [(2022, g) for g in GOLDENS_2022])
    ]
    write_outcomes(con, batch + batch[:2], chunk=4)  # a report twice in one batch, and across chunks
    write_outcomes(con, batch, chunk=3)  # unchanged
    load_outcome(con, outcome("a0", 2020, scaled(golden(GOLDENS_2020[0]), 7), extractor_version="0.2.0"))
    for table, (target, a, b) in write.FACT_TABLES.items():
        assert con.execute(
            f"select count(*) from (select report_id, {a}, {b} from {target} group by all "
            "having count(*) > 1)"
        ).fetchone() == (0,), table
    assert con.execute(
        "select count(*) from duckdb_constraints() where schema_name = 'curated' "
        "and table_name like 'fct_%' and constraint_type = 'PRIMARY KEY'"
    ).fetchone() == (0,)
    con.close()


@pytest.mark.parametrize("order", ["later-first", "one-batch"])
def test_a_year_loaded_after_its_following_year_rechecks_it(tmp_path: Path, order: str) -> None:
    """cross_year_carry both ways: year + 1 stored first (or in the same batch), then its previous year."""
    con = connect(tmp_path / "wh.duckdb")
    later = golden(GOLDENS_2022[0])
    later.year = 2021
    earlier = golden(GOLDENS_2020[0])
    earlier.applications["carried_out"] = {k: v + 1 for k, v in later.applications["carried_in"].items()}
    docs = [
        (DocRef("a", 2021, None, sha("a/2021")), later),
        (DocRef("a", 2020, None, sha("a/2020")), earlier),
    ]
    if order == "later-first":
        load(con, docs[:1])
        load(con, docs[1:])
    else:
        load(con, docs)
    checks = con.execute(
        "select r.year, count(*) from staging.findings as f join staging.reports as r "
        "using (report_id) where f.check_id = 'cross_year_carry' group by 1"
    ).fetchall()
    assert checks and {y for y, _n in checks} == {2021}
    con.close()


def test_a_warehouse_written_before_the_url_validators_learns_them_from_its_fetch_log(
    tmp_path: Path, monkeypatch
) -> None:
    """Migration 002 fills raw.url_validators from the log a warehouse already holds: the first night after
    the upgrade asks every URL it knew conditionally, with its latest successful fetch's validators."""
    from datetime import datetime

    from nianbao.pipeline.fetch import Known
    from nianbao.warehouse.read import known_urls

    path = tmp_path / "wh.duckdb"
    real = connect_module.migrations()
    monkeypatch.setattr(connect_module, "migrations", lambda: [m for m in real if m[0] < 2])
    con = connect(path)
    assert schema_version(con) == BASELINE
    url = "http://127.0.0.1/a.pdf"
    for n, (day, status, etag, sha) in enumerate(
        [(1, "ok", "e1", "1" * 64), (2, "not_modified", "e2", "1" * 64), (3, "failed", None, None)], 1
    ):
        con.execute(
            "insert into raw.fetch_log (attempt_id, run_id, url, status, sha256, fetched_at, etag,"
            " last_modified, attempt) values (?, ?, ?, ?, ?, ?, ?, ?, 1)",
            [f"r{n}:{url}:1", f"r{n}", url, status, sha, datetime(2026, 1, day), etag, etag and f"lm-{etag}"],
        )
    con.close()
    monkeypatch.setattr(connect_module, "migrations", lambda: real)
    con = connect(path)
    assert schema_version(con) >= 2
    assert known_urls(con) == {url: Known("e2", "lm-e2", "1" * 64)}
