"""The checks every report faces (spec/checks.md), each declared once.

A `Check` carries everything about one check: its id, severity, scope and meaning (which the project's
own checks document and the quality report print), the rule it applies, and through that rule the
pandas frame it is validated on, the Great Expectations expectation that judges the frame, and the
finding an unexpected row becomes. `validate.py` runs them; nothing else knows a check's arithmetic.

Rules, by the shape of what they compare:

* `CellRule` — every cell of the report's template on its own (complete, nonnegative);
* `Identity` — printed cells that must sum to printed cells (the table's own arithmetic). A frame row
  holds one unit's cells, the left side as printed and the right side negated, and GX's
  `ExpectMulticolumnSumToEqual` expects each row to sum to 0;
* `Carry`, `Narrative`, `TemplateYear` — a report against its previous year, against what its own
  narrative states, and against its template's years;
* `Disagreement` — documents of one article page against each other (no frame: two records compared).

Values are as printed: nothing here corrects them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from nianbao.pipeline import tables as T
from nianbao.pipeline.extract.scan import OCR_MIN_CONF
from nianbao.pipeline.model import Finding, Previous, Report

if TYPE_CHECKING:
    from great_expectations.expectations.expectation import Expectation

Value = int | Decimal
_EMPTY: dict[str, Any] = {}
TABLES = ("proactive", "applications", "review_litigation")


# ----------------------------------------------------------------------------- the batch under check
@dataclass
class Batch:
    """Reports checked together; `previous[k]` is report k's previous year (for cross_year_carry) and
    `catalog_names[k]` the name the catalog gives its agency (for agency_name)."""

    reports: list[Report]
    previous: dict[int, Previous] = field(default_factory=dict)
    catalog_names: dict[int, str] = field(default_factory=dict)
    _values: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict, repr=False)

    def by_template(self, template: str) -> tuple[np.ndarray, np.ndarray]:
        """(indices of the reports of a template, their values: reports × expected cells, NaN where unread)."""
        if template not in self._values:
            idx = np.array([k for k, r in enumerate(self.reports) if r.template == template], dtype=np.int64)
            cells = expected_cells(template)
            keys = [tuple(c.split(".")) for c in cells]
            values = np.full((len(idx), len(cells)), np.nan)
            for i, k in enumerate(idx):
                r = self.reports[k]
                tables = {
                    "proactive": r.proactive,
                    "applications": r.applications,
                    "review_litigation": r.review_litigation,
                }
                row = [tables[t].get(rw, _EMPTY).get(c) for t, rw, c in keys]
                values[i] = [np.nan if v is None else float(v) for v in row]
            self._values[template] = (idx, values)
        return self._values[template]


@cache
def expected_cells(template: str) -> list[str]:
    """Every cell of a template as "table.row.column", in printed order."""
    return [f"{t}.{r}.{c}" for t, r, c in T.expected_cells(template)]


@cache
def _cell_index(template: str) -> dict[str, int]:
    return {c: i for i, c in enumerate(expected_cells(template))}


def get_value(report: Report, cell: str) -> Value | None:
    """The printed value of "table.row.column" in a report, or None when it was not read."""
    table, row, col = cell.split(".")
    value: Value | None = getattr(report, table).get(row, _EMPTY).get(col)
    return value


def _num(v: Value | None) -> int | float | None:
    if v is None:
        return None
    return float(v) if isinstance(v, Decimal) else v


def _sum(report: Report, cells: Iterable[str]) -> int | None:
    vals = [get_value(report, c) for c in cells]
    if any(v is None for v in vals):
        return None
    return int(sum(vals))  # type: ignore[arg-type]


def locations(report: Report, cells: Iterable[str], **extra: Any) -> list[dict[str, Any]]:
    """Where the cells sit in the report's source document (those the extractor located)."""
    out = []
    for cell in cells:
        loc = report.provenance.get(cell)
        if loc is not None:
            out.append({"ref": cell, **loc.as_json(), **extra})
    return out


def label(cell: str, template: str) -> str:
    """A cell's printed labels: '（一）予以公开 / 科研机构'."""
    table, row, col = cell.split(".")
    try:
        return f"{T.label_of(table, row, template)} / {T.label_of(table, col, template)}"
    except KeyError:
        return cell


