"""Opening the warehouse: migrations to the current schema, and the analysts' read-only snapshot."""

from __future__ import annotations

import os
import shutil
from importlib import resources
from pathlib import Path

import duckdb


def migrations() -> list[tuple[int, str]]:
    """(version, SQL) of every migration in warehouse/sql, in order."""
    out = []
    for entry in resources.files("nianbao.warehouse.sql").iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:3].isdigit():
            out.append((int(name[:3]), entry.read_text(encoding="utf-8")))
    return sorted(out)


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The schema version a warehouse file is at (0 for a new file)."""
    con.execute(
        "create table if not exists main.schema_version (version integer primary key, applied_at timestamp)"
    )
    row = con.execute("select coalesce(max(version), 0) from main.schema_version").fetchone()
    return int(row[0]) if row else 0


def applied_versions(con: duckdb.DuckDBPyConnection) -> set[int]:
    """The migration versions already applied to a warehouse file."""
    schema_version(con)
    return {int(r[0]) for r in con.execute("select version from main.schema_version").fetchall()}


def migrate(con: duckdb.DuckDBPyConnection, upto: int | None = None) -> int:
    """Apply every migration not yet applied (up to `upto`), each in its own transaction; the new version.

    Missing versions are applied even when a later one is present, so a file migrated by a branch that
    merged a higher number first still receives the lower ones.
    """
    done = applied_versions(con)
    for version, sql in migrations():
        if version in done or (upto is not None and version > upto):
            continue
        con.execute("begin transaction")
        try:
            con.execute(sql)
            con.execute("insert into main.schema_version values (?, current_timestamp)", [version])
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
        done.add(version)
    return max(done, default=0)


def connect(path: str | Path) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the warehouse file read-write, at the current schema and code lists."""
    from nianbao.warehouse.codes import sync_codes
    from nianbao.warehouse.marts import refresh_marts

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    migrate(con)
    sync_codes(con)
    refresh_marts(con)  # no-op unless codes, or rows written by other means, moved since the last refresh
    return con


def snapshot_path(path: str | Path) -> Path:
    """Where the analysts' snapshot of a warehouse file lives."""
    path = Path(path)
    return path.with_name(path.stem + ".snapshot" + path.suffix)


def publish_snapshot(path: str | Path) -> Path:
    """Copy the (closed, checkpointed) warehouse to its snapshot, atomically, for readers."""
    path = Path(path)
    dest = snapshot_path(path)
    tmp = dest.with_name(dest.name + ".tmp")
    shutil.copyfile(path, tmp)
    os.replace(tmp, dest)
    return dest


def open_for_reading(path: str | Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the snapshot (or to the file itself when no snapshot exists yet)."""
    path = Path(path)
    snap = snapshot_path(path)
    target = snap if snap.exists() else path
    if not target.exists():
        raise FileNotFoundError(f"no warehouse at {path}: run `nianbao run` or `nianbao demo` first")
    return duckdb.connect(str(target), read_only=True)
