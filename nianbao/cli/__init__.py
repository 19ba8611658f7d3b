"""The `nianbao` command (spec/interfaces.md): the top of the house. stdout carries data only; people read stderr.

Each command builds the settings once and hands them down; the flows, the warehouse and the pipeline
below never read the environment themselves.
"""

from __future__ import annotations

import os
import tempfile
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from nianbao.cli import show
from nianbao.cli.output import ChangeFormat, Format, dumps, write_csv, write_json_lines, write_table
from nianbao.cli.review import review_app
from nianbao.cli.show import err
from nianbao.pipeline.errors import NianbaoError
from nianbao.pipeline.settings import load_settings

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="nianbao (年报): government disclosure annual reports → DuckDB.",
)
app.add_typer(review_app, name="review")

Warehouse = Annotated[
    Path | None,
    typer.Option("--warehouse", help="DuckDB file (default: $NIANBAO_WAREHOUSE or data/nianbao.duckdb)"),
]
Workers = Annotated[
    int | None,
    typer.Option(
        "--workers",
        min=0,
        help="extraction on a local Dask cluster of N worker processes (0: the flow's own threads; "
        "default $NIANBAO_WORKERS or one per core)",
    ),
]
DaskAddress = Annotated[
    str | None,
    typer.Option(
        "--dask-address",
        help="extraction on the existing Dask cluster at tcp://HOST:PORT (default $NIANBAO_DASK_ADDRESS)",
    ),
]


def _version(value: bool) -> None:
    if value:
        from nianbao import __version__

        print(__version__)
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="print the package version and exit"
        ),
    ] = False,
) -> None:
    """nianbao (年报): government disclosure annual reports → DuckDB."""


def _quiet_prefect() -> None:
    """Keep Prefect, GX and Dask hermetic and quiet unless the user configured them."""
    for key, value in {
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "GX_ANALYTICS_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "WARNING",
        "PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW": "ignore",
        # the temporary API server takes 7-13 s to start, far longer on a busy 2-core machine
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
        # the Dask cluster's scheduler, nannies and workers log every start and stop at INFO
        "DASK_LOGGING__DISTRIBUTED": "error",
    }.items():
        os.environ.setdefault(key, value)


def _dump(obj: Any) -> str:
    return dumps(obj)


@app.command()
def extract(
    files: Annotated[list[Path], typer.Argument(help="documents: PDF, HTML, DOCX or text")],
    provenance: Annotated[bool, typer.Option(help="include provenance, narrative and warnings")] = False,
) -> None:
    """Read each document and print one JSON line: the canonical report with its `reading`, or its error.

    Each document is read in a reader process capped in memory and time (issue 18); `reading.verified`
    says nothing was assumed and every blocking check holds."""
    from nianbao.expectations.checks import verified
    from nianbao.expectations.validate import validate
    from nianbao.pipeline.extract.isolate import read_isolated
    from nianbao.pipeline.model import Report

    limits = load_settings().reader
    results: list[tuple[Path, Report | dict[str, str]]] = []
    for f in files:
        try:
            data = f.read_bytes()
        except OSError as e:
            results.append((f, {"code": "unreadable_file", "message": str(e.strerror)}))
            continue
        report = read_isolated(data, limits)
        results.append((f, report.as_json() if isinstance(report, NianbaoError) else report))
    reports = [r for _f, r in results if isinstance(r, Report)]
    found = validate(reports).findings if reports else {}
    for k, report in enumerate(reports):  # verified: nothing assumed and every blocking check holds
        report.reading.verified = verified(report, found.get(k, []))
    for f, result in results:
        if isinstance(result, Report):
            out = (
                result.as_json()
                if provenance
                else {**result.canonical(), "reading": result.reading.as_json()}
            )
            print(_dump({**out, "source": str(f)}))
        else:
            print(_dump({"source": str(f), "error": result}))
    raise typer.Exit(1 if len(reports) < len(results) else 0)


def _run_and_show(
    catalog: Path,
    warehouse: Path | None,
    year: int | None = None,
    workers: int | None = None,
    dask_address: str | None = None,
    *,
    where: bool = True,
) -> dict[str, Any]:
    """Run the pipeline and show what it did; what became of the analysts' site."""
    from nianbao.flows.run import run as run_pipeline

    settings = load_settings(warehouse)
    with show.progress(settings.progress, settings.progress_every_s):
        result = run_pipeline(catalog, settings.warehouse, year, workers=workers, dask_address=dask_address)
    show.summary(result.summary)
    show.run(result.outcomes, result.rollups, settings if where else None, result.site)
    return result.site