def _where(cell: str) -> tuple[str, str | None, str, str | None]:
    """The finding fields naming one cell: table, row, column, proceeding (table 4's rows are proceedings)."""
    table, row, col = cell.split(".")
    if table == "review_litigation":
        return table, None, col, row
    return table, row, col, None


def _frame(k: np.ndarray, u: np.ndarray, cols: dict[str, np.ndarray]) -> pd.DataFrame:
    return pd.DataFrame({"k": k.astype(np.int64), "u": u.astype(np.int64), **cols})


def _concat(parts: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    if not parts:
        return pd.DataFrame({c: [] for c in ["k", "u", *columns]})
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


# ----------------------------------------------------------------------------- rules
class Rule:
    """How one check is applied: its frame, its GX expectations, and what an unexpected row means."""

    columns: tuple[str, ...] = ()

    def frame(self, batch: Batch) -> pd.DataFrame:
        """The batch as rows for this check: `k` (report index), `u` (unit within it), then the values."""
        raise NotImplementedError

    def expectations(self, check: Check) -> list[Expectation]:
        """The GX expectations that judge the frame."""
        raise NotImplementedError

    def finding(self, check: Check, batch: Batch, k: int, u: int) -> Finding:
        """Unit u of report k, which failed: the cells, both sides and where they are printed."""
        raise NotImplementedError


@dataclass(frozen=True)
class CellRule(Rule):
    """Every cell of a template: read at all (`value` not null), or not negative (`value` ≥ 0)."""

    kind: str  # present | nonnegative

    columns = ("value",)

    def frame(self, batch: Batch) -> pd.DataFrame:
        parts = []
        for template in T.TEMPLATES:
            idx, values = batch.by_template(template)
            if not len(idx):
                continue
            n, c = values.shape
            v = values.copy()
            if self.kind == "present":  # cells template_mixed holds back are its finding, not missing ones
                held = [
                    i for i, cell in enumerate(expected_cells(template)) if cell.split(".")[1] in HELD_BACK
                ]
                for row, k in enumerate(idx):
                    if "other_handling_printed" in batch.reports[k].reading.details:
                        v[row, held] = 0.0
            if self.kind == "nonnegative":  # table 2's `change` may be negative
                signed = [
                    t == "proactive" and col in T.SIGNED_MEASURES for t, _r, col in T.expected_cells(template)
                ]
                v[:, np.array(signed, dtype=bool)] = np.nan
            parts.append(_frame(np.repeat(idx, c), np.tile(np.arange(c), n), {"value": v.ravel()}))
        return _concat(parts, ["value"])

    def expectations(self, check: Check) -> list[Expectation]:
        import great_expectations.expectations as gxe

        if self.kind == "present":
            return [gxe.ExpectColumnValuesToNotBeNull(column="value", meta={"check": check.id})]
        return [gxe.ExpectColumnValuesToBeBetween(column="value", min_value=0, meta={"check": check.id})]

    def finding(self, check: Check, batch: Batch, k: int, u: int) -> Finding:
        report = batch.reports[k]
        cell = expected_cells(report.template)[u]
        if self.kind == "present":
            return Finding(
                check.id,
                *_where(cell),
                cells=[cell],
                severity=check.severity,
                locations=locations(report, _near(report, cell), near=True),
                message=f"{cell} ({label(cell, report.template)}) was not found or not read as a number",
            )
        v = _num(get_value(report, cell))
        return Finding(
            check.id,
            *_where(cell),
            left=v,
            right=0,
            cells=[cell],
            severity=check.severity,
            locations=locations(report, [cell]),
            message=f"{cell} ({label(cell, report.template)}) = {v} < 0",
        )


def _near(report: Report, cell: str) -> list[str]:
    """Printed cells of the missing cell's row (where it should have been); else the same column nearby."""
    table, row, col = cell.split(".")
    near = [f"{table}.{row}.{c}" for c in getattr(report, table).get(row, {})]
    if not near:  # the whole row is missing: point at the same column in the nearest printed rows
        order = expected_cells(report.template)
        i = order.index(cell) if cell in order else 0
        near = [
            c for c in order[i + 1 :] + order[:i][::-1] if c.split(".")[2] == col and c in report.provenance
        ]
    return near[:2]


@dataclass(frozen=True)
class Unit:
    """One instance of an identity in a report: the cells on each side, and what its finding names."""

    left: tuple[str, ...]
    right: tuple[str, ...]
    table: str
    row: str | None = None
    column: str | None = None
    proceeding: str | None = None


@dataclass(frozen=True)
class Identity(Rule):
    """Printed cells that must sum to other printed cells, one unit per row, column or proceeding."""

    units_of: Callable[[str], tuple[Unit, ...]]  # template → its units

    def _units(self, template: str) -> tuple[Unit, ...]:
        return _units_cached(self.units_of, template)

    def width(self) -> int:
        """Columns a frame row needs: the widest unit of any template."""
        return max(len(u.left) + len(u.right) for t in T.TEMPLATES for u in self._units(t))

    @property
    def columns(self) -> tuple[str, ...]:  # type: ignore[override]
        return tuple(f"c{i}" for i in range(self.width()))

    def frame(self, batch: Batch) -> pd.DataFrame:
        width = self.width()
        parts = []
        for template in T.TEMPLATES:
            idx, values = batch.by_template(template)
            if not len(idx):
                continue
            units = self._units(template)
            pos = _cell_index(template)
            where = np.full((len(units), width), -1, dtype=np.int64)
            sign = np.zeros((len(units), width))
            for i, unit in enumerate(units):
                cells = [*unit.left, *unit.right]
                where[i, : len(cells)] = [pos[c] for c in cells]
                sign[i, : len(cells)] = [1.0] * len(unit.left) + [-1.0] * len(unit.right)
            gathered = np.where(
                where >= 0, values[:, np.where(where >= 0, where, 0)], 0.0
            )  # n × units × width
            read = ~np.isnan(gathered).any(
                axis=2
            )  # a unit with a cell not read is `complete`'s, not this check's
            ki, ui = np.nonzero(read)
            rows = gathered[ki, ui] * sign[ui]
            parts.append(_frame(idx[ki], ui, {f"c{j}": rows[:, j] for j in range(width)}))
        return _concat(parts, list(self.columns))

    def expectations(self, check: Check) -> list[Expectation]:
        import great_expectations.expectations as gxe

        return [
            gxe.ExpectMulticolumnSumToEqual(
                column_list=list(self.columns), sum_total=0, meta={"check": check.id}
            )
        ]

    def finding(self, check: Check, batch: Batch, k: int, u: int) -> Finding:
        report = batch.reports[k]
        unit = self._units(report.template)[u]
        left, right = _sum(report, unit.left), _sum(report, unit.right)
        cells = [*unit.left, *unit.right]
        return Finding(
            check.id,
            unit.table,
            unit.row,
            unit.column,
            unit.proceeding,
            left=left,
            right=right,
            cells=cells,
            locations=locations(report, cells),
            severity=check.severity,
            message=f"{' + '.join(unit.left)} = {left} ≠ {right} = {' + '.join(unit.right)}",
        )


@cache
def _units_cached(units_of: Callable[[str], tuple[Unit, ...]], template: str) -> tuple[Unit, ...]:
    return units_of(template)


def _row_totals(template: str) -> tuple[Unit, ...]:
    return tuple(
        Unit(
            (f"applications.{r}.total",),
            tuple(f"applications.{r}.{a}" for a in T.APPLICANT_PARTS),
            "applications",
            row=r,
        )
        for r in T.application_row_codes(template)
    )


def _outcome_totals(template: str) -> tuple[Unit, ...]:
    return tuple(
        Unit(
            (f"applications.handled_total.{a}",),
            tuple(f"applications.{o}.{a}" for o in T.OUTCOME_ROWS[template]),
            "applications",
            column=a,
        )
        for a in T.APPLICANT_CODES
    )


def _balances(template: str) -> tuple[Unit, ...]:
    return tuple(
        Unit(
            (f"applications.received_new.{a}", f"applications.carried_in.{a}"),
            (f"applications.handled_total.{a}", f"applications.carried_out.{a}"),
            "applications",
            column=a,
        )
        for a in T.APPLICANT_CODES
    )


def _group_totals(template: str) -> tuple[Unit, ...]:
    return tuple(
        Unit(
            (f"review_litigation.{p}.total",),
            tuple(f"review_litigation.{p}.{o}" for o in T.OUTCOME_PARTS),
            "review_litigation",
            proceeding=p,
        )
        for p in T.PROCEEDING_CODES
    )


@dataclass(frozen=True)
class Carry(Rule):
    """This year's carried_in against the previous year's carried_out, per applicant column."""

    columns = ("carried_in", "neg_previous_carried_out")

    def frame(self, batch: Batch) -> pd.DataFrame:
        rows = []
        for k, p in batch.previous.items():
            carried_in = batch.reports[k].applications.get("carried_in", _EMPTY)
            for u, a in enumerate(T.APPLICANT_CODES):
                if a in p.carried_out and carried_in.get(a) is not None:
                    rows.append((k, u, float(carried_in[a]), -float(p.carried_out[a])))
        return pd.DataFrame(rows, columns=["k", "u", *self.columns])

    def expectations(self, check: Check) -> list[Expectation]:
        import great_expectations.expectations as gxe

        return [
            gxe.ExpectMulticolumnSumToEqual(
                column_list=list(self.columns), sum_total=0, meta={"check": check.id}
            )
        ]

    def finding(self, check: Check, batch: Batch, k: int, u: int) -> Finding:
        report, previous = batch.reports[k], batch.previous[k]
        a = T.APPLICANT_CODES[u]
        here = f"applications.carried_in.{a}"
        year = previous.year or report.year - 1
        there = f"{year}:applications.carried_out.{a}"
        left, right = _sum(report, [here]), previous.carried_out.get(a)
        where = locations(report, [here])
        loc = previous.provenance.get(f"applications.carried_out.{a}")
        if loc is not None:
            where.append({"ref": there, "document": previous.document, **loc.as_json()})
        return Finding(
            check.id,
            "applications",
            "carried_in",
            a,
            left=left,
            right=right,
            cells=[here, there],
            locations=where,
            severity=check.severity,
            message=f"{here} = {left} ≠ {right} = {there}",
        )


# what the narrative's stated totals are compared with
NARRATIVE_CLAIMS = {
    "applications_received": ("applications.received_new.total",),
    "review": ("review_litigation.review.total",),
    "litigation": (
        "review_litigation.litigation_direct.total",
        "review_litigation.litigation_after_review.total",
    ),
}


@dataclass(frozen=True)
class Narrative(Rule):
    """A total the narrative states (共收到政府信息公开申请N件, 行政复议N件) against the table's."""

    columns = ("table_value", "neg_stated")

    def frame(self, batch: Batch) -> pd.DataFrame:
        rows = []
        for k, r in enumerate(batch.reports):
            for u, (claim, cells) in enumerate(NARRATIVE_CLAIMS.items()):
                stated = r.narrative.get(claim)
                table_value = _sum(r, cells) if stated is not None else None
                if stated is not None and table_value is not None:
                    rows.append((k, u, float(table_value), -float(stated["value"])))
        return pd.DataFrame(rows, columns=["k", "u", *self.columns])

    def expectations(self, check: Check) -> list[Expectation]:
        import great_expectations.expectations as gxe

        return [
            gxe.ExpectMulticolumnSumToEqual(
                column_list=list(self.columns), sum_total=0, meta={"check": check.id}
            )
        ]

    def finding(self, check: Check, batch: Batch, k: int, u: int) -> Finding:
        report = batch.reports[k]
        claim, cells = list(NARRATIVE_CLAIMS.items())[u]
        table, row, col = cells[0].split(".")
        stated = report.narrative[claim]
        left, right = _sum(report, cells), int(stated["value"])
        ref = f"narrative.{claim}"
        f = Finding(
            check.id,
            table,
            column=col,
            left=left,
            right=right,
            cells=[*cells, ref],
            severity=check.severity,
            locations=[*locations(report, cells), {"ref": ref, "raw": str(stated.get("raw", ""))}],
            message=f"{' + '.join(cells)} = {left} ≠ {right} = {ref}",
        )
        if table == "applications":
            f.row = row
        elif len(cells) == 1:
            f.proceeding = row
        return f


@dataclass(frozen=True)
class TemplateYear(Rule):
    """The report's year within its template's years."""

    columns = ("year", "first_year", "last_year")

    def frame(self, batch: Batch) -> pd.DataFrame:
        rows = [(k, 0, r.year, *T.TEMPLATE_YEARS[r.template]) for k, r in enumerate(batch.reports)]
        return pd.DataFrame(rows, columns=["k", "u", *self.columns])

    def expectations(self, check: Check) -> list[Expectation]:
        import great_expectations.expectations as gxe

        meta = {"check": check.id}
        return [
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="year", column_B="first_year", or_equal=True, meta=meta
            ),
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="last_year", column_B="year", or_equal=True, meta=meta
            ),
        ]

    def finding(self, check: Check, batch: Batch, k: int, u: int) -> Finding:
        report = batch.reports[k]
        lo, hi = T.TEMPLATE_YEARS[report.template]
        nearest = lo if report.year < lo else hi
        where = next(iter(c for c in report.provenance if c.startswith("proactive.")), None)
        return Finding(
            check.id,
            left=report.year,
            right=nearest,
            locations=locations(report, [where] if where else []),
            severity=check.severity,
            message=f"template {report.template} (told by table 2's layout) is for {lo}–{min(hi, 9999)}, "
            f"the report is for {report.year}",
        )


