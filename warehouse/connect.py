"""Opening the warehouse: the baseline schema for a new file, migrations for an older one, and the snapshot.

A new warehouse is created from `schema/` (tables, views, the mart definitions and tables, comments, the
code lists) at version 1; each later change is a file `migrations/NNN_what.sql` (NNN > 1) applied once,
in order. Opening a file that is up to date costs two small queries: nothing is re-run on every open.
Marts are refreshed once per run by the caller (`marts.refresh_marts`), not here.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import duckdb

from nianbao.pipeline.clock import now
from nianbao.pipeline.errors import NianbaoError
from nianbao.warehouse import codes

BASELINE = 1
MARTS = (  # in dependency order (build views read build views; the tables are rewritten in this order)
    "counted_reports",
    "applications_by_year",
    "review_litigation_by_year",
    "proactive_by_year",
    "applications_by_region_level",
    "report_metrics",
    "applications_by_applicant_type",
    "outcome_mix",
    "disclosure_rate",
    "refusal_reasons",
    "correction_rate",
    "citywide_metrics",
    "yoy_change",
    "agency_league",
    "coverage",
)


def _sql(package: str, name: str) -> str:
    return resources.files(package).joinpath(name).read_text(encoding="utf-8")


def migrations() -> list[tuple[int, str]]:
    """(version, SQL) of every migration after the baseline, in order."""
    out = []
    for entry in resources.files("nianbao.warehouse.migrations").iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:3].isdigit():
            out.append((int(name[:3]), entry.read_text(encoding="utf-8")))
    return sorted(out)


def _state(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    row = con.execute("select value from main.nianbao_state where key = ?", [key]).fetchone()
    return None if row is None else str(row[0])


def _set_state(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    con.execute("insert or replace into main.nianbao_state values (?, ?, ?)", [key, value, now()])


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The schema version of a warehouse file (0 for a new, empty file)."""
    tables = {
        r[0]
        for r in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'main' and database_name = current_database()"
        ).fetchall()
    }
    if "schema_version" in tables and "nianbao_state" not in tables:
        raise NianbaoError(
            "pre_release_warehouse",
            "this warehouse was written by a pre-release nianbao whose schema was never released; "
            "move it aside and run again (the raw store keeps every document)",
        )
    if "nianbao_state" not in tables:
        return 0
    return int(_state(con, "schema") or 0)


DEFINITION_FILES = ("views.sql", "marts.sql", "comments.sql")
_MONEY = "DECIMAL(38,2)"


def definitions_fingerprint() -> str:
    """A hash of what `define` creates: the views, the mart definitions and tables, the comments."""
    body = "\n".join(_sql("nianbao.warehouse.schema", n) for n in DEFINITION_FILES) + "\n".join(MARTS)
    return hashlib.sha256(body.encode()).hexdigest()


