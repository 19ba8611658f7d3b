"""The plain-text reader: the spec's example and PDF-to-Markdown output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nianbao.pipeline import tables as T
from nianbao.pipeline.extract import extract_report, sniff
from nianbao.pipeline.extract.text import parse_text

FILES = Path(__file__).parent / "files" / "text"
GOLDEN = Path(__file__).parent / "golden"
DOCS = sorted([*FILES.glob("*.txt"), *FILES.glob("*.md")])


def test_fixtures_present() -> None:
    names = {p.name for p in DOCS}
    assert "hz-yjglj_2020.txt" in names and any(n.endswith(".md") for n in names)


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.stem)
def test_text_matches_golden(path: Path) -> None:
    data = path.read_bytes()
    assert sniff(data) == "text"
    report = extract_report(data)
    assert report.canonical() == json.loads((GOLDEN / f"{path.stem}.json").read_text(encoding="utf-8"))
    for table, row, col in T.expected_cells(report.template):
        loc = report.provenance[f"{table}.{row}.{col}"]
        assert loc.line is not None
        # the line number points at the source line that prints the raw value
        line = data.decode("utf-8-sig").splitlines()[loc.line - 1]
        assert loc.raw in line.replace("<br>", "\n").replace("**", "")


def test_markdown_cells() -> None:
    doc = parse_text((FILES / "md_hz-czj_2021.md").read_bytes())
    labels = {c.text for t in doc.tables for r in t.rows for c in r if c is not None}
    assert "本年制\n发件数" in labels  # <br> is a line break inside the cell
    assert not any("**" in s or "<br>" in s for s in labels)
    carried_out = next(r for t in doc.tables for r in t.rows if r and r[0] and "结转下年度" in r[0].text)
    assert len(carried_out) == 10  # trailing blank cells are cells, not padding
    assert "- 2 -" not in doc.text and "|---" not in doc.text


def test_markdown_title_and_fees() -> None:
    report = extract_report((FILES / "md_hz-czj_2021.md").read_bytes())
    assert (report.agency, report.year) == ("杭州市财政局", 2021)
    assert report.processing_fees_yuan == 0
    assert report.narrative["applications_received"]["value"] == report.applications["received_new"]["total"]


def test_escaped_pipe_in_markdown_cell() -> None:
    doc = parse_text("## 三、收到\n|a\\|b|1||\n".encode())
    assert [c.text for c in doc.tables[0].rows[0] if c] == ["a|b", "1", ""]
