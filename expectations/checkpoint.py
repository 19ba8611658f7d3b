"""Validate a batch of reports with Great Expectations and map every unexpected row to a Finding.

One GX validation per frame for the whole batch (not one per report: each run costs ~40 ms whatever
its size). Findings carry the report's index in the batch; the caller attaches agency/year/document.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from nianbao.expectations.docs import default_docs_dir, write_data_docs
from nianbao.expectations.frames import Frames, Previous, Side, build_frames
from nianbao.expectations.suites import suite_definitions
from nianbao.pipeline import tables as T
from nianbao.pipeline.model import Finding, Report

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


@dataclass
class Validation:
    """The batch's outcome: findings per report index, and GX's own results for Data Docs."""

    findings: dict[int, list[Finding]] = field(default_factory=dict)
    results: list[Any] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)
    docs: Path | None = None  # this validation's Data Docs page, when written

    def blocking(self, k: int) -> list[Finding]:
        """Blocking findings of report k."""
        return [f for f in self.findings.get(k, []) if f.severity == "blocking"]


@lru_cache(maxsize=1)
def _context() -> Any:
    """An ephemeral GX context with one pandas asset, suite and validation definition per frame."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = ctx.data_sources.add_pandas("nianbao")
    definitions = {}
    for frame, expectations in suite_definitions().items():
        asset = source.add_dataframe_asset(frame)
        batch = asset.add_batch_definition_whole_dataframe(f"{frame}_batch")
        suite = ctx.suites.add(gx.ExpectationSuite(name=f"nianbao_{frame}"))
        for e in expectations:
            suite.add_expectation(e)
        definitions[frame] = ctx.validation_definitions.add(
            gx.ValidationDefinition(name=f"validate_{frame}", data=batch, suite=suite)
        )
    return ctx, definitions


def _locations(report: Report, cells: Iterable[str], **extra: Any) -> list[dict[str, Any]]:
    out = []
    for cell in cells:
        loc = report.provenance.get(cell)
        if loc is not None:
            out.append({"ref": cell, **loc.as_json(), **extra})
    return out


def _label(cell: str, template: str) -> str:
    table, row, col = cell.split(".")
    try:
        return f"{T.label_of(table, row, template)} / {T.label_of(table, col, template)}"
    except KeyError:
        return cell


def _missing_finding(side: Side, report: Report) -> Finding:
    """`complete`: name the cell, and point at the printed cells of its row (where it should have been)."""
    cell = side.left_cells[0]
    table, row, col = cell.split(".")
    near = [f"{table}.{row}.{c}" for c in getattr(report, table).get(row, {})]
    if not near:  # the whole row is missing: point at the same column in the nearest printed rows
        order = [f"{t}.{r}.{c}" for t, r, c in T.expected_cells(report.template)]
        i = order.index(cell) if cell in order else 0
        near = [
            c for c in order[i + 1 :] + order[:i][::-1] if c.split(".")[2] == col and c in report.provenance
        ]
    return Finding(
        "complete",
        side.table,
        side.row,
        side.column,
        side.proceeding,
        cells=[cell],
        locations=_locations(report, near[:2], near=True),
        message=f"{cell} ({_label(cell, report.template)}) was not found or not read as a number",
    )


def _finding(check: str, side: Side, report: Report, previous: Previous | None) -> Finding:
    cells = side.left_cells + side.right_cells
    if check == "complete":
        return _missing_finding(side, report)
    if check == "nonnegative":
        return Finding(
            check,
            side.table,
            side.row,
            side.column,
            side.proceeding,
            left=side.left,
            right=0,
            cells=cells,
            locations=_locations(report, cells),
            message=f"{cells[0]} ({_label(cells[0], report.template)}) = {side.left} < 0",
        )
    if check == "template_year":
        lo, hi = T.TEMPLATE_YEARS[report.template]
        where = next(iter(k for k in report.provenance if k.startswith("proactive.")), None)
        return Finding(
            check,
            left=side.left,
            right=side.right,
            locations=_locations(report, [where] if where else []),
            message=f"template {report.template} (told by table 2's layout) is for {lo}–{min(hi, 9999)}, "
            f"the report is for {report.year}",
        )
    locations = _locations(report, cells)
    if check == "cross_year_carry" and previous is not None:
        prev_cell = side.right_cells[0].split(":", 1)[1]
        loc = previous.provenance.get(prev_cell)
        if loc is not None:
            locations.append({"ref": side.right_cells[0], "document": previous.document, **loc.as_json()})
    if check == "narrative_consistency":
        claim = side.right_cells[0].split(".", 1)[1]
        locations.append({"ref": side.right_cells[0], "raw": str(report.narrative[claim].get("raw", ""))})
    right_name = " + ".join(side.right_cells)
    return Finding(
        check,
        side.table,
        side.row,
        side.column,
        side.proceeding,
        left=side.left,
        right=side.right,
        cells=cells,
        locations=locations,
        message=f"{' + '.join(side.left_cells)} = {side.left} ≠ {side.right} = {right_name}",
    )


def _run(frame: str, df: pd.DataFrame) -> Any:
    _ctx, definitions = _context()
    return definitions[frame].run(
        batch_parameters={"dataframe": df},
        result_format={"result_format": "COMPLETE", "unexpected_index_column_names": ["rid"]},
    )


def validate_batch(
    reports: list[Report],
    previous_carried_out: dict[int, Previous | dict[str, int]] | None = None,
    only: Iterable[str] | None = None,
    docs_dir: Path | bool | None = True,
) -> Validation:
    """Run every suite (or the frames named in `only`) over the batch; findings keyed by index in `reports`.

    A full validation also writes its Data Docs page (`docs_dir`: True for the default folder, a path, or
    False/None for none); `Validation.docs` is the page's path.
    """
    wanted = frozenset(only) if only is not None else None
    built: Frames = build_frames(reports, previous_carried_out, wanted)
    out = Validation(reports=reports)
    seen: set[tuple[str, int, str]] = set()
    for frame, df in built.frames.items():
        if df.empty or (wanted is not None and frame not in wanted):
            continue
        result = _run(frame, df)
        out.results.append(result)
        for r in result.results:
            if r.success:
                continue
            check = r.expectation_config.meta["check"]
            for row in r.result.get("unexpected_index_list") or []:
                rid = int(row["rid"])
                if (frame, rid, check) in seen:
                    continue
                seen.add((frame, rid, check))
                side = built.side(frame, rid)
                f = _finding(check, side, reports[side.key], built.previous.get(side.key))
                out.findings.setdefault(side.key, []).append(f)
    target = default_docs_dir() if docs_dir is True else (docs_dir or None)
    if only is None and target is not None and reports:
        out.docs = write_data_docs(out, Path(target))
    return out
