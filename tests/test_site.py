"""The analysts' site (issue 15), built in-process over a small real warehouse (tests/sitecity.py).

What a reader relies on: every number on the year pages is the rollup's; the tables are printed with the
template's own labels and merges; every finding has its evidence (a PDF crop, an HTML/DOCX table
re-drawn); the quarantine queue's commands work as printed; nothing on a page points outside the site
but the documents' own URLs. The real browser's view is in test_site_browser.py.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import lxml.html
import pytest
from PIL import Image

from nianbao.pipeline import tables as T
from nianbao.site.build import MARKER, Built, build_site
from nianbao.site.printed import Cell, Grid, grid_html, printed_tables
from nianbao.site.redraw import redraw
from nianbao.warehouse.connect import open_for_reading
from nianbao.warehouse.rollup import rollup

from helpers import nianbao
from sitecity import AGENCIES, QUARANTINED, SiteCity, make_city

YEARS = (2020, 2022)


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> SiteCity:
    return make_city(tmp_path_factory.mktemp("sitecity"))


@pytest.fixture(scope="module")
def site(city: SiteCity, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Built]:
    out = tmp_path_factory.mktemp("site") / "site"
    con = open_for_reading(city.warehouse)
    try:
        return out, build_site(con, out, raw_store=city.raw_store)
    finally:
        con.close()


@pytest.fixture(scope="module")
def rollups(city: SiteCity) -> dict[int, dict[str, Any]]:
    con = open_for_reading(city.warehouse)
    try:
        return {y: rollup(con, y) for y in YEARS}
    finally:
        con.close()


def _page(site: tuple[Path, Built], name: str) -> Any:
    return lxml.html.fromstring((site[0] / name).read_text(encoding="utf-8"))


def _number(text: str, scale: str | None) -> Decimal:
    return Decimal(text.strip()) * int(scale or 1)


def test_every_page_is_written_and_small(site: tuple[Path, Built]) -> None:
    out, built = site
    pages = {p.relative_to(out).as_posix() for p in out.rglob("*.html")}
    assert pages == {
        "index.html",
        "coverage.html",
        "agencies.html",
        "quarantine.html",
        "findings.html",
        "quality.html",
        *(f"year-{y}.html" for y in YEARS),
        *(f"league-{y}.html" for y in YEARS),
        *(f"agency/{a.id}.html" for a in AGENCIES),
    }
    assert (out / "style.css").exists() and (out / MARKER).exists()
    assert len(list((out / "csv").glob("*.csv"))) == 4 * len(YEARS) + 4
    assert built.crop_errors == []
    assert max(built.page_sizes.values()) < 2 * 1024 * 1024


@pytest.mark.parametrize("name", ["index.html", *(f"year-{y}.html" for y in YEARS)])
def test_the_numbers_shown_are_the_rollups(
    site: tuple[Path, Built], rollups: dict[int, dict[str, Any]], name: str
) -> None:
    """Every rollup cell a page shows (tables as printed, chart tables, headline) equals the rollup's."""
    cells = _page(site, name).xpath("//*[@data-cell]")
    assert len(cells) > (10 if name == "index.html" else 250)
    for el in cells:
        table, row, col = el.get("data-cell").split(".")
        expected = rollups[int(el.get("data-year"))][table][row][col]
        assert _number(el.text_content(), el.get("data-scale")) == Decimal(str(expected)), el.get("data-cell")


@pytest.mark.parametrize("year", YEARS)
def test_who_was_counted_and_left_out_is_the_rollups(
    site: tuple[Path, Built], rollups: dict[int, dict[str, Any]], year: int
) -> None:
    page = _page(site, f"year-{year}.html")
    assert [li.get("data-counted") for li in page.xpath("//li[@data-counted]")] == rollups[year][
        "agencies_counted"
    ]
    shown = [(tr.get("data-left-out"), tr.get("data-reason")) for tr in page.xpath("//tr[@data-left-out]")]
    assert shown == [(x["agency"], x["reason"]) for x in rollups[year]["left_out"]]
    coverage = _page(site, "coverage.html")
    statuses = {
        a.get("href").removeprefix("agency/"): a.get("data-status")
        for a in coverage.xpath("//a[@data-status]")
    }
    for x in rollups[year]["left_out"]:
        assert statuses[f"{x['agency']}.html#y{year}"] == x["reason"]
    for a in rollups[year]["agencies_counted"]:
        assert statuses[f"{a}.html#y{year}"] == "counted"


