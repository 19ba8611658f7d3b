"""What the site reads from the analysts' snapshot, in a few set-wise queries, into plain objects.

Every number a page shows comes from here: the year rollups from `nianbao.warehouse.rollup.rollup` (what
`nianbao rollup --format json` prints, so the two cannot disagree), who was counted and left out from the
same, the league from `marts.agency_league`, the reports' tables from their stored records, the findings
from `nianbao.warehouse.read.findings`. Labels and code families come from `curated.dim_code`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import duckdb
import orjson

from nianbao.pipeline.model import Override
from nianbao.warehouse.codes import short_label
from nianbao.warehouse.marts import source
from nianbao.warehouse.read import findings as stored_findings
from nianbao.warehouse.read import overrides as stored_overrides
from nianbao.warehouse.rollup import rollup

TABLES = ("proactive", "applications", "review_litigation")


@dataclass(frozen=True)
class Agency:
    """A catalog agency."""

    id: str
    name: str
    region: str
    level: str
    kind: str


@dataclass(frozen=True)
class Document:
    """One document (version) of an agency-year, as the warehouse holds it."""

    report_id: str
    agency_id: str
    year: int
    version: int
    is_current: bool
    status: str
    template: str | None
    source_url: str | None
    sha256: str
    first_seen: datetime | None
    fetched_at: datetime | None
    error_code: str | None
    error_message: str | None
    format: str | None
    size_bytes: int | None
    store_path: str | None
    verified: bool | None  # the reading's own verdict where the reader gives one (OCR); None: not stated


@dataclass(frozen=True)
class Coverage:
    """One agency-year of the coverage matrix: counted, or why not (as the year's rollup says)."""

    status: str  # counted | quarantined | unreadable | no_report | other_template
    detail: str = ""  # the failing checks, the error code or the other template
    unverified: bool = False  # counted, but the reading says it is not verified (OCR)


@dataclass(frozen=True)
class Labels:
    """The template's labels by code, from curated.dim_code (newest wording) and dim_code_label (each template's)."""

    short: dict[tuple[str, str, str], str]  # (table, kind, code) → short label, newest template's wording
    printed: dict[tuple[str, str, str, str], str]  # (template, table, kind, code) → the label as printed

    def of(self, table: str, kind: str, code: str, template: str | None = None) -> str:
        """A code's short label, in the given template's wording where it prints the code."""
        label = self.printed.get((template or "", table, kind, code))
        return short_label(label) if label is not None else self.short[(table, kind, code)]


@dataclass
class City:
    """Everything the pages are made of."""

    years: list[int]
    agencies: list[Agency]
    rollups: dict[int, dict[str, Any]]
    coverage: dict[tuple[str, int], Coverage]
    league: dict[int, list[dict[str, Any]]]
    documents: dict[str, list[Document]]
    tables: dict[str, dict[str, Any]]  # report_id → its record's three tables (current documents)
    findings: list[dict[str, Any]]
    overrides: list[Override]
    labels: Labels
    families: dict[str, str]  # table 3 row code → its outcome family
    schema: str = "marts"
    by_agency: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def report_years(con: duckdb.DuckDBPyConnection, only: int | None = None) -> list[int]:
    """The report years the warehouse holds (or just `only`, when it holds it)."""
    years = [
        int(r[0]) for r in con.execute("select distinct year from staging.reports order by 1").fetchall()
    ]
    return [y for y in years if only is None or y == only]


def agencies(con: duckdb.DuckDBPyConnection) -> list[Agency]:
    """The catalog's agencies by region, level and id."""
    rows = con.execute(
        "select agency_id, name, region, level, kind from curated.dim_agency order by region, level, agency_id"
    ).fetchall()
    return [Agency(*(str(v) if v is not None else "" for v in r)) for r in rows]


def coverage(
    rollups: dict[int, dict[str, Any]], documents: dict[str, list[Document]]
) -> dict[tuple[str, int], Coverage]:
    """Each agency-year: counted or left out with why, exactly as each year's rollup has it."""
    unverified = {
        (d.agency_id, d.year)
        for docs in documents.values()
        for d in docs
        if d.is_current and d.verified is False
    }
    out: dict[tuple[str, int], Coverage] = {}
    for year, r in rollups.items():
        for agency_id in r["agencies_counted"]:
            out[(agency_id, year)] = Coverage("counted", unverified=(agency_id, year) in unverified)
        for left in r["left_out"]:
            detail = ", ".join(left.get("checks") or []) or left.get("error") or left.get("template") or ""
            out[(left["agency"], year)] = Coverage(left["reason"], str(detail))
    return out


def league(con: duckdb.DuckDBPyConnection, years: list[int], schema: str) -> dict[int, list[dict[str, Any]]]:
    """marts.agency_league by year, each row with last year's figures beside it (None where it had none) and
    its rank by reviews and lawsuits together."""
    if not years:
        return {}
    cur = con.execute(
        f"""
        with l as (select * from {schema}.agency_league),
        final as (
            select l.*, p.received_new as prev_received_new, p.disclosure_rate as prev_disclosure_rate,
                   p.review_total as prev_review_total, p.litigation_total as prev_litigation_total,
                   rank() over (partition by l.year order by l.review_total + l.litigation_total desc)
                       as rank_by_disputes
            from l
            left join l as p on p.agency_id = l.agency_id and p.year = l.year - 1
            where l.year in (select unnest(?::integer[]))
        )
        select * from final order by year, rank_by_received, agency_id
        """,
        [years],
    )
    cols = [d[0] for d in cur.description or []]
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in cur.fetchall():
        d = dict(zip(cols, row, strict=True))
        for k, v in d.items():
            if (
                k not in ("disclosure_rate", "prev_disclosure_rate")
                and isinstance(v, int | float)
                and v is not None
            ):
                d[k] = int(v)
        out[int(d["year"])].append(d)
    return dict(out)


def documents(con: duckdb.DuckDBPyConnection, years: list[int]) -> dict[str, list[Document]]:
    """Every document of the years, by agency, newest year first, versions in order."""
    rows = con.execute(
        """
        select r.report_id, r.agency_id, r.year, r.version, r.is_current, r.status, r.template, r.source_url,
               r.sha256, r.first_seen, r.fetched_at, r.error_code, s.error_message, d.format, d.size_bytes,
               d.store_path, try_cast(s.record->'reading'->>'verified' as boolean)
        from curated.dim_report as r
        join staging.reports as s using (report_id)
        left join raw.documents as d on d.sha256 = r.sha256
        where r.year in (select unnest(?::integer[]))
        order by r.agency_id, r.year desc, r.version
        """,
        [years],
    ).fetchall()
    out: dict[str, list[Document]] = defaultdict(list)
    for r in rows:
        out[str(r[1])].append(Document(*r))
    return dict(out)


def record_tables(con: duckdb.DuckDBPyConnection, years: list[int]) -> dict[str, dict[str, Any]]:
    """The three tables of each current document's stored record, as read (before any correction)."""
    rows = con.execute(
        """
        select report_id, (record->'proactive')::varchar, (record->'applications')::varchar,
               (record->'review_litigation')::varchar
        from staging.current_reports
        where year in (select unnest(?::integer[])) and record is not null
        """,
        [years],
    ).fetchall()
    return {
        str(rid): {t: orjson.loads(v) if v else {} for t, v in zip(TABLES, tables, strict=True)}
        for rid, *tables in rows
    }


def code_labels(con: duckdb.DuckDBPyConnection) -> tuple[Labels, dict[str, str]]:
    """The labels of every code, and table 3 row code → outcome family, from curated.dim_code(_label)."""
    short: dict[tuple[str, str, str], str] = {}
    families: dict[str, str] = {}
    for table, kind, code, label, group in con.execute(
        "select table_name, code_kind, code, short_label_zh, group_code from curated.dim_code"
    ).fetchall():
        short[(table, kind, code)] = label
        if table == "applications" and kind == "row" and group:
            families[code] = group
    printed = {
        (t, table, kind, code): label
        for table, kind, code, t, label in con.execute(
            "select table_name, code_kind, code, template, label_zh from curated.dim_code_label"
        ).fetchall()
    }
    return Labels(short, printed), families


def load_city(con: duckdb.DuckDBPyConnection, only_year: int | None = None) -> City:
    """Everything the site shows, for every report year (or one)."""
    years = report_years(con, only_year)
    schema = source(con)
    rollups = {y: rollup(con, y) for y in years}
    docs = documents(con, years)
    labels, families = code_labels(con)
    wanted = set(years)
    found = [f for f in stored_findings(con) if f["year"] in wanted]
    by_agency: dict[str, list[dict[str, Any]]] = defaultdict(list)
    seq: dict[tuple[str, int], int] = defaultdict(int)
    for f in found:
        key = (f["agency"], f["year"])
        seq[key] += 1
        f["anchor"] = f"f{f['year']}-{seq[key]}"
        by_agency[f["agency"]].append(f)
    return City(
        years=years,
        agencies=agencies(con),
        rollups=rollups,
        coverage=coverage(rollups, docs),
        league=league(con, years, schema),
        documents=docs,
        tables=record_tables(con, years),
        findings=found,
        overrides=[o for o in stored_overrides(con) if o.year in wanted],
        labels=labels,
        families=families,
        schema=schema,
        by_agency=dict(by_agency),
    )
