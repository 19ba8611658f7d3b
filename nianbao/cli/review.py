"""`nianbao review …` and the human view of `nianbao findings --format table` (issue 5).

Kept apart from nianbao.pipeline/cli.py, which registers these: review decisions are recorded in the warehouse
(warehouse/overrides.py), the report is loaded again with them applied, and the analysts' snapshot is
published. stdout carries data only; what happened goes to stderr.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import groupby
from pathlib import Path
from typing import Annotated, Any

import duckdb
import typer
from rich.console import Console
from rich.table import Table

from nianbao.pipeline.errors import NianbaoError

review_app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="Review decisions: accept a quarantined report, or correct a cell citing a source.",
)
err = Console(stderr=True)
Warehouse = Annotated[
    Path | None, typer.Option("--warehouse", help="DuckDB file (default: $NIANBAO_WAREHOUSE)")
]
By = Annotated[
    str | None, typer.Option("--by", help="who decides (default: $NIANBAO_REVIEWER or the login name)")
]


@contextmanager
def _writer(warehouse: Path | None) -> Iterator[duckdb.DuckDBPyConnection]:
    """The warehouse read-write under the load lock (runs queue behind it); the snapshot published after."""
    from nianbao.pipeline.settings import load_settings
    from nianbao.warehouse.connect import publish_snapshot
    from nianbao.warehouse.fetchlog import writing

    path = load_settings(warehouse).warehouse
    if not Path(path).exists():
        err.print(f"[red]error[/red] no warehouse at {path}")
        raise typer.Exit(1)
    try:
        with writing(path) as con:
            yield con
    except NianbaoError as e:
        err.print(f"[red]error[/red] {e.message}")
        raise typer.Exit(1) from e
    publish_snapshot(path)


def _report_outcome(o: Any) -> None:
    from nianbao.expectations.docs import default_docs_dir

    checks = sorted({f.check for f in o.findings})
    err.print(
        f"{o.agency_id} {o.year} ({o.sha256[:12]}): [bold]{o.status}[/bold]"
        + (f" — findings: {', '.join(checks)}" if checks else " — every check passes")
    )
    docs = default_docs_dir()
    if docs is not None:
        err.print(f"data docs: {docs / 'index.html'}")


@review_app.command("accept")
def accept(
    agency: Annotated[str, typer.Argument(help="agency id")],
    year: Annotated[int, typer.Argument(help="report year")],
    reason: Annotated[str, typer.Option("--reason", help="why the report may be counted as printed")],
    by: By = None,
    warehouse: Warehouse = None,
) -> None:
    """Accept a quarantined report: it is counted in curated tables and rollups, its findings kept beside it."""
    from nianbao.warehouse.overrides import record_override, reprocess

    with _writer(warehouse) as con:
        o = record_override(con, agency, year, "accept", reason=reason, decided_by=by)
        err.print(f"recorded override {o.override_id}: accept {agency} {year} by {o.decided_by}")
        _report_outcome(reprocess(con, agency, year))


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
    from nianbao.warehouse.overrides import ReviewError, record_override, reprocess

    with _writer(warehouse) as con:
        for spec in cell:
            if "=" not in spec:
                raise ReviewError(f"--cell {spec!r}: expected table.row.column=value")
            name, value = (x.strip() for x in spec.split("=", 1))
            o = record_override(
                con,
                agency,
                year,
                "correct",
                cell=name,
                value=value,
                citation=citation,
                reason=reason,
                decided_by=by,
            )
            err.print(
                f"recorded override {o.override_id}: {name} {o.printed_value} → {o.value} by {o.decided_by}"
            )
        _report_outcome(reprocess(con, agency, year))


@review_app.command("list")
def list_(
    agency: Annotated[str | None, typer.Argument(help="agency id")] = None,
    year: Annotated[int | None, typer.Argument(help="report year")] = None,
    warehouse: Warehouse = None,
) -> None:
    """Every recorded decision (revoked ones included), as JSON lines: who, when, why, on which document."""
    from nianbao.pipeline.settings import load_settings
    from nianbao.warehouse.connect import open_for_reading
    from nianbao.warehouse.overrides import list_overrides

    con = open_for_reading(load_settings(warehouse).warehouse)
    try:
        for o in list_overrides(con, agency, year):
            print(json.dumps(o.as_json(), ensure_ascii=False))
    finally:
        con.close()


def _where(locations: list[dict[str, Any]]) -> str:
    from nianbao.expectations.docs import where

    return "\n".join(
        f"{str(loc.get('ref', '')).rsplit('.', 1)[-1]}: {where(loc)}" for loc in locations[:4]
    ) + (f"\n… {len(locations) - 4} more" if len(locations) > 4 else "")


def _n(v: Any) -> str:
    return "-" if v is None else str(v)


def print_findings_table(rows: list[dict[str, Any]], console: Console | None = None) -> None:
    """Findings as rich tables: one per agency-year, rows grouped by check, blocking first."""
    console = console or Console()
    if not rows:
        console.print("no findings")
        return
    key = lambda r: (r["agency"], r["year"])  # noqa: E731
    for (agency, year), group in groupby(sorted(rows, key=key), key=key):
        items = sorted(group, key=lambda r: (r["severity"] != "blocking", r["check"]))
        first = items[0]
        t = Table(
            title=f"{agency} {year} — {first.get('report_status', '')} — document {first['document'][:12]}",
            title_justify="left",
            show_lines=False,
        )
        for col, just in (
            ("check", "left"),
            ("severity", "left"),
            ("cells", "left"),
            ("left", "right"),
            ("right", "right"),
            ("diff", "right"),
            ("where", "left"),
        ):
            t.add_column(col, justify=just)  # type: ignore[arg-type]
        for check, same in groupby(items, key=lambda r: r["check"]):
            same = list(same)
            for i, r in enumerate(same):
                about = ".".join(x for x in (r["table"], r["row"], r["proceeding"], r["column"]) if x) or "-"
                style = "red" if r["severity"] == "blocking" else "yellow"
                t.add_row(
                    check if i == 0 else "",
                    f"[{style}]{r['severity']}[/{style}]" if i == 0 else "",
                    about,
                    _n(r["left"]),
                    _n(r["right"]),
                    _n(r.get("difference")),
                    _where(r["locations"]),
                    end_section=i == len(same) - 1,
                )
        console.print(t)
