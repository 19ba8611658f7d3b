"""The data-quality report (issue 5): a self-contained page that renders offline — nothing remote in src/href —
written by the refresh from the same findings the warehouse holds (issue 14)."""

from __future__ import annotations

import copy
import html
import re
from html.parser import HTMLParser
from pathlib import Path

from nianbao.flows.refresh import refresh_warehouse
from nianbao.pipeline.extract import extract_report
from nianbao.pipeline.model import DocRef
from nianbao.pipeline.settings import load_settings
from nianbao.warehouse.ingest import load
from nianbao.warehouse.lock import writing
from nianbao.warehouse.read import findings

FILES = Path(__file__).resolve().parent / "files"


class _Refs(HTMLParser):
    """Every src/href of link, script, img (and anything else) in a page."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.refs.extend((tag, v or "") for k, v in attrs if k in ("src", "href"))


def test_quality_report_renders_offline_and_points_at_the_page(tmp_path: Path) -> None:
    pdf = extract_report((FILES / "real/06_hongze-qzf-2023.pdf").read_bytes())
    html_report = extract_report((FILES / "html/html_hz-sfj_2020.html").read_bytes())
    bad = copy.deepcopy(html_report)
    bad.applications["carried_out"]["total"] += 2
    settings = load_settings(tmp_path / "wh.duckdb", env={"NIANBAO_DATA_DOCS": str(tmp_path / "docs")})
    with writing(settings.warehouse) as con:
        load(
            con,
            [
                (DocRef("hz-hzq", 2023, None, "a" * 64), pdf),
                (DocRef("hz-sfj", 2020, None, "b" * 64), html_report),
                (DocRef("hz-bad", 2020, None, "c" * 64), bad),
            ],
        )
        stored = findings(con)
    refresh_warehouse(settings, "test", force=True)
    page = (tmp_path / "docs" / "index.html").read_text(encoding="utf-8")
    parser = _Refs()
    parser.feed(page)
    assert all(not re.match(r"(?i)\s*(https?:)?//", ref) for _tag, ref in parser.refs), parser.refs
    assert not re.search(r"(?i)(src|href)\s*=\s*[\"']?\s*(https?:)?//", page)
    assert "@import" not in page and "url(" not in page  # no remote CSS either
    # every stored finding, where it is, and the checks with their GX suites and expectations
    assert {f["check"] for f in stored} >= {"t4_group_total", "t3_balance"}
    assert all(html.escape(f["message"]) in page for f in stored)
    assert (
        "t4_group_total" in page
        and "p.4 bbox" in page
        and "t3_balance" in page
        and "table 2 cell (25, 9)" in page
    )
    assert "expect_multicolumn_sum_to_equal" in page and "nianbao_t3_balance" in page


def test_the_checks_document_is_derived_from_the_declarations() -> None:
    """docs/checks.md is what the declarations render to (`make docs`), and names every declared check."""
    from nianbao.expectations.checks import CHECKS
    from nianbao.expectations.quality import checks_markdown

    text = (FILES.parent.parent / "docs" / "checks.md").read_text(encoding="utf-8")
    assert text == checks_markdown(), "run `make docs`"
    assert all(f"| `{c.id}` |" in text for c in CHECKS)


class _Text(HTMLParser):
    """The tags and the text of a page, as a browser reads them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs |= {k for k, _ in attrs}

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_the_quality_report_escapes_hostile_text() -> None:
    """Every value on the page is text (Jinja2 autoescape): a finding cannot add a script, a tag or an attribute."""
    from nianbao.expectations.quality import render

    hostile = "<script>alert('x')</script>"
    finding = {
        "agency": "hz-<b>evil</b>",
        "year": 2022,
        "document": "d" * 64,
        "check": "t3_balance",
        "severity": 'blocking" onmouseover="alert(1)',
        "table": "applications",
        "row": "granted",
        "proceeding": None,
        "column": "total",
        "left": 3,
        "right": None,
        "difference": None,
        "locations": [
            {"ref": "applications.granted.total", "page": 2, "raw": "<img src=x onerror=alert(1)>"}
        ],
        "message": f"the sum is off {hostile} & more",
    }
    page = render([finding], title="<i>title</i>", stamp="<u>now</u>")
    parser = _Text()
    parser.feed(page)
    assert "script" not in parser.tags and "img" not in parser.tags
    assert not {"b", "i", "u"} & set(parser.tags)
    assert parser.attrs == {"lang", "charset", "class"}  # no attribute but the page's own
    text = "".join(parser.text)
    # the hostile text is shown as it was written, and None shows as nothing
    assert f"the sum is off {hostile} & more" in text
    assert "<img src=x onerror=alert(1)>" in text and "hz-<b>evil</b> 2022" in text
    assert "<i>title</i>" in text and "None" not in text
    # the caller's own markup (the site's pointer to its findings pages) is kept as HTML
    elsewhere = render([finding], findings_elsewhere='<p>See <a href="findings.html">the findings</a>.</p>')
    assert '<a href="findings.html">the findings</a>' in elsewhere and hostile not in elsewhere
    assert "No findings." in render([])