def _check_catalog(path: Path) -> None:
    """Validate a catalog before anything starts: every problem on its own line, exit 2, no traceback."""
    from nianbao.pipeline.catalog import CatalogError, load_catalog

    try:
        load_catalog(path)
    except CatalogError as e:
        err.print(
            f"[red]error[/red] bad_catalog: {e.source} cannot be used ({len(e.problems)} problems)",
            soft_wrap=True,
        )
        for problem in e.problems:  # one line each, never wrapped: people grep these
            err.print(f"  {problem}", highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(2) from None


@app.command()
def run(
    catalog: Annotated[Path, typer.Option("--catalog", help="the agency catalog YAML")],
    warehouse: Warehouse = None,
    year: Annotated[int | None, typer.Option(help="only this report year")] = None,
    workers: Workers = None,
    dask_address: DaskAddress = None,
) -> None:
    """One whole pipeline run in-process: fetch, extract, check, load, roll up."""
    _check_catalog(catalog)
    _quiet_prefect()
    try:
        _run_and_show(catalog, warehouse, year, workers, dask_address)
    except NianbaoError as e:
        err.print(f"[red]error[/red] {e}")
        raise typer.Exit(2) from e


def _reader(warehouse: Path | None, *, sealed: bool = False) -> Any:
    from nianbao.warehouse.connect import open_for_reading

    try:
        return open_for_reading(load_settings(warehouse).warehouse, sealed=sealed)
    except NianbaoError as e:
        err.print(f"[red]error[/red] {e}", soft_wrap=True)
        raise typer.Exit(1) from None


def _rollup_rows(data: dict[str, Any]) -> list[tuple[str, str, str, Any]]:
    """A rollup's sums as (table, row, column, value) rows, in the template's order."""
    out = []
    for table in ("proactive", "applications", "review_litigation"):
        for row, cols in (data.get(table) or {}).items():
            for col, value in cols.items():
                out.append((table, row, col, value))
    return out


@app.command()
def rollup(
    year: Annotated[int, typer.Option("--year", help="the report year")],
    warehouse: Warehouse = None,
    format: Annotated[
        Format, typer.Option("--format", help="json (one object), csv or table (table,row,column,value)")
    ] = Format.json,
) -> None:
    """The citywide rollup for a year: tables 2, 3 and 4 summed over the admitted reports."""
    from nianbao.warehouse.rollup import rollup as compute

    con = _reader(warehouse, sealed=True)
    try:
        data = compute(con, year)
    except NianbaoError as e:  # e.g. year_not_covered: one line, no traceback
        err.print(f"[red]error[/red] {e}", soft_wrap=True)
        raise typer.Exit(1) from None
    finally:
        con.close()
    if format is Format.json:
        print(_dump(data))
        return
    cols = ("table", "row", "column", "value")
    if format is Format.csv:
        write_csv(cols, _rollup_rows(data))
        return
    write_table(cols, _rollup_rows(data), title=f"citywide rollup {year}")
    write_table(
        ("agencies counted", "left out (reason)"),
        [
            (
                ", ".join(data["agencies_counted"]),
                ", ".join(f"{x['agency']} ({x['reason']})" for x in data["left_out"]),
            )
        ],
    )


FINDING_COLUMNS = (
    "agency",
    "year",
    "check",
    "severity",
    "table",
    "row",
    "column",
    "proceeding",
    "left",
    "right",
    "difference",
    "document",
    "locations",
    "message",
    "report_status",
)


class Severity(StrEnum):
    """blocking | warning."""

    blocking = "blocking"
    warning = "warning"


@app.command()
def findings(
    warehouse: Warehouse = None,
    format: Annotated[
        Format, typer.Option("--format", help="json (one object per line), csv or table")
    ] = Format.json,
    agency: Annotated[
        list[str] | None, typer.Option("--agency", help="only this agency id (repeatable)")
    ] = None,
    year: Annotated[
        list[int] | None, typer.Option("--year", help="only this report year (repeatable)")
    ] = None,
    check: Annotated[
        list[str] | None, typer.Option("--check", help="only this check id (repeatable)")
    ] = None,
    severity: Annotated[Severity | None, typer.Option("--severity", help="only blocking or warning")] = None,
) -> None:
    """Every check finding stored in the warehouse (of the current documents), optionally filtered."""
    from nianbao.warehouse.read import findings as stored

    con = _reader(warehouse, sealed=True)
    try:
        rows = stored(con)
    finally:
        con.close()
    rows = [
        r
        for r in rows
        if (not agency or r["agency"] in agency)
        and (not year or r["year"] in year)
        and (not check or r["check"] in check)
        and (severity is None or r["severity"] == severity.value)
    ]
    if format is Format.json:
        for row in rows:
            print(_dump(row))
    elif format is Format.csv:
        write_csv(FINDING_COLUMNS, ([r.get(c) for c in FINDING_COLUMNS] for r in rows))
    else:
        from nianbao.cli.output import console

        show.findings_table(rows, console())


@app.command()
def query(
    sql: Annotated[str, typer.Argument(help="read-only SQL")],
    warehouse: Warehouse = None,
    format: Annotated[
        Format, typer.Option("--format", help="table, csv (RFC 4180, LF) or json (one object per line)")
    ] = Format.table,
) -> None:
    """Read-only SQL against the analysts' snapshot of the warehouse."""
    import duckdb

    con = _reader(warehouse, sealed=True)  # the snapshot's own tables, no file, URL or extension
    try:
        kinds = [s.type.name for s in con.extract_statements(sql)]
        if any(k not in ("SELECT", "EXPLAIN", "PRAGMA") for k in kinds):
            err.print(
                f"[red]refused[/red] query is read-only: {', '.join(k for k in kinds if k != 'SELECT')} not allowed"
            )
            raise typer.Exit(1)
        cur = con.execute(sql)
        cols = [d[0] for d in cur.description or []]
        rows = cur.fetchall()
    except duckdb.Error as e:
        err.print(f"[red]SQL error[/red] {e}")
        raise typer.Exit(1) from e
    finally:
        con.close()
    if format is Format.json:
        write_json_lines(cols, rows)
    elif format is Format.csv:
        write_csv(cols, rows)
    else:
        write_table(cols, rows)


@app.command()
def export(
    out: Annotated[Path, typer.Option("--out", help="directory to write into")],
    warehouse: Warehouse = None,
    bom: Annotated[
        bool, typer.Option("--bom", help="start each CSV with a UTF-8 byte-order mark (Excel on Windows)")
    ] = False,
) -> None:
    """Parquet for facts, dimensions and rollups; CSV and XLSX (frozen header, filters, a dictionary sheet)
    for the rollups, from the analysts' snapshot."""
    from nianbao.warehouse.export import export as write_exports

    con = _reader(warehouse, sealed=False)
    try:
        files = write_exports(con, out, bom=bom)
    finally:
        con.close()
    err.print(f"wrote {len(files)} files under {out}")
    for kind, where in (
        ("Parquet", out / "parquet"),
        ("CSV" + (" (UTF-8 with BOM)" if bom else ""), out / "rollups"),
        ("XLSX", out / "rollups" / "rollups.xlsx"),
    ):
        err.print(f"  {kind}: {where}", highlight=False)


@app.command()
def site(
    out: Annotated[Path, typer.Option("--out", help="directory to write the site into (replaced whole)")],
    warehouse: Warehouse = None,
    year: Annotated[int | None, typer.Option("--year", help="only this report year")] = None,
) -> None:
    """The analysts' static, offline HTML site: overview, trends, coverage, league tables, agency pages,
    findings with their evidence (from the snapshot)."""
    from nianbao.site.build import build_site
    from nianbao.warehouse.connect import snapshot_path

    settings = load_settings(warehouse)
    con = _reader(warehouse)
    try:
        snap = snapshot_path(settings.warehouse)
        built = build_site(
            con,
            out,
            raw_store=settings.raw_store,
            year=year,
            warehouse=None if warehouse is None else str(warehouse),
            source_name=str(snap if snap.exists() else settings.warehouse),
        )
    except NianbaoError as e:
        err.print(f"[red]error[/red] {e}")
        raise typer.Exit(1) from e
    finally:
        con.close()
    err.print(
        f"wrote {built.pages} pages ({built.bytes / 1e6:.1f} MB, largest {built.largest_page[0]} "
        f"{built.largest_page[1] / 1e3:.0f} kB) and {built.crops} evidence crops in {built.seconds['total']:.1f} s"
    )
    for problem in built.crop_errors:
        err.print(f"[yellow]crop not rendered[/yellow] {problem}")
    err.print(f"open {out / 'index.html'}")


@app.command()
def rerun(
    failed: Annotated[
        bool, typer.Option("--failed", help="only what failed, was unreadable or quarantined")
    ] = False,
    agency: Annotated[str | None, typer.Option("--agency", help="only this agency id")] = None,
    year: Annotated[int | None, typer.Option("--year", help="only this report year")] = None,
    catalog: Annotated[
        Path | None, typer.Option("--catalog", help="catalog (its allowed_hosts for refetches)")
    ] = None,
    warehouse: Warehouse = None,
    format: Annotated[
        ChangeFormat,
        typer.Option("--format", help="table (on stderr) or json (one object per document on stdout)"),
    ] = ChangeFormat.table,
) -> None:
    """Process again what failed or was quarantined (or every document of --agency/--year); print what changed.

    Runs in this process with no Prefect server; where PREFECT_API_URL names one, it runs as the Prefect
    flow `rerun` (cached extraction tasks, events, the summary as an artifact)."""
    if catalog is not None:
        _check_catalog(catalog)
    _quiet_prefect()
    settings = load_settings(warehouse)
    only_failed = failed or (agency is None and year is None)
    try:
        if os.environ.get("PREFECT_API_URL"):
            from nianbao.flows.rerun import rerun as rerun_flow

            result = rerun_flow(
                str(settings.warehouse),
                agency,
                year,
                only_failed,
                None if catalog is None else str(catalog),
            )
        else:
            from nianbao.flows.rerun import rerun_documents

            with show.progress(settings.progress, settings.progress_every_s):
                result = rerun_documents(
                    settings, agency, year, only_failed, None if catalog is None else str(catalog)
                )
    except NianbaoError as e:
        err.print(f"[red]error[/red] {e}")
        raise typer.Exit(2) from e
    show.summary(result.summary)
    if any(c.get("changed") for c in result.changes):
        show.written(settings, site=result.site)
    cols = ("agency", "year", "before", "after", "changed", "why", "url")
    if format is ChangeFormat.json:
        for c in result.changes:
            print(_dump({k: c.get(k) for k in cols}))
        return
    write_table(
        cols,
        (
            (
                c["agency"],
                str(c["year"]),
                c["before"],
                c["after"],
                "yes" if c.get("changed") else "no",
                c.get("why") or "",
                c["url"] or "",
            )
            for c in result.changes
        ),
        title=f"rerun: {len(result.changes)} documents",
        stderr=True,
    )


@app.command()
def serve(
    catalog: Annotated[Path, typer.Option("--catalog", help="the agency catalog YAML")],
    warehouse: Warehouse = None,
    workers: Workers = None,
    dask_address: DaskAddress = None,
) -> None:
    """Serve the deployments nightly (cron), ingest and refresh (event-triggered) against PREFECT_API_URL."""
    _check_catalog(catalog)
    _quiet_prefect()
    if not os.environ.get("PREFECT_API_URL"):
        err.print("[red]error[/red] PREFECT_API_URL is not set: start `prefect server start` and point to it")
        raise typer.Exit(2)
    from nianbao.flows.deployments import serve_all

    try:
        from nianbao.flows.run import with_workers

        serve_all(catalog, with_workers(load_settings(warehouse), workers, dask_address))
    except KeyboardInterrupt:
        err.print("interrupted")
    err.print("stopped")


@app.command()
def demo(warehouse: Warehouse = None) -> None:
    """The main job on the bundled sample city: its agency sites on loopback, a full run, a summary, and a
    comparison with the sample's own truth (exit 1 naming every difference)."""
    _quiet_prefect()
    from nianbao.demo.city import CITY_DIR
    from nianbao.demo.server import SampleServer
    from nianbao.demo.truth import differences
    from nianbao.warehouse.read import findings as stored
    from nianbao.warehouse.rollup import rollup as compute

    with (
        SampleServer(CITY_DIR, lifetime_s=1800) as server,
        tempfile.TemporaryDirectory(prefix="nianbao-demo-") as tmp,
    ):
        catalog = server.write_catalog(Path(tmp) / "catalog.yaml")
        err.print(f"serving the sample city (杭州市, 37 agencies, 2020–2023) at {server.base_url}")
        site = _run_and_show(catalog, warehouse, where=False)
    con = _reader(warehouse, sealed=True)
    try:
        rollups = {y: compute(con, y) for y in range(2020, 2024)}
        found = {(f["agency"], f["year"], f["check"]) for f in stored(con)}
    finally:
        con.close()
    wrong = differences(CITY_DIR, rollups, found)
    if wrong:
        err.print(f"[red]the run does not match the sample's truth[/red]: {len(wrong)} differences")
        for line in wrong[:50]:
            err.print(f"  {line}")
        if len(wrong) > 50:
            err.print(f"  … and {len(wrong) - 50} more")
        show.written(load_settings(warehouse), sorted(rollups), site)
        raise typer.Exit(1)
    err.print(
        "[green]matches the sample's truth[/green]: every year's rollup, who was counted and left out "
        "and why, and every planted finding"
    )
    show.written(load_settings(warehouse), sorted(rollups), site)


def main() -> None:
    """Entry point of the `nianbao` script."""
    app()
