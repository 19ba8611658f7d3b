"""The identities of spec/checks.md evaluated on canonical records: how the generator labels its own truth."""

from __future__ import annotations

from typing import Any

from nianbao.pipeline import tables as T

BLOCKING = ("complete", "nonnegative", "t3_row_total", "t3_outcome_total", "t3_balance", "t4_group_total")
WARNINGS = ("cross_year_carry", "narrative_consistency", "template_year")


def _fail(check: str, left: int, right: int, **where: str) -> dict[str, Any]:
    return {"check": check, **where, "left": left, "right": right}


def blocking_failures(rec: dict[str, Any]) -> list[dict[str, Any]]:
    """Every failed blocking check instance of one canonical record (canonical() shape)."""
    out: list[dict[str, Any]] = []
    template = rec["template"]
    apps, rl, pro = rec["applications"], rec["review_litigation"], rec["proactive"]
    have = {("proactive", i, m) for i, ms in pro.items() for m in ms}
    have |= {("applications", r, a) for r, cs in apps.items() for a in cs}
    have |= {("review_litigation", p, o) for p, os in rl.items() for o in os}
    missing = [c for c in T.expected_cells(template) if c not in have]
    if missing:
        out.append({"check": "complete", "cells": [".".join(c) for c in missing]})
        return out
    for item, ms in pro.items():
        for m, v in ms.items():
            if m not in T.SIGNED_MEASURES and v < 0:
                out.append(_fail("nonnegative", v, 0, table="proactive", row=item, column=m))
    for r, cs in apps.items():
        for a, v in cs.items():
            if v < 0:
                out.append(_fail("nonnegative", v, 0, table="applications", row=r, column=a))
        parts = sum(cs[a] for a in T.APPLICANT_PARTS)
        if cs["total"] != parts:
            out.append(_fail("t3_row_total", cs["total"], parts, table="applications", row=r))
    for a in T.APPLICANT_CODES:
        outcomes = sum(apps[o][a] for o in T.OUTCOME_ROWS[template])
        if apps["handled_total"][a] != outcomes:
            out.append(
                _fail("t3_outcome_total", apps["handled_total"][a], outcomes, table="applications", column=a)
            )
        left = apps["received_new"][a] + apps["carried_in"][a]
        right = apps["handled_total"][a] + apps["carried_out"][a]
        if left != right:
            out.append(_fail("t3_balance", left, right, table="applications", column=a))
    for p, os in rl.items():
        parts = sum(os[o] for o in T.OUTCOME_PARTS)
        if os["total"] != parts:
            out.append(_fail("t4_group_total", os["total"], parts, table="review_litigation", proceeding=p))
    return out


def warning_failures(
    rec: dict[str, Any], previous: dict[str, Any] | None, claims: dict[str, int]
) -> list[dict[str, Any]]:
    """Failed warning checks: carry against last year's record, the narrative's stated totals, template year."""
    out: list[dict[str, Any]] = []
    apps, rl = rec["applications"], rec["review_litigation"]
    if previous is not None and previous["year"] == rec["year"] - 1:
        for a in T.APPLICANT_CODES:
            now, before = apps["carried_in"][a], previous["applications"]["carried_out"][a]
            if now != before:
                out.append(
                    _fail("cross_year_carry", now, before, table="applications", row="carried_in", column=a)
                )
    table_values = {
        "applications_received": apps["received_new"]["total"],
        "review": rl["review"]["total"],
        "litigation": rl["litigation_direct"]["total"] + rl["litigation_after_review"]["total"],
    }
    for claim, value in claims.items():
        if value != table_values[claim]:
            out.append(_fail("narrative_consistency", value, table_values[claim], claim=claim))
    lo, hi = T.TEMPLATE_YEARS[rec["template"]]
    if not lo <= rec["year"] <= hi:
        out.append({"check": "template_year", "template": rec["template"], "year": rec["year"]})
    return out


def check_ids(failures: list[dict[str, Any]]) -> list[str]:
    """The distinct check ids of a list of failures, sorted."""
    return sorted({f["check"] for f in failures})
