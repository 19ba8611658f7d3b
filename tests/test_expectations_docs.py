"""Data Docs (issue 5): a page per validation that renders offline — nothing remote in src/href."""

from __future__ import annotations

import copy
import re
from html.parser import HTMLParser
from pathlib import Path

from nianbao.expectations.checkpoint import validate_batch
from nianbao.expectations.docs import default_docs_dir
from nianbao.pipeline.extract import extract_report

FILES = Path(__file__).resolve().parent / "files"


class _Refs(HTMLParser):
    """Every src/href of link, script, img (and anything else) in a page."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.refs.extend((tag, v or "") for k, v in attrs if k in ("src", "href"))


def test_data_docs_render_offline_and_point_at_the_page(tmp_path: Path) -> None:
    pdf = extract_report((FILES / "real/06_hongze-qzf-2023.pdf").read_bytes())
    html_report = extract_report((FILES / "html/html_hz-sfj_2020.html").read_bytes())
    bad = copy.deepcopy(html_report)
    bad.applications["carried_out"]["total"] += 2
    v = validate_batch([pdf, html_report, bad], docs_dir=tmp_path / "docs")
    assert v.docs == tmp_path / "docs" / "index.html" and v.docs.exists()
    page = v.docs.read_text(encoding="utf-8")
    parser = _Refs()
    parser.feed(page)
    assert all(not re.match(r"(?i)\s*(https?:)?//", ref) for _tag, ref in parser.refs), parser.refs
    assert not re.search(r"(?i)(src|href)\s*=\s*[\"']?\s*(https?:)?//", page)
    assert "@import" not in page and "url(" not in page  # no remote CSS either
    # the findings, where they are, and GX's own suite results
    assert (
        "t4_group_total" in page
        and "p.4 bbox" in page
        and "t3_balance" in page
        and "table 2 cell (25, 9)" in page
    )
    assert "expect_multicolumn_sum_to_equal" in page and "nianbao_t3_balance" in page
    assert len(list((tmp_path / "docs" / "validations").glob("*.html"))) == 1


def test_default_docs_dir_follows_the_environment(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NIANBAO_DATA_DOCS", str(tmp_path / "dd"))
    assert default_docs_dir() == tmp_path / "dd"
    monkeypatch.setenv("NIANBAO_DATA_DOCS", "")
    assert default_docs_dir() is None
    monkeypatch.delenv("NIANBAO_DATA_DOCS")
    monkeypatch.setenv("NIANBAO_HOME", str(tmp_path / "home"))
    assert default_docs_dir() == tmp_path / "home" / "data_docs"


def test_carry_only_revalidation_writes_no_page(tmp_path: Path) -> None:
    r = extract_report((FILES / "html/html_hz-sfj_2020.html").read_bytes())
    v = validate_batch([r], only=["carry"], docs_dir=tmp_path / "docs")
    assert v.docs is None and not (tmp_path / "docs").exists()
