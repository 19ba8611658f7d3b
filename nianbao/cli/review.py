"""`nianbao review accept | correct | revoke | list`: reviewers' decisions, recorded and applied at once.

A decision is recorded in the warehouse under its write lock (runs queue behind it), the report is loaded
again with it applied, and the marts, quality report and analysts' snapshot are refreshed, and the
analysts' site (NIANBAO_SITE) rebuilt from that snapshot, so what an analyst opens matches the warehouse. stdout carries
data only (`list`); what happened goes to stderr. Everything runs in this process: no Prefect server.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from nianbao.cli.output import Format, write_csv, write_json_lines, write_table
from nianbao.cli.show import err
from nianbao.pipeline.errors import NianbaoError
from nianbao.pipeline.settings import Settings, load_settings

if TYPE_CHECKING:
    import duckdb

    from nianbao.pipeline.model import Outcome

review_app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="Review decisions: accept a quarantined report, correct a cell citing a source, revoke a decision.",
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
    from nianbao.warehouse.lock import writing
    from nianbao.warehouse.refresh import refresh_warehouse

    if not settings.warehouse.exists():
        err.print(f"[red]error[/red] no warehouse at {settings.warehouse}")
        raise typer.Exit(1)
    try:
        with writing(settings.warehouse, settings.lock_timeout_s) as con:
            yield con
    except NianbaoError as e:
        err.print(f"[red]error[/red] {e.message}")
        raise typer.Exit(1) from e
    from nianbao.flows.events import local_run_id

    refresh_warehouse(settings, f"review-{local_run_id()}", force=True)
    from nianbao.site.publish import publish_site

    site = publish_site(settings)
    if site["error"]:
        err.print(f"[red]the analysts' site was not rebuilt[/red]: {site['error']}", soft_wrap=True)
    elif site["built"]:
        err.print(f"analysts' site: {site['path']}", highlight=False)


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


@review_app.command("revoke")
def revoke(
    override_id: Annotated[int, typer.Argument(help="the decision's id (see `nianbao review list`)")],
    reason: Annotated[str, typer.Option("--reason", help="why the decision is withdrawn")],
    by: By = None,
    warehouse: Warehouse = None,
) -> None:
    """Withdraw a recorded decision (accept or correct): recorded as a decision of its own (who, when, why),
    the earlier one marked revoked, and the report checked again without it."""
    from nianbao.warehouse.review import reload, revoke_decision

    settings = load_settings(warehouse)
    with _writer(settings) as con:
        o = revoke_decision(con, override_id, reason=reason, decided_by=_who(by, settings))
        err.print(
            f"recorded override {o.override_id}: revoke {override_id} ({o.agency_id} {o.year}) by {o.decided_by}"
        )
        outcome = reload(con, o.agency_id, o.year)
    _report(outcome, settings)


@review_app.command("list")
def list_(
    agency: Annotated[str | None, typer.Argument(help="agency id")] = None,
    year: Annotated[int | None, typer.Argument(help="report year")] = None,
    warehouse: Warehouse = None,
    format: Annotated[
        Format, typer.Option("--format", help="json (one object per line), csv or table")
    ] = Format.json,
) -> None:
    """Every recorded decision (revoked ones and revocations included): who, when, why, on which document."""
    from nianbao.warehouse.connect import open_for_reading
    from nianbao.warehouse.read import overrides
    from nianbao.warehouse.write import OVERRIDE_COLUMNS

    try:
        con = open_for_reading(load_settings(warehouse).warehouse, sealed=True)
    except NianbaoError as e:
        err.print(f"[red]error[/red] {e}", soft_wrap=True)
        raise typer.Exit(1) from None
    try:
        rows = [[getattr(o, c) for c in OVERRIDE_COLUMNS] for o in overrides(con, agency, year)]
    finally:
        con.close()
    if format is Format.json:
        write_json_lines(OVERRIDE_COLUMNS, rows)
    elif format is Format.csv:
        write_csv(OVERRIDE_COLUMNS, rows)
    else:
        write_table(OVERRIDE_COLUMNS, rows, title="review decisions")
