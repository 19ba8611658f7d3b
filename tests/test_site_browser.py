"""The analysts' site in a real headless browser (issue 15): Debian's Chromium over its DevTools protocol.

Every page reachable from the index is loaded: none logs an error, none asks for anything outside the
machine (requests to any network address are blocked and would be recorded), every link and image inside
the site resolves (anchors included), every page is reachable, and every number the pages show as a
rollup cell equals what `nianbao rollup --format json` prints. The league table sorts on a click.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from nianbao.site.build import build_site
from nianbao.warehouse.connect import open_for_reading

from browser import Browser, assert_site_sound, chromium_or_skip, crawl
from sitecity import SiteCity, make_city

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    b = Browser(chromium_or_skip())
    try:
        yield b
    finally:
        b.close()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[SiteCity, Path]:
    city = make_city(tmp_path_factory.mktemp("browsercity"))
    out = tmp_path_factory.mktemp("browsersite") / "site"
    con = open_for_reading(city.warehouse)
    try:
        build_site(con, out, raw_store=city.raw_store)
    finally:
        con.close()
    return city, out


@pytest.fixture(scope="module")
def visited(browser: Browser, built: tuple[SiteCity, Path]) -> dict[str, Any]:
    return crawl(browser, built[1])


def test_every_page_loads_clean_offline_and_whole(
    visited: dict[str, Any], built: tuple[SiteCity, Path]
) -> None:
    city, site = built
    assert_site_sound(visited, site, city.warehouse)


def test_the_league_table_sorts_on_a_click(browser: Browser, built: tuple[SiteCity, Path]) -> None:
    _, site = built
    browser.goto((site / "league-2020.html").resolve().as_uri())
    order = "[...document.querySelectorAll('table.league tbody tr')].map(r => r.children[%d].dataset.v ?? r.children[%d].textContent)"
    rate = 6  # the disclosure rate column
    browser.js(f"document.querySelectorAll('table.league th')[{rate}].click()")
    up = [float(v) for v in browser.js(order % (rate, rate))]
    browser.js(f"document.querySelectorAll('table.league th')[{rate}].click()")
    down = [float(v) for v in browser.js(order % (rate, rate))]
    assert up == sorted(up) and down == sorted(down, reverse=True) and len(up) == 3


def test_the_harness_sees_what_it_must_refuse(browser: Browser, tmp_path: Path) -> None:
    """A page that reaches out, logs an error and links nowhere is caught on all three counts."""
    (tmp_path / "index.html").write_text(
        '<!doctype html><meta charset="utf-8"><img src="https://cdn.example.com/x.png">'
        '<script>console.error("boom")</script><a href="missing.html">x</a>',
        encoding="utf-8",
    )
    seen = crawl(browser, tmp_path)
    assert seen["outside"] == ["https://cdn.example.com/x.png"]
    assert any("boom" in e for errs in seen["errors"].values() for e in errs)
    assert any("missing.html" in b for b in seen["broken"])
