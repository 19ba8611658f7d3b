"""Reports → the pandas frames the suites validate, one row per unit a check is about.

Every frame row carries `rid` (its position in the frame), `k` (the report's index in the batch) and `u`
(which unit of the report: a cell, a table-3 row, an applicant column, a proceeding, a narrative claim).
`describe()` turns an unexpected row back into a `Side` — the cells involved and both sides' values —
read from the report itself, so nothing per row is kept in Python objects (10k reports × ~200 cells).
Arithmetic frames hold a negated total so that `ExpectMulticolumnSumToEqual` (a row's listed columns sum
to a constant) checks `total = Σ parts`. Values are as printed; nothing here corrects them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from nianbao.pipeline import tables as T
from nianbao.pipeline.model import Location, Report

ALL_OUTCOME_ROWS = tuple(dict.fromkeys(T.OUTCOME_ROWS["v2019"] + T.OUTCOME_ROWS["v2021"]))
ALL_APPLICATION_ROWS = tuple(
    dict.fromkeys(T.application_row_codes("v2019") + T.application_row_codes("v2021"))
)
ALL_CELLS = tuple(dict.fromkeys(c for t in T.TEMPLATES for c in T.expected_cells(t)))
_CELL_INDEX = {c: i for i, c in enumerate(ALL_CELLS)}
FRAME_NAMES = ("cells", "t3_rows", "t3_outcomes", "t3_balance", "t4", "carry", "narrative", "template")
_EMPTY: dict[str, Any] = {}

# what the narrative's stated totals are compared with
NARRATIVE_CLAIMS = {
    "applications_received": ["applications.received_new.total"],
    "review": ["review_litigation.review.total"],
    "litigation": [
        "review_litigation.litigation_direct.total",
        "review_litigation.litigation_after_review.total",
    ],
}
_CLAIMS = tuple(NARRATIVE_CLAIMS)


@dataclass
class Previous:
    """The same agency's previous-year report, as `cross_year_carry` needs it."""

    carried_out: dict[str, int]
    document: str | None = None  # its sha256
    year: int | None = None
    provenance: dict[str, Location] = field(default_factory=dict)


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
    """The batch's frames (each row: rid, k, u, values) and the batch they were built from."""

    frames: dict[str, pd.DataFrame]
    reports: list[Report]
    previous: dict[int, Previous]
    _ku: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict, repr=False)

    def side(self, frame: str, rid: int) -> Side:
        """What row `rid` of `frame` is about, with both sides' values read from its report."""
        if frame not in self._ku:  # a pandas column lookup per row costs ~50 µs: index numpy arrays instead
            self._ku[frame] = (self.frames[frame]["k"].to_numpy(), self.frames[frame]["u"].to_numpy())
        ks, us = self._ku[frame]
        k, u = int(ks[rid]), int(us[rid])
        return describe(frame, u, k, self.reports[k], self.previous.get(k))


def as_previous(p: Previous | dict[str, int]) -> Previous:
    """Accept a bare carried_out mapping where a Previous is expected."""
    return p if isinstance(p, Previous) else Previous(carried_out=dict(p))


def _num(v: int | Decimal | None) -> float | int | None:
    if v is None:
        return None
    return float(v) if isinstance(v, Decimal) else v


def get_value(report: Report, cell: str) -> int | Decimal | None:
    """The printed value of "table.row.column" in a report, or None when it was not read."""
    table, row, col = cell.split(".")
    return getattr(report, table).get(row, _EMPTY).get(col)


def _sum(report: Report, cells: list[str]) -> int | None:
    vals = [get_value(report, c) for c in cells]
    if any(v is None for v in vals):
        return None
    return int(sum(vals))  # type: ignore[arg-type]


