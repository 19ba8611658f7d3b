"""Exports for analysts: Parquet for facts and dimensions, CSV and one XLSX workbook for the rollup marts."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

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


def export(con: duckdb.DuckDBPyConnection, out: str | Path) -> list[Path]:
    """Write facts/dimensions as Parquet and rollups as CSV + rollups.xlsx under `out`; the files written."""
    out = Path(out)
    (out / "parquet").mkdir(parents=True, exist_ok=True)
    (out / "rollups").mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for table in PARQUET_TABLES:
        path = out / "parquet" / f"{table}.parquet"
        con.execute(f"copy (select * from {table} order by all) to '{_quote(path)}' (format parquet)")
        written.append(path)
    frames: dict[str, pd.DataFrame] = {}
    schema = source(con)  # the mart tables, or their build views if a read-only file holds them stale
    for name in ROLLUP_MARTS:
        path = out / "rollups" / f"{name}.csv"
        con.execute(
            f"copy (select * from {schema}.{name} order by all) to '{_quote(path)}' (header, delimiter ',')"
        )
        written.append(path)
        frames[name] = con.execute(f"select * from {schema}.{name} order by all").df()
    xlsx = out / "rollups" / "rollups.xlsx"
    with pd.ExcelWriter(xlsx, engine="openpyxl") as book:
        for name, df in frames.items():
            for col in df.columns:  # Excel has no list cells
                if df[col].map(_is_list).any():
                    df[col] = df[col].map(lambda v: ", ".join(map(str, list(v))) if _is_list(v) else None)
            df.to_excel(book, sheet_name=name[:31], index=False)
    written.append(xlsx)
    return written


def _is_list(value: object) -> bool:
    return isinstance(value, list | tuple) or (hasattr(value, "tolist") and not isinstance(value, str))


def _quote(path: Path) -> str:
    return str(path).replace("'", "''")
