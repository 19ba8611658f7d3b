"""Seeded perturbations: from a record and a base layout, variants that must read back as the same record.

    d = variant(seed=7, template="v2021", names=["columns_reordered", "fee_rephrased"])
    data = design.render(d, "reportlab_cid")
    # extract_report(data).canonical() must equal design.expected_record(d).canonical(), and the reading must
    # record design.expected_assumptions(d)

Each perturbation changes how the report is printed, never what it states: labels re-spaced or swapped for
their synonyms, the title split, the agency moved to the signature, the rules removed, the columns
re-ordered, row labels wrapped, the fee sentence re-phrased, full-width digits, thousands separators, zero
counts printed as a blank, a dash, a slash or 无, text flush left or right or at the top of its cell.
Those that move evidence (the agency to the signature, a fee sentence that says "none") change the
assumptions a reading must record, which `expected_assumptions` derives from the variant.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable
from decimal import Decimal

from nianbao.pipeline import tables as T

from samplegen.design import PRODUCERS, Design, check, corpus_record, fee_forms_for
from samplegen.layout import CellAlign, Style

Perturbation = Callable[[Design, random.Random], None]
PDF_PRODUCERS = frozenset({"reportlab_cid", "reportlab_ttf", "libreoffice", "chromium", "weasyprint"})


def labels_respaced(d: Design, rng: random.Random) -> None:
    """A few labels with a space between characters or after their numbering (行 政 许 可, （一） 予以公开)."""
    pool = [f"proactive.{c}" for c in T.PROACTIVE_LAYOUT[d.template]]
    pool += [f"applications.{c}" for c in T.APPLICANT_CODES]
    pool += [f"applications.{c}" for c in T.application_row_codes(d.template)]
    for key in rng.sample(pool, 4):
        table, code = key.split(".")
        label = T.label_of(table, code, d.template)
        if label[0] in "（一二三四" and ("）" in label[:4] or "、" in label[:3]):
            cut = max(label.find("）", 0, 4), label.find("、", 0, 3)) + 1
            spaced = label[:cut] + " " + label[cut:]
        elif len(label) <= 6 and all("\u4e00" <= ch <= "\u9fff" for ch in label):
            spaced = " ".join(label)
        else:
            at = rng.randrange(1, len(label) - 1)
            spaced = label[:at] + " " + label[at:]
        d.style.labels[key] = spaced


def label_synonyms(d: Design, rng: random.Random) -> None:
    """Labels agencies print instead of the template's: 规范性文件 / 行政规范性文件, 其他对外管理服务 (事项
    missing), 本年新 / 制作数量 broken, 本年收费金额(万元), （二）部分公开 without its note, …"""
    choices = {
        "v2019": {
            "proactive.normative_documents": "行政规范性文件",
            "proactive.other_services": "其他对外管理服务",
            "proactive.made": "本年新\n制作数量",
            "proactive.published": "本年新\n公开数量",
            "proactive.change": "本年增／减",
            "applications.partially_granted": "（二）部分公开",
        },
        "v2021": {
            "proactive.normative_documents": "规范性文件",
            "proactive.issued": "本年新\n制发件数",
            "proactive.amount_yuan": "本年收费金额(万元)",
            "applications.partially_granted": "（二）部分公开",
            "applications.received_new": "一、本年新收政府信息公开申请",
        },
    }[d.template]
    for key in rng.sample(sorted(choices), rng.randint(2, len(choices))):
        d.style.labels[key] = choices[key]


def title_split(d: Design, rng: random.Random) -> None:
    """The title over two lines: '2023年<agency>政府信息公开工作 / 年度报告' or '<agency> / 2023年…报告'."""
    d.title_form = rng.choice(("split", "two_lines"))


def agency_to_signature(d: Design, rng: random.Random) -> None:
    """The title no longer names the body; the 落款 at the end does (agency_from_signature)."""
    d.agency_in_title = False
    d.byline = False
    d.signature = True
    d.other_body = rng.random() < 0.5


def rules_removed(d: Design, rng: random.Random) -> None:
    """Tables printed without ruling lines (text positioned in columns)."""
    d.rules = False


def columns_reordered(d: Design, rng: random.Random) -> None:
    """Table 3's columns in another order: 总计 anywhere, 自然人 before or after the five 法人或其他组织."""
    orgs = list(T.APPLICANT_PARTS[1:])
    rng.shuffle(orgs)
    blocks = [["natural_person"], orgs, ["total"]]
    rng.shuffle(blocks)
    order = tuple(a for block in blocks for a in block)
    d.style.column_order = order if order != T.APPLICANT_CODES else ("total", *T.APPLICANT_PARTS)


def row_label_wrapped(d: Design, rng: random.Random) -> None:
    """One to three table 3 row labels broken over two lines."""
    rows = [r for r in T.application_row_codes(d.template) if r != "handled_total"]
    d.style.wrap_rows = tuple(rng.sample(rows, rng.randint(1, 3)))


