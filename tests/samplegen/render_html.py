"""HTML as agency sites publish it: article pages (plain or Word-exported), listing pages, GBK or UTF-8.

The city's pages sit in a bare site; the format fixtures' pages sit in a portal's chrome (header, crumb,
sidebar list, footer tables) and carry Word's full "save as web page" markup. `print_html` is the page a
browser is asked to print to PDF.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from samplegen.layout import HEADER_ROWS, CellAlign, Grid, Printed


@dataclass
class HtmlStyle:
    """How an article page is written."""

    word: bool = False  # exported from Word: <p class=MsoNormal><span> in every cell, &nbsp; fillers
    encoding: str = "utf-8"  # or "gbk"
    br_labels: bool = False  # long header labels broken with <br>
    inline: bool = True  # the report's text and tables are in the page
    attachments: list[tuple[str, str]] = field(default_factory=list)  # (href, link text)
    # the format fixtures' pages (the city leaves these off)
    word_export: bool = False  # Word's full export: sized cells, lang=EN-US runs, <o:p>, &nbsp; paragraphs
    charset_tag: str | None = None  # the page's own charset declaration, verbatim

    def tags(self) -> list[str]:
        """Quirk names for the truth manifest."""
        out = []
        if self.word:
            out.append("word_html")
        if self.encoding != "utf-8":
            out.append(self.encoding)
        if self.br_labels:
            out.append("br_labels")
        return out


def _runs(text: str) -> str:
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
            out.append(escape(ch))
    return "".join(out)


def _export_cell(text: str, rowspan: int, colspan: int) -> str:
    """A cell as Word's full export writes it: <p class=MsoNormal><span>…</span></p>, &nbsp; when empty."""
    attrs = " width=64 valign=top style='border:solid windowtext 1.0pt;padding:0cm 5.4pt 0cm 5.4pt'"
    if rowspan > 1:
        attrs += f" rowspan={rowspan}"
    if colspan > 1:
        attrs += f" colspan={colspan}"
    if text:
        inner = "<br>\n".join(
            f"<span lang=EN-US style='font-size:10.5pt;font-family:仿宋_GB2312'>{escape(line)}</span>"
            for line in text.split("\n")
        )
    else:
        inner = "<span lang=EN-US style='font-size:10.5pt'>&nbsp;</span>"
    return (
        f"<td{attrs}>\n<p class=MsoNormal align=center style='text-align:center'>{inner}"
        "<span lang=EN-US><o:p></o:p></span></p>\n</td>"
    )


def _cell_text(text: str, style: HtmlStyle, header: bool) -> str:
    t = escape(text, quote=False)
    if style.br_labels and header and 6 <= len(text) <= 12 and "第二十条" not in text:
        half = len(text) // 2
        t = escape(text[:half], quote=False) + "<br>" + escape(text[half:], quote=False)
    if not style.word:
        return t
    if header:
        return f"<p class=MsoNormal align=center><span style='font-family:宋体'>{t}<span lang=EN-US>&nbsp;</span></span></p>"
    return f"<p class=MsoNormal align=center><span lang=EN-US>{t}</span></p>"


def table_html(grid: Grid, style: HtmlStyle) -> str:
    """A spanned grid as an HTML table."""
    if style.word_export:
        out = [
            "<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 style='border-collapse:collapse'>"
        ]
        for row in grid:
            out.append(" <tr style='height:20.0pt'>")
            out.extend("  " + _export_cell(c.text, c.rowspan, c.colspan) for c in row)
            out.append(" </tr>")
        out.append("</table>")
        return "\n".join(out)
    attrs = " class=MsoNormalTable border=1 cellspacing=0 cellpadding=0" if style.word else ' border="1"'
    out = [f"<table{attrs}>"]
    for row in grid:
        out.append("<tr>")
        for c in row:
            span = (f" rowspan={c.rowspan}" if c.rowspan > 1 else "") + (
                f" colspan={c.colspan}" if c.colspan > 1 else ""
            )
            td = "td" if style.word or not c.header else "th"
            out.append(f"<{td}{span}>{_cell_text(c.text, style, c.header)}</{td}>")
        out.append("</tr>")
    out.append("</table>")
    return "\n".join(out)