def same_body(printed: str, catalogued: str) -> bool:
    """Whether a name the document prints and the catalog's name are the same body (one contains the other)."""
    a, b = re.sub(r"\s", "", printed), re.sub(r"\s", "", catalogued)
    return bool(a) and bool(b) and (a in b or b in a)


@dataclass(frozen=True)
class AgencyName(Rule):
    """The body the document names against the one the catalog says published it."""

    columns = ("agrees",)

    def frame(self, batch: Batch) -> pd.DataFrame:
        rows = [
            (k, 0, int(same_body(batch.reports[k].agency, name)))
            for k, name in batch.catalog_names.items()
            if batch.reports[k].agency
        ]
        return pd.DataFrame(rows, columns=["k", "u", *self.columns])

    def expectations(self, check: Check) -> list[Expectation]:
        import great_expectations.expectations as gxe

        return [gxe.ExpectColumnValuesToBeBetween(column="agrees", min_value=1, meta={"check": check.id})]

    def finding(self, check: Check, batch: Batch, k: int, u: int) -> Finding:
        report, name = batch.reports[k], batch.catalog_names[k]
        return Finding(
            check.id,
            severity=check.severity,
            cells=["agency"],
            locations=[{"ref": "agency", "raw": report.agency}],
            message=f"the document names {report.agency}; the catalog says {name} published it "
            "(the catalog's agency is kept)",
        )


