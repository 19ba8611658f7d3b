"""Admission (`nianbao.expectations.admit`): what it makes of a reading, and what it leaves alone."""

from __future__ import annotations

import copy

from nianbao.expectations.admit import Known, admit
from nianbao.pipeline.extract import extract_report
from nianbao.pipeline.model import DocRef

from helpers import EXAMPLE_TXT


def test_a_report_naming_no_body_takes_the_catalogs_name_as_an_assumption() -> None:
    report = extract_report(EXAMPLE_TXT.read_bytes())
    report.agency = ""
    ref = DocRef("hz-yjglj", report.year, None, "a" * 64)
    (o,) = admit([(ref, report)], Known(agency_names={"hz-yjglj": "某市应急管理局"})).outcomes
    assert o.report is not None
    assert o.report.agency == "某市应急管理局"
    assert "agency_from_catalog" in o.report.reading.assumed()
    assert o.report.reading.verified is False  # something was assumed


def test_admission_leaves_the_readings_it_was_given_as_they_were() -> None:
    """The outcome's report is the admission's own: the reading handed in (cached, shared with a retry)
    keeps its agency, its assumptions and its unset `verified`."""
    named = extract_report(EXAMPLE_TXT.read_bytes())
    unnamed = copy.deepcopy(named)
    unnamed.agency = ""
    given = [
        (DocRef("hz-yjglj", named.year, None, "a" * 64), named),
        (DocRef("hz-other", unnamed.year, None, "b" * 64), unnamed),
    ]
    before = copy.deepcopy(given)
    outcomes = admit(given, Known(agency_names={"hz-other": "某市某局"})).outcomes
    assert given == before
    assert [o.report.reading.verified is not None for o in outcomes if o.report] == [True, True]