def _para(text: str, style: HtmlStyle, heading: bool = False) -> str:
    if style.word_export:
        font = "font-family:黑体" if heading else "font-family:仿宋_GB2312"
        return (
            f"<p class=MsoNormal style='text-indent:32.0pt;line-height:28.0pt'>"
            f"<span style='font-size:16.0pt;{font}'>{_runs(text)}<span lang=EN-US><o:p></o:p></span></span></p>"
        )
    t = escape(text, quote=False)
    if style.word:
        inner = (
            f"<b><span style='font-family:黑体'>{t}</span></b>"
            if heading
            else (f"<span style='font-size:16pt;font-family:仿宋_GB2312'>{t}</span>")
        )
        return f"<p class=MsoNormal style='text-indent:32.0pt;line-height:28.0pt'>{inner}</p>"
    return f"<h3>{t}</h3>" if heading else f"<p>{t}</p>"


def page(title: str, body: str, nav: str, encoding: str = "utf-8") -> bytes:
    """A whole HTML page in the given encoding (its meta tag says which)."""
    meta = "gbk" if encoding == "gbk" else "utf-8"
    text = (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n'
        f'<meta http-equiv="Content-Type" content="text/html; charset={meta}">\n'
        f"<title>{escape(title, quote=False)}</title>\n</head>\n<body>\n"
        f'<div class="nav">{nav}</div>\n{body}\n'
        '<div class="footer">主办：杭州市人民政府办公厅　浙ICP备05001234号</div>\n</body>\n</html>\n'
    )
    return text.encode(encoding)


def article_html(doc: Printed, style: HtmlStyle, agency: str, date: str, nav: str) -> bytes:
    """An article page carrying the report inline, as an attachment link, or both."""
    parts = [
        f'<div class="article">\n<h1>{escape(doc.title, quote=False)}</h1>',
        f'<div class="info">发布日期：{date}　信息来源：{escape(agency, quote=False)}</div>',
        '<div class="content">',
    ]
    if style.inline:
        for block in doc.blocks:
            if block[0] == "h":
                parts.append(_para(block[1], style, heading=True))
            elif block[0] == "p":
                parts.append(_para(block[1], style))
            else:
                parts.append(table_html(block[2], style))
    else:
        parts.append(f"<p>现将《{escape(doc.title, quote=False)}》予以公布，全文详见附件。</p>")
    parts.append("</div>")
    if style.attachments:
        links = "".join(
            f'<li><a href="{escape(h)}">{escape(t, quote=False)}</a></li>' for h, t in style.attachments
        )
        parts.append(f'<div class="attachments"><p>附件：</p><ul>{links}</ul></div>')
    parts.append("</div>")
    return page(doc.title, "\n".join(parts), nav, style.encoding)


def simple_article(title: str, paragraphs: list[str], agency: str, date: str, nav: str) -> bytes:
    """An unrelated article (news, guides) for the listing pages to mix in."""
    body = [
        f'<div class="article">\n<h1>{escape(title, quote=False)}</h1>',
        f'<div class="info">发布日期：{date}　信息来源：{escape(agency, quote=False)}</div>',
    ]
    body += [f"<p>{escape(p, quote=False)}</p>" for p in paragraphs]
    body.append("</div>")
    return page(title, "\n".join(body), nav)


def listing_html(
    title: str,
    items: list[tuple[str, str, str]],
    prev_href: str | None,
    next_href: str | None,
    pageno: int,
    pages: int,
    nav: str,
) -> bytes:
    """One page of an agency's 年度报告 column: dated links, then 上一页 / 下一页."""
    lis = "\n".join(
        f'<li><a href="{escape(h)}" target="_blank">{escape(t, quote=False)}</a><span>{d}</span></li>'
        for h, t, d in items
    )
    pager = [f"<span>共{pages}页 第{pageno}页</span>"]
    if prev_href:
        pager.append(f'<a href="{escape(prev_href)}">上一页</a>')
    if next_href:
        pager.append(f'<a href="{escape(next_href)}">下一页</a>')
    body = (
        f'<div class="column">\n<h2>{escape(title, quote=False)}</h2>\n<ul class="list">\n{lis}\n</ul>\n'
        f'<div class="pager">{" ".join(pager)}</div>\n</div>'
    )
    return page(title, body, nav)


# ----------------------------------------------------------------------------- the format fixtures' pages
_EXPORT_GAP = "<p class=MsoNormal><span lang=EN-US>&nbsp;</span></p>"