HELD_BACK = ("other_no_correction", "other_fee_unpaid", "other_misc")


@dataclass(frozen=True)
class MixedTemplate(Rule):
    """A v2021 table 3 printing the v2019 single （六）其他处理 row with counts in it: they cannot be split."""

    columns = ("printed_total",)

    def frame(self, batch: Batch) -> pd.DataFrame:
        rows = [
            (k, 0, float(sum(printed.values())))
            for k, r in enumerate(batch.reports)
            if (printed := r.reading.details.get("other_handling_printed")) is not None
        ]
        return pd.DataFrame(rows, columns=["k", "u", *self.columns])

    def expectations(self, check: Check) -> list[Expectation]:
        import great_expectations.expectations as gxe

        return [
            gxe.ExpectColumnValuesToBeBetween(
                column="printed_total", min_value=0, max_value=0, meta={"check": check.id}
            )
        ]

    def finding(self, check: Check, batch: Batch, k: int, u: int) -> Finding:
        report = batch.reports[k]
        printed: dict[str, int] = report.reading.details["other_handling_printed"]
        cells = [f"applications.other_handling.{a}" for a in T.APPLICANT_CODES if a in printed]
        total = printed.get("total", sum(printed.values()))
        return Finding(
            check.id,
            "applications",
            "other_handling",
            left=total,
            right=0,
            cells=cells,
            locations=locations(report, cells),
            severity=check.severity,
            message=f"a v2021 table 3 prints the v2019 single （六）其他处理 row ({total} in 总计): its "
            f"three v2021 rows ({', '.join(HELD_BACK)}) cannot be read from it; a reviewer may "
            "correct them citing the source",
        )


