"""The load's shortcuts (issue 17) decide as the long way does: rounding remembered, the cheap refusal
check, deletes only for stored reports, the garbage collector left as it was."""

from __future__ import annotations

import gc
import hashlib
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from nianbao.pipeline.model import Location, Outcome, Report
from nianbao.warehouse import write
from nianbao.warehouse.connect import connect
from nianbao.warehouse.ingest import load

from helpers import GOLDEN


def golden(name: str = "hz-yjglj_2020") -> Report:
    return Report.from_json(json.loads((GOLDEN / f"{name}.json").read_text(encoding="utf-8")))


def outcome(agency: str, report: Report | None, year: int = 2020) -> Outcome:
    sha = hashlib.sha256(f"{agency}/{year}".encode()).hexdigest()
    return Outcome(agency, year, sha, f"http://127.0.0.1/{agency}/{year}.pdf", report=report)


def test_a_location_rounds_its_box_as_round_does_whatever_came_before() -> None:
    # equal keys that round differently (-0.0 and 0.0, 5 and 5.0) and values rounding either way
    values = [0.0, -0.0, 5.0, 5, -0.0, 0.0, 5, 1.005, 2.675, 100.125, -3.14159, 1e-9, -1e-9, 7.999999]
    for i in range(len(values) - 3):
        bbox = tuple(values[i : i + 4])
        got = Location(raw="1", page=1, bbox=bbox).as_json()["bbox"]  # type: ignore[arg-type]
        want = [round(v, 2) for v in bbox]
        assert json.dumps(got) == json.dumps(want)
        assert [type(v) for v in got] == [type(v) for v in want]


@pytest.mark.parametrize(
    ("cell", "value", "refused"),
    [
        ("proactive.regulations.new", 10**16 - 1, None),
        ("proactive.regulations.new", 10**16, "does not fit decimal(18,2)"),
        ("proactive.regulations.new", -(10**16), "does not fit decimal(18,2)"),
        ("proactive.fees.amount_yuan", Decimal("9999999999999999.99"), None),
        ("proactive.fees.amount_yuan", Decimal("1E16"), "does not fit decimal(18,2)"),
        ("proactive.fees.amount_yuan", Decimal("-1E16"), "does not fit decimal(18,2)"),
        ("proactive.regulations.new", 1.5, "does not fit decimal(18,2)"),
        ("applications.granted.total", 2**63 - 1, None),
        ("applications.granted.total", -(2**63 - 1), None),
        ("applications.granted.total", 2**63, "is not a bigint"),
        ("applications.granted.total", -(2**63), "is not a bigint"),
        ("applications.granted.total", Decimal(3), "is not a bigint"),
        ("applications.granted.total", 3.0, "is not a bigint"),
        ("applications.granted.total", True, "no value"),
        ("review_litigation.review.total", None, "no value"),
        ("review_litigation.review.", 1, "unknown cell"),
        ("review_litigation..total", 1, "unknown cell"),
    ],
)
def test_the_warehouse_refuses_what_its_columns_cannot_hold(
    cell: str, value: Any, refused: str | None
) -> None:
    r = golden()
    table, row, col = cell.split(".")
    getattr(r, table).setdefault(row, {})[col] = value
    why = write.refusal(outcome("a", r))
    assert (why is None) if refused is None else (why is not None and refused in why), why