def _occupancy(grid: Grid) -> list[list[int]]:
    """How many cells cover each position of a grid (a sound table covers each exactly once)."""
    taken: dict[tuple[int, int], int] = {}
    for r, row in enumerate(grid.rows):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken[(r + dr, c + dc)] = taken.get((r + dr, c + dc), 0) + 1
            c += cell.colspan
    width = max(c for _, c in taken) + 1
    return [[taken.get((r, c), 0) for c in range(width)] for r in range(len(grid.rows))]


@pytest.mark.parametrize("template", T.TEMPLATES)
def test_the_printed_tables_are_whole_and_use_the_templates_labels(
    template: str, rollups: dict[int, dict[str, Any]]
) -> None:
    families = {
        c.code: c.code.split("_")[0] if "_" in c.code else c.code for c in T.APPLICATION_ROWS[template]
    }
    families |= {
        "partially_granted": "partially_granted",
        "handled_total": "handled_total",
        "carried_out": "carried_out",
    }
    grids = printed_tables(template, {}, families)
    for grid in grids:
        assert all(n == 1 for row in _occupancy(grid) for n in row), grid.title
    texts = {c.text for g in grids for c in g.cells() if c.head}
    assert {c.label for c in T.APPLICATION_ROWS[template]} <= texts
    assert {c.label for c in T.PROACTIVE_ITEMS[template] if c.code in T.PROACTIVE_LAYOUT[template]} <= texts
    assert {c.label for c in T.APPLICANTS} | {c.label for c in T.OUTCOMES} <= texts
    refs = {c.ref for g in grids for c in g.cells() if c.ref}
    assert refs == {".".join(cell) for cell in T.expected_cells(template)}


def test_agency_pages_show_documents_tables_and_findings(site: tuple[Path, Built], city: SiteCity) -> None:
    con = duckdb.connect(str(city.warehouse.with_name("city.snapshot.duckdb")), read_only=True)
    try:
        sha, url = con.execute(
            "select sha256, source_url from staging.current_reports where agency_id = 'ag-pdf' and year = 2022"
        ).fetchone()
    finally:
        con.close()
    page = _page(site, "agency/ag-pdf.html")
    text = page.text_content()
    assert sha in text and url in [a.get("href") for a in page.xpath("//a")]
    section = page.get_element_by_id("y2022")
    assert "t3_row_total" in section.text_content()
    flagged = section.xpath(".//table[@class='printed']//td[@class='flag']")
    assert flagged and all("t3_" in td.get("title") for td in flagged)
    assert "unreadable" in _page(site, "agency/ag-bad.html").get_element_by_id("y2022").text_content()
    assert "No report found" in _page(site, "agency/ag-none.html").text_content()


def test_a_pdf_finding_has_a_crop_of_its_page_with_the_cells_highlighted(site: tuple[Path, Built]) -> None:
    out, built = site
    page = _page(site, "agency/ag-pdf.html")
    images = page.xpath("//div[contains(@class, 'finding')]//img")
    assert images and built.crops >= len({i.get("src") for i in images})
    for img in images:
        png = Image.open(out / "agency" / img.get("src")).convert("RGB")
        assert png.width > 1000  # the page's whole width at 144 dpi
        edges = png.getcolors(png.width * png.height) or []
        outlined = sum(n for n, (r, g, b) in edges if 190 <= r <= 210 and g <= 40 and b <= 40)
        assert outlined > 100, img.get("src")  # the cells' red frames


def test_an_html_finding_has_its_table_redrawn_with_the_cells_highlighted(site: tuple[Path, Built]) -> None:
    finding = _page(site, "agency/ag-html.html").xpath("//div[contains(@class, 'sev-blocking')]")[0]
    table = finding.xpath(".//figure[@class='evidence']//table")[0]
    cited = table.xpath(".//*[@class='flag']")
    assert len(cited) == len(T.OUTCOMES)  # t4_group_total: 行政复议's total and its four parts
    assert table.xpath(".//*[@rowspan or @colspan]"), "the merges of the printed table are restored"