def _ocr_cells(report: Report) -> list[str]:
    """The cells of a report whose values OCR read (they carry a confidence), corrected ones left out."""
    corrected = {w.get("cell") for w in report.warnings if w.get("code") == "review_correction"}
    return sorted(c for c, loc in report.provenance.items() if loc.conf is not None and c not in corrected)


@dataclass(frozen=True)
class OcrConfidence(Rule):
    """Every value an OCR reading took from pixels was recognised with at least `OCR_MIN_CONF`."""

    columns = ("conf", "min_conf")

    def frame(self, batch: Batch) -> pd.DataFrame:
        rows = []
        for k, r in enumerate(batch.reports):
            if r.reading.method != "ocr":
                continue
            cells = _ocr_cells(r)
            rows += [
                (k, u, float(r.provenance[cell].conf or 0.0), OCR_MIN_CONF) for u, cell in enumerate(cells)
            ]
            if r.reading.details.get("ocr", {}).get("columns_unsure"):
                # a scan without ruling lines whose columns, placed from where the OCR'd words sit, are in
                # doubt (a value or a heading off its column's centre): a header misplaced by a few pixels
                # swaps columns whose sums still hold; never taken as read
                rows.append((k, len(cells), 0.0, OCR_MIN_CONF))
        return pd.DataFrame(rows, columns=["k", "u", *self.columns])

    def expectations(self, check: Check) -> list[Expectation]:
        import great_expectations.expectations as gxe

        return [
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="conf", column_B="min_conf", or_equal=True, meta={"check": check.id}
            )
        ]

    def finding(self, check: Check, batch: Batch, k: int, u: int) -> Finding:
        report = batch.reports[k]
        cells = _ocr_cells(report)
        if u == len(cells):
            return Finding(
                check.id,
                cells=cells,
                severity=check.severity,
                locations=locations(report, cells),
                message="the scan's tables print no ruling lines and OCR could not place their columns "
                "unambiguously from where the words sit ("
                + "; ".join(report.reading.details["ocr"]["columns_unsure"][:3])
                + "); compare the tables with the pages and accept or correct",
            )
        cell = cells[u]
        loc = report.provenance[cell]
        conf = float(loc.conf or 0.0)
        seen = f"read as {loc.raw!r}" if loc.raw else "nothing was recognised in it"
        return Finding(
            check.id,
            *_where(cell),
            left=round(conf, 3),
            right=OCR_MIN_CONF,
            cells=[cell],
            severity=check.severity,
            locations=locations(report, [cell]),
            message=f"{cell} ({label(cell, report.template)}) on page {loc.page}: {seen} with confidence "
            f"{conf:.2f} < {OCR_MIN_CONF}; compare it with the page and accept or correct it",
        )