@lru_cache(maxsize=4)
def _layout(template: str) -> dict[str, Any]:
    """Column positions, within a template's expected cells, of every group a check sums."""
    cells = T.expected_cells(template)
    pos = {f"{t}.{r}.{c}": i for i, (t, r, c) in enumerate(cells)}
    app_rows = T.application_row_codes(template)
    outcome_rows = T.OUTCOME_ROWS[template]
    return {
        "cells": [f"{t}.{r}.{c}" for t, r, c in cells],
        "cell_u": np.array([_CELL_INDEX[(t, r, c)] for t, r, c in cells], dtype=np.int64),
        "signed": np.array([t == "proactive" and c in T.SIGNED_MEASURES for t, r, c in cells]),
        "app_rows": app_rows,
        "row_u": np.array([ALL_APPLICATION_ROWS.index(r) for r in app_rows], dtype=np.int64),
        # [row, applicant] → position
        "app": np.array([[pos[f"applications.{r}.{a}"] for a in T.APPLICANT_CODES] for r in app_rows]),
        # [applicant, outcome-row (ALL_OUTCOME_ROWS order, -1 where the template has none)] → position
        "outcomes": np.array(
            [[pos.get(f"applications.{o}.{a}", -1) for o in ALL_OUTCOME_ROWS] for a in T.APPLICANT_CODES]
        ),
        "outcomes_present": np.array([o in outcome_rows for o in ALL_OUTCOME_ROWS]),
        "balance": {
            r: np.array([pos[f"applications.{r}.{a}"] for a in T.APPLICANT_CODES])
            for r in ("received_new", "carried_in", "handled_total", "carried_out")
        },
        "t4": np.array(
            [[pos[f"review_litigation.{p}.{o}"] for o in T.OUTCOME_CODES] for p in T.PROCEEDING_CODES]
        ),
    }


def _values(reports: list[Report], cells: list[str]) -> np.ndarray:
    """A (reports × cells) float matrix of printed values, NaN where a cell was not read."""
    keys = [tuple(c.split(".")) for c in cells]
    nan = float("nan")
    out = np.empty((len(reports), len(keys)), dtype=np.float64)
    for i, r in enumerate(reports):
        tables = {
            "proactive": r.proactive,
            "applications": r.applications,
            "review_litigation": r.review_litigation,
        }
        row = [tables[t].get(rw, _EMPTY).get(c) for t, rw, c in keys]
        out[i] = [nan if v is None else v for v in row]
    return out


def _frame(k: np.ndarray, u: np.ndarray, cols: dict[str, np.ndarray]) -> pd.DataFrame:
    return pd.DataFrame({"k": k.astype(np.int64), "u": u.astype(np.int64), **cols})


def _template_frames(idx: np.ndarray, V: np.ndarray, template: str) -> dict[str, pd.DataFrame]:
    """The arithmetic and cell frames of the reports (global indices `idx`) that share one template."""
    L = _layout(template)
    n, c = V.shape
    out: dict[str, pd.DataFrame] = {}
    count_value = V.copy()
    count_value[:, L["signed"]] = np.nan  # table 2's `change` may be negative: left out of nonnegative
    out["cells"] = _frame(
        np.repeat(idx, c), np.tile(L["cell_u"], n), {"value": V.ravel(), "count_value": count_value.ravel()}
    )
    # t3_row_total: (report, row) where every one of the row's 7 cells was read
    A = V[:, L["app"]]  # n × rows × 7
    ok = ~np.isnan(A).any(axis=2)
    ri, rr = np.nonzero(ok)
    sel = A[ri, rr]
    out["t3_rows"] = _frame(
        idx[ri],
        L["row_u"][rr],
        {**{a: sel[:, j] for j, a in enumerate(T.APPLICANT_PARTS)}, "neg_total": -sel[:, 6]},
    )
    # t3_outcome_total: (report, applicant) where handled_total and every outcome row were read
    pos = L["outcomes"]  # 7 × outcomes
    outs = np.where(pos >= 0, V[:, np.where(pos >= 0, pos, 0)], 0.0)  # n × 7 × outcomes
    handled = V[:, L["balance"]["handled_total"]]  # n × 7
    ok = ~(np.isnan(outs).any(axis=2) | np.isnan(handled))
    oi, oa = np.nonzero(ok)
    sel = outs[oi, oa]
    out["t3_outcomes"] = _frame(
        idx[oi],
        oa,
        {
            **{f"o_{o}": sel[:, j] for j, o in enumerate(ALL_OUTCOME_ROWS)},
            "neg_handled_total": -handled[oi, oa],
        },
    )
    # t3_balance: (report, applicant) where the identity's four cells were read
    B = {r: V[:, p] for r, p in L["balance"].items()}
    ok = ~np.isnan(np.stack(list(B.values()), axis=2)).any(axis=2)
    bi, ba = np.nonzero(ok)
    out["t3_balance"] = _frame(
        idx[bi],
        ba,
        {
            "received_new": B["received_new"][bi, ba],
            "carried_in": B["carried_in"][bi, ba],
            "neg_handled_total": -B["handled_total"][bi, ba],
            "neg_carried_out": -B["carried_out"][bi, ba],
        },
    )
    # t4_group_total: (report, proceeding) where its five cells were read
    G = V[:, L["t4"]]  # n × 3 × 5
    ok = ~np.isnan(G).any(axis=2)
    gi, gp = np.nonzero(ok)
    sel = G[gi, gp]
    out["t4"] = _frame(
        idx[gi], gp, {**{o: sel[:, j] for j, o in enumerate(T.OUTCOME_PARTS)}, "neg_total": -sel[:, 4]}
    )
    return out


