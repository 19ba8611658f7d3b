"""Dev tool (the tests do not run it): writes the HTML fixtures and their goldens.

.venv/bin/python tests/files/html/make_fixtures.py
"""

from __future__ import annotations

import html
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
    plain,
    split_table,
    table2,
    table3,
    table4,
    write_golden,
)

FW = str.maketrans("0123456789.,+-", "０１２３４５６７８９．，＋－")


def word_cell(text: str, rowspan: int, colspan: int) -> str:
    """One cell as Word's HTML export writes it: <p class=MsoNormal><span>…</span></p>, &nbsp; when empty."""
    attrs = " width=64 valign=top style='border:solid windowtext 1.0pt;padding:0cm 5.4pt 0cm 5.4pt'"
    if rowspan > 1:
        attrs += f" rowspan={rowspan}"
    if colspan > 1:
        attrs += f" colspan={colspan}"
    if text:
        inner = "<br>\n".join(
            f"<span lang=EN-US style='font-size:10.5pt;font-family:仿宋_GB2312'>{html.escape(line)}</span>"
            for line in text.split("\n")
        )
    else:
        inner = "<span lang=EN-US style='font-size:10.5pt'>&nbsp;</span>"
    return (
        f"<td{attrs}>\n<p class=MsoNormal align=center style='text-align:center'>{inner}"
        "<span lang=EN-US><o:p></o:p></span></p>\n</td>"
    )


def word_table(rows: list[list[Spec]]) -> str:
    """A layout as a Word-exported <table class=MsoNormalTable>."""
    out = [
        "<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 style='border-collapse:collapse'>"
    ]
    for row in rows:
        out.append(" <tr style='height:20.0pt'>")
        out.extend("  " + word_cell(*spec) for spec in row)
        out.append(" </tr>")
    out.append("</table>")
    return "\n".join(out)


def runs(text: str) -> str:
    """Chinese text with each ASCII run in its own lang=EN-US span, as Word writes it."""
    out: list[str] = []
    ascii_run = ""
    for ch in text + "\0":
        if ch != "\0" and ch.isascii() and ch.isalnum():
            ascii_run += ch
            continue
        if ascii_run:
            out.append(f"<span lang=EN-US>{ascii_run}</span>")
            ascii_run = ""
        if ch != "\0":
            out.append(html.escape(ch))
    return "".join(out)


def para(text: str, heading: bool = False) -> str:
    """A Word paragraph."""
    style = "font-family:黑体" if heading else "font-family:仿宋_GB2312"
    return (
        f"<p class=MsoNormal style='text-indent:32.0pt;line-height:28.0pt'>"
        f"<span style='font-size:16.0pt;{style}'>{runs(text)}<span lang=EN-US><o:p></o:p></span></span></p>"
    )


def word_body(
    report: dict[str, Any], tables: dict[int, list[list[list[Spec]]]], fees: str | None, title: str
) -> str:
    """The WordSection1 div: title, six sections, tables under 二/三/四."""
    texts = narrative(report, fees)
    out = [
        "<div class=WordSection1 style='layout-grid:15.6pt'>",
        "<p class=MsoNormal align=center style='text-align:center'><b><span style='font-size:22.0pt;"
        f"font-family:方正小标宋简体'>{runs(title)}"
        "</span></b></p>",
        "<p class=MsoNormal><span lang=EN-US>&nbsp;</span></p>",
    ]
    for n in range(1, 7):
        out.append(para(SECTION_TITLES[n], heading=True))
        out.extend(para(t) for t in texts.get(n, []))
        for t in tables.get(n, []):
            out.append(word_table(t))
            out.append("<p class=MsoNormal><span lang=EN-US>&nbsp;</span></p>")
    out.append("</div>")
    return "\n".join(out)