def test_the_redrawn_grid_guesses_merges_when_the_source_cannot_say() -> None:
    from nianbao.pipeline.extract.cells import Cell
    from nianbao.pipeline.model import Location

    def c(text: str, r: int, col: int) -> Cell:
        return Cell(text, Location(raw=text, table_index=0, cell=(r, col)))

    rows = [
        [c("a", 0, 0), None, c("b", 0, 2)],
        [None, c("x", 1, 1), c("1", 1, 2)],
        [None, c("y", 2, 1), c("2", 2, 2)],
    ]
    grid = redraw(rows, {(2, 2)}, "t")
    assert [(x.text, x.rowspan, x.colspan) for x in grid.rows[0]] == [("a", 3, 2), ("b", 1, 1)]
    assert [x.flag for x in grid.rows[2]] == ["", "cited"]


def test_the_quarantine_queue_commands_settle_a_report(
    site: tuple[Path, Built], city: SiteCity, tmp_path: Path
) -> None:
    """The correct command of the queue, its capitals filled in, admits the report (on a copy)."""
    queue = _page(site, "quarantine.html")
    assert {s.get("id") for s in queue.xpath("//section")} == {f"q-{a}-{y}" for a, y in QUARANTINED}
    commands = queue.get_element_by_id("q-ag-pdf-2022").xpath(".//pre")[0].text_content().splitlines()
    assert commands[0] == "nianbao review accept ag-pdf 2022 --reason WHY"
    correct = next(c for c in commands if "applications.granted.total=VALUE" in c)
    warehouse = tmp_path / "copy.duckdb"
    shutil.copyfile(city.warehouse, warehouse)
    con = duckdb.connect(str(warehouse), read_only=True)
    printed = con.execute(
        "select (record->'applications'->'granted'->>'total')::int from staging.current_reports "
        "where agency_id = 'ag-pdf' and year = 2022"
    ).fetchone()[0]
    con.close()
    args = [*shlex.split(correct.replace("VALUE", str(printed - 1)))[1:], "--warehouse", str(warehouse)]
    ran = nianbao(*args, env={"NIANBAO_DATA_DOCS": "", "NIANBAO_RAW_STORE": str(city.raw_store)})
    assert ran.returncode == 0, ran.stderr
    assert "ag-pdf 2022" in ran.stderr and "loaded" in ran.stderr


def test_nothing_is_loaded_from_outside_the_site(site: tuple[Path, Built]) -> None:
    out, _ = site
    for path in out.rglob("*.html"):
        page = lxml.html.fromstring(path.read_text(encoding="utf-8"))
        loaded = page.xpath("//script/@src | //link/@href | //img/@src | //iframe/@src | //source/@src")
        assert not [u for u in loaded if "://" in u or u.startswith("//")], path
        assert not page.xpath("//style[contains(., 'url(')] | //style[contains(., '@import')]"), path
    css = (out / "style.css").read_text(encoding="utf-8")
    assert "url(" not in css and "@import" not in css and "@font-face" not in css


def test_one_year_and_a_rebuild(city: SiteCity, tmp_path: Path) -> None:
    out = tmp_path / "site"
    ran = nianbao("site", "--out", str(out), "--warehouse", str(city.warehouse), "--year", "2022")
    assert ran.returncode == 0, ran.stderr
    assert "open " in ran.stderr and ran.stdout == ""
    assert sorted(p.name for p in out.glob("year-*.html")) == ["year-2022.html"]
    (out / "stale.html").write_text("old", encoding="utf-8")
    assert nianbao("site", "--out", str(out), "--warehouse", str(city.warehouse)).returncode == 0
    assert not (out / "stale.html").exists() and (out / "year-2020.html").exists()
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep", encoding="utf-8")
    refused = nianbao("site", "--out", str(tmp_path / "mine"), "--warehouse", str(city.warehouse))
    assert refused.returncode == 1 and "site_refused" in refused.stderr
    assert (tmp_path / "mine" / "notes.txt").read_text(encoding="utf-8") == "keep"


