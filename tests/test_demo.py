"""`nianbao demo` on the bundled sample city matches the city's ground truth (issues 2 and 4).

The demo runs for real in a subprocess: the sample sites served on loopback, discovery, fetch,
extraction of every format, the GX checks and the DuckDB load. The rollup of each year must equal the
sum of the truth records that should be admitted, computed here from the truth files; every planted
fault must surface as exactly the finding or refusal recorded for it, and nothing else.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from nianbao.demo.city import CITY_DIR

from browser import Browser, assert_site_sound, chromium_or_skip, crawl
from helpers import nianbao

MANIFEST = json.loads((CITY_DIR / "truth" / "manifest.json").read_text(encoding="utf-8"))


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The one test of the installed command as a separate process (the rest run it in-process)."""
    return subprocess.run(
        [sys.executable, "-m", "nianbao", *args], capture_output=True, text=True, env=env, timeout=1500
    )


def _warehouse(env: dict[str, str]) -> list[str]:
    return ["--warehouse", env["NIANBAO_WAREHOUSE"]]


def _expected_rollup(year: int) -> dict[str, Any]:
    sums: dict[str, dict[str, dict[str, Decimal]]] = {
        t: defaultdict(lambda: defaultdict(Decimal))
        for t in ("proactive", "applications", "review_litigation")
    }
    counted = []
    for entry in MANIFEST["reports"]:
        if entry["year"] != year or entry["expect"] not in ("admitted", "warning"):
            continue
        counted.append(entry["agency_id"])
        record = json.loads((CITY_DIR / "truth" / Path(entry["truth"]).name).read_text(encoding="utf-8"))
        for table, rows in sums.items():
            for row, cols in record[table].items():
                for col, value in cols.items():
                    rows[row][col] += Decimal(str(value))
    as_json = {
        t: {
            r: {c: (int(v) if v == v.to_integral() else float(v)) for c, v in cols.items()}
            for r, cols in rows.items()
        }
        for t, rows in sums.items()
    }
    return {"counted": sorted(counted), **as_json}


@pytest.fixture(scope="module")
def demo_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[dict[str, str], subprocess.CompletedProcess[str]]:
    home = tmp_path_factory.mktemp("demo")
    env = {
        **os.environ,
        "NIANBAO_HOME": str(home),
        "NIANBAO_WAREHOUSE": str(home / "nianbao.duckdb"),
        "PREFECT_HOME": str(home / "prefect"),
    }
    env.pop("PREFECT_API_URL", None)
    env.pop("PREFECT_API_DATABASE_CONNECTION_URL", None)
    env.pop("NIANBAO_SITE", None)  # the demo's own default: the analysts' site under NIANBAO_HOME
    return env, _cli("demo", env=env)


@pytest.mark.slow
def test_demo_summary(demo_run: tuple[dict[str, str], subprocess.CompletedProcess[str]]) -> None:
    env, out = demo_run
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout == ""  # people read stderr; stdout carries data only
    assert "citywide rollup" in out.stderr
    assert "matches the sample's truth" in out.stderr
    assert Path(env["NIANBAO_WAREHOUSE"]).exists()


@pytest.mark.slow
@pytest.mark.parametrize("year", [2020, 2021, 2022, 2023])
def test_demo_rollup_equals_the_truth(demo_run: tuple[dict[str, str], Any], year: int) -> None:
    env, out = demo_run
    assert out.returncode == 0, out.stderr[-3000:]
    got = json.loads(nianbao("rollup", "--year", str(year), "--format", "json", *_warehouse(env)).stdout)
    expected = _expected_rollup(year)
    assert sorted(got["agencies_counted"]) == expected["counted"]
    for table in ("proactive", "applications", "review_litigation"):
        assert got[table] == expected[table], table
    left_out = {x["agency"]: x for x in got["left_out"]}
    for entry in MANIFEST["reports"]:
        if entry["year"] != year or entry["expect"] in ("admitted", "warning"):
            continue
        x = left_out.pop(entry["agency_id"])
        assert x["reason"] == entry["expect"]
        if entry["expect"] == "quarantined":
            assert x["checks"] == entry["checks"]
        else:
            assert x["error"] == entry["error"]
    assert left_out == {}


