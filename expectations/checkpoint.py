"""Validate a batch of reports with Great Expectations and map every unexpected row to a Finding.

One GX validation per frame for the whole batch (not one per report: each run costs ~40 ms whatever
its size). Findings carry the report's index in the batch; the caller attaches agency/year/document.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pandas as pd

from expectations.frames import Frames, Side, build_frames
from expectations.suites import suite_definitions
from pipeline.model import Finding, Report

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


@dataclass
class Validation:
    """The batch's outcome: findings per report index, and GX's own results for Data Docs."""

    findings: dict[int, list[Finding]] = field(default_factory=dict)
    results: list[Any] = field(default_factory=list)

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


def _locations(report: Report, cells: list[str]) -> list[dict[str, Any]]:
    out = []
    for cell in cells:
        loc = report.provenance.get(cell)
        if loc is not None:
            out.append({"ref": cell, **loc.as_json()})
    return out


def _finding(check: str, side: Side, report: Report, value: Any) -> Finding:
    cells = side.left_cells + side.right_cells
    if check == "complete":
        return Finding(check, side.table, side.row, side.column, side.proceeding, cells=cells,
                       message=f"{cells[0]} was not found or not read as a number")
    if check == "nonnegative":
        return Finding(check, side.table, side.row, side.column, side.proceeding, left=side.left, right=0,
                       cells=cells, locations=_locations(report, cells), message=f"{cells[0]} = {side.left} < 0")
    if check == "template_year":
        return Finding(check, left=report.year, cells=[],
                       message=f"template {report.template} is not the one for {report.year}")
    return Finding(
        check, side.table, side.row, side.column, side.proceeding, left=side.left, right=side.right,
        cells=cells, locations=_locations(report, cells),
        message=f"{' + '.join(side.left_cells)} = {side.left} ≠ {side.right} = {' + '.join(side.right_cells) or 'stated'}",
    )


def validate_batch(
    reports: list[Report], previous_carried_out: dict[int, dict[str, int]] | None = None
) -> Validation:
    """Run every suite over the batch; findings keyed by the report's index in `reports`."""
    _ctx, definitions = _context()
    built: Frames = build_frames(reports, previous_carried_out)
    out = Validation()
    seen: set[tuple[str, str]] = set()
    for frame, df in built.frames.items():
        if df.empty:
            continue
        result = definitions[frame].run(
            batch_parameters={"dataframe": df},
            result_format={"result_format": "COMPLETE", "unexpected_index_column_names": ["rid"]},
        )
        out.results.append(result)
        for r in result.results:
            if r.success:
                continue
            check = r.expectation_config.meta["check"]
            for row in r.result.get("unexpected_index_list") or []:
                rid = row["rid"]
                if (rid, check) in seen:
                    continue
                seen.add((rid, check))
                side = built.sides[rid]
                out.findings.setdefault(side.key, []).append(_finding(check, side, reports[side.key], row))
    return out


def frame_sizes(reports: list[Report]) -> dict[str, int]:
    """Rows per frame for a batch (for benchmarks and logs)."""
    return {k: len(v) for k, v in build_frames(reports).frames.items() if isinstance(v, pd.DataFrame)}
