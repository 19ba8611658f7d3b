"""Dev tool (not run by the tests): consistent synthetic report data, the template's table layouts, goldens.

The fixture generators in html/ and docx/ render these layouts; the golden JSON is written from the data
itself, never from an extractor.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from nianbao.pipeline import tables as T

GOLDEN = Path(__file__).resolve().parent.parent / "golden"
Spec = tuple[str, int, int]  # text, rowspan, colspan
Fmt = Callable[[str, Any], str]  # (kind, value) -> printed text; kind: count|change|amount


def make_report(seed: int, agency: str, year: int, template: str, fees: Decimal | None) -> dict[str, Any]:
    """A report whose own arithmetic holds: table 3 balances, every total is its parts' sum."""
    rnd = random.Random(seed)
    proactive: dict[str, dict[str, Any]] = {}
    for item, measures in T.PROACTIVE_LAYOUT[template].items():
        row: dict[str, Any] = {}
        for m in measures:
            if m == "change":
                row[m] = rnd.choice([-28, -14, -1, 0, 3, 231, 1204])
            elif m == "amount_yuan":
                row[m] = (
                    Decimal(rnd.choice(["12.35", "0", "3.5", "127.01"])) * 10000
                    if template == "v2021"
                    else Decimal(rnd.choice(["1270084.4", "251000", "98765.43"]))
                )
            else:
                row[m] = rnd.choice([0, 0, 3, 11, 50, 412, 5200, 12345])
        proactive[item] = row
    outcomes = T.OUTCOME_ROWS[template]
    apps: dict[str, dict[str, int]] = {r: {} for r in T.application_row_codes(template)}
    for a in T.APPLICANT_PARTS:
        heavy = a in {"natural_person", "commercial"}
        for r in outcomes:
            apps[r][a] = rnd.choice([0, 0, 0, 1, 2, 7, 31] if heavy else [0, 0, 0, 0, 1])
        handled = sum(apps[r][a] for r in outcomes)
        carried_in = rnd.choice([0, 1, 3]) if heavy else 0
        carried_out = min(handled + carried_in, rnd.choice([0, 2, 5]))
        apps["handled_total"][a] = handled
        apps["carried_in"][a] = carried_in
        apps["carried_out"][a] = carried_out
        apps["received_new"][a] = handled + carried_out - carried_in
    for r in apps:
        apps[r]["total"] = sum(apps[r][a] for a in T.APPLICANT_PARTS)
    apps = {r: {a: apps[r][a] for a in T.APPLICANT_CODES} for r in apps}
    review: dict[str, dict[str, int]] = {}
    for p in T.PROCEEDING_CODES:
        parts = {o: rnd.choice([0, 0, 1, 2, 6]) for o in T.OUTCOME_PARTS}
        review[p] = {**parts, "total": sum(parts.values())}
    return {
        "schema": "nianbao.report/1",
        "agency": agency,
        "year": year,
        "template": template,
        "proactive": proactive,
        "applications": apps,
        "review_litigation": review,
        "processing_fees_yuan": fees,
    }


def _json_num(v: Any) -> Any:
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral() else float(v)
    if isinstance(v, dict):
        return {k: _json_num(x) for k, x in v.items()}
    return v


