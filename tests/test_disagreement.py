"""An article whose inline report and attachment disagree gets a finding, not a silent choice (issue 7)."""

from __future__ import annotations

import copy
import json

from nianbao.pipeline.extract import extract_report
from nianbao.pipeline.ingest import DISAGREEMENT, add_disagreements, disagreement
from nianbao.warehouse.load import Outcome

from helpers import EXAMPLE_TXT


def test_identical_documents_raise_nothing() -> None:
    report = extract_report(EXAMPLE_TXT.read_bytes())
    assert disagreement(report, "b" * 64, "http://127.0.0.1/a.pdf", report.canonical()) is None


def test_a_differing_cell_is_a_warning_naming_both_documents() -> None:
    report = extract_report(EXAMPLE_TXT.read_bytes())
    other = copy.deepcopy(report.canonical())
    other["applications"]["granted"]["natural_person"] = 4
    f = disagreement(report, "b" * 64, "http://127.0.0.1/a.pdf", other)
    assert f is not None
    assert (f.check, f.severity, f.table, f.row, f.column, f.left, f.right) == (
        DISAGREEMENT,
        "warning",
        "applications",
        "granted",
        "natural_person",
        3,
        4,
    )
    assert f.cells == ["applications.granted.natural_person"]
    here, there = f.locations
    assert here["raw"] == "3" and "line" in here  # where this document prints it
    assert there["document"] == "b" * 64


def test_add_disagreements_skips_the_document_itself_and_replaces_old_findings() -> None:
    report = extract_report(EXAMPLE_TXT.read_bytes())
    o = Outcome("hz-yjglj", 2020, "a" * 64, "http://127.0.0.1/art.html", report=report)
    other = copy.deepcopy(report.canonical())
    other["review_litigation"]["review"]["total"] = 1
    siblings = [
        ("a" * 64, o.source_url, json.dumps(report.canonical())),
        ("c" * 64, "http://x/b.pdf", json.dumps(other)),
    ]
    add_disagreements(o, siblings)
    add_disagreements(o, siblings)  # rerun: replaced, not doubled
    assert [(f.check, f.proceeding or f.row, f.left, f.right) for f in o.findings] == [
        (DISAGREEMENT, "review", 0, 1)
    ]
