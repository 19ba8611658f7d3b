"""The development corpus (issue 12): every document reads as its manifest says, and the generator made it.

tests/files/corpus/manifest.json lists each document with its golden record (tests/golden/corpus/, written
from the generating record) or the error a reading must end in, the assumption codes the reading must
record, and the blocking findings it must raise. `benchmarks/accuracy.py` prints the same comparison as
figures per producer and quirk.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from helpers import skip_unless_installed
from samplegen import corpus, producers
from samplegen.design import ASSUMPTIONS, expected_record
from samplegen.expect import MANIFEST, Expected, Reading, load_manifest, mismatch, read
from samplegen.identities import blocking_failures

TESTS = Path(__file__).resolve().parent
DOCS = load_manifest()


def _param(exp: Expected) -> Any:
    return pytest.param(exp, id=exp.id)


@pytest.fixture(scope="module")
def readings() -> dict[str, tuple[Reading, set[str]]]:
    """Every document read once, and the blocking checks the expectations raise on the reports (one batch)."""
    from nianbao.expectations.validate import validate

    got = {exp.id: read(exp.path.read_bytes()) for exp in DOCS}
    reports = [(i, r.report) for i, r in got.items() if r.report is not None]
    # only the checks a document may be expected to raise (every other blocking finding would come from a
    # misreading, which the record comparison already catches)
    result = validate([rep for _i, rep in reports], only={f for exp in DOCS for f in exp.findings})
    raised: dict[str, set[str]] = defaultdict(set)
    for k, (i, _rep) in enumerate(reports):
        raised[i] = {f.check for f in result.blocking(k)}
    return {i: (r, raised[i]) for i, r in got.items()}


@pytest.mark.parametrize("exp", [_param(e) for e in DOCS])
def test_document_reads_as_its_manifest_says(
    exp: Expected, readings: dict[str, tuple[Reading, set[str]]]
) -> None:
    """The record (or the error code), the assumptions recorded, the findings raised."""
    got, raised = readings[exp.id]
    problems = mismatch(exp, got)
    problems += [
        f"finding {f} not raised (raised: {sorted(raised)})" for f in exp.findings if f not in raised
    ]
    if "template_mixed" in raised and "template_mixed" not in exp.findings:
        problems.append("template_mixed raised on a document that prints v2021's own rows")
    assert not problems, "\n".join(problems)


# ----------------------------------------------------------------------------- the corpus itself
def test_manifest_is_the_generators() -> None:
    """manifest.json is what samplegen.corpus writes (sha256 of the committed files)."""
    committed = json.loads(MANIFEST.read_text(encoding="utf-8"))
    shas = {d["id"]: d["sha256"] for d in committed["documents"]}
    assert corpus.manifest(shas) == committed


@pytest.mark.parametrize(
    "doc", [d for d in corpus.DOCS if d.body and not d.source and not d.refused], ids=lambda d: d.name
)
def test_golden_is_written_from_the_generating_record(doc: corpus.Doc) -> None:
    rec = expected_record(corpus.design_for(doc.name, doc.producer))
    committed = (TESTS / corpus.GOLDEN / f"{doc.name}.json").read_text(encoding="utf-8")
    assert corpus.golden_json(rec) == committed


def test_every_golden_holds_its_arithmetic() -> None:
    """The records balance; only a mixed template's record lacks cells (its three 其他处理 rows)."""
    for exp in DOCS:
        if exp.record is None or exp.producer == "real" or "_of_real" in " ".join(exp.quirks):
            continue
        failed = {f["check"] for f in blocking_failures(exp.record)}
        assert failed == ({"complete"} if "template_mixed" in exp.findings else set()), exp.id


def test_the_corpus_is_as_wide_as_issue_12_asks() -> None:
    """≥80 documents of our own making from ≥7 producers, both templates, the quirks in several producers,
    three hostile documents per template, the genuine reports by reference, and only known codes."""
    own = [d for d in DOCS if d.producer != "real" and not any(q.endswith("_of_real") for q in d.quirks)]
    assert len(own) >= 80
    by_producer: dict[str, set[str | None]] = defaultdict(set)
    for d in own:
        by_producer[d.producer].add(d.template)
    assert len(by_producer) >= 7
    assert all({"v2019", "v2021"} <= templates for templates in by_producer.values())
    producers_of: dict[str, set[str]] = defaultdict(set)
    for d in own:
        for q in d.quirks:
            producers_of[q].add(d.producer)
    for quirk in (
        "agency_signature",
        "agency_byline",
        "other_body_named",
        "title_split",
        "title_spaced_year",
        "title_cn_year",
        "title_nianbao",
        "title_gongzuo",
        "template_mixed_zero",
        "template_mixed_nonzero",
        "labels_wrapped",
        "empty_label_cells",
        "row_rules_missing",
        "t3_split",
        "t3_header_repeated",
        "t3_label_cut",
        "total_first",
        "columns_reordered",
        "landscape_t4",
        "no_rules",
        "header_repeated_in_table",
        "labels_shredded",
        "footer_in_table",
        "fee_table",
        "fee_unstated",
    ):
        assert len(producers_of[quirk]) >= 2, (quirk, producers_of[quirk])
    assert producers_of["generic_headers"] == {"markdown"}  # what converters write
    fee_forms = {q for d in own for q in d.quirks if q.startswith("fee_")}
    assert {f"fee_{f}" for f in corpus.FEE_ROTATION} <= fee_forms
    hostile = [d for d in own if d.hostile]
    assert {t: sum(d.template == t for d in hostile) for t in ("v2019", "v2021")} == {"v2019": 3, "v2021": 3}
    assert {d.error for d in own if d.error} == {"not_a_report", "tables_not_found"}
    assert {d.id for d in DOCS if d.producer == "real"} >= {
        "real/06_hongze-qzf-2023",
        "real/07_hongze-qzf-2024",
        "real/08_huaian-szf-2024",
    }
    assert {a for d in DOCS for a in d.assumptions} == set(ASSUMPTIONS)
    assert {f for d in DOCS for f in d.findings} == {"template_mixed"}


STABLE = [d for d in corpus.DOCS if corpus.PRODUCERS[d.producer][2]]


@pytest.mark.slow
@pytest.mark.parametrize("doc", STABLE, ids=lambda d: f"{d.producer}/{d.name}")
def test_generator_regenerates_the_committed_document_byte_for_byte(doc: corpus.Doc) -> None:
    """reportlab, HTML, DOCX, Markdown and typed text; pdftotext's text of the committed PDF (same poppler)."""
    skip_unless_installed(producers.missing(corpus.needs(doc)))
    assert corpus.build(doc, TESTS) == (TESTS / doc.path).read_bytes()


UNSTABLE = [d for d in corpus.DOCS if not corpus.PRODUCERS[d.producer][2]]


@pytest.mark.slow
@pytest.mark.parametrize("doc", UNSTABLE, ids=lambda d: f"{d.producer}/{d.name}")
def test_unreproducible_documents_come_out_as_the_same_document(doc: corpus.Doc) -> None:
    """LibreOffice and Chromium stamp dates and IDs; apart from those, nothing changes."""
    skip_unless_installed(producers.missing(corpus.needs(doc)))
    assert producers.same_pdf(corpus.build(doc, TESTS), (TESTS / doc.path).read_bytes())
