"""The nine checks of spec/checks.md (issue 5): one planted defect each, flagged by exactly that check.

Every planted report is a copy of a clean extracted fixture whose canonical record equals its golden file,
so the provenance in the findings is the extractor's real one (page+bbox in PDFs, table+cell in HTML/DOCX).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest

from nianbao.expectations.validate import validate
from nianbao.pipeline.extract import extract_report
from nianbao.pipeline.model import Finding, Previous, Report

ROOT = Path(__file__).resolve().parent
FIXTURES = {
    "pdf": ("real/08_huaian-szf-2024.pdf", "08_huaian-szf-2024"),
    "html": ("html/html_hz-sfj_2020.html", "html_hz-sfj_2020"),
    "docx": ("docx/docx_t1-gongshu_2022.docx", "docx_t1-gongshu_2022"),
    "text": ("text/hz-yjglj_2020.txt", "hz-yjglj_2020"),
}


@cache
def _extracted(kind: str) -> Report:
    path, golden = FIXTURES[kind]
    report = extract_report((ROOT / "files" / path).read_bytes())
    expected = Report.from_json(json.loads((ROOT / "golden" / f"{golden}.json").read_text(encoding="utf-8")))
    assert report.canonical() == expected.canonical(), f"{path} no longer extracts as its golden"
    return report


def clean(kind: str) -> Report:
    """A fresh copy of a clean fixture, with its real provenance."""
    return copy.deepcopy(_extracted(kind))


def only(report: Report, previous: Previous | None = None) -> list[Finding]:
    """The findings of a one-report batch."""
    return validate([report], {0: previous} if previous else None).findings.get(0, [])


def _assert_located(f: Finding, kind: str) -> None:
    assert f.locations, f
    for loc in f.locations:
        if loc["ref"].startswith("narrative."):
            continue
        if kind == "pdf":
            assert isinstance(loc["page"], int) and len(loc["bbox"]) == 4, loc
        elif kind in ("html", "docx"):
            assert isinstance(loc["table_index"], int) and len(loc["cell"]) == 2, loc


def _first_nonzero_row(r: Report, col: str, skip: tuple[str, ...] = ()) -> str:
    rows = [
        row
        for row in r.applications
        if row not in ("received_new", "carried_in", "handled_total", "carried_out", *skip)
    ]
    return next(row for row in rows if r.applications[row][col] > 0)


KINDS = ["pdf", "html", "docx", "text"]


@pytest.mark.parametrize("kind", KINDS)
def test_clean_fixtures_raise_nothing(kind: str) -> None:
    assert only(clean(kind)) == []


@pytest.mark.parametrize("kind", KINDS)
def test_complete_names_each_missing_cell(kind: str) -> None:
    r = clean(kind)
    del r.applications["granted"]["research"]
    del r.review_litigation["review"]["pending"]
    found = only(r)
    assert {f.check for f in found} == {"complete"}
    assert sorted(c for f in found for c in f.cells) == [
        "applications.granted.research",
        "review_litigation.review.pending",
    ]
    g = next(f for f in found if f.table == "applications")
    assert (g.row, g.column, g.severity) == ("granted", "research", "blocking")
    assert "予以公开" in g.message and "科研机构" in g.message
    _assert_located(g, kind)  # points at the printed cells of the same row
    rv = next(f for f in found if f.table == "review_litigation")
    assert (rv.proceeding, rv.column) == ("review", "pending")


@pytest.mark.parametrize("kind", KINDS)
def test_nonnegative(kind: str) -> None:
    r = clean(kind)
    r.proactive["rules"][next(iter(r.proactive["rules"]))] = -3
    (f,) = only(r)
    assert (f.check, f.table, f.row, f.left, f.right, f.difference) == (
        "nonnegative",
        "proactive",
        "rules",
        -3,
        0,
        -3,
    )
    _assert_located(f, kind)


def test_change_may_be_negative() -> None:
    r = clean("html")
    assert r.template == "v2019" and r.proactive["licensing"]["change"] == -28
    assert only(r) == []


@pytest.mark.parametrize("kind", KINDS)
def test_t3_row_total(kind: str) -> None:
    """Moving one count between two rows of the 总计 column keeps every column sum but breaks both rows."""
    r = clean(kind)
    a = _first_nonzero_row(r, "total")
    b = "rejected_publication" if a != "rejected_publication" else "rejected_duplicate"
    r.applications[a]["total"] -= 1
    r.applications[b]["total"] += 1
    found = only(r)
    assert {(f.check, f.row, f.left, f.right, f.difference) for f in found} == {
        (
            "t3_row_total",
            a,
            clean(kind).applications[a]["total"] - 1,
            clean(kind).applications[a]["total"],
            -1,
        ),
        (
            "t3_row_total",
            b,
            clean(kind).applications[b]["total"] + 1,
            clean(kind).applications[b]["total"],
            1,
        ),
    }
    f = next(f for f in found if f.row == a)
    assert f.cells[0] == f"applications.{a}.total" and len(f.cells) == 7
    _assert_located(f, kind)
    assert {loc["ref"] for loc in f.locations} == set(f.cells)


@pytest.mark.parametrize("kind", KINDS)
def test_t3_outcome_total(kind: str) -> None:
    """Moving one count between two applicants within an outcome row keeps the row but breaks both columns."""
    r = clean(kind)
    row = _first_nonzero_row(r, "natural_person")
    r.applications[row]["natural_person"] -= 1
    r.applications[row]["commercial"] += 1
    found = only(r)
    ht = clean(kind).applications["handled_total"]
    assert {(f.check, f.column, f.left, f.right, f.difference) for f in found} == {
        ("t3_outcome_total", "natural_person", ht["natural_person"], ht["natural_person"] - 1, 1),
        ("t3_outcome_total", "commercial", ht["commercial"], ht["commercial"] + 1, -1),
    }
    f = next(f for f in found if f.column == "commercial")
    assert f.cells[0] == "applications.handled_total.commercial"
    assert f"applications.{row}.commercial" in f.cells
    _assert_located(f, kind)


@pytest.mark.parametrize("kind", KINDS)
def test_t3_balance(kind: str) -> None:
    """carried_out +2 in one applicant column and in 总计: rows still add up, the 勾稽关系 does not."""
    r = clean(kind)
    r.applications["carried_out"]["research"] += 2
    r.applications["carried_out"]["total"] += 2
    found = only(r)
    c = clean(kind).applications
    assert {(f.check, f.column, f.left, f.right, f.difference) for f in found} == {
        (
            "t3_balance",
            a,
            c["received_new"][a] + c["carried_in"][a],
            c["handled_total"][a] + c["carried_out"][a] + 2,
            -2,
        )
        for a in ("research", "total")
    }
    f = next(f for f in found if f.column == "research")
    assert f.cells == [
        "applications.received_new.research",
        "applications.carried_in.research",
        "applications.handled_total.research",
        "applications.carried_out.research",
    ]
    _assert_located(f, kind)


@pytest.mark.parametrize("kind", KINDS)
def test_t4_group_total(kind: str) -> None:
    r = clean(kind)
    r.review_litigation["litigation_direct"]["upheld"] += 4
    (f,) = only(r)
    g = clean(kind).review_litigation["litigation_direct"]
    assert (f.check, f.proceeding, f.left, f.right, f.difference) == (
        "t4_group_total",
        "litigation_direct",
        g["total"],
        g["total"] + 4,
        -4,
    )
    assert f.cells[0] == "review_litigation.litigation_direct.total" and len(f.cells) == 5
    _assert_located(f, kind)


@pytest.mark.parametrize("kind", ["pdf", "html", "docx"])
def test_narrative_consistency(kind: str) -> None:
    r = clean(kind)
    stated = r.narrative["applications_received"]["value"]
    r.narrative["applications_received"] = {"value": stated + 5, "raw": f"收到政府信息公开申请{stated + 5}件"}
    (f,) = only(r)
    assert (f.check, f.severity, f.row, f.column, f.left, f.right, f.difference) == (
        "narrative_consistency",
        "warning",
        "received_new",
        "total",
        stated,
        stated + 5,
        -5,
    )
    assert f.locations[-1] == {
        "ref": "narrative.applications_received",
        "raw": f"收到政府信息公开申请{stated + 5}件",
    }
    _assert_located(f, kind)


@pytest.mark.parametrize("kind", KINDS)
def test_template_year(kind: str) -> None:
    r = clean(kind)
    wrong = 2023 if r.template == "v2019" else 2020
    r.year = wrong
    (f,) = only(r)
    right = 2020 if r.template == "v2019" else 2021
    assert (f.check, f.severity, f.left, f.right, f.difference) == (
        "template_year",
        "warning",
        wrong,
        right,
        wrong - right,
    )
    _assert_located(f, kind)


@pytest.mark.parametrize("kind", KINDS)
def test_cross_year_carry(kind: str) -> None:
    r = clean(kind)
    prev_report = clean(kind)
    carried = dict(r.applications["carried_in"])
    carried["natural_person"] += 7
    carried["total"] += 7
    prev = Previous(
        carried_out=carried, document="ab" * 32, year=r.year - 1, provenance=prev_report.provenance
    )
    found = only(r, prev)
    assert {(f.check, f.row, f.column, f.left, f.right, f.difference) for f in found} == {
        ("cross_year_carry", "carried_in", a, r.applications["carried_in"][a], carried[a], -7)
        for a in ("natural_person", "total")
    }
    f = next(f for f in found if f.column == "total")
    assert f.severity == "warning"
    assert f.cells == ["applications.carried_in.total", f"{r.year - 1}:applications.carried_out.total"]
    assert f.locations[-1]["document"] == "ab" * 32  # the previous report's cell, in its own document
    _assert_located(f, kind)
    # matching carry: nothing
    same = Previous(carried_out=dict(r.applications["carried_in"]))
    assert only(clean(kind), same) == []


def test_batch_flags_only_the_planted_reports() -> None:
    planted: dict[int, Callable[[Report], None]] = {
        1: lambda r: r.review_litigation["review"].__setitem__(
            "upheld", r.review_litigation["review"]["upheld"] + 1
        ),
        4: lambda r: r.proactive["rules"].__setitem__(next(iter(r.proactive["rules"])), -1),
    }
    kinds = ["pdf", "html", "docx", "text", "pdf", "html"]
    batch = [clean(k) for k in kinds]
    for k, plant in planted.items():
        plant(batch[k])
    v = validate(batch)
    assert set(v.findings) == {1, 4}
    assert [f.check for f in v.findings[1]] == ["t4_group_total"]
    assert [f.check for f in v.findings[4]] == ["nonnegative"]
    # one GX validation per check for the whole batch (cross_year_carry has no rows: no previous years)
    assert [s.check for s in v.suites] == [
        "complete",
        "nonnegative",
        "t3_row_total",
        "t3_outcome_total",
        "t3_balance",
        "t4_group_total",
        "narrative_consistency",
        "template_year",
    ]
    assert next(s for s in v.suites if s.check == "t4_group_total").rows == 6 * 3


def test_real_report_06_own_arithmetic_errors() -> None:
    """洪泽区 2023 prints 行政复议 10 | 1 | 0 | 0 | 总计 0 and 复议后起诉 5 | 0 | 0 | 0 | 总计 0 (page 4)."""
    r = extract_report((ROOT / "files/real/06_hongze-qzf-2023.pdf").read_bytes())
    golden = json.loads((ROOT / "golden/06_hongze-qzf-2023.json").read_text(encoding="utf-8"))
    assert golden["review_litigation"]["review"] == {
        "upheld": 10,
        "corrected": 1,
        "other": 0,
        "pending": 0,
        "total": 0,
    }
    found = only(r)
    t4 = {(f.proceeding, f.left, f.right, f.difference) for f in found if f.check == "t4_group_total"}
    assert t4 == {("review", 0, 11, -11), ("litigation_after_review", 0, 5, -5)}
    f = next(f for f in found if f.proceeding == "review")
    total = next(loc for loc in f.locations if loc["ref"] == "review_litigation.review.total")
    assert total["page"] == 4 and total["raw"] == "0" and len(total["bbox"]) == 4
    # table 3 prints one （六）其他处理 row where the v2021 template has three, 0 in every column: the three
    # rows are 0 (issue 12), read from the printed row and recorded as an assumption
    assert r.reading.assumed() == ["other_handling_zero_split"]
    assert (
        r.provenance["applications.other_misc.total"]
        == r.provenance["applications.other_no_correction.total"]
    )
    assert {f.check for f in found} == {"t4_group_total"}
    # everything else adds up: 21 received = 21 handled, nothing carried
    assert (
        golden["applications"]["received_new"]["total"]
        == golden["applications"]["handled_total"]["total"]
        == 21
    )


def test_real_report_07_narrative_is_a_warning() -> None:
    """洪泽区 2024: the narrative says the district office received 17; table 3 counts 95 for the district."""
    r = extract_report((ROOT / "files/real/07_hongze-qzf-2024.pdf").read_bytes())
    found = only(r)
    (n,) = [f for f in found if f.check == "narrative_consistency"]
    assert (n.left, n.right, n.difference, n.severity) == (95, 17, 78, "warning")
    assert {f.check for f in found} == {"narrative_consistency"}


def test_real_report_08_is_clean() -> None:
    """淮安市 2024: 3119 + 34 = 3050 + 103, and the narrative's 3119 / 351 / 46 match the tables."""
    r = clean("pdf")
    assert r.narrative["review"]["value"] == r.review_litigation["review"]["total"] == 351
    assert only(r) == []