def _word_section(doc: Printed, style: HtmlStyle) -> str:
    """The report as Word's WordSection1 div: title, then headings, paragraphs and tables in order."""
    out = [
        "<div class=WordSection1 style='layout-grid:15.6pt'>",
        "<p class=MsoNormal align=center style='text-align:center'><b><span style='font-size:22.0pt;"
        f"font-family:方正小标宋简体'>{_runs(doc.title)}"
        "</span></b></p>",
        _EXPORT_GAP,
    ]
    for block in doc.blocks:
        if block[0] in ("h", "p"):
            out.append(_para(block[1], style, heading=block[0] == "h"))
        else:
            out += [table_html(block[2], style), _EXPORT_GAP]
    out.append("</div>")
    return "\n".join(out)


def portal_article_html(doc: Printed, style: HtmlStyle, site: str) -> bytes:
    """An article page in a portal's chrome (header, crumb, sidebar list, footer), the report in Word's markup."""
    title = doc.title
    text = f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns:o="urn:schemas-microsoft-com:office:office">
<head>
{style.charset_tag or f'<meta charset="{style.encoding}">'}
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
{_word_section(doc, style)}
</div>
<div class="attach">附件：<a href="/att/report.pdf">{title}.pdf</a></div>
<div class="share">分享到：<a href="#">微信</a> <a href="#">微博</a> <a href="javascript:window.print()">【打印本页】</a> <a href="javascript:window.close()">【关闭窗口】</a></div>
</div></div>
<div class="footer"><table><tr><td>主办单位：{site}</td><td>地址：杭州市解放东路18号</td><td>联系电话：0571-87000000</td></tr>
<tr><td colspan="3">网站标识码：3301000001 &nbsp; 浙ICP备05000000号 &nbsp; 浙公网安备 33010002000000号</td></tr></table></div>
</body>
</html>
"""
    return text.encode(style.encoding)


def portal_not_found_html() -> bytes:
    """The portal's 404 page, served with status 200 by some sites: not a report."""
    return """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>404 页面不存在 - 杭州市人民政府</title></head>
<body><div class="top"><a href="/">杭州市人民政府</a> <a href="/zwgk/">政务公开</a></div>
<div class="err"><h1>404</h1><p>抱歉，您访问的页面不存在或已被删除！</p>
<p>您可以：<a href="/">返回首页</a> <a href="/zwgk/ndbg/">查看政府信息公开年度报告</a></p></div>
<div class="footer">主办单位：杭州市人民政府办公厅 浙ICP备05000000号</div></body></html>
""".encode()


