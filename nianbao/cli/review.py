"""`nianbao review accept | correct | list`: reviewers' decisions, recorded and applied at once.

A decision is recorded in the warehouse under its write lock (runs queue behind it), the report is loaded
again with it applied, and the marts, quality report and analysts' snapshot are refreshed. stdout carries
data only (`list`); what happened goes to stderr.
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import duckdb
import typer

from nianbao.cli.show import err
from nianbao.pipeline.errors import NianbaoError
from nianbao.pipeline.model import Outcome
from nianbao.pipeline.settings import Settings, load_settings

review_app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="Review decisions: accept a quarantined report, or correct a cell citing a source.",
)
Warehouse = Annotated[
    Path | None, typer.Option("--warehouse", help="DuckDB file (default: $NIANBAO_WAREHOUSE)")
]
By = Annotated[
    str | None, typer.Option("--by", help="who decides (default: $NIANBAO_REVIEWER or the login name)")
]


def _who(by: str | None, settings: Settings) -> str:
    return by or settings.reviewer or getpass.getuser()


@contextmanager
def _writer(settings: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    """The warehouse read-write under its lock; refreshed and its snapshot published after."""
    from nianbao.flows.refresh import refresh_warehouse
    from nianbao.warehouse.lock import writing

    if not settings.warehouse.exists():
        err.print(f"[red]error[/red] no warehouse at {settings.warehouse}")
        raise typer.Exit(1)
    try:
        with writing(settings.warehouse, settings.lock_timeout_s) as con:
            yield con
    except NianbaoError as e:
        err.print(f"[red]error[/red] {e.message}")
        raise typer.Exit(1) from e
    refresh_warehouse(settings, "review", force=True)


def _report(o: Outcome, settings: Settings) -> None:
    checks = sorted({f.check for f in o.findings})
    err.print(
        f"{o.agency_id} {o.year} ({o.sha256[:12]}): [bold]{o.status}[/bold]"
        + (f" — findings: {', '.join(checks)}" if checks else " — every check passes")
    )
    if settings.data_docs is not None:
        err.print(f"quality report: {settings.data_docs / 'index.html'}")


@review_app.command("accept")
def accept(
    agency: Annotated[str, typer.Argument(help="agency id")],
    year: Annotated[int, typer.Argument(help="report year")],
    reason: Annotated[str, typer.Option("--reason", help="why the report may be counted as printed")],
    by: By = None,
    warehouse: Warehouse = None,
) -> None:
    """Accept a quarantined report: it is counted in curated tables and rollups, its findings kept beside it."""
    from nianbao.warehouse.review import reload, review

    settings = load_settings(warehouse)
    with _writer(settings) as con:
        o = review(con, agency, year, "accept", reason=reason, decided_by=_who(by, settings))
        err.print(f"recorded override {o.override_id}: accept {agency} {year} by {o.decided_by}")
        outcome = reload(con, agency, year)
    _report(outcome, settings)


@review_app.command("correct")
def correct(
    agency: Annotated[str, typer.Argument(help="agency id")],
    year: Annotated[int, typer.Argument(help="report year")],
    cell: Annotated[list[str], typer.Option("--cell", help="table.row.column=value (repeatable)")],
    citation: Annotated[
        str | None, typer.Option("--citation", help="URL or document showing the value")
    ] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="why")] = None,
    by: By = None,
    warehouse: Warehouse = None,
) -> None:
    """Correct cells of a report, citing a source; it is checked again and admitted only if it then passes."""
    from nianbao.expectations.review import refused
    from nianbao.warehouse.review import reload, review

    settings = load_settings(warehouse)
    with _writer(settings) as con:
        for spec in cell:
            if "=" not in spec:
                raise refused(f"--cell {spec!r}: expected table.row.column=value")
            name, value = (x.strip() for x in spec.split("=", 1))
            o = review(
                con,
                agency,
                year,
                "correct",
                cell=name,
                value=value,
                citation=citation,
                reason=reason,
                decided_by=_who(by, settings),
            )
            err.print(
                f"recorded override {o.override_id}: {name} {o.printed_value} → {o.value} by {o.decided_by}"
            )
        outcome = reload(con, agency, year)
    _report(outcome, settings)


@review_app.command("list")
def list_(
    agency: Annotated[str | None, typer.Argument(help="agency id")] = None,
    year: Annotated[int | None, typer.Argument(help="report year")] = None,
    warehouse: Warehouse = None,
) -> None:
    """Every recorded decision (revoked ones included), as JSON lines: who, when, why, on which document."""
    from nianbao.warehouse.connect import open_for_reading
    from nianbao.warehouse.read import overrides

    try:
        con = open_for_reading(load_settings(warehouse).warehouse, sealed=True)
    except NianbaoError as e:
        err.print(f"[red]error[/red] {e}", soft_wrap=True)
        raise typer.Exit(1) from None
    try:
        for o in overrides(con, agency, year):
            print(json.dumps(o.as_json(), ensure_ascii=False))
    finally:
        con.close()