class Recording:
    """A real DuckDB connection that remembers the statements it ran."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.sql: list[str] = []

    def execute(self, sql: str, *args: Any) -> Any:
        self.sql.append(sql)
        return self.con.execute(sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.con, name)


def test_only_stored_reports_have_their_rows_deleted(tmp_path: Path) -> None:
    """A new report's rows cannot be stored yet: no delete (each scans a whole fact table, which made a
    first load grow with the square of its size); a report written again has its old rows replaced."""
    con = connect(tmp_path / "wh.duckdb")
    rec = Recording(con)
    first = [outcome(f"a{i}", golden()) for i in range(3)]
    assert len(write.write_outcomes(rec, first).changed) == 3  # type: ignore[arg-type]
    assert not [s for s in rec.sql if s.startswith("delete")]
    again = golden()
    again.applications["granted"]["total"] += 1
    again.applications["handled_total"]["total"] += 1
    o = outcome("a1", again)
    o.extractor_version = "0.2.0"
    rec.sql.clear()
    done = write.write_outcomes(rec, [o, outcome("b", golden())])  # type: ignore[arg-type]
    assert done.changed == [o.report_id, outcome("b", None).report_id]
    assert any(s.startswith("delete from curated.fct_applications") for s in rec.sql)
    rows = con.execute(
        "select report_id, count(*), count(distinct extractor_version) from curated.fct_applications"
        " group by 1 order by 1"
    ).fetchall()
    assert len(rows) == 4 and len({n for _r, n, _v in rows}) == 1 and {v for *_x, v in rows} == {1}
    assert con.execute(
        "select value, extractor_version from curated.fct_applications"
        " where report_id = ? and row_code = 'granted' and applicant = 'total'",
        [o.report_id],
    ).fetchall() == [(again.applications["granted"]["total"], "0.2.0")]
    con.close()


@pytest.mark.parametrize("enabled", [True, False])
def test_a_load_leaves_the_garbage_collector_as_it_found_it(tmp_path: Path, enabled: bool) -> None:
    from nianbao.pipeline.model import DocRef

    con = connect(tmp_path / "wh.duckdb")
    ref = DocRef("a", 2020, "http://127.0.0.1/a.pdf", hashlib.sha256(b"a").hexdigest())
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        load(con, [(ref, golden())])
        assert gc.isenabled() is enabled
        con.close()
        with pytest.raises(duckdb.ConnectionException):  # a load that fails half way
            load(con, [(ref, golden())])
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()


def test_the_siblings_of_many_documents_asked_at_once_are_each_ones_own(tmp_path: Path) -> None:
    """One query for a whole load's siblings gives each document what a query of its own gives."""
    from nianbao.pipeline.model import DocRef
    from nianbao.warehouse.read import siblings_of
    from nianbao.warehouse.write import log_attempts

    con = connect(tmp_path / "wh.duckdb")
    art1, art2 = "http://127.0.0.1/a/1.html", "http://127.0.0.1/b/2.html"
    stored = [  # (agency, year, url, article page)
        ("hz-yjglj", 2020, "http://127.0.0.1/a/x.pdf", art1),
        ("hz-yjglj", 2020, "http://127.0.0.1/a/y.docx", art1),
        ("hz-yjglj", 2021, "http://127.0.0.1/a/z.pdf", art1),  # the same page, but another year's report
        ("hz-sfj", 2020, "http://127.0.0.1/b/w.pdf", art2),
    ]
    refs = [DocRef(a, y, u, hashlib.sha256(u.encode()).hexdigest(), via=v) for a, y, u, v in stored]
    load(con, [(r, golden()) for r in refs])
    log_attempts(
        con,
        [
            {
                "attempt_id": f"r:{r.url}:1",
                "run_id": "r",
                "agency_id": r.agency_id,
                "year": r.year,
                "url": r.url,
                "status": "ok",
                "sha256": r.sha256,
                "attempt": 1,
                "role": "document",
                "via": r.via,
            }
            for r in refs
        ],
    )
    asked = [
        DocRef("hz-yjglj", 2020, "http://127.0.0.1/a/new.pdf", "e" * 64, via=art1),  # x and y
        refs[0],  # itself left out: y
        DocRef("hz-sfj", 2020, "http://127.0.0.1/b/v.pdf", "f" * 64, via=art2),  # w
        DocRef("hz-sfj", 2020, "http://127.0.0.1/b/u.pdf", "f" * 64, via=None),  # no article page
        DocRef("hz-sfj", 2022, "http://127.0.0.1/b/t.pdf", "f" * 64, via=art2),  # no report of that year
    ]
    together = siblings_of(con, asked)
    assert {r: [s.url for s in found] for r, found in together.items()} == {
        asked[0]: ["http://127.0.0.1/a/x.pdf", "http://127.0.0.1/a/y.docx"],
        asked[1]: ["http://127.0.0.1/a/y.docx"],
        asked[2]: ["http://127.0.0.1/b/w.pdf"],
    }
    for r in asked:
        assert siblings_of(con, [r]).get(r, []) == together.get(r, [])
    assert together[asked[2]][0].record == {
        t: golden().canonical()[t] for t in ("proactive", "applications", "review_litigation")
    }


