"""Exports for analysts: Parquet for facts, dimensions and rollups; CSV and one XLSX workbook for the rollups.

- Parquet keeps DuckDB's types (BIGINT, DECIMAL(18, 2), dates, lists): what pandas, R or DuckDB read back.
- CSV is RFC 4180, UTF-8, LF line endings; a list cell is JSON (`["t3_balance"]`). `bom=True` starts each
  file with a UTF-8 byte-order mark, which Excel on Windows needs to read Chinese as Chinese.
- `rollups.xlsx` has one sheet per rollup mart, each with its header frozen, a filter on every column, the
  column's meaning as the header cell's note, and a `dictionary` sheet: every sheet's columns, types and
  meanings (the warehouse's own comments, Chinese labels included).
"""

from __future__ import annotations

import csv
import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from nianbao.warehouse.marts import source
from nianbao.warehouse.rollup import ROLLUP_MARTS

PARQUET_TABLES = (
    "curated.fct_proactive",
    "curated.fct_applications",
    "curated.fct_review_litigation",
    "curated.dim_agency",
    "curated.dim_report",
    "curated.dim_code",
    "curated.dim_code_label",
    "curated.dim_template",
    "staging.findings",
    "marts.counted_reports",
)
DICTIONARY_SHEET = "dictionary"


def export(con: duckdb.DuckDBPyConnection, out: str | Path, *, bom: bool = False) -> list[Path]:
    """Write facts, dimensions and rollups as Parquet, rollups as CSV (with a BOM for Excel when `bom`) and
    as rollups.xlsx under `out`; the files written."""
    out = Path(out)
    (out / "parquet").mkdir(parents=True, exist_ok=True)
    (out / "rollups").mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    schema = source(con)  # the mart tables, or their build views if a read-only file holds them stale
    marts = [f"{schema}.{name}" for name in ROLLUP_MARTS]
    for table in (*PARQUET_TABLES, *marts):
        name = table if table in PARQUET_TABLES else f"marts.{table.split('.', 1)[1]}"
        path = out / "parquet" / f"{name}.parquet"
        con.execute(f"copy (select * from {table} order by all) to '{_quote(path)}' (format parquet)")
        written.append(path)
    sheets: dict[str, tuple[list[str], list[tuple[Any, ...]]]] = {}
    for name in ROLLUP_MARTS:
        cur = con.execute(f"select * from {schema}.{name} order by all")
        cols = [d[0] for d in cur.description or []]
        rows = cur.fetchall()
        sheets[name] = (cols, rows)
        path = out / "rollups" / f"{name}.csv"
        write_csv(path, cols, rows, bom=bom)
        written.append(path)
    xlsx = out / "rollups" / "rollups.xlsx"
    write_xlsx(xlsx, sheets, column_notes(con, ROLLUP_MARTS))
    written.append(xlsx)
    return written


def column_notes(
    con: duckdb.DuckDBPyConnection, marts: tuple[str, ...]
) -> dict[str, list[tuple[str, str, str]]]:
    """mart → (column, type, meaning) as the warehouse comments them (the `marts` tables' comments)."""
    out: dict[str, list[tuple[str, str, str]]] = {m: [] for m in marts}
    for table, column, kind, comment in con.execute(
        "select table_name, column_name, data_type, coalesce(comment, '') from duckdb_columns()"
        " where schema_name = 'marts' and database_name = current_database() order by table_name, column_index"
    ).fetchall():
        if table in out:
            out[table].append((column, kind, comment))
    return out


def cell(value: Any) -> Any:
    """A value as a CSV or spreadsheet cell: lists and structs as JSON text, everything else as it is."""
    if isinstance(value, list | tuple | dict):
        return json.dumps(_plain(value), ensure_ascii=False)
    return value


def _plain(v: Any) -> Any:
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    if isinstance(v, datetime | date):
        return v.isoformat()
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_plain(x) for x in v]
    return v


def write_csv(path: Path, columns: list[str], rows: list[tuple[Any, ...]], *, bom: bool = False) -> None:
    """RFC 4180 CSV, UTF-8 (with a byte-order mark when `bom`), LF line endings, NULL as an empty cell."""
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(columns)
        for row in rows:
            w.writerow(["" if v is None else cell(v) for v in row])


def write_xlsx(
    path: Path,
    sheets: dict[str, tuple[list[str], list[tuple[Any, ...]]]],
    notes: dict[str, list[tuple[str, str, str]]],
) -> None:
    """One sheet per mart (header frozen, filters on, each header cell's note its meaning) and a dictionary."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)

    def sheet(title: str, columns: list[str], rows: list[tuple[Any, ...]], meaning: dict[str, str]) -> None:
        ws = book.create_sheet(title[:31])
        ws.append(columns)
        for row in rows:
            ws.append([cell(v) for v in row])
        for i, name in enumerate(columns, 1):
            head = ws.cell(row=1, column=i)
            head.font = bold
            if meaning.get(name):
                head.comment = Comment(meaning[name], "nianbao")
            width = max([len(str(name))] + [len(str(cell(r[i - 1]) or "")) for r in rows[:200]])
            ws.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 8), 60)
        ws.freeze_panes = "A2"
        if columns:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(len(rows) + 1, 2)}"

    for name, (columns, rows) in sheets.items():
        sheet(name, columns, rows, {c: m for c, _t, m in notes.get(name, [])})
    dictionary = [(name, c, t, m) for name in sheets for c, t, m in notes.get(name, [])]
    sheet(DICTIONARY_SHEET, ["sheet", "column", "type", "meaning"], dictionary, {})
    book.save(path)


def _quote(path: Path) -> str:
    return str(path).replace("'", "''")
