"""Validate a batch of reports with Great Expectations: one suite per check, built from its declaration.

One GX validation per check for the whole batch, not one per report: a validation run costs ~40 ms
whatever its size. Each unexpected row becomes a Finding through the check's own rule; findings are
keyed by the report's index in the batch, and the caller attaches agency, year and document.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pandas as pd

from nianbao.expectations.checks import CHECKS, Batch, Check
from nianbao.pipeline.model import Finding, Previous, Report

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


@dataclass
class Validation:
    """The batch's findings per report index, and what each check's suite saw (rows, unexpected rows)."""

    findings: dict[int, list[Finding]] = field(default_factory=dict)
    suites: list[SuiteResult] = field(default_factory=list)

    def blocking(self, k: int) -> list[Finding]:
        """Blocking findings of report k."""
        return [f for f in self.findings.get(k, []) if f.blocking]


@dataclass(frozen=True)
class SuiteResult:
    """One check's suite run: its expectations, how many rows they saw, how many were unexpected."""

    check: str
    suite: str
    expectations: tuple[str, ...]
    rows: int
    unexpected: int
    success: bool


def suite_name(check: Check) -> str:
    """The GX suite of a check."""
    return f"nianbao_{check.id}"


def quiet_gx() -> None:
    """GX's INFO lines are not our users': its loggers at WARNING, including the modules that set their own
    level to INFO when imported (data_context.types.base announces every ephemeral docs directory)."""
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    for name, logger in list(logging.root.manager.loggerDict.items()):
        if not name.startswith("great_expectations.") or not isinstance(logger, logging.Logger):
            continue
        if 0 < logger.level < logging.WARNING:
            logger.setLevel(logging.WARNING)


@cache
def _context() -> tuple[Any, dict[str, Any]]:
    """An ephemeral GX context: one pandas asset, suite and validation definition per validated check."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    quiet_gx()
    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = ctx.data_sources.add_pandas("nianbao")
    definitions = {}
    for c in CHECKS:
        if not c.validated:
            continue
        batch = source.add_dataframe_asset(c.id).add_batch_definition_whole_dataframe(f"{c.id}_batch")
        suite = ctx.suites.add(gx.ExpectationSuite(name=suite_name(c)))
        for e in c.rule.expectations(c):
            suite.add_expectation(e)
        definitions[c.id] = ctx.validation_definitions.add(
            gx.ValidationDefinition(name=f"validate_{c.id}", data=batch, suite=suite)
        )
    return ctx, definitions


def prepare() -> None:
    """Import GX and build its suites now (seconds, once per process), e.g. before taking the warehouse lock."""
    _context()


def _run(check: Check, df: pd.DataFrame) -> Any:
    _ctx, definitions = _context()
    return definitions[check.id].run(
        batch_parameters={"dataframe": df},
        result_format={"result_format": "COMPLETE", "unexpected_index_column_names": ["rid"]},
    )


def validate(
    reports: list[Report],
    previous: dict[int, Previous] | None = None,
    only: Iterable[str] | None = None,
    catalog_names: dict[int, str] | None = None,
) -> Validation:
    """Run every check (or those named in `only`) over the batch; findings keyed by index in `reports`.

    `previous[k]` is report k's previous year, for cross_year_carry; `catalog_names[k]` its agency's name in
    the catalog, for agency_name.
    """
    wanted = None if only is None else frozenset(only)
    batch = Batch(reports, dict(previous or {}), dict(catalog_names or {}))
    out = Validation()
    for c in CHECKS:
        if not c.validated or (wanted is not None and c.id not in wanted):
            continue
        df = c.rule.frame(batch)
        if df.empty:
            continue
        df.insert(0, "rid", range(len(df)))
        result = _run(c, df)
        ks, us = df["k"].to_numpy(), df["u"].to_numpy()
        unexpected: list[int] = []
        for r in result.results:
            if r.success:
                continue
            unexpected += [int(row["rid"]) for row in r.result.get("unexpected_index_list") or []]
        for rid in dict.fromkeys(unexpected):  # a row two expectations reject is one finding
            k = int(ks[rid])
            out.findings.setdefault(k, []).append(c.rule.finding(c, batch, k, int(us[rid])))
        out.suites.append(
            SuiteResult(
                c.id,
                suite_name(c),
                tuple(r.expectation_config.type for r in result.results),
                len(df),
                len(set(unexpected)),
                bool(result.success),
            )
        )
    return out