@dataclass(frozen=True)
class Disagreement(Rule):
    """Two documents of one article page (an inline table and an attachment) that print different values."""

    def frame(self, batch: Batch) -> pd.DataFrame:
        raise TypeError("document_disagreement compares two records; see `disagreement()`")


# ----------------------------------------------------------------------------- the declarations
@dataclass(frozen=True)
class Check:
    """One check of spec/checks.md: what must hold, how bad it is when it does not, and how it is applied."""

    id: str
    severity: str  # blocking | warning
    scope: str
    description: str
    rule: Rule

    @property
    def blocking(self) -> bool:
        """A failing report is quarantined (not loaded into the curated tables)."""
        return self.severity == "blocking"

    @property
    def validated(self) -> bool:
        """Whether the check runs as a Great Expectations suite over a frame."""
        return not isinstance(self.rule, Disagreement)


CHECKS: tuple[Check, ...] = (
    Check(
        "complete",
        "blocking",
        "per report",
        "every cell of the report's template (table 2, 3 and 4) was found and read as a number",
        CellRule("present"),
    ),
    Check(
        "nonnegative",
        "blocking",
        "per cell",
        "every count is an integer ≥ 0 (only table 2's `change` may be negative; money ≥ 0)",
        CellRule("nonnegative"),
    ),
    Check(
        "t3_row_total",
        "blocking",
        "each table 3 row",
        "`total` = `natural_person` + `commercial` + `research` + `social_welfare` + `legal_services` + "
        "`other_org`",
        Identity(_row_totals),
    ),
    Check(
        "t3_outcome_total",
        "blocking",
        "each of the 7 applicant columns",
        "`handled_total` = sum of every outcome row (`granted` … `other_*`)",
        Identity(_outcome_totals),
    ),
    Check(
        "t3_balance",
        "blocking",
        "each of the 7 applicant columns",
        "`received_new` + `carried_in` = `handled_total` + `carried_out` (the 勾稽关系 printed in the table)",
        Identity(_balances),
    ),
    Check(
        "t4_group_total",
        "blocking",
        "each of the 3 proceedings",
        "`total` = `upheld` + `corrected` + `other` + `pending`",
        Identity(_group_totals),
    ),
    Check(
        "template_mixed",
        "blocking",
        "per report",
        "a v2021 report that prints the v2019 single （六）其他处理 row has it 0 in every column (the three v2021 "
        "rows are then 0, recorded as an assumption); a non-zero row cannot be split and waits for review",
        MixedTemplate(),
    ),
    Check(
        "ocr_unverified",
        "blocking",
        "each value cell of a report read by OCR",
        f"every value read from a scan's pixels was recognised with confidence ≥ {OCR_MIN_CONF} (the least "
        "sure character of its cell); a doubtful cell holds the report back until a reviewer accepts the "
        "reading or corrects the cell",
        OcrConfidence(),
    ),
    Check(
        "cross_year_carry",
        "warning",
        "each applicant column, where both years are in the warehouse",
        "this year's `carried_in` equals the same agency's previous report's `carried_out`",
        Carry(),
    ),
    Check(
        "narrative_consistency",
        "warning",
        "each number the narrative states",
        "totals that the narrative states (e.g. 共收到政府信息公开申请11件, 行政复议N件) equal the table's",
        Narrative(),
    ),
    Check(
        "template_year",
        "warning",
        "per report",
        "`v2019` reports are for 2019–2020 and `v2021` for 2021 onward",
        TemplateYear(),
    ),
    Check(
        "agency_name",
        "warning",
        "per report, where the catalog names its agency",
        "the body the document names is the one the catalog lists (one name contains the other)",
        AgencyName(),
    ),
    Check(
        "document_disagreement",
        "warning",
        "each pair of documents of one article page",
        "an article's inline report and its attachments print the same values",
        Disagreement(),
    ),
)
BY_ID: dict[str, Check] = {c.id: c for c in CHECKS}
BLOCKING: frozenset[str] = frozenset(c.id for c in CHECKS if c.blocking)


