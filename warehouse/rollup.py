"""Citywide rollups and findings, read from the warehouse (spec/interfaces.md contracts)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import duckdb

from pipeline import tables as T
from pipeline.numbers import amount_to_json


def _template_for(con: duckdb.DuckDBPyConnection, year: int) -> str:
    row = con.execute(
        "select template from curated.admitted_reports where year = ? group by template order by count(*) desc limit 1",
        [year],
    ).fetchone()
    if row:
        return str(row[0])
    return next(t for t, (lo, hi) in T.TEMPLATE_YEARS.items() if lo <= year <= hi)


def rollup(con: duckdb.DuckDBPyConnection, year: int) -> dict[str, Any]:
    """Tables 2, 3 and 4 summed over the year's admitted reports, with who was counted and who was not."""
    template = _template_for(con, year)
    counted = [r[0] for r in con.execute(
        "select distinct agency_id from curated.admitted_reports where year = ? and template = ? order by 1",
        [year, template],
    ).fetchall()]
    left_out: list[dict[str, Any]] = []
    for agency_id, status, error_code, report_id, tmpl in con.execute(
        """
        select d.agency_id, c.status, c.error_code, c.report_id, c.template
        from curated.dim_agency as d
        left join staging.current_reports as c on c.agency_id = d.agency_id and c.year = ?
        order by d.agency_id
        """,
        [year],
    ).fetchall():
        if agency_id in counted:
            continue
        if status is None:
            left_out.append({"agency": agency_id, "reason": "no_report"})
        elif status == "quarantined":
            checks = [r[0] for r in con.execute(
                "select distinct check_id from staging.findings where report_id = ? and severity = 'blocking' order by 1",
                [report_id],
            ).fetchall()]
            left_out.append({"agency": agency_id, "reason": "quarantined", "checks": checks})
        elif status == "unreadable":
            left_out.append({"agency": agency_id, "reason": "unreadable", "error": error_code})
        else:
            left_out.append({"agency": agency_id, "reason": "other_template", "template": tmpl})

    proactive: dict[str, dict[str, Any]] = {
        i: dict.fromkeys(ms, 0) for i, ms in T.PROACTIVE_LAYOUT[template].items()
    }
    for item, measure, value in con.execute(
        "select item, measure, sum(f.value) from curated.fct_proactive f join curated.admitted_reports a using (report_id)"
        " where a.year = ? and a.template = ? group by all", [year, template]
    ).fetchall():
        if item in proactive and measure in proactive[item]:
            proactive[item][measure] = amount_to_json(Decimal(value)) if measure in T.MONEY_MEASURES else int(value)
    applications = {r: dict.fromkeys(T.APPLICANT_CODES, 0) for r in T.application_row_codes(template)}
    for row, applicant, value in con.execute(
        "select row_code, applicant, sum(f.value) from curated.fct_applications f join curated.admitted_reports a"
        " using (report_id) where a.year = ? and a.template = ? group by all", [year, template]
    ).fetchall():
        if row in applications:
            applications[row][applicant] = int(value)
    review = {p: dict.fromkeys(T.OUTCOME_CODES, 0) for p in T.PROCEEDING_CODES}
    for proceeding, outcome, value in con.execute(
        "select proceeding, outcome, sum(f.value) from curated.fct_review_litigation f join curated.admitted_reports a"
        " using (report_id) where a.year = ? and a.template = ? group by all", [year, template]
    ).fetchall():
        review[proceeding][outcome] = int(value)
    return {
        "year": year,
        "template": template,
        "agencies_counted": counted,
        "left_out": left_out,
        "proactive": proactive,
        "applications": applications,
        "review_litigation": review,
    }


def findings(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Every stored finding of the current documents, as the `findings --format json` lines."""
    out = []
    for row in con.execute(
        """
        select r.agency_id, r.year, f.check_id, f.severity, f.table_name, f.row_code, f.column_code,
               f.proceeding, f.left_value, f.right_value, f.difference, r.sha256, f.locations::varchar,
               f.message, r.status
        from staging.findings as f
        join staging.current_reports as r using (report_id)
        order by r.agency_id, r.year, f.seq
        """
    ).fetchall():
        def num(v: float | None) -> int | float | None:
            return None if v is None else (int(v) if float(v).is_integer() else v)

        out.append({
            "agency": row[0], "year": row[1], "check": row[2], "severity": row[3], "table": row[4],
            "row": row[5], "column": row[6], "proceeding": row[7], "left": num(row[8]), "right": num(row[9]),
            "difference": num(row[10]), "document": row[11], "locations": json.loads(row[12] or "[]"),
            "message": row[13], "report_status": row[14],
        })
    return out