def _small_frames(
    reports: list[Report], previous: dict[int, Previous], wanted: frozenset[str]
) -> dict[str, pd.DataFrame]:
    """cross_year_carry, narrative_consistency and template_year: few rows per report, built directly."""
    rows: dict[str, list[tuple[Any, ...]]] = {"carry": [], "narrative": [], "template": []}
    for k, p in previous.items():
        ci = reports[k].applications.get("carried_in", _EMPTY)
        for u, a in enumerate(T.APPLICANT_CODES):
            if a in p.carried_out and ci.get(a) is not None:
                rows["carry"].append((k, u, float(ci[a]), -float(p.carried_out[a])))
    for k, r in enumerate(reports if wanted & {"narrative", "template"} else ()):
        for u, claim in enumerate(_CLAIMS):
            stated = r.narrative.get(claim)
            table_value = _sum(r, NARRATIVE_CLAIMS[claim]) if stated is not None else None
            if table_value is not None:
                rows["narrative"].append((k, u, float(table_value), -float(stated["value"])))  # type: ignore[index]
        lo, hi = T.TEMPLATE_YEARS[r.template]
        rows["template"].append((k, 0, r.year, lo, hi))
    names = {
        "carry": ["carried_in", "neg_previous_carried_out"],
        "narrative": ["table_value", "neg_stated"],
        "template": ["year", "first_year", "last_year"],
    }
    return {f: pd.DataFrame(rows[f], columns=["k", "u", *names[f]]) for f in rows}


def build_frames(
    reports: list[Report],
    previous_carried_out: dict[int, Previous | dict[str, int]] | None = None,
    only: frozenset[str] | None = None,
) -> Frames:
    """The frames for a batch (all, or those named in `only`). `previous_carried_out[i]`: report i's year − 1."""
    previous = {k: as_previous(p) for k, p in (previous_carried_out or {}).items()}
    wanted = frozenset(FRAME_NAMES) if only is None else only
    parts: dict[str, list[pd.DataFrame]] = {f: [] for f in FRAME_NAMES}
    for template in T.TEMPLATES if wanted & {"cells", "t3_rows", "t3_outcomes", "t3_balance", "t4"} else ():
        idx = np.array([k for k, r in enumerate(reports) if r.template == template], dtype=np.int64)
        if not len(idx):
            continue
        V = _values([reports[k] for k in idx], _layout(template)["cells"])
        for name, df in _template_frames(idx, V, template).items():
            parts[name].append(df)
    for name, df in _small_frames(reports, previous, wanted).items():
        parts[name].append(df)
    frames: dict[str, pd.DataFrame] = {}
    for name in FRAME_NAMES:
        df = (
            pd.concat(parts[name], ignore_index=True)
            if len(parts[name]) > 1
            else (parts[name][0] if parts[name] else pd.DataFrame({"k": [], "u": []}))
        )
        df.insert(0, "rid", np.arange(len(df), dtype=np.int64))
        frames[name] = df
    return Frames(frames=frames, reports=reports, previous=previous)


