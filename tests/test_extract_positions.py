"""Tables printed without any ruling line (issue 12): columns from the positions of the numbers and header words.

Each case renders a generated record with the generator's reportlab writer while every rule and box it
draws is suppressed, so the page holds the same text in the same places with nothing to follow; the
reading must equal the record.
"""

from __future__ import annotations

import random
from decimal import Decimal
from unittest import mock

import pytest

from nianbao.pipeline import tables as T
from nianbao.pipeline.extract import extract_report
from nianbao.pipeline.extract.positions import is_number, lines, words

reportlab = pytest.importorskip("reportlab")


def _ruleless_pdf(seed: int, year: int, template: str) -> tuple[bytes, dict[str, object]]:
    from reportlab.pdfgen import canvas

    from samplegen.layout import Style, printed
    from samplegen.records import fixture_record, narrative_claims
    from samplegen.render_pdf import PdfStyle, render_pdf

    record = fixture_record(seed, "杭州市测试局", year, template, Decimal(0) if template == "v2021" else None)
    doc = printed(record, narrative_claims(record), Style(), random.Random(seed))
    with (
        mock.patch.object(canvas.Canvas, "line", lambda *a, **k: None),
        mock.patch.object(canvas.Canvas, "rect", lambda *a, **k: None),
    ):
        data = render_pdf(doc, PdfStyle(), list(T.application_row_codes(template)))
    return data, record.canonical()


@pytest.mark.parametrize(
    ("seed", "year", "template"),
    [
        (100, 2020, "v2019"),
        (101, 2022, "v2021"),
        (102, 2023, "v2021"),
        (7, 2019, "v2019"),
        (8, 2024, "v2021"),
    ],
)
def test_a_table_without_rules_reads_exactly(seed: int, year: int, template: str) -> None:
    data, truth = _ruleless_pdf(seed, year, template)
    report = extract_report(data)
    assert report.canonical() == truth
    assert report.reading.details["tables_from_positions"] is True
    loc = report.provenance["applications.received_new.total"]
    assert loc.page is not None and loc.bbox is not None  # every value still points at where it is printed


def test_numbers_and_lines() -> None:
    assert all(is_number(t) for t in ("0", "1,234", "减少28", "-", "—", "3.5", "１２"))
    assert not any(is_number(t) for t in ("规章", "第二十条", "1.属于国家秘密"))
    chars = [
        {
            "text": ch,
            "x0": 10.0 * i,
            "x1": 10.0 * i + 9,
            "top": 100.0 + (i >= 3) * 20,
            "doctop": 0.0,
            "bottom": 110.0 + (i >= 3) * 20,
            "upright": True,
        }
        for i, ch in enumerate("规章5行政")
    ]
    assert [[w.text for w in line] for line in lines(words(chars))] == [["规章5"], ["行政"]]
