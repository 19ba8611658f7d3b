"""An article whose inline report and attachment disagree gets a finding, not a silent choice (issue 7)."""

from __future__ import annotations

import copy

from nianbao.expectations.admit import Known, Sibling, admit
from nianbao.expectations.checks import disagreement
from nianbao.pipeline.extract import extract_report
from nianbao.pipeline.model import DocRef

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
        "document_disagreement",
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


def test_admission_compares_each_sibling_but_the_document_itself() -> None:
    """Stored siblings and earlier documents of the same article page in the batch; never the document itself."""
    report = extract_report(EXAMPLE_TXT.read_bytes())
    art = "http://127.0.0.1/art.html"
    ref = DocRef("hz-yjglj", 2020, art, "a" * 64, via=art)
    other = copy.deepcopy(report.canonical())
    other["review_litigation"]["review"]["total"] = 1
    known = Known(
        siblings={
            ref: [Sibling("a" * 64, art, report.canonical()), Sibling("c" * 64, "http://x/b.pdf", other)]
        }
    )
    (o,) = admit([(ref, report)], known).outcomes
    assert [(f.check, f.proceeding or f.row, f.left, f.right) for f in o.findings] == [
        ("document_disagreement", "review", 0, 1)
    ]
    # an attachment read after the inline page in the same batch is compared with it, as if it were stored
    attachment = copy.deepcopy(report)
    attachment.applications["granted"]["natural_person"] += 1
    pdf = DocRef("hz-yjglj", 2020, "http://x/b.pdf", "d" * 64, via=art)
    first, second = admit([(ref, report), (pdf, attachment)], Known()).outcomes
    assert first.findings == []
    assert [f.cells for f in second.findings if f.check == "document_disagreement"] == [
        ["applications.granted.natural_person"]
    ]