def portal_listing_html(site: str) -> bytes:
    """A portal's listing of one agency's annual reports: links in a table and a list, and paging: not a report."""
    rows = "\n".join(
        f'<tr><td class="t"><a href="/zwgk/ndbg/{y}.html" title="{site}{y}年政府信息公开工作年度报告">'
        f'{site}{y}年政府信息公开工作年度报告</a></td><td class="d">{y + 1}-01-2{y % 10}</td></tr>'
        for y in range(2023, 2015, -1)
    )
    items = "\n".join(
        f'<li><a href="/zwgk/ndbg/b{y}.html">{y}年度{site}政府信息公开工作年度报告</a><span>{y + 1}-01-15</span></li>'
        for y in range(2015, 2011, -1)
    )
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>政府信息公开年度报告_{site}</title></head>
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
<div class="footer"><table><tr><td>主办单位：{site}</td><td>联系电话：0571-85000000</td></tr></table></div>
</body></html>
""".encode()


@dataclass
class PrintOptions:
    """The development corpus's quirks of a page printed by a browser (the fixtures' page has none)."""

    rules: bool = True  # tables ruled (else text in columns, no border at all)
    open_rows: dict[str, frozenset[int]] = field(default_factory=dict)  # table → rows without a rule above
    break_before: dict[str, int] = field(default_factory=dict)  # table → the row a new page starts with
    repeat_header: dict[str, int] = field(default_factory=dict)  # table → header rows repeated on each page
    title_lines: bool = False  # a two-line title as two headings
    cells: CellAlign | None = None  # text-align and vertical-align in the tables (None: the browser's)


def print_html(doc: Printed, font: str, opts: PrintOptions | None = None) -> str:
    """The report as a bare page for a browser to print: h1 title, h3 headings, ruled tables in `font`."""
    css = (
        f"body{{font-family:'{font}';font-size:12pt;margin:0 10mm}} h1{{text-align:center;font-size:18pt;"
        "font-weight:normal} h3{font-weight:normal}"
        "table{border-collapse:collapse;width:100%;font-size:8.5pt;margin-bottom:8pt} td{border:1px solid #000;"
        "padding:2px}p{text-indent:2em;line-height:1.6}"
    )
    if opts is None:
        body = [f"<h1>{escape(doc.title, quote=False)}</h1>"]
    else:
        css += "td.open{border-top:none} p.center{text-align:center;text-indent:0} p.right{text-align:right}"
        if not opts.rules:
            css += " td{border:none}"
        titles = doc.title.split("\n") if opts.title_lines else [doc.title.replace("\n", "")]
        body = [f"<h1>{escape(t, quote=False)}</h1>" for t in titles]
    for block in doc.blocks:
        if block[0] == "h":
            body.append(f"<h3>{escape(block[1], quote=False)}</h3>")
        elif block[0] == "p":
            flags = [f for f in block[2:] if f in ("center", "right")]
            cls = f' class="{flags[0]}"' if flags and opts is not None else ""
            body.append(f"<p{cls}>{escape(block[1], quote=False)}</p>")
        else:
            key = block[1]
            open_rows = opts.open_rows.get(key, frozenset()) if opts else frozenset()
            brk = opts.break_before.get(key) if opts else None
            head = opts.repeat_header.get(key, 0) if opts else 0
            rows = []
            for r, row in enumerate(block[2]):
                cls = ' class="open"' if r in open_rows else ""
                texts = [escape(c.text, quote=False) for c in row]
                if opts is not None:
                    texts = [t.replace("\n", "<br>") for t in texts]
                aligned = [""] * len(row)
                if opts is not None and opts.cells is not None:
                    header = r < HEADER_ROWS.get(key, 0)
                    valign = opts.cells.vertical(header)
                    aligned = [
                        f' style="text-align:{opts.cells.horizontal(c.text, header)};vertical-align:{valign}"'
                        for c in row
                    ]
                cells = "".join(
                    f'<td{cls}{a} rowspan="{c.rowspan}" colspan="{c.colspan}">{t}</td>'
                    for c, t, a in zip(row, texts, aligned, strict=True)
                )
                attr = ' style="break-before:page"' if r == brk else ""
                rows.append(f"<tr{attr}>{cells}</tr>")
            if head:
                body.append(
                    "\n".join(["<table>", "<thead>", *rows[:head], "</thead>", *rows[head:], "</table>"])
                )
            else:
                body.append("\n".join(["<table>", *rows, "</table>"]))
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><style>{css}</style></head>"
        f"<body>{''.join(body)}</body></html>"
    )


# ----------------------------------------------------------------------------- the development corpus's pages
@dataclass
class PageMeta:
    """An article page's chrome: which site it is on and what its metadata says (the agency, or not)."""

    site: str  # the site's name: the header's logo text and the footer's 主办单位
    title_tag: str  # the <title> text
    info: list[tuple[str, str]] = field(
        default_factory=list
    )  # the line under the title: 发布日期, 信息来源, …
    meta: dict[str, str] = field(default_factory=dict)  # <meta name=… content=…>
    heading: str = "one"  # the article title in the chrome: one (an h1) | two (two elements) | none
    encoding: str = "utf-8"  # utf-8 | gbk | gb18030
    charset_tag: str | None = None  # the page's own charset declaration, verbatim


_WPS_FONT = "font-family:仿宋_GB2312;mso-hansi-font-family:'Times New Roman';mso-font-kerning:0.0000pt"
_WPS_EMPTY = "<!--[if !supportEmptyParas]-->&nbsp;<!--[endif]-->"


def _wps_runs(text: str, size: str = "10.5pt") -> str:
    """Text as WPS writes it: split into runs where spell-check and digits break them, each in its own span."""
    out: list[str] = []
    run = ""
    kind = None
    for ch in text:
        k = "d" if ch.isascii() and ch.isalnum() else "c"
        if run and (k != kind or len(run) >= 16):
            out.append(run)
            run = ""
        run += ch
        kind = k
    if run:
        out.append(run)
    spans = []
    for part in out:
        lang = " lang=EN-US" if part.isascii() else ""
        spans.append(f'<span{lang} style="{_WPS_FONT};font-size:{size}">{escape(part, quote=False)}</span>')
    return "".join(spans)