def _cell_side(k: int, report: Report, cell: str, check: str) -> Side:
    table, row, col = cell.split(".")
    v = _num(get_value(report, cell))
    if table == "review_litigation":
        return Side(k, check, table, column=col, proceeding=row, left_cells=[cell], left=v)
    return Side(k, check, table, row=row, column=col, left_cells=[cell], left=v)


def describe(frame: str, u: int, k: int, report: Report, previous: Previous | None = None) -> Side:
    """The unit `u` of a frame for report k: the cells on each side of its check and their values."""
    if frame == "cells":
        return _cell_side(k, report, ".".join(ALL_CELLS[u]), "cell")
    if frame == "t3_rows":
        row = ALL_APPLICATION_ROWS[u]
        parts = [f"applications.{row}.{a}" for a in T.APPLICANT_PARTS]
        left = [f"applications.{row}.total"]
        return Side(
            k,
            "t3_row_total",
            "applications",
            row=row,
            left_cells=left,
            right_cells=parts,
            left=_sum(report, left),
            right=_sum(report, parts),
        )
    a = T.APPLICANT_CODES[u] if frame in ("t3_outcomes", "t3_balance", "carry") else ""
    if frame == "t3_outcomes":
        outs = [f"applications.{o}.{a}" for o in T.OUTCOME_ROWS[report.template]]
        left = [f"applications.handled_total.{a}"]
        return Side(
            k,
            "t3_outcome_total",
            "applications",
            column=a,
            left_cells=left,
            right_cells=outs,
            left=_sum(report, left),
            right=_sum(report, outs),
        )
    if frame == "t3_balance":
        left = [f"applications.received_new.{a}", f"applications.carried_in.{a}"]
        right = [f"applications.handled_total.{a}", f"applications.carried_out.{a}"]
        return Side(
            k,
            "t3_balance",
            "applications",
            column=a,
            left_cells=left,
            right_cells=right,
            left=_sum(report, left),
            right=_sum(report, right),
        )
    if frame == "carry":
        left = [f"applications.carried_in.{a}"]
        prev = previous.carried_out.get(a) if previous else None
        year = previous.year if previous and previous.year else report.year - 1
        return Side(
            k,
            "cross_year_carry",
            "applications",
            row="carried_in",
            column=a,
            left_cells=left,
            right_cells=[f"{year}:applications.carried_out.{a}"],
            left=_sum(report, left),
            right=prev,
        )
    if frame == "t4":
        p = T.PROCEEDING_CODES[u]
        parts = [f"review_litigation.{p}.{o}" for o in T.OUTCOME_PARTS]
        left = [f"review_litigation.{p}.total"]
        return Side(
            k,
            "t4_group_total",
            "review_litigation",
            proceeding=p,
            left_cells=left,
            right_cells=parts,
            left=_sum(report, left),
            right=_sum(report, parts),
        )
    if frame == "narrative":
        claim = _CLAIMS[u]
        cells = NARRATIVE_CLAIMS[claim]
        table, row, col = cells[0].split(".")
        stated = report.narrative[claim]
        side = Side(
            k,
            "narrative_consistency",
            table,
            column=col,
            left_cells=cells,
            right_cells=[f"narrative.{claim}"],
            left=_sum(report, cells),
            right=int(stated["value"]),
        )
        if table == "applications":
            side.row = row
        elif len(cells) == 1:
            side.proceeding = row
        return side
    lo, hi = T.TEMPLATE_YEARS[report.template]
    nearest = lo if report.year < lo else hi
    return Side(k, "template_year", None, left=report.year, right=nearest)
