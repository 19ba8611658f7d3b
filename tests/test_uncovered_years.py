"""Issue 18 item 5: one report of a year no template covers (before 2019) never stops a run. It used to end
the refresh with a StopIteration traceback (the analysts' snapshot was never published), and
`nianbao rollup --year 2018` gave a traceback. (Discovery skipping such links: test_hostile_site.py;
a catalog naming such a year: test_catalog.py.)"""

from __future__ import annotations

from pathlib import Path

from nianbao.pipeline.model import DocRef
from nianbao.pipeline.rawstore import RawStore
from nianbao.warehouse.connect import connect, publish_snapshot, snapshot_path

from helpers import EXAMPLE_TXT, nianbao, rows, settings_for


def test_rollup_of_a_year_no_template_covers_is_one_line(tmp_path: Path) -> None:
    wh = tmp_path / "nianbao.duckdb"
    connect(wh).close()
    publish_snapshot(wh)
    ran = nianbao("rollup", "--year", "2018", "--warehouse", str(wh))
    assert ran.returncode == 1 and ran.stdout == ""
    assert "year_not_covered" in ran.stderr and "2019" in ran.stderr
    assert "Traceback" not in ran.stderr and "StopIteration" not in ran.stderr


def test_a_stored_report_of_an_uncovered_year_does_not_stop_the_refresh(tmp_path: Path) -> None:
    from nianbao.flows.ingest import ingest_documents
    from nianbao.flows.refresh import refresh_warehouse

    wh, raw = tmp_path / "wh" / "nianbao.duckdb", tmp_path / "raw"
    settings = settings_for(wh, raw)
    store = RawStore(raw)
    refs = [
        # what a listing once called 2018, and that cannot be read: stored, counted for no rollup
        DocRef("hz-yjglj", 2018, "http://127.0.0.1/2018.txt", store.put("2018年，无表格。".encode())),
        DocRef("hz-yjglj", 2020, "http://127.0.0.1/2020.txt", store.put(EXAMPLE_TXT.read_bytes())),
    ]
    results = ingest_documents(refs, settings, "run-1", prefect=False)
    assert {(r.ref.year, r.status) for r in results} == {(2018, "unreadable"), (2020, "loaded")}
    outcome = refresh_warehouse(settings, "run-1", force=True)
    assert outcome["refreshed"] and 2018 not in outcome["years"] and 2020 in outcome["years"]
    assert snapshot_path(wh).exists()  # the analysts' snapshot is published all the same
    assert (settings.exports / "rollups" / "2020.json").exists()
    assert not (settings.exports / "rollups" / "2018.json").exists()
    assert rows(wh, "select count(*) from staging.reports where year = 2018") == [(1,)]
    ran = nianbao("rollup", "--year", "2018", "--warehouse", str(wh))
    assert ran.returncode == 1 and "Traceback" not in ran.stderr
