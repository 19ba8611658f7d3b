"""Who publishes what, how: each report's publication mode, printing quirks and planted fault, decided up front.

The faults of the bundled city are placed on named agencies so the truth is easy to read and to cite;
scale runs scatter misprints by the seed instead.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from samplegen.layout import Style
from samplegen.render_html import HtmlStyle
from samplegen.render_pdf import PdfStyle

# publication modes: html (inline article), pdf / docx (article with an attachment), both (inline + PDF),
# direct_pdf (the listing links the PDF itself)
MODES = ("html", "pdf", "both", "docx", "direct_pdf")
_MODE_WEIGHTS = (("html", 8), ("pdf", 6), ("both", 3), ("docx", 2), ("direct_pdf", 2))
# scale runs in mixed forms (benchmarks/scale.py, issue 17): most documents PDF, as published cities are
_MIXED_WEIGHTS = (("html", 4), ("pdf", 7), ("both", 2), ("docx", 2), ("direct_pdf", 3))
_BREAK_ROWS = (
    "denied_enforcement_file",
    "unavailable_not_held",
    "rejected_petition",
    "granted",
    "handled_total",
)


@dataclass
class Plan:
    """How one report is published and what is wrong with it on purpose."""

    agency_id: str
    year: int
    mode: str = "html"
    style: Style = field(default_factory=Style)
    html: HtmlStyle = field(default_factory=HtmlStyle)
    pdf: PdfStyle = field(default_factory=PdfStyle)
    link: str = "static"  # attachment URL kind: static | download | jsp
    misprint: str | None = None  # blocking check the printed tables break
    carry_break: bool = False  # carried_in differs from last year's carried_out
    narrative_off: int = 0  # the narrative's stated number of applications is off by this
    unreadable: str | None = None  # encrypted | no_text_layer | truncated | fetch_failed
    corrected: bool = False  # re-published later with the misprint fixed, at the same URL
    old_url: bool = False  # the listing links an old URL that redirects (301) to the article

    def doc_format(self) -> str:
        """The format of the attachment or direct document, if any."""
        return "docx" if self.mode == "docx" else "pdf"


# the bundled city's planted faults and showcase quirks: (agency, year) → settings
CITY_SPECIALS: dict[tuple[str, int], dict[str, object]] = {
    ("hz-mzj", 2022): {"misprint": "t3_balance", "mode": "pdf", "corrected": True, "link": "static"},
    ("hz-rsj", 2021): {"misprint": "t3_row_total", "mode": "html"},
    ("hz-xhq", 2023): {"misprint": "t4_group_total", "mode": "docx", "link": "download"},
    ("hz-jyj", 2022): {"carry_break": True, "mode": "both"},
    ("hz-czj", 2021): {"narrative_off": 5, "mode": "html"},
    ("hz-tlx", 2021): {"unreadable": "encrypted", "mode": "pdf", "link": "static"},
    ("hz-cax", 2022): {"unreadable": "no_text_layer", "mode": "direct_pdf"},
    ("hz-jds", 2020): {"unreadable": "truncated", "mode": "pdf", "link": "download"},
    ("hz-kjj", 2023): {"unreadable": "fetch_failed", "mode": "html"},
    ("hz-fgj", 2021): {"mode": "pdf", "total_first": True},
    ("hz-scq", 2022): {"mode": "html", "total_first": True},
    ("hz-wjw", 2020): {"mode": "html", "old_url": True},
    ("hz-yjglj", 2020): {"mode": "both", "break_before": "denied_enforcement_file"},
}


def _pick_mode(rng: random.Random, weights: tuple[tuple[str, int], ...] = _MODE_WEIGHTS) -> str:
    total = sum(w for _m, w in weights)
    x = rng.uniform(0, total)
    for m, w in weights:
        x -= w
        if x <= 0:
            return m
    return weights[-1][0]


def make_plan(seed: int, agency_id: str, year: int, scale: bool = False, mixed: bool = False) -> Plan:
    """The publication plan of one report: seeded quirks, then the bundled city's specials on top.
    Scale runs publish HTML only unless `mixed` (then mostly PDF, some split over pages, DOCX too)."""
    rng = random.Random(f"{seed}:plan:{agency_id}:{year}")
    p = Plan(agency_id, year)
    p.mode = _pick_mode(rng, _MIXED_WEIGHTS) if mixed else "html" if scale else _pick_mode(rng)
    p.style = Style(
        fullwidth=rng.random() < 0.1,
        thousands=rng.random() < 0.35,
        signed_change=rng.random() < 0.3,
        repeat_labels=rng.random() < 0.08,
        dash_zero=rng.random() < 0.12,
        bare_amount=rng.random() < 0.4,
    )
    p.html = HtmlStyle(
        word=rng.random() < 0.5,
        encoding="gbk" if rng.random() < 0.2 else "utf-8",
        br_labels=rng.random() < 0.2,
    )
    p.link = rng.choice(("static", "static", "download", "jsp"))
    if rng.random() < 0.35:
        p.pdf.break_before = rng.choice(_BREAK_ROWS)
        p.pdf.repeat_header = rng.random() < 0.4
    p.pdf.footer = rng.random() < 0.5
    special = {} if scale else CITY_SPECIALS.get((agency_id, year), {})
    for key, value in special.items():
        if key == "total_first":
            p.style.total_first = bool(value)
        elif key == "break_before":
            p.pdf.break_before = str(value)
        else:
            setattr(p, key, value)
    if p.mode in {"pdf", "docx", "direct_pdf"}:
        p.html.inline = False
    if p.unreadable:
        p.style.total_first = False
    return p


def scale_fault(seed: int, agency_id: str, year: int) -> str | None:
    """Scale runs: about one report in a hundred carries a misprint, the kinds taken in turn."""
    rng = random.Random(f"{seed}:fault:{agency_id}:{year}")
    if rng.random() < 0.01:
        return rng.choice(("t3_balance", "t3_row_total", "t4_group_total"))
    return None
