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