def test_bulk_logs_take_repeated_keys_as_a_row_at_a_time_did(tmp_path: Path) -> None:
    """One statement for a night's documents and ingest outcomes: a repeated document keeps its first
    record, a repeated ingest key its last outcome (what a statement per row left)."""
    con = connect(tmp_path / "wh.duckdb")
    con.execute("select 1")  # a result left unread, as callers do: a statement may still follow
    write.record_documents(
        con, [("a" * 64, 10, "pdf", "/s/a"), ("b" * 64, 20, None, "/s/b"), ("a" * 64, 11, "html", "/s/a2")]
    )
    write.record_documents(con, [("b" * 64, 21, "pdf", "/s/b2")])  # kept as first seen
    assert con.execute(
        "select sha256, size_bytes, format, store_path from raw.documents order by 1"
    ).fetchall() == [
        ("a" * 64, 10, "pdf", "/s/a"),
        ("b" * 64, 20, None, "/s/b"),
    ]
    row = ("run", "a" * 64, "hz-yjglj", 2020, "http://127.0.0.1/a.pdf")
    write.log_ingests(con, [(*row, "failed", None, "load_failed", "x"), (*row, "loaded", True, None, None)])
    write.log_ingests(con, [(*row[:3], 2021, None, "unreadable", False, "no_text_layer", "no text")])
    assert con.execute(
        "select year, url, status, changed, error_code, error from raw.ingest_log order by year"
    ).fetchall() == [
        (2020, "http://127.0.0.1/a.pdf", "loaded", True, None, None),
        (2021, None, "unreadable", False, "no_text_layer", "no text"),
    ]


def test_a_url_is_known_by_its_latest_successful_fetch(tmp_path: Path) -> None:
    """A crawl asks each URL with the validators of its latest fetch that succeeded: a later failure does
    not erase them, a later 304 carries them on, and the later of two attempts in one night wins."""
    from datetime import datetime

    from nianbao.pipeline.fetch import Known
    from nianbao.warehouse.read import known_urls
    from nianbao.warehouse.write import log_attempts

    con = connect(tmp_path / "wh.duckdb")
    a, b, c = "http://127.0.0.1/a.pdf", "http://127.0.0.1/b.pdf", "http://127.0.0.1/c.pdf"

    def row(
        run: str, day: int, url: str, n: int, status: str, etag: str | None, sha: str | None
    ) -> dict[str, Any]:
        return {
            "attempt_id": f"{run}:{url}:{n}",
            "run_id": run,
            "url": url,
            "attempt": n,
            "fetched_at": datetime(2026, 1, day, 2, 0),
            "status": status,
            "etag": etag,
            "last_modified": None if etag is None else f"lm-{etag}",
            "sha256": sha,
            "role": "document",
        }

    nights = [
        row("r1", 1, a, 1, "ok", "a1", "1" * 64),
        row("r2", 2, a, 1, "ok", "a2", "2" * 64),  # a's body changed on the second night
        row("r3", 3, a, 1, "http_error", None, None),  # then the site failed: a is still known by r2
        row("r1", 1, b, 1, "ok", "b1", "3" * 64),
        row("r2", 2, b, 1, "not_modified", "b1", "3" * 64),
        row("r1", 1, c, 1, "ok", "c1", "4" * 64),
        row("r4", 4, c, 1, "ok", "c2", "5" * 64),  # the same moment, two attempts: the later one counts
        row("r4", 4, c, 2, "ok", "c3", "6" * 64),
        row("r5", 5, c, 1, "ok", "c9", None),  # no body stored: nothing to compare against
    ]
    expected = {
        a: Known("a2", "lm-a2", "2" * 64),
        b: Known("b1", "lm-b1", "3" * 64),
        c: Known("c3", "lm-c3", "6" * 64),
    }
    log_attempts(con, nights)  # in one write
    assert known_urls(con) == expected
    one_by_one = connect(tmp_path / "late.duckdb")
    for r in reversed(nights):  # an earlier attempt logged after a later one changes nothing
        log_attempts(one_by_one, [r])
    assert known_urls(one_by_one) == expected