def chrome(title: str, site: str, content: str, charset_tag: str) -> str:
    """An agency site's article page: header, navigation, breadcrumb, sidebar listing, footer."""
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns:o="urn:schemas-microsoft-com:office:office">
<head>
{charset_tag}
<title>{title}_{site}</title>
<link rel="stylesheet" href="/css/style.css">
<script type="text/javascript">var articleTitle = "{title}"; var hits = 2019;</script>
<style>.nav li{{float:left}} p.MsoNormal{{margin:0cm;font-size:10.5pt}}</style>
</head>
<body>
<div class="top"><div class="logo"><img src="/images/logo.png" alt="{site}"></div>
<ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li>
<li><a href="/zwgk/ndbg/">政府信息公开年度报告</a></li><li><a href="/hdjl/">互动交流</a></li></ul></div>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; <a href="/zwgk/ndbg/">年度报告</a> &gt; {title}</div>
<div class="main">
<div class="side"><h3>相关文章</h3>
<table class="list"><tr><td><a href="/zwgk/ndbg/2019.html">{site}2019年政府信息公开工作年度报告</a></td><td>2020-01-15</td></tr>
<tr><td><a href="/zwgk/ndbg/2018.html">{site}2018年政府信息公开工作年度报告</a></td><td>2019-01-20</td></tr></table>
</div>
<div class="article">
<h1 class="title">{title}</h1>
<div class="info">发布日期：2021-01-25 &nbsp; 信息来源：{site} &nbsp; 浏览次数：<span id="hits">1024</span></div>
<div class="content" id="zoom">
{content}
</div>
<div class="attach">附件：<a href="/att/report.pdf">{title}.pdf</a></div>
<div class="share">分享到：<a href="#">微信</a> <a href="#">微博</a> <a href="javascript:window.print()">【打印本页】</a> <a href="javascript:window.close()">【关闭窗口】</a></div>
</div></div>
<div class="footer"><table><tr><td>主办单位：{site}</td><td>地址：杭州市解放东路18号</td><td>联系电话：0571-87000000</td></tr>
<tr><td colspan="3">网站标识码：3301000001 &nbsp; 浙ICP备05000000号 &nbsp; 浙公网安备 33010002000000号</td></tr></table></div>
</body>
</html>
"""


def fixture(
    name: str,
    report: dict[str, Any],
    tables: dict[int, list[list[list[Spec]]]],
    fees: str | None,
    title: str,
    encoding: str,
    charset_tag: str,
    site: str,
) -> None:
    """Write one page and its golden."""
    page = chrome(title, site, word_body(report, tables, fees, title), charset_tag)
    (HERE / f"{name}.html").write_bytes(page.encode(encoding))
    write_golden(name, report)


def fullwidth_fmt(kind: str, v: Any) -> str:
    """Full-width digits, blank zeros, 减/＋/－ changes, amounts in 万元."""
    if kind == "count":
        return "" if v == 0 else str(v).translate(FW)
    if kind == "change":
        if v == 0:
            return "0"
        return (
            {True: f"－{-v}".translate(FW), False: f"＋{v}".translate(FW)}[v < 0]
            if abs(v) > 20
            else (f"减{-v}" if v < 0 else f"增{v}")
        )
    return f"{(v / Decimal(10000)).normalize():f}万元"


def wan(kind: str, v: Any) -> str:
    """Amounts under a 万元 heading printed without a unit; counts with thousands separators."""
    if kind == "amount":
        return f"{(v / Decimal(10000)).normalize():f}"
    if kind == "count":
        return f"{v:,}"
    return plain(kind, v)


def main() -> None:
    """Write every HTML fixture."""
    # 1. v2019, UTF-8, site chrome, Word markup
    r = make_report(11, "杭州市司法局", 2020, "v2019", None)
    fixture(
        "html_hz-sfj_2020",
        r,
        {2: [table2(r, plain)], 3: [table3(r, plain)], 4: [table4(r, plain)]},
        None,
        "杭州市司法局2020年政府信息公开工作年度报告",
        "utf-8",
        '<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />',
        "杭州市司法局",
    )
    # 2. v2021, GBK with <meta charset=gbk>, 万元 fees, fee sentence in 六
    r = make_report(22, "杭州市民政局", 2022, "v2021", Decimal(400))
    fixture(
        "html_hz-mzj_2022_gbk",
        r,
        {2: [table2(r, wan)], 3: [table3(r, plain)], 4: [table4(r, plain)]},
        "本年度共收取信息处理费400元。",
        "杭州市民政局2022年政府信息公开工作年度报告",
        "gbk",
        "<meta charset=gbk>",
        "杭州市民政局",
    )
    # 3. v2019, 总计 column first, full-width digits, blank zeros, 万元 amount, http-equiv gb2312
    r = make_report(33, "杭州市上城区人民政府", 2019, "v2019", None)
    r["proactive"]["procurement"]["amount_yuan"] = Decimal("1270100")
    fixture(
        "html_hz-scq_2019_fullwidth",
        r,
        {
            2: [table2(r, fullwidth_fmt)],
            3: [table3(r, fullwidth_fmt, total_first=True)],
            4: [table4(r, fullwidth_fmt)],
        },
        None,
        "2019年杭州市上城区人民政府政府信息公开工作年度报告",
        "gb18030",
        '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">',
        "杭州市上城区人民政府",
    )
    # 4. v2021, table 2 as one table per 第二十条 item, table 3 cut in two by a page break, no fees charged
    r = make_report(44, "杭州市西湖区卫生健康局", 2023, "v2021", Decimal(0))
    t2 = table2(r, plain, breaks=False)
    parts = [t2[0:4], t2[4:7], t2[7:11], t2[11:14]]
    t3a, t3b = split_table(table3(r, plain), 13)
    fixture(
        "html_xh-wjj_2023_split",
        r,
        {2: parts, 3: [t3a, t3b], 4: [table4(r, plain, breaks=False)]},
        "本年度未收取信息处理费。",
        "杭州市西湖区卫生健康局2023年政府信息公开工作年度报告",
        "utf-8",
        '<meta charset="utf-8">',
        "杭州市西湖区卫生健康局",
    )
    refusals()


NOT_FOUND = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>404 页面不存在 - 杭州市人民政府</title></head>
<body><div class="top"><a href="/">杭州市人民政府</a> <a href="/zwgk/">政务公开</a></div>
<div class="err"><h1>404</h1><p>抱歉，您访问的页面不存在或已被删除！</p>
<p>您可以：<a href="/">返回首页</a> <a href="/zwgk/ndbg/">查看政府信息公开年度报告</a></p></div>
<div class="footer">主办单位：杭州市人民政府办公厅 浙ICP备05000000号</div></body></html>
"""


