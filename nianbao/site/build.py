"""`nianbao site`: the analysts' static, offline HTML site, written from the snapshot in one pass.

Pages (relative links only; no script, style, font or image from anywhere but the site's own folder):

    index.html            the city across the years: headline figures and trend charts
    year-<Y>.html         one year: who was counted and who left out, charts, tables 2-4 summed as printed
    coverage.html         agency × year: counted, quarantined, unreadable, no report; region/level subtotals
    league-<Y>.html       agencies ranked (sortable in the browser, ranked already without script)
    agencies.html         every agency, by region
    agency/<id>.html      each year's tables as printed, the documents, findings with their evidence
    quarantine.html       the reports held back, with the review commands that would settle them
    findings.html         every finding, linked to its evidence
    quality.html          the checks and their Great Expectations suites (the data-quality report's page)
    csv/<chart>.csv       the numbers of each chart; evidence/*.png the PDF crops; style.css

The site is written into a fresh folder beside `out` and swapped in whole, so a reader never sees half of
it; an existing `out` is replaced only when it holds a site this command wrote (a marker file says so).
"""

from __future__ import annotations

import os
import shlex
import shutil
import time
from collections import Counter, defaultdict
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from nianbao import __version__
from nianbao.expectations.quality import render as quality_page
from nianbao.expectations.quality import where
from nianbao.pipeline import tables as T
from nianbao.pipeline.clock import now
from nianbao.pipeline.errors import NianbaoError
from nianbao.site import charts
from nianbao.site.data import City, load_city
from nianbao.site.evidence import Crop, DocFile, Evidence, Evidencer
from nianbao.site.printed import Grid, grid_html, printed_tables

MARKER = ".nianbao-site"
FINDINGS_PER_PAGE = 400  # a city whose every report has a finding still gets pages under 2 MB
STATUS = {  # coverage status → (symbol, what it means)
    "counted": ("✓", "counted in the rollup"),
    "quarantined": ("Q", "quarantined: a blocking check failed"),
    "unreadable": ("U", "unreadable, or never fetched whole"),
    "no_report": ("–", "no report found"),
    "other_template": ("T", "read, but on another template than the year's"),
}


@dataclass
class Built:
    """What a build wrote."""

    out: Path
    pages: int = 0
    files: int = 0
    bytes: int = 0
    largest_page: tuple[str, int] = ("", 0)
    crops: int = 0
    crop_errors: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    page_sizes: dict[str, int] = field(default_factory=dict)


class _Writer:
    """Writes the site's files under a root, keeping count."""

    def __init__(self, root: Path, built: Built) -> None:
        self.root, self.built = root, built

    def text(self, name: str, text: str) -> None:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        path.write_bytes(data)
        self.built.files += 1
        self.built.bytes += len(data)
        if name.endswith(".html"):
            self.built.pages += 1
            self.built.page_sizes[name] = len(data)
            if len(data) > self.built.largest_page[1]:
                self.built.largest_page = (name, len(data))


