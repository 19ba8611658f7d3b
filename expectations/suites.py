"""The expectation suites, one per frame, each expectation tagged with the check id it implements.

These are the project's data-quality promise (spec/checks.md) written as Great Expectations 1.x
expectations. `meta["check"]` names the check; `checkpoint.py` turns failures into Findings.
"""

from __future__ import annotations

import great_expectations.expectations as gxe
from great_expectations.expectations.expectation import Expectation

from nianbao.expectations.frames import ALL_OUTCOME_ROWS
from nianbao.pipeline import tables as T


def _meta(check: str) -> dict[str, str]:
    return {"check": check}


def suite_definitions() -> dict[str, list[Expectation]]:
    """Frame name → the expectations validated on it."""
    return {
        "cells": [
            # complete: every cell of the template was found and read as a number
            gxe.ExpectColumnValuesToNotBeNull(column="value", meta=_meta("complete")),
            # nonnegative: counts and money ≥ 0 (table 2's `change` is left out of count_value)
            gxe.ExpectColumnValuesToBeBetween(column="count_value", min_value=0, meta=_meta("nonnegative")),
        ],
        "t3_rows": [
            # t3_row_total: total = natural_person + commercial + research + social_welfare + legal_services + other_org
            gxe.ExpectMulticolumnSumToEqual(
                column_list=[*T.APPLICANT_PARTS, "neg_total"], sum_total=0, meta=_meta("t3_row_total")
            ),
        ],
        "t3_outcomes": [
            # t3_outcome_total: handled_total = sum of every outcome row, in each applicant column
            gxe.ExpectMulticolumnSumToEqual(
                column_list=[*(f"o_{o}" for o in ALL_OUTCOME_ROWS), "neg_handled_total"],
                sum_total=0,
                meta=_meta("t3_outcome_total"),
            ),
        ],
        "t3_balance": [
            # t3_balance: received_new + carried_in = handled_total + carried_out (the table's own 勾稽关系)
            gxe.ExpectMulticolumnSumToEqual(
                column_list=["received_new", "carried_in", "neg_handled_total", "neg_carried_out"],
                sum_total=0,
                meta=_meta("t3_balance"),
            ),
        ],
        "t4": [
            # t4_group_total: total = upheld + corrected + other + pending, per proceeding
            gxe.ExpectMulticolumnSumToEqual(
                column_list=[*T.OUTCOME_PARTS, "neg_total"], sum_total=0, meta=_meta("t4_group_total")
            ),
        ],
        "carry": [
            # cross_year_carry (warning): carried_in = the agency's previous report's carried_out
            gxe.ExpectMulticolumnSumToEqual(
                column_list=["carried_in", "neg_previous_carried_out"],
                sum_total=0,
                meta=_meta("cross_year_carry"),
            ),
        ],
        "narrative": [
            # narrative_consistency (warning): a total the narrative states equals the table's
            gxe.ExpectMulticolumnSumToEqual(
                column_list=["table_value", "neg_stated"], sum_total=0, meta=_meta("narrative_consistency")
            ),
        ],
        "template": [
            # template_year (warning): v2019 for 2019–2020, v2021 from 2021
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="year", column_B="first_year", or_equal=True, meta=_meta("template_year")
            ),
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="last_year", column_B="year", or_equal=True, meta=_meta("template_year")
            ),
        ],
    }
