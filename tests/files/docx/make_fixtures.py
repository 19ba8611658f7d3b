"""Dev tool (the tests do not run it): writes the DOCX fixtures and their goldens.

.venv/bin/python tests/files/docx/make_fixtures.py
"""

from __future__ import annotations

import copy
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import docx
from docx.oxml.ns import qn
from docx.shared import Pt

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE.parents[2])]

from sample_reports import (  # noqa: E402
    SECTION_TITLES,
    Spec,
    make_report,
    narrative,
    place,
    table2,
    table3,
    table4,
    write_golden,
)

from nianbao.pipeline import tables as T  # noqa: E402

T1 = Path("/work/shared/real-reports/T1_2021-template-blank.docx")


def varied(kind: str, v: Any) -> str:
    """减28 / +231 changes, thousands separators, amounts with 元 and separators."""
    if kind == "change":
        return f"减{-v}" if v < 0 else (f"+{v}" if v > 0 else "0")
    if kind == "amount":
        return f"{v:,f}".rstrip("0").rstrip(".") + "元" if v else "0"
    return f"{v:,}"


def add_table(document: Any, rows: list[list[Spec]]) -> None:
    """A layout as a Word table, spans made with python-docx's merge (gridSpan and vMerge)."""
    placed = place(rows)
    n_rows = len(rows)
    n_cols = max(c + s[2] for _r, c, s in placed)
    table = document.add_table(rows=n_rows, cols=n_cols)
    table.style = "Table Grid"
    for r, c, (text, rs, cs) in placed:
        cell = table.cell(r, c)
        if rs > 1 or cs > 1:
            cell = cell.merge(table.cell(r + rs - 1, c + cs - 1))
        cell.text = text


def built_v2019() -> None:
    """A v2019 report written from scratch with python-docx."""
    r = make_report(55, "杭州市规划和自然资源局", 2020, "v2019", None)
    r["proactive"]["procurement"]["amount_yuan"] = Decimal("1270084.4")
    d = docx.Document()
    title = d.add_paragraph()
    run = title.add_run("杭州市规划和自然资源局2020年政府信息公开工作年度报告")
    run.bold = True
    run.font.size = Pt(22)
    texts = narrative(r, None)
    tables = {2: table2(r, varied), 3: table3(r, varied), 4: table4(r, varied)}
    for n in range(1, 7):
        d.add_paragraph(SECTION_TITLES[n])
        for t in texts.get(n, []):
            d.add_paragraph(t)
        if n in tables:
            add_table(d, tables[n])
            d.add_paragraph("")
    d.save(HERE / "docx_hz-ghzy_2020.docx")
    write_golden("docx_hz-ghzy_2020", r)


def _grid_tcs(tbl: Any) -> dict[tuple[int, int], Any]:
    """(row, grid column) → w:tc for the cells that start there (vMerge continuations left out)."""
    out: dict[tuple[int, int], Any] = {}
    for r, tr in enumerate(tbl.findall(qn("w:tr"))):
        col = 0
        for tc in tr.findall(qn("w:tc")):
            pr = tc.find(qn("w:tcPr"))
            span = pr.find(qn("w:gridSpan")) if pr is not None else None
            vm = pr.find(qn("w:vMerge")) if pr is not None else None
            if vm is None or vm.get(qn("w:val")) == "restart":
                out[(r, col)] = tc
            col += int(span.get(qn("w:val"))) if span is not None else 1
    return out


def _set(tc: Any, text: str) -> None:
    """Replace a cell's text, keeping its first paragraph's and run's formatting."""
    paras = tc.findall(qn("w:p"))
    for extra in paras[1:]:
        tc.remove(extra)
    p = paras[0]
    runs = p.findall(qn("w:r"))
    model = copy.deepcopy(runs[0]) if runs else None
    for child in list(p):
        if child.tag != qn("w:pPr"):
            p.remove(child)
    run = model if model is not None else p.makeelement(qn("w:r"), {})
    for child in list(run):
        if child.tag != qn("w:rPr"):
            run.remove(child)
    t = run.makeelement(qn("w:t"), {})
    t.text = text
    run.append(t)
    p.append(run)


def _set_paragraph(p: Any, text: str) -> None:
    """Replace a paragraph's text, keeping the first run's formatting."""
    runs = p.runs
    for extra in runs[1:]:
        extra._r.getparent().remove(extra._r)
    if runs:
        runs[0].text = text
    else:
        p.add_run(text)


def filled_t1() -> None:
    """The official v2021 template, its own tables filled in, title and narrative written."""
    r = make_report(66, "杭州市拱墅区人民政府", 2022, "v2021", Decimal(1200))
    r["proactive"]["fees"]["amount_yuan"] = Decimal("123500")
    d = docx.Document(str(T1))
    texts = narrative(r, "本年度共收取信息处理费1,200元。")
    section = 0
    for p in list(d.paragraphs):
        s = p.text.strip()
        if s == "政府信息公开工作年度报告格式模板":
            _set_paragraph(p, "杭州市拱墅区人民政府2022年政府信息公开工作年度报告")
        for n, head in SECTION_TITLES.items():
            if s.startswith(head):
                section = n
        if s.startswith("（文字描述"):
            _set_paragraph(p, "".join(texts[section]))
    t2, t3, t4 = (_grid_tcs(t._tbl) for t in d.tables)
    pro = r["proactive"]
    for row, item in ((2, "rules"), (3, "normative_documents")):
        for col, m in enumerate(("issued", "repealed", "in_force"), start=1):
            _set(t2[(row, col)], str(pro[item][m]))
    for row, item in ((6, "licensing"), (9, "penalty"), (10, "coercion")):
        _set(t2[(row, 1)], str(pro[item]["decisions"]))
    _set(t2[(13, 1)], f"{(pro['fees']['amount_yuan'] / 10000).normalize():f}")
    for row, code in enumerate(T.application_row_codes("v2021"), start=3):
        for col, a in enumerate(T.APPLICANT_CODES, start=3):
            _set(t3[(row, col)], str(r["applications"][code][a]))
    for n, (p_code, o_code) in enumerate((p, o) for p in T.PROCEEDING_CODES for o in T.OUTCOME_CODES):
        _set(t4[(3, n)], str(r["review_litigation"][p_code][o_code]))
    d.save(HERE / "docx_t1-gongshu_2022.docx")
    write_golden("docx_t1-gongshu_2022", r)


def refusals() -> None:
    """A legacy .doc (OLE2 header) and a DOCX cut short in transfer."""
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + b">\x00\x03\x00\xfe\xff\t\x00" + b"\x00" * 480
    (HERE / "refuse_legacy.doc").write_bytes(ole + "政府信息公开工作年度报告".encode("utf-16-le") * 8)
    whole = (HERE / "docx_hz-ghzy_2020.docx").read_bytes()
    (HERE / "refuse_truncated.docx").write_bytes(whole[: len(whole) // 2])


if __name__ == "__main__":
    built_v2019()
    filled_t1()
    refusals()