@pytest.mark.parametrize("name", ["index.html", *(f"year-{y}.html" for y in YEARS)])
def test_every_chart_is_drawn_in_its_page(site: tuple[Path, Built], name: str) -> None:
    """The charts are drawn in a process of their own while the pages are written; each page carries its
    four charts as inline SVG whose text is text (the reader's fonts draw the Chinese labels)."""
    plots = _page(site, name).xpath("//div[@class='plot']")
    assert len(plots) == 4
    for plot in plots:
        svg = plot.xpath("./svg")
        assert len(svg) == 1 and svg[0].get("role") == "img"
        assert any("\u4e00" <= ch <= "\u9fff" for t in svg[0].xpath(".//text") for ch in t.text_content())


def test_a_chart_that_cannot_be_drawn_is_a_clear_error() -> None:
    from nianbao.site import charts

    bad = charts.Chart("bad", "bad", {"mark": "no-such-mark", "data": {"values": []}}, [], [])
    with pytest.raises(RuntimeError, match="the charts could not be drawn"):
        charts.draw([bad])
    good = charts.Chart("good", "good", {"mark": "bar", "data": {"values": [{"n": 1}]}}, [], [])
    assert charts.draw([good])[0].svg.startswith('<svg role="img" ')


def test_the_chart_renderer_starts_without_the_rest_of_nianbao() -> None:
    code = "import sys, nianbao.site.vega; print(sorted(m for m in sys.modules if m.startswith('nianbao.')))"
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert ran.stdout.strip() == "['nianbao.site', 'nianbao.site.vega']"


def test_the_crop_renderer_starts_without_the_pdf_reader() -> None:
    """The crops' process never loads the reader, whose metrics font would draw every glyph as a box."""
    code = "import sys, nianbao.site.crops; print(sorted(m for m in sys.modules if m.startswith('nianbao.')))"
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert ran.stdout.strip() == "['nianbao.site', 'nianbao.site.crops']"
    import nianbao.pipeline.extract.pdffonts  # noqa: F401  (this test process has the reader anyway)
    from nianbao.site import crops

    with pytest.raises(RuntimeError, match="metrics font"):
        crops.render([{"pdf": "x.pdf", "page": 1, "boxes": [], "out": "x.png"}])


def test_a_printed_grid_is_escaped_spanned_and_addressed_only_on_year_pages() -> None:
    """The printed table's HTML: text and titles escaped (a label or a finding may hold `<`, `&`, quotes),
    spans only where they are more than one, and value cells addressed for the page's script only when
    the grid is a year's (an agency page shows several years' grids, so it does not address them)."""
    g = Grid(
        "applications",
        '表3 <收到> & "处理"',
        [
            [Cell("本年新收", rowspan=2, colspan=3, head=True), Cell("自然人", head=True)],
            [
                Cell("12", ref="applications.new.natural_person", value=12),
                Cell("1.5", ref="proactive.fees.total", value=15000, scale=10000, flag="a<b & 'c'"),
                Cell("—"),
            ],
        ],
    )
    page = lxml.html.fragment_fromstring(str(grid_html(g, 2024)))
    assert page.tag == "table" and page.get("class") == "printed"
    assert page.find("caption").text == '表3 <收到> & "处理"'
    head, *_ = page.findall("tr")[0]
    assert (head.tag, head.get("rowspan"), head.get("colspan"), head.text) == ("th", "2", "3", "本年新收")
    plain, money, dash = page.findall("tr")[1]
    assert plain.attrib == {"data-year": "2024", "data-cell": "applications.new.natural_person"}
    assert money.attrib == {
        "data-year": "2024",
        "data-cell": "proactive.fees.total",
        "data-scale": "10000",
        "class": "flag",
        "title": "a<b & 'c'",
    }
    assert (dash.tag, dash.attrib, dash.text) == ("td", {}, "—")
    unaddressed = lxml.html.fragment_fromstring(str(grid_html(g)))
    assert not unaddressed.xpath("//*[@data-year or @data-cell or @data-scale]")
    assert unaddressed.xpath("//td[@class='flag']")  # flags show on every page
    raw = str(grid_html(g))
    assert "<收到>" not in raw and "&lt;收到&gt; &amp; &#34;处理&#34;" in raw
