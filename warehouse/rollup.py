"""Citywide rollups and findings, read from the warehouse (spec/interfaces.md contracts)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import duckdb

from nianbao.pipeline import tables as T
from nianbao.pipeline.errors import NianbaoError
from nianbao.pipeline.numbers import amount_to_json
from nianbao.warehouse.marts import source


def _template_for(con: duckdb.DuckDBPyConnection, year: int, schema: str = "marts") -> str:
    """The template the year's counted reports use (the template of the year when none is counted);
    year_not_covered for a year no template covers and no report is counted for."""
    row = con.execute(
        f"select any_value(template) from {schema}.counted_reports where year = ?", [year]
    ).fetchone()
    if row and row[0]:
        return str(row[0])
    template = T.template_of_year(year)
    if template is None:
        first = min(lo for lo, _hi in T.TEMPLATE_YEARS.values())
        raise NianbaoError(
            "year_not_covered", f"no report template covers {year}: reports are read from {first} on"
        )
    return template


def left_out(con: duckdb.DuckDBPyConnection, year: int, schema: str | None = None) -> list[dict[str, Any]]:
    """Every catalog agency not counted for the year, with why (marts.coverage; no_report when absent)."""
    schema = schema or source(con)
    out: list[dict[str, Any]] = []
    for agency_id, status, error_code, checks, template in con.execute(
        f"""
        select a.agency_id, coalesce(c.status, 'no_report'), c.error_code, c.failed_checks, c.template
        from curated.dim_agency as a
        left join {schema}.coverage as c on c.agency_id = a.agency_id and c.year = ?
        where coalesce(c.status, 'no_report') <> 'counted'
        order by a.agency_id
        """,
        [year],
    ).fetchall():
        if status == "quarantined":
            out.append({"agency": agency_id, "reason": "quarantined", "checks": list(checks or [])})
        elif status == "unreadable":
            out.append({"agency": agency_id, "reason": "unreadable", "error": error_code})
        elif status == "other_template":
            out.append({"agency": agency_id, "reason": "other_template", "template": template})
        elif (failed := _failed_fetch(con, agency_id, year)) is not None:
            # a report was found but never arrived whole: a 404 article, a body still truncated after retries
            out.append({"agency": agency_id, "reason": "unreadable", "error": failed})
        else:
            out.append({"agency": agency_id, "reason": "no_report"})
    return out


def _failed_fetch(con: duckdb.DuckDBPyConnection, agency_id: str, year: int) -> str | None:
    """The error code of the agency-year's report document whose latest fetch failed, if any."""
    row = con.execute(
        """
        with latest as (
            select url, status, error_code,
                   row_number() over (partition by url order by fetched_at desc, attempt desc) as rn
            from raw.fetch_log
            where agency_id = ? and year = ? and role = 'document'
        )
        select error_code from latest where rn = 1 and status = 'failed' order by url limit 1
        """,
        [agency_id, year],
    ).fetchone()
    return None if row is None else str(row[0])


def rollup(con: duckdb.DuckDBPyConnection, year: int) -> dict[str, Any]:
    """Tables 2, 3 and 4 summed over the year's counted reports (marts.*_by_year), with who was left out.

    Reads the mart tables (refreshed first when stale and the connection may write; the `build` views
    when it cannot), so the figures always match the stored reports.
    """
    schema = source(con)
    template = _template_for(con, year, schema)
    counted = [
        r[0]
        for r in con.execute(
            f"select distinct agency_id from {schema}.counted_reports where year = ? order by 1", [year]
        ).fetchall()
    ]
    proactive: dict[str, dict[str, Any]] = {
        i: dict.fromkeys(ms, 0) for i, ms in T.PROACTIVE_LAYOUT[template].items()
    }
    for item, measure, value in con.execute(
        f"select item, measure, value from {schema}.proactive_by_year where year = ?", [year]
    ).fetchall():
        if item in proactive and measure in proactive[item]:
            proactive[item][measure] = (
                amount_to_json(Decimal(value)) if measure in T.MONEY_MEASURES else int(value)
            )
    applications = {r: dict.fromkeys(T.APPLICANT_CODES, 0) for r in T.application_row_codes(template)}
    for row, applicant, value in con.execute(
        f"select row_code, applicant, value from {schema}.applications_by_year where year = ?", [year]
    ).fetchall():
        if row in applications and applicant in applications[row]:
            applications[row][applicant] = int(value)
    review = {p: dict.fromkeys(T.OUTCOME_CODES, 0) for p in T.PROCEEDING_CODES}
    for proceeding, outcome, value in con.execute(
        f"select proceeding, outcome, value from {schema}.review_litigation_by_year where year = ?", [year]
    ).fetchall():
        if proceeding in review and outcome in review[proceeding]:
            review[proceeding][outcome] = int(value)
    return {
        "year": year,
        "template": template,
        "agencies_counted": counted,
        "left_out": left_out(con, year, schema),
        "proactive": proactive,
        "applications": applications,
        "review_litigation": review,
    }


# The rollup marts an analyst exports or reads by name: view → its year column is `year`.
ROLLUP_MARTS = (
    "applications_by_year",
    "proactive_by_year",
    "review_litigation_by_year",
    "applications_by_region_level",
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


def mart(con: duckdb.DuckDBPyConnection, name: str, year: int | None = None) -> Any:
    """One rollup mart as a pandas DataFrame, optionally for one year."""
    if name not in ROLLUP_MARTS:
        raise KeyError(f"no rollup mart named {name!r}; one of {', '.join(ROLLUP_MARTS)}")
    schema = source(con)
    if year is None:
        return con.execute(f"select * from {schema}.{name} order by all").df()
    return con.execute(f"select * from {schema}.{name} where year = ? order by all", [year]).df()