def listing() -> str:
    """An agency's listing page of annual reports: links (in a table and a list) and paging."""
    rows = "\n".join(
        f'<tr><td class="t"><a href="/zwgk/ndbg/{y}.html" title="杭州市林业水利局{y}年政府信息公开工作年度报告">'
        f'杭州市林业水利局{y}年政府信息公开工作年度报告</a></td><td class="d">{y + 1}-01-2{y % 10}</td></tr>'
        for y in range(2023, 2015, -1)
    )
    items = "\n".join(
        f'<li><a href="/zwgk/ndbg/b{y}.html">{y}年度杭州市林业水利局政府信息公开工作年度报告</a><span>{y + 1}-01-15</span></li>'
        for y in range(2015, 2011, -1)
    )
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>政府信息公开年度报告_杭州市林业水利局</title></head>
<body>
<div class="top"><ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwgk/">政府信息公开</a></li>
<li><a href="/zwgk/ndbg/">政府信息公开年度报告</a></li></ul></div>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政府信息公开</a> &gt; 政府信息公开年度报告</div>
<div class="list"><h2>政府信息公开年度报告</h2>
<table class="news">
{rows}
</table>
<ul>
{items}
</ul>
<div class="page">共 12 条 第 1/2 页 <a href="index_2.html">下一页</a> <a href="index_2.html">尾页</a></div></div>
<div class="footer"><table><tr><td>主办单位：杭州市林业水利局</td><td>联系电话：0571-85000000</td></tr></table></div>
</body></html>
"""


def refusals() -> None:
    """Pages that are not reports."""
    (HERE / "refuse_404.html").write_text(NOT_FOUND, encoding="utf-8")
    (HERE / "refuse_listing.html").write_text(listing(), encoding="utf-8")


if __name__ == "__main__":
    main()
