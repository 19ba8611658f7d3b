"""How commands print data on stdout: the `--format` choices and one writer per format.

- `json`: one JSON value per line (objects for rows), UTF-8, numbers as numbers (DECIMAL too), times ISO.
- `csv`: RFC 4180 with LF line endings and a header row; a cell holding a list or an object is that value
  as JSON (`["hz-jds"]`, never a Python repr); NULL is an empty cell.
- `table`: rich tables for people, as wide as the rows need (never cut at 80 columns off a terminal).
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum
from typing import Any, TextIO


class Format(StrEnum):
    """table | json | csv (`query`, `findings`, `review list`, `rollup`)."""

    table = "table"
    json = "json"
    csv = "csv"


class ChangeFormat(StrEnum):
    """table | json (`rerun`: what became of each document)."""

    table = "table"
    json = "json"


def plain(v: Any) -> Any:
    """A value as JSON can carry it: DECIMAL as int or float, times as ISO strings, bytes as hex."""
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    if isinstance(v, datetime | date | time):
        return v.isoformat()
    if isinstance(v, bytes):
        return v.hex()
    if isinstance(v, dict):
        return {str(k): plain(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [plain(x) for x in v]
    return v


def dumps(obj: Any) -> str:
    """One line of JSON (UTF-8 kept as is)."""
    return json.dumps(plain(obj), ensure_ascii=False)


def cell(v: Any) -> str:
    """One CSV cell: lists and objects as JSON, NULL empty, everything else as its text."""
    if v is None:
        return ""
    if isinstance(v, dict | list | tuple):
        return dumps(v)
    p = plain(v)
    return p if isinstance(p, str) else json.dumps(p) if isinstance(p, bool) else str(p)


def write_csv(columns: Sequence[str], rows: Iterable[Sequence[Any]], out: TextIO | None = None) -> None:
    """RFC 4180 CSV with LF line endings: a header, then one line per row."""
    w = csv.writer(out or sys.stdout, lineterminator="\n")
    w.writerow(columns)
    for row in rows:
        w.writerow([cell(v) for v in row])


def write_json_lines(
    columns: Sequence[str], rows: Iterable[Sequence[Any]], out: TextIO | None = None
) -> None:
    """One JSON object per row."""
    stream = out or sys.stdout
    for row in rows:
        stream.write(dumps(dict(zip(columns, row, strict=True))) + "\n")


def write_table(
    columns: Sequence[str], rows: Iterable[Sequence[Any]], title: str | None = None, stderr: bool = False
) -> None:
    """A rich table, wide enough for its rows whether or not the stream is a terminal."""
    from rich.table import Table

    t = Table(title=title)
    for c in columns:
        t.add_column(c)
    for row in rows:
        t.add_row(
            *("" if v is None else dumps(v) if isinstance(v, dict | list | tuple) else str(v) for v in row)
        )
    console(stderr).print(t)


def console(stderr: bool = False) -> Any:
    """A rich console on stdout (or stderr): the terminal's width on a terminal, otherwise wide enough."""
    from rich.console import Console

    c = Console(stderr=stderr)
    return c if c.is_terminal else Console(stderr=stderr, width=400)