def write_golden(name: str, report: dict[str, Any]) -> None:
    """tests/golden/<name>.json, numbers as JSON numbers (money exact to the fen)."""
    (GOLDEN / f"{name}.json").write_text(
        json.dumps(_json_num(report), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )


def plain(kind: str, v: Any) -> str:
    """Numbers as most reports print them."""
    if kind == "change":
        return f"减少 {-v}" if v < 0 else (f"增加 {v}" if v > 0 else "0")
    if kind == "amount":
        return f"{v.normalize():f}元" if v else "0"
    return str(v)


# ----------------------------------------------------------------------------- table layouts
def _kind(measure: str) -> str:
    return "change" if measure in T.SIGNED_MEASURES else "amount" if measure in T.MONEY_MEASURES else "count"


def table2(report: dict[str, Any], fmt: Fmt, breaks: bool = True) -> list[list[Spec]]:
    """Table 2 as one 4-column table, each 第二十条 sub-table headed by a full-width row."""
    br = "\n" if breaks else ""
    t = report["template"]
    labels = {c.code: c.label for c in T.PROACTIVE_MEASURES[t]}
    items = {c.code: c.label for c in T.PROACTIVE_ITEMS[t]}
    groups = (
        [
            ("第二十条第（一）项", ["rules", "normative_documents"]),
            ("第二十条第（五）项", ["licensing", "other_services"]),
            ("第二十条第（六）项", ["penalty", "coercion"]),
            ("第二十条第（八）项", ["fees"]),
            ("第二十条第（九）项", ["procurement"]),
        ]
        if t == "v2019"
        else [
            ("第二十条第（一）项", ["rules", "normative_documents"]),
            ("第二十条第（五）项", ["licensing"]),
            ("第二十条第（六）项", ["penalty", "coercion"]),
            ("第二十条第（八）项", ["fees"]),
        ]
    )
    rows: list[list[Spec]] = []
    for head, its in groups:
        rows.append([(head, 1, 4)])
        measures = T.PROACTIVE_LAYOUT[t][its[0]]
        spans = [1] * len(measures)
        spans[-1] += 3 - len(measures)
        hdr: list[Spec] = [("信息内容", 1, 1)]
        for m, s in zip(measures, spans, strict=True):
            lab = labels[m]
            if len(lab) > 4 and "（" not in lab:
                lab = lab[: len(lab) // 2] + br + lab[len(lab) // 2 :]
            hdr.append((lab, 1, s))
        rows.append(hdr)
        for it in its:
            vals = report["proactive"][it]
            rows.append(
                [(items[it], 1, 1)]
                + [(fmt(_kind(m), vals[m]), 1, s) for m, s in zip(measures, spans, strict=True)]
            )
    return rows


def table3(
    report: dict[str, Any], fmt: Fmt, total_first: bool = False, breaks: bool = True
) -> list[list[Spec]]:
    """Table 3 as the template lays it out: three label columns, a two-row applicant header."""
    br = "\n" if breaks else ""
    t = report["template"]
    order = ["total", *T.APPLICANT_PARTS] if total_first else list(T.APPLICANT_CODES)
    rows: list[list[Spec]] = []
    corner = ("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3)
    if total_first:
        rows.append([corner, ("申请人情况", 1, 7)])
        rows.append([("总计", 2, 1), ("自然人", 2, 1), ("法人或其他组织", 1, 5)])
    else:
        rows.append([corner, ("申请人情况", 1, 7)])
        rows.append([("自然人", 2, 1), ("法人或其他组织", 1, 5), ("总计", 2, 1)])
    rows.append(
        [
            ("商业" + br + "企业", 1, 1),
            ("科研" + br + "机构", 1, 1),
            ("社会公益组织", 1, 1),
            ("法律服务机构", 1, 1),
            ("其他", 1, 1),
        ]
    )

    def vals(code: str) -> list[Spec]:
        return [(fmt("count", report["applications"][code][a]), 1, 1) for a in order]

    labels = {c.code: c.label for c in T.APPLICATION_ROWS[t]}
    rows.append([(labels["received_new"], 1, 3), *vals("received_new")])
    rows.append([(labels["carried_in"], 1, 3), *vals("carried_in")])
    n_outcome = len(T.OUTCOME_ROWS[t]) + 1
    rows.append([("三、本年度办理结果", n_outcome, 1), (labels["granted"], 1, 2), *vals("granted")])
    rows.append([(labels["partially_granted"], 1, 2), *vals("partially_granted")])
    groups = [
        ("（三）不予公开", "denied_"),
        ("（四）无法提供", "unavailable_"),
        ("（五）不予处理", "rejected_"),
    ]
    if t == "v2021":
        groups.append(("（六）其他处理", "other_"))
    for head, prefix in groups:
        codes = [c for c in T.OUTCOME_ROWS[t] if c.startswith(prefix)]
        for n, code in enumerate(codes):
            lead = [(head, len(codes), 1)] if n == 0 else []
            rows.append([*lead, (labels[code], 1, 1), *vals(code)])
    if t == "v2019":
        rows.append([(labels["other_handling"], 1, 2), *vals("other_handling")])
    rows.append([(labels["handled_total"], 1, 2), *vals("handled_total")])
    rows.append([(labels["carried_out"], 1, 3), *vals("carried_out")])
    return rows


def table4(report: dict[str, Any], fmt: Fmt, breaks: bool = True) -> list[list[Spec]]:
    """Table 4: 行政复议 (5) | 行政诉讼 (10), three header rows, one row of fifteen counts."""
    br = "\n" if breaks else ""
    outcome = ["结果" + br + "维持", "结果" + br + "纠正", "其他" + br + "结果", "尚未" + br + "审结", "总计"]
    rows: list[list[Spec]] = [
        [("行政复议", 1, 5), ("行政诉讼", 1, 10)],
        [*[(o, 2, 1) for o in outcome], ("未经复议直接起诉", 1, 5), ("复议后起诉", 1, 5)],
        [(o, 1, 1) for o in outcome * 2],
        [
            (fmt("count", report["review_litigation"][p][o]), 1, 1)
            for p in T.PROCEEDING_CODES
            for o in T.OUTCOME_CODES
        ],
    ]
    return rows


def place(rows: list[list[Spec]]) -> list[tuple[int, int, Spec]]:
    """(row, col, spec) of each cell, columns found as HTML's table model does (spans occupy)."""
    taken: set[tuple[int, int]] = set()
    out: list[tuple[int, int, Spec]] = []
    for r, row in enumerate(rows):
        col = 0
        for spec in row:
            while (r, col) in taken:
                col += 1
            out.append((r, col, spec))
            for dr in range(spec[1]):
                for dc in range(spec[2]):
                    taken.add((r + dr, col + dc))
            col += spec[2]
    return out


def split_table(rows: list[list[Spec]], at: int) -> tuple[list[list[Spec]], list[list[Spec]]]:
    """Cut a layout before row `at`, as a page break in an exported document does; spans are clipped."""
    first: list[list[Spec]] = [[] for _ in rows[:at]]
    for r, _c, (text, rs, cs) in place(rows):
        if r < at:
            first[r].append((text, min(rs, at - r), cs))
    return first, rows[at:]


def narrative(report: dict[str, Any], fees_sentence: str | None) -> dict[int, list[str]]:
    """The paragraphs of sections 一, 五 and 六 (section number → paragraphs)."""
    n = report["applications"]["received_new"]["total"]
    rv = report["review_litigation"]["review"]["total"]
    lit = (
        report["review_litigation"]["litigation_direct"]["total"]
        + report["review_litigation"]["litigation_after_review"]["total"]
    )
    return {
        1: [
            f"{report['year']}年，{report['agency']}认真贯彻落实《中华人民共和国政府信息公开条例》，"
            "紧紧围绕中心工作和公众关切，依法、及时、准确地公开政府信息。",
            f"（一）依申请公开。全年共收到政府信息公开申请{n}件，均在法定期限内答复。",
            f"（二）复议诉讼。全年发生政府信息公开行政复议{rv}件，行政诉讼{lit}件。",
        ],
        5: ["主要问题：主动公开的深度和广度有待进一步提升。改进措施：加强业务培训，规范工作流程。"],
        6: [fees_sentence or "无。"],
    }


SECTION_TITLES = {
    1: "一、总体情况",
    2: "二、主动公开政府信息情况",
    3: "三、收到和处理政府信息公开申请情况",
    4: "四、政府信息公开行政复议、行政诉讼情况",
    5: "五、存在的主要问题及改进情况",
    6: "六、其他需要报告的事项",
}
