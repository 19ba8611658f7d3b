"""Dev tool (the tests do not run it): writes the Markdown fixture (PDF-to-Markdown converter output).

.venv/bin/python tests/files/text/make_fixtures.py
"""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

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


def md_fmt(kind: str, v: Any) -> str:
    """Zeros left blank in counts, as some agencies print them; amounts under 万元 without a unit."""
    if kind == "amount":
        return f"{(v / Decimal(10000)).normalize():f}"
    return "" if v == 0 and kind == "count" else str(v)


def md_table(rows: list[list[Spec]]) -> list[str]:
    """A layout as a converter writes it: merged positions empty, line breaks as <br>, a rule under row 1."""
    placed = place(rows)
    width = max(c + s[2] for _r, c, s in placed)
    grid = [[""] * width for _ in rows]
    for r, c, (text, _rs, _cs) in placed:
        grid[r][c] = text.replace("\n", "<br>")
    out = ["|" + "|".join(row) + "|" for row in grid]
    out.insert(1, "|" + "|".join(["---"] * width) + "|")
    return out


def main() -> None:
    """One v2021 report with tables cut by page footers."""
    r = make_report(77, "杭州市财政局", 2021, "v2021", Decimal(0))
    r["applications"]["carried_out"] = dict.fromkeys(r["applications"]["carried_out"], 0)
    r["applications"]["received_new"] = {
        a: r["applications"]["handled_total"][a] - r["applications"]["carried_in"][a]
        for a in r["applications"]["received_new"]
    }
    if any(v < 0 for v in r["applications"]["received_new"].values()):
        raise SystemExit("choose another seed")
    texts = narrative(r, "本年度收取信息处理费0元。")
    t3 = md_table(table3(r, md_fmt))
    t3a, t3b = t3[:17], t3[17:]  # a page break after （四）无法提供's first row; the rows keep every column
    t3b.insert(1, t3[1])  # the converter takes the continuation's first row for a header
    lines = [f"# **{r['agency']}{r['year']}年政府信息公开工作年度报告**", ""]
    page = 1
    for n in range(1, 7):
        lines += [f"## **{SECTION_TITLES[n]}**", ""]
        for t in texts.get(n, []):
            lines += [t, ""]
        if n == 2:
            lines += [*md_table(table2(r, md_fmt)), ""]
        if n == 3:
            page += 1
            lines += [*t3a, "", f"- {page} -", "", *t3b, ""]
        if n == 4:
            lines += [*md_table(table4(r, md_fmt)), "", f"- {page + 1} -", ""]
    (HERE / "md_hz-czj_2021.md").write_text("\n".join(lines), encoding="utf-8")
    write_golden("md_hz-czj_2021", r)


if __name__ == "__main__":
    main()