def check(check_id: str) -> Check:
    """The declaration of a check, by id."""
    return BY_ID[check_id]


def verified(report: Report, findings: Iterable[Finding]) -> bool:
    """The reading is verified: nothing was assumed beyond the printed labels and every blocking check holds."""
    return not report.reading.assumptions and not any(f.blocking for f in findings)


# ----------------------------------------------------------------------------- document_disagreement
def _tables(record: dict[str, Any]) -> dict[str, Any]:
    return {t: record.get(t) or {} for t in TABLES}


def record_differences(a: dict[str, Any], b: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """(table.row.column, a's value, b's value) for every cell where two canonical records differ."""
    out: list[tuple[str, Any, Any]] = []
    ta, tb = _tables(a), _tables(b)
    for table in ta:
        for row in sorted(set(ta[table]) | set(tb[table])):
            ra, rb = ta[table].get(row) or {}, tb[table].get(row) or {}
            for col in sorted(set(ra) | set(rb)):
                va, vb = ra.get(col), rb.get(col)
                if va != vb and not (va is not None and vb is not None and float(va) == float(vb)):
                    out.append((f"{table}.{row}.{col}", va, vb))
    return out


def disagreement(
    report: Report, other_sha: str, other_url: str | None, other_record: dict[str, Any]
) -> Finding | None:
    """`document_disagreement` when a report's tables differ from another document of the same article page."""
    diffs = record_differences(report.canonical(), other_record)
    if not diffs:
        return None
    c = BY_ID["document_disagreement"]
    cell, mine, theirs = diffs[0]
    table, row, col = cell.split(".", 2)
    nums = [v for v in (mine, theirs) if isinstance(v, int | float) or v is None]
    left, right = (mine, theirs) if len(nums) == 2 else (None, None)
    loc = report.provenance.get(cell)
    return Finding(
        c.id,
        table,
        row,
        col,
        left=left,
        right=right,
        cells=[d[0] for d in diffs],
        severity=c.severity,
        locations=([{"ref": cell, **loc.as_json()}] if loc else [])
        + [{"ref": cell, "document": other_sha, "url": other_url}],
        message=f"{len(diffs)} cells differ from the same article's other document {other_sha[:12]} "
        f"({other_url}); first: {cell} = {mine} here, {theirs} there",
    )
