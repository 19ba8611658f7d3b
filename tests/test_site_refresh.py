"""The analysts' site after a refresh (issue 15): the refresh flow rebuilds it from the snapshot it has
just published and links it from the flow run as a Prefect artifact; a refresh that refreshed nothing
leaves it alone; a build that fails is recorded and the refresh still succeeds; a review rebuilds it.

Real parts: the small real city of tests/sitecity.py, a real Prefect API (`prefect_harness`), the
artifact read back through the Prefect client.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import lxml.html
import pytest

from nianbao.flows.refresh import SITE_ARTIFACT, refresh
from nianbao.site.build import MARKER, built_from, refresh_stamp
from nianbao.warehouse.connect import open_for_reading
from nianbao.warehouse.rollup import rollup

from helpers import nianbao
from sitecity import SiteCity, make_city


@pytest.fixture
def city(tmp_path: Path) -> SiteCity:
    return make_city(tmp_path / "city")


def _refresh(city: SiteCity, **kw: Any) -> tuple[UUID, dict[str, Any]]:
    """Run the refresh flow; its flow run id and result (the flow must complete)."""
    state = refresh(warehouse=str(city.warehouse), debounce_s=0, return_state=True, **kw)
    assert state.is_completed(), state
    flow_run_id = state.state_details.flow_run_id
    assert flow_run_id is not None
    return flow_run_id, state.result()


def _artifacts(flow_run_id: UUID) -> list[Any]:
    """The link artifacts of a flow run under the site's key, read back through the Prefect client."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        ArtifactFilterKey,
    )

    async def read() -> list[Any]:
        async with get_client() as client:
            return await client.read_artifacts(
                artifact_filter=ArtifactFilter(
                    key=ArtifactFilterKey(any_=[SITE_ARTIFACT]),
                    flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]),
                )
            )

    return asyncio.run(read())


def _matches_the_snapshot(city: SiteCity, site: Path) -> None:
    """The site was built from the snapshot's last refresh, and every number its year pages show is the
    snapshot's rollup."""
    con = open_for_reading(city.warehouse)
    try:
        assert built_from(site) == refresh_stamp(con) != "none"
        rollups = {y: rollup(con, y) for y in (2020, 2022)}
    finally:
        con.close()
    for y, r in rollups.items():
        cells = lxml.html.parse(str(site / f"year-{y}.html")).getroot().xpath("//*[@data-cell]")
        assert len(cells) > 250
        for el in cells:
            table, row, col = el.get("data-cell").split(".")
            if el.get("data-scale") is None:
                shown = Decimal(el.text_content().strip().replace(",", ""))
                assert shown == Decimal(str(r[table][row][col])), el.get("data-cell")


def test_the_refresh_flow_builds_the_site_and_links_it(
    prefect_harness: None, city: SiteCity, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    monkeypatch.setenv("NIANBAO_SITE", str(site))
    monkeypatch.setenv("NIANBAO_DATA_DOCS", "")
    run_id, result = _refresh(city)
    assert result["refreshed"] and result["site"]["built"] and result["site"]["error"] is None
    assert result["site"]["path"] == str(site / "index.html")
    assert result["site"]["pages"] > 10
    _matches_the_snapshot(city, site)
    [link] = _artifacts(run_id)
    assert link.type == "markdown"  # Prefect 3 stores a link artifact as the markdown [text](url)
    assert f"({(site / 'index.html').resolve().as_uri()})" in link.data
    assert "Rebuilt by this run" in (link.description or "")

    # nothing loaded since: the refresh refreshes nothing and the site is left as it was
    before = (site / MARKER).stat().st_mtime_ns, (site / "index.html").stat().st_ino
    run_id, again = _refresh(city)
    assert not again["refreshed"]
    assert again["site"]["built"] is False and again["site"]["current"] is True
    assert ((site / MARKER).stat().st_mtime_ns, (site / "index.html").stat().st_ino) == before
    [link] = _artifacts(run_id)
    assert "Unchanged" in (link.description or "")


def test_a_site_that_fails_to_build_does_not_fail_the_refresh(
    prefect_harness: None, city: SiteCity, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A site folder that holds someone else's files is refused: the refresh completes, the snapshot is
    published, the failure is in the result; the next refresh, with the folder fixed, builds the site
    though nothing new was loaded (it was never built from this snapshot)."""
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "notes.txt").write_text("mine", encoding="utf-8")
    monkeypatch.setenv("NIANBAO_SITE", str(taken))
    monkeypatch.setenv("NIANBAO_DATA_DOCS", "")
    run_id, result = _refresh(city)
    assert result["refreshed"] and result["years"] == [2020, 2022]
    assert result["site"]["built"] is False and "site_refused" in result["site"]["error"]
    assert sorted(p.name for p in taken.iterdir()) == ["notes.txt"]
    assert _artifacts(run_id) == []  # no site there to link to
    con = open_for_reading(city.warehouse)  # the snapshot was published all the same
    try:
        assert refresh_stamp(con) != "none"
    finally:
        con.close()

    site = tmp_path / "site"
    monkeypatch.setenv("NIANBAO_SITE", str(site))
    _run_id, again = _refresh(city)
    assert not again["refreshed"] and again["site"]["built"]
    _matches_the_snapshot(city, site)


def test_a_review_rebuilds_the_site(city: SiteCity, tmp_path: Path) -> None:
    """After `nianbao review accept`, the site shows the accepted report as counted, off the queue."""
    site = tmp_path / "site"
    env = {"NIANBAO_SITE": str(site), "NIANBAO_DATA_DOCS": "", "NIANBAO_RAW_STORE": str(city.raw_store)}
    ran = nianbao(
        "review",
        "accept",
        "ag-pdf",
        "2022",
        "--reason",
        "as printed",
        "--warehouse",
        str(city.warehouse),
        env=env,
    )
    assert ran.returncode == 0, ran.stderr
    assert f"analysts' site: {site / 'index.html'}" in ran.stderr
    _matches_the_snapshot(city, site)
    queue = lxml.html.parse(str(site / "quarantine.html")).getroot()
    assert {s.get("id") for s in queue.xpath("//section")} == {"q-ag-html-2022"}
    coverage = lxml.html.parse(str(site / "coverage.html")).getroot()
    [cell] = coverage.xpath('//a[@href="agency/ag-pdf.html#y2022"]')
    assert cell.get("data-status") == "counted"