def define(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)create everything derived from the stored tables: the views (`views.sql`), the mart definitions
    (`marts.sql`, as `build.*` views), the mart tables (empty: the next refresh fills them) and the comments.

    Tables holding data are the baseline's and the migrations'; what is derived from them is redefined
    whenever its definition changes (`definitions_fingerprint`), so a warehouse always has the views of the
    nianbao that opens it for writing. Sums of 件 come out of DuckDB as HUGEINT and sums of DECIMAL(18, 2)
    as DECIMAL(38, 2); the mart tables store them as BIGINT and DECIMAL(18, 2), which pandas and Excel read.
    """
    for mart in MARTS:
        con.execute(f"drop table if exists marts.{mart}")
    for name in ("views.sql", "marts.sql"):
        con.execute(_CREATE_VIEW.sub("create or replace view", _sql("nianbao.warehouse.schema", name)))
    for mart in MARTS:
        cols = con.execute(f"describe build.{mart}").fetchall()
        typed = ", ".join(
            f"{c[0]}::bigint as {c[0]}"
            if c[1] == "HUGEINT"
            else f"{c[0]}::decimal(18, 2) as {c[0]}"
            if c[1] == _MONEY
            else c[0]
            for c in cols
        )
        con.execute(f"create table marts.{mart} as select {typed} from build.{mart} limit 0")
    con.execute(_sql("nianbao.warehouse.schema", "comments.sql"))
    con.execute("delete from build.refresh_state")  # the new tables are empty: every year is stale


_CREATE_VIEW = re.compile(r"^create view", re.MULTILINE)


def _create(con: duckdb.DuckDBPyConnection) -> None:
    """The baseline schema into an empty file."""
    con.execute(
        "create table main.nianbao_state (key varchar primary key, value varchar not null,"
        " updated_at timestamp not null)"
    )
    con.execute(_sql("nianbao.warehouse.schema", "tables.sql"))
    define(con)
    _set_state(con, "schema", str(BASELINE))
    _set_state(con, "definitions", definitions_fingerprint())


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """One transaction: committed when the block ends, rolled back (and the error raised) when it fails."""
    con.execute("begin transaction")
    try:
        yield con
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Bring a file to the current schema and code lists (each step in its own transaction); the version."""
    version = schema_version(con)
    if version == 0:
        with transaction(con):
            _create(con)
        version = BASELINE
    for number, sql in migrations():
        if number > version:
            with transaction(con):
                con.execute(sql)
                _set_state(con, "schema", str(number))
            version = number
    if _state(con, "definitions") != definitions_fingerprint():
        with transaction(con):
            define(con)
            _set_state(con, "definitions", definitions_fingerprint())
    wanted = codes.fingerprint()
    if _state(con, "codes") != wanted:
        with transaction(con):
            codes.sync_codes(con)
            _set_state(con, "codes", wanted)
    return version


def connect(path: str | Path) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the warehouse file read-write, at the current schema and code lists."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    try:
        migrate(con)
    except Exception:
        con.close()
        raise
    return con


def snapshot_path(path: str | Path) -> Path:
    """Where the analysts' snapshot of a warehouse file lives."""
    path = Path(path)
    return path.with_name(path.stem + ".snapshot" + path.suffix)


INTERNAL_SCHEMAS = ("build",)  # the mart definitions: the writer's, not the analysts'


def publish_snapshot(path: str | Path) -> Path:
    """Copy the (closed, checkpointed) warehouse to its snapshot, atomically, for readers; the internal
    schemas (`build`: the marts' definitions and refresh state) are left out of the copy, so analysts see
    raw, staging, curated and marts only. The mart tables in it are fresh: the refresh has just run."""
    path = Path(path)
    dest = snapshot_path(path)
    tmp = dest.with_name(dest.name + ".tmp")
    shutil.copyfile(path, tmp)
    con = duckdb.connect(str(tmp))
    try:
        for schema in INTERNAL_SCHEMAS:
            con.execute(f"drop schema if exists {schema} cascade")
        con.execute("checkpoint")
    finally:
        con.close()
    os.replace(tmp, dest)
    return dest


# The analysts' connection reaches the snapshot's own tables and nothing else (issue 18): no file or URL
# (read_text, read_csv, glob, COPY, ATTACH, a path in FROM), no extension installed or loaded behind a
# query's back, and no SET that could undo any of it.
SEALED = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    "lock_configuration": True,
}


def open_for_reading(path: str | Path, *, sealed: bool = False) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the snapshot (or to the file itself while no snapshot exists and no run
    writes it); `sealed` shuts everything outside the database (`SEALED`). Raises no_snapshot with one
    line when there is nothing to read yet, or when the first run is still writing."""
    path = Path(path)
    snap = snapshot_path(path)
    target = snap if snap.exists() else path
    if not target.exists():
        raise NianbaoError(
            "no_snapshot", f"no warehouse at {path} yet: run `nianbao run` or `nianbao demo` first"
        )
    try:
        return duckdb.connect(str(target), read_only=True, config=dict(SEALED) if sealed else {})
    except duckdb.IOException as e:
        if target == path and "lock" in str(e).lower():
            raise NianbaoError(
                "no_snapshot",
                f"no snapshot published yet: a run is writing {path} for the first time; "
                "try again when it has finished (each run publishes the snapshot readers use)",
            ) from None
        raise