@pytest.mark.slow
def test_demo_flags_exactly_the_planted_faults(demo_run: tuple[dict[str, str], Any]) -> None:
    env, out = demo_run
    assert out.returncode == 0, out.stderr[-3000:]
    findings = [
        json.loads(line)
        for line in nianbao("findings", "--format", "json", *_warehouse(env)).stdout.splitlines()
    ]
    got = {(f["agency"], f["year"], f["check"]) for f in findings}
    expected = {
        (e["agency_id"], e["year"], c) for e in MANIFEST["reports"] for c in e["checks"] + e["warnings"]
    }
    assert got == expected
    for f in findings:
        planted = next(
            p
            for e in MANIFEST["reports"]
            if (e["agency_id"], e["year"]) == (f["agency"], f["year"])
            for p in e["planted"]
            if p.get("check") == f["check"]
        )
        if "cells" in planted:
            assert f["locations"], f  # each finding points into the document


@pytest.fixture(scope="module")
def demo_site(demo_run: tuple[dict[str, str], Any]) -> Path:
    """The site the demo's run built at its end (issue 15: the refresh builds it), named in its summary."""
    env, out = demo_run
    assert out.returncode == 0, out.stderr[-3000:]
    site = Path(env["NIANBAO_HOME"]) / "site"
    assert "analysts' site" in out.stderr and "not rebuilt" not in out.stderr, out.stderr[-3000:]
    assert "crop not rendered" not in out.stderr
    assert (site / "index.html").is_file()
    assert not any("could not be rendered" in p.read_text("utf-8") for p in (site / "agency").glob("*.html"))
    return site


@pytest.mark.slow
def test_the_site_builds_from_the_demo_warehouse(demo_site: Path) -> None:
    """Issue 15: the analysts' site of the sample city, every planted finding with its evidence."""
    pages = list(demo_site.rglob("*.html"))
    assert len(pages) == 6 + 2 * 4 + 37 and max(p.stat().st_size for p in pages) < 2 * 1024 * 1024
    queue = (demo_site / "quarantine.html").read_text(encoding="utf-8")
    for e in MANIFEST["reports"]:
        if e["expect"] == "quarantined":
            assert f"nianbao review accept {e['agency_id']} {e['year']} --reason WHY" in queue
    assert len(list((demo_site / "evidence").glob("*.png"))) >= 4  # the PDF findings' page crops


@pytest.mark.slow
def test_the_demo_site_in_a_browser(demo_run: tuple[dict[str, str], Any], demo_site: Path) -> None:
    browser = Browser(chromium_or_skip())
    try:
        assert_site_sound(crawl(browser, demo_site), demo_site, Path(demo_run[0]["NIANBAO_WAREHOUSE"]))
    finally:
        browser.close()


def test_truth_comparison_names_every_kind_of_difference() -> None:
    """The demo's self-check passes the truth's own rollups and names a wrong cell, agency and finding."""
    from nianbao.demo.truth import differences, expected_findings, expected_rollup, load_manifest

    manifest = load_manifest(CITY_DIR)
    rollups = {y: expected_rollup(CITY_DIR, manifest, y) for y in (2020, 2021, 2022, 2023)}
    found = expected_findings(manifest)
    assert differences(CITY_DIR, rollups, found) == []

    rollups[2021]["applications"]["received_new"]["total"] += 6
    moved = rollups[2022]["agencies_counted"].pop(0)
    rollups[2022]["left_out"].append({"agency": moved, "reason": "quarantined", "checks": ["t3_balance"]})
    found = (found - {("hz-mzj", 2022, "t3_balance")}) | {("hz-szf", 2020, "t4_group_total")}
    wrong = differences(CITY_DIR, rollups, found)
    assert len(wrong) == 5
    assert any(w.startswith("2021: applications.received_new.total = ") for w in wrong)
    assert any(w.startswith("2022: agencies counted differ") and moved in w for w in wrong)
    assert any(w.startswith(f"2022: {moved} left out as") for w in wrong)
    assert "2020: unexpected finding t4_group_total for hz-szf" in wrong
    assert "2022: missing finding t3_balance for hz-mzj" in wrong
