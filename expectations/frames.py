"""Reports → the pandas frames the suites validate, one row per unit a check is about.

Each frame row carries `rid`, an id that `checkpoint.py` maps back to the report, the cells involved
and both sides of the identity. Arithmetic frames hold a negated total so that Great Expectations'
`ExpectMulticolumnSumToEqual` (a row's listed columns sum to a constant) checks `total = Σ parts`.
Values are as printed; nothing here corrects them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pandas as pd

from pipeline import tables as T
from pipeline.model import Report

ALL_OUTCOME_ROWS = tuple(dict.fromkeys(T.OUTCOME_ROWS["v2019"] + T.OUTCOME_ROWS["v2021"]))


@dataclass
class Side:
    """What a frame row is about, for turning an unexpected row into a Finding."""

    key: int  # index of the report in the batch
    check: str
    table: str | None
    row: str | None = None
    column: str | None = None
    proceeding: str | None = None
    left_cells: list[str] = field(default_factory=list)
    right_cells: list[str] = field(default_factory=list)
    left: int | float | None = None
    right: int | float | None = None


@dataclass
class Frames:
    """The batch's frames and the index from each frame row's `rid` to what it is about."""

    frames: dict[str, pd.DataFrame]
    sides: dict[str, Side]


def _num(v: int | Decimal | None) -> float | int | None:
    if v is None:
        return None
    return float(v) if isinstance(v, Decimal) else v


def _get(report: Report, cell: str) -> int | Decimal | None:
    table, row, col = cell.split(".")
    return getattr(report, table).get(row, {}).get(col)


def _sum(report: Report, cells: list[str]) -> int | None:
    vals = [_get(report, c) for c in cells]
    if any(v is None for v in vals):
        return None
    return int(sum(vals))  # type: ignore[arg-type]


def build_frames(
    reports: list[Report], previous_carried_out: dict[int, dict[str, int]] | None = None
) -> Frames:
    """All frames for a batch. `previous_carried_out[i]` is report i's agency's last-year carried_out."""
    sides: dict[str, Side] = {}
    rows: dict[str, list[dict[str, Any]]] = {
        k: [] for k in ("cells", "t3_rows", "t3_outcomes", "t3_balance", "t4", "carry", "narrative", "template")
    }

    def add(frame: str, side: Side, values: dict[str, Any]) -> None:
        rid = f"{frame}:{len(sides)}"
        sides[rid] = side
        rows[frame].append({"rid": rid, **values})

    for k, r in enumerate(reports):
        # cells: complete (present) and nonnegative (counts and money ≥ 0; table 2's `change` may be < 0)
        for table, row, col in T.expected_cells(r.template):
            cell = f"{table}.{row}.{col}"
            v = _get(r, cell)
            signed = table == "proactive" and col in T.SIGNED_MEASURES
            add(
                "cells",
                Side(k, "cell", table, row=row, column=col, left_cells=[cell], left=_num(v)),
                {"value": _num(v), "count_value": None if signed else _num(v)},
            )
        # t3_row_total: each table-3 row
        for row in T.application_row_codes(r.template):
            parts = [f"applications.{row}.{a}" for a in T.APPLICANT_PARTS]
            vals = {a: r.applications.get(row, {}).get(a) for a in T.APPLICANT_CODES}
            if any(v is None for v in vals.values()):
                continue
            add(
                "t3_rows",
                Side(k, "t3_row_total", "applications", row=row, left_cells=[f"applications.{row}.total"],
                     right_cells=parts, left=vals["total"], right=_sum(r, parts)),
                {**{a: vals[a] for a in T.APPLICANT_PARTS}, "neg_total": -vals["total"]},  # type: ignore[operator]
            )
        # t3_outcome_total and t3_balance: each applicant column
        outcome_rows = T.OUTCOME_ROWS[r.template]
        for a in T.APPLICANT_CODES:
            col = {row: r.applications.get(row, {}).get(a) for row in T.application_row_codes(r.template)}
            if any(v is None for v in col.values()):
                continue
            outs = [f"applications.{o}.{a}" for o in outcome_rows]
            outcomes = {f"o_{o}": col.get(o, 0) for o in ALL_OUTCOME_ROWS}
            add(
                "t3_outcomes",
                Side(k, "t3_outcome_total", "applications", column=a,
                     left_cells=[f"applications.handled_total.{a}"], right_cells=outs,
                     left=col["handled_total"], right=_sum(r, outs)),
                {**outcomes, "neg_handled_total": -col["handled_total"]},  # type: ignore[operator]
            )
            left = [f"applications.received_new.{a}", f"applications.carried_in.{a}"]
            right = [f"applications.handled_total.{a}", f"applications.carried_out.{a}"]
            add(
                "t3_balance",
                Side(k, "t3_balance", "applications", column=a, left_cells=left, right_cells=right,
                     left=_sum(r, left), right=_sum(r, right)),
                {
                    "received_new": col["received_new"],
                    "carried_in": col["carried_in"],
                    "neg_handled_total": -col["handled_total"],  # type: ignore[operator]
                    "neg_carried_out": -col["carried_out"],  # type: ignore[operator]
                },
            )
            prev = (previous_carried_out or {}).get(k)
            if prev is not None and a in prev:
                add(
                    "carry",
                    Side(k, "cross_year_carry", "applications", row="carried_in", column=a,
                         left_cells=[f"applications.carried_in.{a}"], left=col["carried_in"], right=prev[a]),
                    {"carried_in": col["carried_in"], "neg_previous_carried_out": -prev[a]},
                )
        # t4_group_total: each proceeding
        for p in T.PROCEEDING_CODES:
            g = r.review_litigation.get(p, {})
            if any(o not in g for o in T.OUTCOME_CODES):
                continue
            parts = [f"review_litigation.{p}.{o}" for o in T.OUTCOME_PARTS]
            add(
                "t4",
                Side(k, "t4_group_total", "review_litigation", proceeding=p,
                     left_cells=[f"review_litigation.{p}.total"], right_cells=parts,
                     left=g["total"], right=_sum(r, parts)),
                {**{o: g[o] for o in T.OUTCOME_PARTS}, "neg_total": -g["total"]},
            )
        # narrative_consistency: each total the narrative states
        for claim, cells in NARRATIVE_CLAIMS.items():
            stated = r.narrative.get(claim)
            table_value = _sum(r, cells)
            if stated is None or table_value is None:
                continue
            table, row, col = cells[0].split(".")
            add(
                "narrative",
                Side(k, "narrative_consistency", table, row=row if table == "applications" else None,
                     column=col if table == "applications" else None,
                     proceeding=row if table == "review_litigation" and len(cells) == 1 else None,
                     left_cells=cells, left=table_value, right=int(stated["value"])),  # type: ignore[call-overload]
                {"table_value": table_value, "neg_stated": -int(stated["value"])},  # type: ignore[call-overload]
            )
        lo, hi = T.TEMPLATE_YEARS[r.template]
        add("template", Side(k, "template_year", None, left=r.year), {"year": r.year, "first_year": lo, "last_year": hi})

    frames = {name: pd.DataFrame(data) for name, data in rows.items()}
    return Frames(frames=frames, sides=sides)


# what the narrative's stated totals are compared with
NARRATIVE_CLAIMS = {
    "applications_received": ["applications.received_new.total"],
    "review": ["review_litigation.review.total"],
    "litigation": ["review_litigation.litigation_direct.total", "review_litigation.litigation_after_review.total"],
}