def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("nianbao.site", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = lambda v: "" if v is None else f"{100 * float(v):.1f}%"
    env.filters["where"] = where
    env.globals["grid"] = grid_html  # a printed table (printed.py: a macro was half of the build)
    return env


def _raw(env: Environment, name: str) -> str:
    """A file of the templates folder as it is (not a template)."""
    assert env.loader is not None
    return env.loader.get_source(env, name)[0]


def review_commands(
    agency_id: str, year: int, finding_cells: list[str], source: str | None, warehouse: str | None
) -> dict[str, Any]:
    """The `nianbao review` commands that would settle a quarantined report (the capitals to be filled in)."""
    wh = f" --warehouse {shlex.quote(warehouse)}" if warehouse else ""
    base = f"nianbao review {{}} {shlex.quote(agency_id)} {year}"
    citation = shlex.quote(source) if source else "SOURCE"
    return {
        "accept": base.format("accept") + " --reason WHY" + wh,
        "correct": [
            base.format("correct") + f" --cell {shlex.quote(cell)}=VALUE --citation {citation}" + wh
            for cell in finding_cells
        ],
    }


def _cell(r: dict[str, Any], ref: str) -> Any:
    """A rollup's value of one cell (table.row.column)."""
    table, row, col = ref.split(".")
    return r[table][row][col]


def _cells_of(finding: dict[str, Any]) -> list[str]:
    """The report's own cells a finding names (not last year's, not the narrative)."""
    out = []
    for loc in finding.get("locations") or []:
        ref = str(loc.get("ref") or "")
        if ref and ":" not in ref and ref.split(".")[0] in T.TABLE_NAMES and ref not in out:
            out.append(ref)
    return out


def _files(con: duckdb.DuckDBPyConnection, city: City) -> dict[str, DocFile]:
    """Format and stored path of every document a finding points into."""
    shas = {f["document"] for f in city.findings if f.get("document")}
    shas |= {loc["document"] for f in city.findings for loc in f["locations"] if loc.get("document")}
    if not shas:
        return {}
    rows = con.execute(
        "select sha256, format, store_path from raw.documents where sha256 in (select unnest(?::varchar[]))",
        [sorted(shas)],
    ).fetchall()
    return {r[0]: DocFile(*r) for r in rows}


def _agency_years(
    city: City, agency_id: str, evidence: dict[int, list[Evidence]], warehouse: str | None
) -> list[dict[str, Any]]:
    """One agency's years, newest first: status, documents, tables as printed, findings with evidence."""
    docs_by_year: dict[int, list[Any]] = defaultdict(list)
    for d in city.documents.get(agency_id, []):
        docs_by_year[d.year].append(d)
    findings_by_year: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for f in city.by_agency.get(agency_id, []):
        findings_by_year[f["year"]].append(f)
    out = []
    for year in sorted(city.years, reverse=True):
        docs = docs_by_year.get(year, [])
        current = next((d for d in docs if d.is_current), None)
        found = findings_by_year.get(year, [])
        flags: dict[str, list[str]] = defaultdict(list)
        for f in found:
            for cell in _cells_of(f):
                flags[cell].append(f["check"])
        grids: list[Grid] = []
        if current is not None and current.report_id in city.tables and current.template:
            grids = printed_tables(
                current.template,
                city.tables[current.report_id],
                city.families,
                {c: ", ".join(sorted(set(v))) for c, v in flags.items()},
            )
        coverage = city.coverage.get((agency_id, year))
        commands = None
        if coverage is not None and coverage.status == "quarantined" and current is not None:
            cells = [c for f in found if f["severity"] == "blocking" for c in _cells_of(f)]
            commands = review_commands(
                agency_id, year, list(dict.fromkeys(cells)), current.source_url, warehouse
            )
        out.append(
            {
                "year": year,
                "coverage": coverage,
                "documents": docs,
                "current": current,
                "grids": grids,
                "findings": [{**f, "evidence": evidence.get(id(f), [])} for f in found],
                "overrides": [o for o in city.overrides if o.agency_id == agency_id and o.year == year],
                "commands": commands,
            }
        )
    return out


HEADLINE = (  # the rollup cells the overview puts side by side for every year (table.row.column)
    "applications.received_new.total",
    "applications.handled_total.total",
    "applications.granted.total",
    "applications.partially_granted.total",
    "review_litigation.review.total",
    "review_litigation.litigation_direct.total",
    "review_litigation.litigation_after_review.total",
)


def _heads(city: City) -> dict[str, str]:
    """Column headings the pages print, from the template's labels (curated.dim_code)."""
    L = city.labels
    row = {
        c: charts.row_label(c, L) for c in ("received_new", "handled_total", "granted", "partially_granted")
    }
    proceeding = {p: L.of("review_litigation", "proceeding", p) for p in T.PROCEEDING_CODES}
    return {
        **row,
        **proceeding,
        "litigation": T.LITIGATION_GROUP,
        "corrected": L.of("review_litigation", "outcome", "corrected"),
        "rate": f"({row['granted']} + {row['partially_granted']}) / {row['handled_total']}",
    }


def _coverage_groups(city: City) -> tuple[list[dict[str, Any]], dict[int, Counter[str]]]:
    """The matrix's rows by region and level, each group with its per-year status counts; the city's counts."""
    groups: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for a in city.agencies:
        groups[(a.region, a.level)].append(a)
    out = []
    totals: dict[int, Counter[str]] = {y: Counter() for y in city.years}
    for (region, level), members in groups.items():
        counts: dict[int, Counter[str]] = {y: Counter() for y in city.years}
        rows = []
        for a in members:
            cells = []
            for y in city.years:
                cov = city.coverage.get((a.id, y))
                status = cov.status if cov else "no_report"
                counts[y][status] += 1
                totals[y][status] += 1
                cells.append({"year": y, "status": status, "cov": cov})
            rows.append({"agency": a, "cells": cells})
        out.append({"region": region, "level": level, "rows": rows, "counts": counts, "n": len(members)})
    return out, totals


def build_site(
    con: duckdb.DuckDBPyConnection,
    out: Path,
    *,
    raw_store: Path,
    year: int | None = None,
    warehouse: str | None = None,
    source_name: str = "",
) -> Built:
    """Write the site for every report year (or `year`) from a read connection; what was written.

    `raw_store` is where the documents are (for the evidence crops); `warehouse` is named in the review
    commands when the reader must pass one; `source_name` says in the footer what the site was built from.
    """
    out = Path(out)
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MARKER).exists())):
        raise NianbaoError(
            "site_refused", f"{out} is not empty and holds no nianbao site: choose another --out"
        )
    built = Built(out)
    clock = time.perf_counter()
    city = load_city(con, year)
    if not city.years:
        raise NianbaoError("site_empty", "the warehouse holds no reports yet: run `nianbao run` first")
    built.seconds["read"] = time.perf_counter() - clock
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    old = out.with_name(f".{out.name}.{os.getpid()}.old")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        _Site(con, city, tmp, built, raw_store, warehouse, source_name).write()
        (tmp / MARKER).write_text(
            f"written by nianbao {__version__}\nrefresh: {refresh_stamp(con)}\n", encoding="utf-8"
        )
        if out.exists():
            os.replace(out, old)
        os.replace(tmp, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
    built.seconds["total"] = time.perf_counter() - clock
    return built


def refresh_stamp(con: duckdb.DuckDBPyConnection) -> str:
    """Which refresh a warehouse (or its snapshot) is at: the last row of raw.refresh_log ('none' before any)."""
    row = con.execute(
        "select run_id, refreshed_at from raw.refresh_log order by refreshed_at desc, run_id desc limit 1"
    ).fetchone()
    return "none" if row is None else f"{row[0]} at {row[1]}"


def built_from(out: Path) -> str | None:
    """The refresh stamp a site folder was built from (None: no site of ours there, or an older marker)."""
    try:
        lines = (Path(out) / MARKER).read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    return next((line.removeprefix("refresh: ") for line in lines if line.startswith("refresh: ")), None)


class _Site:
    """One build: the city read, the pages rendered and written under `root`."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        city: City,
        root: Path,
        built: Built,
        raw_store: Path,
        warehouse: str | None,
        source_name: str,
    ) -> None:
        self.con, self.city, self.root, self.built = con, city, root, built
        self.raw_store, self.warehouse = raw_store, warehouse
        self.writer = _Writer(root, built)
        self.env = _env()
        self.common = {
            "years": city.years,
            "built_at": f"{now():%Y-%m-%d %H:%M} UTC",
            "source_name": source_name,
            "version": __version__,
            "status": STATUS,
            "schema": city.schema,
            "quarantined": sum(1 for c in city.coverage.values() if c.status == "quarantined"),
            "n_findings": len(city.findings),
            "heads": _heads(city),
        }

    def page(self, name: str, template: str, title: str, **context: Any) -> None:
        """Render one page; links inside it are relative to its own folder."""
        root = "../" * name.count("/")
        html = self.env.get_template(template).render(**self.common, **context, title=title, root=root)
        self.writer.text(name, html)

    def timed(self, what: str, start: float) -> None:
        self.built.seconds[what] = time.perf_counter() - start

    def write(self) -> None:
        """Every page, CSV, crop and the stylesheet.

        The evidence crops and the charts are drawn in processes of their own (`crops.py`, `vega.py`),
        started first; the pages that need neither are written while they work.
        """
        city = self.city
        t = time.perf_counter()
        evidencer = Evidencer(_files(self.con, city), self.raw_store, self.root)
        evidence = {id(f): evidencer.plan(f) for f in city.findings}
        year_charts = {
            y: charts.year_charts(y, city.rollups[y], city.labels, city.families) for y in city.years
        }
        trends = charts.trend_charts(city.rollups, city.labels, city.families)
        # each waits in its thread for its child process; a failed build waits for them to end
        with ThreadPoolExecutor(2, thread_name_prefix="site") as children:
            crops_done = children.submit(evidencer.render)
            drawn = children.submit(charts.draw, [*trends, *(c for cs in year_charts.values() for c in cs)])
            self.timed("started", t)
            self._pages(evidence, crops_done, drawn, year_charts, trends)

    def _pages(
        self,
        evidence: dict[int, list[Evidence]],
        crops_done: Future[list[Crop]],
        drawn: Future[list[charts.Chart]],
        year_charts: dict[int, list[charts.Chart]],
        trends: list[charts.Chart],
    ) -> None:
        city = self.city
        t = time.perf_counter()
        self.writer.text("style.css", _raw(self.env, "style.css"))
        for y in city.years:
            self.page(f"league-{y}.html", "league.html", f"League {y}", year=y, rows=city.league.get(y, []))
        groups, totals = _coverage_groups(city)
        self.page(
            "coverage.html", "coverage.html", "Coverage", groups=groups, totals=totals, n=len(city.agencies)
        )
        self.page(
            "agencies.html", "agencies.html", "Agencies", agencies=city.agencies, coverage=city.coverage
        )
        self.timed("city pages", t)

        t = time.perf_counter()
        crops = crops_done.result()
        self.built.crops = sum(1 for c in crops if c.error is None)
        self.built.crop_errors = [f"{Path(c.out).name}: {c.error}" for c in crops if c.error]
        failed = {f"evidence/{Path(c.out).name}": c.error for c in crops if c.error}
        for pieces in evidence.values():
            for i, e in enumerate(pieces):
                if e.kind == "crop" and e.src in failed:
                    pieces[i] = Evidence(
                        "missing", e.caption, text=f"the page could not be rendered: {failed[e.src]}"
                    )
        self.timed("evidence (waited)", t)

        t = time.perf_counter()
        queue = []
        template = self.env.get_template("agency.html")
        root_ctx = {**self.common, "root": "../"}
        for a in city.agencies:
            years = _agency_years(city, a.id, evidence, self.warehouse)
            queue += [{"agency": a, **y} for y in years if y["commands"]]
            html = template.render(**root_ctx, title=a.name, agency=a, agency_years=years)
            self.writer.text(f"agency/{a.id}.html", html)
        self.timed("agency pages", t)

        self._lists(queue)

        t = time.perf_counter()
        every_chart = drawn.result()
        self.timed("charts (waited)", t)
        t = time.perf_counter()
        for chart in every_chart:
            self.writer.text(f"csv/{chart.key}.csv", chart.to_csv())
        self.page("index.html", "index.html", "Overview", charts=trends, headline=self._headline())
        for y in city.years:
            r = city.rollups[y]
            self.page(
                f"year-{y}.html",
                "year.html",
                f"{y}",
                year=y,
                rollup=r,
                charts=year_charts[y],
                grids=printed_tables(r["template"], r, city.families),
                agencies={a.id: a for a in city.agencies},
            )
        self.timed("overview and year pages", t)

    def _lists(self, queue: list[dict[str, Any]]) -> None:
        """The quarantine queue, the findings pages and the data-quality page."""
        city = self.city
        t = time.perf_counter()
        names = {a.id: a.name for a in city.agencies}
        self.page("quarantine.html", "quarantine.html", "Quarantine queue", queue=queue)
        pages = [
            city.findings[i : i + FINDINGS_PER_PAGE] for i in range(0, len(city.findings), FINDINGS_PER_PAGE)
        ]
        counts = Counter((f["check"], f["severity"], f["year"]) for f in city.findings)
        summary = [
            {"check": c, "severity": sev, "counts": {y: counts[(c, sev, y)] for y in city.years}}
            for c, sev in sorted({(c, sev) for c, sev, _y in counts})
        ]
        for n, chunk in enumerate(pages or [[]], start=1):
            self.page(
                "findings.html" if n == 1 else f"findings-{n}.html",
                "findings.html",
                "Findings" if n == 1 else f"Findings, page {n}",
                findings=chunk,
                names=names,
                number=n,
                pages=max(1, len(pages)),
                summary=summary,
            )
        current = sum(1 for docs in city.documents.values() for d in docs if d.is_current)
        self.writer.text(
            "quality.html",
            quality_page(
                city.findings,
                reports=current,
                stamp=f"Built {self.common['built_at']} from the analysts' snapshot:",
                title="nianbao data quality (the site's copy)",
                findings_elsewhere='<p>Every finding is on the site\'s <a href="findings.html">findings pages</a>, '
                "each linked to its evidence.</p>",
            ),
        )
        self.timed("queue, findings, quality", t)

    def _headline(self) -> list[dict[str, Any]]:
        """Per year: counted and left out, and the headline cells of the rollup."""
        out = []
        for y in self.city.years:
            r = self.city.rollups[y]
            apps = r["applications"]
            handled = int(apps["handled_total"]["total"])
            granted = int(apps["granted"]["total"]) + int(apps["partially_granted"]["total"])
            reasons = Counter(left["reason"] for left in r["left_out"])
            out.append(
                {
                    "year": y,
                    "template": r["template"],
                    "counted": len(r["agencies_counted"]),
                    "left_out": reasons,
                    "cells": [(ref, _cell(r, ref)) for ref in HEADLINE],
                    "rate": granted / handled if handled else None,
                }
            )
        return out