def _wps_cell(text: str, rowspan: int, colspan: int, header: bool, rule_top: bool = True) -> str:
    """A table cell as WPS's 'save as web page' writes it: mso borders, nested p/span, &nbsp; fillers."""
    border = "border:solid windowtext 1.0pt;mso-border-alt:solid windowtext 0.5000pt"
    if not rule_top:
        border += ";border-top:none;mso-border-top-alt:none"
    attrs = (
        f' width=57 valign=center style="width:42.55pt;padding:0.0000pt 5.4000pt 0.0000pt 5.4000pt;{border}"'
    )
    if rowspan > 1:
        attrs += f" rowspan={rowspan}"
    if colspan > 1:
        attrs += f" colspan={colspan}"
    paras = []
    for line in text.split("\n") if text else [""]:
        inner = _wps_runs(line) if line else f'<span style="{_WPS_FONT};font-size:10.5pt">{_WPS_EMPTY}</span>'
        pad = "<span style=\"mso-spacerun:'yes'\">&nbsp;</span>" if not header and line else ""
        paras.append(
            '<p class=MsoNormal align=center style="text-align:center;mso-pagination:widow-orphan">'
            f'{pad}{inner}<span style="{_WPS_FONT};font-size:10.5pt"><o:p></o:p></span></p>'
        )
    return f"<td{attrs}>" + "".join(paras) + "</td>"


def wps_table(grid: Grid, open_rows: frozenset[int] = frozenset()) -> str:
    """A spanned grid as WPS exports a table; rows in `open_rows` lose the rule above them."""
    out = [
        '<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 style="border-collapse:collapse;'
        'border:none;mso-border-left-alt:0.5000pt solid windowtext;mso-padding-alt:0.0000pt 5.4000pt">'
    ]
    for r, row in enumerate(grid):
        out.append('<tr style="height:19.85pt">')
        out.extend(_wps_cell(c.text, c.rowspan, c.colspan, c.header, r not in open_rows) for c in row)
        out.append("</tr>")
    out.append("</table>")
    return "\n".join(out)


def _wps_para(text: str, align: str | None = None, heading: bool = False) -> str:
    style = "text-indent:32.0000pt;mso-char-indent-count:2.0000;line-height:28.0000pt;mso-line-height-rule:exactly"
    if align:
        style = f"text-align:{align};line-height:28.0000pt"
    font = "font-family:黑体;mso-hansi-font-family:黑体" if heading else _WPS_FONT
    runs = _wps_runs(text, "16.0pt").replace(f"{_WPS_FONT};font-size:16.0pt", f"{font};font-size:16.0pt")
    attr = f" align={align}" if align else ""
    return f'<p class=MsoNormal{attr} style="{style}">{runs}<span style="{font};font-size:16.0pt"><o:p></o:p></span></p>'


def wps_section(doc: Printed, open_rows: dict[str, frozenset[int]] | None = None) -> str:
    """The report as WPS exports it into a page: the title's paragraphs, headings, paragraphs, tables."""
    out = ['<div class="Section0" style="layout-grid:15.6000pt">']
    for line in doc.title.split("\n"):
        out.append(
            '<p class=MsoNormal align=center style="text-align:center;line-height:28.0000pt">'
            f'<b><span style="font-family:方正小标宋简体;font-size:22.0pt">{escape(line, quote=False)}</span></b></p>'
        )
    out.append(f'<p class=MsoNormal><span style="font-size:10.5pt">{_WPS_EMPTY}<o:p></o:p></span></p>')
    for block in doc.blocks:
        if block[0] == "h":
            out.append(_wps_para(block[1], heading=True))
        elif block[0] == "p":
            flags = block[2:]
            align = "center" if "center" in flags else "right" if "right" in flags else None
            out.append(_wps_para(block[1], align))
        else:
            out.append(wps_table(block[2], (open_rows or {}).get(block[1], frozenset())))
            out.append(
                f'<p class=MsoNormal><span style="font-size:10.5pt">{_WPS_EMPTY}<o:p></o:p></span></p>'
            )
    out.append("</div>")
    return "\n".join(out)


