"""A parsed document → the canonical record: title, tables 2-4 found, the template decided, each table read.

The steps run in one order for every format: the title names the agency and year; the raw tables are
grouped into tables 2, 3 and 4; the template is decided from their labels before any of them is read;
each table reader fills its part of the `Report` for that template; section 六's fees and the
narrative's totals come from the body text.
"""

from __future__ import annotations

from nianbao.pipeline import tables as T
from nianbao.pipeline.errors import ExtractError
from nianbao.pipeline.extract.applications import (
    LabelledRows,
    label_applications,
    read_applications,
    template_shown,
)
from nianbao.pipeline.extract.cells import ParsedDocument, Row, norm_label
from nianbao.pipeline.extract.facts import fees_location, read_agency, read_fees, read_narrative, read_title
from nianbao.pipeline.extract.proactive import read_proactive
from nianbao.pipeline.extract.review_litigation import read_review_litigation
from nianbao.pipeline.extract.sections import group_sections
from nianbao.pipeline.model import Report


def decide_template(proactive: list[Row], applications: LabelledRows) -> str:
    """v2019 or v2021 from the tables' own labels (table 2's measures, table 3's 其他处理 rows), before reading."""
    blob = norm_label("".join(c.text for r in proactive for c in r if c is not None))
    votes = {"v2019": 0, "v2021": 0}
    # table 2's measures define the template; table 3's 其他处理 rows only break a tie (some v2021
    # reports still print the v2019 single （六）其他处理 row)
    if any(k in blob for k in ("新制作", "新公开", "采购", "上一年项目")):
        votes["v2019"] += 2
    if any(k in blob for k in ("制发", "废止", "现行有效", "收费金额")):
        votes["v2021"] += 2
    shown = template_shown(applications)
    if shown:
        votes[shown] += 1
    if votes["v2019"] == votes["v2021"]:
        raise ExtractError("tables_not_found", "cannot tell the template version from the tables' labels")
    return max(votes, key=lambda k: votes[k])


def support(report: Report) -> tuple[int, int, int]:
    """How well a reading holds up on its own terms: the template's cells it found, and how many of its
    table 3 and table 4 sums (each row's 总计, each column's outcomes and balance, each proceeding's 总计)
    come out as printed. Used only to choose between readings of the same bytes, never to change a value.
    """
    found = sum(
        1
        for table, row, col in T.expected_cells(report.template)
        if col in getattr(report, table).get(row, {})
    )
    a = report.applications
    holds = 0
    for cols in a.values():
        if all(c in cols for c in T.APPLICANT_CODES):
            holds += cols["total"] == sum(cols[c] for c in T.APPLICANT_PARTS)
    outcomes = T.OUTCOME_ROWS[report.template]
    for c in T.APPLICANT_CODES:
        column = {r: cols[c] for r, cols in a.items() if c in cols}
        if all(r in column for r in (*outcomes, "handled_total")):
            holds += column["handled_total"] == sum(column[r] for r in outcomes)
        if all(r in column for r in ("received_new", "carried_in", "handled_total", "carried_out")):
            holds += (
                column["received_new"] + column["carried_in"]
                == column["handled_total"] + column["carried_out"]
            )
    for cols in report.review_litigation.values():
        if all(c in cols for c in T.OUTCOME_CODES):
            holds += cols["total"] == sum(cols[c] for c in T.OUTCOME_PARTS)
    return found, holds, -len(report.reading.assumptions)


def build_report(doc: ParsedDocument) -> Report:
    """The canonical record of a parsed document, or ExtractError naming what is missing.

    A reader may offer other readings of the same bytes (`doc.alternatives`): each is built, and the one
    with the most of the template's cells, then the most sums holding, then the fewest assumptions is kept
    (the first on a tie); if
    none can be built, the first reading's error is raised.
    """
    if not doc.alternatives:
        return _build(doc)
    best: tuple[tuple[int, int, int], Report] | None = None
    first_error: ExtractError | None = None
    for candidate in (doc, *doc.alternatives):
        try:
            report = _build(candidate)
        except ExtractError as e:
            first_error = first_error or e
            continue
        if best is None or support(report) > best[0]:
            best = (support(report), report)
    if best is None:
        assert first_error is not None
        raise first_error
    return best[1]


def _build(doc: ParsedDocument) -> Report:
    titled, year = read_title(doc.text)
    sections = group_sections(doc)
    missing = [name for name in T.TABLE_NAMES if name not in sections]
    if len(missing) == 3:
        if "政府信息公开" not in doc.text:
            raise ExtractError("not_a_report", "no 政府信息公开 report text in the document")
        raise ExtractError("tables_not_found", "none of tables 2, 3, 4 was found")
    if missing:
        raise ExtractError(
            "tables_not_found", "missing " + ", ".join(f"{m} ({T.TABLE_LABELS[m]})" for m in missing)
        )
    applications = label_applications(sections["applications"])
    template = decide_template(sections["proactive"], applications)
    agency = titled or read_agency(doc.text, doc.metadata)
    report = Report(agency=agency.name if agency else "", year=year, template=template, format=doc.format)
    report.reading.details = dict(doc.reading)
    if agency is not None and agency.source != "title":
        report.reading.assume(
            f"agency_from_{agency.source}",
            f"the title names no agency: read from the {agency.source}",
            raw=agency.raw,
        )
    # table 3 before table 2: the record's provenance has always listed table 3's cells first
    read_applications(applications, template, report)
    read_proactive(sections["proactive"], template, report)
    read_review_litigation(sections["review_litigation"], report)
    if template == "v2021":
        fees = read_fees(doc.text, doc.tables)
        if fees is not None:
            report.processing_fees_yuan = fees.yuan
            report.provenance["processing_fees_yuan"] = fees_location(fees, doc.text_locations.get("fees"))
            if fees.stated_none:
                report.reading.assume(
                    "fees_stated_none", "section 六 says no fee was collected: read as 0", raw=fees.raw
                )
    report.narrative = read_narrative(doc.text)
    lo, hi = T.TEMPLATE_YEARS[template]
    if not lo <= year <= hi:
        report.warnings.append({"kind": "template_year", "template": template, "year": year})
    return report