def fee_rephrased(d: Design, rng: random.Random) -> None:
    """Section 六 states the same fee in other words (none → 未向申请人收取…; 0元; 0.00万元; an amount in 万元)."""
    forms = [f for f in fee_forms_for(d.record.processing_fees_yuan) if f != d.fee_form]
    d.fee_form = rng.choice(forms)


def fullwidth_digits(d: Design, rng: random.Random) -> None:
    """Every value in full-width digits."""
    d.numbers = dataclasses.replace(d.numbers, fullwidth=True)


def thousands_separators(d: Design, rng: random.Random) -> None:
    """Values of four digits and more with thousands separators."""
    d.numbers = dataclasses.replace(d.numbers, thousands=True)


def zeros_printed_otherwise(d: Design, rng: random.Random) -> None:
    """Zero counts printed as an empty cell, a dash, a slash or 无 (a row of zeros then prints no number)."""
    d.numbers = dataclasses.replace(d.numbers, zero=rng.choice(("", "—", "-", "/", "无")))


def cells_aligned(d: Design, rng: random.Random) -> None:
    """Text set in its cells as a word processor leaves it: labels flush left, values flush left or right
    or centred, each set at the cell's top or in its middle; the header rows centred, or flush left with
    the rest (Word's defaults, untouched)."""
    label, value, valign, header = rng.choice(
        [
            ("left", "left", "top", "left"),  # Word's defaults, untouched
            ("left", "left", "top", "center"),
            ("left", "center", "top", "center"),
            ("left", "center", "middle", "center"),
            ("left", "right", "middle", "center"),
            ("center", "left", "middle", "center"),
            ("left", "right", "top", "center"),
        ]
    )
    d.cell_align = CellAlign(label, value, valign, header)


# name → (perturbation, the producers it means something for; None: all)
PERTURBATIONS: dict[str, tuple[Perturbation, frozenset[str] | None]] = {
    "labels_respaced": (labels_respaced, None),
    "label_synonyms": (label_synonyms, None),
    "title_split": (title_split, None),
    "agency_to_signature": (agency_to_signature, None),
    "rules_removed": (rules_removed, PDF_PRODUCERS),
    "columns_reordered": (columns_reordered, None),
    "row_label_wrapped": (row_label_wrapped, None),
    "fee_rephrased": (fee_rephrased, None),
    "fullwidth_digits": (fullwidth_digits, None),
    "thousands_separators": (thousands_separators, None),
    # hand-typed text types table 2's rows without their empty cells: a blank zero is not there to read
    "zeros_printed_otherwise": (zeros_printed_otherwise, frozenset(PRODUCERS) - {"handtyped"}),
    # reportlab draws each cell's text where told; LibreOffice as the DOCX's paragraphs and cells say;
    # Chromium as the page's CSS says (HTML and DOCX read structure, never where text sits)
    "cells_aligned": (cells_aligned, PDF_PRODUCERS),
}


def names_for(producer: str) -> list[str]:
    """The perturbations that mean something for a producer."""
    return [n for n, (_f, only) in PERTURBATIONS.items() if only is None or producer in only]


def base(seed: int, template: str) -> Design:
    """A plain design: a corpus body's report of a year of `template`, canonical title, stated fee."""
    from samplegen.corpus import BODIES

    rng = random.Random(f"base:{seed}")
    body = BODIES[rng.choice(sorted(BODIES))]
    year = rng.choice((2019, 2020) if template == "v2019" else (2021, 2022, 2023, 2024))
    fees = rng.choice((None, Decimal(0), Decimal(0), Decimal("400"), Decimal("1250.5"), Decimal("123.45")))
    record = corpus_record(body.agency, year, seed, fees)
    # the plainest statement of the fee (a number, or nothing said); fee_rephrased tries the others
    fee_form = {None: "unstated", Decimal(0): "zero_yuan"}.get(record.processing_fees_yuan, "amount_yuan")
    return Design(
        record=record, city=body.city, office=body.office, seed=seed, fee_form=fee_form, style=Style()
    )


def variant(seed: int, template: str, names: list[str]) -> Design:
    """The base design of (seed, template) with the named perturbations applied, each with its own seed."""
    d = base(seed, template)
    for name in names:
        fn, _only = PERTURBATIONS[name]
        fn(d, random.Random(f"{seed}:{name}"))
    check(d)
    return d


def aligned(seed: int, zero: str | None = None) -> Design:
    """A rule-less variant whose text sits where `cells_aligned` draws it (v2019 for an even seed, v2021
    for an odd one), its zero counts printed as `zero` when given ("" an empty cell)."""
    d = variant(seed, ("v2019", "v2021")[seed % 2], ["cells_aligned", "rules_removed"])
    if zero is not None:
        d.numbers = dataclasses.replace(d.numbers, zero=zero)
    return d