def cms_section(doc: Printed, with_title: bool) -> str:
    """The report as a content system's editor stores it: plain paragraphs and bordered tables."""
    out = []
    if with_title:
        out += [
            f'<p style="text-align:center"><strong>{escape(t, quote=False)}</strong></p>'
            for t in doc.title.split("\n")
        ]
    plain = HtmlStyle()
    for block in doc.blocks:
        if block[0] == "h":
            out.append(f"<p><strong>{escape(block[1], quote=False)}</strong></p>")
        elif block[0] == "p":
            flags = block[2:]
            align = "center" if "center" in flags else "right" if "right" in flags else None
            style = f' style="text-align:{align}"' if align else ' style="text-indent:2em"'
            out.append(f"<p{style}>{escape(block[1], quote=False)}</p>")
        else:
            out.append(table_html(block[2], plain))
    return "\n".join(out)


def web_article_html(doc: Printed, content: str, meta: PageMeta) -> bytes:
    """An article page on a government site: header, crumb, the title as the page shows it, its info line,
    the content (`wps_section` or `cms_section`), a footer naming the site's 主办单位."""
    metas = "".join(f'<meta name="{escape(k)}" content="{escape(v)}">\n' for k, v in meta.meta.items())
    charset = (
        meta.charset_tag or f'<meta http-equiv="Content-Type" content="text/html; charset={meta.encoding}">'
    )
    lines = doc.title.split("\n")
    if meta.heading == "one":
        heading = f'<h1 class="title">{escape("".join(lines), quote=False)}</h1>'
    elif meta.heading == "two":
        heading = "".join(
            f'<div class="title-line{n}">{escape(t, quote=False)}</div>' for n, t in enumerate(lines, start=1)
        )
    else:
        heading = ""
    info = "　".join(f"{k}：{escape(v, quote=False)}" for k, v in meta.info)
    text = f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns="http://www.w3.org/1999/xhtml">
<head>
{charset}
<title>{escape(meta.title_tag, quote=False)}</title>
{metas}<link rel="stylesheet" href="/css/article.css">
</head>
<body>
<div class="header"><div class="logo">{escape(meta.site, quote=False)}</div>
<ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwgk/">政府信息公开</a></li><li><a href="/zwgk/ndbg/">年度报告</a></li></ul></div>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政府信息公开</a> &gt; <a href="/zwgk/ndbg/">政府信息公开年度报告</a></div>
<div class="article">
{heading}
<div class="info">{info}</div>
<div class="content" id="zoom">
{content}
</div>
<div class="tools"><a href="javascript:window.print()">【打印】</a> <a href="javascript:window.close()">【关闭】</a></div>
</div>
<div class="footer">主办单位：{escape(meta.site, quote=False)}　网站标识码：3306000001　浙ICP备05012345号</div>
</body>
</html>
"""
    return text.encode(meta.encoding)


def error_page_html(kind: str, site: str) -> bytes:
    """A listed report's link that leads to an error page served with status 200: never a report.

    kind: notfound (页面不存在 with the site's chrome and links to other years' reports) | deleted (信息已删除
    or 撤稿) | nginx (a bare 404 Not Found with a Chinese line)."""
    if kind == "nginx":
        return (
            "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n"
            "<center>对不起，您访问的页面不存在！</center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
        ).encode()
    if kind == "deleted":
        body = (
            '<div class="err"><img src="/images/404.png" alt="404"><p>该信息已删除或已过期，请返回首页浏览其他内容。</p>'
            f'<p>相关链接：<a href="/zwgk/ndbg/">{escape(site)}政府信息公开年度报告</a></p></div>'
        )
        title = "提示信息"
    else:
        links = "".join(
            f'<li><a href="/zwgk/ndbg/{y}.html">{escape(site)}{y}年政府信息公开工作年度报告</a></li>'
            for y in (2023, 2022, 2021)
        )
        body = (
            '<div class="err"><h2>404</h2><p>很抱歉，您要访问的页面不存在！</p><p>可能原因：网址有错误；网址已失效。</p>'
            f'<div class="recommend"><h3>您可能感兴趣的内容</h3><ul>{links}</ul></div></div>'
        )
        title = f"页面不存在_{site}"
    text = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{escape(title)}</title></head>
<body><div class="header"><div class="logo">{escape(site)}</div><ul class="nav"><li><a href="/">首页</a></li>
<li><a href="/zwgk/">政府信息公开</a></li></ul></div>
{body}
<div class="footer">主办单位：{escape(site)}　网站标识码：3306000001</div></body></html>
"""
    return text.encode()
