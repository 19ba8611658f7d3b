"""Which raw table is which: tables 2, 3 and 4 told apart by their labels, page parts joined.

A reader hands over tables as printed, one per page part; a table split over pages may repeat its
header on the next page or not. `group_sections` gives each canonical table all of its rows.
"""

from __future__ import annotations

from nianbao.pipeline.extract.cells import ParsedDocument, RawTable, Row, norm_label, split_row, unstacked
from nianbao.pipeline.tables import TABLE_NAMES


def classify_table(table: RawTable) -> str | None:
    """Which canonical table a raw table holds, from its labels; None if it shows none of them."""
    blob = norm_label("".join(c.text for row in table.rows for c in row if c is not None))
    if "本年新收" in blob or ("予以公开" in blob and "不予公开" in blob) or "结转下年" in blob:
        return "applications"
    if "申请人情况" in blob or ("自然人" in blob and "法人或其他组织" in blob and "。" not in blob):
        return "applications"  # table 3's header alone: the page broke before its first row
    if "结果维持" in blob or "复议后起诉" in blob:
        return "review_litigation"
    if any(k in blob for k in ("第二十条", "规章", "行政许可", "行政处罚", "信息内容")):
        return "proactive"
    return None


def sections_found(tables: list[RawTable]) -> int:
    """How many of tables 2-4 the raw tables show."""
    return len(group_sections(ParsedDocument(text="", tables=tables)))


def all_sections(tables: list[RawTable]) -> bool:
    """Whether the raw tables show every one of tables 2-4."""
    return sections_found(tables) == len(TABLE_NAMES)


def group_sections(doc: ParsedDocument) -> dict[str, list[Row]]:
    """The rows of each canonical table, pages' parts joined; a table without labels continues the last."""
    out: dict[str, list[Row]] = {}
    previous: str | None = None
    for table in doc.tables:
        section = table.section or classify_table(table)
        if section is None:
            # a continuation with no header of its own; a frame around body text has no values
            if previous is None or not any(split_row(r)[1] for r in table.rows):
                continue
            section = previous
        out.setdefault(section, []).extend(r for row in table.rows for r in unstacked(row))
        previous = section
    return out
